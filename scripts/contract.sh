#!/usr/bin/env bash
# Holds the API to its own OpenAPI document: starts the server on a fresh SQLite file with the
# demo data and lets schemathesis fuzz every operation of /api/openapi.json, once signed in as a
# member (member3) and once as a committee member (committee1). Any 5xx, any status the document
# does not list for the operation, any content type or body or header that differs from it, or a
# secured operation that answers without a token fails the script. About a minute per role.
#
# schemathesis (pinned) is installed once into a virtualenv under ~/.cache/jifen-tools.
# JIFEN_CONTRACT_EXAMPLES (default 30) is the number of cases per operation and phase,
# JIFEN_CONTRACT_SEED (default 1) the random seed, so a failure can be replayed;
# JIFEN_CONTRACT_BIN names a jifen binary built already (no build then); JIFEN_CONTRACT_CHECKS
# replaces the list of schemathesis checks (to explore with others).
set -euo pipefail
cd "$(dirname "$0")/.."

schemathesis_version=4.32.5
examples="${JIFEN_CONTRACT_EXAMPLES:-30}"
seed="${JIFEN_CONTRACT_SEED:-1}"
checks="${JIFEN_CONTRACT_CHECKS:-not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,ignored_auth}"
password=contract-demo-pw
venv="$HOME/.cache/jifen-tools/schemathesis-$schemathesis_version"

echo "== schemathesis $schemathesis_version"
if [ ! -x "$venv/bin/schemathesis" ]; then
  if ! python3 -m venv --help >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  fi
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$schemathesis_version"
fi

if [ -n "${JIFEN_CONTRACT_BIN:-}" ]; then
  jifen="$JIFEN_CONTRACT_BIN"
else
  echo "== building the server"
  cargo build -q -p jifen-server
  target="${CARGO_TARGET_DIR:-target}"
  case "$target" in /*) ;; *) target="$(pwd)/$target" ;; esac
  jifen="$target/debug/jifen"
fi

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# Each client may call the limited routes far more often than in production, so that the fuzzer
# reaches the handlers; the document lists the 429 answers all the same.
cat > "$work/jifen.toml" <<EOF
bind = "127.0.0.1:$port"
database_url = "sqlite://$work/jifen.db?mode=rwc"
secret_file = "$work/jifen.secret"
audit_key_file = "$work/jifen-audit.key"
photo_dir = "$work/photos"
app_dir = "$work/app"
access_token_ttl_secs = 3600
workers = 2

[limits]
login = { per_minute = 6000, burst = 1000 }
refresh = { per_minute = 6000, burst = 1000 }
wechat = { per_minute = 6000, burst = 1000 }
feedback = { per_minute = 6000, burst = 1000 }
upload = { per_minute = 6000, burst = 1000 }
account_failures = 1000
password_hashes_per_second = 1000
EOF
mkdir -p "$work/app"
export JIFEN_CONFIG="$work/jifen.toml"

echo "== demo data and server at $base"
"$jifen" seed-demo --password "$password" > "$work/seed.log"
"$jifen" serve > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.1
done

token_of() {
  curl -fsS "$base/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

# A schemathesis configuration that sends, half of the time, ids the signed-in member can reach
# (their branch, deeds, rules, notifications, a member), so that the cases get past "not found"
# into the handlers; the other half stay generated.
config_for() {
  BASE="$base" TOKEN="$1" python3 - <<'PY'
import json, os, urllib.request

base, token = os.environ["BASE"], os.environ["TOKEN"]

def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req) as res:
        return json.load(res)

me = get("/api/v1/me")
branch = me["home_branch_id"]
deeds = get("/api/v1/deeds?scope=mine&limit=20")["items"]
if any(r["role"] != "member" for r in me["roles"]):
    deeds += get("/api/v1/deeds?scope=review&limit=20")["items"]
ids = {
    "branch": [branch],
    "code": [me["home_branch_code"]],
    "member": sorted({me["id"]} | {d["member_id"] for d in deeds}),
    "deed": [d["id"] for d in deeds] or [me["id"]],
    "rule": [r["id"] for r in get(f"/api/v1/branches/{branch}/rules")] or [branch],
    "notification": [n["id"] for n in get("/api/v1/me/notifications")["items"]] or [me["id"]],
}
print("[dictionaries]")
for name, values in ids.items():
    print(f"{name} = {{ values = {json.dumps(values)} }}")
print('year = { values = [2025, 2026] }')
print('quarter = { values = [1, 2, 3, 4] }')
for regex, name in [
    ("^/api/v1/branches/", "branch"),
    ("^/api/v1/public/branches/", "code"),
    ("^/api/v1/members/", "member"),
    ("^/api/v1/deeds/", "deed"),
    ("^/api/v1/rules/", "rule"),
    ("^/api/v1/me/notifications/", "notification"),
]:
    key = "path.code" if name == "code" else "path.id"
    print()
    print("[[operations]]")
    print(f"include-path-regex = {json.dumps(regex)}")
    bindings = [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}']
    if name == "branch":
        bindings += [f'"path.{p}" = {{ dictionary = "{p}", probability = 0.5 }}' for p in ("year", "quarter")]
    print("parameters = { " + ", ".join(bindings) + " }")
PY
}

cd "$work" # schemathesis keeps its example database in the working directory
failed=()
for who in member3 committee1; do
  echo "== schemathesis as $who"
  token=$(token_of "$who")
  config_for "$token" > "$work/schemathesis-$who.toml"
  if ! timeout 240 "$venv/bin/schemathesis" --config-file "$work/schemathesis-$who.toml" \
    run "$base/api/openapi.json" \
    --phases examples,coverage,fuzzing \
    --checks "$checks" \
    --header "Authorization: Bearer $token" \
    --max-examples "$examples" --seed "$seed" --workers 1 \
    --request-timeout 10 --no-color --output-truncate true; then
    failed+=("$who")
  fi
done

if [ "${#failed[@]}" != 0 ]; then
  echo "== the API broke its contract as: ${failed[*]} (server log: last lines)" >&2
  tail -n 30 "$work/server.log" >&2
  exit 1
fi
echo "== the API keeps its contract for member3 and committee1"
