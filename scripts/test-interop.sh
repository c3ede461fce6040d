#!/usr/bin/env bash
# Interop checks with software emr did not write, on the shared Synthea patients:
# DuckDB (PyPI `duckdb`, pinned in tests/interop/requirements.txt) loads the population NDJSON
# export and joins Observation → Patient. Installs into target/interop-venv (idempotent).
# Needs ../shared/data (fails when it is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/interop-venv
if ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r tests/interop/requirements.txt
fi
out=target/interop/population-ndjson
rm -rf "$out"
EMR_REQUIRE_SHARED_DATA=1 EMR_POPULATION_NDJSON="$PWD/$out" \
  cargo test --quiet -p emr-core --test export_closure population_ndjson -- --nocapture
"$venv/bin/python" tests/interop/duckdb_join.py "$out"
