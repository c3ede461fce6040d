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
// the documents card with as many documents as `emr documents --json`, and the text of a section
// that has narrative only (no entries) shown; a malformed document refused with its message; a
// patient bundle whose Composition's narrative is hostile (script, event attributes, an image
// with onerror, javascript: and data: links, svg, iframe) rendered inert: no script runs
// (`window.__pwned` stays unset), no such element or attribute, no link but https, the text kept;
// and no request leaving the page's origin, no page error, no console message.
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

// The documents, and the text of the first section with narrative and no entries (narrative
// only: what the lists cannot show), as the CLI reads them.
const documents = json(["documents", "check.emr"]);
const words = (t) => t.split(/\s+/).filter(Boolean).join(" ");
const textOf = (nodes) => nodes.map((n) => (typeof n.text === "string" ? n.text : textOf(n.children ?? []))).join("");
const narrativeOnly = (sections) => {
  for (const s of sections) {
    if (s.entries === 0 && words(textOf(s.narrative)).length > 20) return s;
    const inner = narrativeOnly(s.sections);
    if (inner) return inner;
  }
};
const narrativeSection = narrativeOnly(documents[0]?.sections ?? []);
assert.ok(narrativeSection, "the document has a section with narrative only");
const narrativeWords = words(textOf(narrativeSection.narrative));

// A patient bundle whose document narrative is hostile, made and sealed by the CLI.
const hostileDiv =
  `<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="window.__pwned=1" style="color:red">Hostile marker text ` +
  `<script>window.__pwned=2</script><img src="x" onerror="window.__pwned=3" alt="image alt"/> ` +
  `<a href="javascript:window.__pwned=4">js link</a> <a href=" JaVaScript:window.__pwned=5">js link two</a> ` +
  `<a href="data:text/html,&lt;script&gt;window.__pwned=6&lt;/script&gt;">data link</a> ` +
  `<a href="https://example.org/leaflet" onmouseover="window.__pwned=7">safe link</a></p>` +
  `<svg xmlns="http://www.w3.org/2000/svg" onload="window.__pwned=8"><text>svg text</text></svg>` +
  `<iframe src="javascript:window.__pwned=9">frame text</iframe><style>body{display:none}</style></div>`;
writeFileSync(
  path.join(work, "hostile.json"),
  JSON.stringify({
    resourceType: "Bundle",
    type: "collection",
    entry: [
      { fullUrl: "urn:uuid:p", resource: { resourceType: "Patient", id: "p", name: [{ family: "Hostiletest", given: ["Eve"] }], birthDate: "1980-02-03" } },
      {
        resource: {
          resourceType: "Composition",
          id: "hostile",
          status: "final",
          type: { text: "Progress note" },
          subject: { reference: "urn:uuid:p" },
          date: "2024-03-04",
          title: "Hostile note",
          author: [{ display: "Mallory" }],
          section: [{ title: "Assessment", text: { status: "generated", div: hostileDiv } }, { title: "Broken", text: { status: "generated", div: "<div>not xhtml</div>" } }],
        },
      },
    ],
  }),
);
const hostileKey = { ...key, EMR_BUNDLE_PASSPHRASE: key.EMR_PASSPHRASE };
const hostileBundle = path.join(work, "hostile.age");
cli(["init", "hostile.emr"]);
cli(["import", "hostile.emr", "hostile.json"]);
execFileSync(emr, ["export", "hostile.emr", "--format", "bundle", "-o", hostileBundle], { cwd: work, env: { ...process.env, ...hostileKey }, stdio: ["ignore", "pipe", "pipe"] });

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
  step = "the documents: as many as the CLI's, a narrative-only section's text shown";
  assert.equal(await page.locator("#documents article").count(), documents.length);
  assert.equal(await page.locator("#documents .count").getAttribute("data-count"), String(documents.length));
  const sectionHeading = page.locator("#documents .doc-section h5", { hasText: narrativeSection.title }).first();
  await sectionHeading.waitFor({ state: "visible", timeout: TIMEOUT });
  const shownText = words(await sectionHeading.locator("xpath=..").locator(".narrative").first().textContent());
  assert.ok(shownText.replace(/\s/g, "").includes(narrativeWords.replace(/\s/g, "")), `the section ${narrativeSection.title} shows its narrative`);
  assert.equal(await page.locator("#documents script, #documents img, #documents iframe, #documents svg").count(), 0);
  await page.locator("#documents").screenshot({ path: path.join(paths.artifacts, "ccda-documents.png") });
  await shot("ccda-record-desktop");
  await page.click("#findings summary").catch(() => {});
  await page.setViewportSize({ width: 390, height: 844 });
  const scroll = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(scroll <= 0, `the record (with its findings open) is ${scroll}px wider than a phone`);
  await shot("ccda-record-phone");

  step = "a bundle whose document narrative is hostile: rendered inert";
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.click("#close-record");
  await page.setInputFiles("#file", hostileBundle);
  await page.fill("#passphrase", key.EMR_PASSPHRASE);
  await page.press("#passphrase", "Enter");
  await page.waitForSelector("#record:not([hidden])", { timeout: TIMEOUT });
  await page.locator("#documents").waitFor({ timeout: TIMEOUT });
  const hostile = page.locator("#documents");
  const hostileText = words(await hostile.textContent());
  assert.match(await hostile.locator("article .meta").first().textContent(), /4 Mar 2024 · Imported FHIR · Progress note · final · by Mallory/);
  for (const kept of ["Hostile marker text", "image alt", "js link", "js link two", "data link", "safe link", "svg text", "frame text"]) {
    assert.ok(hostileText.includes(kept), `the text ${kept} is kept`);
  }
  assert.ok(!hostileText.includes("__pwned") && !hostileText.includes("display:none"), "script and style content is dropped");
  assert.ok(hostileText.includes("could not be read"), "the unreadable narrative is said so");
  assert.equal(await hostile.locator("script, style, img, iframe, svg, object, embed, form").count(), 0, "no hostile element");
  const attributes = await hostile.evaluate((root) =>
    [...root.querySelectorAll("*")].flatMap((el) => [...el.attributes].map((a) => a.name)).filter((n) => /^on|^style$|^src$/.test(n)),
  );
  assert.deepEqual(attributes, [], "no event, style or src attribute");
  const hrefs = await hostile.locator("a").evaluateAll((links) => links.map((a) => [a.getAttribute("href"), a.rel, a.target]));
  assert.deepEqual(hrefs, [["https://example.org/leaflet", "noopener noreferrer", "_blank"]], "the one https link, opened apart");
  await hostile.locator("a", { hasText: "safe link" }).hover();
  await hostile.locator("p", { hasText: "Hostile marker text" }).click();
  assert.equal(await page.evaluate(() => window.__pwned), undefined, "no script ran");
  await shot("ccda-hostile-document");

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
    `${nativeFindings ?? "?"} findings; ${documents.length} document(s), narrative-only section "${narrativeSection.title}" shown; ` +
    `hostile narrative inert; ${requests.length} requests, all to ${origin}`,
);
