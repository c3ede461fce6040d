//! The Fellegi–Sunter weights: for each field and level, m = P(level | same person),
//! u = P(level | different people), and the weight log2(m / u) in bits.
//!
//! Estimated ones come from Febrl `dataset1` (see `docs/identity-matching.md` for the method and
//! the command that re-derives them); fields that Febrl lacks (sex, phone) carry assumed values.

use serde::{Deserialize, Serialize};

use super::evidence::{IdentityField, MatchLevel};

/// Where a weight's m and u come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum WeightSource {
    /// m and u counted on the Febrl `dataset1` training set: m over its true pairs, u over all
    /// its other pairs.
    Estimated,
    /// u counted on `dataset1`; m assumed, because Febrl does not make this kind of error
    /// (nicknames, initials, day and month transposed).
    AssumedM,
    /// Both assumed: the field or level does not occur in Febrl (sex, phone, partial dates).
    Assumed,
}

/// The probabilities and weight of one level of one field.
///
/// # Example
/// ```
/// use emr_core::merge::identity::{IdentityField, MatchLevel, WEIGHTS};
/// let w = WEIGHTS.iter().find(|w| w.field == IdentityField::BirthDate && w.level == MatchLevel::Exact).unwrap();
/// assert!(w.m > w.u && w.weight > 10.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldWeight {
    /// The field.
    pub field: IdentityField,
    /// The comparison level.
    pub level: MatchLevel,
    /// P(level | same person), among pairs where both sides have the field.
    pub m: f64,
    /// P(level | different people), among pairs where both sides have the field.
    pub u: f64,
    /// log2(m / u) rounded to hundredths (so scores are the same on every platform); for a level
    /// that two fields share (a swap), half of it on each.
    pub weight: f64,
    /// Estimated or assumed.
    pub source: WeightSource,
}

const fn w(field: IdentityField, level: MatchLevel, m: f64, u: f64, weight: f64, source: WeightSource) -> FieldWeight {
    FieldWeight { field, level, m, u, weight, source }
}

use IdentityField as F;
use MatchLevel as L;
use WeightSource::{Assumed as A, AssumedM as AM, Estimated as E};

/// Every (field, level) weight. Missing values are not listed: they weigh 0.
// BEGIN GENERATED WEIGHTS
#[rustfmt::skip]
pub const WEIGHTS: &[FieldWeight] = &[
    w(F::GivenName, L::Exact, 0.6843, 0.003944, 7.44, E), // dataset1: 330 of true pairs, 1798 of others
    w(F::GivenName, L::Nickname, 0.02, 0.001372, 3.87, AM), // dataset1: 0 of true pairs, 625 of others
    w(F::GivenName, L::Typo, 0.1004, 0.001435, 6.13, E), // dataset1: 48 of true pairs, 654 of others
    w(F::GivenName, L::Phonetic, 0.007247, 0.002446, 1.57, E), // dataset1: 3 of true pairs, 1115 of others
    w(F::GivenName, L::Initial, 0.001694, 0.0001129, 3.91, AM), // dataset1: 0 of true pairs, 51 of others
    w(F::GivenName, L::Swapped, 0.09007, 1.096e-6, 8.16, E), // dataset1: 43 of true pairs, 0 of others
    w(F::GivenName, L::Different, 0.09628, 0.9907, -3.36, E), // dataset1: 46 of true pairs, 451777 of others
    w(F::FamilyName, L::Exact, 0.6656, 0.002892, 7.85, E), // dataset1: 326 of true pairs, 1391 of others
    w(F::FamilyName, L::Typo, 0.1804, 0.0007139, 7.98, E), // dataset1: 88 of true pairs, 343 of others
    w(F::FamilyName, L::Phonetic, 0.001019, 0.0008884, 0.2, E), // dataset1: 0 of true pairs, 427 of others
    w(F::FamilyName, L::Swapped, 0.08869, 1.039e-6, 8.19, E), // dataset1: 43 of true pairs, 0 of others
    w(F::FamilyName, L::Different, 0.06422, 0.9955, -3.95, E), // dataset1: 31 of true pairs, 479022 of others
    w(F::BirthDate, L::Exact, 0.9217, 3.179e-5, 14.82, E), // dataset1: 442 of true pairs, 14 of others
    w(F::BirthDate, L::DayMonthSwapped, 0.01, 5.481e-6, 10.83, AM), // dataset1: 0 of true pairs, 2 of others
    w(F::BirthDate, L::OneDigit, 0.00729, 0.0009878, 2.88, E), // dataset1: 3 of true pairs, 450 of others
    w(F::BirthDate, L::Compatible, 0.01, 0.000125, 6.32, A), // dataset1: 0 of true pairs, 0 of others
    w(F::BirthDate, L::Different, 0.05103, 0.9988, -4.29, E), // dataset1: 24 of true pairs, 455555 of others
    w(F::Sex, L::Exact, 0.98, 0.5, 0.97, A), // dataset1: 0 of true pairs, 0 of others
    w(F::Sex, L::Different, 0.02, 0.5, -4.64, A), // dataset1: 0 of true pairs, 0 of others
    w(F::StreetNumber, L::Exact, 0.8442, 0.01403, 5.91, E), // dataset1: 395 of true pairs, 6383 of others
    w(F::StreetNumber, L::OneDigit, 0.0587, 0.2234, -1.93, E), // dataset1: 27 of true pairs, 101665 of others
    w(F::StreetNumber, L::Different, 0.09712, 0.7626, -2.97, E), // dataset1: 45 of true pairs, 347020 of others
    w(F::Street, L::Exact, 0.7165, 0.0002977, 11.23, E), // dataset1: 347 of true pairs, 141 of others
    w(F::Street, L::Typo, 0.2093, 0.0003166, 9.37, E), // dataset1: 101 of true pairs, 150 of others
    w(F::Street, L::Swapped, 0.04433, 3.156e-6, 6.89, E), // dataset1: 21 of true pairs, 1 of others
    w(F::Street, L::Different, 0.0299, 0.9994, -5.06, E), // dataset1: 14 of true pairs, 475022 of others
    w(F::AddressLine, L::Exact, 0.7328, 0.0007015, 10.03, E), // dataset1: 308 of true pairs, 273 of others
    w(F::AddressLine, L::Typo, 0.2102, 0.0003501, 9.23, E), // dataset1: 88 of true pairs, 136 of others
    w(F::AddressLine, L::Swapped, 0.04869, 8.977e-6, 6.2, E), // dataset1: 20 of true pairs, 3 of others
    w(F::AddressLine, L::Different, 0.008314, 0.9989, -6.91, E), // dataset1: 3 of true pairs, 389458 of others
    w(F::City, L::Exact, 0.763, 0.0008926, 9.74, E), // dataset1: 373 of true pairs, 429 of others
    w(F::City, L::Typo, 0.1726, 0.0004395, 8.62, E), // dataset1: 84 of true pairs, 211 of others
    w(F::City, L::Different, 0.06435, 0.9987, -3.96, E), // dataset1: 31 of true pairs, 480543 of others
    w(F::State, L::Exact, 0.9623, 0.2346, 2.04, E), // dataset1: 472 of true pairs, 113589 of others
    w(F::State, L::Different, 0.03768, 0.7654, -4.34, E), // dataset1: 18 of true pairs, 370541 of others
    w(F::Postcode, L::Exact, 0.8305, 0.001011, 9.68, E), // dataset1: 416 of true pairs, 504 of others
    w(F::Postcode, L::OneDigit, 0.1565, 0.01354, 3.53, E), // dataset1: 78 of true pairs, 6758 of others
    w(F::Postcode, L::Different, 0.01296, 0.9854, -6.25, E), // dataset1: 6 of true pairs, 491738 of others
    w(F::Phone, L::Exact, 0.8, 0.0001, 12.97, A), // dataset1: 0 of true pairs, 0 of others
    w(F::Phone, L::OneDigit, 0.03, 0.0001, 8.23, A), // dataset1: 0 of true pairs, 0 of others
    w(F::Phone, L::Different, 0.17, 0.9998, -2.56, A), // dataset1: 0 of true pairs, 0 of others
    w(F::Identifier, L::Exact, 0.8983, 1.002e-6, 19.77, E), // dataset1: 450 of true pairs, 0 of others
    w(F::Identifier, L::OneDigit, 0.05484, 1.002e-6, 15.74, E), // dataset1: 27 of true pairs, 0 of others
    w(F::Identifier, L::Different, 0.04686, 1.0, -4.42, E), // dataset1: 23 of true pairs, 499000 of others
];
// END GENERATED WEIGHTS

