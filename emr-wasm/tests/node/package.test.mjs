// The npm package as laid out by scripts/build-wasm.sh: manifest, entry points, types, size.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { ccda, emr, manifest, pkgDir, repo, shl } from "./pkg.mjs";
import { CCDA_GZIP_BUDGET, GZIP_BUDGET, SHL_GZIP_BUDGET, gzippedSize } from "../../scripts/size.mjs";

const read = (file) => readFileSync(path.join(pkgDir, file), "utf8");

test("package.json: name, version from Cargo, licence, entry points", () => {
  assert.equal(manifest.name, "@emr/wasm");
  const cargo = readFileSync(path.join(repo, "Cargo.toml"), "utf8");
  const version = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(cargo)?.[1];
  assert.equal(manifest.version, version, "version differs from [workspace.package] in Cargo.toml");
  assert.equal(manifest.license, "Apache-2.0 OR MIT");
  assert.equal(manifest.types, "./emr_wasm.d.ts");
  const root = manifest.exports["."];
  assert.deepEqual(Object.keys(root), ["node", "browser", "import", "default"], "condition order matters");
  const shlRoot = manifest.exports["./shl"];
  assert.deepEqual(Object.keys(shlRoot), ["node", "browser", "import", "default"], "condition order matters");
  const ccdaRoot = manifest.exports["./ccda"];
  assert.deepEqual(Object.keys(ccdaRoot), ["node", "browser", "import", "default"], "condition order matters");
  for (const conditions of [root.node, root.browser, root.import, root.default, manifest.exports["./web"], shlRoot.node, shlRoot.browser, shlRoot.import, shlRoot.default, manifest.exports["./shl/web"], ccdaRoot.node, ccdaRoot.browser, ccdaRoot.import, ccdaRoot.default, manifest.exports["./ccda/web"]]) {
    assert.equal(Object.keys(conditions)[0], "types", "types must come first in each condition");
  }
});

test("every file named by the manifest is in `files`, and every packed file exists", () => {
  const named = new Set([manifest.main, manifest.module, manifest.browser, manifest.types]);
  const walk = (v) => (typeof v === "string" ? named.add(v) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  const files = new Set(manifest.files.map((f) => `./${f}`));
  for (const file of named) {
    assert.ok(file === "./package.json" || files.has(file), `${file} is not in files`);
    assert.ok(existsSync(path.join(pkgDir, file)), `${file} is missing`);
  }
  for (const file of manifest.files) assert.ok(existsSync(path.join(pkgDir, file)), `${file} is missing`);
  for (const licence of ["LICENSE-APACHE", "LICENSE-MIT", "README.md"]) assert.ok(manifest.files.includes(licence));
});

test("every entry point exports the same API, and the types declare it", () => {
  const api = Object.keys(emr).sort();
  assert.ok(api.includes("validate") && api.includes("version"), api.join());
  const exported = (file) => /export \{ ([^}]+) \} from/.exec(read(file))[1].split(", ").sort();
  assert.deepEqual(exported("index.mjs"), api);
  assert.deepEqual(exported("browser.mjs"), api);
  const declared = (file) => [...read(file).matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]).sort();
  assert.deepEqual(declared("emr_wasm.d.ts"), api);
  assert.deepEqual(declared("emr_wasm.d.mts").filter((f) => f !== "initSync"), api);
  assert.match(read("browser.d.mts"), /export \* from "\.\/emr_wasm\.js";/);
  assert.match(read("emr_wasm.d.ts"), /^export type \* from "\.\/emr-types\.js";$/m);
  assert.equal(read("emr-types.d.ts"), readFileSync(path.join(repo, "emr-wasm/ts/emr-types.d.ts"), "utf8"));
});

for (const [what, module, name, type, code] of [
  ["SMART Health Links", shl, "shl", "CreatedShl", "shl.decrypt"],
  ["C-CDA", ccda, "ccda", "FromCcdaOptions", "ccda.syntax"],
]) {
  test(`the ${what} entry points export the module's API, and its types declare it`, () => {
    const api = Object.keys(module).sort();
    const exported = (file) => /export \{ ([^}]+) \} from/.exec(read(file))[1].split(", ").sort();
    assert.deepEqual(exported(`${name}.mjs`), api);
    assert.deepEqual(exported(`${name}-browser.mjs`), api);
    const declared = (file) => [...read(file).matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]).sort();
    assert.deepEqual(declared(`emr_wasm_${name}.d.ts`), api);
    assert.deepEqual(declared(`emr_wasm_${name}.d.mts`).filter((f) => f !== "initSync"), api);
    assert.match(read(`emr_wasm_${name}.d.ts`), new RegExp(`^export interface ${type} \\{$`, "m"));
    assert.ok(read(`emr_wasm_${name}.d.ts`).includes(`"${code}"`), code);
    for (const line of read(`emr_wasm_${name}.d.ts`).split("\n").filter((l) => /^export function/.test(l))) {
      assert.doesNotMatch(line, /\bany\b/, line);
    }
  });
}

test("no public declaration falls back to any", () => {
  // Declarations, not their doc comments (where "any" is an English word).
  const code = read("emr-types.d.ts").replace(/\/\*[\s\S]*?\*\//g, "");
  assert.doesNotMatch(code, /\bany\b/);
  for (const file of ["emr_wasm.d.ts", "emr_wasm.d.mts"]) {
    for (const line of read(file).split("\n").filter((l) => /^export function (?!initSync)/.test(l))) {
      assert.doesNotMatch(line, /\bany\b/, `${file}: ${line}`);
    }
  }
});

test(`the gzipped .wasm is within its budget (${GZIP_BUDGET} bytes)`, () => {
  const wasm = readFileSync(path.join(pkgDir, "emr_wasm_bg.wasm"));
  const gzipped = gzippedSize(wasm);
  assert.ok(gzipped <= GZIP_BUDGET, `${gzipped} bytes gzipped`);
  assert.ok(WebAssembly.validate(wasm));
  // One binary for both glues, and the SMART Health Links and C-CDA modules': no stray copies.
  assert.deepEqual(readdirSync(pkgDir).filter((f) => f.endsWith(".wasm")).sort(), ["emr_wasm_bg.wasm", "emr_wasm_ccda_bg.wasm", "emr_wasm_shl_bg.wasm"]);
});

test(`the gzipped SMART Health Links .wasm is within its budget (${SHL_GZIP_BUDGET} bytes)`, () => {
  const wasm = readFileSync(path.join(pkgDir, "emr_wasm_shl_bg.wasm"));
  const gzipped = gzippedSize(wasm);
  assert.ok(gzipped <= SHL_GZIP_BUDGET, `${gzipped} bytes gzipped`);
  assert.ok(WebAssembly.validate(wasm));
});

test(`the gzipped C-CDA .wasm is within its budget (${CCDA_GZIP_BUDGET} bytes)`, () => {
  const wasm = readFileSync(path.join(pkgDir, "emr_wasm_ccda_bg.wasm"));
  const gzipped = gzippedSize(wasm);
  assert.ok(gzipped <= CCDA_GZIP_BUDGET, `${gzipped} bytes gzipped`);
  assert.ok(WebAssembly.validate(wasm));
});
