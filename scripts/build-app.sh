#!/usr/bin/env bash
# Builds the web app into app/dist, reproducibly and offline after the first run:
#   wasm32 release build → wasm-split (lazy routes into chunks) → wasm-bindgen (the CLI pinned to
#   Cargo.lock's wasm-bindgen) → wasm-opt -Oz (npm binaryen@132) → a content-hashed directory →
#   index.html, with zopfli/gzip copies beside every file.
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

split="$tools/bin/wasm-split-cli"
split_version=0.2.4
if [ ! -x "$split" ] || [ "$(cat "$tools/wasm-split-cli.version" 2>/dev/null)" != "$split_version" ]; then
  echo "== installing wasm-split-cli $split_version"
  cargo install --root "$tools" wasm_split_cli_support --version "=$split_version" --features build-binary --locked --force \
    || cargo install --root "$tools" wasm_split_cli_support --version "=$split_version" --features build-binary --force
  echo "$split_version" > "$tools/wasm-split-cli.version"
fi

echo "== building jifen-app for wasm32"
# erase_components: Leptos erases component types, which makes the module markedly smaller.
# --emit-relocs: wasm-split needs the relocations to cut the lazy routes out into their own chunks.
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -C link-arg=--emit-relocs"
cargo build -p jifen-app --target wasm32-unknown-unknown --profile wasm-release

out=app/dist
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/split" "$work/bundle"

# Code splitting: each `#[lazy]` group of screens (app/src/app.rs) becomes a chunk, plus a chunk
# for each set of code that several groups share; what login and report need stays in main.
"$split" --target web --out-name jifen \
  "$target_dir/wasm32-unknown-unknown/wasm-release/jifen-app.wasm" "$work/split"
# --keep-lld-exports keeps the function table exported: the chunks install themselves into it.
"$bindgen" --target web --no-typescript --keep-lld-exports --out-dir "$work/bundle" --out-name jifen \
  "$work/split/jifen.wasm"
cp "$work/split/__wasm_split.js" "$work/bundle/"
optimize() {
  "$wasm_opt" -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue "$1" -o "$2"
}
optimize "$work/bundle/jifen_bg.wasm" "$work/bundle/jifen_bg.wasm"
for chunk in "$work/split/"*.wasm; do
  [ "$(basename "$chunk")" = jifen.wasm ] && continue
  optimize "$chunk" "$work/bundle/$(basename "$chunk")"
done

# The modules import one another by relative name (./jifen.js, ./__wasm_split.js, ./chunk.wasm),
# so the content hash names the directory they share rather than each file.
bundle_hash=$(cd "$work/bundle" && sha256sum $(ls | sort) | sha256sum | cut -c1-12)
css_name="style-$(sha256sum app/style.css | cut -c1-12).css"
rm -rf "$out"
mkdir -p "$out/assets"
cp -r "$work/bundle" "$out/assets/$bundle_hash"
cp app/style.css "$out/assets/$css_name"
sed -e "s|{{BUNDLE}}|/assets/$bundle_hash|g" -e "s|{{CSS}}|/assets/$css_name|g" \
  app/index.html > "$out/index.html"
cp app/manifest.webmanifest "$out/manifest.webmanifest"

# Pre-compressed copies, sent as they are to clients that accept gzip. zopfli writes gzip that is
# about 5% smaller than gzip -9 (slower to make, as fast to unpack); gzip -9 where it is missing.
compress() {
  if command -v zopfli >/dev/null; then zopfli -c "$1" > "$1.gz"; else gzip -9 -c -n "$1" > "$1.gz"; fi
}
find "$out" -type f ! -name '*.gz' ! -name '*.webmanifest' | while read -r f; do compress "$f"; done

echo "== app/dist (first load: index.html, css, jifen.js, __wasm_split.js, jifen_bg.wasm)"
find "$out" -type f ! -name '*.gz' | sort | while read -r f; do
  printf '%8d bytes  %8d gzip  %s\n' "$(stat -c %s "$f")" "$(stat -c %s "$f.gz" 2>/dev/null || echo 0)" "$f"
done
