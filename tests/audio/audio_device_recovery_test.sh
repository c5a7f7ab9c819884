#!/usr/bin/env bash
# The device appears after the engine started: the engine goes from NoDevice to Playing within a
# few retry intervals (PortAudio re-initialised on its timer) and the stream then runs.
# usage: audio_device_recovery_test.sh PROBE
set -euo pipefail
PROBE=${1:?probe}
source "$(dirname "$0")/audio_jack_common.sh"
export JACK_DEFAULT_SERVER=atmo-recovery-$$
"$PROBE" --retry-ms 300 --wait-playing-s 15 --seconds 2 >"$WORK/probe.out" 2>"$WORK/probe.log" &
PROBE_PID=$!
wait_for_line 'state=NoDevice reason=no audio device: (no default|no output|PortAudio)' "$WORK/probe.out" 10 || { kill $PROBE_PID 2>/dev/null; fail "engine never reported NoDevice"; }
sleep 0.5
start_jackd "$JACK_DEFAULT_SERVER"
T_JACK=$(date +%s.%N)
wait $PROBE_PID || fail "probe exited with $?"
cat "$WORK/probe.out"
grep -q '^ready' "$WORK/probe.out" || fail "engine did not recover"
[ "$(value final_state "$WORK/probe.out")" = Playing ] || fail "not Playing after recovery"
[ "$(value callbacks_during "$WORK/probe.out")" -gt 0 ] || fail "no callbacks after recovery"
echo "PASS: recovered; $(grep '^ready' "$WORK/probe.out")"
