// The documents view of @emr/wasm/ccda (`documents`, `documentsJson`: emr-core's
// query::documents) on real HL7 documents imported with `fromCcdaJson`: one
// document per Composition of the record, its sections in the Composition's order with every word
// of their narrative (read from the Composition's XHTML here, independently), the narrative-only
// sections shown; a hostile narrative made inert. The shared document is skipped when the shared
// data is absent, failing instead under EMR_REQUIRE_SHARED_DATA=1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ccda, emr, repo } from "./pkg.mjs";

const now = "2026-11-01T00:00:00Z";
const shared = path.resolve(repo, "../shared/data/ccda/hl7-c-cda-examples/Documents/CCD/CCD 1/CCD.XML");
const inRepo = path.join(repo, "tests/data/ccda/Operative_Note.xml");

const textOf = (nodes) => nodes.map((n) => (typeof n.text === "string" ? n.text : textOf(n.children ?? []))).join("");
const squeeze = (t) => t.replace(/\s+/g, "");
/** The words of an XHTML div's text (its tags dropped, the five XML entities decoded). */
const divWords = (div) =>
  div
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&")
    .split(/\s+/)
    .filter(Boolean);

function compare(view, raw, at) {
  assert.equal(view.length, raw.length, `${at}: sections`);
  let narrativeOnly = 0;
  raw.forEach((r, i) => {
    const v = view[i];
    assert.equal(v.title, r.title, at);
    assert.equal(v.entries, r.entry?.length ?? 0, `${at}/${r.title}`);
    if (r.text?.div) {
      assert.equal(v.narrativeUnreadable, false, `${at}/${r.title}`);
      let rest = squeeze(textOf(v.narrative));
      for (const w of divWords(r.text.div)) {
        const at2 = rest.indexOf(w);
        assert.ok(at2 >= 0, `${at}/${r.title}: the word ${w} in order`);
        rest = rest.slice(at2 + w.length);
      }
      if (v.entries === 0 && v.narrative.length > 0) narrativeOnly++;
    }
    narrativeOnly += compare(v.sections, r.section ?? [], `${at}/${r.title}`);
  });
  return narrativeOnly;
}

function check(file) {
  const { recordJson } = ccda.fromCcdaJson(readFileSync(file), { now });
  const record = JSON.parse(recordJson);
  const compositions = record.entries.map((e) => e.resource).filter((r) => r.resourceType === "Composition");
  const docs = ccda.documentsJson(recordJson);
  assert.equal(docs.length, compositions.length);
  assert.deepEqual(ccda.documents(record), docs, "documents of the object = documentsJson of the text");
  const narrativeOnly = compare(docs[0].sections, compositions[0].section, path.basename(file));
  assert.ok(narrativeOnly > 0, "a section with narrative only is shown");
  assert.equal(docs[0].title, compositions[0].title);
  assert.ok(docs[0].authors.length > 0 && docs[0].sources.length > 0);
  return docs;
}

const present = existsSync(shared);
if (!present && process.env.EMR_REQUIRE_SHARED_DATA) {
  test("the shared CCD is present", () => assert.fail(`shared data required (EMR_REQUIRE_SHARED_DATA) but not found at ${shared}`));
}

test("documentsJson of HL7's CCD 1: every section, every word, the narrative-only ones", { skip: !present && `shared data not found at ${shared}` }, () => {
  const docs = check(shared);
  assert.ok(docs[0].sections.some((s) => s.title === "ADVANCE DIRECTIVES" && s.entries === 0 && s.narrative.length > 0));
});

test("documentsJson of HL7's Operative Note (tests/data): the procedure description", () => {
  const docs = check(inRepo);
  const description = docs[0].sections.find((s) => s.title === "PROCEDURE DESCRIPTION");
  assert.equal(description.entries, 0);
  assert.match(textOf(description.narrative), /^The patient was brought to the operating room, placed in the supine position/);
});

test("a hostile narrative is inert, an unreadable one marked, bad arguments refused", () => {
  const div =
    '<div xmlns="http://www.w3.org/1999/xhtml"><p onclick="x()">Take <script>steal()</script>aspirin ' +
    '<img src="x" onerror="alert(1)" alt="ECG"/> <a href=" JaVaScript:alert(1)">here</a> <a href="data:text/html,x">there</a> ' +
    '<a href="https://example.org/a">leaflet</a></p></div>';
  const bundle = {
    resourceType: "Bundle",
    type: "collection",
    entry: [
      {
        resource: { resourceType: "Composition", id: "c", status: "final", type: { text: "Note" }, date: "2024-01-02", title: "N", author: [{ display: "X" }],
          section: [{ title: "S", text: { status: "generated", div } }, { title: "B", text: { status: "generated", div: "<div>no namespace</div>" } }] },
      },
    ],
  };
  const { recordJson } = emr.fromFhirJson(JSON.stringify(bundle), { now });
  const [doc] = ccda.documentsJson(recordJson);
  const json = JSON.stringify(doc.sections[0].narrative);
  assert.equal(
    json,
    '[{"tag":"p","children":[{"text":"Take aspirin ECG here there "},{"tag":"a","href":"https://example.org/a","children":[{"text":"leaflet"}]}]}]',
  );
  assert.equal(doc.sections[1].narrativeUnreadable, true);
  assert.deepEqual(doc.sections[1].narrative, []);
  assert.throws(() => ccda.documentsJson("{"), (e) => ccda.isEmrError(e) && e.code === "record.syntax");
  assert.throws(() => ccda.documents("not a record"), (e) => ccda.isEmrError(e) && e.code === "input.type");
});
