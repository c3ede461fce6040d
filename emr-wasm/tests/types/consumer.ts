// Type-checked with `tsc --noEmit` against the installed package (scripts/test-wasm.sh), under
// both `nodenext` and `bundler` module resolution: the generated declarations must describe the API
// precisely (no `any`), and misuse must not type-check (each @ts-expect-error must be an error).
import {
  isEmrError,
  validate,
  validateJson,
  version,
  type EmrError,
  type EmrErrorCode,
  type EmrRecord,
  type Entry,
  type Finding,
  type Severity,
  type Source,
} from "@emr/wasm";

const source: Source = { id: "clinic-a", name: "Clinic A", kind: "organization" };
const entry: Entry = {
  provenance: { source: "clinic-a", id: "c1", version: 1, recorded: "2024-03-01" },
  resource: { resourceType: "Condition", id: "c1", onsetDateTime: "2020-05" },
};
const record: EmrRecord = {
  format: 1,
  patient: { resourceType: "Patient", id: "p1" },
  sources: [source],
  entries: [entry],
};

const findings: Finding[] = [
  ...validate(record, "2026-01-01T00:00:00Z"),
  ...validate(record, new Date()),
  ...validate(record),
  ...validateJson(JSON.stringify(record)),
  ...validateJson("{}", new Date()),
];
const severities: Severity[] = findings.map((f) => f.severity);
const where: string[] = findings.map((f) => `${f.code} ${f.path}: ${f.message}`);
const v: string = version();

/** Exhaustive over the generated union: adding a code to the Rust enum breaks this until handled. */
function advice(code: EmrErrorCode): string {
  switch (code) {
    case "input.type":
      return "pass an object (or a string to the *Json functions)";
    case "record.syntax":
      return "fix the JSON";
    case "record.shape":
      return "match the EmrRecord type";
    case "now.syntax":
      return "pass an RFC 3339 date-time or a valid Date";
    case "internal":
      return "report a bug";
    default: {
      const unknown: never = code;
      return unknown;
    }
  }
}

export let report: string[] = [v, ...severities, ...where];
try {
  validateJson("{");
} catch (e: unknown) {
  if (isEmrError(e)) {
    const error: EmrError = e;
    const name: "EmrError" = error.name;
    report = [name, advice(error.code), error.message];
  }
}

// @ts-expect-error a record is an object
validate(42);
// @ts-expect-error a record given as text goes to validateJson
validate('{"format":1}');
// @ts-expect-error now is a string or a Date
validate(record, 1767225600000);
// @ts-expect-error validateJson takes text
validateJson(record);
// @ts-expect-error an entry has provenance
const noProvenance: Entry = { resource: { resourceType: "Condition" } };
// @ts-expect-error a resource has a resourceType
const noType: Entry = { provenance: { source: "a", id: "x" }, resource: { id: "x" } };
// @ts-expect-error the record's patient is a Patient resource
const notPatient: EmrRecord = { patient: { resourceType: "Observation" } };
// @ts-expect-error severity is "error" or "warning"
const fatal: Severity = "fatal";
// @ts-expect-error codes are a closed union
const made: EmrErrorCode = "record.invalid";
// @ts-expect-error findings are read as data, their fields typed
const n: number = findings[0].code;

export { noProvenance, noType, notPatient, fatal, made, n };
