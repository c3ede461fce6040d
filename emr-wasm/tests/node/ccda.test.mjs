// One truth, two runtimes, on real documents: every HL7 C-CDA R2.1 example document
// (../shared/data/ccda/hl7-c-cda-examples/Documents) imported through @emr/wasm/ccda gives the
// bytes emr-core gives natively (emr-wasm/tests/expected/ccda-shared.json, written by
// emr-wasm/tests/expected.rs): the record and the findings. Skipped when the shared data is
// absent, failing instead under EMR_REQUIRE_SHARED_DATA=1 (as scripts/test-all.sh sets it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { checkCcdaVector } from "../shared/checks.mjs";
import { ccda, emr, repo } from "./pkg.mjs";

const api = { ...emr, ...ccda };
const dir = path.resolve(repo, "../shared/data/ccda/hl7-c-cda-examples/Documents");
const expected = JSON.parse(readFileSync(path.join(repo, "emr-wasm/tests/expected/ccda-shared.json"), "utf8"));

/** The `.xml` files under `dir`, by path relative to it (with `/`), as expected.rs names them. */
function xmlFiles(base, sub = "") {
  return readdirSync(path.join(base, sub), { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? xmlFiles(base, path.posix.join(sub, e.name)) : /\.xml$/i.test(e.name) ? [path.posix.join(sub, e.name)] : []))
    .sort();
}

const present = existsSync(dir);
if (!present && process.env.EMR_REQUIRE_SHARED_DATA) {
  test("the shared C-CDA documents are present", () => assert.fail(`shared data required (EMR_REQUIRE_SHARED_DATA) but not found at ${dir}`));
}

test("every shared C-CDA document has a Rust result, and every Rust result a document", { skip: !present && `shared data not found at ${dir}` }, () => {
  const files = xmlFiles(dir);
  assert.ok(files.length >= 12, `${files.length} documents`);
  assert.deepEqual(files, Object.keys(expected.vectors).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
});

for (const name of present ? xmlFiles(dir) : []) {
  test(`shared C-CDA ${name}: fromCcdaJson = emr-core, as text and as bytes`, async () => {
    const want = expected.vectors[name];
    assert.ok(want, `${name} has no Rust result`);
    const bytes = readFileSync(path.join(dir, name));
    await checkCcdaVector(api, bytes.toString("utf8"), want, expected.now, name);
    await checkCcdaVector(api, new Uint8Array(bytes), want, expected.now, `${name} (bytes)`);
    // And the object form holds the same record.
    const viaObject = api.fromCcda(new Uint8Array(bytes), { now: expected.now });
    assert.deepEqual(viaObject.record, JSON.parse(api.fromCcdaJson(new Uint8Array(bytes), { now: expected.now }).recordJson));
    assert.equal(viaObject.record.entries.length, want.entries);
  });
}
