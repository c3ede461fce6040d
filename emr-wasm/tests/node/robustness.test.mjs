// Bad input never reaches JS as anything but a finding or an EmrError: no panic (a wasm
// `unreachable`), no other exception. Inputs: the fuzz corpus of emr-core and cut-off vectors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { NOW } from "../shared/checks.mjs";
import { emr, repo } from "./pkg.mjs";

/** Validates `text`; returns "findings" or the error code, failing on anything else. */
function outcome(text, what) {
  try {
    const findings = emr.validateJson(text, NOW);
    assert.ok(Array.isArray(findings), `${what}: findings are not an array`);
    return "findings";
  } catch (e) {
    assert.ok(emr.isEmrError(e), `${what}: threw ${e?.name}: ${e?.message}`);
    return e.code;
  }
}

const corpus = path.join(repo, "tests/data/fuzz-corpus");
for (const dir of readdirSync(corpus).sort()) {
  test(`fuzz corpus ${dir}/ gives findings or EmrErrors`, () => {
    const files = readdirSync(path.join(corpus, dir)).sort();
    assert.ok(files.length > 0);
    for (const file of files) outcome(readFileSync(path.join(corpus, dir, file), "utf8"), `${dir}/${file}`);
  });
}

test("every prefix of a vector (sampled) gives findings or an EmrError", () => {
  const text = readFileSync(path.join(repo, "tests/data/valid/ips-bundle-minimal.json"), "utf8");
  const seen = new Set();
  for (let end = 0; end < text.length; end += 41) seen.add(outcome(text.slice(0, end), `prefix ${end}`));
  assert.ok(seen.has("record.syntax"));
  assert.equal(outcome(text, "whole"), "findings");
});

test("deep nesting is an error, not a stack overflow", () => {
  const deep = `{"format":1,"entries":[{"provenance":{"source":"a","id":"x"},"resource":{"resourceType":"Basic","x":${"[".repeat(100000)}${"]".repeat(100000)}}}]}`;
  assert.notEqual(outcome(deep, "deep"), "findings");
});

/** Runs `f`; returns "ok" or the EmrError's code, failing on anything else (a panic, a TypeError). */
function code(f, what) {
  try {
    f();
    return "ok";
  } catch (e) {
    assert.ok(emr.isEmrError(e), `${what}: threw ${e?.name}: ${e?.message}`);
    return e.code;
  }
}

test("fromFhir: every invalid FHIR file, the fuzz corpus and cut-off inputs give a record or an EmrError", () => {
  const inputs = [];
  for (const dir of ["tests/data/fhir-invalid", ...readdirSync(corpus).map((d) => `tests/data/fuzz-corpus/${d}`)]) {
    for (const file of readdirSync(path.join(repo, dir)).sort()) {
      inputs.push([`${dir}/${file}`, readFileSync(path.join(repo, dir, file), "utf8")]);
    }
  }
  const text = readFileSync(path.join(repo, "tests/data/fhir/Bundle-IPS-examples-Bundle-01.json"), "utf8");
  for (let end = 0; end < text.length; end += 97) inputs.push([`prefix ${end}`, text.slice(0, end)]);
  const seen = new Set();
  for (const [what, input] of inputs) seen.add(code(() => emr.fromFhirJson(input, { now: NOW }), what));
  assert.ok(seen.has("ok") && seen.has("fhir.syntax"), [...seen].join());
});

test("openBundle: random, cut and bit-flipped bytes give an EmrError, never a panic", () => {
  const record = emr.fromFhir(readFileSync(path.join(repo, "tests/data/fhir/Patient-example.json"), "utf8"), { now: NOW }).record;
  const sealed = emr.sealBundle(record, { passphrase: "p", workFactor: 2 });
  const key = { passphrase: "p" };
  const seen = new Set();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 60; i++) {
    const flipped = sealed.slice();
    flipped[Math.floor(random() * flipped.length)] ^= 1 << Math.floor(random() * 8);
    seen.add(code(() => emr.openBundle(flipped, key), `flip ${i}`));
    seen.add(code(() => emr.openBundle(sealed.slice(0, Math.floor(random() * sealed.length)), key), `cut ${i}`));
    const noise = Uint8Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256));
    seen.add(code(() => emr.openBundle(noise, key), `noise ${i}`));
  }
  assert.ok(!seen.has("ok") && seen.has("bundle.corrupt") && seen.has("bundle.format"), [...seen].join());
  assert.equal(code(() => emr.openBundle(sealed, key), "intact"), "ok");
});
