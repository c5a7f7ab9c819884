"""Figure 6: the daemon's resident memory and CPU, sampled from /proc over a window: idle (a venue
with one zone and no devices) and running the demo venue (polling `atmo sim` in another process,
so the simulator's own footprint is not counted), and `atmo demo` (daemon and simulator in one)."""

import os
import time

from .common import Children, Row, Series, free_port, free_ports, load_average, log, wait_for_port
from .daemon import copy_demo_venue, start_demo, start_serve

IDLE_VENUE = """id: bench-idle
name: {en: Idle}
time_zone: UTC
zones:
  - id: lobby
    name: {en: Lobby}
    scenes:
      - {id: day, name: {en: Day}}
"""

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rss_mb(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / (1024 * 1024)


def sample(pid, settle, window):
    """RSS samples (MB) and the CPU % averaged over the window."""
    time.sleep(settle)
    rss = Series()
    ticks0, t0 = cpu_ticks(pid), time.monotonic()
    end = t0 + window
    while time.monotonic() < end:
        rss.add(rss_mb(pid))
        time.sleep(0.5)
    cpu = (cpu_ticks(pid) - ticks0) / CLOCK_TICKS / (time.monotonic() - t0) * 100
    return rss, cpu


def run(ctx):
    rows = []
    settle, window = ctx.footprint_settle, ctx.footprint_window
    states = []
    # Idle daemon.
    directory = ctx.tempdir("footprint-idle")
    venue = os.path.join(directory, "idle.yaml")
    with open(venue, "w") as f:
        f.write(IDLE_VENUE)
    with Children() as children:
        proc, _ = start_serve(ctx, children, venue, directory, free_port(), "daemon.log")
        load = load_average()
        states.append(("atmo serve, idle (one zone, no devices)", *sample(proc.pid, settle, window), load))
    # The demo venue against a separate simulator.
    directory = ctx.tempdir("footprint-demo")
    offset = free_ports(1)[0] - 15020
    offset = max(offset, 1000)
    api_port = free_port()
    venue = copy_demo_venue(ctx, directory, offset, api_port)
    with Children() as children:
        sim = children.start([ctx.atmo, "sim", "--venue", venue, "--control", "off"],
                             log_path=os.path.join(directory, "sim.log"))
        wait_for_port(15020 + offset, proc=sim)
        proc, _ = start_serve(ctx, children, venue, directory, api_port, "daemon.log")
        load = load_average()
        states.append(("atmo serve, demo venue (48 devices polled, sim in another process)",
                       *sample(proc.pid, settle, window), load))
    # atmo demo: daemon and simulator in one process.
    directory = ctx.tempdir("footprint-atmo-demo")
    with Children() as children:
        proc, _ = start_demo(ctx, children, directory, free_port())
        load = load_average()
        states.append(("atmo demo --no-audio (daemon + simulator in one process)",
                       *sample(proc.pid, settle, window), load))
    for label, rss, cpu, load in states:
        log(f"  footprint {label}: RSS {rss.median:.1f} MB (max {rss.hi:.1f}), CPU {cpu:.2f} %")
        rows.append(Row("6. Daemon resident memory, RSS sampled every 0.5 s (MB)", label, rss, "", None, "MB",
                        higher_is_better=False, target="< 40 MB" if "idle" in label else "", load=[load],
                        note=f"sampled over {window:.0f} s after {settle:.0f} s settling"))
        rows.append(Row("6. Daemon CPU over the window (% of one core)", label, Series([cpu]), "", None, "%",
                        higher_is_better=False, load=[load]))
    return rows
