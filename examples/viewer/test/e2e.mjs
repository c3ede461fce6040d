#!/usr/bin/env node
// End-to-end test of the offline viewer in headless Chromium (Debian's, driven by playwright-core).
//
//   node examples/viewer/test/e2e.mjs      (run by scripts/test-viewer.sh, which builds what it needs)
//
// Environment: VIEWER_DIR (the assembled viewer, target/viewer), EMR (the CLI, target/release/emr),
// CHROMIUM (/usr/bin/chromium), ARTIFACTS (screenshots, target/viewer-artifacts).
//
// With the real CLI it makes the demo record, exports it as a passphrase bundle, and imports that
// bundle into a scratch .emr to learn what the viewer must show (`emr list/lists/timeline/trend --json`).
// Then in the page: keyboard reachability, wrong passphrase, damaged file, not a bundle, the
// bundle dropped on the page and opened (decrypting state, main thread responsive), the lists, the
// timeline and the charts with the CLI's counts, screenshots at desktop and phone sizes. It fails on
// any request that does not go to the local server, any page error, and any console message.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve } from "../serve.mjs";
import { launch, leaks, paths, reportFailure, watch } from "./browser.mjs";

const { viewerDir, emr, artifacts } = paths;
const PASSPHRASE = "correct horse battery staple";
const TIMEOUT = 120_000; // scrypt in wasm takes seconds; CI machines are slow and shared

const work = mkdtempSync(path.join(tmpdir(), "emr-viewer-e2e-"));

// ---- 1. The bundle, and what the viewer must show, from the CLI --------------------------------

function cli(args, env = {}) {
  // Output is read, never printed: the demo record is synthetic, but the habit is not to log records.
  return execFileSync(emr, args, { cwd: work, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] }).toString();
}

cli(["demo", "--out", "demo"]);
const bundle = path.join(work, "patient-bundle.age");
cli(["export", "demo/ehr.emr", "-i", "demo/demo.key", "--format", "bundle", "-o", bundle], { EMR_BUNDLE_PASSPHRASE: PASSPHRASE });
// The record the bundle holds, as the CLI opens it. A low scrypt work factor for this scratch file
// only (the bundle above keeps the default one); the bundle import opens with the same passphrase.
const scratchKey = { EMR_PASSPHRASE: PASSPHRASE, EMR_SCRYPT_WORK_FACTOR: "10" };
const json = (args) => JSON.parse(cli([...args, "--json"], scratchKey));
cli(["init", "check.emr"], scratchKey);
cli(["import", "check.emr", bundle], scratchKey);
const entries = json(["list", "check.emr"]);
const events = json(["timeline", "check.emr"]);
// The trends emr-core's summary charts (query::SUMMARY_TRENDS), as this test expects them.
const TRENDS = [
  { code: "http://loinc.org|4548-4", name: "HbA1c" },
  { code: "http://loinc.org|2339-0", name: "Glucose" },
  { code: "http://loinc.org|8480-6", name: "Systolic blood pressure" },
  { code: "http://loinc.org|8462-4", name: "Diastolic blood pressure" },
  { code: "http://loinc.org|2093-3", name: "Total cholesterol" },
  { code: "http://loinc.org|18262-6", name: "LDL cholesterol" },
  { code: "http://loinc.org|2085-9", name: "HDL cholesterol" },
  { code: "http://loinc.org|38483-4", name: "Creatinine" },
  { code: "http://loinc.org|29463-7", name: "Body weight" },
  { code: "http://loinc.org|39156-5", name: "Body mass index" },
];
const trends = TRENDS.map(({ code, name }) => ({ name, ...json(["trend", "check.emr", code]) })).filter((t) => t.points.length > 0);

// The current lists as emr-core computes them (`emr lists --json`): each item's label is its
// concept's text or display; the view shows the most severe criticality.
const lists = json(["lists", "check.emr"]);
const concept = (r) => r.code ?? r.medicationCodeableConcept;
const conceptLabel = (r) => concept(r)?.text ?? concept(r)?.coding?.find((c) => c.display)?.display;
const current = (items) => items.map(({ resource: r }) => ({ label: conceptLabel(r), high: r.criticality === "high" }));
const expected = {
  problems: current(lists.problems),
  medications: current(lists.medications),
  allergies: current(lists.allergies),
  immunizations: events.filter((e) => e.kind === "immunization").length,
  encounters: events.filter((e) => e.kind === "encounter").length,
};
const patient = entries.find((e) => e.resource.resourceType === "Patient")?.resource ?? {};
const family = patient.name?.[0]?.family;
assert.ok(family, "the CLI's record has a patient with a family name");
assert.ok(expected.problems.length && expected.medications.length && expected.allergies.length, "the demo record has current lists");
assert.ok(trends.length > 0, "the demo record has trends to chart");

