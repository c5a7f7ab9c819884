"""Figure 5: the daemon's status endpoint under wrk (2 threads, 64 connections, bearer token) next to
a bare one-thread Beast server in the same run, and WebSocket fan-out latency to 50 clients."""

import json
import os
import re
import statistics
import subprocess

from .common import Children, Row, Series, free_port, load_average, log, run_json, wait_for_port
from .daemon import start_demo


def wrk(port, token, seconds):
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "-H", f"Authorization: Bearer {token}",
                          f"http://127.0.0.1:{port}/api/v1/status"], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    if bad:
        raise RuntimeError(f"wrk got {bad.group(1)} non-2xx answers from port {port}:\n{out}")
    return rps


def percentile(values, q):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, int(round(q * len(ordered) + 0.5)) - 1))
    return ordered[index]


def run(ctx):
    directory = ctx.tempdir("http")
    api_port, bare_port = free_port(), free_port()
    daemon_rps, bare_rps, loads = Series(), Series(), []
    rows = []
    with Children() as children:
        _, token = start_demo(ctx, children, directory, api_port)
        children.start([ctx.bench("bare_beast_server"), str(bare_port)])
        wait_for_port(bare_port)
        seconds = max(3, int(round(ctx.seconds * 2)))
        for rep in range(ctx.reps):
            loads.append(load_average())
            pair = [("daemon", api_port), ("bare", bare_port)]
            if rep % 2:
                pair.reverse()
            for who, port in pair:
                (daemon_rps if who == "daemon" else bare_rps).add(wrk(port, token, seconds))
            log(f"  http rep {rep + 1}/{ctx.reps}: daemon {daemon_rps.values[-1]:,.0f}/s, "
                f"bare Beast {bare_rps.values[-1]:,.0f}/s (load {loads[-1]:.2f})")
        rows.append(Row("5. GET /api/v1/status, wrk -t2 -c64, bearer token (requests/s)", "atmo daemon (atmo demo)",
                        daemon_rps, "bare Beast server, one thread", bare_rps, "requests/s", target=">= 0.5x",
                        load=loads, note=f"{seconds} s per run; the daemon runs the demo venue meanwhile"))
        ws_load = [load_average()]
        fan = run_json([ctx.bench("ws_fanout_bench"), str(api_port), token, "lounge", "evening", "day", "50",
                        str(max(10, ctx.reps * 4))])
        ws_load.append(load_average())
        delays = [d for r in fan for d in r["delays_ms"]]
        medians = Series([statistics.median(r["delays_ms"]) for r in fan])
        p99s = Series([percentile(r["delays_ms"], 0.99) for r in fan])
        rows.append(Row("5. WebSocket fan-out to 50 clients: zone scene POST to each client's `zone` message, median (ms)",
                        "atmo daemon", medians, "", None, "ms", higher_is_better=False, load=ws_load,
                        note=f"over all {len(delays)} deliveries: median {statistics.median(delays):.2f} ms, "
                             f"p99 {percentile(delays, 0.99):.2f} ms, max {max(delays):.2f} ms"))
        rows.append(Row("5. WebSocket fan-out to 50 clients, p99 per change (ms)", "atmo daemon", p99s, "", None, "ms",
                        higher_is_better=False, load=ws_load))
        log(f"  ws fan-out: median {statistics.median(delays):.2f} ms, p99 {percentile(delays, 0.99):.2f} ms")
    return rows
