#!/usr/bin/env node
// Lays out the npm package in emr-wasm/pkg/ from wasm-bindgen's two outputs (called by
// scripts/build-wasm.sh; not meant to be run alone).
//
//   node assemble.mjs STAGING VERSION
//
// STAGING holds `nodejs/` and `web/` (wasm-bindgen --target nodejs|web) and `emr_wasm_bg.wasm`
// (the optimized binary, the same for both targets). The package, flat:
//
//   emr_wasm_bg.wasm        the one binary, shared by both glues
//   emr_wasm.js / .d.ts     Node glue (CommonJS; loads the binary synchronously): `require`
//   index.mjs               Node ES module entry (re-exports the CommonJS glue)
//   emr_wasm.mjs / .d.mts   web glue (ES module, explicit `init()`): the `./web` export
//   browser.mjs / .d.mts    browsers and bundlers: initializes with top-level await, same API as Node
//   emr-types.d.ts          record, entry and finding types generated from schemas/
//   emr_wasm_shl*, shl*.mjs the same layout for the SMART Health Links module: the `./shl` export
//                           (and `./shl/web`), a second binary loaded only by who imports it
//   emr_wasm_ccda*, ccda*.mjs  the same for the C-CDA import module: the `./ccda` export (and
//                           `./ccda/web`), a third binary loaded only by who imports it
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const [staging, version] = process.argv.slice(2);
if (!staging || !version) {
  console.error("usage: assemble.mjs STAGING VERSION");
  process.exit(2);
}
const crate = fileURLToPath(new URL("../", import.meta.url));
const root = fileURLToPath(new URL("../../", import.meta.url));
const pkg = `${crate}pkg/`;

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg);
const copy = (from, to) => copyFileSync(from, `${pkg}${to}`);
const write = (to, text) => writeFileSync(`${pkg}${to}`, text);

for (const name of ["emr_wasm", "emr_wasm_shl", "emr_wasm_ccda"]) {
  copy(`${staging}/${name}_bg.wasm`, `${name}_bg.wasm`);
  copy(`${staging}/nodejs/${name}.js`, `${name}.js`);
  copy(`${staging}/nodejs/${name}.d.ts`, `${name}.d.ts`);
  // The web glue becomes .mjs so that it is an ES module next to the CommonJS glue; it finds the
  // binary by its own name (`new URL('emr_wasm_bg.wasm', import.meta.url)`), unchanged.
  const selfTypes = `/* @ts-self-types="./${name}.d.ts" */`;
  const webGlue = readFileSync(`${staging}/web/${name}.js`, "utf8");
  if (!webGlue.startsWith(selfTypes)) throw new Error("unexpected web glue header: update assemble.mjs");
  write(`${name}.mjs`, webGlue.replace(selfTypes, `/* @ts-self-types="./${name}.d.mts" */`));
  copy(`${staging}/web/${name}.d.ts`, `${name}.d.mts`);
}
copy(`${crate}ts/emr-types.d.ts`, "emr-types.d.ts");
copy(`${crate}README.md`, "README.md");
copy(`${root}LICENSE-APACHE`, "LICENSE-APACHE");
copy(`${root}LICENSE-MIT`, "LICENSE-MIT");

