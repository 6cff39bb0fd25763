#!/usr/bin/env bash
# Runs every test: unit tests, the black-box API tests and the browser tests (headless Chromium
# through chromedriver, against the built web app) on SQLite, then the API tests again on
# PostgreSQL (the same test binary; the second pass only changes JIFEN_TEST_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${JIFEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
# Issue 15: photos in object storage. The photo-store tests need s3s-fs (.ci/run installs it):
# here they fail without it instead of skipping.
export JIFEN_REQUIRE_S3="${JIFEN_REQUIRE_S3:-1}"

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
# Issue 15: operations. The README's backup and restore, once: pg_dump -Fc, pg_restore into a new
# database, jifen audit verify and row counts on the copy (a few seconds; drops its databases).
JIFEN_TEST_DATABASE_URL="$pg_url" scripts/backup-restore.sh
# Issue 15: the fault story. Two `jifen serve` processes under load on a PostgreSQL of its own
# (initdb into a temporary directory, never the shared one): one is killed with SIGKILL, then
# PostgreSQL stops at once and restarts; nothing acknowledged is lost or repeated. #[ignore]d in
# the passes above because it restarts a database; about a minute.
echo "== fault story (its own PostgreSQL)"
cargo test -p jifen-server --test fault_story -- --ignored --nocapture
