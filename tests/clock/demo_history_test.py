#!/usr/bin/python3
"""The demo's first start lives its past with the real engines (controller/demo_history.hpp):
`atmo demo --clock 2027-03-24T10:00:00 --history-days 1` first lives 2027-03-23 10:00 .. 2027-03-24
10:00 on a fast clock, then runs on its pinned clock from 10:00 on, in the same database:
  * the lived day's scheduled changes are stored once each, at their venue times, in order;
  * readings cover every venue hour of the lived day, none stamped after the pinned start's seam;
  * 2027-03-23's daily compliance index was closed at midnight;
  * the database keeps the daemon's kind of clock (simulated) and a second start lives nothing again;
  * a simulated clock is refused on a state directory made on the wall clock, and nothing is written:
    the database's bytes are unchanged and no -wal/-shm file is left behind.
usage: demo_history_test.py ATMO
"""
import datetime as dt
import hashlib
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from free_port import free_port  # noqa: E402  (tests/free_port.py)

ATMO = sys.argv[1]
RIGA = zoneinfo.ZoneInfo("Europe/Riga")
START = dt.datetime(2027, 3, 24, 10, 0, tzinfo=RIGA)
LIVED_FROM = START - dt.timedelta(days=1)
# The weekday program of config/venues/demo.yaml, as it falls in the lived day (a Tuesday evening
# and a Wednesday morning).
EXPECTED = [(dt.datetime(2027, 3, 23, 18, 0), "evening"), (dt.datetime(2027, 3, 23, 21, 30), "closed"),
            (dt.datetime(2027, 3, 24, 7, 30), "cleaning"), (dt.datetime(2027, 3, 24, 8, 30), "opening"),
            (dt.datetime(2027, 3, 24, 9, 0), "day")]


def ms(t):
    return int(t.replace(tzinfo=RIGA).timestamp() * 1000)


def fail(message, log=None):
    print("FAIL:", message)
    if log and os.path.exists(log):
        with open(log, errors="replace") as f:
            print(f.read()[-3000:])
    sys.exit(1)


def run_demo(state, log, extra, until_running=True):
    """Starts `atmo demo`, waits for it to serve (or to exit), stops it; returns (exit code, output)."""
    args = [ATMO, "demo", "--no-audio", "--port", str(free_port()), "--state-dir", state] + extra
    with open(log, "w") as out:
        demo = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and demo.poll() is None:
            with open(log, errors="replace") as f:
                if "is running" in f.read():
                    break
            time.sleep(0.2)
        if demo.poll() is None:
            if not until_running:
                demo.kill()
                fail("atmo demo kept running where it had to refuse", log)
            demo.send_signal(signal.SIGTERM)
        code = demo.wait(30)
    with open(log, errors="replace") as f:
        return code, f.read()


