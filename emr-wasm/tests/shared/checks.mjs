// The core checks of the @emr/wasm package, shared by the Node suite (tests/node/) and the headless
// Chromium page (tests/browser/): the same checks, on the same vectors, in both runtimes.
// Plain ES module without Node or DOM APIs; a failed check throws an Error.

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

function sameJson(actual, expected, what) {
  assert(
    JSON.stringify(actual) === JSON.stringify(expected),
    `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
  );
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

/**
 * The core checks, each `{ name, run(emr, expect) }`; `expect.version` is the package version.
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
