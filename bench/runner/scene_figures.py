"""Figure 2: venue scene apply latency over 12 zones and 120 devices on 12 buses, from the API call
to the last device holding its new value, next to a raw libmodbus loop issuing the same writes."""

import json
import os
import subprocess

from .common import Children, Row, Series, free_ports, load_average, log, pinned
from .daemon import start_serve

ZONES = 12
# Ten devices per zone, all from the standard profiles; the lights, diffuser and HVAC are outputs.
DEVICES = [("light1", "dali-gateway"), ("light2", "dali-gateway"), ("light3", "dali-gateway"),
           ("scent", "scent-diffuser"), ("climate", "hvac-room"), ("air", "xy-md02"), ("lux", "lux-32"),
           ("noise", "noise-dba"), ("co2", "co2-ndir"), ("warmer", "towel-warmer")]

# fade_ms 1: the shortest fade a scene can ask for (0 means the 3 s default).
SCENES = """      - {{id: a, name: {{en: A}}, fade_ms: 1, light: {{level: 30, cct: 2700}}, scent: {{enabled: true, intensity: 30, work_s: 20, pause_s: 100}}, climate: {{setpoint: 22, floor_setpoint: 25}}}}
      - {{id: b, name: {{en: B}}, fade_ms: 1, light: {{level: 70, cct: 4000}}, scent: {{enabled: true, intensity: 60, work_s: 30, pause_s: 120}}, climate: {{setpoint: 24, floor_setpoint: 27}}}}"""


def write_venue(ctx, directory, bus_ports):
    lines = [
        "id: bench-scene", "name: {en: Scene bench}", "time_zone: UTC",
        f"profile_dirs: [{os.path.join(ctx.source_dir, 'config', 'profiles')}]", "buses:"]
    for z in range(ZONES):
        lines.append(f"  - {{id: bus{z + 1:02}, tcp: {{host: 127.0.0.1, port: {bus_ports[z]}}}}}")
    lines.append("devices:")
    for z in range(ZONES):
        for unit, (device, profile) in enumerate(DEVICES, start=1):
            disabled = ", disabled_points: [red, green, blue, white]" if profile == "dali-gateway" else ""
            lines.append(f"  - {{zone: z{z + 1:02}, id: {device}, profile: {profile}, bus: bus{z + 1:02}, "
                         f"unit: {unit}{disabled}}}")
    lines.append("zones:")
    for z in range(ZONES):
        lines += [f"  - id: z{z + 1:02}", f"    name: {{en: Zone {z + 1}}}", "    scenes:", SCENES.format()]
    lines += ["venue_scenes:",
              "  - {id: a, name: {en: A}, same_name_in_every_zone: true}",
              "  - {id: b, name: {en: B}, same_name_in_every_zone: true}",
              "programs:", "  - {id: always, name: {en: Always}, steps: [{at: \"00:00\", venue_scene: a}]}",
              "week:", "  - {days: [mon, tue, wed, thu, fri, sat, sun], program: always}"]
    path = os.path.join(directory, "scene-venue.yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def run(ctx):
    directory = ctx.tempdir("scene")
    ports = free_ports(ZONES + 1)
    bus_ports, api_port = ports[:ZONES], ports[ZONES]
    venue = write_venue(ctx, directory, bus_ports)
    reps = max(ctx.reps * 2, 6)
    daemon_ms, raw_ms, reply_ms, first_ms, loads = Series(), Series(), Series(), Series(), []
    writes = None
    with Children() as children:
        # Client and servers on one CPU as for every Modbus figure; the watcher thread moves itself
        # to the other CPU.
        bench = subprocess.Popen(pinned([ctx.bench("scene_apply_bench"), venue, str(api_port), str(reps)]),
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        children.procs.append(bench)
        ready = json.loads(bench.stdout.readline() or "{}")
        if not ready.get("ready"):
            raise RuntimeError("scene_apply_bench did not start its simulators")
        _, token = start_serve(ctx, children, venue, directory, api_port, "daemon.log", pin="1")
        bench.stdin.write(token + "\n")
        bench.stdin.flush()
        for line in bench.stdout:
            result = json.loads(line)
            if result["client"].startswith("atmo"):
                daemon_ms.add(result["last_ack_ms"])
                reply_ms.add(result["reply_ms"])
                first_ms.add(result["first_ack_ms"])
                loads.append(load_average())
            else:
                raw_ms.add(result["last_ack_ms"])
                writes = (result["outputs"], result["requests"])
        if bench.wait() != 0:
            raise RuntimeError(f"scene_apply_bench failed ({bench.returncode}); see {directory}")
    log(f"  scene apply: atmo {daemon_ms.median:.1f} ms, raw {raw_ms.median:.1f} ms (load {loads[-1]:.2f})")
    note = (f"{writes[0]} changed outputs in {writes[1]} coalesced write requests; scenes with fade_ms 1 "
            f"(the shortest a scene can ask for); atmo: the API answered after {reply_ms.median:.1f} ms and the first "
            f"device held its new value after {first_ms.median:.1f} ms (medians)") if writes else ""
    return [Row("2. Venue scene apply, 12 zones / 120 devices / 12 buses: API call to last device holding its value (ms)",
                "atmo daemon", daemon_ms, "raw libmodbus write loop", raw_ms, "ms", higher_is_better=False,
                target="<= 1.5x", load=loads, note=note)]
