// The opened record as HTML: demographics, current lists, immunizations, encounters, trends, the
// documents with their sections' narrative (emr-core's sanitized block tree, built element by
// element: a tag from its closed set, text as text nodes, a link's address only as emr-core gives
// it, http(s)), and the import's findings (what the package reported about the input, e.g. C-CDA content with no
// structured mapping), each a landmark section with its heading. Built with DOM calls and textContent only: record
// content is never parsed as HTML.
import { trendFigure } from "./chart.mjs";
import { formatDate } from "./dates.mjs";

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : String(v));
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false && c !== "") node.append(c);
  return node;
}

const time = (partial) => (partial ? h("time", { datetime: partial }, formatDate(partial)) : undefined);

function section(id, title, count, ...content) {
  const heading = h("h3", { id: `${id}-heading` }, title);
  if (count !== undefined) heading.append(" ", h("span", { class: "count", "data-count": count }, `(${count})`));
  return h("section", { id, class: `card ${id}`, "aria-labelledby": `${id}-heading` }, heading, ...content);
}

const none = (what) => h("p", { class: "none" }, `No ${what} recorded.`);

function fromSources(sources, reportedBy) {
  const more = reportedBy > sources.length ? ` and ${reportedBy - sources.length} more` : "";
  return h("span", { class: "source" }, `${sources.join(", ")}${more}`);
}

function demographics(p, sources) {
  if (!p) return section("demographics", "About you", undefined, h("p", {}, "This bundle has no patient details."));
  const row = (term, ...value) => (value.flat().some(Boolean) ? [h("dt", {}, term), h("dd", {}, ...value)] : []);
  const list = (values) => (values.length > 1 ? h("ul", { class: "plain" }, values.map((v) => h("li", {}, v))) : values[0]);
  const dl = h(
    "dl",
    {},
    row("Date of birth", time(p.birthDate)),
    row("Sex", p.gender),
    row("Died", p.deceased.state === "yes" ? "yes" : time(p.deceased.at)),
    row("Address", list(p.address)),
    row("Phone", list(p.phones)),
    row("Language", p.languages.join(", ")),
    row("Records from", sources.join(", ")),
    row("Identifiers", list(p.identifiers.map((i) => `${i.type}: ${i.value}`))),
  );
  return section("demographics", "About you", undefined, dl);
}

function itemList(id, title, items, detail) {
  if (items.length === 0) return section(id, title, 0, none(title.toLowerCase()));
  const ul = h("ul", { class: "items" });
  for (const it of items) {
    ul.append(
      h("li", {}, h("span", { class: "label" }, it.label), " ", h("span", { class: "meta" }, time(it.time) && ["since ", time(it.time), " · "], fromSources(it.sources)), detail?.(it)),
    );
  }
  return section(id, title, items.length, ul);
}

const CRITICALITY = { high: "High criticality", low: "Low criticality", "unable-to-assess": "Criticality not assessed" };

function allergies(items) {
  if (items.length === 0) return section("allergies", "Allergies", 0, none("allergies"));
  const ul = h("ul", { class: "items" });
  for (const a of items) {
    const badge = CRITICALITY[a.criticality];
    ul.append(
      h(
        "li",
        { class: a.criticality === "high" ? "critical" : undefined, "data-criticality": a.criticality },
        h("span", { class: "label" }, a.label),
        badge && [" ", h("strong", { class: `badge ${a.criticality}` }, badge)],
        // `reactions` is left out of the summary when there are none.
        a.reactions?.length > 0 && h("span", { class: "detail" }, `Reaction: ${a.reactions.join(", ")}`),
        h("span", { class: "meta" }, time(a.time) && ["since ", time(a.time), " · "], fromSources(a.sources)),
        a.changed?.includes("criticality") && h("span", { class: "detail" }, "Your sources disagree on the criticality; the most severe is shown."),
      ),
    );
  }
  return section("allergies", "Allergies", items.length, ul);
}

const SHOWN_EVENTS = 8;

