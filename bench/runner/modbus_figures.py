"""Figure 1: Modbus poll throughput of atmo's bus worker against `atmo sim`, next to a raw libmodbus
loop, mbpoll and a pymodbus sync client doing the same reads in the same run; and the demo venue's
read plan (requests per full poll cycle against one request per point or register)."""

import os
import re
import signal
import subprocess
import time

from .common import Children, Row, Series, free_port, load_average, log, pinned, run_json, wait_for_port

UNITS = 100  # devices on the bench bus, one read request each per cycle: 100k requests/s due, more than any client serves

PROFILE = """id: bench-sensor-{n}
description: {n} input registers polled every millisecond (more than any bus carries)
points:
{points}
"""
POINT = """  - {{name: r{i}, quantity: fault_code, table: input, address: {i}, type: u16, range: {{min: 0, max: 65535}}, poll_ms: 1}}"""

VENUE = """id: bench-poll
name: {{en: Poll bench}}
time_zone: UTC
profile_dirs: [profiles]
buses:
  - {{id: bench, tcp: {{host: 127.0.0.1, port: {port}}}, response_timeout_ms: 1000}}
devices:
{devices}
zones:
  - id: lab
    name: {{en: Lab}}
    scenes:
      - {{id: idle, name: {{en: Idle}}}}
"""


def write_venue(directory, registers, port):
    os.makedirs(os.path.join(directory, "profiles"), exist_ok=True)
    points = "\n".join(POINT.format(i=i) for i in range(registers))
    with open(os.path.join(directory, "profiles", f"bench-sensor-{registers}.yaml"), "w") as f:
        f.write(PROFILE.format(n=registers, points=points))
    devices = "\n".join(
        f"  - {{zone: lab, id: d{u}, profile: bench-sensor-{registers}, bus: bench, unit: {u}}}" for u in range(1, UNITS + 1))
    path = os.path.join(directory, f"poll-{registers}.yaml")
    with open(path, "w") as f:
        f.write(VENUE.format(port=port, devices=devices))
    return path


def cpu_of_children():
    usage = os.times()
    return usage.children_user + usage.children_system


def run_pymodbus(ctx, venue, port, seconds):
    script = os.path.join(ctx.bench_dir, "pymodbus_poll.py")
    requests = subprocess.run([ctx.bench("modbus_poll_bench"), "requests", venue], capture_output=True, text=True,
                              check=True).stdout
    plan = os.path.join(os.path.dirname(venue), "requests.txt")
    with open(plan, "w") as f:
        f.write(requests)
    return run_json(pinned(["/usr/bin/python3", script, str(port), plan, str(seconds)]))[0]


def run_mbpoll(port, registers, seconds):
    """mbpoll polls every unit of -a once per cycle, then sleeps its poll rate (at least 10 ms)."""
    before = cpu_of_children()
    # Line-buffered, and stopped with SIGINT as a person would: nothing it printed is lost.
    argv = pinned(["stdbuf", "-oL", "mbpoll", "-m", "tcp", "-p", str(port), "-a", f"1:{UNITS}", "-t", "3", "-0", "-r", "0",
                   "-c", str(registers), "-l", "10", "-o", "1", "127.0.0.1"])
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        out, _ = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
    elapsed = time.monotonic() - t0
    # One "-- Polling slave N..." line per request; a value line per register.
    requests = len(re.findall(r"^-- Polling slave", out, re.M))
    errors = len(re.findall(r"Read .*failed", out))
    cpu = cpu_of_children() - before
    ok = max(0, requests - errors)
    return {"client": "mbpoll", "seconds": elapsed, "requests": requests, "registers": ok * registers,
            "requests_per_s": requests / elapsed, "registers_per_s": ok * registers / elapsed,
            "cpu_us_per_request": cpu * 1e6 / max(1, requests)}


