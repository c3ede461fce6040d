#!/usr/bin/env bash
# Merge benchmark, one command: view_ref() (clustering and view), view() (the same, owned) and
# merge() on generated records of 10k, 100k and 1M entries across 2 and 10 sources, one thread.
# The generator (shared codes, near-equal times, other units, versions, retractions, conflicts) is
# documented at the top of emr-core/benches/merge.rs. A benchmark, not a test: nothing here fails
# on speed.
#
# Usage: bash scripts/bench-merge.sh [extra options, e.g. --sizes 10000,100000 --sources 10]
# Output: the tables on stdout and in target/bench-merge.md. Needs about 6 GB of memory at 1M.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-machine.sh
. scripts/bench-machine.sh
mkdir -p target
out=$PWD/target/bench-merge.md

echo "==> cargo bench -p emr-core --bench merge" >&2
cargo bench --quiet -p emr-core --bench merge -- --markdown "$out.tables" "$@"
{
    echo "Command: \`bash scripts/bench-merge.sh${*:+ $*}\`"
    echo
    machine_info
    echo
    cat "$out.tables"
} >"$out"
rm -f "$out.tables"
echo "==> written to $out" >&2
