//! HL7 v3 data types as FHIR: CD → CodeableConcept, PQ → Quantity, IVL_PQ → Range, TS/IVL_TS
//! → dateTime/Period, ST/INT/REAL/BL values, reference ranges.

use std::borrow::Cow;

use super::xml::Node;

use super::build::{lit, obj, s, Ctx};
use super::time::{parse_ts, Time};
use super::xml::{attr, child, children, path, text_of, xsi_type};
use crate::codes::{system_for_oid, UCUM};
use crate::json::{is_valid_number, Json};
use crate::validate::rules;

/// A `CD`/`CE`/`CV`/`CO` as a CodeableConcept: the code and every `translation` as codings, the
/// text from `originalText` (its narrative reference resolved), else the display name when there is no code. A
/// nullFlavor with nothing else is reported as `field` and gives `None`.
pub(crate) fn concept(ctx: &mut Ctx<'_, '_>, node: Node<'_, '_>, field: &str) -> Option<Json<'static>> {
    let mut codings = Vec::new();
    if let Some(c) = coding(node) {
        codings.push(c);
    }
    codings.extend(children(node, "translation").filter_map(coding));
    // The display name is the coding's display; it is the text only when there is no coding.
    let text = original_text(ctx, node).or_else(|| {
        if codings.is_empty() {
            attr(node, "displayName").map(str::to_owned)
        } else {
            None
        }
    });
    if codings.is_empty() && text.is_none() {
        if attr(node, "nullFlavor").is_some() {
            ctx.finding(&rules::CCDA_NULL_FLAVOR, node, field);
        }
        return None;
    }
    let mut members = Vec::new();
    if !codings.is_empty() {
        members.push(("coding", Json::Array(codings)));
    }
    if let Some(t) = text {
        members.push(("text", s(t)));
    }
    Some(obj(members))
}

/// One coding: `codeSystem` OID → URI, `code`, `displayName`.
fn coding(node: Node<'_, '_>) -> Option<Json<'static>> {
    let code = attr(node, "code")?;
    let mut members = Vec::new();
    if let Some(system) = attr(node, "codeSystem") {
        members.push(("system", Json::String(system_for_oid(system))));
    }
    if let Some(v) = attr(node, "codeSystemVersion") {
        members.push(("version", s(v)));
    }
    members.push(("code", s(code)));
    if let Some(d) = attr(node, "displayName") {
        members.push(("display", s(d)));
    }
    Some(obj(members))
}

/// The text of `originalText`: its own text, else the narrative its `reference` points at.
pub(crate) fn original_text(ctx: &Ctx<'_, '_>, node: Node<'_, '_>) -> Option<String> {
    let ot = child(node, "originalText")?;
    let own = text_of(ot);
    if !own.is_empty() {
        return Some(own);
    }
    let target = child(ot, "reference").and_then(|r| attr(r, "value")).and_then(|r| ctx.narrative(r))?;
    Some(text_of(target)).filter(|t| !t.is_empty())
}

/// The text of an element that is itself narrative-bearing (`text`): its reference resolved,
/// else its own text.
pub(crate) fn text_element(ctx: &Ctx<'_, '_>, node: Node<'_, '_>) -> Option<String> {
    if let Some(target) = child(node, "reference").and_then(|r| attr(r, "value")).and_then(|r| ctx.narrative(r)) {
        return Some(text_of(target)).filter(|t| !t.is_empty());
    }
    Some(text_of(node)).filter(|t| !t.is_empty())
}

/// A decimal as JSON number text (`.5` → `0.5`, `+2` → `2`, `3.` → `3`), or `None`.
pub(crate) fn number(text: &str) -> Option<Json<'static>> {
    let t = text.trim().trim_start_matches('+');
    if !t.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut n: Cow<'_, str> = Cow::Borrowed(t);
    if let Some(rest) = n.strip_prefix('.') {
        n = Cow::Owned(format!("0.{rest}"));
    } else if let Some(rest) = n.strip_prefix("-.") {
        n = Cow::Owned(format!("-0.{rest}"));
    }
    if let Some(stripped) = n.strip_suffix('.') {
        n = Cow::Owned(stripped.to_owned());
    }
    // JSON forbids leading zeros ("007"); keep one before the point.
    let (sign, digits) = n.strip_prefix('-').map_or(("", n.as_ref()), |d| ("-", d));
    let trimmed = digits.trim_start_matches('0');
    let fixed = if trimmed.is_empty() || trimmed.starts_with('.') {
        format!("{sign}0{trimmed}")
    } else {
        format!("{sign}{trimmed}")
    };
    if is_valid_number(&fixed) {
        Some(Json::Number(Cow::Owned(fixed)))
    } else {
        None
    }
}

