// One rule, three outputs: for the demo and every shared Synthea patient, the `emr` command (its
// `lists --json`, `trend --json` and IPS export), the npm package (in Node, on the same record,
// opened from the patient bundle the command exports) and the IPS sections name the same entries,
// predicate by predicate: active problems, current medications, active allergies, labs with their
// trend flags, and the patient's demographics. And a new entry without an id: `emr add` and the
// package's `addEntry` give it the same id (emr-core's default) and the same resource.
//
// The command is EMR_CLI (default target/debug/emr; scripts/test-wasm.sh builds it). The shared
// data (../shared/data/synthea) is skipped when absent, unless EMR_REQUIRE_SHARED_DATA is set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { emr, repo } from "./pkg.mjs";

const NOW = "2026-01-01T00:00:00Z";
const cli = path.resolve(process.env.EMR_CLI ?? path.join(repo, "target/debug/emr"));
const synthea = path.resolve(repo, "../shared/data/synthea");
/** IPS section LOINC codes of the three lists, and of lab results. */
const LISTS = { problems: "11450-4", medications: "10160-0", allergies: "48765-2" };
const RESULTS = "30954-2";
/** Lab codes whose trends are compared per Synthea patient (all of them for the demo): the CLI
 * opens the record once per trend, so this bounds the test's time. */
const TRENDS_PER_PATIENT = 4;

function run(args, dir) {
  return execFileSync(cli, args, { cwd: dir, encoding: "utf8", env: { ...process.env, EMR_PASSPHRASE: "" }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 });
}

/** A key (key.txt) and a record file (r.emr) made with the command in `dir`; `init` takes
 * `initArgs` too. Returns the key's recipient and identity. */
function newRecord(dir, initArgs = []) {
  run(["keygen", "-o", "key.txt"], dir);
  const keyText = readFileSync(path.join(dir, "key.txt"), "utf8");
  const recipient = /age1[0-9a-z]+/.exec(keyText)[0];
  const identity = keyText.split("\n").find((l) => l.startsWith("AGE-SECRET-KEY-1"));
  run(["init", "r.emr", "--recipient", recipient, ...initArgs], dir);
  return { recipient, identity };
}

/** The record of r.emr as the package opens it: exported by the command as a bundle to `key`. */
function packageRecord(dir, { recipient, identity }) {
  run(["export", "r.emr", "-i", "key.txt", "--format", "bundle", "-r", recipient, "-o", "b.age"], dir);
  return emr.openBundleJson(new Uint8Array(readFileSync(path.join(dir, "b.age"))), { identity }, { now: NOW }).recordJson;
}

