#!/usr/bin/python3
"""atmo speaks systemd's notify protocol: this test plays the service manager with its own
NOTIFY_SOCKET (an abstract '@' socket) and WATCHDOG_USEC=1 s, and checks that
  * READY=1 arrives, with a STATUS= venue summary, only once the API answers;
  * WATCHDOG=1 pings follow at about half the timeout;
  * a blocked logic thread (SIGUSR2 with ATMO_DEBUG_STALL_SECONDS, docs/operations.md) stops them,
    and they come back when it runs again;
  * SIGTERM sends STOPPING=1 and the daemon exits 0.
usage: sd_notify_test.py ATMO
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from free_port import free_port  # noqa: E402
from test_clock import test_clock  # noqa: E402  (tests/test_clock.py: no outcome depends on the hour)

ATMO = sys.argv[1]
STALL_S = 6


def fail(message, log):
    print("FAIL:", message)
    log.flush()
    with open(log.name, errors="replace") as f:
        print(f.read()[-3000:])
    sys.exit(1)


def receive(sock, until):
    """(arrival time, {key: value}) datagrams until the monotonic deadline."""
    got = []
    while time.monotonic() < until:
        sock.settimeout(max(0.01, until - time.monotonic()))
        try:
            data = sock.recv(4096)
        except socket.timeout:
            break
        fields = dict(line.split("=", 1) for line in data.decode().splitlines() if "=" in line)
        got.append((time.monotonic(), fields))
    return got


def main(work):
    name = f"atmo-notify-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    port = free_port()
    env = dict(os.environ, NOTIFY_SOCKET="@" + name, WATCHDOG_USEC="1000000", ATMO_DEBUG_STALL_SECONDS=str(STALL_S))
    env.pop("WATCHDOG_PID", None)
    with open(os.path.join(work, "daemon.log"), "w") as log:
        daemon = subprocess.Popen([ATMO, "demo", "--no-audio", "--port", str(port), "--state-dir",
                                   os.path.join(work, "state"), "--clock", test_clock(), "--history-days", "0"], stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            ready = None
            deadline = time.monotonic() + 60
            while ready is None and time.monotonic() < deadline:
                for _, fields in receive(sock, min(deadline, time.monotonic() + 1)):
                    if fields.get("READY") == "1":
                        ready = fields
                        break
            if ready is None:
                fail("no READY=1 within 60 s", log)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
            except OSError as e:
                fail(f"READY=1 arrived but the API does not answer: {e}", log)
            status = ready.get("STATUS", "")
            if "aurora-spa" not in status or "zones out of standard" not in status:
                fail(f"READY=1 without a venue summary: STATUS={status!r}", log)
            print("READY=1 with STATUS=" + status)

            before = [t for t, f in receive(sock, time.monotonic() + 4) if f.get("WATCHDOG") == "1"]
            if len(before) < 4:
                fail(f"{len(before)} WATCHDOG=1 pings in 4 s with WATCHDOG_USEC=1 s (expected about 8)", log)
            normal_gap = max(b - a for a, b in zip(before, before[1:]))

            stalled_at = time.monotonic()
            daemon.send_signal(signal.SIGUSR2)
            during = [(t, f) for t, f in receive(sock, stalled_at + STALL_S + 4)]
            pings = [before[-1]] + [t for t, f in during if f.get("WATCHDOG") == "1"]
            stall_gap = max(b - a for a, b in zip(pings, pings[1:]))
            print(f"watchdog gaps: {normal_gap:.2f} s normally, {stall_gap:.2f} s with the logic thread blocked "
                  f"for {STALL_S} s")
            if stall_gap < STALL_S - 1:
                fail(f"pings went on while the logic thread was blocked (longest gap {stall_gap:.2f} s)", log)
            if pings[-1] < stalled_at + STALL_S:
                fail("no WATCHDOG=1 after the logic thread ran again", log)
        finally:
            daemon.send_signal(signal.SIGTERM)
            code = daemon.wait(30)
        stopping = [f for _, f in receive(sock, time.monotonic() + 1) if f.get("STOPPING") == "1"]
        if code != 0:
            fail(f"atmo demo exited with {code}", log)
        if not stopping:
            fail("no STOPPING=1 on SIGTERM", log)
    print("ok")


with tempfile.TemporaryDirectory() as work:
    main(work)