def poll_throughput(ctx, registers):
    """Rows for one read size: the worker against each baseline, alternating clients each repetition."""
    directory = ctx.tempdir(f"poll-{registers}")
    port = free_port()
    venue = write_venue(directory, registers, port)
    clients = {k: {"rps": Series(), "cpu": Series()} for k in ("worker", "raw", "pymodbus", "mbpoll")}
    loads = []
    with Children() as children:
        sim = children.start(pinned([ctx.atmo, "sim", "--venue", venue, "--control", "off"]),
                             log_path=os.path.join(directory, "sim.log"))
        wait_for_port(port, proc=sim)
        seconds = ctx.seconds
        for rep in range(ctx.reps):
            loads.append(load_average())
            order = ["worker", "raw", "pymodbus", "mbpoll"]
            order = order[rep % 4:] + order[:rep % 4]  # nobody always runs first or last
            for client in order:
                if client == "worker":
                    result = run_json(pinned([ctx.bench("modbus_poll_bench"), "worker", venue, str(seconds)]))[0]
                elif client == "raw":
                    result = run_json(pinned([ctx.bench("modbus_poll_bench"), "raw", venue, str(seconds)]))[0]
                elif client == "pymodbus":
                    result = run_pymodbus(ctx, venue, port, seconds)
                else:
                    result = run_mbpoll(port, registers, seconds)
                if result.get("errors", 0):
                    log(f"  {client}: {result['errors']} failed requests")
                clients[client]["rps"].add(result["registers_per_s"])
                clients[client]["cpu"].add(result["cpu_us_per_request"])
            log(f"  poll {registers} reg/read rep {rep + 1}/{ctx.reps}: " + ", ".join(
                f"{k} {v['rps'].values[-1]:,.0f} reg/s" for k, v in clients.items()) + f" (load {loads[-1]:.2f})")
    figure = f"1. Poll throughput, {UNITS} units x {registers} input registers per read (registers/s)"
    w = clients["worker"]
    rows = [
        Row(figure, "atmo bus worker", w["rps"], "raw libmodbus loop", clients["raw"]["rps"], "registers/s",
            target=">= 0.8x", load=loads),
        Row(figure, "atmo bus worker", w["rps"], "pymodbus 3.0 sync client", clients["pymodbus"]["rps"], "registers/s",
            target=">= 1.3x", load=loads),
        Row(figure, "atmo bus worker", w["rps"], "mbpoll -l 10 (paces itself)", clients["mbpoll"]["rps"],
            "registers/s", load=loads),
        Row(f"1. Client CPU per request, {registers} registers per read (us)", "atmo bus worker", w["cpu"],
            "raw libmodbus loop", clients["raw"]["cpu"], "us", higher_is_better=False, load=loads),
        Row(f"1. Client CPU per request, {registers} registers per read (us)", "atmo bus worker", w["cpu"],
            "pymodbus 3.0 sync client", clients["pymodbus"]["cpu"], "us", higher_is_better=False, load=loads),
    ]
    return rows


def demo_plan(ctx):
    """Requests per full poll cycle of the demo venue against polling one point / one register per request."""
    plan = run_json([ctx.bench("modbus_poll_bench"), "plan", os.path.join(ctx.source_dir, "config/venues/demo.yaml")])[0]
    figure = "1. Demo venue: read requests per full poll cycle"
    note = (f"{plan['polled_points']} polled points, {plan['polled_registers']} registers, "
            f"{plan['device_tables']} (device, table) pairs = fewest requests Modbus allows (one unit and table per request); "
            f"requests/s at the configured periods: {plan['requests_per_s']:.1f} coalesced vs "
            f"{plan['one_register_per_request_per_s']:.1f} one register per request")
    return [
        Row(figure, "atmo read plan", Series([plan["requests_per_cycle"]]), "one request per register",
            Series([plan["polled_registers"]]), "requests", higher_is_better=False, target="<= 0.2 (5x fewer)", note=note),
        Row(figure, "atmo read plan", Series([plan["requests_per_cycle"]]), "one request per point",
            Series([plan["polled_points"]]), "requests", higher_is_better=False),
        Row(figure, "atmo read plan", Series([plan["requests_per_cycle"]]), "floor: one per (device, table)",
            Series([plan["device_tables"]]), "requests", higher_is_better=False),
    ]


def run(ctx):
    rows = demo_plan(ctx)
    for registers in (10, 100):
        rows += poll_throughput(ctx, registers)
    return rows
