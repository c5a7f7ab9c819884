"""Starting atmo's daemon for a figure and getting a bearer token from its API."""

import http.client
import json
import os
import re

from .common import wait_for_port


def request(port, method, path, body=None, token=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    res = conn.getresponse()
    data = res.read()
    conn.close()
    return res.status, json.loads(data) if data else None


def first_admin_token(port, user="bench", secret="bench-secret-1"):
    """Creates the first admin of a fresh state dir (setup) and logs in for a bearer token."""
    status, body = request(port, "POST", "/api/v1/setup", {"username": user, "displayName": "Bench", "secret": secret})
    if status != 200:
        raise RuntimeError(f"setup answered {status}: {body}")
    return login(port, user, secret)


def login(port, user, secret):
    status, body = request(port, "POST", "/api/v1/login", {"username": user, "secret": secret, "bearer": True})
    if status != 200 or not body.get("token"):
        raise RuntimeError(f"login answered {status}: {body}")
    return body["token"]


def start_serve(ctx, children, venue, state_dir, api_port, log_name, pin=None):
    """`atmo serve` for `venue` on 127.0.0.1:api_port without audio; returns (process, token)."""
    argv = [ctx.atmo, "serve", "--config", venue, "--state-dir", state_dir, "--no-audio",
            "--listen", f"127.0.0.1:{api_port}"]
    if pin:
        argv = ["taskset", "-c", pin] + argv
    proc = children.start(argv, log_path=os.path.join(state_dir, log_name))
    wait_for_port(api_port, timeout=30, proc=proc)
    return proc, first_admin_token(api_port)


def start_demo(ctx, children, state_dir, api_port):
    """`atmo demo --no-audio`: the daemon and the demo venue's simulator in one process. Its demo users
    are printed at start; the admin's PIN is read from there."""
    log_path = os.path.join(state_dir, "demo.log")
    proc = children.start([ctx.atmo, "demo", "--no-audio", "--port", str(api_port), "--state-dir", state_dir],
                          log_path=log_path)
    wait_for_port(api_port, timeout=30, proc=proc)
    with open(log_path, errors="replace") as f:
        text = f.read()
    match = re.search(r"admin\s*\|?\s*(\d{4,})", text)
    secret = match.group(1) if match else "1111"
    return proc, login(api_port, "admin", secret)


def copy_demo_venue(ctx, directory, port_offset, api_port):
    """The demo venue with its bus ports moved by port_offset and absolute profile paths, so a separate
    `atmo sim --port-offset` serves it and `atmo serve` polls it."""
    source = os.path.join(ctx.source_dir, "config", "venues", "demo.yaml")
    with open(source) as f:
        text = f.read()
    text = re.sub(r"port: (\d+)", lambda m: f"port: {int(m.group(1)) + port_offset}", text)
    text = text.replace("profile_dirs: [../profiles]",
                        f"profile_dirs: [{os.path.join(ctx.source_dir, 'config', 'profiles')}]")
    text = re.sub(r"listen: 127\.0\.0\.1:\d+", f"listen: 127.0.0.1:{api_port}", text)
    path = os.path.join(directory, "demo.yaml")
    with open(path, "w") as f:
        f.write(text)
    return path
