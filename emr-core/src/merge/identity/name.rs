//! Names: given and family compared separately, with nicknames, initials, typos, sound-alikes,
//! and given and family names swapped.

use super::evidence::{IdentityEvidence, IdentityField, MatchLevel};
use super::nickname;
use super::profile::Name;
use super::text::{is_typo, sounds_alike};

/// The given-name and family-name evidence of the best-agreeing pair of names.
pub(super) fn compare(a: &[Name], b: &[Name]) -> [IdentityEvidence; 2] {
    let mut best: Option<[IdentityEvidence; 2]> = None;
    for x in a {
        for y in b {
            let (given, family) = levels(x, y);
            let pair = [
                IdentityEvidence::scored(IdentityField::GivenName, given),
                IdentityEvidence::scored(IdentityField::FamilyName, family),
            ];
            let total = |p: &[IdentityEvidence; 2]| p.iter().map(|e| e.weight).sum::<f64>();
            if best.as_ref().is_none_or(|b| total(&pair) > total(b)) {
                best = Some(pair);
            }
        }
    }
    best.unwrap_or([
        IdentityEvidence::scored(IdentityField::GivenName, MatchLevel::Missing),
        IdentityEvidence::scored(IdentityField::FamilyName, MatchLevel::Missing),
    ])
}

/// The levels of (given, family) for one pair of names.
pub(super) fn levels(a: &Name, b: &Name) -> (MatchLevel, MatchLevel) {
    let given = given_level(a, b);
    let family = family_level(&a.family, &b.family, &a.family_words, &b.family_words);
    let close = |l: MatchLevel| matches!(l, MatchLevel::Exact | MatchLevel::Nickname | MatchLevel::Typo);
    if close(given) || close(family) {
        return (given, family);
    }
    // Given and family swapped on one side: both cross comparisons agree closely.
    let near = |x: &str, y: &str| !x.is_empty() && (x == y || is_typo(x, y));
    if near(&a.given, &b.family) && near(&a.family, &b.given) {
        return (MatchLevel::Swapped, MatchLevel::Swapped);
    }
    (given, family)
}

fn given_level(a: &Name, b: &Name) -> MatchLevel {
    let (Some(fa), Some(fb)) = (a.given_words.first(), b.given_words.first()) else {
        return MatchLevel::Missing;
    };
    let letters = |w: &str| w.chars().count();
    if a.given == b.given || (fa == fb && letters(fa) > 1) {
        return MatchLevel::Exact;
    }
    // A known nickname, or a middle name used as the first name.
    let other_given = |w: &str, names: &[String]| letters(w) > 1 && names.iter().skip(1).any(|n| n == w);
    if nickname::equivalent(fa, fb) || other_given(fa, &b.given_words) || other_given(fb, &a.given_words) {
        return MatchLevel::Nickname;
    }
    if (letters(fa) == 1 && fb.starts_with(fa.as_str())) || (letters(fb) == 1 && fa.starts_with(fb.as_str())) {
        return MatchLevel::Initial;
    }
    if is_typo(&a.given, &b.given) || is_typo(fa, fb) {
        return MatchLevel::Typo;
    }
    if sounds_alike(fa, fb) {
        return MatchLevel::Phonetic;
    }
    MatchLevel::Different
}

fn family_level(a: &str, b: &str, a_words: &[String], b_words: &[String]) -> MatchLevel {
    if a.is_empty() || b.is_empty() {
        return MatchLevel::Missing;
    }
    if a == b {
        return MatchLevel::Exact;
    }
    // One part of a compound name (`Garcia Lopez` / `Garcia`) counts as close.
    let compound = (a_words.len() > 1 || b_words.len() > 1)
        && a_words.iter().any(|w| w.chars().count() >= 3 && b_words.iter().any(|v| v == w));
    if compound || is_typo(a, b) {
        return MatchLevel::Typo;
    }
    if sounds_alike(a, b) {
        return MatchLevel::Phonetic;
    }
    MatchLevel::Different
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::HumanName;

    fn name(given: &str, family: &str) -> Name {
        let mut p = super::super::profile::Profile::new(&crate::model::Demographics {
            names: vec![HumanName { family: Some(family.into()), given: vec![given.into()], ..HumanName::default() }],
            ..crate::model::Demographics::default()
        });
        p.names.pop().unwrap_or_default()
    }

    #[test]
    fn levels_of_name_pairs() {
        use MatchLevel::*;
        let cases = [
            (("Ana", "Rivera"), ("ana", "RIVERA"), (Exact, Exact)),
            (("William", "Smith"), ("Bill", "Smith"), (Nickname, Exact)),
            (("John Paul", "Smith"), ("Paul", "Smith"), (Nickname, Exact)),
            (("J", "Smith"), ("John", "Smith"), (Initial, Exact)),
            (("Isabella", "Lodder"), ("Isablela", "Loddwr"), (Typo, Typo)),
            (("Hayden", "Mac Neil"), ("Hayd en", "MacNeil"), (Exact, Exact)),
            (("Anthony", "Beazley"), ("Beazley", "Anthony"), (Swapped, Swapped)),
            (("Kydan", "McCarthy"), ("McCarthy", "Kydan"), (Swapped, Swapped)),
            (("Catherine", "Smyth"), ("Katherine", "Smith"), (Nickname, Typo)),
            (("Luke", "Garcia Lopez"), ("Mia", "Garcia"), (Different, Typo)),
            (("Luke", ""), ("", "Berry"), (Missing, Missing)),
        ];
        for ((ga, fa), (gb, fb), expected) in cases {
            assert_eq!(levels(&name(ga, fa), &name(gb, fb)), expected, "{ga} {fa} / {gb} {fb}");
        }
    }
}
