// Type-checked with `tsc --noEmit` against the installed package (scripts/test-wasm.sh), under
// both `nodenext` and `bundler` module resolution: the generated declarations must describe the API
// precisely (no `any`), and misuse must not type-check (each @ts-expect-error must be an error).
import {
  addEntry,
  addEntryJson,
  checkCode,
  compareIdentity,
  conflicts,
  conflictsJson,
  demographics,
  draftEntry,
  expandCode,
  knownSystem,
  reconcile,
  reconcileJson,
  shortenCode,
  view,
  viewJson,
  currentLists,
  currentListsJson,
  fromFhir,
  fromFhirJson,
  isEmrError,
  merge,
  mergeJson,
  openBundle,
  openBundleJson,
  sealBundle,
  sealBundleJson,
  summary,
  summaryJson,
  timeline,
  timelineJson,
  toFhir,
  toFhirJson,
  toIps,
  toIpsJson,
  toNdjson,
  toNdjsonJson,
  trend,
  trendJson,
  validate,
  validateJson,
  version,
  type AddedEntry,
  type CodeCheck,
  type ConflictSides,
  type CurrentLists,
  type Decision,
  type Demographics,
  type EntryDraft,
  type IdentityCheck,
  type View,
  type EmrError,
  type EmrErrorCode,
  type EmrRecord,
  type Entry,
  type Finding,
  type Imported,
  type MergeReport,
  type Merged,
  type OpenedBundle,
  type Severity,
  type Source,
  type Summary,
  type TimelineEvent,
  type Trend,
  type TrendPoint,
  type ViewItem,
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

// The functions that mirror the core's clinical rules.
const who: Demographics | null = demographics(record);
const bornOn = who?.birthDate;
const theView: View = view(record);
const viewKinds: string[] = viewJson(JSON.stringify(record)).items.map((i) => i.kind);
const disputes: ConflictSides[] = [...conflicts(record), ...conflictsJson("{}")];
const sideValues = disputes.flatMap((c) => c.sides.map((s) => s.value));
const decision: Decision = { conflict: disputes[0]?.conflict.id ?? "", clinician: "Dr. Lee", accept: 1 };
const decided: EmrRecord = reconcile(record, decision);
const decidedText: string = reconcileJson("{}", { conflict: "x", clinician: "Dr. Lee", edit: "{}", recorded: new Date() });
const same: IdentityCheck = compareIdentity([record, decided]);
const samePerson: boolean = same.samePerson;
const a1cDraft: EntryDraft = { kind: "observation", code: "loinc|4548-4", value: "6.30", unit: "%" };
const resourceText: string = draftEntry(a1cDraft, { id: "o1" });
const added: AddedEntry = addEntry(record, a1cDraft, { source: "home", newVersion: true, now: new Date() });
const addedText: string = addEntryJson("{}", a1cDraft).recordJson;
const checked: CodeCheck | null = checkCode("loinc|4548-4");
const system: string | undefined = knownSystem("loinc")?.uri;
const codeTexts: string[] = [expandCode("loinc|4548-4"), shortenCode("http://loinc.org|4548-4")];

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
    case "timestamp.syntax":
      return "pass an RFC 3339 date-time or a valid Date";
    case "fhir.syntax":
    case "fhir.shape":
      return "pass FHIR R4 JSON: a resource or a Bundle";
    case "record.patient.missing":
      return "import a Patient first";
    case "merge.identity":
      return "review the records; merge with { force: true } only if they are one person";
    case "bundle.key":
      return "give a passphrase, age recipients or an age identity";
    case "bundle.passphrase":
      return "try the passphrase again";
    case "bundle.format":
    case "bundle.corrupt":
      return "choose the bundle file again";
    case "bundle.work":
      return "the bundle asks for too much work to open";
    case "shl.link":
    case "shl.key":
    case "shl.url":
    case "shl.flags":
    case "shl.label":
    case "shl.version":
      return "check that the whole link was copied";
    case "shl.expired":
      return "ask for a new link";
    case "shl.file":
    case "shl.manifest":
    case "shl.decrypt":
    case "shl.size":
      return "the link's file does not open with its key";
    case "shl.request":
      return "say who asks (recipient)";
    case "ccda.syntax":
    case "ccda.doctype":
    case "ccda.size":
    case "ccda.shape":
      return "choose a C-CDA document (XML)";
    case "draft.code":
    case "draft.date":
    case "draft.abatement":
    case "draft.value":
    case "draft.unit":
    case "draft.field":
      return "fix the draft's field";
    case "add.patient":
    case "add.source":
      return "add a clinical entry, from a named source";
    case "add.exists":
      return "give another id, or { newVersion: true }";
    case "add.invalid":
      return "fix the entry, or { allowInvalid: true }";
    case "reconcile.conflict":
    case "reconcile.settled":
    case "reconcile.side":
    case "reconcile.type":
    case "reconcile.settles":
    case "reconcile.entry":
    case "reconcile.clinician":
      return "list the open conflicts again";
    case "internal":
      return "report a bug";
    default: {
      const unknown: never = code;
      return unknown;
    }
  }
}

