#!/usr/bin/env node
// Times @emr/wasm in Node and in headless Chromium on one FHIR input, next to emr-core natively
// in the same run (NATIVE, the `native` example of emr-wasm: run before and after the wasm side,
// its better run counts), and prints a Markdown table with the WASM/native ratios. Not a test:
// scripts/bench-wasm.sh runs it.
//
//   node bench.mjs PKG_DIR NATIVE FHIR.json ITERATIONS
//
// Timed, as the best (minimum) of ITERATIONS runs after one warm-up — the machine is shared, and
// the minimum is the figure least disturbed by other jobs (the native side is timed the same way):
//   fromFhirJson(text)        import (emr-core) + the record written as JSON text — what `native` times
//   fromFhir(text)            the same, the record handed to JS as an object (JSON.parse)
//   mergeJson(texts)          the per-source records of SPLIT.json merged — what `native` times
//   merge(objects)            the same with record objects (JSON.stringify in, JSON.parse out)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { runPage } from "./bench-page.mjs";

const [pkgDir, nativeBin, fhirFile, iterationsArg] = process.argv.slice(2);
if (!iterationsArg) {
  console.error("usage: bench.mjs PKG_DIR NATIVE FHIR.json ITERATIONS");
  process.exit(2);
}
const iterations = Number(iterationsArg);
const scratch = mkdtempSync(path.join(tmpdir(), "emr-wasm-bench-"));
const splitFile = path.join(scratch, "split.json");
/** One native run: its timings; it writes the per-source records to SPLIT for the wasm side. */
const nativeRun = () => JSON.parse(execFileSync(nativeBin, ["bench", fhirFile, splitFile, String(iterations)], { encoding: "utf8" }));
const nativeRuns = [nativeRun()];
const NOW = "2026-01-01T00:00:00Z";

/** The benchmark itself, run in Node and (as source text) in the page: best milliseconds. */
function runBench(emr, fhir, splitTexts, iterations, now) {
  const best = (f) => {
    f(); // warm-up
    let min = Infinity;
    for (let i = 0; i < iterations; i++) {
      const start = performance.now();
      f();
      min = Math.min(min, performance.now() - start);
    }
    return min;
  };
  const objects = splitTexts.map((t) => JSON.parse(t));
  return {
    fromFhirJson: best(() => emr.fromFhirJson(fhir, { now })),
    fromFhir: best(() => emr.fromFhir(fhir, { now })),
    mergeJson: best(() => emr.mergeJson(splitTexts)),
    merge: best(() => emr.merge(objects)),
  };
}

const fhir = readFileSync(fhirFile, "utf8");
const splitTexts = JSON.parse(readFileSync(splitFile, "utf8"));

const emr = await import(pathToFileURL(path.join(pkgDir, "index.mjs")).href);
const node = runBench(emr, fhir, splitTexts, iterations, NOW);

// Chromium: the package's browser entry served from 127.0.0.1, nothing else reachable.
const page = `<!doctype html><meta charset="utf-8"><title>@emr/wasm bench</title><script type="module">
import * as emr from "/pkg/browser.mjs";
const runBench = ${runBench.toString()};
const fhir = await (await fetch("/input.json")).text();
const split = await (await fetch("/split.json")).json();
window.benchResult = runBench(emr, fhir, split, ${iterations}, ${JSON.stringify(NOW)});
</script>`;
const { result: chrome, version: chromeVersion } = await runPage(pkgDir, page, {
  "/input.json": ["application/json", fhir],
  "/split.json": ["application/json", JSON.stringify(splitTexts)],
});

nativeRuns.push(nativeRun());
rmSync(scratch, { recursive: true, force: true });
const native = { ...nativeRuns[0] };
for (const key of ["importMs", "mergeMs"]) native[key] = Math.min(...nativeRuns.map((r) => r[key]));

const ms = (v) => v.toFixed(1);
const ratio = (v, n) => `${(v / n).toFixed(2)}×`;
const rows = [
  ["import: `fromFhirJson` (wasm) vs `fhir::import` + record to JSON (native)", "fromFhirJson", native.importMs],
  ["import: `fromFhir` (record as a JS object) vs the same native work", "fromFhir", native.importMs],
  ["merge: `mergeJson` vs records from JSON, `merge::merge`, record and report to JSON (native)", "mergeJson", native.mergeMs],
  ["merge: `merge` (record objects in and out) vs the same native work", "merge", native.mergeMs],
];
console.log(`Input: \`${path.basename(fhirFile)}\`, ${native.bytes} bytes, ${native.entries} entries; merge of its ${native.sources} per-source records. Best of ${iterations} runs after one warm-up (native: best of ${iterations} runs, twice — before and after the wasm runs).\n`);
console.log("| operation | native ms | Node ms | Node / native | Chromium ms | Chromium / native |");
console.log("|---|---|---|---|---|---|");
for (const [label, key, n] of rows) {
  console.log(`| ${label} | ${ms(n)} | ${ms(node[key])} | ${ratio(node[key], n)} | ${ms(chrome[key])} | ${ratio(chrome[key], n)} |`);
}
console.log(`\nNode ${process.version}; Chromium ${chromeVersion}.`);
