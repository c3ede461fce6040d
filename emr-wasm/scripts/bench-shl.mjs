#!/usr/bin/env node
// Times @emr/wasm/shl's createShl and openShl on one patient's IPS, in Node and in headless
// Chromium (Debian's, via playwright-core). Not a test; the native figures of the same work come
// from `cargo bench -p emr-core --bench shl`.
//
//   node emr-wasm/scripts/bench-shl.mjs PKG_DIR FHIR.json ITERATIONS
//
// The IPS is made by the package (fromFhirJson, toIpsJson). Timed, as the median of ITERATIONS
// runs after one warm-up (as the native bench): createShl(ips, url) (deflate + AES-256-GCM JWE + link, key and IV from
// crypto.getRandomValues), and openShl(link, manifest) (read the link, decrypt, inflate).
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { runPage } from "./bench-page.mjs";

const [pkgDir, fhirFile, iterationsArg] = process.argv.slice(2);
if (!iterationsArg) {
  console.error("usage: bench-shl.mjs PKG_DIR FHIR.json ITERATIONS");
  process.exit(2);
}
const iterations = Number(iterationsArg);
const NOW = "2026-01-01T00:00:00Z";

/** The benchmark, run in Node and (as source text) in the page: median milliseconds. */
function runBench(emr, shl, fhir, iterations, now) {
  // The median, as `cargo bench -p emr-core --bench shl` reports natively.
  const median = (f) => {
    f(); // warm-up
    const times = [];
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      f();
      times.push(performance.now() - start);
    }
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  };
  const ips = emr.toIpsJson(emr.fromFhirJson(fhir, { now }).recordJson, { timestamp: now });
  const url = "https://shl.example.org/m/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM";
  const created = shl.createShl(ips, url);
  if (shl.openShl(created.link, created.manifest).files[0].text !== ips) throw new Error("round trip");
  return {
    ipsBytes: new TextEncoder().encode(ips).length,
    fileBytes: created.file.length,
    linkChars: created.link.length,
    createShl: median(() => shl.createShl(ips, url)),
    openShl: median(() => shl.openShl(created.link, created.manifest)),
  };
}

const fhir = readFileSync(fhirFile, "utf8");
const load = (file) => import(pathToFileURL(path.join(pkgDir, file)).href);
const node = runBench(await load("index.mjs"), await load("shl.mjs"), fhir, iterations, NOW);

// Chromium: the package's browser entries served from 127.0.0.1, nothing else reachable.
const page = `<!doctype html><meta charset="utf-8"><title>@emr/wasm/shl bench</title><script type="module">
import * as emr from "/pkg/browser.mjs";
import * as shl from "/pkg/shl-browser.mjs";
const runBench = ${runBench.toString()};
const fhir = await (await fetch("/input.json")).text();
window.benchResult = runBench(emr, shl, fhir, ${iterations}, ${JSON.stringify(NOW)});
</script>`;
const { result: chrome, version: chromeVersion } = await runPage(pkgDir, page, { "/input.json": ["application/json", fhir] });
console.log(`Input: \`${path.basename(fhirFile)}\`: IPS ${node.ipsBytes} bytes → JWE ${node.fileBytes} characters (zip: DEF), link ${node.linkChars} characters. Median of ${iterations} runs after one warm-up.\n`);
console.log("| operation | Node ms | Chromium ms |");
console.log("|---|---|---|");
for (const key of ["createShl", "openShl"]) console.log(`| \`${key}\` | ${node[key].toFixed(2)} | ${chrome[key].toFixed(2)} |`);
console.log(`\nNode ${process.version}; Chromium ${chromeVersion}.`);