/** A record file holding `inputs` imported with the command, and what each side says about it. */
function sides(inputs, trendCodes) {
  const dir = mkdtempSync(path.join(tmpdir(), "emr-agreement-"));
  try {
    const key = newRecord(dir);
    run(["import", "r.emr", "-i", "key.txt", ...inputs], dir);
    const lists = JSON.parse(run(["lists", "r.emr", "-i", "key.txt", "--json"], dir));
    run(["export", "r.emr", "-i", "key.txt", "--format", "ips", "-o", "ips.json"], dir);
    const ips = JSON.parse(readFileSync(path.join(dir, "ips.json"), "utf8"));
    const recordJson = packageRecord(dir, key);
    const codes = trendCodes(ips);
    const cliTrends = Object.fromEntries(codes.map((c) => [c, JSON.parse(run(["trend", "r.emr", c, "-i", "key.txt", "--json"], dir))]));
    return { lists, ips, recordJson, cliTrends };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The IPS resources of a section, by LOINC code: `[]` for an absent section; "no known" and
 * "no information" entries left out (they name no entry). */
function section(ips, loinc) {
  const byUrl = new Map(ips.entry.map((e) => [e.fullUrl, e.resource]));
  const composition = ips.entry[0].resource;
  const found = composition.section.find((s) => s.code.coding.some((c) => c.code === loinc));
  return (found?.entry ?? [])
    .map((r) => byUrl.get(r.reference))
    .filter((r) => !JSON.stringify(r).includes("absent-unknown-uv-ips"));
}

/** The entry of an IPS or list resource, as an entry id of its source: `Type/id`. */
const entryId = (resource) => `${resource.resourceType}/${resource.id}`;
const sorted = (values) => [...values].sort();

/** `system|code` of an observation's first coding. */
const obsCode = (o) => `${o.code.coding[0].system}|${o.code.coding[0].code}`;

/** The lab codes of the IPS results section, in order, without repeats. */
const labCodes = (ips) => [...new Set(section(ips, RESULTS).filter((o) => o.code?.coding?.[0]).map(obsCode))];

const FLAG = { H: "H", HH: "H", HU: "H", L: "L", LL: "L", LU: "L", A: "A", AA: "A" };

function checkAgreement(name, { lists, ips, recordJson, cliTrends }) {
  const wasmLists = emr.currentListsJson(recordJson);
  const summary = emr.summaryJson(recordJson);
  for (const [list, loinc] of Object.entries(LISTS)) {
    // The command and the package: the same items (what is shown and what is folded into it).
    assert.deepEqual(wasmLists[list], lists[list], `${name}: ${list}: the package's currentLists differ from emr lists --json`);
    // The IPS section: the same entries, by the resource each list item shows.
    const listed = sorted(lists[list].map((item) => entryId(item.resource)));
    const inIps = sorted(section(ips, loinc).map(entryId));
    assert.deepEqual(inIps, listed, `${name}: the IPS ${list} section and emr lists name different entries`);
    assert.equal(summary[list].length, listed.length, `${name}: the package's summary ${list}`);
  }
  // Labs and their flags: every IPS result is a point of its code's trend, the same in the command
  // and the package, flagged as the source interpreted it (where it did).
  const results = section(ips, RESULTS);
  for (const [code, cliTrend] of Object.entries(cliTrends)) {
    const wasmTrend = emr.trendJson(recordJson, code);
    assert.deepEqual(wasmTrend, cliTrend, `${name}: trend ${code}: the package differs from emr trend --json`);
    for (const o of results.filter((r) => r.code?.coding?.[0] && obsCode(r) === code)) {
      const point = wasmTrend.points.find((p) => p.entry.id.endsWith(`/${o.id}`));
      if (!o.valueQuantity) continue; // not a measurement: no point
      assert.ok(point, `${name}: the IPS result ${entryId(o)} (${code}) is no point of its trend`);
      const interpreted = FLAG[o.interpretation?.[0]?.coding?.[0]?.code];
      if (interpreted) assert.equal(point.flag, interpreted, `${name}: ${entryId(o)}: the trend's flag and the IPS interpretation differ`);
    }
  }
  // Demographics: the package's reading of the patient is what the IPS says of them.
  const demographics = emr.demographicsJson(recordJson);
  const patient = ips.entry.find((e) => e.resource.resourceType === "Patient").resource;
  assert.ok(demographics, `${name}: no demographics`);
  assert.equal(demographics.birthDate, patient.birthDate, `${name}: birth date`);
  assert.equal(demographics.gender, patient.gender, `${name}: gender`);
  assert.deepEqual(
    demographics.names.map((n) => [n.family, n.given ?? []]),
    (patient.name ?? []).map((n) => [n.family, n.given ?? []]),
    `${name}: names`,
  );
}

test("agreement tooling: the emr command is built", () => {
  assert.ok(existsSync(cli), `${cli} is missing: build it (cargo build -p emr-cli) or set EMR_CLI`);
});

test("the demo clinics: emr lists/trend, the package and the IPS name the same entries", () => {
  const demo = ["clinic-a.json", "clinic-b.json"].map((f) => path.join(repo, "examples/demo", f));
  const got = sides(demo, labCodes);
  assert.ok(Object.keys(got.cliTrends).length >= 5, "the demo's IPS has lab results");
  checkAgreement("demo", got);
});

test("the shared Synthea patients: emr lists/trend, the package and the IPS name the same entries", (t) => {
  if (!existsSync(synthea)) {
    assert.ok(!process.env.EMR_REQUIRE_SHARED_DATA, `shared data required (EMR_REQUIRE_SHARED_DATA) but not found at ${synthea}`);
    t.skip(`shared data not found at ${synthea}`);
    return;
  }
  const files = readdirSync(synthea)
    .filter((f) => f.endsWith(".json") && !f.includes("Information"))
    .sort();
  assert.ok(files.length >= 12, `${files.length} Synthea patients`);
  for (const file of files) {
    checkAgreement(file, sides([path.join(synthea, file)], (ips) => labCodes(ips).slice(0, TRENDS_PER_PATIENT)));
  }
});

test("a new entry without an id: emr add and the package's addEntry give it the same id and resource", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "emr-agreement-"));
  try {
    writeFileSync(path.join(dir, "patient.json"), JSON.stringify({ resourceType: "Patient", id: "p1", birthDate: "1970-03-02" }));
    const recordJson = packageRecord(dir, newRecord(dir, ["--patient", "patient.json"]));
    const draft = { kind: "observation", code: "loinc|4548-4", display: "Hemoglobin A1c", date: "2025-12-01", value: "6.30", unit: "%" };
    const flags = ["code", "display", "date", "value", "unit"].flatMap((f) => [`--${f}`, draft[f]]);
    const byCli = JSON.parse(run(["add", "r.emr", "-i", "key.txt", "--kind", "observation", ...flags, "--source", "local", "--now", NOW, "--print-json"], dir));
    const byPackage = emr.addEntryJson(recordJson, draft, { now: NOW });
    assert.match(byCli.provenance.id, /^[0-9a-f]{32}$/);
    assert.equal(byPackage.entry.id, byCli.provenance.id, "the default id");
    assert.equal(byPackage.entry.source, byCli.provenance.source, "the default source");
    const entry = JSON.parse(byPackage.recordJson).entries.find((e) => e.provenance.id === byPackage.entry.id);
    assert.deepEqual(entry.resource, byCli.resource, "the resource");
    // Added again, the same draft has the same id in the command too: refused without --new-version.
    assert.throws(() => run(["add", "r.emr", "-i", "key.txt", "--kind", "observation", ...flags, "--source", "local", "--now", NOW], dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
