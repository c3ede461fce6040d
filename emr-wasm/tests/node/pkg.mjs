// Where the tests find the built package: emr-wasm/pkg/ (scripts/build-wasm.sh), or the directory
// in EMR_WASM_PKG (e.g. the package installed from its `npm pack` tarball).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

/** The repository root. */
export const repo = fileURLToPath(new URL("../../../", import.meta.url));

/** The package directory. */
export const pkgDir = path.resolve(process.env.EMR_WASM_PKG ?? path.join(repo, "emr-wasm/pkg"));

/** The parsed package.json. */
export const manifest = JSON.parse(readFileSync(path.join(pkgDir, "package.json"), "utf8"));

/** The package as Node's ES module entry gives it (`exports["."].node.import`). */
export const emr = await import(pathToFileURL(path.join(pkgDir, manifest.exports["."].node.import)).href);

/** The package as `require` gives it (`exports["."].node.require`). */
export const emrRequired = createRequire(import.meta.url)(path.join(pkgDir, manifest.exports["."].node.require));

/** The SMART Health Links module as Node's ES module entry gives it (`exports["./shl"].node.import`). */
export const shl = await import(pathToFileURL(path.join(pkgDir, manifest.exports["./shl"].node.import)).href);

/** The SMART Health Links module as `require` gives it. */
export const shlRequired = createRequire(import.meta.url)(path.join(pkgDir, manifest.exports["./shl"].node.require));

/** The C-CDA module as Node's ES module entry gives it (`exports["./ccda"].node.import`). */
export const ccda = await import(pathToFileURL(path.join(pkgDir, manifest.exports["./ccda"].node.import)).href);

/** The C-CDA module as `require` gives it. */
export const ccdaRequired = createRequire(import.meta.url)(path.join(pkgDir, manifest.exports["./ccda"].node.require));
