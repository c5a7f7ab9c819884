"""Shared pieces of the benchmark runner: child processes pinned to a CPU, free ports, the machine's
load, and the statistics every figure reports (median and min-max over repetitions)."""

import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

# Modbus client and server share this CPU: on a 2-vCPU machine a loopback round trip costs about
# 5x more when they land on different CPUs, and the scheduler picks at random.
PIN_CPU = "1"


def log(message):
    print(message, file=sys.stderr, flush=True)


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_ports(n):
    """n distinct free ports (held open together so none is handed out twice)."""
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def pinned(argv, cpu=PIN_CPU):
    return ["taskset", "-c", cpu] + list(argv)


def wait_for_port(port, timeout=15.0, proc=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process {proc.args} exited with {proc.returncode} before port {port} opened")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"port {port} did not open within {timeout} s")


class Children:
    """Every process a figure starts; all of them are stopped when the figure ends, also on errors."""

    def __init__(self):
        self.procs = []

    def start(self, argv, log_path=None, **kwargs):
        out = open(log_path, "wb") if log_path else subprocess.DEVNULL
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT if log_path else subprocess.DEVNULL,
                                start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self, proc, timeout=10.0):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for proc in reversed(self.procs):
            self.stop(proc)
        return False


def run_json(argv, timeout=600, env=None):
    """Runs a bench program and returns the JSON objects it printed, one per line."""
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    out = []
    for line in done.stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


@dataclass
class Series:
    """Repeated measurements of one quantity (or, computed=True, one value worked out, not measured)."""
    values: list = field(default_factory=list)
    computed: bool = False

    def add(self, v):
        self.values.append(float(v))

    @property
    def median(self):
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def lo(self):
        return min(self.values) if self.values else float("nan")

    @property
    def hi(self):
        return max(self.values) if self.values else float("nan")


@dataclass
class Row:
    """One line of the results table: a figure of atmo's next to its baseline, and their ratio
    atmo / baseline (so a target reads ">= 0.8" for throughput, "<= 1.5" for a latency)."""
    figure: str
    ours_label: str
    ours: Series
    base_label: str = ""
    base: Series = None
    unit: str = ""
    higher_is_better: bool = True
    target: str = ""
    load: list = field(default_factory=list)
    note: str = ""

    def ratio(self):
        if not self.base or not self.base.values or not self.ours.values or not self.base.median:
            return None
        return self.ours.median / self.base.median

    def ratio_range(self):
        """Ratios of the repetitions (atmo and baseline were measured in alternation, pairwise)."""
        if self.base and self.base.computed and self.base.median and len(self.ours.values) >= 2:
            ratios = [o / self.base.median for o in self.ours.values]
            return min(ratios), max(ratios)
        if not self.base or len(self.base.values) != len(self.ours.values) or len(self.ours.values) < 2:
            return None
        ratios = [o / b for o, b in zip(self.ours.values, self.base.values) if b]
        return (min(ratios), max(ratios)) if ratios else None
