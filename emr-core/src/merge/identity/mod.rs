//! Patient identity: do two records describe the same person?
//!
//! 1. **Identifiers decide.** A shared identifier (same system, same value; systems compared
//!    exactly, values trimmed) means the same person. Different values in a system that holds one
//!    value per person (a national id, the MRN of one assigner) mean different people, unless the
//!    demographics reach [`MATCH_THRESHOLD`] anyway, which is left to a human.
//! 2. **Otherwise a Fellegi–Sunter score.** Each field (given name, family name, birth date, sex,
//!    street number, street, further address line, city, state, postcode, phone) is compared at
//!    a [`MatchLevel`] (exact, typo, nickname, initial, sound-alike, swapped, day and month
//!    transposed, one digit off, compatible partial date, different, missing); each level
//!    weighs log2(m / u) bits ([`WEIGHTS`]), and the score is their sum. A missing value weighs 0.
//!    At or above [`MATCH_THRESHOLD`] the records are the same person, below
//!    [`NON_MATCH_THRESHOLD`] different people, and in between a human should look.
//!
//! The result names fields and outcomes only, never a patient's values. The comparison is pure,
//! deterministic and never panics. Method, weights and measured precision and recall on the Febrl
//! data sets: `docs/identity-matching.md`.
//!
//! # Example
//! ```
//! use emr_core::merge::identity::{compare, IdentityDecision, SamePersonBy};
//! use emr_core::model::Patient;
//!
//! let clinic_a = Patient::parse(r#"{"resourceType":"Patient",
//!     "name":[{"family":"Rivera","given":["Katherine"]}],"birthDate":"1970-03-02","gender":"female",
//!     "address":[{"line":["12 Tullaroop Street"],"city":"St James","postalCode":"4011"}]}"#)?;
//! let clinic_b = Patient::parse(r#"{"resourceType":"Patient",
//!     "name":[{"family":"Rivera","given":["Kate"]}],"birthDate":"1970-02-03","gender":"female",
//!     "address":[{"line":["12 Tullaroop St"],"city":"St James","postalCode":"4011"}]}"#)?;
//!
//! let result = compare(clinic_a.demographics(), clinic_b.demographics());
//! assert_eq!(result.decision, IdentityDecision::SamePerson { by: SamePersonBy::Score });
//! assert!(result.summary().contains("given-name partial (nickname)"));
//! # Ok::<(), emr_core::model::ResourceError>(())
//! ```

mod address;
mod date;
mod decision;
mod evidence;
mod identifier;
mod name;
mod nickname;
mod phone;
mod profile;
mod sex;
mod text;
mod weights;

pub use decision::{DifferentPeopleBy, IdentityDecision, IdentityFlag, IdentityScore, SamePersonBy, UncertainBecause};
pub use evidence::{Agreement, IdentityEvidence, IdentityField, MatchLevel};
pub use weights::{weights_markdown, FieldWeight, WeightSource, WEIGHTS};

use serde::{Deserialize, Serialize};

use crate::model::Demographics;
use profile::Profile;

/// Scores at or above this (in bits) mean the same person.
///
/// A likelihood ratio of 2^20 ≈ 10^6: even if only one candidate pair in a thousand is a true
/// match, a pair scoring this is one with probability ≥ 0.999. Checked on the Febrl `dataset1`
/// training set (see `docs/identity-matching.md`).
pub const MATCH_THRESHOLD: f64 = 20.0;

/// Scores below this (in bits) mean different people: the evidence does not favour the same
/// person at all (likelihood ratio below 1). From here up to [`MATCH_THRESHOLD`] the decision is
/// [`IdentityDecision::Uncertain`], for a human to review.
pub const NON_MATCH_THRESHOLD: f64 = 0.0;

/// The most that address and phone together add to a score, in bits.
///
/// Street number, street, further line, city, state, postcode and phone all describe one
/// household, so agreeing on all of them is one piece of evidence, not seven independent ones:
/// family members share them. About 2^16 households (a registry of ~150,000 people) make a shared
/// household worth ~16 bits. When the household fields add up to more, their weights are scaled
/// down to sum to this.
pub const HOUSEHOLD_CAP: f64 = 16.0;

/// What identifiers do in a comparison.
///
/// # Example
/// ```
/// use emr_core::merge::identity::{compare_with, IdentifierUse, IdentityDecision, SamePersonBy};
/// use emr_core::model::{Demographics, Identifier};
/// let ssn = |v: &str| Demographics {
///     identifiers: vec![Identifier { system: Some("http://hl7.org/fhir/sid/us-ssn".into()), value: Some(v.into()) }],
///     ..Demographics::default()
/// };
/// let decided = compare_with(&ssn("999-36-6866"), &ssn("999-36-6866 "), IdentifierUse::Decide);
/// assert_eq!(decided.decision, IdentityDecision::SamePerson { by: SamePersonBy::Identifier });
/// let scored = compare_with(&ssn("999-36-6866"), &ssn("999-36-6866"), IdentifierUse::Score);
/// assert!(scored.score > 10.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IdentifierUse {
    /// A shared identifier decides "same person"; a conflict in a one-per-person system decides
    /// "different people" (unless the demographics match: then uncertain). Identifiers add
    /// nothing to the score.
    #[default]
    Decide,
    /// Identifiers are one more scored field (exact, one character off, different), for sources
    /// whose identifiers are known to contain errors.
    Score,
}