/// A `PQ` as a Quantity (UCUM unit); `None` (reported) when its value does not read.
pub(crate) fn quantity(ctx: &mut Ctx<'_, '_>, node: Node<'_, '_>, field: &str) -> Option<Json<'static>> {
    let Some(raw) = attr(node, "value") else {
        if attr(node, "nullFlavor").is_some() {
            ctx.finding(&rules::CCDA_NULL_FLAVOR, node, field);
        }
        return None;
    };
    let Some(value) = number(raw) else {
        ctx.finding(&rules::CCDA_VALUE_UNREAD, node, field);
        return None;
    };
    let mut members = vec![("value", value)];
    if let Some(unit) = attr(node, "unit") {
        members.push(("unit", s(unit)));
        members.push(("system", lit(UCUM)));
        members.push(("code", s(unit)));
    }
    Some(obj(members))
}

/// An `IVL_PQ` as a Range (`low`/`high`; a `value` alone is both ends' absence, so `None`).
pub(crate) fn range(ctx: &mut Ctx<'_, '_>, node: Node<'_, '_>, field: &str) -> Option<Json<'static>> {
    let mut members = Vec::new();
    for end in ["low", "high"] {
        if let Some(q) = child(node, end).and_then(|n| quantity(ctx, n, field)) {
            members.push((end, q));
        }
    }
    (!members.is_empty()).then(|| obj(members))
}

/// An observation's `value` as FHIR `value[x]`: the element name and its content.
pub(crate) fn value_x(ctx: &mut Ctx<'_, '_>, value: Node<'_, '_>) -> Option<(&'static str, Json<'static>)> {
    let ty = xsi_type(value).unwrap_or("");
    match ty {
        "PQ" => quantity(ctx, value, "value").map(|q| ("valueQuantity", q)),
        "IVL_PQ" => match child(value, "low").or(child(value, "high")) {
            Some(_) => range(ctx, value, "value").map(|r| ("valueRange", r)),
            None => quantity(ctx, value, "value").map(|q| ("valueQuantity", q)),
        },
        "CD" | "CE" | "CV" | "CO" | "CS" => concept(ctx, value, "value").map(|c| ("valueCodeableConcept", c)),
        "ST" | "ED" | "SC" => {
            let text = text_element(ctx, value);
            if text.is_none() && attr(value, "nullFlavor").is_some() {
                ctx.finding(&rules::CCDA_NULL_FLAVOR, value, "value");
            }
            text.map(|t| ("valueString", s(t)))
        }
        "INT" => match attr(value, "value").and_then(|v| v.parse::<i32>().ok()) {
            Some(i) => Some(("valueInteger", Json::Number(Cow::Owned(i.to_string())))),
            None => unread(ctx, value),
        },
        "REAL" | "MO" => match attr(value, "value").and_then(number) {
            Some(n) => Some(("valueQuantity", obj([("value", n)]))),
            None => unread(ctx, value),
        },
        "BL" => match attr(value, "value") {
            Some("true") => Some(("valueBoolean", Json::Bool(true))),
            Some("false") => Some(("valueBoolean", Json::Bool(false))),
            _ => unread(ctx, value),
        },
        "TS" => ts(ctx, value, "value").map(|t| ("valueDateTime", s(t))),
        _ => unread(ctx, value),
    }
}

fn unread<T>(ctx: &mut Ctx<'_, '_>, node: Node<'_, '_>) -> Option<T> {
    let rule = if attr(node, "nullFlavor").is_some() { &rules::CCDA_NULL_FLAVOR } else { &rules::CCDA_VALUE_UNREAD };
    ctx.finding(rule, node, "value");
    None
}

/// A `TS` element's `@value` as FHIR text (reporting what cannot be kept whole).
pub(crate) fn ts(ctx: &mut Ctx<'_, '_>, node: Node<'_, '_>, field: &str) -> Option<String> {
    let raw = attr(node, "value")?;
    match parse_ts(raw) {
        Some(Time::Value(t)) => Some(t),
        Some(t @ Time::DateOnly(_)) => {
            ctx.finding(&rules::CCDA_TIME_NO_ZONE, node, field);
            Some(t.text().to_owned())
        }
        None => {
            ctx.finding(&rules::CCDA_VALUE_UNREAD, node, field);
            None
        }
    }
}

