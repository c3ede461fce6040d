// What the page shows, built in the worker from the @emr/wasm results: the record's clinical
// view (`currentLists`, `timeline`, `trend`) plus the patient's demographics. Plain data only
// (it crosses postMessage); the page renders it with render.mjs. The medicine (what is current,
// what folds together, unit conversions) is emr-core's; here we only pick fields to display.

/** The trends the viewer charts, in this order, when the record has measurements of them. */
export const TRENDS = [
  { code: "http://loinc.org|4548-4", name: "HbA1c" },
  { code: "http://loinc.org|2339-0", name: "Glucose" },
  { code: "http://loinc.org|85354-9", name: "Blood pressure" },
  { code: "http://loinc.org|8480-6", name: "Systolic blood pressure" },
  { code: "http://loinc.org|8462-4", name: "Diastolic blood pressure" },
  { code: "http://loinc.org|2093-3", name: "Total cholesterol" },
  { code: "http://loinc.org|18262-6", name: "LDL cholesterol" },
  { code: "http://loinc.org|2085-9", name: "HDL cholesterol" },
  { code: "http://loinc.org|38483-4", name: "Creatinine" },
  { code: "http://loinc.org|29463-7", name: "Body weight" },
  { code: "http://loinc.org|39156-5", name: "Body mass index" },
];

const refKey = (r) => `${r.source}\u0000${r.id}\u0000${r.version}`;

/** The first text of a CodeableConcept: its `text`, else a coding's `display`, else a code. */
function conceptText(cc) {
  if (!cc) return undefined;
  return cc.text ?? cc.coding?.find((c) => c.display)?.display ?? cc.coding?.find((c) => c.code)?.code;
}

function personName(patient) {
  const names = patient?.name ?? [];
  const n = names.find((x) => x.use === "official") ?? names.find((x) => x.use !== "old") ?? names[0];
  if (!n) return undefined;
  return n.text ?? [...(n.prefix ?? []), ...(n.given ?? []), n.family, ...(n.suffix ?? [])].filter(Boolean).join(" ");
}

function demographics(patient) {
  if (!patient) return null;
  const address = (patient.address ?? []).map((a) =>
    a.text ?? [...(a.line ?? []), a.city, a.state, a.postalCode, a.country].filter(Boolean).join(", "),
  );
  const phones = (patient.telecom ?? []).filter((t) => t.system === "phone" && t.value).map((t) => t.value);
  const identifiers = (patient.identifier ?? [])
    .filter((i) => i.value)
    .map((i) => ({ type: conceptText(i.type) ?? "Other identifier", value: i.value }));
  const languages = (patient.communication ?? []).map((c) => conceptText(c.language)).filter(Boolean);
  return {
    name: personName(patient) ?? "Unnamed patient",
    birthDate: patient.birthDate,
    gender: patient.gender,
    deceased: patient.deceasedDateTime ?? (patient.deceasedBoolean ? true : undefined),
    address,
    phones,
    languages,
    identifiers,
  };
}

/**
 * The page's data for an opened record.
 * @param emr the @emr/wasm module (`currentListsJson`, `timelineJson`, `trendJson`)
 * @param recordJson the record as JSON text (`openBundleJson(…).recordJson`): parsed once by each
 *   call, where the record-object variants would stringify it again for every call
 */
export function summarize(emr, recordJson) {
  const record = JSON.parse(recordJson);
  const events = emr.timelineJson(recordJson);
  const lists = emr.currentListsJson(recordJson);
  // Synthea's organization names end in " -" or "-": shown without it (as the CLI does).
  const sourceNames = new Map((record.sources ?? []).map((s) => [s.id, s.name?.trim().replace(/\s*-$/, "") || s.id]));
  const sources = (refs) => [...new Set(refs.map((r) => sourceNames.get(r.source) ?? r.source))].sort();
  // The core's label and time of each view item, by its representative.
  const byRef = new Map(events.map((e) => [refKey(e.entry), e]));

  const item = (v) => {
    const r = v.resource ?? {};
    const event = byRef.get(refKey(v.representative));
    const concept = r.code ?? r.medicationCodeableConcept ?? r.vaccineCode;
    const out = {
      label: event?.label ?? conceptText(concept) ?? v.kind,
      time: event?.time,
      sources: sources(v.members),
      changed: v.changed,
    };
    if (v.kind === "allergy") {
      out.criticality = r.criticality;
      out.reactions = [
        ...new Set((r.reaction ?? []).flatMap((x) => (x.manifestation ?? []).map(conceptText)).filter(Boolean)),
      ];
    }
    if (v.kind === "medication") out.dosage = r.dosageInstruction?.[0]?.text ?? r.dosage?.[0]?.text;
    return out;
  };
  const ofKind = (kind) =>
    events.filter((e) => e.kind === kind).map((e) => ({ label: e.label, time: e.time, sources: sources([e.entry]), reportedBy: e.reportedBy }));

  const trends = [];
  for (const { code, name } of TRENDS) {
    const t = emr.trendJson(recordJson, code);
    if (t.points.length > 0) trends.push({ ...t, name });
  }
  return {
    patient: demographics(record.patient),
    sources: [...sourceNames.values()].sort(),
    problems: lists.problems.map(item),
    medications: lists.medications.map(item),
    allergies: lists.allergies.map(item),
    immunizations: ofKind("immunization"),
    encounters: ofKind("encounter"),
    trends,
  };
}