function events(id, title, items, what, one) {
  if (items.length === 0) return section(id, title, 0, none(what));
  const li = (e) => h("li", {}, time(e.time), h("span", { class: "label" }, e.label), h("span", { class: "meta" }, fromSources(e.sources, e.reportedBy)));
  // Newest first, what a patient looks for; the older ones one click away.
  const newest = [...items].reverse();
  const older = newest.splice(SHOWN_EVENTS);
  const more =
    older.length > 0 &&
    h("details", { class: "more" }, h("summary", {}, `Show ${older.length} earlier ${older.length === 1 ? one : what}`), h("ol", { class: "timeline" }, older.map(li)));
  return section(id, title, items.length, h("p", { class: "hint" }, "Newest first."), h("ol", { class: "timeline" }, newest.map(li)), more);
}

function trends(list) {
  if (list.length === 0) return section("trends", "Lab trends", 0, none("lab results to chart"));
  const note = h("p", { class: "hint" }, "Each chart has its values as a table below it. Shaded bands are reference ranges, where your results have them; results outside them are diamonds.");
  return section("trends", "Lab trends", list.length, note, h("div", { class: "figures" }, list.map((t) => trendFigure(t, "h4"))));
}

// The elements of emr-core's sanitized narrative (query::Tag), each created as itself; `heading`
// becomes h5/h6 under its section's heading. Anything else (never sent) is left out with its text kept.
const NARRATIVE_TAGS = new Set([
  "p", "br", "ul", "ol", "li", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
  "strong", "em", "u", "sub", "sup", "span", "div", "pre", "code", "blockquote", "hr", "a",
]);

/** One node of a sanitized narrative, built with DOM calls; `level` is its section's heading level. */
function narrativeNode(n, level) {
  if (typeof n.text === "string") return document.createTextNode(n.text);
  const children = (n.children ?? []).map((c) => narrativeNode(c, level));
  let node;
  if (n.tag === "heading") {
    node = document.createElement(`h${Math.min(6, level + 1)}`);
    node.className = "narrative-heading";
  } else if (NARRATIVE_TAGS.has(n.tag)) {
    node = document.createElement(n.tag);
  } else {
    const unknown = document.createDocumentFragment();
    unknown.append(...children);
    return unknown;
  }
  if (n.tag === "a") {
    // emr-core gives http(s) addresses only; checked again here, and opened apart from the page.
    if (typeof n.href === "string" && /^https?:\/\//i.test(n.href)) {
      node.href = n.href;
      node.rel = "noopener noreferrer";
      node.target = "_blank";
    }
  }
  if (n.tag === "td" || n.tag === "th") {
    if (Number.isInteger(n.colspan)) node.colSpan = n.colspan;
    if (Number.isInteger(n.rowspan)) node.rowSpan = n.rowspan;
  }
  node.append(...children);
  return node;
}

/** Header cells' scope: a column's in the table head or a row of header cells only, else the row's when first in it. */
function scopeHeaders(root) {
  for (const th of root.querySelectorAll("th")) {
    const row = th.parentElement;
    const headerRow = row && [...row.children].every((c) => c.tagName === "TH");
    th.scope = th.closest("thead") || headerRow || row?.firstElementChild !== th ? "col" : "row";
  }
}

function documentSection(s, level) {
  const title = s.title ?? s.code ?? "Untitled section";
  const heading = level <= 6 ? h(`h${level}`, {}, title) : h("p", { role: "heading", "aria-level": 6, class: "subheading" }, title);
  const body = h("div", { class: "narrative" });
  if (s.narrativeUnreadable) {
    body.append(h("p", { class: "none" }, "The text of this section could not be read."));
  } else if (s.narrative.length > 0) {
    body.append(...s.narrative.map((n) => narrativeNode(n, Math.min(level, 6))));
    scopeHeaders(body);
  } else if (s.emptyReason) {
    body.append(h("p", { class: "none" }, `Empty: ${s.emptyReason}`));
  } else if (s.entries > 0) {
    body.append(h("p", { class: "none" }, `No text; ${s.entries} ${s.entries === 1 ? "entry" : "entries"}.`));
  }
  return h("section", { class: "doc-section" }, heading, body, s.sections.map((c) => documentSection(c, level + 1)));
}

