#!/usr/bin/env bash
# Builds the web app and the server, then starts Jifen on an embedded SQLite file (./jifen.db)
# with the demo data, at http://127.0.0.1:8080.
# Demo accounts (member1, committee1, secretary1, admin1, ...) use the password in
# JIFEN_DEMO_PASSWORD (default: jifen-demo). Set JIFEN_NO_DEMO=1 for an empty database.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build-app.sh
cargo build --release -p jifen-server
jifen=target/release/jifen
if [ -x "${CARGO_TARGET_DIR:-}/release/jifen" ]; then jifen="$CARGO_TARGET_DIR/release/jifen"; fi
if [ "${JIFEN_NO_DEMO:-0}" != 1 ]; then
  "$jifen" seed-demo --password "${JIFEN_DEMO_PASSWORD:-jifen-demo}"
fi
exec "$jifen" serve "$@"
