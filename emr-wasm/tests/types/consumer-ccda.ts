// `@emr/wasm/ccda` (C-CDA import, the package's third module), type-checked like consumer.ts.
import { fromCcda, fromCcdaJson, isEmrError, type EmrErrorCode, type EmrRecord, type Finding, type FromCcdaOptions, type Imported } from "@emr/wasm/ccda";
import { currentListsJson, type CurrentLists } from "@emr/wasm";

const options: FromCcdaOptions = { now: new Date(), defaultSource: { id: "clinic-a", name: "Clinic A", kind: "organization" } };
const imported: Imported = fromCcda('<ClinicalDocument xmlns="urn:hl7-org:v3"/>', options);
const record: EmrRecord = imported.record;
const findings: Finding[] = [...imported.findings, ...fromCcda(new Uint8Array([60]), { now: "2026-01-01T00:00:00Z" }).findings];
const recordJson: string = fromCcdaJson(new Uint8Array(0)).recordJson;
const lists: CurrentLists = currentListsJson(recordJson);

export function where(e: unknown): [EmrErrorCode, number | undefined, number | undefined] | undefined {
  return isEmrError(e) ? [e.code, e.line, e.column] : undefined;
}

// @ts-expect-error a document is text or bytes, not an object
fromCcda({ resourceType: "Bundle" });
// @ts-expect-error now is a string or a Date
fromCcdaJson("<x/>", { now: 1 });

export { record, findings, lists };
