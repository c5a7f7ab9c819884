#!/usr/bin/python3
"""The pymodbus baseline of bench figure 1: Debian's pymodbus (3.0) sync TCP client issuing the same
reads as atmo's bus worker, round robin, for a fixed time. Prints one JSON line like
modbus_poll_bench does (registers/s, client CPU time per request).

usage: /usr/bin/python3 pymodbus_poll.py PORT REQUESTS_FILE SECONDS
REQUESTS_FILE: one "bus unit table start count" per line (modbus_poll_bench requests VENUE).
"""
import json
import logging
import sys
import time

from pymodbus.client import ModbusTcpClient


def main():
    port, plan_file, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    logging.getLogger("pymodbus").setLevel(logging.CRITICAL)
    plan = []
    with open(plan_file) as f:
        for line in f:
            _bus, unit, table, start, count = line.split()
            plan.append((int(unit), table, int(start), int(count)))
    client = ModbusTcpClient("127.0.0.1", port=port, timeout=1)
    if not client.connect():
        print(f"cannot connect to 127.0.0.1:{port}", file=sys.stderr)
        return 1
    readers = {"input": client.read_input_registers, "holding": client.read_holding_registers,
               "coil": client.read_coils, "discrete": client.read_discrete_inputs}
    calls = [(readers[table], start, count, unit) for unit, table, start, count in plan]
    for read, start, count, unit in calls:  # warm up
        read(start, count, slave=unit)
    requests = registers = errors = 0
    cpu0 = time.process_time()
    t0 = time.monotonic()
    end = t0 + seconds
    i = 0
    while time.monotonic() < end:
        read, start, count, unit = calls[i]
        i = (i + 1) % len(calls)
        reply = read(start, count, slave=unit)
        requests += 1
        if reply.isError():
            errors += 1
        else:
            registers += count
    elapsed = time.monotonic() - t0
    cpu = time.process_time() - cpu0
    client.close()
    print(json.dumps({"client": "pymodbus", "seconds": elapsed, "requests": requests, "registers": registers,
                      "errors": errors, "requests_per_s": requests / elapsed, "registers_per_s": registers / elapsed,
                      "cpu_us_per_request": cpu * 1e6 / max(1, requests)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
