#!/usr/bin/env bash
# Builds the web app into app/dist, reproducibly and offline after the first run:
#   wasm32 release build → wasm-split (lazy routes into chunks) → wasm-bindgen (the CLI pinned to
#   Cargo.lock's wasm-bindgen) → wasm-opt -Oz (npm binaryen@132) → a content-hashed directory →
#   index.html, with zopfli/gzip copies beside every file.
# Tools are installed once into $JIFEN_TOOLS (default ~/.cache/jifen-tools).
#
#   scripts/build-app.sh [tools|wasm|bundle]
# runs one phase (scripts/start.sh overlaps them); without an argument, all three in that order.
# The bundle phase does nothing when app/dist was made from the same wasm, tools, static files
# and this script (a stamp in app/dist/.build-stamp); cargo decides whether the wasm is fresh.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${JIFEN_TOOLS:-$HOME/.cache/jifen-tools}"
target_dir="${CARGO_TARGET_DIR:-target}"
wasm="$target_dir/wasm32-unknown-unknown/wasm-release/jifen-app.wasm"
out=app/dist

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
bindgen="$tools/bin/wasm-bindgen"
split="$tools/bin/wasm-split-cli"
split_version=0.2.4
wasm_opt="$tools/npm/node_modules/.bin/wasm-opt"

bindgen_ok() { [ -x "$bindgen" ] && [ "$("$bindgen" --version | awk '{print $2}')" = "$bindgen_version" ]; }
split_ok() { [ -x "$split" ] && [ "$(cat "$tools/wasm-split-cli.version" 2>/dev/null)" = "$split_version" ]; }

# The two cargo tools are built unoptimised (opt-level 0, no LTO): that compiles in about a third of
# the time of a release build, and on the app they take about 2 s instead of 0.5 s, with the same
# output. Both share one build directory, removed afterwards.
tool_install() {
  env CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_DEBUG=false \
    CARGO_PROFILE_RELEASE_INCREMENTAL=false \
    cargo install --root "$tools" --target-dir "$tools/build" --force "$@"
}

install_tools() {
  mkdir -p "$tools"
  local npm_pid=
  if [ ! -x "$wasm_opt" ]; then
    # Mostly download: runs beside the cargo installs.
    echo "== installing binaryen (wasm-opt) from npm"
    npm install --silent --no-audit --no-fund --prefix "$tools/npm" binaryen@132.0.0 >/dev/null &
    npm_pid=$!
  fi
  if ! bindgen_ok; then
    echo "== installing wasm-bindgen-cli $bindgen_version"
    # Only the wasm-bindgen binary; without the default features it needs no TLS stack (that
    # serves wasm-bindgen-test-runner's downloads).
    tool_install wasm-bindgen-cli --version "=$bindgen_version" --no-default-features --bin wasm-bindgen --locked \
      || tool_install wasm-bindgen-cli --version "=$bindgen_version" --no-default-features --bin wasm-bindgen
  fi
  if ! split_ok; then
    echo "== installing wasm-split-cli $split_version"
    tool_install wasm_split_cli_support --version "=$split_version" --features build-binary --locked \
      || tool_install wasm_split_cli_support --version "=$split_version" --features build-binary
    echo "$split_version" > "$tools/wasm-split-cli.version"
  fi
  rm -rf "$tools/build"
  if [ -n "$npm_pid" ]; then wait "$npm_pid"; fi
  bindgen_ok && split_ok && [ -x "$wasm_opt" ]
}

build_wasm() {
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || true
  echo "== building jifen-app for wasm32"
  # erase_components: Leptos erases component types, which makes the module markedly smaller.
  # --emit-relocs: wasm-split needs the relocations to cut the lazy routes out into their own chunks.
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -C link-arg=--emit-relocs"
  cargo build -p jifen-app --target wasm32-unknown-unknown --profile wasm-release
}

