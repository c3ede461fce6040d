//! Addresses: street number, street, further lines, city, state and postcode of the
//! best-agreeing pair of addresses, with the street and a further line allowed to be swapped.

use super::evidence::{IdentityEvidence, IdentityField, MatchLevel};
use super::profile::Place;
use super::text::{is_typo, one_digit_apart};

/// Address fields in report order.
const FIELDS: [IdentityField; 6] = [
    IdentityField::StreetNumber,
    IdentityField::Street,
    IdentityField::AddressLine,
    IdentityField::City,
    IdentityField::State,
    IdentityField::Postcode,
];

/// The address evidence of the best-agreeing pair of addresses.
pub(super) fn compare(a: &[Place], b: &[Place]) -> [IdentityEvidence; 6] {
    let mut best: Option<[IdentityEvidence; 6]> = None;
    for x in a {
        for y in b {
            let mut pair = FIELDS.map(|f| IdentityEvidence::scored(f, MatchLevel::Missing));
            for (e, level) in pair.iter_mut().zip(levels(x, y)) {
                *e = IdentityEvidence::scored(e.field, level);
            }
            let total = |p: &[IdentityEvidence; 6]| p.iter().map(|e| e.weight).sum::<f64>();
            if best.as_ref().is_none_or(|b| total(&pair) > total(b)) {
                best = Some(pair);
            }
        }
    }
    best.unwrap_or(FIELDS.map(|f| IdentityEvidence::scored(f, MatchLevel::Missing)))
}

/// Levels in the order of [`FIELDS`].
pub(super) fn levels(a: &Place, b: &Place) -> [MatchLevel; 6] {
    let (street, other) = street_and_other(a, b);
    [
        digits_level(&a.number, &b.number),
        street,
        other,
        text_level(&a.city, &b.city),
        exact_level(&a.state, &b.state),
        digits_level(&a.postcode, &b.postcode),
    ]
}

fn street_and_other(a: &Place, b: &Place) -> (MatchLevel, MatchLevel) {
    let street = text_level(&a.street, &b.street);
    let other = text_level(&a.other, &b.other);
    let close = |l: MatchLevel| matches!(l, MatchLevel::Exact | MatchLevel::Typo);
    if close(street) || close(other) {
        return (street, other);
    }
    // The street written as a further line and the other way round.
    let cross_street = text_level(&a.street, &b.other);
    let cross_other = text_level(&a.other, &b.street);
    let usable = |l: MatchLevel| close(l) || l == MatchLevel::Missing;
    if (close(cross_street) || close(cross_other)) && usable(cross_street) && usable(cross_other) {
        let swapped = |l: MatchLevel| if close(l) { MatchLevel::Swapped } else { MatchLevel::Missing };
        return (swapped(cross_street), swapped(cross_other));
    }
    (street, other)
}

fn text_level(a: &str, b: &str) -> MatchLevel {
    if a.is_empty() || b.is_empty() {
        MatchLevel::Missing
    } else if a == b {
        MatchLevel::Exact
    } else if is_typo(a, b) {
        MatchLevel::Typo
    } else {
        MatchLevel::Different
    }
}

/// States are short codes: a typo in one is as likely another state.
fn exact_level(a: &str, b: &str) -> MatchLevel {
    if a.is_empty() || b.is_empty() {
        MatchLevel::Missing
    } else if a == b {
        MatchLevel::Exact
    } else {
        MatchLevel::Different
    }
}

fn digits_level(a: &str, b: &str) -> MatchLevel {
    if a.is_empty() || b.is_empty() {
        MatchLevel::Missing
    } else if a == b {
        MatchLevel::Exact
    } else if one_digit_apart(a, b) {
        MatchLevel::OneDigit
    } else {
        MatchLevel::Different
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(number: &str, street: &str, other: &str, postcode: &str) -> Place {
        Place {
            number: number.into(),
            street: street.into(),
            other: other.into(),
            postcode: postcode.into(),
            ..Place::default()
        }
    }

    #[test]
    fn address_levels() {
        use MatchLevel::*;
        let a = place("74", "maranoastreet", "rockybend", "4814");
        let b = place("47", "maranoaastreet", "rockykend", "4184");
        assert_eq!(levels(&a, &b), [OneDigit, Typo, Typo, Missing, Missing, OneDigit]);
        let a = place("16", "langdonavenue", "arawang", "2000");
        let b = place("109", "arawang", "langdonavenue", "2000");
        assert_eq!(levels(&a, &b), [Different, Swapped, Swapped, Missing, Missing, Exact]);
        let a = place("", "esperancestreet", "", "2776");
        let b = place("", "pearceypclace", "", "2509");
        assert_eq!(levels(&a, &b), [Missing, Different, Missing, Missing, Missing, Different]);
    }
}
