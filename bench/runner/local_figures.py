"""Figures 3 and 4: telemetry ingest and compliance, and the offline audio mixer. Both run inside
one bench program each, which alternates atmo and its baseline every repetition."""

from .common import Row, Series, load_average, log, run_json


def telemetry(ctx):
    loads = [load_average()]
    ingest = run_json([ctx.bench("telemetry_bench"), "ingest", str(ctx.ingest_readings), "200", str(ctx.reps),
                       ctx.tempdir("telemetry")])
    loads.append(load_average())
    rows = []
    for sync, label in (("NORMAL", "WAL, synchronous=NORMAL (atmo's default)"), ("FULL", "WAL, synchronous=FULL")):
        store, bare = Series(), Series()
        for r in ingest:
            if r["synchronous"] == sync:
                store.add(r["store_readings_per_s"])
                bare.add(r["bare_readings_per_s"])
        rows.append(Row(f"3. Telemetry ingest into SQLite, {label} (readings/s)", "atmo TelemetryStore", store,
                        "bare batched prepared INSERT, same schema and index", bare, "readings/s",
                        target=">= 0.5x" if sync == "NORMAL" else "", load=loads,
                        note=f"{ingest[0]['readings']:,} readings over 200 points, until committed"))
        log(f"  ingest {sync}: store {store.median:,.0f}/s, bare {bare.median:,.0f}/s")
    loads = [load_average()]
    day = run_json([ctx.bench("telemetry_bench"), "compliance", str(ctx.reps)])
    engine, bare = Series([r["engine_seconds"] * 1000 for r in day]), Series([r["bare_seconds"] * 1000 for r in day])
    rows.append(Row("3. One day's compliance, 50 points at 1 Hz (4.32 M readings) (ms)", "atmo ComplianceEngine", engine,
                    "bare loop counting seconds in range", bare, "ms", higher_is_better=False, load=loads,
                    note=f"{day[0]['percent_in_standard']:.1f} % in standard (engine) vs "
                         f"{day[0]['bare_percent_in_range']:.1f} % of readings in range (bare)"))
    log(f"  compliance day: engine {engine.median:.0f} ms, bare {bare.median:.1f} ms")
    return rows


def audio(ctx):
    loads = [load_average()]
    results = run_json([ctx.bench("audio_mix_bench"), str(ctx.audio_seconds), str(ctx.reps)])
    loads.append(load_average())
    by = {}
    for r in results:
        by.setdefault(r["variant"], Series()).add(r["x_realtime"])
    figure = "4. Offline mix, 4 stereo 48 kHz layers per zone (x realtime)"
    note = f"{ctx.audio_seconds:.0f} s of audio per run"
    rows = [
        Row(figure, "atmo decode + mix + write WAV", by["atmo decode + mix + write WAV"], "sox -m, same files and format",
            by["sox -m 4 files"], "x realtime", target=">= 5x", load=loads, note=note),
        Row(figure, "atmo mixer, 4 file layers", by["atmo mixer, 4 file layers"], "plain C++ 4-layer mix",
            by["plain C++ 4-layer mix"], "x realtime", target=">= 1,250x realtime", load=loads),
        Row(figure, "atmo mixer, 4 procedural layers", by["atmo mixer, 4 procedural layers"], "plain C++ 4-layer mix",
            by["plain C++ 4-layer mix"], "x realtime", target=">= 1,250x realtime", load=loads),
        Row(figure, "atmo mixer, 4 file layers", by["atmo mixer, 4 file layers"], "sox -m, same files and format",
            by["sox -m 4 files"], "x realtime", load=loads),
    ]
    log("  audio: " + ", ".join(f"{k} {v.median:,.0f}x" for k, v in by.items()))
    return rows
