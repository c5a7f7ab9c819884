#!/usr/bin/env bash
# A real PortAudio stream for several seconds into jackd's dummy driver: callbacks counted
# (about seconds*rate/frames), no underflows, no ring underruns, and the captured level and pitch
# of a -20 dBFS 440 Hz tone file layer checked with sox.
# Phase 1 (3 s after the engine is ready): only jackd and the engine; counters must be clean.
# Phase 2: jack_rec joins and records. A client joining the graph makes JACK report an xrun to
# every client (measured: 1-2 paOutputUnderflow flags exactly when jack_rec connects, none without
# it), so underflows are judged in phase 1 only.
# usage: audio_jack_stream_test.sh PROBE
set -euo pipefail
PROBE=${1:?probe}
source "$(dirname "$0")/audio_jack_common.sh"
export JACK_DEFAULT_SERVER=atmo-stream-$$
start_jackd "$JACK_DEFAULT_SERVER"

# 2 s of 440 Hz = 880 whole cycles: a seamless loop, so the level is the same in any window.
sox -n -r 48000 -c 1 -b 16 "$WORK/tone.wav" synth 2 sine 440 vol 0.5
"$PROBE" --tone-file "$WORK/tone.wav" --level-db -20 --seconds 7 --frames 1024 --wait-playing-s 10 >"$WORK/probe.out" 2>"$WORK/probe.log" &
PROBE_PID=$!
wait_for_line '^ready' "$WORK/probe.out" 15 || { wait $PROBE_PID || true; fail "engine never played"; }
sleep 3.2  # phase 1; also drains the 200 ms of audio mixed before 'ready', so the capture is all tone
PORTS=$(jack_lsp | grep -E ':out_' | grep -v '^system:' | tr '\n' ' ')
[ -n "$PORTS" ] || fail "no PortAudio ports on the JACK graph"
timeout 15 jack_rec -f "$WORK/cap.wav" -d 2.5 -b 16 $PORTS >"$WORK/jack_rec.log" 2>&1 || fail "jack_rec failed"
wait $PROBE_PID || fail "probe exited with $?"
cat "$WORK/probe.out"

[ "$(value final_state "$WORK/probe.out")" = Playing ] || fail "not Playing at the end"
# Phase 1 window: the last tick at or before 2.5 s after ready, well before this script touches
# the JACK graph at 3.2 s.
read -r T1 CALLBACKS UNDERFLOWS RING < <(awk '/^tick/ { split($2,a,"="); if (a[2] <= 2.55) {
  split($3,b,"="); split($4,c,"="); split($5,d,"="); line = a[2] " " b[2] " " c[2] " " d[2] } } END { print line }' "$WORK/probe.out")
EXPECTED=$(awk -v t="$T1" 'BEGIN { printf "%.1f", t * 48000 / 1024 }')
[ "$CALLBACKS" -gt 0 ] || fail "no callbacks"
# The dummy driver runs on the system clock: within 10 % of seconds*rate/frames.
awk -v c="$CALLBACKS" -v e="$EXPECTED" 'BEGIN { exit !(c > 0.9 * e && c < 1.1 * e) }' ||
  fail "callbacks $CALLBACKS in $T1 s, expected about $EXPECTED"
[ "$UNDERFLOWS" = 0 ] || fail "$UNDERFLOWS output underflows in phase 1"
[ "$RING" = 0 ] || fail "$RING ring underruns in phase 1"
[ "$(value ring_underruns_during "$WORK/probe.out")" = 0 ] || fail "ring underruns during the whole run"

STATS=$(sox "$WORK/cap.wav" -n stats 2>&1)
echo "$STATS"
RMS=$(echo "$STATS" | awk '/^RMS lev dB/ { print $4 }')
# 16-bit capture of a steady tone: the level the engine was told (-20 dBFS RMS) within 0.5 dB.
awk -v r="$RMS" 'BEGIN { exit !(r > -20.5 && r < -19.5) }' || fail "captured RMS $RMS dBFS, commanded -20"
FREQ=$(sox "$WORK/cap.wav" -n remix 1 stat 2>&1 | awk '/Rough +frequency/ { print $3 }')
awk -v f="$FREQ" 'BEGIN { exit !(f > 430 && f < 450) }' || fail "captured pitch $FREQ Hz, expected 440"
echo "PASS: callbacks=$CALLBACKS in ${T1} s (expected ~$EXPECTED), underflows=0, ring underruns=0, rms=${RMS} dBFS freq=${FREQ} Hz"