/// Compare two patients' demographics; identifiers decide ([`IdentifierUse::Decide`]).
///
/// # Example
/// ```
/// use emr_core::merge::identity::{compare, IdentityDecision, DifferentPeopleBy};
/// use emr_core::model::Patient;
/// let a = Patient::parse(r#"{"resourceType":"Patient","name":[{"family":"Rivera","given":["Ana"]}],"birthDate":"1970-03-02"}"#)?;
/// let b = Patient::parse(r#"{"resourceType":"Patient","name":[{"family":"Chen","given":["Wei"]}],"birthDate":"1988-11-23"}"#)?;
/// let result = compare(a.demographics(), b.demographics());
/// assert_eq!(result.decision, IdentityDecision::DifferentPeople { by: DifferentPeopleBy::Score });
/// assert!(result.score < 0.0);
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
pub fn compare(a: &Demographics, b: &Demographics) -> IdentityScore {
    compare_with(a, b, IdentifierUse::Decide)
}

/// One comparison of [`compare_each`]: the positions of the two patients and their score.
#[derive(Debug, Clone, PartialEq)]
pub struct PairScore {
    /// Position of the first patient in the input.
    pub a: usize,
    /// Position of the second (later) patient in the input.
    pub b: usize,
    /// Their comparison.
    pub score: IdentityScore,
}

/// The identity check of records that are to become one person's chart — what `merge` and an
/// import into a stored record both apply: every pair of the patients that say who someone is
/// compared, weakest first. Placeholders ([`Patient::is_placeholder`](crate::model::Patient::is_placeholder))
/// and repeats of an identical resource are skipped. The records are one person's when every
/// comparison [is the same person](IdentityDecision::is_same_person).
///
/// # Example
/// ```
/// use emr_core::merge::identity::compare_each;
/// use emr_core::model::Patient;
/// let p = |t: &str| Patient::parse(t).unwrap();
/// let ana = p(r#"{"resourceType":"Patient","name":[{"family":"Rivera","given":["Ana"]}],"birthDate":"1970-03-02","gender":"female"}"#);
/// let wei = p(r#"{"resourceType":"Patient","name":[{"family":"Chen","given":["Wei"]}],"birthDate":"1988-11-23","gender":"male"}"#);
/// let placeholder = p(r#"{"resourceType":"Patient","id":"p1"}"#);
/// let pairs = compare_each(&[&placeholder, &ana, &ana, &wei]);
/// assert_eq!(pairs.len(), 1);
/// assert_eq!((pairs[0].a, pairs[0].b), (1, 3));
/// assert!(!pairs[0].score.decision.is_same_person());
/// ```
pub fn compare_each(patients: &[&crate::model::Patient]) -> Vec<PairScore> {
    let mut distinct: Vec<(usize, &crate::model::Patient)> = Vec::new();
    for (i, p) in patients.iter().enumerate() {
        if !p.is_placeholder() && !distinct.iter().any(|(_, q)| q.resource() == p.resource()) {
            distinct.push((i, p));
        }
    }
    let mut out = Vec::new();
    for (k, (i, a)) in distinct.iter().enumerate() {
        for (j, b) in distinct.iter().skip(k + 1) {
            out.push(PairScore { a: *i, b: *j, score: compare(a.demographics(), b.demographics()) });
        }
    }
    out.sort_by(|x, y| x.score.score.total_cmp(&y.score.score).then_with(|| (x.a, x.b).cmp(&(y.a, y.b))));
    out
}

/// Compare two patients' demographics, with identifiers used as `identifiers` says.
///
/// The result is symmetric in `a` and `b` up to ties between several names or addresses.
///
/// # Example
/// ```
/// use emr_core::merge::identity::{compare_with, IdentifierUse, IdentityDecision, UncertainBecause};
/// use emr_core::model::Patient;
/// // Same demographics, different national ids: a human should look (a typo in the id?).
/// let a = Patient::parse(r#"{"resourceType":"Patient","identifier":[{"system":"urn:oid:2.16.840.1.113883.4.1","value":"123-45-6789"}],
///     "name":[{"family":"Rivera","given":["Ana"]}],"birthDate":"1970-03-02",
///     "address":[{"line":["12 Tullaroop Street"],"city":"St James","postalCode":"4011"}]}"#)?;
/// let b = Patient::parse(r#"{"resourceType":"Patient","identifier":[{"system":"urn:oid:2.16.840.1.113883.4.1","value":"123-45-6780"}],
///     "name":[{"family":"Rivera","given":["Ana"]}],"birthDate":"1970-03-02",
///     "address":[{"line":["12 Tullaroop Street"],"city":"St James","postalCode":"4011"}]}"#)?;
/// let result = compare_with(a.demographics(), b.demographics(), IdentifierUse::Decide);
/// assert_eq!(result.decision, IdentityDecision::Uncertain { because: UncertainBecause::IdentifierConflictsWithScore });
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
pub fn compare_with(a: &Demographics, b: &Demographics, identifiers: IdentifierUse) -> IdentityScore {
    compare_profiles(&Profile::new(a), &Profile::new(b), identifiers)
}

