"""Figure 7: Modbus RTU poll rate of atmo's bus worker against the wire limit at 9600 baud.

A serial line's speed, not the client, bounds RTU, so the baseline is computed: the time one read
occupies the line (request, reply and the 3.5-character silences the protocol demands). The
measurement runs over rtu_line.py, a relay between two pseudo-terminals that passes bytes at the
line's pace (a plain pty or socat pair moves them instantly, whatever baud the ends configure), to
Debian's pymodbus 3.0 serial server (rtu_device.py) as the devices.

Line settings: 9600 baud, 8 data bits, no parity, 2 stop bits = 11 bits per character, the same
character time as the Modbus default 8E1 (the spec asks for 2 stop bits when there is no parity).
8N2 rather than 8E1 because Linux (6.x) refuses PARENB on a pseudo-terminal: atmo could not open one
configured for even parity.
"""

import json
import os
import time

from .common import Children, Row, Series, load_average, log, pinned, run_json
from .modbus_figures import POINT, PROFILE

BAUD = 9600
DATA_BITS, PARITY, STOP_BITS = 8, "N", 2
BITS_PER_CHAR = 1 + DATA_BITS + (0 if PARITY == "N" else 1) + STOP_BITS
UNITS = 4  # devices on the line, one read each per cycle, every one due all the time: the line never idles
REGISTERS = 10
RELAY_CPU = "0"  # the relay is the clock of the line: kept off the CPU atmo and the devices share

VENUE = """id: bench-rtu
name: {{en: RTU bench}}
time_zone: UTC
profile_dirs: [profiles]
buses:
  - {{id: rs485, rtu: {{device: {device}, baud: {baud}, parity: {parity}, data_bits: {data_bits}, stop_bits: {stop_bits}}},
     response_timeout_ms: 1000}}
devices:
{devices}
zones:
  - id: lab
    name: {{en: Lab}}
    scenes:
      - {{id: idle, name: {{en: Idle}}}}
"""


def wire_characters(registers):
    """Character times one read of input registers occupies the line: request (unit, function,
    address, count, CRC = 8 characters), 3.5 characters of silence, reply (unit, function, byte
    count, 2 per register, CRC = 5 + 2N), 3.5 characters of silence before the next request."""
    return 8 + 3.5 + (5 + 2 * registers) + 3.5


def wire_time_s(registers):
    return wire_characters(registers) * BITS_PER_CHAR / BAUD


def write_venue(directory, device):
    os.makedirs(os.path.join(directory, "profiles"), exist_ok=True)
    points = "\n".join(POINT.format(i=i) for i in range(REGISTERS))
    with open(os.path.join(directory, "profiles", f"bench-sensor-{REGISTERS}.yaml"), "w") as f:
        f.write(PROFILE.format(n=REGISTERS, points=points))
    devices = "\n".join(f"  - {{zone: lab, id: d{u}, profile: bench-sensor-{REGISTERS}, bus: rs485, unit: {u}}}"
                        for u in range(1, UNITS + 1))
    path = os.path.join(directory, "rtu.yaml")
    with open(path, "w") as f:
        f.write(VENUE.format(device=device, baud=BAUD, parity={"N": "none", "E": "even", "O": "odd"}[PARITY],
                             data_bits=DATA_BITS, stop_bits=STOP_BITS, devices=devices))
    return path


def wait_for_link(path, proc, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode} before {path} appeared")
        if os.path.exists(path):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{path} did not appear within {timeout} s")


def stop_relay(children, relay, log_path):
    """The relay prints what it saw on the line when stopped."""
    children.stop(relay)
    with open(log_path) as f:
        lines = [json.loads(x) for x in f if x.startswith("{")]
    return next((x for x in lines if "requests" in x), None)


def fmt(stat, key="median"):
    return f"{stat[key]:.2f} ms" if stat else "–"


