#!/usr/bin/python3
"""The venue clock is the only clock: `atmo demo` started at a pinned venue time with --rate 600
lives a whole local day (from 23:58 the evening before to 00:02 the morning after) in under three
minutes of real time, and what it stored carries venue times that match the program exactly:
  * every scheduled change of the day is applied once, stamped at its time (the instant the
    program's local time has in Europe/Riga that day, DST included), and in order;
  * each zone's scene change of a scheduled step carries the step's time;
  * readings cover every venue hour of the day (a day of 23 or 25 hours on the DST nights);
  * the day's compliance index was closed at local midnight and stored under its date.
usage: day_at_rate_test.py ATMO DATE   (DATE: YYYY-MM-DD, the venue day to live)
"""
import datetime as dt
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

ATMO, DAY = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
RATE = 600
RIGA = zoneinfo.ZoneInfo("Europe/Riga")
# The demo venue's programs (config/venues/demo.yaml): none of their steps falls in a DST gap.
PROGRAMS = {
    "weekday": [("07:30", "cleaning"), ("08:30", "opening"), ("09:00", "day"), ("18:00", "evening"), ("21:30", "closed")],
    "weekend": [("08:30", "cleaning"), ("09:30", "opening"), ("10:00", "day"), ("19:00", "evening"), ("22:00", "closed")],
}


def local_ms(day, hhmm):
    h, m = map(int, hhmm.split(":"))
    return int(dt.datetime(day.year, day.month, day.day, h, m, tzinfo=RIGA).timestamp() * 1000)


def fail(message, work):
    print("FAIL:", message)
    log = os.path.join(work, "demo.log")
    if os.path.exists(log):
        with open(log, errors="replace") as f:
            print(f.read()[-3000:])
    sys.exit(1)


def main(work):
    start = dt.datetime.combine(DAY - dt.timedelta(days=1), dt.time(23, 58), tzinfo=RIGA)
    end_ms = local_ms(DAY + dt.timedelta(days=1), "00:02")
    start_ms = int(start.timestamp() * 1000)
    state = os.path.join(work, "state")
    began = time.monotonic()
    with open(os.path.join(work, "demo.log"), "w") as log:
        demo = subprocess.Popen([ATMO, "demo", "--no-audio", "--port", str(free_port()), "--state-dir", state,
                                 "--clock", start.strftime("%Y-%m-%dT%H:%M:%S"), "--rate", str(RATE), "--history-days", "0"],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            time.sleep((end_ms - start_ms) / 1000 / RATE + 1)
        finally:
            demo.send_signal(signal.SIGTERM)
            code = demo.wait(30)
    real_s = time.monotonic() - began
    if code != 0:
        fail(f"atmo demo exited with {code}", work)
    print(f"{DAY} ({(local_ms(DAY + dt.timedelta(days=1), '00:00') - local_ms(DAY, '00:00')) / 3.6e6:.0f} h) "
          f"lived in {real_s:.0f} s of real time")
    if real_s >= 180:
        fail(f"a day at rate {RATE} took {real_s:.0f} s", work)

    db = sqlite3.connect(os.path.join(state, "atmo-demo.db"))
    program = "weekend" if DAY.isoweekday() >= 6 else "weekday"
    expected = [(local_ms(DAY, at), scene) for at, scene in PROGRAMS[program]]
    applied = [(t, s) for t, s, m in db.execute(
        "SELECT time_ms, subject, message FROM events WHERE kind = 'schedule.applied' ORDER BY id")
        if "catch-up" not in m]
    if applied != expected:
        fail(f"scheduled changes (venue ms, scene) {applied}, the {program} program says {expected}", work)
    for at, scene in expected:
        zones = db.execute("SELECT count(*) FROM events WHERE kind = 'scene.applied' AND who = 'schedule' AND time_ms = ?",
                           (at,)).fetchone()[0]
        if zones == 0:
            fail(f"no zone scene change stamped at {scene}'s time {at}", work)
    strays = db.execute("SELECT count(*) FROM events WHERE kind = 'scene.applied' AND who = 'schedule' AND message NOT "
                        "LIKE '%%catch-up at start-up%%' AND time_ms NOT IN (%s)" % ",".join(str(t) for t, _ in expected)
                        ).fetchone()[0]
    if strays:
        fail(f"{strays} scheduled zone scene change(s) at times the program does not name", work)
    day_start, day_end = local_ms(DAY, "00:00"), local_ms(DAY + dt.timedelta(days=1), "00:00")
    hours = {h for (h,) in db.execute("SELECT DISTINCT (time_ms - ?) / 3600000 FROM readings WHERE time_ms >= ? AND "
                                      "time_ms < ?", (day_start, day_start, day_end))}
    if hours != set(range((day_end - day_start) // 3600000)):
        fail(f"readings cover venue hours {sorted(hours)} of the day", work)
    newest = db.execute("SELECT max(time_ms) FROM readings").fetchone()[0]
    # The run stops a real second or so after 00:02 (start-up, the stop): at rate 600 some venue minutes.
    if not (day_end < newest <= end_ms + 20 * 60_000):
        fail(f"the newest reading ({newest}) is not from just after the day ({day_end}..{end_ms})", work)
    closed = db.execute("SELECT count(*) FROM daily_index WHERE date = ?", (DAY.isoformat(),)).fetchone()[0]
    if closed == 0:
        fail(f"no daily compliance index for {DAY}", work)
    marked = db.execute("SELECT value FROM state WHERE key = 'clock'").fetchone()
    if not marked or bytes(marked[0]).decode() != "simulated":
        fail(f"the database is not marked as made on a simulated clock: {marked}", work)
    print(f"PASS: {len(expected)} scheduled changes at their venue times, readings in all {len(hours)} hours, "
          f"{closed} daily index rows for {DAY}")


work = tempfile.mkdtemp(prefix="atmo-day-at-rate.")
try:
    main(work)
finally:
    if not os.environ.get("ATMO_KEEP_TEST_DIRS"):
        shutil.rmtree(work, ignore_errors=True)
