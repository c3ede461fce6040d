#!/usr/bin/env node
// End-to-end test of the offline viewer opening a C-CDA document, in headless Chromium (Debian's,
// driven by playwright-core).
//
//   node examples/viewer/test/ccda-e2e.mjs      (run by scripts/test-viewer.sh, which builds what it needs)
//
// Environment as e2e.mjs (VIEWER_DIR, EMR, CHROMIUM, ARTIFACTS); CCDA_DOCUMENT overrides the
// document: by default HL7's C-CDA R2.1 example CCD (../shared/data/ccda/hl7-c-cda-examples/
// Documents/CCD/CCD 1/CCD.XML; when the shared data is absent, HL7's other example CCD, kept in
// tests/data/ccda/CCD.xml, unless EMR_REQUIRE_SHARED_DATA is set, which makes its absence a failure).
//
// With the real CLI it imports the document into a scratch .emr (`emr import` detects C-CDA by
// content) and reads what the viewer must show (`emr lists/timeline --json`, the patient's name
// from `emr export --format fhir`). In the page: the
// document chosen in the same file picker as a bundle, no passphrase asked; the lazily loaded
// @emr/wasm/ccda module requested only then; the lists, visits and immunizations equal the CLI's,
// the import's findings listed (as many as emr-core reports natively, emr-wasm/tests/expected/);
// a malformed document refused with its message; and no request leaving the page's origin, no page
// error, no console message.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../serve.mjs";
import { launch, leaks, paths, reportFailure, watch } from "./browser.mjs";

const { viewerDir, emr } = paths;
const TIMEOUT = 60_000;
const repo = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));

// ---- 1. The document, and what the viewer must show, from the CLI ------------------------------

const sharedDocuments = path.resolve(repo, "../shared/data/ccda/hl7-c-cda-examples/Documents");
const sharedCcd = path.join(sharedDocuments, "CCD/CCD 1/CCD.XML");
if (!process.env.CCDA_DOCUMENT && !existsSync(sharedCcd) && process.env.EMR_REQUIRE_SHARED_DATA) {
  console.log(`not ok - shared data required (EMR_REQUIRE_SHARED_DATA) but not found at ${sharedCcd}`);
  process.exit(1);
}
const ccdaFile = path.resolve(process.env.CCDA_DOCUMENT ?? (existsSync(sharedCcd) ? sharedCcd : path.join(repo, "tests/data/ccda/CCD.xml")));
// emr-core's findings for the document, computed natively (emr-wasm/tests/expected.rs).
const nativeFindings = (() => {
  const [file, dir] = ccdaFile.startsWith(`${sharedDocuments}${path.sep}`)
    ? ["ccda-shared.json", sharedDocuments]
    : ["ccda.json", path.join(repo, "tests/data")];
  const vectors = JSON.parse(readFileSync(path.join(repo, "emr-wasm/tests/expected", file), "utf8")).vectors;
  const codes = vectors[path.relative(dir, ccdaFile).split(path.sep).join("/")]?.findingCodes;
  return codes && Object.values(codes).reduce((a, b) => a + b, 0);
})();

const work = mkdtempSync(path.join(tmpdir(), "emr-viewer-ccda-"));
const key = { EMR_PASSPHRASE: "correct horse battery staple", EMR_SCRYPT_WORK_FACTOR: "10" };
function cli(args) {
  // Output is read, never printed.
  return execFileSync(emr, args, { cwd: work, env: { ...process.env, ...key }, stdio: ["ignore", "pipe", "pipe"] }).toString();
}
const json = (args) => JSON.parse(cli([...args, "--json"]));
cli(["init", "check.emr"]);
cli(["import", "check.emr", ccdaFile]);
const lists = json(["lists", "check.emr"]);
const events = json(["timeline", "check.emr"]);
// The record's patient (not an entry: `emr list` leaves it out), from the CLI's FHIR export.
const exported = JSON.parse(cli(["export", "check.emr", "--format", "fhir", "-o", "-"]));
// Each item's label is its concept's text or display (as e2e.mjs reads `emr lists --json`).
const concept = (r) => r.code ?? r.medicationCodeableConcept;
const conceptLabel = (r) => concept(r)?.text ?? concept(r)?.coding?.find((c) => c.display)?.display;
const labels = (items) => items.map(({ resource }) => conceptLabel(resource)).toSorted();
const expected = {
  problems: labels(lists.problems),
  medications: labels(lists.medications),
  allergies: labels(lists.allergies),
  immunizations: events.filter((e) => e.kind === "immunization").length,
  encounters: events.filter((e) => e.kind === "encounter").length,
};
const patient = exported.entry?.find((e) => e.resource?.resourceType === "Patient")?.resource ?? {};
const family = patient.name?.[0]?.family;
assert.ok(family, "the CLI's record has a patient with a family name");
assert.ok(expected.problems.length + expected.medications.length + expected.allergies.length > 0, "the document has current lists");

