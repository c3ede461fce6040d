// One truth, two runtimes: every file of tests/data/fhir imported, exported (collection Bundle,
// IPS, NDJSON) and imported back through the package gives the bytes emr-core gives natively
// (emr-wasm/tests/expected/fhir.json, written by emr-wasm/tests/expected.rs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { digest } from "../shared/checks.mjs";
import { emr, repo } from "./pkg.mjs";

const expected = JSON.parse(readFileSync(path.join(repo, "emr-wasm/tests/expected/fhir.json"), "utf8"));
const dir = path.join(repo, "tests/data/fhir");
const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();

test("every FHIR vector has a Rust result, and every Rust result a vector", () => {
  assert.ok(files.length >= 20);
  assert.deepEqual(Object.keys(expected.vectors).sort(), files);
});

for (const file of files) {
  test(`fhir/${file}`, async () => {
    const want = expected.vectors[file];
    if (!want) return; // reported above
    const text = readFileSync(path.join(dir, file), "utf8");
    if ("error" in want) {
      assert.throws(() => emr.fromFhirJson(text, { now: expected.now }), (e) => emr.isEmrError(e) && /^fhir\./.test(e.code));
      return;
    }
    const same = async (actual, wanted, what) => assert.deepEqual(await digest(actual), wanted, what);
    const { recordJson, findings } = emr.fromFhirJson(text, { now: expected.now });
    await same(recordJson, want.record, "record");
    await same(JSON.stringify(findings), want.findings, "findings");
    assert.equal(JSON.parse(recordJson).entries.length, want.entries);

    const options = { timestamp: expected.timestamp };
    const fhir = emr.toFhirJson(recordJson, options);
    await same(fhir, want.exports.fhir, "toFhirJson");
    if ("error" in want.exports.ips) {
      assert.throws(() => emr.toIpsJson(recordJson, options), (e) => e.code === want.exports.ips.error);
    } else {
      await same(emr.toIpsJson(recordJson, options), want.exports.ips, "toIpsJson");
    }
    const ndjson = emr.toNdjsonJson(recordJson, options);
    assert.deepEqual(Object.keys(ndjson), Object.keys(want.exports.ndjson), "NDJSON resource types");
    for (const [type, lines] of Object.entries(ndjson)) await same(lines, want.exports.ndjson[type], `${type}.ndjson`);

    // Round trip: the exported Bundle imports back to the record Rust gets.
    await same(emr.fromFhirJson(fhir, { now: expected.now }).recordJson, want.roundTrip, "round trip");
  });
}
