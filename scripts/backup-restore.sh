#!/usr/bin/env bash
# Tests the README's backup and restore once, end to end, on PostgreSQL: seeds a new database with
# the demo data (`jifen seed-demo`), dumps it with `pg_dump -Fc`, restores the dump into another
# new database with `pg_restore`, runs `jifen audit verify` against the restored copy (with the
# audit key the seed was sealed with) and compares the row count of every table, and the sum of
# the ledger's points, between the two. Both databases are dropped afterwards, whatever happens.
#
# JIFEN_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names a role that may
# create databases; JIFEN_BACKUP_BIN names a jifen binary built already (otherwise the debug
# build is made). Takes a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

admin_url="${JIFEN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
base="${admin_url%/*}"
password=backup-demo-pw

if [ -n "${JIFEN_BACKUP_BIN:-}" ]; then
  jifen="$JIFEN_BACKUP_BIN"
else
  cargo build -q -p jifen-server
  target="${CARGO_TARGET_DIR:-target}"
  case "$target" in /*) ;; *) target="$(pwd)/$target" ;; esac
  jifen="$target/debug/jifen"
fi

suffix="$(date +%s)_$$"
source_db="jifen_backup_src_$suffix"
restored_db="jifen_backup_restored_$suffix"
work=$(mktemp -d)
cleanup() {
  for db in "$source_db" "$restored_db"; do
    psql "$admin_url" -q -X -v ON_ERROR_STOP=1 -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

ms() { date +%s%3N; }

echo "== backup and restore on PostgreSQL ($base)"
psql "$admin_url" -q -X -v ON_ERROR_STOP=1 -c "CREATE DATABASE $source_db" >/dev/null
export JIFEN_AUDIT_KEY_FILE="$work/jifen-audit.key"
export JIFEN_SECRET_FILE="$work/jifen.secret"
export JIFEN_LOG_FORMAT=text
JIFEN_DATABASE_URL="$base/$source_db" "$jifen" seed-demo --password "$password" >"$work/seed.log"

started=$(ms)
pg_dump -Fc --no-owner -d "$base/$source_db" -f "$work/jifen.dump"
dumped=$(ms)
psql "$admin_url" -q -X -v ON_ERROR_STOP=1 -c "CREATE DATABASE $restored_db" >/dev/null
pg_restore --no-owner --exit-on-error --single-transaction -d "$base/$restored_db" "$work/jifen.dump"
restored=$(ms)
echo "pg_dump -Fc: $(stat -c %s "$work/jifen.dump") bytes in $((dumped - started)) ms; pg_restore: $((restored - dumped)) ms"

echo "== jifen audit verify on the restored copy"
JIFEN_DATABASE_URL="$base/$restored_db" "$jifen" audit verify

echo "== row counts, source and restored"
tables=$(psql "$base/$source_db" -X -At -c \
  "SELECT table_name FROM information_schema.tables
   WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
count_query=""
for t in $tables; do
  count_query+="SELECT '$t', count(*) FROM \"$t\" UNION ALL "
done
count_query+="SELECT 'ledger points (sum)', coalesce(sum(points), 0) FROM ledger_entry"
psql "$base/$source_db" -X -At -F ' ' -c "$count_query" >"$work/source.counts"
psql "$base/$restored_db" -X -At -F ' ' -c "$count_query" >"$work/restored.counts"
if ! diff -u "$work/source.counts" "$work/restored.counts"; then
  echo "FAIL: the restored copy differs from the source (above)" >&2
  exit 1
fi
for t in org_unit member role_assignment point_rule deed ledger_entry audit_event audit_seal quarter_review feedback meeting; do
  grep -E "^$t " "$work/source.counts" | awk '{ printf "  %-16s %s rows\n", $1, $2 }' || true
done
grep -E "^ledger points" "$work/source.counts" | sed 's/^/  /'
echo "backup and restore: $(wc -l <"$work/source.counts") figures equal in source and restored copy ($(echo "$tables" | wc -w) tables), audit history verified"
