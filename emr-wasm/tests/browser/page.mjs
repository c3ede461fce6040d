// The page of the headless Chromium run: imports the package through its `browser` entry (served
// by run.mjs as /entry.mjs), runs the shared core checks and the vectors, and leaves the results in
// `window.emrResults` for run.mjs to read.
import * as emr from "/entry.mjs";
import { ccdaChecks, checkVector, coreChecks, runVector, shlChecks } from "/shared/checks.mjs";

const results = [];
async function record(name, run) {
  try {
    await run();
    results.push({ name, ok: true });
  } catch (e) {
    results.push({ name, ok: false, detail: String(e?.message ?? e) });
  }
}

const expect = await (await fetch("/expect.json")).json();
for (const check of coreChecks) await record(check.name, () => check.run(emr, expect));
// The SMART Health Links module, loaded only now (as an app would, when a link is opened).
const shl = await import("/shl-entry.mjs");
for (const check of shlChecks) await record(`shl: ${check.name}`, () => check.run({ ...emr, ...shl }, expect));
// The C-CDA module, likewise loaded only when a document is imported.
const ccda = await import("/ccda-entry.mjs");
for (const check of ccdaChecks) await record(`ccda: ${check.name}`, () => check.run({ ...emr, ...ccda }, expect));
const vectors = await (await fetch("/vectors.json")).json();
for (const vector of vectors) await record(`vector ${vector.name}`, () => checkVector(runVector(emr, vector)));

// Validation time of the largest vector, for the log (not a benchmark).
const largest = vectors.reduce((a, b) => (b.text.length > a.text.length ? b : a));
const start = performance.now();
for (let i = 0; i < 5; i++) emr.validateJson(largest.text, "2026-01-01T00:00:00Z");
const timing = { vector: largest.name, bytes: largest.text.length, ms: (performance.now() - start) / 5 };

const failed = results.filter((r) => !r.ok).length;
document.getElementById("summary").textContent =
  `${results.length - failed} passed, ${failed} failed (@emr/wasm ${emr.version()}, ${navigator.userAgent})`;
const list = document.getElementById("results");
for (const r of results) {
  const item = document.createElement("li");
  item.className = r.ok ? "ok" : "failed";
  item.textContent = r.ok ? r.name : `${r.name}: ${r.detail}`;
  list.append(item);
}
window.emrResults = { results, timing };
