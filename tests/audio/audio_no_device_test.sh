#!/usr/bin/env bash
# No usable device (silent ALSA config, no JACK server): the engine reports "no audio device",
# keeps retrying, never crashes, and stops within a second.
# usage: audio_no_device_test.sh PROBE
set -euo pipefail
PROBE=${1:?probe}
source "$(dirname "$0")/audio_jack_common.sh"
export JACK_DEFAULT_SERVER=atmo-nodevice-$$   # nobody runs this server
"$PROBE" --retry-ms 300 --wait-playing-s 2.5 >"$WORK/probe.out" 2>"$WORK/probe.log" || fail "probe crashed or failed ($?)"
cat "$WORK/probe.out"
[ "$(value final_state "$WORK/probe.out")" = NoDevice ] || fail "expected NoDevice"
value final_reason "$WORK/probe.out" | grep -q '^no audio device: ' || fail "reason does not say 'no audio device'"
[ "$(value final_device_attempts "$WORK/probe.out")" -ge 3 ] || fail "engine did not retry"
awk -v t="$(value stop_ms "$WORK/probe.out")" 'BEGIN { exit !(t < 1000) }' || fail "stop() took too long"
[ "$(value stopped_state "$WORK/probe.out")" = Stopped ] || fail "not Stopped after stop()"
echo "PASS: $(value final_reason "$WORK/probe.out")"
