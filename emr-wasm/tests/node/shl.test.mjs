// SMART Health Links files of the package against an independent JOSE implementation (npm
// `jose`, emr-wasm/package.json's devDependencies): what createShl/encryptShlFile write,
// jose's compactDecrypt opens; what jose's CompactEncrypt writes (with and without `zip: DEF`),
// openShl/decryptShlFile open. On the demo's IPS and a whole Synthea patient's IPS.
// (Identity with emr-core's bytes is a shared check, in Chromium too.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { inflateRawSync } from "node:zlib";
import { CompactEncrypt, base64url, compactDecrypt } from "jose";
import { NOW } from "../shared/checks.mjs";
import { loadExpect } from "../shared/data.mjs";
import { emr as main, manifest, repo, shl } from "./pkg.mjs";

const emr = { ...main, ...shl };

const { demo } = loadExpect(repo, manifest);
const URL_ = "https://shl.example.org/m/abc";

/** IPS texts: the demo clinics merged, and a whole Synthea patient of tests/data/fhir. */
function ipses() {
  const a = emr.fromFhirJson(demo.clinicA, { now: NOW }).recordJson;
  const b = emr.fromFhirJson(demo.clinicB, { now: NOW }).recordJson;
  const synthea = readFileSync(path.join(repo, "tests/data/fhir/Rufus_Kihn_6b950b05-7dbf-450f-bca9-f05acff7a452.json"), "utf8");
  return {
    demo: emr.toIpsJson(emr.mergeJson([a, b]).recordJson, { timestamp: NOW }),
    synthea: emr.toIpsJson(emr.fromFhirJson(synthea, { now: NOW }).recordJson, { timestamp: NOW }),
  };
}

for (const [name, ips] of Object.entries(ipses())) {
  test(`${name} IPS (${ips.length} bytes): createShl's file opens with jose (zip: DEF)`, async () => {
    const created = emr.createShl(ips, URL_, { passcode: true, label: "Summary" });
    const key = base64url.decode(created.payload.key);
    const { plaintext, protectedHeader } = await compactDecrypt(created.file, key, { maxDecompressedLength: 1 << 24 });
    assert.equal(new TextDecoder().decode(plaintext), ips);
    assert.deepEqual(protectedHeader, { alg: "dir", enc: "A256GCM", zip: "DEF", cty: "application/fhir+json" });
    // and with WebCrypto + raw inflate, as a JS viewer without jose would
    const [header, , iv, ciphertext, tag] = created.file.split(".");
    const cryptoKey = await crypto.subtle.importKey("raw", key, "AES-GCM", false, ["decrypt"]);
    const sealed = new Uint8Array([...base64url.decode(ciphertext), ...base64url.decode(tag)]);
    const aad = new TextEncoder().encode(header);
    const deflated = await crypto.subtle.decrypt({ name: "AES-GCM", iv: base64url.decode(iv), additionalData: aad }, cryptoKey, sealed);
    assert.equal(inflateRawSync(Buffer.from(deflated)).toString("utf8"), ips);
  });

  test(`${name} IPS: encryptShlFile without zip opens with jose`, async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const file = emr.encryptShlFile(ips, key, { deflate: false });
    const { plaintext, protectedHeader } = await compactDecrypt(file, key);
    assert.equal(new TextDecoder().decode(plaintext), ips);
    assert.equal(protectedHeader.zip, undefined);
  });

  test(`${name} IPS: jose's CompactEncrypt files open with openShl and decryptShlFile`, async () => {
    const created = emr.createShl("{}", URL_);
    const key = base64url.decode(created.payload.key);
    for (const header of [
      { alg: "dir", enc: "A256GCM", cty: "application/fhir+json" },
      { enc: "A256GCM", zip: "DEF", alg: "dir" },
    ]) {
      const file = await new CompactEncrypt(new TextEncoder().encode(ips)).setProtectedHeader(header).encrypt(key);
      const opened = emr.decryptShlFile(file, created.payload.key);
      assert.equal(opened.text, ips, JSON.stringify(header));
      assert.equal(opened.deflated, header.zip === "DEF");
      const manifestJson = JSON.stringify({ files: [{ contentType: "application/fhir+json", embedded: file }] });
      assert.equal(emr.openShl(created.link, manifestJson).files[0].text, ips);
      assert.equal(emr.openShl(created.link, file).files[0].text, ips);
      const other = emr.createShl("{}", URL_);
      assert.throws(() => emr.openShl(other.link, file), (e) => e.code === "shl.decrypt");
    }
  });
}