fn compare_profiles(a: &Profile, b: &Profile, identifiers: IdentifierUse) -> IdentityScore {
    let mut evidence = Vec::with_capacity(IdentityField::ALL.len());
    evidence.extend(name::compare(&a.names, &b.names));
    evidence.push(IdentityEvidence::scored(IdentityField::BirthDate, date::level(a.birth, b.birth)));
    evidence.push(IdentityEvidence::scored(IdentityField::Sex, sex::level(a.sex, b.sex)));
    evidence.extend(address::compare(&a.places, &b.places));
    evidence.push(IdentityEvidence::scored(IdentityField::Phone, phone::level(&a.phones, &b.phones)));
    let ids = identifier::check(&a.identifiers, &b.identifiers);
    evidence.push(match identifiers {
        IdentifierUse::Decide => IdentityEvidence::unscored(IdentityField::Identifier, ids.level),
        IdentifierUse::Score => IdentityEvidence::scored(IdentityField::Identifier, ids.level),
    });
    cap_household(&mut evidence);
    // Hundredths in a fixed order: the same sum on every platform.
    let score = (evidence.iter().map(|e| e.weight).sum::<f64>() * 100.0).round() / 100.0;
    let by_score = if score >= MATCH_THRESHOLD {
        IdentityDecision::SamePerson { by: SamePersonBy::Score }
    } else if score < NON_MATCH_THRESHOLD {
        IdentityDecision::DifferentPeople { by: DifferentPeopleBy::Score }
    } else {
        IdentityDecision::Uncertain { because: UncertainBecause::BorderlineScore }
    };
    let decision = match identifiers {
        IdentifierUse::Score => by_score,
        IdentifierUse::Decide => match (ids.shared, ids.conflict) {
            (true, false) => IdentityDecision::SamePerson { by: SamePersonBy::Identifier },
            (true, true) => IdentityDecision::Uncertain { because: UncertainBecause::IdentifiersDisagree },
            (false, true) if score >= MATCH_THRESHOLD => {
                IdentityDecision::Uncertain { because: UncertainBecause::IdentifierConflictsWithScore }
            }
            (false, true) => IdentityDecision::DifferentPeople { by: DifferentPeopleBy::ConflictingIdentifier },
            (false, false) => by_score,
        },
    };
    let flags = flags(a, b, &evidence);
    IdentityScore { score, decision, evidence, flags }
}

fn is_household(field: IdentityField) -> bool {
    matches!(
        field,
        IdentityField::StreetNumber
            | IdentityField::Street
            | IdentityField::AddressLine
            | IdentityField::City
            | IdentityField::State
            | IdentityField::Postcode
            | IdentityField::Phone
    )
}

/// Scale the household fields' weights down to sum to [`HOUSEHOLD_CAP`] when they exceed it.
fn cap_household(evidence: &mut [IdentityEvidence]) {
    let total: f64 = evidence.iter().filter(|e| is_household(e.field)).map(|e| e.weight).sum();
    if total <= HOUSEHOLD_CAP {
        return;
    }
    let factor = HOUSEHOLD_CAP / total;
    for e in evidence.iter_mut().filter(|e| is_household(e.field)) {
        e.weight = (e.weight * factor * 100.0).round() / 100.0;
    }
}

/// Birth years at least this far apart are a generation apart.
const GENERATION_YEARS: i32 = 15;

fn flags(a: &Profile, b: &Profile, evidence: &[IdentityEvidence]) -> Vec<IdentityFlag> {
    let level = |f: IdentityField| evidence.iter().find(|e| e.field == f).map_or(MatchLevel::Missing, |e| e.level);
    let (given, family, birth) =
        (level(IdentityField::GivenName), level(IdentityField::FamilyName), level(IdentityField::BirthDate));
    let family_agrees = matches!(family, MatchLevel::Exact | MatchLevel::Typo | MatchLevel::Phonetic);
    let mut out = Vec::new();
    if birth == MatchLevel::Exact && family_agrees && given == MatchLevel::Different {
        out.push(IdentityFlag::PossibleTwin);
    }
    let generation = match (a.birth, b.birth) {
        (Some(x), Some(y)) => birth == MatchLevel::Different && (x.year - y.year).abs() >= GENERATION_YEARS,
        _ => false,
    };
    if generation && family_agrees && matches!(given, MatchLevel::Exact | MatchLevel::Nickname | MatchLevel::Typo) {
        out.push(IdentityFlag::DifferentGeneration);
    }
    out
}
