#!/usr/bin/env python3
"""Build the demo data in examples/demo/ from one shared Synthea patient (../shared/data).

Marcos Delagarza was seen at two organizations. Each becomes a clinic that exports its own FHIR
R4 Bundle: the patient as that clinic registered them (its own id and MRN; the SSN is shared), the
clinic's Organization, and the entries whose encounter it provided (allergies, which Synthea
does not tie to an encounter, belong to the primary clinic). Then real-world overlap: the second
clinic re-reports the first clinic's allergies (one with a higher criticality), active
medications and immunizations under its own ids (immunization dates as date-only), and the latest
glucose result in mmol/L. Resources are otherwise copied verbatim (Synthea, Apache-2.0).
"""
import collections, copy, json, pathlib, re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT.parent / "shared" / "data" / "synthea" / "Marcos_Delagarza_4acb6705-25a7-430a-b799-a4ad8d7fbb38.json"
OUT = ROOT / "examples" / "demo"


def refs(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "reference" and isinstance(x, str):
                yield x
            else:
                yield from refs(x)
    elif isinstance(v, list):
        for x in v:
            yield from refs(x)


def main():
    bundle = json.loads(SRC.read_text(encoding="utf-8"))
    entries = bundle["entry"]
    by_url = {e["fullUrl"]: e["resource"] for e in entries}
    patient = next(e for e in entries if e["resource"]["resourceType"] == "Patient")
    provider = {}
    for e in entries:
        r = e["resource"]
        if r["resourceType"] == "Encounter":
            provider[e["fullUrl"]] = r["serviceProvider"]["reference"]
    counts = collections.Counter(provider.values())
    (primary, _), (secondary, _) = counts.most_common(2)
    clinics = {primary: [], secondary: []}
    for e in entries:
        r = e["resource"]
        if r["resourceType"] in ("Patient", "Organization", "Practitioner"):
            continue
        enc = e["fullUrl"] if r["resourceType"] == "Encounter" else r.get("encounter", {}).get("reference")
        if r["resourceType"] in ("Claim", "ExplanationOfBenefit"):
            enc = next((x for x in refs(r) if x in provider), None)
        clinics[provider.get(enc, primary)].append(copy.deepcopy(e))

    # Overlap: clinic B re-reports what A told it, under its own ids.
    a, b = clinics[primary], clinics[secondary]
    raised = False
    for e in a:
        r = e["resource"]
        ty = r["resourceType"]
        active_med = ty == "MedicationRequest" and r.get("status") == "active"
        if ty not in ("AllergyIntolerance", "Immunization") and not active_med:
            continue
        c = copy.deepcopy(e)
        c["resource"]["id"] = "b-" + r["id"]
        c["fullUrl"] = "urn:uuid:b-" + r["id"]
        if ty == "Immunization":
            c["resource"]["occurrenceDateTime"] = r["occurrenceDateTime"][:10]
        if ty == "AllergyIntolerance" and not raised and r.get("criticality") == "low":
            c["resource"]["criticality"] = "high"
            raised = True
        b.append(c)
    glucose = [e for e in a if e["resource"]["resourceType"] == "Observation"
               and e["resource"]["code"]["coding"][0]["code"] == "2339-0"]
    if glucose:
        g = copy.deepcopy(glucose[-1])
        q = g["resource"]["valueQuantity"]
        q.update(value=round(q["value"] / 18.016, 2), unit="mmol/L", code="mmol/L")
        g["resource"]["id"] = "b-" + g["resource"]["id"]
        g["fullUrl"] = "urn:uuid:b-" + g["resource"]["id"][2:]
        b.append(g)

    OUT.mkdir(parents=True, exist_ok=True)
    for name, org_url, mrn in (("clinic-a", primary, "A-100482"), ("clinic-b", secondary, "B-77310")):
        p = copy.deepcopy(patient)
        p["resource"]["identifier"].append({
            "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
            "system": f"urn:emr:demo:{name}:mrn", "value": mrn})
        needed = {org_url} | {x for e in clinics[org_url] for x in refs(e["resource"])}
        extra = [{"fullUrl": u, "resource": by_url[u]} for u in sorted(needed)
                 if u in by_url and by_url[u]["resourceType"] in ("Organization", "Practitioner")]
        out = {"resourceType": "Bundle", "type": "collection", "entry": [p] + extra + clinics[org_url]}
        text = json.dumps(out, indent=1, ensure_ascii=False) + "\n"
        (OUT / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote examples/demo/{name}.json: {len(out['entry'])} resources")


if __name__ == "__main__":
    main()