/** The record's documents (@emr/wasm/ccda's `documentsJson`), newest first, the newest one open; `null` when they could not be read. */
function documentList(docs) {
  if (docs === null) return section("documents", "Documents", undefined, h("p", { class: "none" }, "The documents of this record could not be shown: a part of the viewer did not load."));
  const articles = docs.map((d, i) => {
    const id = `document-${i}-heading`;
    const meta = [
      d.type && d.type !== d.title ? d.type : undefined,
      d.status,
      d.authors.length > 0 ? `by ${d.authors.join(", ")}` : undefined,
    ].filter(Boolean);
    const sections = `${d.sections.length} ${d.sections.length === 1 ? "section" : "sections"}`;
    return h(
      "article",
      { class: "document", "aria-labelledby": id },
      h("h4", { id }, d.title),
      h("p", { class: "meta" }, time(d.date) && [time(d.date), " · "], fromSources(d.sources), meta.length > 0 && ` · ${meta.join(" · ")}`),
      h("details", { class: "more", open: i === 0 }, h("summary", {}, `Show the ${sections}`), d.sections.map((s) => documentSection(s, 5))),
    );
  });
  const note = h("p", { class: "hint" }, "The documents your records came in, newest first, with the text of each section as written (formatting simplified; links open in a new tab).");
  return section("documents", "Documents", docs.length, note, articles);
}

const SEVERITY = { error: "Error", warning: "Warning" };

/** The import's findings as the package gives them (code, message, path, severity), unjudged here. */
function findingList(findings) {
  const ul = h("ul", { class: "items" });
  for (const f of findings) {
    ul.append(
      h(
        "li",
        { "data-code": f.code, "data-severity": f.severity },
        h("strong", { class: `badge ${f.severity}` }, SEVERITY[f.severity] ?? f.severity),
        " ",
        h("span", { class: "label" }, f.message),
        h("span", { class: "meta" }, h("code", {}, f.code), f.path && [" at ", h("code", { class: "path" }, f.path)]),
      ),
    );
  }
  const note = h("p", { class: "hint" }, "What the import reported about the file: problems found in its data, and content kept but not mapped to a structured entry. Nothing was dropped.");
  const details = h("details", { class: "more" }, h("summary", {}, `Show the ${findings.length} ${findings.length === 1 ? "note" : "notes"}`), ul);
  return section("findings", "Notes on the import", findings.length, note, details);
}

/**
 * The record's sections for `summary` (@emr/wasm's `summaryJson`), under a heading with the
 * patient's name; `documents` (`documentsJson`, when not empty; `null`: not loaded) after the lists and trends;
 * `findings` (the import's, when given and not empty) after them.
 */
export function renderRecord(summary, onClose, findings = [], documents = []) {
  const close = h("button", { type: "button", id: "close-record" }, "Close this record");
  close.addEventListener("click", onClose);
  const title = h("h2", { id: "record-heading", tabindex: "-1" }, summary.patient?.name ?? "Health record");
  return [
    h("div", { class: "record-head" }, title, close),
    h(
      "div",
      { class: "grid" },
      demographics(summary.patient, summary.sources),
      itemList("problems", "Problems", summary.problems),
      itemList("medications", "Medications", summary.medications, (m) => m.dosage && h("span", { class: "detail" }, m.dosage)),
      allergies(summary.allergies),
      events("immunizations", "Immunizations", summary.immunizations, "immunizations", "immunization"),
      events("encounters", "Visits", summary.encounters, "visits", "visit"),
    ),
    trends(summary.trends),
    (documents === null || documents.length > 0) && documentList(documents),
    findings.length > 0 && findingList(findings),
  ].filter(Boolean);
}
