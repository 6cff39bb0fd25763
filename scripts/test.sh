#!/usr/bin/env bash
# Runs every test: unit tests, then the black-box API tests on SQLite and again on PostgreSQL
# (the same test binaries; the second pass only changes JIFEN_TEST_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${JIFEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

echo "== unit and API tests on SQLite"
env -u JIFEN_TEST_DATABASE_URL cargo test --workspace --exclude jifen-app

if [ "${JIFEN_SKIP_POSTGRES:-0}" = 1 ]; then
  echo "== PostgreSQL pass skipped (JIFEN_SKIP_POSTGRES=1)"
  exit 0
fi
echo "== API tests on PostgreSQL ($pg_url)"
JIFEN_TEST_DATABASE_URL="$pg_url" cargo test -p jifen-tests --test api
