"""The venue time process tests start atmo at (--clock); the twin of tests/test_clock.hpp.

Pinned, so no outcome depends on the hour, weekday or date the suite runs; the `clock` ctest job
sets ATMO_TEST_CLOCK to run the schedule-sensitive tests at other pinned starts.
"""
import os

DEFAULT_TEST_CLOCK = "2027-03-24T10:00:00"  # a Wednesday, "day" part of the weekday program


def test_clock():
    return os.environ.get("ATMO_TEST_CLOCK") or DEFAULT_TEST_CLOCK
