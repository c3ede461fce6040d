#!/usr/bin/env bash
# Builds the @emr/wasm npm package into emr-wasm/pkg/ (build output, not committed).
#
# Installs what it needs, idempotently, from crates.io and npm only: the wasm32 target,
# wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in Cargo.lock (compiled in the
# background while the crate builds), and the npm tooling locked in emr-wasm/package-lock.json
# (wasm-opt from npm `binaryen`; Debian's binaryen 108 breaks wasm-bindgen 0.2.130 output).
# Fails when the gzipped .wasm exceeds its budget.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../emr-wasm/scripts/steps.sh
source emr-wasm/scripts/steps.sh
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

target_dir=${CARGO_TARGET_DIR:-target}
staging=$target_dir/wasm-pkg
mkdir -p "$target_dir"

step "rust target wasm32-unknown-unknown"
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

step "wasm-bindgen-cli, same version as the wasm-bindgen crate"
bindgen_version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$bindgen_version" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 1; }
install_pid=""
install_log=$target_dir/wasm-bindgen-cli-install.log
if [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $bindgen_version" ]; then
  echo "wasm-bindgen $bindgen_version is installed"
else
  # ~5 minutes on 2 cores, so it compiles while the crate does. Not --locked: the registry mirror
  # lacks a version that wasm-bindgen-cli's own lockfile pins.
  echo "installing wasm-bindgen-cli $bindgen_version in the background (log: $install_log)"
  # Its own scratch target directory, so that it never waits for the lock of ours.
  env -u CARGO_TARGET_DIR cargo install wasm-bindgen-cli --version "=$bindgen_version" >"$install_log" 2>&1 &
  install_pid=$!
  trap '[ -n "$install_pid" ] && kill -0 "$install_pid" 2>/dev/null &&
    echo "note: the wasm-bindgen-cli install goes on in the background (pid $install_pid, log $install_log)" >&2' EXIT
fi

step "npm tooling (emr-wasm/package-lock.json)"
lock_sum=$(sha256sum emr-wasm/package-lock.json | cut -d' ' -f1)
if [ "$(cat emr-wasm/node_modules/.lock-sha256 2>/dev/null)" = "$lock_sum" ]; then
  echo "emr-wasm/node_modules matches the lockfile"
else
  (cd emr-wasm && npm ci --no-audit --no-fund)
  echo "$lock_sum" >emr-wasm/node_modules/.lock-sha256
fi

# The `wasm` profile (Cargo.toml): release with fat LTO and one codegen unit, ~6 % smaller gzipped.
# Three modules from one crate (same output path, so each lazily loaded one is copied aside first):
# `@emr/wasm/shl` (features `shl` only), `@emr/wasm/ccda` (features `ccda` only), then the main one
# (default features). Cargo keeps every build, so an unchanged crate rebuilds none.
for feature in shl ccda; do
  step "cargo build -p emr-wasm --profile wasm --target wasm32-unknown-unknown --no-default-features --features $feature"
  cargo build -p emr-wasm --profile wasm --target wasm32-unknown-unknown --no-default-features --features "$feature" --locked
  mkdir -p "$target_dir/wasm-$feature"
  cp "$target_dir/wasm32-unknown-unknown/wasm/emr_wasm.wasm" "$target_dir/wasm-$feature/emr_wasm_$feature.wasm"
done
shl_wasm=$target_dir/wasm-shl/emr_wasm_shl.wasm
ccda_wasm=$target_dir/wasm-ccda/emr_wasm_ccda.wasm
step "cargo build -p emr-wasm --profile wasm --target wasm32-unknown-unknown"
cargo build -p emr-wasm --profile wasm --target wasm32-unknown-unknown --locked
wasm=$target_dir/wasm32-unknown-unknown/wasm/emr_wasm.wasm

if [ -n "$install_pid" ]; then
  step "wait for the wasm-bindgen-cli install"
  if ! wait "$install_pid"; then
    tail -n 40 "$install_log" >&2
    echo "installing wasm-bindgen-cli $bindgen_version failed" >&2
    exit 1
  fi
  install_pid=""
  tail -n 1 "$install_log"
fi
[ "$(wasm-bindgen --version)" = "wasm-bindgen $bindgen_version" ] || {
  echo "wasm-bindgen on PATH is $(wasm-bindgen --version), not $bindgen_version" >&2
  exit 1
}

wasm_opt=emr-wasm/node_modules/.bin/wasm-opt
wasm_opt_flags=(-O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-reference-types
  --enable-sign-ext --enable-multivalue --enable-mutable-globals)
# wasm-opt takes ~20 s: redo the glue and the optimization only when their inputs changed.
stamp="$(sha256sum "$wasm" "$shl_wasm" "$ccda_wasm" | cut -d' ' -f1 | tr '\n' ' ')$(wasm-bindgen --version) $("$wasm_opt" --version) ${wasm_opt_flags[*]}"
if [ -f "$staging/emr_wasm_bg.wasm" ] && [ "$(cat "$staging/stamp" 2>/dev/null)" = "$stamp" ]; then
  step "wasm-bindgen and wasm-opt: up to date"
else
  step "wasm-bindgen --target nodejs and --target web"
  rm -rf "$staging"
  for target in nodejs web; do
    for input in "$wasm" "$shl_wasm" "$ccda_wasm"; do
      wasm-bindgen --target "$target" --out-dir "$staging/$target" "$input"
    done
  done
  step "wasm-opt -O3 (npm binaryen)"
  "$wasm_opt" --version
  for name in emr_wasm emr_wasm_shl emr_wasm_ccda; do
    # The package ships one binary for both glues: that holds only while they are byte-identical.
    cmp "$staging/nodejs/${name}_bg.wasm" "$staging/web/${name}_bg.wasm"
    "$wasm_opt" "${wasm_opt_flags[@]}" "$staging/web/${name}_bg.wasm" -o "$staging/${name}_bg.wasm"
  done
  echo "$stamp" >"$staging/stamp"
fi

step "assemble emr-wasm/pkg"
pkgid=$(cargo pkgid -p emr-wasm)
version=${pkgid##*[#@]}
node emr-wasm/scripts/assemble.mjs "$staging" "$version"

step "size"
raw=$(wc -c <emr-wasm/pkg/emr_wasm_bg.wasm)
# zlib at level 9, the budget's measure (emr-wasm/scripts/size.mjs, shared with the Node suite).
read -r gz wasm_gz_budget < <(node emr-wasm/scripts/size.mjs emr-wasm/pkg/emr_wasm_bg.wasm)
unopt=$(wc -c <"$staging/web/emr_wasm_bg.wasm")
printf 'emr_wasm_bg.wasm: %s bytes raw (%s before wasm-opt), %s bytes gzipped (zlib -9); budget %s gzipped\n' \
  "$raw" "$unopt" "$gz" "$wasm_gz_budget"
if [ "$gz" -gt "$wasm_gz_budget" ]; then
  echo "the gzipped .wasm is over its budget of $wasm_gz_budget bytes" >&2
  exit 1
fi
# The modules loaded only by who imports them, each with its own budget.
for module in "shl:SMART Health Links" "ccda:C-CDA"; do
  name=${module%%:*}
  file=emr-wasm/pkg/emr_wasm_${name}_bg.wasm
  read -r module_gz module_budget < <(node emr-wasm/scripts/size.mjs "--$name" "$file")
  printf 'emr_wasm_%s_bg.wasm (@emr/wasm/%s, loaded only when imported): %s bytes raw, %s bytes gzipped; budget %s gzipped\n' \
    "$name" "$name" "$(wc -c <"$file")" "$module_gz" "$module_budget"
  if [ "$module_gz" -gt "$module_budget" ]; then
    echo "the gzipped ${module#*:} .wasm is over its budget of $module_budget bytes" >&2
    exit 1
  fi
done

steps_done "build-wasm"
