#!/usr/bin/env node
// End-to-end test of SMART Health Links: `emr share` → `emr share serve` on 127.0.0.1 → the
// viewer in headless Chromium.
//
//   node examples/viewer/test/shl-e2e.mjs      (run by scripts/test-viewer.sh, which builds what it needs)
//
// Environment: as e2e.mjs (VIEWER_DIR, EMR, CHROMIUM, ARTIFACTS).
//
// The demo record is shared with a passcode (3 attempts) behind the viewer's URL. The page opens
// the link from its fragment, asks for the passcode, refuses a wrong one (the host counts it),
// then shows the patient's current problems, medications and allergies as `emr lists` has them.
// The link is then killed by wrong passcodes (the host answers 404 even to the right one), and
// still opens offline from its manifest.json with no request to the host. A link that has
// expired is refused by the page (and by the host). Fails on any request to another origin than
// the viewer's and the two hosts', any page error and any console message.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve } from "../serve.mjs";
import { launch, leaks, paths, reportFailure, watch } from "./browser.mjs";

const { viewerDir, emr, artifacts } = paths;
const PASSCODE = "4711-tulip";
const RECIPIENT = "Clinic B (e2e)";
const TIMEOUT = 60_000;

const work = mkdtempSync(path.join(tmpdir(), "emr-shl-e2e-"));
const cli = (args) => execFileSync(emr, args, { cwd: work, stdio: ["ignore", "pipe", "pipe"] }).toString();

/** A free TCP port on 127.0.0.1 (the host's URL must be known before `emr share` writes the link). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const hosts = [];
/** `emr share serve DIR` on `port`, once it accepts connections. */
async function host(dir, port) {
  const child = spawn(emr, ["share", "serve", dir, "--addr", `127.0.0.1:${port}`], { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  hosts.push(child);
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const socket = connect(port, "127.0.0.1", () => resolve(socket.end() && true)).on("error", () => resolve(false));
    });
    if (up) return { origin: `http://127.0.0.1:${port}`, log: () => stderr };
    if (child.exitCode !== null) throw new Error(`emr share serve exited: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`emr share serve did not start: ${stderr}`);
}

// ---- 1. The record, what the viewer must show, and the shares ---------------------------------

cli(["demo", "--out", "demo"]);
const key = ["-i", "demo/demo.key"];
const lists = JSON.parse(cli(["lists", "demo/ehr.emr", ...key, "--json"]));
const concept = (r) => r.code ?? r.medicationCodeableConcept;
const conceptLabel = (r) => concept(r)?.text ?? concept(r)?.coding?.find((c) => c.display)?.display;
const expected = Object.fromEntries(["problems", "medications", "allergies"].map((l) => [l, lists[l].map(({ resource }) => conceptLabel(resource)).toSorted()]));
assert.ok(expected.problems.length && expected.medications.length && expected.allergies.length, "the demo record has current lists");

const viewer = await serve(viewerDir);
writeFileSync(path.join(work, "pin.txt"), `${PASSCODE}\n`);
const [port1, port2] = [await freePort(), await freePort()];
cli(["share", "demo/ehr.emr", ...key, "--url", `http://127.0.0.1:${port1}/s`, "--passcode-file", "pin.txt", "--passcode-attempts", "3",
  "--label", "Summary for Clinic B", "--viewer", `${viewer.origin}/`, "--no-qr", "-o", "share"]);
const link = readFileSync(path.join(work, "share/link.txt"), "utf8").trim();
assert.ok(link.startsWith(`${viewer.origin}/#shlink:/`), link);
const host1 = await host("share", port1);
// Expires a few seconds from now: made while valid, opened once it is not.
const expires = new Date(Date.now() + 4_000).toISOString().replace(/\.\d+Z$/, "Z");
cli(["share", "demo/ehr.emr", ...key, "--url", `http://127.0.0.1:${port2}/s`, "--expires", expires, "--no-qr", "-o", "expiring"]);
const expiringLink = readFileSync(path.join(work, "expiring/link.txt"), "utf8").trim();
const host2 = await host("expiring", port2);
const allowed = [viewer.origin, host1.origin, host2.origin];

// ---- 2. The page -------------------------------------------------------------------------------

const { context, close: closeBrowser } = await launch();
// The host's 401 and 404 answers are logged by Chromium as failed loads: expected, and checked.
const { page, requests, outside, problems, shot } = await watch(context, allowed, { expectedConsole: /status of (401|404)/ });

let step = "start";
const linkError = (pattern) => page.waitForFunction((p) => new RegExp(p).test(document.getElementById("link-error").textContent), pattern.source, { timeout: TIMEOUT });
const toHost = () => requests.filter((u) => u.startsWith(`${host1.origin}/`)).length;

