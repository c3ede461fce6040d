#!/usr/bin/env bash
# Every test of the project, from a fresh clone: installs what it needs (idempotently), then runs
# formatting, lints (host and wasm32), docs, the Rust tests, the wasm32 build of the pure core,
# and the npm package built and tested in Node and headless Chromium (scripts/test-wasm.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components and targets"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "the age command-line tool (Debian package age), for the interoperability tests"
mkdir -p target
if ! command -v age >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  ($sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q age) >target/apt-age.log 2>&1 ||
    { tail -n 20 target/apt-age.log >&2; echo "installing age failed" >&2; exit 1; }
fi
age --version
export EMR_REQUIRE_AGE_CLI=1

step "the shared test data (../shared/data), which the round-trip, matching and interop tests read"
[ -d ../shared/data ] || { echo "../shared/data not found beside the repository: the tests that read it would fail" >&2; exit 1; }
export EMR_REQUIRE_SHARED_DATA=1

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (host, all targets)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo clippy (emr-core on wasm32)"
cargo clippy -p emr-core --target wasm32-unknown-unknown --locked -- -D warnings

step "cargo doc (warnings denied)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "emr-core builds for wasm32-unknown-unknown (no I/O in the core)"
cargo build -p emr-core --target wasm32-unknown-unknown --locked --quiet

step "npm jose for the SMART Health Links interoperability test (emr-core/tests/shl_interop.rs)"
(cd emr-core/tests/shl-interop && npm ci --no-audit --no-fund --silent)
export EMR_REQUIRE_SHL_INTEROP=1

step "cargo test --workspace"
cargo test --workspace --locked

step "exports checked by software emr did not write: DuckDB joins, @medplum/core validation (scripts/test-interop.sh)"
bash scripts/test-interop.sh

step "generated files are up to date"
git diff --exit-code -- schemas docs/validation-rules.md emr-wasm/ts

step "wasm package: build, Node, TypeScript, npm pack and headless Chromium tests"
bash scripts/test-wasm.sh
bash scripts/test-viewer.sh

echo
echo "all checks passed"
