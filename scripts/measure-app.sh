#!/usr/bin/env bash
# Measures the web app's budget: first-load transfer of html + css + js + wasm as the server sends
# them gzip-compressed, and Lighthouse mobile scores (performance, accessibility) for the login
# page, the public board and, signed in, the report page. Needs chromium and node (lighthouse is installed from npm
# into $JIFEN_TOOLS on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
tools="${JIFEN_TOOLS:-$HOME/.cache/jifen-tools}"
target_dir="${CARGO_TARGET_DIR:-target}"
port="${JIFEN_MEASURE_PORT:-18181}"
chrome="${CHROME_PATH:-/usr/bin/chromium}"
flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking"

lighthouse="$tools/npm/node_modules/.bin/lighthouse"
[ -x "$lighthouse" ] || npm install --silent --no-audit --no-fund --prefix "$tools/npm" lighthouse@12 >/dev/null

scripts/build-app.sh >/dev/null
cargo build --release -p jifen-server
jifen="$target_dir/release/jifen"

work=$(mktemp -d)
cleanup() { kill "${server:-}" "${browser:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export JIFEN_DATABASE_URL="sqlite://$work/measure.db?mode=rwc" JIFEN_SECRET_FILE="$work/secret" RUST_LOG=warn
"$jifen" seed-demo --password measure-pass >/dev/null
"$jifen" serve --bind "127.0.0.1:$port" & server=$!
base="http://127.0.0.1:$port"
for _ in $(seq 1 50); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.2; done

echo "== first-load transfer (gzip, as served)"
total=0
for path in / $(grep -o '/assets/[^"]*' app/dist/index.html | sort -u); do
  bytes=$(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$base$path")
  printf '%8d  %s\n' "$bytes" "$path"
  total=$((total + bytes))
done
printf '%8d  total (%d KB; budget 250 KB)\n' "$total" $((total / 1024))

echo "== fetched later, the first time a screen needs it (gzip, as served)"
bundle=$(grep -o '/assets/[0-9a-f]*/jifen.js' app/dist/index.html | head -n1 | xargs dirname)
for f in "app/dist$bundle/"*.wasm; do
  name=$(basename "$f")
  [ "$name" = jifen_bg.wasm ] && continue
  bytes=$(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$base$bundle/$name")
  printf '%8d  %s\n' "$bytes" "$name"
done

score() { node -e 'const r=require(process.argv[1]); const c=r.categories;
  const a=r.audits; console.log(`performance ${Math.round(c.performance.score*100)}  accessibility ${Math.round(c.accessibility.score*100)}  FCP ${a["first-contentful-paint"].displayValue}  LCP ${a["largest-contentful-paint"].displayValue}  TBT ${a["total-blocking-time"].displayValue}  CLS ${a["cumulative-layout-shift"].displayValue}`)' "$1"; }

echo "== Lighthouse (mobile, simulated slow 4G and 4x CPU slowdown)"
CHROME_PATH="$chrome" "$lighthouse" "$base/login" --quiet --only-categories=performance,accessibility \
  --form-factor=mobile --output=json --output-path="$work/login.json" --chrome-flags="$flags"
printf 'login   '; score "$work/login.json"

# The public board is the server's own page, not the app: one request.
board_bytes=$(curl -s -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$base/board/demo-1")
CHROME_PATH="$chrome" "$lighthouse" "$base/board/demo-1" --quiet --only-categories=performance,accessibility \
  --form-factor=mobile --output=json --output-path="$work/board.json" --chrome-flags="$flags"
printf 'board   '; score "$work/board.json"; printf '        %d bytes on first load (one request, gzip)\n' "$board_bytes"

# The report page needs a session: put tokens into a browser profile, then let Lighthouse drive
# that browser without resetting its storage.
tokens=$(curl -s "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"member3","password":"measure-pass"}')
access=$(echo "$tokens" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).access_token))')
refresh=$(echo "$tokens" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).refresh_token))')
mkdir -p "$work/profile"
"$chrome" $flags --user-data-dir="$work/profile" --remote-debugging-port=9339 about:blank >/dev/null 2>&1 & browser=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:9339/json/version >/dev/null && break; sleep 0.2; done
node --experimental-websocket -e '
const [base, access, refresh] = process.argv.slice(1);
(async () => {
  const targets = await (await fetch("http://127.0.0.1:9339/json/list")).json();
  const ws = new WebSocket(targets.find(t => t.type === "page").webSocketDebuggerUrl);
  let id = 0; const send = (method, params) => new Promise(ok => {
    const me = ++id; ws.addEventListener("message", e => { const m = JSON.parse(e.data); if (m.id === me) ok(m); });
    ws.send(JSON.stringify({ id: me, method, params })); });
  await new Promise(ok => ws.addEventListener("open", ok));
  await send("Page.navigate", { url: base + "/login" });
  await new Promise(ok => setTimeout(ok, 1000));
  await send("Runtime.evaluate", { expression: `localStorage.setItem("jifen.access", ${JSON.stringify(access)}); localStorage.setItem("jifen.refresh", ${JSON.stringify(refresh)})` });
  ws.close();
})();' "$base" "$access" "$refresh"
"$lighthouse" "$base/report" --quiet --port=9339 --disable-storage-reset --only-categories=performance,accessibility \
  --form-factor=mobile --output=json --output-path="$work/report.json"
printf 'report  '; score "$work/report.json"
