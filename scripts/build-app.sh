#!/usr/bin/env bash
# Builds the web app into app/dist, reproducibly and offline after the first run:
#   wasm32 release build → wasm-bindgen (the CLI pinned to Cargo.lock's wasm-bindgen) →
#   wasm-opt -Oz (npm binaryen@132) → content-hashed file names → index.html.
# Tools are installed once into $JIFEN_TOOLS (default ~/.cache/jifen-tools).
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${JIFEN_TOOLS:-$HOME/.cache/jifen-tools}"
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p "$tools"

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
bindgen="$tools/bin/wasm-bindgen"
if [ ! -x "$bindgen" ] || [ "$("$bindgen" --version | awk '{print $2}')" != "$bindgen_version" ]; then
  echo "== installing wasm-bindgen-cli $bindgen_version"
  cargo install --root "$tools" wasm-bindgen-cli --version "=$bindgen_version" --locked --force \
    || cargo install --root "$tools" wasm-bindgen-cli --version "=$bindgen_version" --force
fi

wasm_opt="$tools/npm/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ]; then
  echo "== installing binaryen (wasm-opt) from npm"
  npm install --silent --no-audit --no-fund --prefix "$tools/npm" binaryen@132.0.0 >/dev/null
fi

echo "== building jifen-app for wasm32"
# erase_components: Leptos erases component types, which makes the module markedly smaller.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components"
cargo build -p jifen-app --target wasm32-unknown-unknown --profile wasm-release

out=app/dist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bindgen" --target web --no-typescript --out-dir "$work" --out-name jifen \
  "$target_dir/wasm32-unknown-unknown/wasm-release/jifen-app.wasm"
"$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$work/jifen_bg.wasm" -o "$work/jifen_bg.opt.wasm"

hash() { sha256sum "$1" | cut -c1-12; }
rm -rf "$out"
mkdir -p "$out/assets"
wasm_name="jifen-$(hash "$work/jifen_bg.opt.wasm").wasm"
cp "$work/jifen_bg.opt.wasm" "$out/assets/$wasm_name"
js_name="jifen-$(hash "$work/jifen.js").js"
cp "$work/jifen.js" "$out/assets/$js_name"
css_name="style-$(hash app/style.css).css"
cp app/style.css "$out/assets/$css_name"
sed -e "s|{{JS}}|/assets/$js_name|g" -e "s|{{WASM}}|/assets/$wasm_name|g" -e "s|{{CSS}}|/assets/$css_name|g" \
  app/index.html > "$out/index.html"
cp app/manifest.webmanifest "$out/manifest.webmanifest"

# Pre-compressed copies at the highest gzip level; the server sends them to clients that accept
# gzip instead of compressing on the fly at a faster, weaker level.
for f in "$out/index.html" "$out/assets/"*; do gzip -9 -k -n -f "$f"; done

echo "== app/dist"
for f in "$out/index.html" "$out/assets/$css_name" "$out/assets/$js_name" "$out/assets/$wasm_name"; do
  printf '%8d bytes  %8d gzip  %s\n' "$(stat -c %s "$f")" "$(gzip -9 -c "$f" | wc -c)" "$f"
done
