//! Comparing observation values across units, at the precision they were reported.

use std::borrow::Cow;

use crate::codes::{ucum, KnownSystem, LOINC};
use crate::model::{Entry, ObservationValue, Quantity};

/// A value reduced to something comparable.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Comparable<'e> {
    /// A number in a unit, with the half-width of its last reported digit.
    Number { value: f64, unit: Option<&'e str>, half_ulp: f64 },
    /// Anything else, by its text.
    Text(Cow<'e, str>),
    /// No value.
    None,
}

fn quantity(q: &Quantity) -> Comparable<'_> {
    let Some(d) = &q.value else { return Comparable::None };
    match d.reported() {
        Some((value, half_ulp)) => Comparable::Number { value, unit: q.unit_key(), half_ulp },
        None => Comparable::Text(Cow::Borrowed(d.as_str())),
    }
}

pub(crate) fn comparable(e: &Entry) -> Comparable<'_> {
    if let Some(m) = &e.keys().measure {
        return Comparable::Number { value: m.value, unit: m.unit.as_ref().map(|u| u.as_str()), half_ulp: m.half_ulp };
    }
    match &e.clinical().value {
        Some(ObservationValue::Quantity(q)) => quantity(q),
        Some(ObservationValue::Integer(t)) => t.parse::<f64>().map_or(Comparable::Text(Cow::Borrowed(t)), |value| {
            Comparable::Number { value, unit: None, half_ulp: 0.5 }
        }),
        Some(ObservationValue::CodeableConcept(cc)) => Comparable::Text(
            cc.codings
                .iter()
                .filter_map(|c| Some(format!("{}|{}", c.system.as_deref()?, c.code.as_deref()?)))
                .min()
                .map(Cow::Owned)
                .or_else(|| cc.text.as_deref().map(Cow::Borrowed))
                .unwrap_or_default(),
        ),
        Some(ObservationValue::String(s)) => Comparable::Text(Cow::Borrowed(s)),
        Some(ObservationValue::Boolean(b)) => Comparable::Text(Cow::Borrowed(if *b { "true" } else { "false" })),
        Some(other) => Comparable::Text(Cow::Owned(format!("{other:?}"))),
        None => Comparable::None,
    }
}

/// Whether two values are the same measurement result: equal text, or numbers equal after
/// unit conversion (UCUM, or the analyte's molar mass for its LOINC code) within the precision
/// of the less precise report.
pub(crate) fn same_value(loinc: Option<&str>, a: &Comparable, b: &Comparable) -> bool {
    match (a, b) {
        (
            Comparable::Number { value: va, unit: ua, half_ulp: ha },
            Comparable::Number { value: vb, unit: ub, half_ulp: hb },
        ) => {
            let converted = match (ua, ub) {
                (Some(ua), Some(ub)) if ua != ub => convert(loinc, *vb, ub, ua),
                _ => Some(*vb),
            };
            converted.is_some_and(|vb_in_a| {
                // The tolerance of b scales with the conversion factor.
                let scale = if *vb == 0.0 { 1.0 } else { (vb_in_a / vb).abs() };
                (va - vb_in_a).abs() <= ha.max(hb * scale) + 1e-12 * va.abs().max(1.0)
            })
        }
        (x, y) => x == y,
    }
}

fn convert(loinc: Option<&str>, value: f64, from: &str, to: &str) -> Option<f64> {
    if let Some(code) = loinc {
        if let Some(v) = ucum::convert_analyte(code, value, from, to) {
            return Some(v);
        }
    }
    let (from, to) = (ucum::Unit::parse(from).ok()?, ucum::Unit::parse(to).ok()?);
    ucum::convert(value, &from, &to).ok()
}

/// The entry's LOINC code, if any.
pub(crate) fn loinc(e: &Entry) -> Option<&str> {
    match e.keys().concepts() {
        Some(mut concepts) => concepts.find_map(|c| c.code_in(KnownSystem::Loinc)),
        None => e.clinical().code.as_ref()?.code_in(LOINC),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(value: f64, unit: &str, digits: i32) -> Comparable<'_> {
        Comparable::Number { value, unit: Some(unit), half_ulp: 0.5 * 10f64.powi(-digits) }
    }

    #[test]
    fn glucose_in_two_units_is_one_value() {
        assert!(same_value(Some("2345-7"), &n(100.0, "mg/dL", 0), &n(5.6, "mmol/L", 1)));
        assert!(!same_value(Some("2345-7"), &n(100.0, "mg/dL", 0), &n(6.1, "mmol/L", 1)));
    }

    #[test]
    fn weight_and_temperature() {
        assert!(same_value(None, &n(70.0, "kg", 0), &n(154.3, "[lb_av]", 1)));
        assert!(same_value(None, &n(37.0, "Cel", 1), &n(98.6, "[degF]", 1)));
        assert!(same_value(None, &n(13.5, "g/dL", 1), &n(135.0, "g/L", 0)));
        assert!(!same_value(None, &n(70.0, "kg", 0), &n(70.0, "g", 0)));
    }

    #[test]
    fn cholesterol_and_height() {
        // Total cholesterol: 1 mmol/L = 38.67 mg/dL (its molar mass, 386.65 g/mol).
        assert!(same_value(Some("2093-3"), &n(200.0, "mg/dL", 0), &n(5.17, "mmol/L", 2)));
        assert!(!same_value(Some("2093-3"), &n(200.0, "mg/dL", 0), &n(5.50, "mmol/L", 2)));
        assert!(same_value(None, &n(170.0, "cm", 0), &n(66.9, "[in_i]", 1)));
        assert!(!same_value(None, &n(170.0, "cm", 0), &n(68.0, "[in_i]", 1)));
    }
}
