#!/usr/bin/env bash
# C-CDA benchmark, one command: emr-core's ccda::import (parse, C-CDA on FHIR mapping, FHIR
# import with validation) on every complete shared C-CDA document (every file under
# ../shared/data/ccda, recursively, that ccda::looks_like_ccda accepts: section fragments are
# left out), in memory, beside the npm peer @medplum/ccda 5.1 (convertXmlToCcda +
# convertCcdaToFhir, Node) on the same files in the same run, with the count of documents each
# converts without error; then both again on only the documents the peer converts, so that the
# throughputs compare the same work. A peer that does not install is reported as not measured.
# Then large documents generated from the shared examples (a CCD with thousands of results, an
# unstructured document with an embedded PDF; LARGE_MB each, in target/bench-ccda-large/):
# emr-core's MB/s and peak memory ÷ size, and each peer on the same files (with a timeout).
# A benchmark, not a test: nothing here fails on speed.
#
# Usage: bash scripts/bench-ccda.sh
# Environment: EMR_BENCH_CCDA (folder, searched recursively; default ../shared/data/ccda),
# ROUNDS (20), PEER_ROUNDS (default: ROUNDS; the peer's JIT needs the rounds: best of 3 measured
# it 1.6-3x slower than best of 20+, which overstated emr's lead), SKIP_PEERS=1, LARGE_MB (30;
# 0 leaves the large documents out), LARGE_ROUNDS (3), LARGE_PEER_ROUNDS (1), PEER_TIMEOUT (120 s
# per large document).
# Output: the table on stdout and in target/bench-ccda.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=scripts/bench-machine.sh
. scripts/bench-machine.sh

data=${EMR_BENCH_CCDA:-$root/../shared/data/ccda}
rounds=${ROUNDS:-20}
peer_rounds=${PEER_ROUNDS:-$rounds}
large_mb=${LARGE_MB:-30}
large_rounds=${LARGE_ROUNDS:-3}
large_peer_rounds=${LARGE_PEER_ROUNDS:-1}
peer_timeout=${PEER_TIMEOUT:-120}
mkdir -p target
out=$root/target/bench-ccda.md
peers=()
missing=""

if [ "${SKIP_PEERS:-0}" != 1 ]; then
    echo "==> peer: npm @medplum/ccda@5.1 in target/bench-node" >&2
    node_dir=$root/target/bench-node
    mkdir -p "$node_dir"
    # The peer script sits beside its node_modules so that Node resolves the package.
    cp benches/peers/ccda/medplum.mjs "$node_dir/"
    if (cd "$node_dir" && { [ -f package.json ] || npm init -y >/dev/null; } &&
        npm install --silent --no-audit --no-fund @medplum/ccda@5.1 >"$root/target/bench-node.log" 2>&1); then
        peers+=(--peer-cmd "node $node_dir/medplum.mjs")
    else
        missing="@medplum/ccda: npm install failed: $(tail -n1 target/bench-node.log)"
    fi
fi

echo "==> cargo bench -p emr-core --bench ccda" >&2
cargo bench --quiet -p emr-core --bench ccda -- \
    --data "$data" --rounds "$rounds" --peer-rounds "$peer_rounds" --markdown "$out.table" \
    --large-mb "$large_mb" --large-rounds "$large_rounds" --large-peer-rounds "$large_peer_rounds" \
    --peer-timeout "$peer_timeout" ${peers[@]+"${peers[@]}"}

{
    echo "Command: \`bash scripts/bench-ccda.sh\` (ROUNDS=$rounds, PEER_ROUNDS=$peer_rounds, LARGE_MB=$large_mb, LARGE_ROUNDS=$large_rounds, LARGE_PEER_ROUNDS=$large_peer_rounds, PEER_TIMEOUT=$peer_timeout)"
    echo
    machine_info
    echo
    cat "$out.table"
    [ -z "$missing" ] || printf '\nNot measured: %s\n' "$missing"
} >"$out"
rm -f "$out.table"
echo "==> written to $out" >&2
