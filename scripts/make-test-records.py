#!/usr/bin/env python3
"""Build the valid record vectors in tests/data/valid/ from the shared data (../shared/data).

Each vector is an emr record envelope (schemas/record.schema.json): the patient, its sources and a
subset of entries, resources copied verbatim. Sources are attributed the way emr's FHIR import
does: an entry's encounter's serviceProvider, else the patient's most frequent provider.
The shared Synthea and IPS examples contain no decimals whose text Python would change
(checked below), so a json round trip keeps them exactly.
"""
import collections, json, pathlib, re, sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "tests" / "data" / "valid"


def numbers(text):
    return re.findall(r'(?<=[:\[,])\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?=\s*[,\]}])', text)


def references(value):
    """Every `reference` string inside a resource."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "reference" and isinstance(v, str):
                yield v
            else:
                yield from references(v)
    elif isinstance(value, list):
        for v in value:
            yield from references(v)


def dump(path, record, sources_text):
    text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
    for n in numbers(text):
        assert n.strip() in sources_text, f"number {n} changed form"
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({len(record['entries'])} entries)")


def synthea(file_name, out_name, encounters_kept):
    path = SHARED / "synthea" / file_name
    text = path.read_text(encoding="utf-8")
    bundle = json.loads(text)
    resources = [e["resource"] for e in bundle["entry"]]
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    encounters = [r for r in resources if r["resourceType"] == "Encounter"]
    provider_of = {}
    for enc in encounters:
        provider_of["urn:uuid:" + enc["id"]] = enc.get("serviceProvider", {}).get("reference")
    primary = collections.Counter(provider_of.values()).most_common(1)[0][0]
    keep_enc = {"urn:uuid:" + e["id"] for e in encounters[:encounters_kept]}
    always = {"AllergyIntolerance", "Condition", "Immunization", "ImagingStudy", "CarePlan", "Goal"}
    entries, orgs = [], {}
    for r in resources:
        if r["resourceType"] in ("Patient", "Organization", "Practitioner"):
            continue
        enc = r.get("encounter", {}).get("reference")
        if r["resourceType"] == "Encounter":
            enc = "urn:uuid:" + r["id"]
        if r["resourceType"] in ("Claim", "ExplanationOfBenefit"):
            enc = None  # their encounter is inside items; keep the first few below
        keep = r["resourceType"] in always or enc in keep_enc
        if not keep:
            continue
        provider = provider_of.get(enc) or primary
        org = by_url.get(provider)
        source = "org-" + (org["id"][:8] if org else "unknown")
        orgs[source] = org
        entries.append({"provenance": {"source": source, "id": r["id"], "version": 1}, "resource": r})
    claims = [r for r in resources if r["resourceType"] in ("Claim", "ExplanationOfBenefit")][:4]
    for r in claims:
        source = "org-" + by_url[primary]["id"][:8]
        orgs[source] = by_url[primary]
        entries.append({"provenance": {"source": source, "id": r["id"], "version": 1}, "resource": r})
    # Close the subset over references: the encounters, organizations and practitioners that
    # kept entries point to come along (directories as entries of the primary source).
    kept = {"urn:uuid:" + e["resource"]["id"] for e in entries}
    while True:
        wanted = sorted({ref for e in entries for ref in references(e["resource"])
                         if ref in by_url and ref not in kept and by_url[ref]["resourceType"] != "Patient"})
        if not wanted:
            break
        for ref in wanted:
            r = by_url[ref]
            kept.add(ref)
            enc = ref if r["resourceType"] == "Encounter" else None
            provider = provider_of.get(enc) or primary
            org = by_url.get(provider)
            source = "org-" + (org["id"][:8] if org else "unknown")
            orgs[source] = org
            entries.append({"provenance": {"source": source, "id": r["id"], "version": 1}, "resource": r})
    sources = [
        {"id": sid, "name": org["name"] if org else None, "kind": "organization",
         "reference": "Organization/" + org["id"] if org else None}
        for sid, org in sorted(orgs.items())
    ]
    sources = [{k: v for k, v in s.items() if v is not None} for s in sources]
    record = {"format": 1, "patient": patient, "sources": sources, "entries": entries}
    dump(OUT / out_name, record, text)


def ips(file_name, out_name):
    path = SHARED / "ips" / "official" / file_name
    text = path.read_text(encoding="utf-8")
    bundle = json.loads(text)
    resources = [e["resource"] for e in bundle["entry"]]
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    entries = [
        {"provenance": {"source": "ips-author", "id": r.get("id", f"entry-{i}"), "version": 1}, "resource": r}
        for i, r in enumerate(resources) if r["resourceType"] != "Patient"
    ]
    record = {"format": 1, "patient": patient,
              "sources": [{"id": "ips-author", "name": "IPS document author", "kind": "organization"}],
              "entries": entries}
    dump(OUT / out_name, record, text)


if __name__ == "__main__":
    if not SHARED.is_dir():
        sys.exit(f"shared data not found at {SHARED}")
    OUT.mkdir(parents=True, exist_ok=True)
    synthea("Dennis_Durgan_78f005f3-7b33-4a5b-84d9-28417b36dbab.json", "synthea-dennis-durgan.json", 6)
    synthea("Alexis_Toy_68cd1181-6359-4047-a77f-a165d7912480.json", "synthea-alexis-toy.json", 4)
    ips("Bundle-IPS-examples-Bundle-01.json", "ips-example-bundle-01.json")
    ips("Bundle-bundle-minimal.json", "ips-bundle-minimal.json")
