#!/usr/bin/env bash
# FHIR benchmark, one command: emr-core's import (with validation), our JSON parse, export, and
# serde_json::Value on the same bytes (every shared Synthea file in memory), peak memory of the
# largest patient, and peers on the same files in the same run: the Rust crate fhirkit (built in
# benches/peers/, outside the workspace; a few minutes the first time), and in a Python venv
# fhir.resources 8.3.0 (R4B models) and fhirkit-rs. A peer that does not build or install is
# reported as not measured, with the reason. A benchmark, not a test: nothing here fails on speed.
#
# Usage: bash scripts/bench-fhir.sh
# Environment: EMR_BENCH_SYNTHEA (data folder, default ../shared/data/synthea), ROUNDS (9),
# PEER_ROUNDS (3), SKIP_PEERS=1 (only emr-core and serde_json).
# Output: the tables on stdout and in target/bench-fhir.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=scripts/bench-machine.sh
. scripts/bench-machine.sh

data=${EMR_BENCH_SYNTHEA:-$root/../shared/data/synthea}
rounds=${ROUNDS:-9}
peer_rounds=${PEER_ROUNDS:-3}
mkdir -p target
out=$root/target/bench-fhir.md
peers=()

if [ "${SKIP_PEERS:-0}" != 1 ]; then
    echo "==> peer: fhirkit (Rust crate), cargo build --release in benches/peers" >&2
    # Its own target dir (under CARGO_TARGET_DIR when that is set), so the binary is where we look.
    peer_target=$root/benches/peers/target
    if [ -n "${CARGO_TARGET_DIR:-}" ]; then
        peer_target=$(realpath -m "$CARGO_TARGET_DIR")/bench-peers
    fi
    if cargo build --release --quiet --manifest-path benches/peers/Cargo.toml --target-dir "$peer_target" \
        2>target/bench-peers-build.log; then
        peers+=(--peer-cmd "$peer_target/release/emr-bench-peers")
    else
        peers+=(--peer-missing "fhirkit (Rust crate): does not build here: $(tail -n1 target/bench-peers-build.log)")
    fi

    echo "==> peers: Python venv target/bench-venv (fhir.resources 8.3.0, fhirkit-rs)" >&2
    venv=$root/target/bench-venv
    if [ -x "$venv/bin/python" ] || python3 -m venv "$venv" >target/bench-venv.log 2>&1; then
        for spec in "fhir.resources==8.3.0:fhir.resources" "fhirkit-rs==0.1.0:fhirkit-rs"; do
            pkg=${spec%%:*}
            lib=${spec#*:}
            if "$venv/bin/pip" install --quiet --disable-pip-version-check "$pkg" >>target/bench-venv.log 2>&1; then
                peers+=(--peer-cmd "$venv/bin/python $root/benches/peers/python_peer.py --lib $lib")
            else
                peers+=(--peer-missing "$lib (Python): pip install $pkg failed: $(tail -n1 target/bench-venv.log)")
            fi
        done
    else
        peers+=(--peer-missing "fhir.resources, fhirkit-rs (Python): python3 -m venv failed: $(tail -n1 target/bench-venv.log)")
    fi
fi

echo "==> cargo bench -p emr-core --bench fhir" >&2
cargo bench --quiet -p emr-core --bench fhir -- \
    --data "$data" --rounds "$rounds" --peer-rounds "$peer_rounds" --markdown "$out.tables" ${peers[@]+"${peers[@]}"}

{
    echo "Command: \`bash scripts/bench-fhir.sh\` (ROUNDS=$rounds, PEER_ROUNDS=$peer_rounds)"
    echo
    machine_info
    echo
    cat "$out.tables"
} >"$out"
rm -f "$out.tables"
echo "==> written to $out" >&2
