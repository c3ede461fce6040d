#!/usr/bin/env bash
# Population NDJSON export benchmark, one command: `NdjsonWriter` over every shared Synthea
# patient (each split per clinic and merged back, as `emr merge` would), in memory, in MB/s of
# NDJSON written, beside a plain file copy of the same bytes. The figure is the one printed by
# the test `population_ndjson_of_all_synthea_patients_is_closed` (emr-core/tests/export_closure.rs),
# run ROUNDS times in release. A benchmark, not a test: nothing here fails on speed.
#
# Usage: bash scripts/bench-ndjson.sh
# Environment: ROUNDS (3). Needs ../shared/data/synthea (fails without it).
# Output: the table on stdout and in target/bench-ndjson.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# shellcheck source=scripts/bench-machine.sh
. scripts/bench-machine.sh

rounds=${ROUNDS:-3}
mkdir -p target
out=$root/target/bench-ndjson.md
lines=()
for i in $(seq 1 "$rounds"); do
    echo "==> round $i/$rounds: cargo test --release -p emr-core --test export_closure population" >&2
    line=$(EMR_REQUIRE_SHARED_DATA=1 cargo test --quiet --release -p emr-core --test export_closure population -- --nocapture 2>&1 |
        grep -m1 '^population NDJSON:' || true)
    [ -n "$line" ] || { echo "no figure printed (is ../shared/data/synthea there?)" >&2; exit 1; }
    lines+=("$line")
done

{
    echo "Command: \`bash scripts/bench-ndjson.sh\` (ROUNDS=$rounds)"
    echo
    machine_info
    echo
    echo "| round | population NDJSON export (all shared Synthea patients, split per clinic and merged) |"
    echo "| --- | --- |"
    for i in "${!lines[@]}"; do
        echo "| $((i + 1)) | ${lines[$i]#population NDJSON: } |"
    done
} >"$out"
cat "$out"
echo "==> written to $out" >&2
