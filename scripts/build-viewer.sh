#!/usr/bin/env bash
# Assembles the offline viewer (examples/viewer/) and the @emr/wasm package it runs on into one
# self-contained folder, target/viewer/ (or $CARGO_TARGET_DIR/viewer), that any static file server
# can serve:
#   index.html style.css *.mjs      the page and its module worker
#   pkg/emr_wasm.mjs, pkg/emr_wasm_bg.wasm and the licences; pkg/emr_wasm_shl.mjs and
#   pkg/emr_wasm_shl_bg.wasm (@emr/wasm/shl, loaded when a SMART Health Link is opened);
#   pkg/emr_wasm_ccda.mjs and pkg/emr_wasm_ccda_bg.wasm (@emr/wasm/ccda, loaded when a C-CDA
#   document is opened)
# Builds the package first (scripts/build-wasm.sh, incremental) unless EMR_VIEWER_SKIP_WASM_BUILD=1.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${CARGO_TARGET_DIR:-target}/viewer
pkg=emr-wasm/pkg
src=examples/viewer

if [ "${EMR_VIEWER_SKIP_WASM_BUILD:-0}" != 1 ]; then
  bash scripts/build-wasm.sh
fi
for f in emr_wasm.mjs emr_wasm_bg.wasm emr_wasm_shl.mjs emr_wasm_shl_bg.wasm emr_wasm_ccda.mjs emr_wasm_ccda_bg.wasm; do
  [ -f "$pkg/$f" ] || { echo "$pkg/$f is missing: run bash scripts/build-wasm.sh" >&2; exit 1; }
done
# The viewer calls these; a package built before they existed would fail only in the browser.
for fn in openBundleJson currentListsJson timelineJson trendJson isEmrError; do
  grep -q "export function $fn(" "$pkg/emr_wasm.mjs" || {
    echo "$pkg/emr_wasm.mjs has no $fn: rebuild it with bash scripts/build-wasm.sh" >&2
    exit 1
  }
done
for fn in readShl openShl decryptShlFile shlManifestRequest; do
  grep -q "export function $fn(" "$pkg/emr_wasm_shl.mjs" || {
    echo "$pkg/emr_wasm_shl.mjs has no $fn: rebuild it with bash scripts/build-wasm.sh" >&2
    exit 1
  }
done
grep -q "export function fromCcdaJson(" "$pkg/emr_wasm_ccda.mjs" || {
  echo "$pkg/emr_wasm_ccda.mjs has no fromCcdaJson: rebuild it with bash scripts/build-wasm.sh" >&2
  exit 1
}

rm -rf "$out"
mkdir -p "$out/pkg"
cp "$src"/index.html "$src"/style.css "$out/"
# The page's modules; serve.mjs is a development server, not part of the page.
for f in "$src"/*.mjs; do
  [ "$(basename "$f")" = serve.mjs ] || cp "$f" "$out/"
done
cp "$pkg"/emr_wasm.mjs "$pkg"/emr_wasm_bg.wasm "$pkg"/emr_wasm_shl.mjs "$pkg"/emr_wasm_shl_bg.wasm \
  "$pkg"/emr_wasm_ccda.mjs "$pkg"/emr_wasm_ccda_bg.wasm "$pkg"/LICENSE-APACHE "$pkg"/LICENSE-MIT "$out/pkg/"

echo "viewer assembled in $out ($(du -sh "$out" | cut -f1)):"
(cd "$out" && find . -type f | sort | sed 's/^\.\//    /')
echo "serve it, e.g.: node examples/viewer/serve.mjs $out   (or: python3 -m http.server -d $out -b 127.0.0.1 8000)"
