// The core checks of the @emr/wasm package, shared by the Node suite (tests/node/) and the headless
// Chromium page (tests/browser/): the same checks, on the same vectors, in both runtimes.
// Plain ES module without Node or DOM APIs (Web Crypto and atob only, global in both); a failed
// check throws an Error (or rejects, for the async checks).

/** The validation time of every vector: `now()` of emr-core/tests/vectors.rs. */
export const NOW = "2026-01-01T00:00:00Z";

/** The JSON value of an insta snapshot file: its text after the `---`-delimited header. */
export function snapshotValue(snapshot) {
  const header = /^---\r?\n[\s\S]*?\r?\n---\r?\n/.exec(snapshot);
  if (!header) throw new Error("not an insta snapshot: no --- header");
  return JSON.parse(snapshot.slice(header[0].length));
}

/** The snapshot file name of a vector named `valid/x` or `invalid/x` (see emr-core/tests/vectors.rs). */
export function snapshotName(vector) {
  const [dir, stem] = vector.split("/");
  return `vectors__${dir}-${stem}.snap`;
}

/**
 * Vectors whose meaning does not survive `JSON.parse`, with the reason: through `validate` (record
 * objects) they cannot give the Rust result, which is why `validateJson` exists.
 */
export const LOST_IN_JSON_PARSE = {
  "invalid/json.key.duplicate": "JSON.parse keeps one of two duplicate keys",
};

/**
 * What one vector gives in this runtime, next to what Rust gave: `{ name, expected, viaJson,
 * viaObject }`. `viaObject` is omitted for the vectors of {@link LOST_IN_JSON_PARSE}.
 */
export function runVector(emr, { name, text, snapshot }) {
  const expected = snapshotValue(snapshot);
  const viaJson = emr.validateJson(text, NOW);
  const result = { name, expected, viaJson };
  if (!(name in LOST_IN_JSON_PARSE)) result.viaObject = emr.validate(JSON.parse(text), NOW);
  return result;
}