// The FHIR, merge, query and bundle functions, and their result types.
const imported: Imported = fromFhir('{"resourceType":"Patient"}', { now: new Date(), defaultSource: source });
const fromObject: EmrRecord = fromFhir({ resourceType: "Bundle", type: "collection" }).record;
const importedJson: string = fromFhirJson("{}", { now: "2026-01-01T00:00:00Z" }).recordJson;
const fhirText: string = toFhir(record, { timestamp: new Date(), view: true }) + toFhirJson(importedJson);
const ipsText: string = toIps(record, { timestamp: "2026-01-01T00:00:00Z" }) + toIpsJson(importedJson);
const ndjson: { [resourceType: string]: string } = toNdjson(record);
const ndjsonLines: string | undefined = toNdjsonJson(importedJson)["Patient"];
const merged: Merged = merge([imported.record, fromObject], { force: false });
const mergeReport: MergeReport = mergeJson([importedJson, importedJson]).report;
const events: TimelineEvent[] = [...timeline(merged.record), ...timelineJson(importedJson)];
const labels: string[] = events.map((e) => `${e.time} ${e.kind} ${e.label} ×${e.reportedBy}`);
const hba1c: Trend = trend(merged.record, "http://loinc.org|4548-4");
const points: TrendPoint[] = [...hba1c.points, ...trendJson(importedJson, "4548-4").points];
const values: number[] = points.map((p) => p.value + (p.low ?? 0) + (p.high ?? 0));
const lists: CurrentLists = currentLists(merged.record);
const allergies: ViewItem[] = [...lists.allergies, ...currentListsJson(importedJson).allergies];
const resourceTypes: string[] = allergies.map((a) => a.resource.resourceType);
const shown: Summary = summary(merged.record);
const flags: (string | null | undefined)[] = [...shown.trends, ...summaryJson(importedJson).trends].flatMap((t) => t.points.map((p) => p.flag));
const reactions: string[] = shown.allergies.flatMap((a) => a.reactions ?? []);
const born: string | null | undefined = shown.patient?.birthDate;
const sealed: Uint8Array = sealBundle(merged.record, { passphrase: "correct horse", workFactor: 18 }, { timestamp: new Date() });
const sealedTo: Uint8Array = sealBundleJson(importedJson, { recipients: ["age1…"] });
const opened: OpenedBundle = openBundle(sealed, { passphrase: "correct horse" }, { now: new Date() });
const openedRecord: EmrRecord = opened.record;
const openedFhir: string = opened.fhir + openBundleJson(sealedTo, { identity: "AGE-SECRET-KEY-1…" }).recordJson;

export const uses = [fhirText, ipsText, ndjson, ndjsonLines, mergeReport, labels, values, resourceTypes, openedRecord, openedFhir];

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

// @ts-expect-error a decision accepts, rejects or edits: not two of them
reconcile(record, { conflict: "x", clinician: "Dr. Lee", accept: 1, reject: 2 });
// @ts-expect-error a draft has a kind
draftEntry({ code: "loinc|4548-4" });
// @ts-expect-error a draft's value is text, kept as written
addEntry(record, { kind: "observation", code: "loinc|4548-4", value: 6.3 });
// @ts-expect-error merge takes an array of records
merge(record);
// @ts-expect-error force is a boolean
merge([record], { force: "yes" });
// @ts-expect-error toFhir gives text, not an object
const bundleObject: { resourceType: string } = toFhir(record);
// @ts-expect-error a trend needs a code
trend(record);
// @ts-expect-error a key is a passphrase or recipients, not both
sealBundle(record, { passphrase: "x", recipients: ["age1…"] });
// @ts-expect-error recipients are strings
sealBundle(record, { recipients: "age1…" });
// @ts-expect-error openBundle takes bytes
openBundle("age-encryption.org/v1", { passphrase: "x" });
// @ts-expect-error an identity opens, recipients seal
openBundle(sealed, { recipients: ["age1…"] });
// @ts-expect-error the opened record is a record, not text
const openedText: string = opened.record;

export { noProvenance, noType, notPatient, fatal, made, n, bundleObject, openedText };
