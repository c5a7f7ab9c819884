"""The results table: printed, and written as Markdown to bench/results/latest.md."""

import datetime
import os
import platform


def number(v):
    if v is None or v != v:
        return "–"
    a = abs(v)
    if a >= 1000:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def spread(series):
    if series is None or not series.values:
        return ""
    if series.computed:
        return f"{number(series.median)} (computed)"
    if len(series.values) == 1:
        return f"{number(series.median)} (1 run)"
    return f"{number(series.median)} ({number(series.lo)}–{number(series.hi)})"


def ratio_text(row):
    r = row.ratio()
    if r is None:
        return "–"
    text = f"{r:.2f}"
    rr = row.ratio_range()
    if rr:
        text += f" ({rr[0]:.2f}–{rr[1]:.2f})"
    return text


def loads_text(row):
    if not row.load:
        return ""
    lo, hi = min(row.load), max(row.load)
    return f"{lo:.2f}" if abs(hi - lo) < 0.005 else f"{lo:.2f}–{hi:.2f}"


def table(rows):
    out = ["| figure | atmo: median (min–max) | baseline: median (min–max) | ratio atmo / baseline | target | load avg |",
           "|---|---|---|---|---|---|"]
    for row in rows:
        ours = f"{row.ours_label}: {spread(row.ours)} {row.unit}"
        base = f"{row.base_label}: {spread(row.base)} {row.unit}" if row.base_label else "–"
        out.append(f"| {row.figure} | {ours} | {base} | {ratio_text(row)} | {row.target} | {loads_text(row)} |")
    return "\n".join(out)


def notes(rows):
    lines = []
    for row in rows:
        if row.note:
            lines.append(f"* {row.figure} — {row.base_label or row.ours_label}: {row.note}")
    return "\n".join(lines)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def markdown(rows, command, started, finished, load_start, load_end, reps):
    head = [
        "# atmo benchmark results",
        "",
        f"* date: {started:%Y-%m-%d %H:%M} – {finished:%H:%M} (local time of the machine)",
        f"* command: `{command}`",
        f"* machine: {os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} {platform.release()}",
        f"* load average (1 min) at start {load_start:.2f}, at end {load_end:.2f}; each row shows the load "
        "during its runs. Other work on the machine slows atmo and its baseline alike only when they run "
        "in alternation, which every figure does.",
        f"* repetitions: {reps} per figure unless the row says otherwise; median and (min–max).",
        "* ratio = atmo's median / the baseline's median; in brackets the range of the per-repetition ratios "
        "(atmo and baseline measured back to back). Higher is better for rates, lower for times, CPU and requests.",
        "",
        "",
    ]
    return "\n".join(head) + table(rows) + "\n\n## Notes\n\n" + notes(rows) + "\n"
