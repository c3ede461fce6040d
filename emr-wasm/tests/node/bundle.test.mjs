// Bundles sealed by the package open natively with emr-core (the `native` example of emr-wasm),
// and at the scrypt work factor age chooses by default: sealing does not weaken the passphrase.
// (The other direction, Rust-sealed bundles opened in wasm, is a shared check, in Chromium too.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { NOW } from "../shared/checks.mjs";
import { loadExpect } from "../shared/data.mjs";
import { emr, manifest, repo } from "./pkg.mjs";

const { demo, bundles } = loadExpect(repo, manifest);

/** The native twin: EMR_NATIVE (scripts/test-wasm.sh builds it), else built here with cargo. */
function native() {
  if (process.env.EMR_NATIVE) return process.env.EMR_NATIVE;
  execFileSync("cargo", ["build", "--release", "--quiet", "-p", "emr-wasm", "--example", "native"], { cwd: repo, stdio: "inherit" });
  const target = process.env.CARGO_TARGET_DIR ?? path.join(repo, "target");
  const bin = path.join(target, "release/examples/native");
  assert.ok(existsSync(bin), bin);
  return bin;
}

/** The demo clinics merged by the package, as JSON text: Rust's bytes (a shared check). */
function mergedDemoJson() {
  const a = emr.fromFhirJson(demo.clinicA, { now: NOW }).recordJson;
  const b = emr.fromFhirJson(demo.clinicB, { now: NOW }).recordJson;
  return emr.mergeJson([a, b]).recordJson;
}

test("bundles sealed in wasm open with emr-core to the record Rust seals and opens", () => {
  const bin = native();
  const dir = mkdtempSync(path.join(tmpdir(), "emr-wasm-bundle-"));
  try {
    const recordJson = mergedDemoJson();
    // The passphrase with age's default work factor: no workFactor given.
    const sealed = emr.sealBundleJson(recordJson, { passphrase: bundles.passphrase }, { timestamp: NOW });
    const header = new TextDecoder().decode(sealed.slice(0, 80));
    const workFactor = Number(/-> scrypt \S+ (\d+)\n/.exec(header)?.[1]);
    assert.ok(workFactor >= 18, `sealed at work factor ${workFactor}, below age's 18`);
    writeFileSync(path.join(dir, "passphrase.age"), sealed);
    const toRecipient = emr.sealBundleJson(recordJson, { recipients: [bundles.recipient] }, { timestamp: NOW });
    writeFileSync(path.join(dir, "recipient.age"), toRecipient);

    const open = (...args) => JSON.parse(execFileSync(bin, ["open", ...args], { encoding: "utf8" }));
    const expected = bundles.opened["demo-passphrase.age"];
    for (const opened of [
      open(path.join(dir, "passphrase.age"), "--passphrase", bundles.passphrase),
      open(path.join(dir, "recipient.age"), "--identity", bundles.identity),
    ]) {
      assert.deepEqual(opened.record, expected.record, "emr-core opened another record");
      assert.equal(opened.entries, expected.entries);
    }
    // And a wrong passphrase fails natively too.
    assert.throws(() => open(path.join(dir, "passphrase.age"), "--passphrase", "wrong"), /wrong passphrase/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
