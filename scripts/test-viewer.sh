#!/usr/bin/env bash
# End-to-end test of the offline viewer (examples/viewer/), from a fresh clone: builds the CLI
# (release) and the viewer folder (scripts/build-viewer.sh, which builds the wasm package), installs
# playwright-core from examples/viewer/package-lock.json (idempotently; it downloads no browser),
# then drives Debian's Chromium headless through examples/viewer/test/e2e.mjs (bundles) and
# examples/viewer/test/shl-e2e.mjs (SMART Health Links: emr share → emr share serve on 127.0.0.1 →
# the viewer) and examples/viewer/test/ccda-e2e.mjs (a C-CDA document: the viewer's lists against
# `emr import` + `emr lists`). Screenshots go to target/viewer-artifacts/. Chromium itself is installed by scripts/test-wasm.sh (run before this
# by scripts/test-all.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../emr-wasm/scripts/steps.sh
source emr-wasm/scripts/steps.sh

target=${CARGO_TARGET_DIR:-$(pwd)/target}
chromium=${CHROMIUM:-/usr/bin/chromium}

step "chromium"
if [ ! -x "$chromium" ]; then
  echo "no Chromium at $chromium: bash scripts/test-wasm.sh installs Debian's (apt-get install chromium)," >&2
  echo "or set CHROMIUM to another Chromium binary" >&2
  exit 1
fi
"$chromium" --version 2>/dev/null | tail -n 1

step "cargo build --release -p emr-cli"
cargo build --release -p emr-cli --locked

step "assemble the viewer (scripts/build-viewer.sh)"
bash scripts/build-viewer.sh

step "npm tooling (examples/viewer/package-lock.json)"
lock_sum=$(sha256sum examples/viewer/package-lock.json | cut -d' ' -f1)
if [ "$(cat examples/viewer/node_modules/.lock-sha256 2>/dev/null)" = "$lock_sum" ]; then
  echo "examples/viewer/node_modules matches the lockfile"
else
  (cd examples/viewer && npm ci --no-audit --no-fund)
  echo "$lock_sum" >examples/viewer/node_modules/.lock-sha256
fi

step "headless Chromium: the viewer end to end"
CHROMIUM=$chromium EMR=$target/release/emr VIEWER_DIR=$target/viewer ARTIFACTS=$target/viewer-artifacts \
  node examples/viewer/test/e2e.mjs

step "headless Chromium: SMART Health Links (emr share → emr share serve → the viewer)"
CHROMIUM=$chromium EMR=$target/release/emr VIEWER_DIR=$target/viewer ARTIFACTS=$target/viewer-artifacts \
  node examples/viewer/test/shl-e2e.mjs

step "headless Chromium: a C-CDA document (emr import + emr lists → the viewer)"
CHROMIUM=$chromium EMR=$target/release/emr VIEWER_DIR=$target/viewer ARTIFACTS=$target/viewer-artifacts \
  node examples/viewer/test/ccda-e2e.mjs

steps_done "test-viewer"
