// Trend charts as SVG, drawn from a `trend()` result ({ label, unit, points: [{ time, value, low?,
// high?, flag? }], unconvertible }), with a text alternative (<title>/<desc>) and the values as a table.
import { formatDate, timeValue } from "./dates.mjs";

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 220;
const MARGIN = { top: 28, right: 18, bottom: 34, left: 52 };

function el(ns, tag, attrs = {}, ...children) {
  const node = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}
const svg = (tag, attrs, ...children) => el(SVG, tag, attrs, ...children);
const html = (tag, attrs, ...children) => el(null, tag, attrs, ...children);

/** A number for reading: at most 3 significant decimals, no trailing zeros. */
export function formatValue(v) {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(Math.abs(v) >= 100 ? 4 : 3)));
}

/** A round step giving about `count` ticks over [min, max]. */
function tickStep(min, max, count) {
  const step0 = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
}

const FLAG_WORDS = { H: "high", L: "low", A: "abnormal" };

/** The word for a point's flag, as emr-core set it (its source's interpretation, else its range). */
export function flag(p) {
  return FLAG_WORDS[p.flag];
}

function rangeText(p, unit) {
  if (p.low !== undefined && p.high !== undefined) return `${formatValue(p.low)}–${formatValue(p.high)} ${unit}`;
  if (p.low !== undefined) return `≥ ${formatValue(p.low)} ${unit}`;
  if (p.high !== undefined) return `≤ ${formatValue(p.high)} ${unit}`;
  return "";
}

/** The chart's SVG, `width` pixels wide. */
function chartSvg(trend, width, ids) {
  const unit = trend.unit ?? "";
  const pts = trend.points.map((p) => ({ ...p, t: timeValue(p.time) }));
  const values = pts.flatMap((p) => [p.value, p.low, p.high]).filter((v) => v !== undefined);
  let [y0, y1] = [Math.min(...values), Math.max(...values)];
  const pad = (y1 - y0) * 0.08 || Math.abs(y0) * 0.1 || 1;
  // The value axis runs from tick to tick, so that both ends are labelled.
  const step = tickStep(y0 - pad, y1 + pad, 4);
  const [k0, k1] = [Math.floor((y0 - pad) / step), Math.ceil((y1 + pad) / step)];
  [y0, y1] = [k0 * step, k1 * step];
  let [t0, t1] = [Math.min(...pts.map((p) => p.t)), Math.max(...pts.map((p) => p.t))];
  const day = 86_400_000;
  const tpad = (t1 - t0) * 0.04 || 30 * day;
  [t0, t1] = [t0 - tpad, t1 + tpad];

  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (t) => MARGIN.left + ((t - t0) / (t1 - t0)) * plotW;
  const y = (v) => MARGIN.top + (1 - (v - y0) / (y1 - y0)) * plotH;

  const root = svg("svg", {
    class: "chart",
    width,
    height: HEIGHT,
    viewBox: `0 0 ${width} ${HEIGHT}`,
    role: "img",
    "aria-labelledby": `${ids.title} ${ids.desc}`,
  });
  root.append(svg("title", { id: ids.title }, `${trend.name ?? trend.label} (${unit}) over time`));
  root.append(svg("desc", { id: ids.desc }, describe(trend)));

  // Reference ranges: a band around each point that has one, reaching halfway to its neighbours.
  const bands = svg("g", { class: "range", "shape-rendering": "crispEdges" });
  pts.forEach((p, i) => {
    if (p.low === undefined && p.high === undefined) return;
    const left = i === 0 ? MARGIN.left : (x(pts[i - 1].t) + x(p.t)) / 2;
    const right = i === pts.length - 1 ? MARGIN.left + plotW : (x(p.t) + x(pts[i + 1].t)) / 2;
    const top = p.high === undefined ? MARGIN.top : y(p.high);
    const bottom = p.low === undefined ? MARGIN.top + plotH : y(p.low);
    bands.append(svg("rect", { x: left, y: top, width: Math.max(right - left, 1), height: Math.max(bottom - top, 0) }));
  });
  root.append(bands);

  const axes = svg("g", { class: "axis", "aria-hidden": "true" });
  for (let k = k0; k <= k1; k++) {
    const v = Number((k * step).toFixed(10));
    axes.append(svg("line", { x1: MARGIN.left, x2: MARGIN.left + plotW, y1: y(v), y2: y(v), class: "grid" }));
    axes.append(svg("text", { x: MARGIN.left - 6, y: y(v), "text-anchor": "end", "dominant-baseline": "middle" }, formatValue(v)));
  }
  const xTicks = Math.max(2, Math.min(5, Math.floor(plotW / 110)));
  for (let i = 0; i < xTicks; i++) {
    const t = t0 + tpad + ((t1 - t0 - 2 * tpad) * i) / Math.max(xTicks - 1, 1);
    const at = x(t);
    axes.append(svg("line", { x1: at, x2: at, y1: MARGIN.top + plotH, y2: MARGIN.top + plotH + 4 }));
    axes.append(
      svg("text", { x: at, y: HEIGHT - 10, "text-anchor": i === 0 ? "start" : i === xTicks - 1 ? "end" : "middle" },
        formatDate(new Date(t).toISOString().slice(0, 7))),
    );
  }
  axes.append(svg("line", { x1: MARGIN.left, x2: MARGIN.left + plotW, y1: MARGIN.top + plotH, y2: MARGIN.top + plotH }));
  axes.append(svg("text", { x: MARGIN.left - 6, y: 12, "text-anchor": "end", class: "unit" }, unit));
  root.append(axes);

  if (pts.length > 1) {
    root.append(svg("polyline", { class: "line", points: pts.map((p) => `${x(p.t)},${y(p.value)}`).join(" ") }));
  }
  const marks = svg("g", { class: "points" });
  for (const p of pts) {
    const f = flag(p);
    const tip = svg("title", {}, `${formatDate(p.time)}: ${formatValue(p.value)} ${unit}${f ? ` (${f})` : ""}`);
    const [cx, cy] = [x(p.t), y(p.value)];
    // Out-of-range points are diamonds, not only another colour.
    marks.append(
      f
        ? svg("path", { class: `point ${f}`, d: `M${cx},${cy - 6}L${cx + 6},${cy}L${cx},${cy + 6}L${cx - 6},${cy}Z` }, tip)
        : svg("circle", { class: "point", cx, cy, r: 4 }, tip),
    );
  }
  root.append(marks);
  return root;
}

