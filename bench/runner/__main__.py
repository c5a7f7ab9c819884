"""Runs the benchmark figures and prints the results table (bench/run builds first, then calls this).

usage: python3 -m runner --build-dir DIR [--reps N] [--seconds S] [--only modbus,scene,...] [--quick]
"""

import argparse
import datetime
import os
import shutil
import sys
import tempfile
import traceback

from . import footprint, http_figures, local_figures, modbus_figures, report, rtu_figures, scene_figures
from .common import load_average, log

FIGURES = {
    "modbus": modbus_figures.run,
    "rtu": rtu_figures.run,
    "scene": scene_figures.run,
    "telemetry": local_figures.telemetry,
    "audio": local_figures.audio,
    "http": http_figures.run,
    "footprint": footprint.run,
}


class Context:
    def __init__(self, args):
        self.build_dir = os.path.abspath(args.build_dir)
        self.bench_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.source_dir = os.path.dirname(self.bench_dir)
        self.atmo = os.path.join(self.build_dir, "controller", "atmo")
        self.reps = args.reps
        self.seconds = args.seconds
        self.audio_seconds = 60.0 if not args.quick else 20.0
        self.ingest_readings = 2_000_000 if not args.quick else 500_000
        self.footprint_settle = 5.0 if not args.quick else 3.0
        self.footprint_window = 20.0 if not args.quick else 6.0
        self.rtu_seconds = 10.0 if not args.quick else 4.0  # ~220 reads at 9600 baud (quick: ~90)
        self._temp = tempfile.mkdtemp(prefix="atmo-bench-")

    def bench(self, name):
        return os.path.join(self.build_dir, "bench", name)

    def tempdir(self, name):
        path = os.path.join(self._temp, name)
        os.makedirs(path, exist_ok=True)
        return path

    def cleanup(self):
        shutil.rmtree(self._temp, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(prog="bench/run")
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--reps", type=int, default=5, help="repetitions per figure (default 5)")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per throughput run (default 2)")
    parser.add_argument("--only", default="", help="comma-separated figures: " + ",".join(FIGURES))
    parser.add_argument("--quick", action="store_true", help="fewer and shorter runs (a smoke test of the bench)")
    parser.add_argument("--output", default="", help="Markdown file for the table (default bench/results/latest.md)")
    parser.add_argument("--command", default="bench/run", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.reps = min(args.reps, 2)
        args.seconds = min(args.seconds, 1.0)
    ctx = Context(args)
    chosen = [f for f in args.only.split(",") if f] or list(FIGURES)
    unknown = [f for f in chosen if f not in FIGURES]
    if unknown:
        parser.error(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")

    started, load_start = datetime.datetime.now(), load_average()
    rows, failed = [], []
    try:
        for name in chosen:
            log(f"== {name} (load {load_average():.2f})")
            try:
                rows += FIGURES[name](ctx)
            except Exception:  # one broken figure must not hide the others' results
                failed.append(name)
                log(traceback.format_exc())
    finally:
        ctx.cleanup()
    finished, load_end = datetime.datetime.now(), load_average()
    text = report.markdown(rows, args.command, started, finished, load_start, load_end, args.reps)
    if failed:
        text += f"\n**Failed figures:** {', '.join(failed)} (see the log above the table).\n"
    print(text)
    output = args.output or os.path.join(ctx.bench_dir, "results", "latest.md")
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w") as f:
        f.write(text)
    log(f"written to {output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
