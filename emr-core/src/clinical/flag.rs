//! Whether a measurement is high or low: the source's own interpretation first, then the
//! reference range.

use serde::{Deserialize, Serialize};

use crate::model::{Clinical, CodeableConcept, ObservationValue};

/// A measurement outside its normal range.
///
/// # Example
/// ```
/// use emr_core::clinical::{range_flag, Flag};
/// assert_eq!(range_flag(6.4, None, Some(5.6)), Some(Flag::High));
/// assert_eq!(Flag::High.as_str(), "H");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub enum Flag {
    /// Below the normal range (HL7 interpretation `L`, `LL`, `LU`, `<`).
    #[serde(rename = "L")]
    Low,
    /// Above the normal range (HL7 interpretation `H`, `HH`, `HU`, `>`).
    #[serde(rename = "H")]
    High,
    /// Abnormal, neither high nor low (HL7 interpretation `A`, `AA`, or a coded result the source
    /// called abnormal).
    #[serde(rename = "A")]
    Abnormal,
}

impl Flag {
    /// The one-letter flag printed beside a value: `L`, `H` or `A`.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Low => "L",
            Flag::High => "H",
            Flag::Abnormal => "A",
        }
    }
}

/// The flag of a value against a reference range: above `high` is high, below `low` low.
///
/// # Example
/// ```
/// use emr_core::clinical::{range_flag, Flag};
/// assert_eq!(range_flag(3.1, Some(3.5), Some(5.0)), Some(Flag::Low));
/// assert_eq!(range_flag(4.0, Some(3.5), Some(5.0)), None);
/// assert_eq!(range_flag(4.0, None, None), None);
/// ```
pub fn range_flag(value: f64, low: Option<f64>, high: Option<f64>) -> Option<Flag> {
    match (low, high) {
        (_, Some(h)) if value > h => Some(Flag::High),
        (Some(l), _) if value < l => Some(Flag::Low),
        _ => None,
    }
}

/// The flag a source's own `interpretation` gives (HL7 v3 ObservationInterpretation codes), if
/// it gives one; `N` (normal) and other codes give none.
///
/// # Example
/// ```
/// use emr_core::clinical::{interpretation_flag, Flag};
/// use emr_core::model::{Entry, Provenance};
/// let e = Entry::from_text(Provenance::new("a", "o"), r#"{"resourceType":"Observation",
///   "interpretation":[{"coding":[{"code":"HH"}]}]}"#).unwrap();
/// assert_eq!(interpretation_flag(&e.clinical().interpretation), Some(Flag::High));
/// ```
pub fn interpretation_flag(interpretation: &[CodeableConcept]) -> Option<Flag> {
    interpretation.iter().flat_map(|cc| cc.codings.iter()).find_map(|k| match k.code.as_deref()? {
        "H" | "HH" | "HU" | ">" => Some(Flag::High),
        "L" | "LL" | "LU" | "<" => Some(Flag::Low),
        "A" | "AA" => Some(Flag::Abnormal),
        _ => None,
    })
}

/// An observation's flag: the source's interpretation when it gives one, else its quantity
/// value against its first reference range (compared in the range's numbers, which sources
/// write in the value's unit).
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance};
/// use emr_core::clinical::{observation_flag, Flag};
/// let e = Entry::from_text(Provenance::new("a", "o"), r#"{"resourceType":"Observation",
///   "valueQuantity":{"value":6.4,"unit":"%"},"referenceRange":[{"high":{"value":5.6,"unit":"%"}}]}"#).unwrap();
/// assert_eq!(observation_flag(e.clinical()), Some(Flag::High));
/// ```
pub fn observation_flag(c: &Clinical) -> Option<Flag> {
    if let Some(flag) = interpretation_flag(&c.interpretation) {
        return Some(flag);
    }
    let Some(ObservationValue::Quantity(q)) = &c.value else { return None };
    let value = q.value.as_ref()?.to_f64();
    let range = c.reference_ranges.first()?;
    let bound = |q: Option<&crate::model::Quantity>| q.and_then(|q| q.value.as_ref()).map(|d| d.to_f64());
    range_flag(value, bound(range.low.as_ref()), bound(range.high.as_ref()))
}
