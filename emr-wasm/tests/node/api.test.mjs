// Every exported function and error code, through Node's ES module entry and through `require`.
// The checks themselves are shared with the headless Chromium run (tests/shared/checks.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { coreChecks } from "../shared/checks.mjs";
import { loadExpect } from "../shared/data.mjs";
import { emr, emrRequired, manifest, repo } from "./pkg.mjs";

const expect = loadExpect(repo, manifest);

for (const check of coreChecks) {
  test(`import: ${check.name}`, () => check.run(emr, expect));
}

for (const check of coreChecks) {
  test(`require: ${check.name}`, () => check.run(emrRequired, expect));
}

test("import and require give the same functions", () => {
  assert.deepEqual(Object.keys(emr).sort(), Object.keys(emrRequired).sort());
  for (const name of Object.keys(emr)) assert.equal(emr[name], emrRequired[name], name);
});