# Everything app/dist is made from, as one hash.
inputs_stamp() {
  {
    for f in "$wasm" app/style.css app/index.html app/manifest.webmanifest app/sw.js app/icons/*.png \
      scripts/build-app.sh; do
      sha256sum < "$f"
    done
    "$bindgen" --version
    echo "wasm-split-cli $split_version"
    "$wasm_opt" --version
    if command -v zopfli >/dev/null; then echo zopfli; else echo gzip; fi
  } | sha256sum | cut -c1-64
}

# app/dist is complete: index.html and every asset it names are there.
dist_complete() {
  [ -f "$out/index.html" ] || return 1
  local asset
  for asset in $(grep -o '/assets/[^"]*' "$out/index.html" | sort -u); do
    [ -e "$out$asset" ] || return 1
  done
}

bundle() {
  if ! bindgen_ok || ! split_ok || [ ! -x "$wasm_opt" ]; then
    echo "the tools are missing: run scripts/build-app.sh tools" >&2
    return 1
  fi
  if [ ! -f "$wasm" ]; then
    echo "no $wasm: run scripts/build-app.sh wasm" >&2
    return 1
  fi
  local stamp
  stamp=$(inputs_stamp)
  if [ "$(cat "$out/.build-stamp" 2>/dev/null)" = "$stamp" ] && dist_complete; then
    echo "== app/dist is up to date (same wasm, tools and static files)"
    return 0
  fi
  echo "== bundling app/dist (wasm-split, wasm-bindgen, wasm-opt, compression)"

  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/split" "$work/bundle"

  # Code splitting: each `#[lazy]` group of screens (app/src/app.rs) becomes a chunk, plus a chunk
  # for each set of code that several groups share; what login and report need stays in main.
  "$split" --target web --out-name jifen "$wasm" "$work/split"
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

  # The page starts the app from a file, not an inline script: the content security policy runs
  # this origin's scripts only.
  # It also installs the service worker (/sw.js), which keeps the app for opening offline.
  printf '%s\n' 'import init from "./jifen.js";' \
    'init({ module_or_path: new URL("./jifen_bg.wasm", import.meta.url) });' \
    'if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});' \
    > "$work/bundle/boot.js"
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
  cp -r app/icons "$out/icons"
  # The service worker at the root (its scope is the whole app), with the list of what it keeps:
  # the page, the manifest, the icons, the stylesheet and every file of this bundle.
  local shell
  shell=$(cd "$out" && { echo /; echo /manifest.webmanifest; ls icons/*.png "assets/$css_name";
    ls "assets/$bundle_hash"/* ; } | sed -e 's|^\([^/]\)|/\1|' | sort -u \
    | awk 'BEGIN { printf "[" } { printf "%s\"%s\"", (NR > 1 ? ", " : ""), $0 } END { printf "]" }')
  sed -e "s|{{VERSION}}|$bundle_hash|" -e "s|{{SHELL}}|$shell|" app/sw.js > "$out/sw.js"

  # Pre-compressed copies, sent as they are to clients that accept gzip. zopfli writes gzip that is
  # about 5% smaller than gzip -9 (slower to make, as fast to unpack); gzip -9 where it is missing.
  compress() {
    if command -v zopfli >/dev/null; then zopfli -c "$1" > "$1.gz"; else gzip -9 -c -n "$1" > "$1.gz"; fi
  }
  find "$out" -type f ! -name '*.gz' ! -name '*.webmanifest' | while read -r f; do compress "$f"; done
  # Last, so that an interrupted build leaves no stamp. The server never serves dot files.
  echo "$stamp" > "$out/.build-stamp"

  echo "== app/dist (first load: index.html, css, jifen.js, __wasm_split.js, jifen_bg.wasm)"
  find "$out" -type f ! -name '*.gz' ! -name '.build-stamp' | sort | while read -r f; do
    printf '%8d bytes  %8d gzip  %s\n' "$(stat -c %s "$f")" "$(stat -c %s "$f.gz" 2>/dev/null || echo 0)" "$f"
  done
}

case "${1:-all}" in
  tools) install_tools ;;
  wasm) build_wasm ;;
  bundle) bundle ;;
  all) install_tools; build_wasm; bundle ;;
  *) echo "usage: scripts/build-app.sh [tools|wasm|bundle]" >&2; exit 2 ;;
esac
