// Every exported function and error code, through Node's ES module entry and through `require`.
// The checks themselves are shared with the headless Chromium run (tests/shared/checks.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ccdaChecks, coreChecks, shlChecks } from "../shared/checks.mjs";
import { loadExpect } from "../shared/data.mjs";
import { ccda, ccdaRequired, emr, emrRequired, manifest, repo, shl, shlRequired } from "./pkg.mjs";

const expect = loadExpect(repo, manifest);

for (const check of coreChecks) {
  test(`import: ${check.name}`, () => check.run(emr, expect));
}

for (const check of coreChecks) {
  test(`require: ${check.name}`, () => check.run(emrRequired, expect));
}

for (const check of shlChecks) {
  test(`import @emr/wasm/shl: ${check.name}`, () => check.run({ ...emr, ...shl }, expect));
  test(`require @emr/wasm/shl: ${check.name}`, () => check.run({ ...emrRequired, ...shlRequired }, expect));
}

for (const check of ccdaChecks) {
  test(`import @emr/wasm/ccda: ${check.name}`, () => check.run({ ...emr, ...ccda }, expect));
  test(`require @emr/wasm/ccda: ${check.name}`, () => check.run({ ...emrRequired, ...ccdaRequired }, expect));
}

test("the C-CDA module holds only its functions and the documents view (and version, isEmrError)", () => {
  const names = ["documents", "documentsJson", "fromCcda", "fromCcdaJson", "isEmrError", "version"];
  assert.deepEqual(Object.keys(ccda).sort(), names);
  assert.deepEqual(Object.keys(ccdaRequired).sort(), names);
  assert.equal(ccda.version(), emr.version());
  for (const name of ["fromCcda", "fromCcdaJson", "documents", "documentsJson"]) assert.ok(!(name in emr) && !(name in shl), `${name} is in another module`);
  let thrown;
  try {
    ccda.fromCcda("<x/>");
  } catch (e) {
    thrown = e;
  }
  assert.ok(emr.isEmrError(thrown) && ccda.isEmrError(thrown) && shl.isEmrError(thrown) && thrown.code === "ccda.shape");
});

test("the SMART Health Links module holds only its functions (and version, isEmrError)", () => {
  const names = ["createShl", "decryptShlFile", "encryptShlFile", "isEmrError", "openShl", "readShl", "shlManifestRequest", "version"];
  assert.deepEqual(Object.keys(shl).sort(), names);
  assert.deepEqual(Object.keys(shlRequired).sort(), names);
  assert.equal(shl.version(), emr.version());
  for (const name of names.filter((n) => !["isEmrError", "version"].includes(n))) assert.ok(!(name in emr), `${name} is in the main module`);
  // Either module's isEmrError knows the other's errors.
  let thrown;
  try {
    shl.readShl("no link");
  } catch (e) {
    thrown = e;
  }
  assert.ok(emr.isEmrError(thrown) && shl.isEmrError(thrown) && thrown.code === "shl.link");
});

test("import and require give the same functions", () => {
  assert.deepEqual(Object.keys(emr).sort(), Object.keys(emrRequired).sort());
  for (const name of Object.keys(emr)) assert.equal(emr[name], emrRequired[name], name);
});
