#!/usr/bin/env bash
# `atmo audio test-tone` through the real audio path: `atmo demo` with audio, first with no audio
# device (the CLI says so, exit 4), then on a private jackd dummy server with the demo amplifier's
# 8 channels. The lounge's channel is recorded and measured with sox: a 1 kHz tone at the
# commanded level while it lasts, no tone on another zone's channel, and no tone afterwards.
# usage: test_tone_jack_test.sh ATMO
set -euo pipefail
ATMO=${1:?atmo}
source "$(dirname "$0")/../audio/audio_jack_common.sh"
export JACK_DEFAULT_SERVER=atmo-cli-tone-$$
DEMO_PID=""
stop_demo() {
  if [ -n "$DEMO_PID" ]; then kill "$DEMO_PID" 2>/dev/null || true; wait "$DEMO_PID" 2>/dev/null || true; DEMO_PID=""; fi
}
trap 'stop_demo; cleanup' EXIT

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
unset ATMO_TOKEN NO_COLOR
export XDG_CONFIG_HOME="$WORK/config" ATMO_DAEMON="http://127.0.0.1:$PORT"

# Its log (spdlog) and its banner both go to demo.log.
timeout 60 "$ATMO" demo --port "$PORT" --state-dir "$WORK/state" --history-days 0 >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!
wait_for_line 'is running' "$WORK/demo.log" 30 || fail "atmo demo did not start"
echo 5555 | "$ATMO" login --user technician >"$WORK/login.out" 2>&1 || fail "login failed"

# An audio engine but no device yet: refused with PortAudio's reason.
set +e
"$ATMO" audio test-tone lounge --seconds 2 >"$WORK/nodevice.out" 2>"$WORK/nodevice.log"
CODE=$?
set -e
[ "$CODE" = 4 ] || fail "test tone without a device: exit $CODE, expected 4"
grep -q 'no audio device' "$WORK/nodevice.log" || fail "no 'no audio device' in the message"

# The demo amplifier has 8 channels, one per zone; the lounge is channel 3 (out_3).
timeout 60 jackd -n "$JACK_DEFAULT_SERVER" -R -d dummy -r 48000 -p 1024 -C 2 -P 8 >"$WORK/jackd.log" 2>&1 &
JACKD_PID=$!
for _ in $(seq 1 200); do jack_lsp >/dev/null 2>&1 && break; sleep 0.05; done
# The engine retries PortAudio every 5 s.
wait_for_line 'audio: playing on' "$WORK/demo.log" 15 || fail "the daemon never opened the JACK output"
PORTS=$(jack_lsp | grep -E ':out_' | grep -v '^system:' | sort -t_ -k2 -n | tr '\n' ' ')
read -r -a PORT_LIST <<<"$PORTS"
[ "${#PORT_LIST[@]}" = 8 ] || fail "expected 8 PortAudio ports, found: $PORTS"

"$ATMO" audio test-tone lounge --seconds 3 --level-db -30 >"$WORK/tone.out" 2>"$WORK/tone.log" || fail "test tone refused"
cat "$WORK/tone.out"
grep -q '^lounge: 1000 Hz test tone at -30 dBFS for 3 s on ' "$WORK/tone.out" || fail "unexpected answer"
sleep 0.6  # past the 10 ms ramp and the 200 ms the engine mixes ahead
timeout 15 jack_rec -f "$WORK/tone.wav" -d 1.5 -b 16 "${PORT_LIST[3]}" "${PORT_LIST[0]}" >"$WORK/rec1.log" 2>&1 ||
  fail "jack_rec failed"
sleep 2  # the tone ends 3 s after it started
timeout 15 jack_rec -f "$WORK/after.wav" -d 1.0 -b 16 "${PORT_LIST[3]}" >"$WORK/rec2.log" 2>&1 || fail "jack_rec failed"

rms() { sox "$1" -n remix "$2" ${3:-} stats 2>&1 | awk '/^RMS lev dB/ { print $4 }'; }
LOUNGE=$(rms "$WORK/tone.wav" 1)
LOUNGE_1K=$(rms "$WORK/tone.wav" 1 "sinc -t 50 900-1100")
ENTRANCE_1K=$(rms "$WORK/tone.wav" 2 "sinc -t 50 900-1100")
FREQ=$(sox "$WORK/tone.wav" -n remix 1 stat 2>&1 | awk '/Rough +frequency/ { print $3 }')
AFTER=$(rms "$WORK/after.wav" 1)
AFTER_1K=$(rms "$WORK/after.wav" 1 "sinc -t 50 900-1100")
echo "lounge rms=$LOUNGE dB (1 kHz band $LOUNGE_1K dB, rough frequency $FREQ Hz); entrance 1 kHz band $ENTRANCE_1K dB;" \
     "after the tone: lounge rms=$AFTER dB (1 kHz band $AFTER_1K dB)"
# A steady sine, 16-bit capture: the commanded -30 dBFS RMS within 0.5 dB, all of it at 1 kHz.
awk -v r="$LOUNGE" 'BEGIN { exit !(r > -30.5 && r < -29.5) }' || fail "lounge RMS $LOUNGE dBFS, commanded -30"
awk -v r="$LOUNGE" -v b="$LOUNGE_1K" 'BEGIN { exit !(b > r - 0.5) }' || fail "the lounge's sound is not a 1 kHz tone"
awk -v f="$FREQ" 'BEGIN { exit !(f > 980 && f < 1020) }' || fail "lounge pitch $FREQ Hz, expected 1000"
# Only the lounge: the entrance's channel carries at most its quiet soundscape, not the tone.
awk -v b="$ENTRANCE_1K" -v l="$LOUNGE_1K" 'BEGIN { exit !(b == "-inf" || b < l - 12) }' ||
  fail "the tone leaks into the entrance ($ENTRANCE_1K dB)"
# Afterwards the soundscape (or silence, when the venue is closed) is back: no 1 kHz tone.
awk -v r="$AFTER" -v b="$AFTER_1K" 'BEGIN { exit !(r == "-inf" || r < -60 || b < r - 6) }' ||
  fail "the tone did not end (rms $AFTER dB, 1 kHz band $AFTER_1K dB)"

stop_demo
echo "PASS: test tone at $LOUNGE dBFS, $FREQ Hz on the lounge's channel only, gone after 3 s"
