#!/usr/bin/env bash
# Builds the web app and the server, then starts Jifen on an embedded SQLite file (./jifen.db)
# with the demo data, at http://127.0.0.1:8080.
# Demo accounts (member1, committee1, secretary1, admin1, ...) use the password in
# JIFEN_DEMO_PASSWORD (default: jifen-demo). Set JIFEN_NO_DEMO=1 for an empty database.
#
# Made for a quick first start: the server is built with Cargo.toml's `start` profile (unoptimised
# apart from password hashing, so it compiles in a fraction of --release's time; the benchmarks use
# --release), the app's tools are installed once while the app compiles, the app is bundled while
# the server compiles, and a second start rebuilds nothing that has not changed.
set -euo pipefail
cd "$(dirname "$0")/.."

began=$SECONDS
duration() { if [ "$1" -ge 60 ]; then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi; }
took() { duration $((SECONDS - $1)); }

logs=$(mktemp -d)
jobs_running=()
cleanup() {
  local pid
  for pid in "${jobs_running[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  rm -rf "$logs"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs "$@" beside the next step, in its own process group (so that cleanup stops all of it),
# its output into $logs/NAME.log and its duration in seconds into $logs/NAME.secs.
in_background() {
  local name=$1
  shift
  set -m
  (
    s=$SECONDS
    "$@"
    echo $((SECONDS - s)) > "$logs/$name.secs"
  ) < /dev/null > "$logs/$name.log" 2>&1 &
  set +m
  jobs_running+=($!)
}
# Waits for the step NAME started by in_background, shows its output, fails if it failed.
finish() {
  local name=$1 pid=${jobs_running[0]}
  local status=0
  wait "$pid" || status=$?
  jobs_running=("${jobs_running[@]:1}")
  grep -v '^ *Compiling ' "$logs/$name.log" | sed 's/^/  /' || true
  if [ "$status" != 0 ]; then
    echo "== $name failed" >&2
    exit "$status"
  fi
}
background_took() { duration "$(cat "$logs/$1.secs")"; }

echo "== building the web app (wasm32); its tools (wasm-bindgen, wasm-split, wasm-opt) are checked alongside"
in_background tools scripts/build-app.sh tools
step=$SECONDS
scripts/build-app.sh wasm
echo "== app compiled in $(took "$step")"
finish tools
echo "== tools ready in $(background_took tools)"

echo "== building the server (profile start); the app is bundled into app/dist alongside"
in_background bundle scripts/build-app.sh bundle
step=$SECONDS
cargo build --profile start -p jifen-server
echo "== server built in $(took "$step")"
finish bundle
echo "== app bundled in $(background_took bundle)"

jifen="${CARGO_TARGET_DIR:-target}/start/jifen"
if [ "${JIFEN_NO_DEMO:-0}" != 1 ]; then
  step=$SECONDS
  "$jifen" seed-demo --password "${JIFEN_DEMO_PASSWORD:-jifen-demo}"
  echo "== demo data in $(took "$step")"
fi
echo "== built in $(took "$began"); starting the server"
cleanup
trap - EXIT INT TERM
exec "$jifen" serve "$@"
