// The gzipped size of the package's .wasm and its budget, defined once for scripts/build-wasm.sh,
// scripts/bench-wasm.sh and the Node suite (tests/node/package.test.mjs): zlib at level 9, which
// counts ~1 % more than GNU `gzip -9` on this binary.
//
//   node emr-wasm/scripts/size.mjs [--shl|--ccda] FILE.wasm   prints "<gzipped bytes> <budget bytes>"
//   (--shl: the budget of the SMART Health Links module; --ccda: of the C-CDA module)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const GZIP_BUDGET = 600 * 1024;

/** The budget of the SMART Health Links module (`@emr/wasm/shl`), loaded only when imported. */
export const SHL_GZIP_BUDGET = 200 * 1024;

/**
 * The budget of the C-CDA module (`@emr/wasm/ccda`: the import, and the documents view, which
 * reads XHTML narrative with the same XML parser), loaded only when imported. 320 KiB since the
 * documents view (+32 KB: the record's deserialization and the narrative sanitizer); in the main
 * module it would leave that one under 8 KB of its budget.
 */
export const CCDA_GZIP_BUDGET = 320 * 1024;

/** The size of `bytes` gzipped by zlib at level 9. */
export const gzippedSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const budgets = { "--shl": SHL_GZIP_BUDGET, "--ccda": CCDA_GZIP_BUDGET };
  const flag = process.argv[2] in budgets ? process.argv[2] : undefined;
  const args = process.argv.slice(flag ? 3 : 2);
  if (args.length !== 1) {
    console.error("usage: node size.mjs [--shl|--ccda] FILE.wasm");
    process.exit(2);
  }
  console.log(`${gzippedSize(readFileSync(args[0]))} ${flag ? budgets[flag] : GZIP_BUDGET}`);
}
