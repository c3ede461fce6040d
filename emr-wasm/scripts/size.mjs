// The gzipped size of the package's .wasm and its budget, defined once for scripts/build-wasm.sh,
// scripts/bench-wasm.sh and the Node suite (tests/node/package.test.mjs): zlib at level 9, which
// counts ~1 % more than GNU `gzip -9` on this binary.
//
//   node emr-wasm/scripts/size.mjs FILE.wasm   prints "<gzipped bytes> <budget bytes>"
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const GZIP_BUDGET = 600 * 1024;

/** The size of `bytes` gzipped by zlib at level 9. */
export const gzippedSize = (bytes) => gzipSync(bytes, { level: 9 }).length;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 3) {
    console.error("usage: node size.mjs FILE.wasm");
    process.exit(2);
  }
  console.log(`${gzippedSize(readFileSync(process.argv[2]))} ${GZIP_BUDGET}`);
}