async function submitPasscode(passcode) {
  await page.fill("#passcode", passcode);
  await page.press("#passcode", "Enter");
}

let failed = false;
try {
  step = "open the link from the page's fragment: the page asks for the passcode";
  await page.goto(link);
  await page.waitForSelector("#passcode-field:not([hidden])", { timeout: TIMEOUT });
  assert.equal(await page.evaluate(() => document.activeElement.id), "passcode");
  assert.equal(await page.evaluate(() => location.hash), "", "the link is taken out of the address bar");
  assert.equal(await page.locator("#link-label").textContent(), "“Summary for Clinic B”");
  assert.equal(toHost(), 0, "nothing is asked of the host before the passcode is typed");
  await page.fill("#recipient", RECIPIENT);
  await shot("shl-passcode-desktop");

  step = "a wrong passcode is refused, with the attempts left";
  await submitPasscode("0000");
  await linkError(/Wrong passcode.*2 attempts are left/);
  assert.equal(await page.locator("#record").isHidden(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), "passcode");
  await shot("shl-wrong-passcode-desktop");

  step = "the right passcode: the patient's current problems, medications and allergies";
  await submitPasscode(PASSCODE);
  await page.waitForSelector("#record:not([hidden])", { timeout: TIMEOUT });
  for (const list of ["problems", "medications", "allergies"]) {
    const labels = await page.locator(`#${list} li .label`).allTextContents();
    assert.deepEqual(labels.toSorted(), expected[list], `${list}: emr lists' items`);
  }
  await shot("shl-record-desktop");
  assert.match(readFileSync(path.join(work, "share/access.log"), "utf8"), new RegExp(`manifest recipient="${RECIPIENT.replace(/[()]/g, "\\$&")}" status=200`));

  step = "after the attempt limit the link is dead, even with the right passcode";
  await page.click("#close-record");
  await page.fill("#link", link);
  await page.click("#link-button");
  await page.waitForSelector("#passcode-field:not([hidden])", { timeout: TIMEOUT });
  await submitPasscode("1111");
  await linkError(/1 attempt is left/);
  await submitPasscode("2222");
  await linkError(/No attempts are left: the link is now disabled/);
  await submitPasscode(PASSCODE);
  await linkError(/no longer active/);
  assert.equal(await page.locator("#record").isHidden(), true);
  await shot("shl-disabled-desktop");

  step = "offline: the link and its manifest.json, no request to the host";
  const before = toHost();
  await page.fill("#passcode", "");
  await page.click("#offline-option summary");
  await page.setInputFiles("#shl-file", path.join(work, "share/manifest.json"));
  await page.click("#link-button");
  await page.waitForSelector("#record:not([hidden])", { timeout: TIMEOUT });
  assert.equal(toHost(), before, "the offline open asked the host");
  assert.deepEqual((await page.locator("#problems li .label").allTextContents()).toSorted(), expected.problems);

  step = "a file of another link is refused";
  await page.click("#close-record");
  await page.fill("#link", link);
  await page.setInputFiles("#shl-file", path.join(work, "expiring/ips.jwe"));
  await page.click("#link-button");
  await linkError(/does not open with this link's key/);

  step = "an expired link is refused (by the page, and by its host)";
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(expires) + 1_500 - Date.now())));
  await page.setInputFiles("#shl-file", []);
  await page.fill("#link", expiringLink);
  await page.click("#link-button");
  await linkError(/has expired/);
  await shot("shl-expired-desktop");
  const url = JSON.parse(readFileSync(path.join(work, "expiring/share.json"), "utf8")).url;
  const answer = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ recipient: "e2e" }) });
  assert.equal(answer.status, 404, "the host serves an expired link");

  step = "phone size";
  await page.setViewportSize({ width: 390, height: 844 });
  await shot("shl-expired-phone");

  step = "requests";
  assert.ok(requests.includes(`${viewer.origin}/pkg/emr_wasm_shl_bg.wasm`), "the SMART Health Links module was loaded");
  assert.deepEqual(leaks(requests, outside, allowed), [], "requests outside the viewer and the link hosts");
  assert.deepEqual(problems, [], "page errors or console messages");
} catch (e) {
  failed = true;
  await reportFailure(page, step, e, problems, "shl-failure.png");
} finally {
  await closeBrowser();
  await viewer.close();
  for (const child of hosts) child.kill();
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exit(1);
console.log(
  `ok - SMART Health Links: emr share → emr share serve → viewer: ${expected.problems.length} problems, ` +
    `${expected.medications.length} medications, ${expected.allergies.length} allergies; wrong passcode refused, ` +
    `link dead after 3 attempts, opened offline, expired link refused; ${requests.length} requests, all to ${allowed.join(", ")}`,
);
console.log(`screenshots: ${artifacts}/shl-*.png`);
