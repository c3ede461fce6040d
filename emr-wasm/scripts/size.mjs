// The gzipped size of the package's .wasm and its budget, defined once for scripts/build-wasm.sh,
// scripts/bench-wasm.sh and the Node suite (tests/node/package.test.mjs): zlib at level 9, which
// counts ~1 % more than GNU `gzip -9` on this binary.
//
//   node emr-wasm/scripts/size.mjs [--shl] FILE.wasm   prints "<gzipped bytes> <budget bytes>"
//   (--shl: the budget of the SMART Health Links module)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const GZIP_BUDGET = 600 * 1024;

/** The budget of the SMART Health Links module (`@emr/wasm/shl`), loaded only when imported. */
export const SHL_GZIP_BUDGET = 200 * 1024;

/** The size of `bytes` gzipped by zlib at level 9. */
export const gzippedSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const shl = process.argv[2] === "--shl";
  const args = process.argv.slice(shl ? 3 : 2);
  if (args.length !== 1) {
    console.error("usage: node size.mjs [--shl] FILE.wasm");
    process.exit(2);
  }
  console.log(`${gzippedSize(readFileSync(args[0]))} ${shl ? SHL_GZIP_BUDGET : GZIP_BUDGET}`);
}
