#!/usr/bin/env bash
# Tests of the @emr/wasm npm package, from a fresh clone: builds it (scripts/build-wasm.sh), then
#  - checks that the TypeScript types generated from schemas/ are up to date;
#  - checks that the expected results of emr-wasm/tests/expected/ are what emr-core computes, and
#    builds the `native` example (emr-core natively, for the bundles sealed in wasm);
#  - runs the Node suite (emr-wasm/tests/node/) against the built package (its three modules,
#    @emr/wasm, @emr/wasm/shl and @emr/wasm/ccda, with npm `jose` for SMART Health Links interop and
#    HL7's C-CDA example documents of ../shared/data for C-CDA): every function, every
#    error code, every vector of tests/data with the Rust snapshots' expected findings, the FHIR
#    round trips and the demo merge with Rust's bytes, and bundles across the two runtimes; and
#    the agreement of the `emr` command (built here), the package and the IPS on every list, lab
#    trend and the demographics of the demo and the shared Synthea patients;
#  - packs it with `npm pack`, installs the tarball in a scratch project, and there runs the
#    README's example, examples/node-consumer (validate and merge), `require`, and `tsc --noEmit` on a TS consumer
#    (nodenext and bundler resolution);
#  - runs the same core checks and vectors in headless Chromium (Debian's chromium, installed here
#    idempotently while the package builds), failing on any request outside 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../emr-wasm/scripts/steps.sh
source emr-wasm/scripts/steps.sh

repo=$(pwd)
work=${CARGO_TARGET_DIR:-$repo/target}/wasm-test
mkdir -p "$work"
chromium=${CHROMIUM:-/usr/bin/chromium}

step "chromium and chromium-driver from Debian (in the background)"
apt_pid=""
apt_log=$work/apt-chromium.log
if [ -x "$chromium" ] && command -v chromedriver >/dev/null; then
  echo "installed: $("$chromium" --version 2>/dev/null | tail -n 1)"
else
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "apt-get install chromium chromium-driver (log: $apt_log)"
  (
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium chromium-driver
  ) >"$apt_log" 2>&1 &
  apt_pid=$!
fi

step "build the package (scripts/build-wasm.sh)"
bash scripts/build-wasm.sh
pkg=$repo/emr-wasm/pkg

step "cargo clippy -p emr-wasm on wasm32 (warnings denied), the three modules"
cargo clippy -p emr-wasm --target wasm32-unknown-unknown --locked -- -D warnings
for feature in shl ccda; do
  cargo clippy -p emr-wasm --target wasm32-unknown-unknown --locked --no-default-features --features "$feature" -- -D warnings
done

step "generated TypeScript types are up to date"
node emr-wasm/scripts/gen-types.mjs --check

step "expected results of the Node suite = emr-core's (cargo test -p emr-wasm --test expected)"
cargo test -p emr-wasm --test expected --locked --quiet

step "the native twin (cargo build --release -p emr-wasm --example native)"
cargo build --release -p emr-wasm --example native --locked --quiet
export EMR_NATIVE=${CARGO_TARGET_DIR:-$repo/target}/release/examples/native

step "the emr command, for the agreement test (cargo build -p emr-cli)"
cargo build -p emr-cli --locked --quiet
export EMR_CLI=${CARGO_TARGET_DIR:-$repo/target}/debug/emr

step "node --test emr-wasm/tests/node (the built package)"
node --test --test-reporter=spec emr-wasm/tests/node/*.test.mjs

step "npm pack, and install the tarball in a scratch project"
rm -rf "$work/pack" "$work/consumer"
mkdir -p "$work/pack" "$work/consumer"
tarball=$(cd "$work/pack" && npm pack --silent "$pkg" | tail -n 1)
tar -tzf "$work/pack/$tarball" | sort | sed 's/^/    /'
consumer=$work/consumer
echo '{ "name": "emr-wasm-consumer-test", "private": true, "type": "module" }' >"$consumer/package.json"
(cd "$consumer" && npm install --no-save --no-package-lock --no-audit --no-fund "$work/pack/$tarball")
installed=$consumer/node_modules/@emr/wasm

step "README example, examples/node-consumer and require() on the installed package"
node emr-wasm/tests/packed/readme.mjs "$consumer"
cp examples/node-consumer/validate.mjs examples/node-consumer/merge.mjs "$consumer/"
(
  cd "$consumer"
  node validate.mjs --now 2026-01-01T00:00:00Z "$repo"/tests/data/valid/*.json
  # An invalid record must fail the example with the rule's finding.
  if out=$(node validate.mjs --now 2026-01-01T00:00:00Z "$repo/tests/data/invalid/date.future.json"); then
    echo "examples/node-consumer accepted an invalid record" >&2
    exit 1
  fi
  grep -q "error date.future" <<<"$out"
  # The demo clinics merge to Rust's report; two different patients are refused.
  out=$(node merge.mjs --now 2026-01-01T00:00:00Z "$repo"/examples/demo/clinic-{a,b}.json)
  echo "$out"
  summary=$(node -p 'require(process.argv[1]).merged.report.summary' "$repo/emr-wasm/tests/expected/demo.json")
  grep -qxF "$summary" <<<"$out"
  if out=$(node merge.mjs "$repo/tests/data/fhir/Rufus_Kihn_6b950b05-7dbf-450f-bca9-f05acff7a452.json" \
    "$repo/tests/data/fhir/Patient-example.json" 2>&1); then
    echo "examples/node-consumer merged two different patients" >&2
    exit 1
  fi
  grep -q "not merged \[merge.identity\]" <<<"$out"
  node -e '
    const emr = require("@emr/wasm");
    const findings = emr.validate({ format: 1, sources: [], entries: [] }, "2026-01-01T00:00:00Z");
    if (findings.length !== 1 || findings[0].code !== "record.patient.missing") process.exit(1);
    console.log(`require("@emr/wasm"): ${Object.keys(emr).join(", ")}`);
  '
)

step "tsc --noEmit on the TypeScript consumer (nodenext and bundler resolution)"
cp emr-wasm/tests/types/*.ts emr-wasm/tests/types/tsconfig.*.json "$consumer/"
"$repo/emr-wasm/node_modules/.bin/tsc" --version
for mode in nodenext bundler; do
  (cd "$consumer" && "$repo/emr-wasm/node_modules/.bin/tsc" -p "tsconfig.$mode.json")
  echo "tsc ($mode): no errors"
done

if [ -n "$apt_pid" ]; then
  step "wait for the chromium install"
  if ! wait "$apt_pid"; then
    tail -n 30 "$apt_log" >&2
    echo "installing chromium failed" >&2
    exit 1
  fi
  "$chromium" --version 2>/dev/null | tail -n 1
fi

step "headless Chromium: the core checks and vectors on the installed package"
CHROMIUM=$chromium ARTIFACTS=$work node emr-wasm/tests/browser/run.mjs "$installed"

steps_done "test-wasm"