// A second, small record whose results carry reference ranges (the demo's do not), one above it.
const glucose = (id, date, value) => ({
  resourceType: "Observation",
  id,
  status: "final",
  category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory" }] }],
  code: { coding: [{ system: "http://loinc.org", code: "2339-0", display: "Glucose" }], text: "Glucose" },
  effectiveDateTime: date,
  valueQuantity: { value, unit: "mg/dL", system: "http://unitsofmeasure.org", code: "mg/dL" },
  referenceRange: [
    { low: { value: 70, unit: "mg/dL", system: "http://unitsofmeasure.org", code: "mg/dL" }, high: { value: 99, unit: "mg/dL", system: "http://unitsofmeasure.org", code: "mg/dL" } },
  ],
});
writeFileSync(path.join(work, "patient.json"), JSON.stringify({ resourceType: "Patient", id: "r", name: [{ family: "Rangetest", given: ["Ada"] }], birthDate: "1970-01-01" }));
const rangedKey = { EMR_PASSPHRASE: PASSPHRASE, EMR_BUNDLE_PASSPHRASE: PASSPHRASE, EMR_SCRYPT_WORK_FACTOR: "10" };
cli(["init", "ranged.emr", "--patient", "patient.json"], rangedKey);
for (const [i, [date, value]] of [["2020-01-15", 85], ["2021-01-15", 92], ["2022-01-15", 131]].entries()) {
  writeFileSync(path.join(work, `glucose-${i}.json`), JSON.stringify(glucose(`g${i}`, date, value)));
  cli(["add", "ranged.emr", "--json", `glucose-${i}.json`], rangedKey);
}
const rangedBundle = path.join(work, "ranged.age");
cli(["export", "ranged.emr", "--format", "bundle", "-o", rangedBundle], rangedKey);
const rangedTrend = JSON.parse(cli(["trend", "ranged.emr", "http://loinc.org|2339-0", "--json"], rangedKey));

// A damaged copy (bytes of the encrypted payload changed) and a file that is not a bundle.
const damaged = Buffer.from(readFileSync(bundle));
for (let i = damaged.length - 200; i < damaged.length - 100; i++) damaged[i] ^= 0x5a;
writeFileSync(path.join(work, "damaged.age"), damaged);
writeFileSync(path.join(work, "notes.txt"), "not an age file\n");

// ---- 2. The page -------------------------------------------------------------------------------

const server = await serve(viewerDir);
const { origin } = server;
const { context, close: closeBrowser } = await launch();

let failWasm = false; // a step below serves no .wasm
const { page, requests, outside, problems, shot } = await watch(context, [origin], {
  intercept: (route, url) => (failWasm && url.endsWith(".wasm") ? route.fulfill({ status: 404, body: "not found" }) : undefined),
});

let step = "start";
const errorText = () => page.locator("#error").textContent();

/** Nothing sticks out sideways: no horizontal scrolling, no element wider than the viewport. */
async function fitsWidth() {
  const out = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > width + 0.5);
    return { scroll: document.documentElement.scrollWidth - width, wide: wide.slice(0, 5).map((e) => e.id || e.className || e.tagName) };
  });
  assert.ok(out.scroll <= 0 && out.wide.length === 0, `wider than the viewport: ${JSON.stringify(out)}`);
}

async function submit(file, passphrase) {
  await page.setInputFiles("#file", file);
  await page.fill("#passphrase", passphrase);
  await page.press("#passphrase", "Enter");
}

