// What the shared checks compare against, read from the repository (Node only): the package
// version, the demo clinics, and the expected results computed natively by emr-core
// (emr-wasm/tests/expected.rs → emr-wasm/tests/expected/). The Node suite passes it to the checks
// directly; the Chromium runner serves it to the page as JSON (bundles as base64).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/** The data of the checks, for the package of `manifest`, from the repository at `repo`. */
export function loadExpect(repo, manifest) {
  const read = (...parts) => readFileSync(path.join(repo, ...parts), "utf8");
  const expected = (file) => path.join(repo, "emr-wasm/tests/expected", file);
  return {
    version: manifest.version,
    demo: {
      clinicA: read("examples/demo/clinic-a.json"),
      clinicB: read("examples/demo/clinic-b.json"),
      expected: JSON.parse(readFileSync(expected("demo.json"), "utf8")),
    },
    shl: JSON.parse(readFileSync(expected("shl.json"), "utf8")),
    ccda: {
      expected: JSON.parse(readFileSync(expected("ccda.json"), "utf8")),
      // The documents of tests/data/ccda and tests/data/ccda-invalid, by "dir/file".
      documents: Object.fromEntries(
        ["ccda", "ccda-invalid"].flatMap((dir) =>
          readdirSync(path.join(repo, "tests/data", dir))
            .filter((f) => f.endsWith(".xml"))
            .sort()
            .map((f) => [`${dir}/${f}`, read("tests/data", dir, f)]),
        ),
      ),
    },
    mirror: JSON.parse(readFileSync(expected("mirror.json"), "utf8")),
    bundles: {
      ...JSON.parse(readFileSync(expected("bundles.json"), "utf8")),
      sealed: {
        "demo-passphrase.age": readFileSync(expected("demo-passphrase.age")).toString("base64"),
        "demo-recipient.age": readFileSync(expected("demo-recipient.age")).toString("base64"),
      },
    },
  };
}
