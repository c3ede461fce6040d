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
