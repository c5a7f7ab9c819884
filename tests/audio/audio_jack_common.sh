# Sourced by the audio integration scripts. A private, silent ALSA config (PortAudio 19.6 aborts on
# an empty one) makes PortAudio's default output the JACK host API; JACK_NO_START_SERVER stops
# libjack from spawning a server of its own; every test uses its own JACK server name.
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export ALSA_CONFIG_PATH="$HERE/alsa-no-devices.conf"
export JACK_NO_START_SERVER=1
WORK=$(mktemp -d /tmp/atmo-audio-test.XXXXXX)
JACKD_PID=""
cleanup() {
  if [ -n "$JACKD_PID" ]; then kill "$JACKD_PID" 2>/dev/null || true; wait "$JACKD_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; for f in "$WORK"/*.out "$WORK"/*.log; do [ -f "$f" ] && { echo "--- $f"; cat "$f"; }; done; exit 1; }

# start_jackd NAME: the dummy backend gives a real-time clock with no sound card. -R asks for
# real-time scheduling (jackd runs on without it where it is not permitted): on a busy 2-core box
# a normal-priority jackd misses its 21 ms cycles and reports xruns that are not the engine's.
start_jackd() {
  timeout 60 jackd -n "$1" -R -d dummy -r 48000 -p "${JACK_PERIOD:-1024}" -C 2 -P 2 >"$WORK/jackd.log" 2>&1 &
  JACKD_PID=$!
  for _ in $(seq 1 200); do JACK_DEFAULT_SERVER="$1" jack_lsp >/dev/null 2>&1 && return 0; sleep 0.05; done
  fail "jackd did not start"
}

# value KEY FILE: the last KEY=value line of a probe output.
value() { grep -E "^$1=" "$2" | tail -1 | cut -d= -f2-; }

wait_for_line() {  # PATTERN FILE SECONDS
  for _ in $(seq 1 $(( $3 * 20 ))); do grep -qE "$1" "$2" 2>/dev/null && return 0; sleep 0.05; done
  return 1
}
