//! Text and SVG charts of a lab trend.

use emr_core::query::Trend;

/// Width of the longest bar, in characters.
const BAR: usize = 30;

fn fmt_value(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The trend as text: a title, then one bar per measurement with its value, unit, reference
/// range and an H/L flag.
///
/// # Example
/// ```
/// let t: emr_core::query::Trend = serde_json::from_value(serde_json::json!({
///   "code": "4548-4", "label": "HbA1c", "unit": "%", "unconvertible": 0,
///   "points": [{"time": "2020-01-01", "value": 6.0, "high": 5.6, "flag": "H",
///               "entry": {"source": "a", "id": "o1", "version": 1}}]})).unwrap();
/// assert!(emr_cli::render::chart::text(&t).contains("6 %  H"));
/// ```
pub fn text(trend: &Trend) -> String {
    let unit = trend.unit.clone().unwrap_or_default();
    let mut out = format!("{} ({})", if trend.label.is_empty() { "trend" } else { &trend.label }, trend.code);
    if !unit.is_empty() {
        out.push_str(&format!(", {unit}"));
    }
    out.push('\n');
    if trend.points.is_empty() {
        out.push_str("  no measurements\n");
        return out;
    }
    let max =
        trend.points.iter().map(|p| p.value).chain(trend.points.iter().filter_map(|p| p.high)).fold(0.0, f64::max);
    let width = |v: f64| -> usize {
        if max <= 0.0 || v <= 0.0 {
            0
        } else {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let n = ((v / max) * BAR as f64).round() as usize;
            n.clamp(1, BAR)
        }
    };
    let dates: Vec<String> = trend.points.iter().map(|p| p.time.to_string()).collect();
    let date_w = dates.iter().map(|d| d.chars().count()).max().unwrap_or(0);
    for (p, date) in trend.points.iter().zip(&dates) {
        let range = match (p.low, p.high) {
            (Some(l), Some(h)) => format!("  ref {}–{}", fmt_value(l), fmt_value(h)),
            (None, Some(h)) => format!("  ref < {}", fmt_value(h)),
            (Some(l), None) => format!("  ref > {}", fmt_value(l)),
            (None, None) => String::new(),
        };
        let bar = "█".repeat(width(p.value));
        let value = format!("{} {unit}", fmt_value(p.value));
        let line = format!("  {date:<date_w$}  {bar:<BAR$}  {value}  {}{range}", p.flag.map_or("", |f| f.as_str()));
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if trend.unconvertible > 0 {
        out.push_str(&format!(
            "  ({} measurement(s) in units that do not convert were left out)\n",
            trend.unconvertible
        ));
    }
    out
}

/// The trend as a small SVG line chart (values over measurement order, reference range shaded).
pub fn svg(trend: &Trend) -> String {
    let (w, h, pad) = (640.0_f64, 240.0_f64, 40.0_f64);
    let values: Vec<f64> = trend.points.iter().map(|p| p.value).collect();
    let highs = trend.points.iter().filter_map(|p| p.high);
    let lows = trend.points.iter().filter_map(|p| p.low);
    let max = values.iter().copied().chain(highs).fold(f64::MIN, f64::max);
    let min = values.iter().copied().chain(lows).fold(f64::MAX, f64::min).min(0.0);
    let span = if max > min { max - min } else { 1.0 };
    let n = values.len().max(2) - 1;
    #[allow(clippy::cast_precision_loss)]
    let x = |i: usize| pad + (w - 2.0 * pad) * (i as f64) / (n as f64);
    let y = |v: f64| h - pad - (h - 2.0 * pad) * (v - min) / span;
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"sans-serif\" font-size=\"11\">\n"
    );
    out.push_str(&format!(
        "<text x=\"{pad}\" y=\"20\" font-size=\"14\">{} ({}){}</text>\n",
        esc(&trend.label),
        esc(&trend.code),
        trend.unit.as_deref().map(|u| format!(", {}", esc(u))).unwrap_or_default()
    ));
    if let Some(p) = trend.points.last() {
        if let (Some(l), Some(hi)) = (p.low, p.high) {
            out.push_str(&format!(
                "<rect x=\"{pad}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#d8f0d8\"/>\n",
                y(hi),
                w - 2.0 * pad,
                (y(l) - y(hi)).max(0.0)
            ));
        }
    }
    let pts: Vec<String> = values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect();
    out.push_str(&format!(
        "<polyline fill=\"none\" stroke=\"#2060c0\" stroke-width=\"2\" points=\"{}\"/>\n",
        pts.join(" ")
    ));
    for (i, p) in trend.points.iter().enumerate() {
        out.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"#2060c0\"><title>{} {}</title></circle>\n<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\n",
            x(i),
            y(p.value),
            p.time,
            fmt_value(p.value),
            x(i),
            y(p.value) - 8.0,
            fmt_value(p.value)
        ));
    }
    out.push_str("</svg>\n");
    out
}
