#!/usr/bin/env bash
# Runs every test: unit tests, the black-box API tests and the browser tests (headless Chromium
# through chromedriver, against the built web app) on SQLite, then the API tests again on
# PostgreSQL (the same test binary; the second pass only changes JIFEN_TEST_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${JIFEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

if [ "${JIFEN_SKIP_BROWSER:-0}" = 1 ]; then
  echo "== browser tests skipped (JIFEN_SKIP_BROWSER=1)"
  echo "== unit and API tests on SQLite"
  env -u JIFEN_TEST_DATABASE_URL cargo test --workspace --exclude jifen-app --lib --bins --test api
else
  echo "== building the web app for the browser tests"
  scripts/build-app.sh
  echo "== unit, API and browser tests on SQLite"
  env -u JIFEN_TEST_DATABASE_URL cargo test --workspace --exclude jifen-app
fi

scripts/contract.sh # the running server against its own OpenAPI document (schemathesis)

if [ "${JIFEN_SKIP_POSTGRES:-0}" = 1 ]; then
  echo "== PostgreSQL pass skipped (JIFEN_SKIP_POSTGRES=1)"
  exit 0
fi
echo "== API tests on PostgreSQL ($pg_url)"
JIFEN_TEST_DATABASE_URL="$pg_url" cargo test -p jifen-tests --test api
