// C-CDA benchmark peer: npm @medplum/ccda (convertXmlToCcda, then convertCcdaToFhir) on the
// files given, in memory, ROUNDS times. Prints one JSON line: bytes, seconds (best round),
// first (the first round's seconds: a cold start, before the JIT has warmed up),
// ok / failed document counts, okFiles (the 0-based indices of the files given that it
// converted, so the benchmark can compare both importers on exactly those) and the distinct
// error messages.
// Usage: node medplum.mjs --rounds N FILE...   (run by scripts/bench-ccda.sh)
globalThis.WebSocket ??= class {}; // @medplum/core needs one on Node 20
const { readFileSync } = await import('node:fs');
const { convertXmlToCcda, convertCcdaToFhir } = await import('@medplum/ccda');

const args = process.argv.slice(2);
let rounds = 3;
if (args[0] === '--rounds') {
  rounds = Number(args[1]);
  args.splice(0, 2);
}
const docs = args.map((f) => readFileSync(f, 'utf8'));
const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d), 0);
let best = Infinity;
let first = null;
let ok = 0;
let okFiles = [];
const errors = new Set();
for (let r = 0; r < rounds; r++) {
  ok = 0;
  okFiles = [];
  const start = process.hrtime.bigint();
  for (const [i, xml] of docs.entries()) {
    try {
      convertCcdaToFhir(convertXmlToCcda(xml));
      ok++;
      okFiles.push(i);
    } catch (e) {
      errors.add(String(e?.message ?? e).slice(0, 120));
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  first ??= seconds;
  best = Math.min(best, seconds);
}
console.log(JSON.stringify({ name: '@medplum/ccda 5.1 (Node ' + process.version + ')', bytes, seconds: best, first, ok, failed: docs.length - ok, okFiles, errors: [...errors] }));