// A damaged copy: cut in the middle of an element.
const text = readFileSync(ccdaFile, "utf8");
writeFileSync(path.join(work, "damaged.xml"), text.slice(0, Math.floor(text.length / 2)));

// ---- 2. The page -------------------------------------------------------------------------------

const server = await serve(viewerDir);
const { origin } = server;
const { context, close: closeBrowser } = await launch();
const { page, requests, outside, problems, shot } = await watch(context, [origin]);
const ccdaModule = `${origin}/pkg/emr_wasm_ccda_bg.wasm`;

let step = "start";
let failed = false;
let shown;
try {
  step = "load: the C-CDA module is not fetched before a document is opened";
  await page.goto(`${origin}/`);
  await page.waitForLoadState("networkidle");
  assert.ok(!requests.includes(ccdaModule), "emr_wasm_ccda_bg.wasm was fetched before it was needed");

  step = "a malformed document: refused with its message, no passphrase asked";
  await page.setInputFiles("#file", path.join(work, "damaged.xml"));
  await page.click("#open-button");
  await page.waitForFunction(() => /not well-formed/.test(document.getElementById("error").textContent), null, { timeout: TIMEOUT });
  assert.equal(await page.locator("#record").isHidden(), true);

  step = "the document, chosen in the bundle's file picker: no passphrase";
  await page.setInputFiles("#file", ccdaFile);
  await page.click("#open-button");
  await page.waitForSelector("#record:not([hidden])", { timeout: TIMEOUT });
  assert.ok(requests.includes(ccdaModule), "the C-CDA module was fetched from the local server");
  assert.equal(await page.evaluate(() => document.activeElement.id), "record-heading", "focus moves to the record");

  step = "the record: the lists, visits and immunizations the CLI shows";
  assert.ok((await page.locator("#record-heading").textContent()).includes(family), "the heading names the patient");
  shown = {};
  for (const list of ["problems", "medications", "allergies"]) {
    shown[list] = (await page.locator(`#${list} li .label`).allTextContents()).toSorted();
    assert.deepEqual(shown[list], expected[list], `${list}: the CLI's items`);
    assert.equal(await page.locator(`#${list} .count`).getAttribute("data-count"), String(expected[list].length));
  }
  assert.equal(await page.locator("#immunizations li").count(), expected.immunizations);
  assert.equal(await page.locator("#encounters li").count(), expected.encounters);

  step = "the import's findings, as emr-core reports them";
  if (nativeFindings) {
    assert.equal(await page.locator("#findings .count").getAttribute("data-count"), String(nativeFindings));
    assert.equal(await page.locator("#findings li").count(), nativeFindings);
    assert.ok((await page.locator("#findings li[data-code^='ccda.']").count()) > 0, "ccda.* findings are listed");
  } else {
    assert.ok((await page.locator("#findings li").count()) > 0 || !(await page.locator("#findings").count()));
  }
  await shot("ccda-record-desktop");
  await page.click("#findings summary").catch(() => {});
  await page.setViewportSize({ width: 390, height: 844 });
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(scroll <= 0, `the record (with its findings open) is ${scroll}px wider than a phone`);
  await shot("ccda-record-phone");

  step = "requests";
  assert.deepEqual(leaks(requests, outside, [origin]), [], "requests outside the page's origin");
  assert.deepEqual(problems, [], "page errors or console messages");
} catch (e) {
  failed = true;
  await reportFailure(page, step, e, problems, "ccda-failure.png");
} finally {
  await closeBrowser();
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log(
  `ok - viewer, C-CDA ${path.relative(repo, ccdaFile)}: ${expected.problems.length} problems, ${expected.medications.length} medications, ` +
    `${expected.allergies.length} allergies, ${expected.immunizations} immunizations, ${expected.encounters} visits as emr lists/timeline; ` +
    `${nativeFindings ?? "?"} findings; ${requests.length} requests, all to ${origin}`,
);