def run(ctx):
    seconds = ctx.rtu_seconds
    directory = ctx.tempdir("rtu")
    runner_dir = os.path.dirname(os.path.abspath(__file__))
    rps, loads = Series(), []
    with Children() as children:
        relay_log = os.path.join(directory, "line.log")
        relay = children.start(
            pinned(["/usr/bin/python3", os.path.join(runner_dir, "rtu_line.py"), "--baud", str(BAUD),
                    "--bits-per-char", str(BITS_PER_CHAR), "--links", directory], cpu=RELAY_CPU),
            log_path=relay_log)
        wait_for_link(os.path.join(directory, "client"), relay)
        device = children.start(
            pinned(["/usr/bin/python3", os.path.join(runner_dir, "rtu_device.py"), os.path.join(directory, "device"),
                    str(UNITS), str(REGISTERS), str(BAUD), PARITY, str(STOP_BITS)]),
            log_path=os.path.join(directory, "device.log"))
        time.sleep(1.0)  # pymodbus opens its port asynchronously; the worker's warm-up waits for replies anyway
        if device.poll() is not None:
            with open(os.path.join(directory, "device.log")) as f:
                raise RuntimeError(f"the RTU device exited with {device.returncode}:\n{f.read()[-2000:]}")
        venue = write_venue(directory, os.path.realpath(os.path.join(directory, "client")))
        for rep in range(ctx.reps):
            loads.append(load_average())
            results = run_json(pinned([ctx.bench("modbus_poll_bench"), "worker", venue, str(seconds)]))
            window = next(r for r in results if r["client"] == "atmo bus worker")
            readings = next(r for r in results if r["client"] == "atmo bus worker readings")
            rps.add(window["requests_per_s"])
            log(f"  rtu {REGISTERS} reg/read rep {rep + 1}/{ctx.reps}: {window['requests_per_s']:.2f} reads/s, "
                f"{window['requests']} reads, {readings['good_readings']} good readings (load {loads[-1]:.2f})")
        line = stop_relay(children, relay, relay_log)
    limit = 1.0 / wire_time_s(REGISTERS)
    char_ms = BITS_PER_CHAR / BAUD * 1e3
    log(f"  rtu line: {json.dumps(line)}")
    figure = (f"7. RTU poll rate, {BAUD} baud 8{PARITY}{STOP_BITS}, {UNITS} units x {REGISTERS} input registers "
              "per read (reads/s)")
    note = (f"computed limit, measured over a paced line emulator (bench/runner/rtu_line.py) between two ptys; "
            f"{BITS_PER_CHAR} bits per character = {char_ms:.3f} ms; wire limit = 1 / ({wire_characters(REGISTERS):g} "
            f"characters: request 8 + 3.5 silence + reply {5 + 2 * REGISTERS} + 3.5 silence = "
            f"{wire_time_s(REGISTERS) * 1e3:.2f} ms per read); devices: pymodbus 3.0 serial server; "
            f"atmo counted from its bus's read counter over {seconds:g} s windows")
    if line:
        period = line["request_period_ms"]
        note += (f"; on the line over all runs: {line['replies']} replies to {line['requests']} requests, "
                 f"read period median {fmt(period)} (limit / median period = "
                 f"{wire_time_s(REGISTERS) * 1e3 / period['median']:.3f}; p95 {fmt(period, 'p95')}), "
                 f"atmo's silence before a request median {fmt(line['client_silence_ms'])}, "
                 f"min {fmt(line['client_silence_ms'], 'min')} (3.5 characters = {3.5 * char_ms:.2f} ms), "
                 f"device's reply after the request median {fmt(line['device_turnaround_ms'])} "
                 f"(the line holds it to >= 3.5 characters), relay late by median "
                 f"{fmt(line['delivery_lateness_ms'])}, p95 {fmt(line['delivery_lateness_ms'], 'p95')}")
    return [
        Row(figure, "atmo bus worker", rps, f"wire limit {BAUD} 8{PARITY}{STOP_BITS}", Series([limit], computed=True),
            "reads/s", target=">= 0.95x", load=loads, note=note),
    ]