/// An `effectiveTime` (TS or IVL_TS) as `<prefix>DateTime` or `<prefix>Period`.
pub(crate) fn effective(
    ctx: &mut Ctx<'_, '_>,
    et: Option<Node<'_, '_>>,
    prefix: &str,
) -> Option<(Cow<'static, str>, Json<'static>)> {
    let et = et?;
    if let Some(t) = ts(ctx, et, prefix) {
        return Some((choice(prefix, false), s(t)));
    }
    if let Some(t) = child(et, "center").and_then(|c| ts(ctx, c, prefix)) {
        return Some((choice(prefix, false), s(t)));
    }
    let period = period(ctx, et, prefix)?;
    Some((choice(prefix, true), period))
}

/// `<prefix>DateTime` (or `<prefix>Period`), not allocated for the prefixes the mappings use.
fn choice(prefix: &str, period: bool) -> Cow<'static, str> {
    let name = match (prefix, period) {
        ("effective", false) => "effectiveDateTime",
        ("effective", true) => "effectivePeriod",
        ("onset", false) => "onsetDateTime",
        ("onset", true) => "onsetPeriod",
        ("performed", false) => "performedDateTime",
        ("performed", true) => "performedPeriod",
        ("occurrence", false) => "occurrenceDateTime",
        ("occurrence", true) => "occurrencePeriod",
        (_, false) => return Cow::Owned(format!("{prefix}DateTime")),
        (_, true) => return Cow::Owned(format!("{prefix}Period")),
    };
    Cow::Borrowed(name)
}

/// An `IVL_TS` as a Period (`low` → start, `high` → end).
pub(crate) fn period(ctx: &mut Ctx<'_, '_>, et: Node<'_, '_>, field: &str) -> Option<Json<'static>> {
    let start = child(et, "low").and_then(|n| ts(ctx, n, field));
    let end = child(et, "high").and_then(|n| ts(ctx, n, field));
    let mut members = Vec::new();
    if let Some(t) = start {
        members.push(("start", s(t)));
    }
    if let Some(t) = end {
        members.push(("end", s(t)));
    }
    (!members.is_empty()).then(|| obj(members))
}

/// `interpretationCode`s as CodeableConcepts.
pub(crate) fn interpretations(ctx: &mut Ctx<'_, '_>, obs: Node<'_, '_>) -> Vec<Json<'static>> {
    children(obs, "interpretationCode").filter_map(|n| concept(ctx, n, "interpretationCode")).collect()
}

/// `referenceRange/observationRange` as FHIR referenceRange (low/high, else text).
pub(crate) fn reference_ranges(ctx: &mut Ctx<'_, '_>, obs: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    for rr in children(obs, "referenceRange") {
        let Some(range_node) = child(rr, "observationRange") else { continue };
        let mut members = Vec::new();
        if let Some(v) = child(range_node, "value") {
            for end in ["low", "high"] {
                if let Some(q) = child(v, end).and_then(|n| quantity(ctx, n, "referenceRange")) {
                    members.push((end, q));
                }
            }
        }
        if let Some(t) = path(range_node, &["text"]).and_then(|t| text_element(ctx, t)) {
            members.push(("text", s(t)));
        }
        if let Some(c) = child(range_node, "interpretationCode").and_then(|c| concept(ctx, c, "referenceRange")) {
            members.push(("type", c));
        }
        if !members.is_empty() {
            out.push(obj(members));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_become_json_numbers() {
        let n = |t: &str| number(t).and_then(|j| j.as_number_text().map(str::to_owned));
        assert_eq!(n("7.0").as_deref(), Some("7.0"));
        assert_eq!(n(".5").as_deref(), Some("0.5"));
        assert_eq!(n("+2").as_deref(), Some("2"));
        assert_eq!(n("3.").as_deref(), Some("3"));
        assert_eq!(n("007").as_deref(), Some("7"));
        assert_eq!(n("-0.25").as_deref(), Some("-0.25"));
        assert_eq!(n("1e3").as_deref(), Some("1e3"));
        assert_eq!(n("abc"), None);
        assert_eq!(n(""), None);
    }
}
