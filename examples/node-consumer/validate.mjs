#!/usr/bin/env node
// Validates emr record files with the @emr/wasm package: prints each file's findings and exits 1
// when any file has an error or is not a record.
//
//   node validate.mjs [--now RFC3339] RECORD.json...
import { readFileSync } from "node:fs";
import { isEmrError, validateJson, version } from "@emr/wasm";

const args = process.argv.slice(2);
let now; // omitted: the current time
if (args[0] === "--now") {
  now = args[1];
  args.splice(0, 2);
}
if (args.length === 0) {
  console.error("usage: node validate.mjs [--now RFC3339] RECORD.json...");
  process.exit(2);
}

console.log(`@emr/wasm ${version()}`);
let failed = false;
for (const file of args) {
  try {
    // As text, so that decimals and duplicate keys are judged as written.
    const findings = validateJson(readFileSync(file, "utf8"), now);
    const errors = findings.filter((f) => f.severity === "error").length;
    console.log(`${file}: ${errors} error(s), ${findings.length - errors} warning(s)`);
    for (const f of findings) console.log(`  ${f.severity} ${f.code} at ${f.path}: ${f.message}`);
    failed ||= errors > 0;
  } catch (e) {
    if (!isEmrError(e)) throw e;
    console.log(`${file}: not checked [${e.code}] ${e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
