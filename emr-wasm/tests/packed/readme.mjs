#!/usr/bin/env node
// The README's example is a test: runs the first ```js block of the installed package's README in
// DIR (where `@emr/wasm` is installed) and compares what it prints with its `// → ` comments.
//
//   node readme.mjs DIR
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const dir = path.resolve(process.argv[2] ?? ".");
const readme = readFileSync(path.join(dir, "node_modules/@emr/wasm/README.md"), "utf8");
const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
if (!example) throw new Error("the README has no ```js example");

const expected = [...example.matchAll(/\/\/ → (.*)$/gm)].map((m) => m[1].trim());
const file = path.join(dir, "readme-example.mjs");
writeFileSync(file, example);
const run = spawnSync(process.execPath, [file], { cwd: dir, encoding: "utf8" });
if (run.status !== 0) {
  console.error(`the README example failed (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  process.exit(1);
}
const printed = run.stdout.trim().split("\n");

if (JSON.stringify(printed) !== JSON.stringify(expected)) {
  console.error("the README example printed:\n" + printed.join("\n") + "\nbut its comments say:\n" + expected.join("\n"));
  process.exit(1);
}
console.log(`README example: ${expected.length} outputs as documented`);