/** The chart in words, for its <desc> and the figure's caption. */
export function describe(trend) {
  const pts = trend.points;
  const unit = trend.unit ?? "";
  const last = pts[pts.length - 1];
  const values = pts.map((p) => p.value);
  const span = pts.length > 1 ? ` from ${formatDate(pts[0].time)} to ${formatDate(last.time)}` : ` on ${formatDate(last.time)}`;
  const outside = pts.filter(flag).length;
  return (
    `${pts.length} measurement${pts.length === 1 ? "" : "s"}${span}; ` +
    `latest ${formatValue(last.value)} ${unit}` +
    (pts.length > 1 ? `, lowest ${formatValue(Math.min(...values))}, highest ${formatValue(Math.max(...values))}` : "") +
    (outside ? `; ${outside} outside the reference range` : "") +
    "."
  );
}

function valuesTable(trend) {
  const unit = trend.unit ?? "";
  const ranged = trend.points.some((p) => p.low !== undefined || p.high !== undefined);
  const head = html("tr", {}, html("th", { scope: "col" }, "Date"), html("th", { scope: "col" }, `Value (${unit})`));
  if (ranged) head.append(html("th", { scope: "col" }, "Reference range"), html("th", { scope: "col" }, "Flag"));
  const body = html("tbody");
  for (const p of [...trend.points].reverse()) {
    const row = html("tr", {}, html("td", {}, html("time", { datetime: p.time }, formatDate(p.time))), html("td", { class: "num" }, formatValue(p.value)));
    if (ranged) row.append(html("td", {}, rangeText(p, unit)), html("td", {}, flag(p) ?? ""));
    body.append(row);
  }
  return html("table", {}, html("caption", {}, `${trend.name ?? trend.label}, newest first`), html("thead", {}, head), body);
}

let nextId = 0;

/**
 * A <figure> with the trend's heading, SVG chart (redrawn to the figure's width) and table.
 * `trend` is a `trend()` result with a display `name`.
 */
export function trendFigure(trend, headingLevel = "h3") {
  const id = `trend-${nextId++}`;
  const ids = { title: `${id}-title`, desc: `${id}-desc` };
  const figure = html("figure", { class: "trend", "aria-labelledby": `${id}-heading`, "data-code": trend.code, "data-points": trend.points.length });
  const heading = html(headingLevel, { id: `${id}-heading` }, trend.name ?? trend.label);
  const label = trend.label && trend.label.toLowerCase() !== trend.name?.toLowerCase() ? html("p", { class: "concept" }, trend.label) : "";
  const holder = html("div", { class: "chart-holder" });
  const caption = html("figcaption", {}, describe(trend));
  if (trend.unconvertible > 0) {
    caption.append(` ${trend.unconvertible} measurement(s) in a unit that cannot be converted to ${trend.unit} are not shown.`);
  }
  const details = html("details", {}, html("summary", {}, "Show the values as a table"), valuesTable(trend));
  figure.append(heading, label, holder, caption, details);

  let drawnWidth = 0;
  const draw = () => {
    const width = Math.max(260, Math.floor(holder.clientWidth));
    if (width === drawnWidth) return;
    drawnWidth = width;
    holder.replaceChildren(chartSvg(trend, width, ids));
  };
  new ResizeObserver(draw).observe(holder);
  return figure;
}