def lived_history(work):
    state, log = os.path.join(work, "state"), os.path.join(work, "first.log")
    began = time.monotonic()
    code, output = run_demo(state, log, ["--clock", "2027-03-24T10:00:00", "--history-days", "1"])
    if code != 0 or "demo history: 1 days lived" not in output:
        fail(f"the first start did not live its day (exit {code})", log)
    print(f"first start with 1 day of history: {time.monotonic() - began:.0f} s")
    db = sqlite3.connect(os.path.join(state, "atmo-demo.db"))
    applied = [(t, s) for t, s, m in db.execute(
        "SELECT time_ms, subject, message FROM events WHERE kind = 'schedule.applied' ORDER BY id") if "catch-up" not in m]
    expected = [(ms(t), scene) for t, scene in EXPECTED]
    if applied != expected:
        fail(f"scheduled changes of the lived day {applied}, the program says {expected}", log)
    lo, seam = ms(LIVED_FROM.replace(tzinfo=None)), ms(START.replace(tzinfo=None))
    hours = {h for (h,) in db.execute("SELECT DISTINCT (time_ms - ?) / 3600000 FROM readings WHERE time_ms >= ? AND "
                                      "time_ms < ?", (lo, lo, seam))}
    if hours != set(range(24)):
        fail(f"the lived day's readings cover venue hours {sorted(hours)}", log)
    oldest = db.execute("SELECT min(time_ms) FROM readings").fetchone()[0]
    if not lo <= oldest < lo + 10 * 60_000:
        fail(f"the oldest reading ({oldest}) is not from the lived day's start ({lo})", log)
    # Readings of the lived day stop before the seam; the daemon's own start at 10:00 follows.
    lived_ids = db.execute("SELECT min(id) FROM events WHERE kind = 'controller.stopped'").fetchone()[0]
    late = db.execute("SELECT count(*) FROM events WHERE id <= ? AND time_ms > ?", (lived_ids, seam)).fetchone()[0]
    if late:
        fail(f"{late} event(s) of the lived day stamped after the pinned start", log)
    last = db.execute("SELECT max(time_ms) FROM events WHERE id <= ?", (lived_ids,)).fetchone()[0]
    if seam - last > 10 * 60_000:
        fail(f"the lived day ends {(seam - last) / 60_000:.0f} venue minutes before the pinned start", log)
    closed = db.execute("SELECT count(DISTINCT zone) FROM daily_index WHERE date = '2027-03-23'").fetchone()[0]
    if closed < 8:
        fail(f"the lived day's daily index closed for {closed} zones, the demo has 8", log)
    marked = db.execute("SELECT value FROM state WHERE key = 'clock'").fetchone()
    if not marked or bytes(marked[0]).decode() != "simulated":
        fail(f"the database is not marked with the daemon's kind of clock (simulated): {marked}", log)
    readings = db.execute("SELECT count(*) FROM readings WHERE time_ms < ?", (lo,)).fetchone()[0]
    db.close()

    again_log = os.path.join(work, "second.log")
    code, output = run_demo(state, again_log, ["--clock", "2027-03-24T10:00:00", "--history-days", "1"])
    if code != 0 or "first start of the demo" in output:
        fail(f"a second start lived its history again (exit {code})", again_log)
    db = sqlite3.connect(os.path.join(state, "atmo-demo.db"))
    if db.execute("SELECT count(*) FROM readings WHERE time_ms < ?", (lo,)).fetchone()[0] != readings:
        fail("a second start wrote readings before the lived day", again_log)
    print(f"PASS: {len(expected)} scheduled changes of the lived day at their times, readings in all 24 hours, "
          f"the index of 2027-03-23 closed for {closed} zones; a second start lives nothing again")


def simulated_refused_on_wall_clock_state(work):
    state, log = os.path.join(work, "real"), os.path.join(work, "real.log")
    code, _ = run_demo(state, log, ["--history-days", "0"])  # the wall clock: what it stores does not matter
    if code != 0:
        fail(f"a wall-clock demo exited with {code}", log)
    db_file = os.path.join(state, "atmo-demo.db")
    before = sorted(os.listdir(state))
    with open(db_file, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    refused_log = os.path.join(work, "refused.log")
    code, output = run_demo(state, refused_log, ["--clock", "2027-03-24T10:00:00", "--history-days", "1"],
                            until_running=False)
    if code == 0 or "wall clock" not in output:
        fail(f"a simulated clock on a wall-clock state directory: exit {code}, no clear refusal", refused_log)
    with open(db_file, "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != digest:
            fail("the refused run changed the database", refused_log)
    if sorted(os.listdir(state)) != before:
        fail(f"the refused run left files: {sorted(set(os.listdir(state)) - set(before))}", refused_log)
    print("PASS: a simulated clock is refused on a wall-clock state directory, nothing written:",
          [line for line in output.splitlines() if "wall clock" in line][0].strip())


work = tempfile.mkdtemp(prefix="atmo-demo-history.")
try:
    simulated_refused_on_wall_clock_state(work)
    lived_history(work)
finally:
    if not os.environ.get("ATMO_KEEP_TEST_DIRS"):
        shutil.rmtree(work, ignore_errors=True)
