// One truth, two runtimes: every vector in tests/data/{valid,invalid} gives, through the package,
// exactly the findings of the Rust insta snapshot emr-core/tests/snapshots/vectors__*.snap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { LOST_IN_JSON_PARSE, NOW, runVector, snapshotName, snapshotValue } from "../shared/checks.mjs";
import { emr, repo } from "./pkg.mjs";

const snapshots = path.join(repo, "emr-core/tests/snapshots");
const vectors = ["valid", "invalid"].flatMap((dir) =>
  readdirSync(path.join(repo, "tests/data", dir))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => `${dir}/${f.slice(0, -".json".length)}`),
);

test("there are vectors, and a snapshot for each", () => {
  assert.ok(vectors.filter((v) => v.startsWith("valid/")).length >= 4);
  assert.ok(vectors.filter((v) => v.startsWith("invalid/")).length >= 30);
  const missing = vectors.filter((v) => !existsSync(path.join(snapshots, snapshotName(v))));
  assert.deepEqual(missing, [], "vectors without a Rust snapshot (run cargo insta review)");
});

test("every vector lost in JSON.parse exists", () => {
  for (const name of Object.keys(LOST_IN_JSON_PARSE)) assert.ok(vectors.includes(name), name);
});

for (const name of vectors) {
  test(name, () => {
    const snapshotFile = path.join(snapshots, snapshotName(name));
    if (!existsSync(snapshotFile)) return; // reported above
    const text = readFileSync(path.join(repo, "tests/data", `${name}.json`), "utf8");
    const result = runVector(emr, { name, text, snapshot: readFileSync(snapshotFile, "utf8") });
    assert.deepEqual(result.viaJson, result.expected, "validateJson(text) vs the Rust snapshot");
    if (name in LOST_IN_JSON_PARSE) {
      const viaObject = emr.validate(JSON.parse(text), NOW);
      assert.notDeepEqual(viaObject, result.expected, `${LOST_IN_JSON_PARSE[name]}, yet validate() agrees`);
    } else {
      assert.deepEqual(result.viaObject, result.expected, "validate(JSON.parse(text)) vs the Rust snapshot");
    }
    if (name.startsWith("valid/")) {
      assert.deepEqual(result.viaJson.filter((f) => f.severity === "error"), [], "a valid vector has errors");
    } else {
      const rule = name.slice("invalid/".length).split("+")[0];
      assert.ok(result.viaJson.some((f) => f.code === rule), `no ${rule} finding`);
    }
  });
}

test("snapshot header parsing", () => {
  assert.deepEqual(snapshotValue("---\nsource: x\nexpression: findings\n---\n[]\n"), []);
  assert.throws(() => snapshotValue("[]"), /insta snapshot/);
});