const manifest = {
  name: "@emr/wasm",
  version,
  description: "emr-core in WebAssembly: validate medical records (FHIR R4 resources with provenance) in browsers and Node",
  license: "Apache-2.0 OR MIT",
  keywords: ["fhir", "ehr", "emr", "medical-records", "wasm", "c-cda"],
  repository: { type: "git", url: "https://example.invalid/emr", directory: "emr-wasm" },
  engines: { node: ">=18" },
  main: "./emr_wasm.js",
  module: "./browser.mjs",
  browser: "./browser.mjs",
  types: "./emr_wasm.d.ts",
  exports: {
    ".": {
      node: { types: "./emr_wasm.d.ts", import: "./index.mjs", require: "./emr_wasm.js" },
      browser: { types: "./browser.d.mts", default: "./browser.mjs" },
      import: { types: "./browser.d.mts", default: "./browser.mjs" },
      default: { types: "./emr_wasm.d.ts", default: "./emr_wasm.js" },
    },
    "./web": { types: "./emr_wasm.d.mts", default: "./emr_wasm.mjs" },
    "./shl": {
      node: { types: "./emr_wasm_shl.d.ts", import: "./shl.mjs", require: "./emr_wasm_shl.js" },
      browser: { types: "./shl-browser.d.mts", default: "./shl-browser.mjs" },
      import: { types: "./shl-browser.d.mts", default: "./shl-browser.mjs" },
      default: { types: "./emr_wasm_shl.d.ts", default: "./emr_wasm_shl.js" },
    },
    "./shl/web": { types: "./emr_wasm_shl.d.mts", default: "./emr_wasm_shl.mjs" },
    "./ccda": {
      node: { types: "./emr_wasm_ccda.d.ts", import: "./ccda.mjs", require: "./emr_wasm_ccda.js" },
      browser: { types: "./ccda-browser.d.mts", default: "./ccda-browser.mjs" },
      import: { types: "./ccda-browser.d.mts", default: "./ccda-browser.mjs" },
      default: { types: "./emr_wasm_ccda.d.ts", default: "./emr_wasm_ccda.js" },
    },
    "./ccda/web": { types: "./emr_wasm_ccda.d.mts", default: "./emr_wasm_ccda.mjs" },
    "./emr_wasm_bg.wasm": "./emr_wasm_bg.wasm",
    "./emr_wasm_shl_bg.wasm": "./emr_wasm_shl_bg.wasm",
    "./emr_wasm_ccda_bg.wasm": "./emr_wasm_ccda_bg.wasm",
    "./package.json": "./package.json",
  },
  files: [
    "emr_wasm_bg.wasm",
    "emr_wasm.js",
    "emr_wasm.d.ts",
    "index.mjs",
    "emr_wasm.mjs",
    "emr_wasm.d.mts",
    "browser.mjs",
    "browser.d.mts",
    "emr-types.d.ts",
    "emr_wasm_shl_bg.wasm",
    "emr_wasm_shl.js",
    "emr_wasm_shl.d.ts",
    "shl.mjs",
    "emr_wasm_shl.mjs",
    "emr_wasm_shl.d.mts",
    "shl-browser.mjs",
    "shl-browser.d.mts",
    "emr_wasm_ccda_bg.wasm",
    "emr_wasm_ccda.js",
    "emr_wasm_ccda.d.ts",
    "ccda.mjs",
    "emr_wasm_ccda.mjs",
    "emr_wasm_ccda.d.mts",
    "ccda-browser.mjs",
    "ccda-browser.d.mts",
    "README.md",
    "LICENSE-APACHE",
    "LICENSE-MIT",
  ],
};
write("package.json", `${JSON.stringify(manifest, null, 2)}\n`);

// The API is whatever the glue exports: listing it here keeps every entry point in step with lib.rs.
const banner = "// Generated by emr-wasm/scripts/assemble.mjs.\n";
const apis = {};
for (const [glue, node, browser] of [
  ["emr_wasm", "index.mjs", "browser"],
  ["emr_wasm_shl", "shl.mjs", "shl-browser"],
  ["emr_wasm_ccda", "ccda.mjs", "ccda-browser"],
]) {
  const api = Object.keys(createRequire(import.meta.url)(`${pkg}${glue}.js`)).sort();
  if (api.length === 0) throw new Error(`the Node glue ${glue}.js exports nothing`);
  const names = api.join(", ");
  apis[glue] = names;
  write(node, `${banner}export { ${names} } from "./${glue}.js";\n`);
  write(
    `${browser}.mjs`,
    `${banner}// Fetches and compiles ${glue}_bg.wasm next to this file (browsers, and bundlers that handle
// \`new URL(…, import.meta.url)\` assets), so that the API is ready on import, as in Node.
import init from "./${glue}.mjs";
await init();
export { ${names} } from "./${glue}.mjs";
`,
  );
  write(`${browser}.d.mts`, `${banner}export * from "./${glue}.js";\n`);
}

console.log(
  `assembled ${pkg} (${manifest.name}@${version}; API: ${apis.emr_wasm}; ${manifest.name}/shl: ${apis.emr_wasm_shl}; ${manifest.name}/ccda: ${apis.emr_wasm_ccda})`,
);
