#!/usr/bin/env bash
# Benchmark of the @emr/wasm package against emr-core natively, in the same run on the same input:
# `fromFhir` (import) and `merge` on a shared Synthea patient, in Node and in headless Chromium
# (Debian's /usr/bin/chromium driven by playwright-core), with the WASM/native ratios and the
# gzipped size of the .wasm. Prints Markdown for the "WASM package" section of docs/performance.md.
# Not a test (not run by CI).
#
#   bash scripts/bench-wasm.sh [FHIR.json] [ITERATIONS]
#
# Default input: the Synthea patient Alexis_Toy of ../shared/data/synthea; default 20 iterations.
# Then createShl/openShl of @emr/wasm/shl on the largest shared Synthea patient (bench-shl.mjs).
# Every figure is the best of the iterations (the machine is shared); the native side runs before
# and after the wasm side, and the better of its two runs counts.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench-machine.sh
source scripts/bench-machine.sh

input=${1:-../shared/data/synthea/Alexis_Toy_68cd1181-6359-4047-a77f-a165d7912480.json}
iterations=${2:-20}
[ -f "$input" ] || { echo "no input $input (the shared data set is in ../shared/data)" >&2; exit 1; }
work=${CARGO_TARGET_DIR:-target}/wasm-bench
mkdir -p "$work"

bash scripts/build-wasm.sh >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; exit 1; }
cargo build --release -p emr-wasm --example native --locked --quiet
native=${CARGO_TARGET_DIR:-target}/release/examples/native

echo "## WASM package benchmark"
echo
machine_info
echo "- The package: the \`wasm\` profile (fat LTO, one codegen unit), as scripts/build-wasm.sh builds it"
echo "- Command: \`bash scripts/bench-wasm.sh$([ $# -eq 0 ] || printf ' %q' "$@")\`"
echo
node emr-wasm/scripts/bench.mjs emr-wasm/pkg "$native" "$input" "$iterations"
raw=$(wc -c <emr-wasm/pkg/emr_wasm_bg.wasm)
read -r gz budget < <(node emr-wasm/scripts/size.mjs emr-wasm/pkg/emr_wasm_bg.wasm)
echo
echo "Size: \`emr_wasm_bg.wasm\` $raw bytes, $gz bytes gzipped (zlib -9); budget $budget."
read -r shl_gz shl_budget < <(node emr-wasm/scripts/size.mjs --shl emr-wasm/pkg/emr_wasm_shl_bg.wasm)
echo "\`emr_wasm_shl_bg.wasm\` (@emr/wasm/shl) $(wc -c <emr-wasm/pkg/emr_wasm_shl_bg.wasm) bytes, $shl_gz bytes gzipped; budget $shl_budget."
read -r ccda_gz ccda_budget < <(node emr-wasm/scripts/size.mjs --ccda emr-wasm/pkg/emr_wasm_ccda_bg.wasm)
echo "\`emr_wasm_ccda_bg.wasm\` (@emr/wasm/ccda) $(wc -c <emr-wasm/pkg/emr_wasm_ccda_bg.wasm) bytes, $ccda_gz bytes gzipped; budget $ccda_budget."

# SMART Health Links on the largest shared Synthea patient (SHL_INPUT overrides); the native
# figures of the same work: cargo bench -p emr-core --bench shl.
shl_input=${SHL_INPUT:-../shared/data/synthea/Truman_Wiegand_299750d1-6993-41a2-a16b-0d566cbcfb30.json}
echo
echo "### SMART Health Links (\`@emr/wasm/shl\`)"
echo
node emr-wasm/scripts/bench-shl.mjs emr-wasm/pkg "$shl_input" "$iterations"
