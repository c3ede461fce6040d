#!/usr/bin/env node
// Merges a patient's FHIR exports from several clinics with the @emr/wasm package, as an app
// would: imports each (fromFhir), merges them into one record (merge), and prints the merge
// summary, the conflicts and the timeline. Exits 1 when the exports may be about different
// patients (unless --force).
//
//   node merge.mjs [--now RFC3339] [--force] FHIR.json...
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { fromFhirJson, isEmrError, mergeJson, timelineJson } from "@emr/wasm";

const args = process.argv.slice(2);
let now; // omitted: the current time
let force = false;
while (args[0]?.startsWith("--")) {
  const flag = args.shift();
  if (flag === "--now") now = args.shift();
  else if (flag === "--force") force = true;
  else {
    console.error(`unknown option ${flag}`);
    process.exit(2);
  }
}
if (args.length === 0) {
  console.error("usage: node merge.mjs [--now RFC3339] [--force] FHIR.json...");
  process.exit(2);
}

try {
  // As text throughout (the *Json functions), so that decimals stay exactly as the clinics wrote them.
  const records = args.map((file) => {
    const { recordJson, findings } = fromFhirJson(readFileSync(file, "utf8"), { now });
    const errors = findings.filter((f) => f.severity === "error").length;
    console.log(`${basename(file)}: imported, ${errors} error(s), ${findings.length - errors} warning(s)`);
    return recordJson;
  });
  const { recordJson, report } = mergeJson(records, { force });
  console.log(report.summary);
  for (const c of report.conflicts) console.log(`  conflict: ${c.kind} ${c.field} (${c.resolution}) from ${c.sources.join(", ")}`);
  const events = timelineJson(recordJson);
  console.log(`timeline: ${events.length} events`);
  for (const e of events.slice(-5)) {
    const by = e.reportedBy > 1 ? ` (reported by ${e.reportedBy} sources)` : "";
    console.log(`  ${e.time} ${e.kind}: ${e.label}${by}`);
  }
} catch (e) {
  if (!isEmrError(e)) throw e;
  console.error(`not merged [${e.code}] ${e.message}`);
  process.exit(1);
}