/// The weight of `level` for `field`: 0 when missing or not tabulated.
pub(super) fn weight(field: IdentityField, level: MatchLevel) -> f64 {
    WEIGHTS.iter().find(|w| w.field == field && w.level == level).map_or(0.0, |w| w.weight)
}

/// The weight table as Markdown (field, level, m, u, weight, source), as in `docs/identity-matching.md`.
///
/// # Example
/// ```
/// let table = emr_core::merge::identity::weights_markdown();
/// assert!(table.starts_with("| field | level |"));
/// assert!(table.contains("| birth-date | exact |"));
/// ```
pub fn weights_markdown() -> String {
    let mut out = String::from("| field | level | m | u | weight (bits) | source |\n|---|---|---:|---:|---:|---|\n");
    for w in WEIGHTS {
        let source = match w.source {
            WeightSource::Estimated => "dataset1",
            WeightSource::AssumedM => "u: dataset1, m: assumed",
            WeightSource::Assumed => "assumed",
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {:+.2} | {} |\n",
            w.field.as_str(),
            w.level.as_str(),
            sig(w.m),
            sig(w.u),
            w.weight,
            source
        ));
    }
    out
}

/// Four significant digits, without exponent noise for table readers.
fn sig(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 12) as usize;
    format!("{x:.digits$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_log_ratios_of_their_probabilities() {
        for w in WEIGHTS {
            assert!(w.m > 0.0 && w.m <= 1.0 && w.u > 0.0 && w.u <= 1.0, "{:?}", w);
            let expected = (w.m / w.u).log2();
            let expected = if w.level == MatchLevel::Swapped { expected / 2.0 } else { expected };
            assert!((w.weight - expected).abs() <= 0.006, "{:?} expected {expected}", w);
        }
    }

    #[test]
    fn each_field_and_level_once_and_probabilities_sum_to_one() {
        for f in IdentityField::ALL {
            let rows: Vec<_> = WEIGHTS.iter().filter(|w| w.field == f).collect();
            assert!(!rows.is_empty(), "{f:?}");
            let mut levels: Vec<_> = rows.iter().map(|w| w.level).collect();
            levels.sort_unstable();
            levels.dedup();
            assert_eq!(levels.len(), rows.len(), "{f:?} has a level twice");
            let (m, u): (f64, f64) = rows.iter().fold((0.0, 0.0), |(m, u), w| (m + w.m, u + w.u));
            assert!((m - 1.0).abs() < 0.01 && (u - 1.0).abs() < 0.01, "{f:?}: m sums to {m}, u to {u}");
        }
    }
}