/** Throws unless `runVector`'s result agrees with the Rust snapshot. */
export function checkVector(result) {
  const expected = JSON.stringify(result.expected);
  if (JSON.stringify(result.viaJson) !== expected) {
    throw new Error(`${result.name}: validateJson gave ${JSON.stringify(result.viaJson)}, Rust gave ${expected}`);
  }
  if ("viaObject" in result && JSON.stringify(result.viaObject) !== expected) {
    throw new Error(`${result.name}: validate gave ${JSON.stringify(result.viaObject)}, Rust gave ${expected}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** A value's JSON with object members sorted: Rust's `serde_json::Value` sorts them, JS keeps order. */
function canonical(value) {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** Two JSON texts, or for long ones where they first differ, for a failure message. */
function difference(actual, expected) {
  if (actual.length + expected.length < 600) return `got ${actual}, expected ${expected}`;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  const around = (text) => text.slice(Math.max(0, at - 120), at + 120);
  return `they differ at character ${at}: got …${around(actual)}…, expected …${around(expected)}…`;
}

/** Equal values, whatever the order of object members (for results read from Rust's files). */
function sameValue(actual, expected, what) {
  const [a, e] = [canonical(actual), canonical(expected)];
  assert(a === e, `${what} (Rust's): ${difference(a, e)}`);
}

function sameJson(actual, expected, what) {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  assert(a === e, `${what}: ${difference(a, e)}`);
}

/** A patient's name, planted in bad input: no error message may repeat it. */
const SECRET = "Alexis Toy";

/** Calls `f`, which must throw an `EmrError` with `code`; returns the error. */
function expectEmrError(emr, f, code, what) {
  let thrown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  assert(thrown !== undefined, `${what}: did not throw`);
  assert(thrown instanceof Error, `${what}: threw a non-Error ${String(thrown)}`);
  assert(thrown.name === "EmrError", `${what}: threw ${thrown.name}: ${thrown.message}`);
  assert(thrown.code === code, `${what}: code ${thrown.code}, expected ${code} (${thrown.message})`);
  assert(emr.isEmrError(thrown), `${what}: isEmrError is false for the thrown error`);
  assert(typeof thrown.message === "string" && thrown.message.length > 0, `${what}: empty message`);
  assert(!thrown.message.includes("Alexis") && !thrown.message.includes("Toy"), `${what}: message repeats input`);
  return thrown;
}

/** A small record with one entry dated `onset`; valid but for what the date causes. */
function recordWithOnset(onset) {
  return {
    format: 1,
    patient: { resourceType: "Patient", id: "p1", birthDate: "1961-04" },
    sources: [{ id: "clinic-a", name: "Clinic A", kind: "organization" }],
    entries: [
      {
        provenance: { source: "clinic-a", id: "c1" },
        resource: {
          resourceType: "Condition",
          id: "c1",
          subject: { reference: "Patient/p1" },
          code: { coding: [{ system: "http://snomed.info/sct", code: "44054006" }] },
          onsetDateTime: onset,
        },
      },
    ],
  };
}

const codesOf = (findings) => findings.map((f) => f.code);

/** `{ sha256, bytes }` of a text's UTF-8 bytes, as emr-wasm/tests/expected.rs writes them. */
export async function digest(text) {
  const bytes = new TextEncoder().encode(text);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return { sha256: [...hash].map((b) => b.toString(16).padStart(2, "0")).join(""), bytes: bytes.length };
}

async function sameDigest(text, expected, what) {
  const actual = await digest(text);
  assert(
    actual.sha256 === expected.sha256 && actual.bytes === expected.bytes,
    `${what}: ${actual.bytes} bytes (sha256 ${actual.sha256}), Rust gave ${expected.bytes} bytes (sha256 ${expected.sha256})`,
  );
}

/** Bytes from base64 (how the browser runner serves the sealed bundles). */
export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * A clinic's FHIR `collection` Bundle about one patient (`mrn` tells patients apart): with
 * `full`, an active problem, medication and allergy and an encounter besides the immunization and
 * the glucose every clinic reports.
 */
export function clinicFhir({
  clinic = "a",
  mrn = "42",
  full = false,
  glucose = { value: 108, unit: "mg/dL", date: "2023-01-01" },
} = {}) {
  // Resource ids may repeat across clinics; full URLs name the server, so they do not.
  const subject = { reference: `urn:uuid:${clinic}-p1` };
  const entry = (id, resource) => ({ fullUrl: `urn:uuid:${clinic}-${id}`, resource: { id, ...resource } });
  const coded = (system, code, display) => ({ coding: [{ system, code, display }], text: display });
  const status = (code) => ({ coding: [{ system: "http://terminology.hl7.org/CodeSystem/condition-clinical", code }] });
  const entries = [
    entry("p1", {
      resourceType: "Patient",
      identifier: [{ system: "urn:oid:2.16.840.1.113883.4.1", value: mrn }],
      name: [{ family: "Toy", given: ["Alexis"] }],
      gender: "female",
      birthDate: "1961-04-02",
    }),
    entry("imm-1", {
      resourceType: "Immunization",
      status: "completed",
      vaccineCode: coded("http://hl7.org/fhir/sid/cvx", "140", "Influenza, seasonal"),
      patient: subject,
      occurrenceDateTime: "2020-10-01",
    }),
    entry("glu-1", {
      resourceType: "Observation",
      status: "final",
      category: [coded("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")],
      code: coded("http://loinc.org", "2339-0", "Glucose"),
      subject,
      effectiveDateTime: glucose.date,
      valueQuantity: { value: glucose.value, unit: glucose.unit, system: "http://unitsofmeasure.org", code: glucose.unit },
    }),
  ];
  if (full) {
    entries.push(
      entry("c-1", {
        resourceType: "Condition",
        clinicalStatus: status("active"),
        code: coded("http://snomed.info/sct", "44054006", "Diabetes mellitus type 2"),
        subject,
        onsetDateTime: "2015-06-01",
      }),
      entry("a-1", {
        resourceType: "AllergyIntolerance",
        clinicalStatus: { coding: [{ system: "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", code: "active" }] },
        criticality: "high",
        code: coded("http://snomed.info/sct", "91936005", "Penicillin allergy"),
        patient: subject,
      }),
      entry("m-1", {
        resourceType: "MedicationRequest",
        status: "active",
        intent: "order",
        medicationCodeableConcept: coded("http://www.nlm.nih.gov/research/umls/rxnorm", "860975", "Metformin 500 MG"),
        subject,
        authoredOn: "2015-06-01",
      }),
      entry("e-1", {
        resourceType: "Encounter",
        status: "finished",
        class: { system: "http://terminology.hl7.org/CodeSystem/v3-ActCode", code: "AMB" },
        type: [{ text: "Check-up" }],
        subject,
        period: { start: "2024-05-02T09:00:00Z", end: "2024-05-02T09:30:00Z" },
      }),
    );
  }
  return { resourceType: "Bundle", type: "collection", entry: entries };
}

/** A clinic's record, imported by the package itself. */
function clinicRecord(emr, id, fhirOptions) {
  return emr.fromFhir(clinicFhir(fhirOptions), { defaultSource: { id, name: id }, now: NOW }).record;
}

/** Two clinics' records of one patient: A with everything, B re-reporting the dose, glucose in mmol/L. */
export function twoClinics(emr) {
  return [
    clinicRecord(emr, "clinic-a", { full: true }),
    clinicRecord(emr, "clinic-b", { clinic: "b", glucose: { value: 5.5, unit: "mmol/L", date: "2024-01-01" } }),
  ];
}

/**
 * The core checks, each `{ name, run(emr, expect) }` (some async); `expect` is what
 * `data.mjs`'s `loadExpect` gives: the package version, the demo clinics and Rust's results.
 * Every exported function and every error code is covered.
 */
export const coreChecks = [
  {
    name: "version() is the package version",
    run(emr, expect) {
      assert(emr.version() === expect.version, `version() is ${emr.version()}, package.json says ${expect.version}`);
      assert(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(emr.version()), "version() is not semver");
    },
  },
  {
    name: "validate() returns plain findings",
    run(emr) {
      const findings = emr.validate(recordWithOnset("1955-06-01"), NOW);
      assert(Array.isArray(findings), "findings are not an array");
      sameJson(findings, [
        {
          severity: "error",
          code: "date.before-birth",
          path: "/entries/0/resource/onsetDateTime",
          message: "onsetDateTime: clinical event is dated before the patient's birth",
        },
      ], "findings");
      assert(Object.getPrototypeOf(findings[0]) === Object.prototype, "a finding is not a plain object");
      sameJson(emr.validate(recordWithOnset("2001-02-03"), NOW), [], "findings of a valid record");
    },
  },
  {
    name: "validateJson() agrees with validate()",
    run(emr) {
      for (const onset of ["1955-06-01", "2001-02-03", "2030-01-01"]) {
        const record = recordWithOnset(onset);
        sameJson(emr.validateJson(JSON.stringify(record), NOW), emr.validate(record, NOW), `onset ${onset}`);
      }
    },
  },
  {
    name: "validateJson() sees decimals and duplicate keys as written",
    run(emr) {
      const text = JSON.stringify(recordWithOnset("2001-02-03")).replace(
        '"onsetDateTime":"2001-02-03"',
        '"onsetDateTime":"2001-02-03","onsetDateTime":"2002-02-03"',
      );
      assert(codesOf(emr.validateJson(text, NOW)).includes("json.key.duplicate"), "duplicate key not reported");
      assert(!codesOf(emr.validate(JSON.parse(text), NOW)).includes("json.key.duplicate"), "JSON.parse kept it?");
    },
  },
  {
    name: "now: an RFC 3339 string, a Date, or the current time when omitted",
    run(emr) {
      const record = recordWithOnset("2090-01-01"); // in the future until 2090
      for (const now of [undefined, null]) {
        assert(codesOf(emr.validate(record, now)).includes("date.future"), `now ${now}: 2090 is not future`);
      }
      assert(codesOf(emr.validate(record)).includes("date.future"), "omitted now: 2090 is not future");
      assert(codesOf(emr.validateJson(JSON.stringify(record))).includes("date.future"), "validateJson, omitted now");
      for (const now of ["2100-01-01T00:00:00Z", "2100-01-01T01:00:00+01:00", new Date("2100-01-01T00:00:00Z")]) {
        sameJson(emr.validate(record, now), [], `now ${String(now)}`);
        sameJson(emr.validateJson(JSON.stringify(record), now), [], `validateJson, now ${String(now)}`);
      }
      assert(codesOf(emr.validate(record, new Date("2080-01-01T00:00:00Z"))).includes("date.future"), "Date 2080");
    },
  },
  {
    name: "errors: input.type for arguments of the wrong JS type",
    run(emr) {
      const cyclic = { format: 1 };
      cyclic.self = cyclic;
      const cases = [
        [() => emr.validate(), "validate()"],
        [() => emr.validate(null), "validate(null)"],
        [() => emr.validate(42), "validate(42)"],
        [() => emr.validate(SECRET), "validate(string)"],
        [() => emr.validate([]), "validate([])"],
        [() => emr.validate(cyclic), "validate(cyclic)"],
        [() => emr.validate({ format: 1n }), "validate(BigInt)"],
        [() => emr.validate({}, 42), "validate(record, 42)"],
        [() => emr.validate({}, {}), "validate(record, {})"],
        [() => emr.validateJson(), "validateJson()"],
        [() => emr.validateJson({ format: 1 }), "validateJson(object)"],
        [() => emr.validateJson(42), "validateJson(42)"],
        [() => emr.validateJson("{}", 42), "validateJson(text, 42)"],
      ];
      for (const [f, what] of cases) expectEmrError(emr, f, "input.type", what);
    },
  },
  {
    name: "errors: record.syntax for text that is not JSON",
    run(emr) {
      for (const text of ["", "{", `{"format":1,"patient":{"name":"${SECRET}"`, `"${SECRET}`, "nul", "{}}"]) {
        expectEmrError(emr, () => emr.validateJson(text, NOW), "record.syntax", `validateJson(${JSON.stringify(text)})`);
      }
      const e = expectEmrError(emr, () => emr.validateJson("{\n  x", NOW), "record.syntax", "position");
      assert(/line 2, column/.test(e.message), `no position in: ${e.message}`);
    },
  },
  {
    name: "errors: record.shape for JSON that is not a record",
    run(emr) {
      const records = [
        { format: SECRET },
        { entries: 5 },
        { sources: [{ name: SECRET }] },
        { entries: [{ provenance: { source: "a", id: "x" }, resource: { id: SECRET } }] },
        { patient: [SECRET] },
      ];
      for (const record of records) {
        expectEmrError(emr, () => emr.validate(record, NOW), "record.shape", `validate(${JSON.stringify(record)})`);
        const text = JSON.stringify(record);
        expectEmrError(emr, () => emr.validateJson(text, NOW), "record.shape", `validateJson(${text})`);
      }
      expectEmrError(emr, () => emr.validateJson("42", NOW), "record.shape", "validateJson('42')");
    },
  },
  {
    name: "errors: now.syntax for a bad now",
    run(emr) {
      for (const now of ["yesterday", "2026-01-01", "2026-01-01T00:00:00", "", new Date(Number.NaN)]) {
        expectEmrError(emr, () => emr.validate({}, now), "now.syntax", `validate(record, ${String(now)})`);
        expectEmrError(emr, () => emr.validateJson("{}", now), "now.syntax", `validateJson(text, ${String(now)})`);
      }
    },
  },
  {
    name: "fromFhir() imports a Bundle (text or object) into a record, with findings",
    run(emr) {
      const fhir = clinicFhir({ full: true });
      const options = { defaultSource: { id: "clinic-a", name: "Clinic A" }, now: NOW };
      const imported = emr.fromFhir(fhir, options);
      sameJson(Object.keys(imported), ["record", "findings"], "result members");
      const { record, findings } = imported;
      assert(Array.isArray(findings), "findings are not an array");
      assert(record.patient?.resourceType === "Patient", "no patient");
      sameJson(record.sources.map((s) => s.id), ["clinic-a"], "sources");
      sameJson(
        record.entries.map((e) => e.resource.resourceType).sort(),
        ["AllergyIntolerance", "Condition", "Encounter", "Immunization", "MedicationRequest", "Observation"],
        "entry types",
      );
      assert(record.entries.every((e) => e.provenance.source === "clinic-a"), "entries not attributed to the default source");
      sameJson(emr.fromFhir(JSON.stringify(fhir), options), imported, "text and object give different records");
      sameJson(emr.validate(record, NOW).filter((f) => f.severity === "error"), [], "the imported record has errors");
      // Without a default source the import names one itself.
      assert(emr.fromFhir(fhir, { now: NOW }).record.sources.length === 1, "no source without defaultSource");
      // A single resource imports too.
      const one = emr.fromFhir({ resourceType: "Patient", id: "x" }, { now: NOW });
      assert(one.record.patient?.id === "x" && one.record.entries.length === 0, "a lone Patient");
    },
  },
  {
    name: "fromFhirJson() keeps decimals as written",
    run(emr) {
      const text = JSON.stringify(clinicFhir()).replace('"value":108', '"value":108.10');
      const { recordJson, findings } = emr.fromFhirJson(text, { now: NOW });
      assert(typeof recordJson === "string" && recordJson.includes('"value":108.10'), "decimal not kept");
      sameJson(findings, emr.fromFhir(text, { now: NOW }).findings, "findings of the twins");
      sameJson(JSON.parse(recordJson), emr.fromFhir(text, { now: NOW }).record, "records of the twins");
    },
  },
  {
    name: "toFhir(), toIps(), toNdjson() export as FHIR JSON text",
    run(emr) {
      const record = clinicRecord(emr, "clinic-a", { full: true });
      const timestamp = "2026-01-01T00:00:00Z";
      const text = emr.toFhir(record, { timestamp });
      assert(typeof text === "string", "toFhir gives text");
      const bundle = JSON.parse(text);
      assert(bundle.resourceType === "Bundle" && bundle.type === "collection", "not a collection Bundle");
      assert(bundle.timestamp === timestamp, `timestamp ${bundle.timestamp}`);
      const types = bundle.entry.map((e) => e.resource.resourceType);
      assert(types.includes("Provenance") && types.includes("Patient"), `entries: ${types}`);
      assert(emr.toFhir(record, { timestamp: new Date(timestamp) }) === text, "a Date timestamp differs");
      assert(emr.toFhirJson(JSON.stringify(record), { timestamp }) === text, "toFhirJson differs");
      // Imported back, it is the same record.
      sameJson(emr.fromFhir(text, { now: NOW }).record.entries, record.entries, "round trip");
      const view = JSON.parse(emr.toFhir(record, { timestamp, view: true }));
      assert(view.type === "collection", "view bundle");

      const ips = JSON.parse(emr.toIps(record, { timestamp }));
      assert(ips.type === "document" && ips.entry[0].resource.resourceType === "Composition", "not an IPS document");
      assert(emr.toIpsJson(JSON.stringify(record), { timestamp }) === JSON.stringify(ips), "toIpsJson differs");

      const ndjson = emr.toNdjson(record, { timestamp });
      const keys = Object.keys(ndjson);
      sameJson(keys, [...keys].sort(), "resource types in order");
      for (const [type, lines] of Object.entries(ndjson)) {
        assert(lines.endsWith("\n"), `${type}: no final newline`);
        for (const line of lines.trimEnd().split("\n")) assert(JSON.parse(line).resourceType === type, `${type} line`);
      }
      assert(ndjson.Condition.split("\n").length === 2, "one Condition line");
      sameJson(emr.toNdjsonJson(JSON.stringify(record), { timestamp }), ndjson, "toNdjsonJson differs");
    },
  },
  {
    name: "merge() folds what two clinics both report, deterministically",
    run(emr) {
      const [a, b] = twoClinics(emr);
      const merged = emr.merge([a, b]);
      sameJson(Object.keys(merged), ["record", "report"], "result members");
      const { record, report } = merged;
      sameJson(record.sources.map((s) => s.id).sort(), ["clinic-a", "clinic-b"], "sources");
      const doses = report.folded.filter((f) => f.kind === "immunization");
      assert(doses.length === 1 && doses[0].members.length === 2, `folded: ${JSON.stringify(report.folded)}`);
      assert(report.identity.forced === false, "forced");
      assert(typeof report.summary === "string" && report.viewItems > 0, "summary");
      sameJson(emr.merge([b, a]), merged, "the input order matters");
      const viaJson = emr.mergeJson([JSON.stringify(a), JSON.stringify(b)]);
      sameJson(Object.keys(viaJson), ["recordJson", "report"], "mergeJson members");
      sameJson(viaJson.report, report, "mergeJson report");
      sameJson(JSON.parse(viaJson.recordJson), record, "mergeJson record");
      // Merging the result with itself changes nothing.
      sameJson(emr.merge([record, record]).record, record, "idempotence");
    },
  },
  {
    name: "merge() refuses different patients (merge.identity) unless forced",
    run(emr) {
      const a = clinicRecord(emr, "clinic-a");
      const other = clinicRecord(emr, "clinic-b", { clinic: "b", mrn: "43" });
      const e = expectEmrError(emr, () => emr.merge([a, other]), "merge.identity", "merge of different patients");
      assert(/force/.test(e.message), `no advice in: ${e.message}`);
      expectEmrError(emr, () => emr.mergeJson([JSON.stringify(a), JSON.stringify(other)]), "merge.identity", "mergeJson");
      const forced = emr.merge([a, other], { force: true });
      assert(forced.report.identity.forced === true, "not reported as forced");
    },
  },
  {
    name: "timeline(), trend(), currentLists() read the clinical view",
    run(emr) {
      const { record } = emr.merge(twoClinics(emr));
      const events = emr.timeline(record);
      const times = events.map((e) => e.time);
      assert(events.length >= 4, `${events.length} events`);
      const dose = events.find((e) => e.kind === "immunization");
      assert(dose?.reportedBy === 2 && dose.label === "Influenza, seasonal", `dose: ${JSON.stringify(dose)}`);
      const check = events.find((e) => e.kind === "encounter");
      assert(check?.label === "Check-up", "encounter label");
      sameJson(times, [...times].sort((x, y) => Date.parse(x) - Date.parse(y)), "timeline order");
      sameJson(emr.timelineJson(JSON.stringify(record)), events, "timelineJson");

      const glucose = emr.trend(record, "http://loinc.org|2339-0");
      assert(glucose.unit === "mmol/L" && glucose.label === "Glucose", `trend: ${JSON.stringify(glucose)}`);
      assert(glucose.points.length === 2 && glucose.unconvertible === 0, "two points");
      assert(glucose.points[1].value === 5.5, "the latest value is in its own unit");
      assert(glucose.points[0].value > 5 && glucose.points[0].value < 7, "108 mg/dL converted to mmol/L");
      sameJson(emr.trend(record, "2339-0"), { ...glucose, code: "2339-0" }, "a bare code");
      sameJson(emr.trendJson(JSON.stringify(record), "2339-0"), emr.trend(record, "2339-0"), "trendJson");
      sameJson(emr.trend(record, "0000-0").points, [], "an absent code");

      const lists = emr.currentLists(record);
      sameJson(Object.keys(lists), ["problems", "medications", "allergies"], "lists");
      sameJson([lists.problems.length, lists.medications.length, lists.allergies.length], [1, 1, 1], "list sizes");
      assert(lists.allergies[0].resource.criticality === "high", "allergy resource");
      assert(lists.problems[0].representative.source === "clinic-a", "representative");
      sameJson(emr.currentListsJson(JSON.stringify(record)), lists, "currentListsJson");
    },
  },
  {
    name: "sealBundle() and openBundle(): passphrase and recipients, errors",
    run(emr, expect) {
      const { record } = emr.merge(twoClinics(emr));
      const key = { passphrase: "tulip-harbor-93", workFactor: 10 };
      const sealed = emr.sealBundle(record, key, { timestamp: NOW });
      assert(sealed instanceof Uint8Array, "sealBundle gives a Uint8Array");
      const header = new TextDecoder().decode(sealed.slice(0, 80));
      assert(header.startsWith("age-encryption.org/v1\n-> scrypt ") && /-> scrypt \S+ 10\n/.test(header), header);
      const opened = emr.openBundle(sealed, { passphrase: key.passphrase }, { now: NOW });
      sameJson(Object.keys(opened), ["fhir", "record", "findings"], "opened members");
      assert(JSON.parse(opened.fhir).entry[0].resource.type === "document", "the IPS is not first");
      sameJson(opened.record.sources.map((s) => s.id).sort(), ["clinic-a", "clinic-b"], "sources back");
      sameJson(emr.currentLists(opened.record), emr.currentLists(record), "the current lists of the opened record");
      sameJson(emr.timeline(opened.record).length, emr.timeline(record).length, "timeline of the opened record");
      const json = emr.openBundleJson(sealed, { passphrase: key.passphrase }, { now: NOW });
      sameJson(Object.keys(json), ["fhir", "recordJson", "findings"], "openBundleJson members");
      sameJson(JSON.parse(json.recordJson), opened.record, "openBundleJson record");
      const viaJson = emr.sealBundleJson(JSON.stringify(record), key, { timestamp: NOW });
      sameJson(emr.openBundle(viaJson, key).record, opened.record, "sealBundleJson");

      // Recipients: any of their identities opens it.
      const toRecipient = emr.sealBundle(record, { recipients: [expect.bundles.recipient] });
      assert(/-> X25519 /.test(new TextDecoder().decode(toRecipient.slice(0, 80))), "no X25519 stanza");
      sameJson(emr.openBundle(toRecipient, { identity: expect.bundles.identity }, { now: NOW }).record, opened.record, "identity");

      const wrong = expectEmrError(emr, () => emr.openBundle(sealed, { passphrase: SECRET }), "bundle.passphrase", "wrong passphrase");
      assert(/wrong passphrase/.test(wrong.message), wrong.message);
      expectEmrError(emr, () => emr.openBundle(toRecipient, { passphrase: "x" }), "bundle.passphrase", "passphrase for recipients");
      expectEmrError(emr, () => emr.openBundle(sealed.slice(0, sealed.length - 40), key), "bundle.corrupt", "truncated");
      const flipped = sealed.slice();
      flipped[flipped.length - 100] ^= 1;
      expectEmrError(emr, () => emr.openBundle(flipped, key), "bundle.corrupt", "altered");
      expectEmrError(emr, () => emr.openBundle(new TextEncoder().encode(`{"name":"${SECRET}"}`), key), "bundle.format", "not age");
      expectEmrError(emr, () => emr.openBundle(new Uint8Array(0), key), "bundle.corrupt", "empty");
      expectEmrError(emr, () => emr.openBundle(toRecipient, { identity: SECRET }), "bundle.key", "bad identity");
      for (const [bad, what] of [
        [{}, "no key"],
        [{ passphrase: "x", recipients: [] }, "both"],
        [{ passphrase: "" }, "empty passphrase"],
        [{ passphrase: "x", workFactor: 0 }, "work factor 0"],
        [{ passphrase: "x", workFactor: 23 }, "work factor 23"],
        [{ passphrase: "x", workFactor: 10.5 }, "fractional work factor"],
        [{ recipients: [] }, "no recipients"],
        [{ recipients: [SECRET] }, "bad recipient"],
      ]) {
        expectEmrError(emr, () => emr.sealBundle(record, bad), "bundle.key", `sealBundle key ${what}`);
      }
      expectEmrError(emr, () => emr.openBundle(sealed, { passphrase: "x", identity: "y" }), "bundle.key", "open with both");
      expectEmrError(emr, () => emr.sealBundle({ format: 1, entries: [] }, key), "record.patient.missing", "no patient");
    },
  },
  {
    name: "errors: fhir.syntax, fhir.shape, record.patient.missing, timestamp.syntax, input.type of the new functions",
    run(emr) {
      for (const text of ["", "{", `{"resourceType":"Patient","name":"${SECRET}"`, "[1,]"]) {
        expectEmrError(emr, () => emr.fromFhir(text), "fhir.syntax", `fromFhir(${JSON.stringify(text)})`);
        expectEmrError(emr, () => emr.fromFhirJson(text), "fhir.syntax", `fromFhirJson(${JSON.stringify(text)})`);
      }
      const e = expectEmrError(emr, () => emr.fromFhir("{\n  x"), "fhir.syntax", "position");
      assert(/line 2, column/.test(e.message), `no position in: ${e.message}`);
      for (const fhir of [{ name: SECRET }, { resourceType: 42 }, "42", `"${SECRET}"`]) {
        expectEmrError(emr, () => emr.fromFhir(fhir), "fhir.shape", `fromFhir(${JSON.stringify(fhir)})`);
      }
      const record = recordWithOnset("2001-02-03");
      expectEmrError(emr, () => emr.toIps({ format: 1, entries: [] }), "record.patient.missing", "toIps without patient");
      expectEmrError(emr, () => emr.toIpsJson("{}"), "record.patient.missing", "toIpsJson without patient");
      for (const timestamp of ["yesterday", "2026-01-01", new Date(Number.NaN)]) {
        for (const f of [emr.toFhir, emr.toIps, emr.toNdjson]) {
          expectEmrError(emr, () => f(record, { timestamp }), "timestamp.syntax", `${f.name}(record, ${String(timestamp)})`);
        }
      }
      expectEmrError(emr, () => emr.fromFhir("{}", { now: "yesterday" }), "now.syntax", "fromFhir options.now");
      expectEmrError(emr, () => emr.openBundle(new Uint8Array(1), { passphrase: "x" }, { now: "soon" }), "now.syntax", "openBundle now");
      const cases = [
        [() => emr.fromFhir(), "fromFhir()"],
        [() => emr.fromFhir(42), "fromFhir(42)"],
        [() => emr.fromFhir([]), "fromFhir([])"],
        [() => emr.fromFhir("{}", 42), "fromFhir(text, 42)"],
        [() => emr.fromFhir("{}", { defaultSource: SECRET }), "defaultSource string"],
        [() => emr.fromFhir("{}", { defaultSource: { name: SECRET } }), "defaultSource without id"],
        [() => emr.fromFhir("{}", { now: 42 }), "fromFhir now 42"],
        [() => emr.toFhir(SECRET), "toFhir(string)"],
        [() => emr.toFhir(record, { view: "yes" }), "toFhir view"],
        [() => emr.toFhir(record, { timestamp: 42 }), "toFhir timestamp 42"],
        [() => emr.toFhirJson(record), "toFhirJson(object)"],
        [() => emr.toIps(), "toIps()"],
        [() => emr.toNdjson(null), "toNdjson(null)"],
        [() => emr.merge(), "merge()"],
        [() => emr.merge(record), "merge(record)"],
        [() => emr.merge([record, 42]), "merge([record, 42])"],
        [() => emr.merge([record], { force: "yes" }), "merge force"],
        [() => emr.merge([record], 42), "merge options"],
        [() => emr.mergeJson([record]), "mergeJson([object])"],
        [() => emr.timeline([]), "timeline([])"],
        [() => emr.timelineJson(42), "timelineJson(42)"],
        [() => emr.trend(record), "trend(record)"],
        [() => emr.trend(record, 42), "trend(record, 42)"],
        [() => emr.trendJson("{}"), "trendJson(text)"],
        [() => emr.currentLists("{}"), "currentLists(string)"],
        [() => emr.currentListsJson({}), "currentListsJson(object)"],
        [() => emr.sealBundle(record), "sealBundle(record)"],
        [() => emr.sealBundle(record, { recipients: "age1" }), "recipients string"],
        [() => emr.sealBundle(record, { recipients: [42] }), "recipients [42]"],
        [() => emr.sealBundle(record, { passphrase: 42 }), "passphrase 42"],
        [() => emr.openBundle(), "openBundle()"],
        [() => emr.openBundle("age-encryption.org/v1", { passphrase: "x" }), "openBundle(string)"],
        [() => emr.openBundle([1, 2], { passphrase: "x" }), "openBundle(array)"],
        [() => emr.openBundle(new Uint8Array(1)), "openBundle(bytes)"],
        [() => emr.openBundle(new Uint8Array(1), { identity: 42 }), "identity 42"],
      ];
      for (const [f, what] of cases) expectEmrError(emr, f, "input.type", what);
      expectEmrError(emr, () => emr.merge([{ format: SECRET }]), "record.shape", "merge shape");
      const shape = expectEmrError(emr, () => emr.merge([{}, { entries: 5 }]), "record.shape", "merge shape 2");
      assert(shape.message.startsWith("records[1] "), shape.message);
      expectEmrError(emr, () => emr.mergeJson(["{}", "{"]), "record.syntax", "mergeJson syntax");
      expectEmrError(emr, () => emr.timelineJson("{"), "record.syntax", "timelineJson syntax");
    },
  },
  {
    name: "demo clinics: fromFhirJson and mergeJson give Rust's bytes; the view's reads give Rust's values",
    async run(emr, expect) {
      const demo = expect.demo.expected;
      const a = emr.fromFhirJson(expect.demo.clinicA, { now: NOW });
      const b = emr.fromFhirJson(expect.demo.clinicB, { now: NOW });
      await sameDigest(a.recordJson, demo.inputs["clinic-a.json"].record, "clinic-a record");
      await sameDigest(b.recordJson, demo.inputs["clinic-b.json"].record, "clinic-b record");
      sameValue(a.findings, demo.inputs["clinic-a.json"].findings, "clinic-a findings");
      sameValue(b.findings, demo.inputs["clinic-b.json"].findings, "clinic-b findings");
      const { recordJson, report } = emr.mergeJson([a.recordJson, b.recordJson]);
      await sameDigest(recordJson, demo.merged.record, "merged record");
      sameValue(report, demo.merged.report, "merge report");
      sameJson(emr.mergeJson([b.recordJson, a.recordJson]).recordJson, recordJson, "input order");
      sameValue(emr.timelineJson(recordJson), demo.merged.timeline, "timeline");
      sameValue(emr.trendJson(recordJson, demo.merged.trend.code), demo.merged.trend.value, "trend");
      sameValue(emr.currentListsJson(recordJson), demo.merged.currentLists, "current lists");
      sameValue(emr.summaryJson(recordJson), demo.merged.summary, "summary");
      const timestamp = NOW;
      const exports = demo.merged.exports;
      await sameDigest(emr.toFhirJson(recordJson, { timestamp }), exports.fhir, "toFhirJson");
      await sameDigest(emr.toIpsJson(recordJson, { timestamp }), exports.ips, "toIpsJson");
      const ndjson = emr.toNdjsonJson(recordJson, { timestamp });
      sameJson(Object.keys(ndjson), Object.keys(exports.ndjson), "NDJSON resource types");
      for (const [type, text] of Object.entries(ndjson)) await sameDigest(text, exports.ndjson[type], `${type}.ndjson`);
      // Through objects: the same values (JSON.parse may only drop decimals' trailing zeros).
      const merged = emr.merge([JSON.parse(a.recordJson), JSON.parse(b.recordJson)]);
      sameValue(merged.report, demo.merged.report, "merge() report");
      sameValue(emr.timeline(merged.record), demo.merged.timeline, "timeline() of merge()");
    },
  },
  {
    name: "bundles sealed by emr-core (passphrase at work factor 18; X25519) open in wasm to Rust's record",
    async run(emr, expect) {
      const { bundles } = expect;
      const cases = [
        ["demo-passphrase.age", { passphrase: bundles.passphrase }, /-> scrypt \S+ 18\n/],
        ["demo-recipient.age", { identity: bundles.identity }, /-> X25519 /],
      ];
      for (const [file, key, stanza] of cases) {
        const bytes = fromBase64(bundles.sealed[file]);
        assert(stanza.test(new TextDecoder().decode(bytes.slice(0, 120))), `${file}: unexpected header`);
        const opened = emr.openBundleJson(bytes, key, { now: NOW });
        const expected = bundles.opened[file];
        await sameDigest(opened.recordJson, expected.record, `${file} record`);
        await sameDigest(opened.fhir, expected.fhir, `${file} FHIR`);
        await sameDigest(JSON.stringify(opened.findings), expected.findings, `${file} findings`);
      }
      expectEmrError(emr, () => emr.openBundle(fromBase64(bundles.sealed["demo-passphrase.age"]), { passphrase: SECRET }), "bundle.passphrase", "Rust bundle, wrong passphrase");
    },
  },
  {
    name: "the core's clinical rules: view, conflicts, reconcile, demographics, compareIdentity, draftEntry, addEntry and code checks give emr-core's results",
    async run(emr, expect) {
      const m = expect.mirror;
      const a = emr.fromFhirJson(expect.demo.clinicA, { now: NOW }).recordJson;
      const b = emr.fromFhirJson(expect.demo.clinicB, { now: NOW }).recordJson;
      const { recordJson } = emr.mergeJson([a, b]);
      const record = JSON.parse(recordJson);
      // The view and the conflicts hold FHIR resources: compared as Rust wrote them, by digest.
      const view = emr.viewJson(recordJson);
      assert(view.items.length === m.viewItems, `view: ${view.items.length} items, Rust ${m.viewItems}`);
      assert(view.items.every((i) => i.members.length >= 1 && i.resource.resourceType), "view items have members and a resource");
      const conflicts = emr.conflictsJson(recordJson);
      assert(conflicts.length === m.conflictCount, `conflicts: ${conflicts.length}, Rust ${m.conflictCount}`);
      sameJson(emr.conflicts(record).map((c) => c.conflict.id), conflicts.map((c) => c.conflict.id), "conflicts() and conflictsJson()");
      const side = conflicts[0].sides[0];
      assert(side.entry && typeof side.value === "string" && side.resource.resourceType, "a side has its entry, value and resource");
      sameValue(emr.demographicsJson(recordJson), m.demographics, "demographics");
      sameValue(emr.demographics(record), m.demographics, "demographics()");
      sameJson(emr.demographics({ format: 1, sources: [], entries: [] }), null, "demographics without a patient");
      sameValue(emr.compareIdentityJson([a, b]), m.identity, "compareIdentity of the two clinics");
      sameValue(emr.compareIdentity([JSON.parse(a), JSON.parse(b)]), m.identity, "compareIdentity() of objects");
      // Reconcile: the same decision gives Rust's record, byte for byte.
      const r = m.reconcile;
      const decision = { conflict: r.conflict, clinician: r.clinician, accept: r.accept, recorded: r.recorded };
      const decided = emr.reconcileJson(recordJson, decision);
      await sameDigest(decided, r.record, "reconcileJson");
      const after = emr.conflictsJson(decided);
      assert(!after.some((c) => c.conflict.id === r.conflict && !c.settled), "the conflict is no longer open");
      const settled = after.find((c) => c.settled);
      assert(settled?.conflict.resolution === "clinician", "the settled conflict is listed, resolved by the clinician");
      expectEmrError(emr, () => emr.reconcileJson(decided, { ...decision, conflict: settled.conflict.id }), "reconcile.settled", "settling twice");
      expectEmrError(emr, () => emr.reconcile(record, { ...decision, conflict: SECRET }), "reconcile.conflict", "unknown conflict");
      expectEmrError(emr, () => emr.reconcile(record, { ...decision, accept: 99 }), "reconcile.side", "side 99");
      expectEmrError(emr, () => emr.reconcile(record, { ...decision, accept: undefined, edit: { resourceType: "Patient", name: [{ family: SECRET }] } }), "reconcile.type", "edit of another type");
      expectEmrError(emr, () => emr.reconcile(record, { ...decision, reject: 1 }), "input.type", "accept and reject");
      expectEmrError(emr, () => emr.reconcile(record, { ...decision, clinician: " " }), "input.type", "no clinician");
      expectEmrError(emr, () => emr.reconcile(record, { ...decision, accept: undefined, edit: `{"name":"${SECRET}"` }), "fhir.syntax", "edit not JSON");
      expectEmrError(emr, () => emr.reconcile(record, { ...decision, recorded: SECRET }), "timestamp.syntax", "recorded");
      // A drafted entry: the resource emr add writes, the value as written.
      const d = m.drafted;
      sameJson(emr.draftEntry(m.draft, { id: d.id, patientId: d.patientId }), d.resource, "draftEntry");
      assert(/^[0-9a-f]{32}$/.test(JSON.parse(emr.draftEntry(m.draft)).id), "draftEntry's default id");
      // Without an id, the core's default (the same as `emr add` gives: emr-cli/tests/add_id.rs).
      sameJson(JSON.parse(emr.draftEntry(m.draft, { patientId: d.patientId })).id, d.defaultId, "draftEntry's default id is the core's");
      const byDefault = emr.addEntryJson(recordJson, m.draft, { now: NOW });
      sameJson(byDefault.entry.id, m.added.defaultId, "addEntry's default id is the core's");
      expectEmrError(emr, () => emr.addEntryJson(byDefault.recordJson, m.draft, { now: NOW }), "add.exists", "the same draft twice without an id");
      const added = emr.addEntryJson(recordJson, m.draft, { id: m.added.id, now: NOW });
      await sameDigest(added.recordJson, m.added.record, "addEntryJson");
      sameValue(added.entry, m.added.entry, "addEntry's entry");
      sameValue(added.findings, m.added.findings, "addEntry's findings");
      assert(added.recordJson.includes('"value":6.30'), "the draft's value is kept as written");
      expectEmrError(emr, () => emr.addEntryJson(added.recordJson, m.draft, { id: m.added.id, now: NOW }), "add.exists", "the same id twice");
      const next = emr.addEntryJson(added.recordJson, m.draft, { id: m.added.id, now: NOW, newVersion: true });
      assert(next.entry.version === 2, "newVersion adds version 2");
      const future = { ...m.draft, date: "2999-01-01" };
      expectEmrError(emr, () => emr.addEntry(record, future, { now: NOW }), "add.invalid", "a future date");
      assert(emr.addEntry(record, future, { now: NOW, allowInvalid: true }).findings.some((f) => f.code === "date.future"), "allowInvalid keeps the finding");
      const draftErrors = [
        [{ ...m.draft, code: SECRET }, "draft.code"],
        [{ ...m.draft, date: SECRET }, "draft.date"],
        [{ ...m.draft, value: SECRET }, "draft.value"],
        [{ ...m.draft, value: undefined }, "draft.unit"],
        [{ ...m.draft, criticality: "high" }, "draft.field"],
        [{ kind: "condition", code: "snomed|44054006", abatement: SECRET }, "draft.abatement"],
      ];
      for (const [draft, code] of draftErrors) {
        expectEmrError(emr, () => emr.draftEntry(draft), code, `draftEntry ${code}`);
        expectEmrError(emr, () => emr.addEntry(record, draft), code, `addEntry ${code}`);
      }
      expectEmrError(emr, () => emr.addEntry(record, m.draft, { source: " " }), "add.source", "empty source");
      expectEmrError(emr, () => emr.draftEntry({ kind: "diagnosis", code: SECRET }), "input.type", "unknown kind");
      // Code checks.
      for (const c of m.codes) {
        sameJson(emr.expandCode(c.text), c.expanded, `expandCode(${c.text})`);
        sameJson(emr.shortenCode(c.text), c.shortened, `shortenCode(${c.text})`);
        sameValue(emr.checkCode(c.text), c.check, `checkCode(${c.text})`);
      }
      sameJson(emr.knownSystem("LOINC"), { uri: "http://loinc.org", name: "LOINC", shortName: "loinc" }, "knownSystem by short name");
      sameJson(emr.knownSystem("http://snomed.info/sct")?.shortName, "snomed", "knownSystem by URI");
      sameJson(emr.knownSystem("http://example.org"), null, "an unknown system");
      expectEmrError(emr, () => emr.checkCode(42), "input.type", "checkCode(42)");
    },
  },
  {
    name: "isEmrError() tells this package's errors from others",
    run(emr) {
      const impostor = new Error("x");
      impostor.name = "EmrError";
      impostor.code = "no.such.code";
      const lookalike = { name: "EmrError", code: "record.shape", message: "x" };
      for (const value of [new Error("x"), new TypeError("x"), impostor, lookalike, null, undefined, "EmrError", 42]) {
        assert(emr.isEmrError(value) === false, `isEmrError(${String(value)}) is true`);
      }
      const real = expectEmrError(emr, () => emr.validateJson("{"), "record.syntax", "validateJson('{')");
      assert(emr.isEmrError(real) === true, "isEmrError(real) is false");
    },
  },
  {
    name: "the instance stays usable after errors",
    run(emr) {
      for (let i = 0; i < 200; i++) {
        try {
          emr.validateJson("{".repeat(i % 7), NOW);
        } catch {
          // expected
        }
      }
      sameJson(emr.validate(recordWithOnset("2001-02-03"), NOW), [], "findings after 200 errors");
    },
  },
];

/**
 * The checks of the SMART Health Links module (`@emr/wasm/shl`), each `{ name, run(emr, expect) }`
 * where `emr` has the functions of both modules (`{ ...main, ...shl }`): the IPS comes from the
 * main one. Every function of the module and every `shl.*` code is covered.
 */
export const shlChecks = [
  {
    name: "SMART Health Links: createShl and encryptShlFile give emr-core's bytes for the same key and IV",
    async run(emr, expect) {
      const shl = expect.shl;
      const recordJson = emr.mergeJson([
        emr.fromFhirJson(expect.demo.clinicA, { now: NOW }).recordJson,
        emr.fromFhirJson(expect.demo.clinicB, { now: NOW }).recordJson,
      ]).recordJson;
      const ips = emr.toIpsJson(recordJson, { timestamp: NOW });
      await sameDigest(ips, shl.ips, "the demo IPS");
      const key = Uint8Array.from(shl.keyBytes);
      const iv = Uint8Array.from(shl.iv);
      const options = { key, iv, label: shl.label, expires: new Date(shl.expires), passcode: true };
      const created = emr.createShl(ips, shl.url, options);
      assert(created.link === shl.link, `link: ${created.link}, Rust: ${shl.link}`);
      sameValue(created.payload, shl.payload, "payload");
      assert(created.file === shl.file, "createShl's file differs from emr-core's JWE");
      await sameDigest(created.manifest, shl.manifest, "manifest");
      const viewer = emr.createShl(ips, shl.url, { ...options, expires: shl.expires, viewer: "https://viewer.example/" });
      assert(viewer.link === shl.viewerLink, `viewer link: ${viewer.link}`);
      assert(emr.encryptShlFile(ips, created.payload.key, { iv }) === shl.file, "encryptShlFile (key text) differs");
      assert(emr.encryptShlFile(new TextEncoder().encode(ips), key, { iv }) === shl.file, "encryptShlFile (bytes) differs");
      const plain = emr.encryptShlFile(ips, key, { iv, deflate: false, contentType: "text/plain" });
      await sameDigest(plain, shl.filePlain, "encryptShlFile without zip");
      // Random keys and IVs (crypto.getRandomValues) when not given: never twice the same.
      const [r1, r2] = [emr.createShl(ips, shl.url), emr.createShl(ips, shl.url)];
      assert(r1.payload.key !== r2.payload.key && r1.payload.key.length === 43, "random keys");
      assert(r1.file.split(".")[2] !== r2.file.split(".")[2], "random IVs");
      assert(emr.encryptShlFile("x", key).split(".")[2] !== emr.encryptShlFile("x", key).split(".")[2], "random IVs");
      assert(emr.openShl(r1.link, r1.manifest).files[0].text === ips, "a random link opens");
    },
  },
  {
    name: "SMART Health Links: readShl, openShl and decryptShlFile open emr-core's and the IG's links and files",
    async run(emr, expect) {
      const shl = expect.shl;
      sameValue(emr.readShl(shl.link, { now: NOW }), shl.payload, "readShl");
      sameValue(emr.readShl(shl.viewerLink, { now: new Date(NOW) }), shl.payload, "readShl of a viewer link");
      sameValue(emr.readShl(shl.ig.link), shl.ig.payload, "readShl of the IG's link");
      sameValue(emr.readShl(shl.ig.viewerLink), shl.ig.payload, "readShl of the IG's viewer link");
      const manifest = JSON.stringify({ files: [{ contentType: "application/fhir+json", embedded: shl.file }] });
      await sameDigest(manifest, shl.manifest, "the manifest as JSON.stringify writes it");
      const opened = emr.openShl(shl.link, manifest, { now: NOW });
      sameValue(opened.payload, shl.payload, "openShl payload");
      assert(opened.files.length === 1 && opened.locations.length === 0, "openShl: one embedded file");
      const [file] = opened.files;
      assert(file.contentType === "application/fhir+json" && file.deflated === true, "file metadata");
      await sameDigest(file.text, shl.ips, "openShl's file");
      assert(file.data instanceof Uint8Array && file.data.length === shl.ips.bytes, "file data");
      await sameDigest(emr.openShl(shl.link, shl.file, { now: NOW }).files[0].text, shl.ips, "openShl of a JWE");
      await sameDigest(emr.openShl(shl.link, new TextEncoder().encode(manifest), { now: NOW }).files[0].text, shl.ips, "openShl of bytes");
      const located = JSON.stringify({ files: [{ contentType: "application/fhir+json", location: "https://shl.example.org/f/1" }] });
      sameJson(emr.openShl(shl.link, located, { now: NOW }).locations, [{ contentType: "application/fhir+json", location: "https://shl.example.org/f/1" }], "locations");
      await sameDigest(emr.decryptShlFile(shl.file, shl.payload.key).text, shl.ips, "decryptShlFile");
      const ig = emr.decryptShlFile(shl.ig.file, shl.ig.payload.key);
      assert(ig.contentType === shl.ig.fileContentType && ig.deflated === false, "the IG's JWE metadata");
      await sameDigest(ig.text, shl.ig.fileContent, "the IG's JWE (made by jose)");
      const binary = emr.decryptShlFile(emr.encryptShlFile(new Uint8Array([0xff, 0, 1]), shl.payload.key), shl.payload.key);
      assert(binary.text === null && binary.data.join() === "255,0,1", "binary content");
      sameJson(JSON.parse(emr.shlManifestRequest("Clinic B", { passcode: "1234" })), JSON.parse(shl.request), "shlManifestRequest");
      assert(emr.shlManifestRequest("Clinic B", { passcode: "1234" }) === shl.request, "shlManifestRequest bytes");
      sameJson(JSON.parse(emr.shlManifestRequest("X", { embeddedLengthMax: 100 })), { recipient: "X", embeddedLengthMax: 100 }, "embeddedLengthMax");
    },
  },
  {
    name: "SMART Health Links: every refusal has its shl.* code and no patient data in its message",
    run(emr, expect) {
      const shl = expect.shl;
      const key = shl.payload.key;
      const after = new Date(Date.parse(shl.expires) + 1000);
      expectEmrError(emr, () => emr.readShl(shl.link, { now: after }), "shl.expired", "expired");
      expectEmrError(emr, () => emr.openShl(shl.link, shl.file, { now: shl.expires }), "shl.expired", "expired at exp");
      expectEmrError(emr, () => emr.readShl(`https://example.org/${SECRET}`), "shl.link", "not a link");
      expectEmrError(emr, () => emr.readShl("shlink:/eyJ1cmwi!!"), "shl.link", "bad base64");
      const b64url = (text) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
      const link = (payload) => `shlink:/${b64url(JSON.stringify(payload))}`;
      expectEmrError(emr, () => emr.readShl(link({ url: "https://x.org/m", label: SECRET })), "shl.link", "no key");
      expectEmrError(emr, () => emr.readShl(link({ url: "https://x.org/m", key: "abc" })), "shl.key", "short key");
      expectEmrError(emr, () => emr.readShl(link({ url: "ftp://x.org/m", key })), "shl.url", "ftp url");
      expectEmrError(emr, () => emr.readShl(link({ url: "https://x.org/m", key, flag: "PU" })), "shl.flags", "P and U");
      expectEmrError(emr, () => emr.readShl(link({ url: "https://x.org/m", key, v: 2 })), "shl.version", "v 2");
      expectEmrError(emr, () => emr.readShl(link({ url: "https://x.org/m", key, label: SECRET.repeat(9) })), "shl.label", "long label");
      expectEmrError(emr, () => emr.createShl("{}", "https://x.org/m", { label: SECRET.repeat(9) }), "shl.label", "create: long label");
      expectEmrError(emr, () => emr.createShl("{}", `https://x.org/${"m".repeat(130)}`), "shl.url", "create: long url");
      expectEmrError(emr, () => emr.createShl("{}", SECRET), "shl.url", "create: bad url");
      expectEmrError(emr, () => emr.createShl("{}", "https://x.org/m", { passcode: true, direct: true }), "shl.flags", "create: P+U");
      expectEmrError(emr, () => emr.createShl("{}", "https://x.org/m", { key: new Uint8Array(31) }), "shl.key", "create: key 31 bytes");
      expectEmrError(emr, () => emr.createShl("{}", "https://x.org/m", { iv: new Uint8Array(16) }), "input.type", "create: iv 16 bytes");
      expectEmrError(emr, () => emr.createShl("{}", "https://x.org/m", { expires: "soon" }), "now.syntax", "create: expires");
      expectEmrError(emr, () => emr.decryptShlFile(shl.file, "A".repeat(43)), "shl.decrypt", "wrong key");
      const parts = shl.file.split(".");
      const flip = (s) => (s[10] === "A" ? s.slice(0, 10) + "B" + s.slice(11) : s.slice(0, 10) + "A" + s.slice(11));
      expectEmrError(emr, () => emr.decryptShlFile([parts[0], "", parts[2], flip(parts[3]), parts[4]].join("."), key), "shl.decrypt", "altered ciphertext");
      expectEmrError(emr, () => emr.decryptShlFile(parts.slice(0, 4).join("."), key), "shl.file", "truncated");
      const header = (h) => b64url(JSON.stringify(h));
      expectEmrError(emr, () => emr.decryptShlFile([header({ alg: "A256KW", enc: "A256GCM" }), ...parts.slice(1)].join("."), key), "shl.file", "alg");
      expectEmrError(emr, () => emr.decryptShlFile([header({ alg: "dir", enc: "A128GCM" }), ...parts.slice(1)].join("."), key), "shl.file", "enc");
      expectEmrError(emr, () => emr.decryptShlFile(shl.file, key, { maxBytes: 1000 }), "shl.size", "maxBytes");
      expectEmrError(emr, () => emr.openShl(shl.link, shl.file, { now: NOW, maxBytes: 10 }), "shl.size", "openShl maxBytes");
      expectEmrError(emr, () => emr.decryptShlFile(shl.file, "short"), "shl.key", "short key text");
      expectEmrError(emr, () => emr.openShl(shl.link, "{\"files\":[{\"contentType\":\"x\"}]}", { now: NOW }), "shl.manifest", "empty file entry");
      expectEmrError(emr, () => emr.openShl(shl.link, `{"files":"${SECRET}"}`, { now: NOW }), "shl.manifest", "bad manifest");
      expectEmrError(emr, () => emr.openShl(shl.link, SECRET, { now: NOW }), "shl.file", "not a JWE");
      expectEmrError(emr, () => emr.openShl(shl.ig.link, shl.file), "shl.decrypt", "another link's file");
      expectEmrError(emr, () => emr.shlManifestRequest(" "), "shl.request", "empty recipient");
      for (const [f, what] of [
        [() => emr.createShl(42, "https://x.org/m"), "createShl(42)"],
        [() => emr.createShl("{}", 42), "createShl url 42"],
        [() => emr.createShl("{}", "https://x.org/m", { passcode: "yes" }), "passcode 'yes'"],
        [() => emr.readShl(42), "readShl(42)"],
        [() => emr.openShl(shl.link), "openShl(link)"],
        [() => emr.decryptShlFile(shl.file, 42), "decryptShlFile key 42"],
        [() => emr.encryptShlFile("x"), "encryptShlFile no key"],
        [() => emr.shlManifestRequest("X", { embeddedLengthMax: -1 }), "embeddedLengthMax -1"],
        [() => emr.decryptShlFile(shl.file, key, { maxBytes: 1.5 }), "maxBytes 1.5"],
      ]) {
        expectEmrError(emr, f, "input.type", what);
      }
    },
  },
];

/** The C-CDA vectors' digests, compared with what emr-core gave natively (`expected/ccda*.json`). */
export async function checkCcdaVector(emr, text, want, now, what) {
  if ("error" in want) {
    expectEmrError(emr, () => emr.fromCcdaJson(text, { now }), want.error, what);
    return;
  }
  const { recordJson, findings } = emr.fromCcdaJson(text, { now });
  await sameDigest(recordJson, want.record, `${what}: record`);
  await sameDigest(JSON.stringify(findings), want.findings, `${what}: findings`);
  assert(JSON.parse(recordJson).entries.length === want.entries, `${what}: entries`);
}

/**
 * The checks of the C-CDA module (`@emr/wasm/ccda`), each `{ name, run(emr, expect) }` where
 * `emr` has the functions of both modules (`{ ...main, ...ccda }`). Every function of the module
 * and every `ccda.*` code is covered.
 */
export const ccdaChecks = [
  {
    name: "C-CDA: fromCcdaJson gives emr-core's bytes for every document of tests/data/ccda and ccda-invalid",
    async run(emr, expect) {
      const { expected, documents } = expect.ccda;
      sameJson(Object.keys(documents).sort(), Object.keys(expected.vectors).sort(), "the vectors");
      for (const [name, text] of Object.entries(documents)) await checkCcdaVector(emr, text, expected.vectors[name], expected.now, name);
    },
  },
  {
    name: "C-CDA: fromCcda gives the same record as an object, from text or bytes, and takes fromFhir's options",
    async run(emr, expect) {
      const text = expect.ccda.documents["ccda/CCD.xml"];
      const { now } = expect.ccda.expected;
      const json = emr.fromCcdaJson(text, { now });
      const object = emr.fromCcda(text, { now: new Date(now) });
      sameJson(object.record, JSON.parse(json.recordJson), "fromCcda's record");
      sameJson(object.findings, json.findings, "fromCcda's findings");
      const bytes = emr.fromCcdaJson(new TextEncoder().encode(text), { now });
      assert(bytes.recordJson === json.recordJson, "bytes and text give different records");
      const withBom = emr.fromCcdaJson(new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]), { now });
      assert(withBom.recordJson === json.recordJson, "a byte order mark changes the record");
      // The document's author organization is the source, unless the caller names one.
      assert(object.record.sources.length === 1 && object.record.sources[0].kind === "organization", "source");
      const source = { id: "clinic-x", name: "Clinic X", kind: "organization" };
      const given = emr.fromCcda(text, { now, defaultSource: source }).record;
      sameJson(given.sources, [source], "defaultSource");
      assert(given.entries.every((e) => e.provenance.source === "clinic-x"), "entries of defaultSource");
      // The document is kept verbatim, and the record goes on through the main module.
      assert(object.record.entries.some((e) => e.resource.resourceType === "DocumentReference"), "the DocumentReference");
      assert(emr.currentListsJson(json.recordJson).allergies.length > 0, "the main module reads the record");
      emr.fromCcda(text); // now: the current time
    },
  },
  {
    name: "C-CDA: every refusal has its ccda.* code, line and column, and no patient data in its message",
    run(emr, expect) {
      const codes = new Set();
      for (const r of expect.ccda.expected.refusals) {
        const input = "text" in r.input ? r.input.text : Uint8Array.from(r.input.bytes);
        for (const f of [emr.fromCcda, emr.fromCcdaJson]) {
          const e = expectEmrError(emr, () => f(input, { now: NOW }), r.code, r.what);
          assert(e.message === `ccda: ${r.message}`, `${r.what}: message ${e.message}, Rust: ${r.message}`);
          const position = r.line === null ? [undefined, undefined] : [r.line, r.column];
          sameJson([e.line, e.column], position, `${r.what}: line and column`);
        }
        codes.add(r.code);
      }
      sameJson([...codes].sort(), ["ccda.doctype", "ccda.shape", "ccda.size", "ccda.syntax"], "codes covered");
      const text = expect.ccda.documents["ccda/CCD.xml"];
      for (const [f, code, what] of [
        [() => emr.fromCcda(42), "input.type", "fromCcda(42)"],
        [() => emr.fromCcdaJson({ resourceType: "Patient" }), "input.type", "fromCcdaJson(object)"],
        [() => emr.fromCcda(text, { now: "yesterday" }), "now.syntax", "now"],
        [() => emr.fromCcda(text, { defaultSource: { name: SECRET } }), "input.type", "defaultSource without id"],
        [() => emr.fromCcda(text, "options"), "input.type", "options as a string"],
      ]) {
        expectEmrError(emr, f, code, what);
      }
    },
  },
];