let failed = false;
try {
  step = "load";
  await page.goto(`${origin}/`);
  await page.waitForLoadState("networkidle");
  assert.equal(await page.locator("h1").textContent(), "Health record viewer");
  assert.equal(await page.locator("#needs-module").count(), 0, "the page's module ran");

  step = "keyboard: the controls are reachable with Tab, in order";
  const focused = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    focused.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.className || document.activeElement?.tagName));
  }
  const order = ["file", "passphrase", "open-button"].map((id) => focused.indexOf(id));
  assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])), `Tab order: ${focused.join(", ")}`);

  step = "no file chosen";
  await page.click("#open-button");
  assert.match(await errorText(), /Choose the bundle file/);

  step = "wrong passphrase";
  await submit(bundle, "not the passphrase");
  await page.waitForFunction(() => /Wrong passphrase/.test(document.getElementById("error").textContent), null, { timeout: TIMEOUT });
  assert.equal(await page.locator("#record").isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), "passphrase");
  await shot("wrong-passphrase-desktop");

  step = "damaged file";
  await submit(path.join(work, "damaged.age"), PASSPHRASE);
  await page.waitForFunction(() => /damaged/.test(document.getElementById("error").textContent), null, { timeout: TIMEOUT });
  await shot("damaged-file-desktop");

  step = "not a bundle";
  await submit(path.join(work, "notes.txt"), PASSPHRASE);
  await page.waitForFunction(() => /not an emr patient bundle/.test(document.getElementById("error").textContent), null, { timeout: TIMEOUT });

  step = "drop the bundle on the page";
  const dropped = await page.evaluateHandle(
    ({ b64, name }) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
      return dt;
    },
    { b64: readFileSync(bundle).toString("base64"), name: "patient-bundle.age" },
  );
  await page.dispatchEvent("#drop", "drop", { dataTransfer: dropped });
  assert.equal(await page.evaluate(() => document.getElementById("file").files[0]?.name), "patient-bundle.age");
  assert.equal(await page.evaluate(() => document.activeElement.id), "passphrase", "focus moves to the passphrase after a drop");

  step = "open: decrypting state, main thread responsive";
  await page.fill("#passphrase", "");
  await page.keyboard.type(PASSPHRASE);
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Decrypting"), null, { timeout: 5_000 });
  assert.equal(await page.locator("#open-button").isDisabled(), true);
  // While scrypt runs in the worker, the page answers at once.
  const started = Date.now();
  const stillBusy = await page.evaluate(() => document.getElementById("status").textContent.startsWith("Decrypting"));
  const answeredIn = Date.now() - started;
  assert.ok(answeredIn < 1_000, `the page took ${answeredIn} ms to answer while decrypting`);
  if (!stillBusy) console.log("note: decrypting ended before the responsiveness probe");
  await page.waitForSelector("#record:not([hidden])", { timeout: TIMEOUT });

  step = "the record: name, lists, timeline and charts as the CLI sees them";
  assert.equal(await page.evaluate(() => document.activeElement.id), "record-heading", "focus moves to the record");
  const heading = await page.locator("#record-heading").textContent();
  assert.ok(heading.includes(family), "the heading names the patient");
  for (const list of ["problems", "medications", "allergies"]) {
    const labels = await page.locator(`#${list} li .label`).allTextContents();
    assert.deepEqual(labels.toSorted(), expected[list].map((i) => i.label).toSorted(), `${list}: the CLI's items`);
    assert.equal(await page.locator(`#${list} .count`).getAttribute("data-count"), String(expected[list].length));
  }
  const high = expected.allergies.filter((a) => a.high).length;
  assert.equal(await page.locator("#allergies li.critical").count(), high, "allergies of high criticality are highlighted");
  assert.equal(await page.locator("#allergies li.critical .badge.high").count(), high, "…with a text badge, not colour alone");
  assert.equal(await page.locator("#immunizations li").count(), expected.immunizations);
  assert.equal(await page.locator("#encounters li").count(), expected.encounters);
  assert.ok((await page.locator("#demographics dd").count()) >= 3, "demographics are shown");

  const figures = page.locator("figure.trend");
  assert.equal(await figures.count(), trends.length, "one chart per trend with measurements");
  for (const [i, t] of trends.entries()) {
    const figure = figures.nth(i);
    assert.equal(await figure.getAttribute("data-code"), t.code);
    assert.equal(await figure.locator("h4").textContent(), t.name);
    assert.equal(await figure.locator("svg .point").count(), t.points.length, `${t.name}: one mark per measurement`);
    assert.equal(await figure.locator("tbody tr").count(), t.points.length, `${t.name}: one table row per measurement`);
    const described = await figure.locator("svg").evaluate((s) => ({
      labelled: s.getAttribute("aria-labelledby").split(" ").every((id) => document.getElementById(id)?.textContent),
      desc: s.querySelector("desc").textContent,
    }));
    assert.ok(described.labelled, `${t.name}: the chart has a title and a description`);
    assert.match(described.desc, new RegExp(`^${t.points.length} measurements?`));
    assert.equal(await figure.locator("th").first().textContent(), "Date");
    if (t.points.some((p) => p.low !== undefined || p.high !== undefined)) {
      assert.ok((await figure.locator(".range rect").count()) > 0, `${t.name}: the reference range is drawn`);
    }
  }
  await shot("record-desktop");

  step = "keyboard: the record's controls";
  await page.locator("figure.trend summary").first().focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("figure.trend details").first().evaluate((d) => d.open), true);
  await page.locator("#record-heading").focus();
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "close-record");

  step = "phone size";
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForFunction(() => [...document.querySelectorAll("svg.chart")].every((s) => Number(s.getAttribute("width")) <= 390));
  await fitsWidth();
  await shot("record-phone");

  step = "close the record with the keyboard";
  await page.locator("#close-record").focus();
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("#record").isHidden(), true);
  assert.equal(await page.locator("#record").evaluate((r) => r.children.length), 0, "the record is gone from the page");
  await fitsWidth();
  await page.click("#key-option summary");
  await fitsWidth();
  await shot("open-phone");
  await page.click("#key-option summary");

  step = "reference ranges and results outside them";
  await submit(rangedBundle, PASSPHRASE);
  await page.waitForSelector("#record:not([hidden])", { timeout: TIMEOUT });
  const ranged = page.locator("figure.trend");
  assert.equal(await ranged.count(), 1);
  const bounded = rangedTrend.points.filter((p) => p.low !== undefined && p.high !== undefined);
  const above = rangedTrend.points.filter((p) => p.value > p.high);
  assert.ok(bounded.length === 3 && above.length === 1, "the CLI sees the ranges of the ranged record");
  assert.equal(await ranged.locator(".range rect").count(), bounded.length, "a reference-range band per result");
  assert.equal(await ranged.locator(".point.high").count(), above.length, "results above the range are marked");
  assert.equal(await ranged.locator("tbody td:last-child", { hasText: "high" }).count(), above.length, "…and flagged in the table");
  assert.match(await ranged.locator("figcaption").textContent(), new RegExp(`${above.length} outside the reference range`));
  await shot("ranges-phone");

  step = "a bundle sealed to a key (the demo's own), opened with its key file";
  await page.click("#close-record");
  await page.click("#key-option summary");
  await page.setInputFiles("#file", path.join(work, "demo/patient-bundle.age"));
  await page.setInputFiles("#identity", path.join(work, "notes.txt"));
  await page.click("#open-button");
  await page.waitForFunction(() => /no age secret key/.test(document.getElementById("error").textContent), null, { timeout: TIMEOUT });
  await page.setInputFiles("#identity", path.join(work, "demo/demo.key"));
  await page.click("#open-button");
  await page.waitForSelector("#record:not([hidden])", { timeout: TIMEOUT });
  assert.ok((await page.locator("#record-heading").textContent()).includes(family));
  assert.equal(await page.locator("#problems li").count(), expected.problems.length);

  step = "the WebAssembly does not load";
  failWasm = true;
  await page.reload();
  await submit(bundle, PASSPHRASE);
  await page.waitForFunction(() => /could not start/.test(document.getElementById("error").textContent), null, { timeout: TIMEOUT });
  failWasm = false;
  // The 404 it caused is the one console message expected.
  const notFound = problems.filter((p) => /404/.test(p));
  assert.ok(notFound.length > 0, "the failed .wasm request was seen");
  problems.splice(0, problems.length, ...problems.filter((p) => !notFound.includes(p)));

  step = "requests";
  // The worker's own requests are seen too (else this check would prove nothing about them).
  for (const file of ["/worker.mjs", "/pkg/emr_wasm.mjs", "/pkg/emr_wasm_bg.wasm"]) {
    assert.ok(requests.includes(`${origin}${file}`), `${file} was requested from the local server`);
  }
  assert.deepEqual(leaks(requests, outside, [origin]), [], "requests outside the local server");
  assert.deepEqual(problems, [], "page errors or console messages");
} catch (e) {
  failed = true;
  await reportFailure(page, step, e, problems, "failure.png");
} finally {
  await closeBrowser();
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log(
  `ok - viewer: ${expected.problems.length} problems, ${expected.medications.length} medications, ` +
    `${expected.allergies.length} allergies, ${expected.immunizations} immunizations, ${expected.encounters} visits, ` +
    `${trends.length} charts (${trends.map((t) => `${t.name}: ${t.points.length}`).join(", ")}); ` +
    `${requests.length} requests, all to ${origin}`,
);
console.log(`screenshots: ${artifacts}/{record-desktop,record-phone,wrong-passphrase-desktop,damaged-file-desktop,open-phone,ranges-phone}.png`);
