#!/usr/bin/python3
"""Under systemd (JOURNAL_STREAM set) atmo's log lines carry no timestamp of their own and open
with a syslog priority prefix journald understands (<3> error, <4> warning, <6> info, <7> debug);
without JOURNAL_STREAM they keep the timestamped form for a terminal.
usage: journal_format_test.py ATMO
"""
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from free_port import free_port  # noqa: E402
from test_clock import test_clock  # noqa: E402  (tests/test_clock.py: no outcome depends on the hour)

ATMO = sys.argv[1]
STAMP = re.compile(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
PRIORITY = re.compile(r"^<[0-7]>")


def run(work, journal):
    env = dict(os.environ)
    env.pop("JOURNAL_STREAM", None)
    if journal:
        env["JOURNAL_STREAM"] = "8:12345"
    daemon = subprocess.Popen([ATMO, "demo", "--no-audio", "--port", str(free_port()), "--state-dir",
                               os.path.join(work, "journal" if journal else "terminal"),
                               "--clock", test_clock(), "--history-days", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    time.sleep(4)
    daemon.send_signal(signal.SIGTERM)
    out, _ = daemon.communicate(timeout=30)
    if daemon.returncode != 0:
        sys.exit(f"FAIL: atmo demo exited with {daemon.returncode}:\n{out}")
    # The banner for a person at a terminal ("  atmo demo is running: open ...") is not a log line.
    return [line for line in out.splitlines() if line.strip() and not line.startswith("  ")]


with tempfile.TemporaryDirectory() as work:
    journal = run(work, True)
    if len(journal) < 3:
        sys.exit(f"FAIL: only {len(journal)} log lines under JOURNAL_STREAM: {journal}")
    bad = [line for line in journal if not PRIORITY.match(line) or STAMP.search(line)]
    if bad:
        sys.exit("FAIL: lines without a priority prefix or with our own timestamp under JOURNAL_STREAM:\n" + "\n".join(bad))
    if not any(line.startswith("<6>") for line in journal):
        sys.exit("FAIL: no info line (<6>) under JOURNAL_STREAM:\n" + "\n".join(journal))
    terminal = run(work, False)
    if not any(STAMP.search(line) for line in terminal):
        sys.exit("FAIL: without JOURNAL_STREAM the log lost its timestamps:\n" + "\n".join(terminal))
    print(f"ok: {len(journal)} journal lines, e.g. {journal[0]!r}")
