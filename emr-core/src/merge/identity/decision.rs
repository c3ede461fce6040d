//! The outcome of comparing two patients: the score, the decision and the evidence behind it.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::evidence::{Agreement, IdentityEvidence};

/// Why two records were judged to be the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SamePersonBy {
    /// Both carry the same identifier (same system, same value).
    Identifier,
    /// The demographic score reached [`MATCH_THRESHOLD`](super::MATCH_THRESHOLD).
    Score,
}

/// Why two records were judged to be different people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DifferentPeopleBy {
    /// Both carry an identifier of the same one-per-person system (national id, MRN of one
    /// assigner), with different values, and the demographics do not reach the match threshold.
    ConflictingIdentifier,
    /// The demographic score fell below [`NON_MATCH_THRESHOLD`](super::NON_MATCH_THRESHOLD).
    Score,
}

/// Why a comparison was left to a human.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum UncertainBecause {
    /// The score lies between [`NON_MATCH_THRESHOLD`](super::NON_MATCH_THRESHOLD) and
    /// [`MATCH_THRESHOLD`](super::MATCH_THRESHOLD).
    BorderlineScore,
    /// The records share one identifier and conflict on another.
    IdentifiersDisagree,
    /// An identifier conflicts although the demographics reach the match threshold (perhaps a
    /// mistyped identifier).
    IdentifierConflictsWithScore,
}

/// Same person, different people, or a question for a human.
///
/// # Example
/// ```
/// use emr_core::merge::identity::{IdentityDecision, SamePersonBy};
/// let d = IdentityDecision::SamePerson { by: SamePersonBy::Identifier };
/// assert_eq!(serde_json::to_string(&d)?, r#"{"kind":"same-person","by":"identifier"}"#);
/// assert!(d.is_same_person());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum IdentityDecision {
    /// The records describe the same person.
    SamePerson {
        /// What decided it.
        by: SamePersonBy,
    },
    /// The records describe different people.
    DifferentPeople {
        /// What decided it.
        by: DifferentPeopleBy,
    },
    /// Not sure either way: a human should look.
    Uncertain {
        /// Why.
        because: UncertainBecause,
    },
}

impl IdentityDecision {
    /// True for [`IdentityDecision::SamePerson`].
    pub fn is_same_person(&self) -> bool {
        matches!(self, IdentityDecision::SamePerson { .. })
    }

    fn describe(&self) -> &'static str {
        match self {
            IdentityDecision::SamePerson { by: SamePersonBy::Identifier } => "same person: a shared identifier",
            IdentityDecision::SamePerson { by: SamePersonBy::Score } => {
                "same person: score at or above the match threshold"
            }
            IdentityDecision::DifferentPeople { by: DifferentPeopleBy::ConflictingIdentifier } => {
                "different people: conflicting identifiers of one system"
            }
            IdentityDecision::DifferentPeople { by: DifferentPeopleBy::Score } => {
                "different people: score below the non-match threshold"
            }
            IdentityDecision::Uncertain { because: UncertainBecause::BorderlineScore } => {
                "uncertain: score between the thresholds, needs review"
            }
            IdentityDecision::Uncertain { because: UncertainBecause::IdentifiersDisagree } => {
                "uncertain: one identifier is shared and another conflicts, needs review"
            }
            IdentityDecision::Uncertain { because: UncertainBecause::IdentifierConflictsWithScore } => {
                "uncertain: an identifier conflicts but the demographics match, needs review"
            }
        }
    }
}

/// A pattern that FS scoring cannot tell from a duplicate, worth a human's look even when the
/// decision is "same person".
///
/// Febrl's duplicates show both patterns often (a replaced given name, a replaced birth date), so
/// they do not change the decision: that would cost about a tenth of recall there. They are
/// reported for review instead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum IdentityFlag {
    /// Same birth date and family name, different given names: twins?
    PossibleTwin,
    /// Same name, birth years a generation apart (15 years or more): a parent and child (Jr./Sr.)?
    DifferentGeneration,
}

impl IdentityFlag {
    /// The flag's name as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityFlag::PossibleTwin => "possible-twin",
            IdentityFlag::DifferentGeneration => "different-generation",
        }
    }
}

/// The result of [`compare`](super::compare): a score in bits, the decision, and one piece of
/// evidence per field in [`IdentityField::ALL`](super::IdentityField::ALL) order.
///
/// The evidence names fields and outcomes, never the patient's values, so the result can go into
/// a report or a log.
///
/// # Example
/// ```
/// use emr_core::merge::identity::compare;
/// use emr_core::model::Patient;
/// let a = Patient::parse(r#"{"resourceType":"Patient","name":[{"family":"Rivera","given":["Ana"]}],"birthDate":"1970-03-02"}"#)?;
/// let b = Patient::parse(r#"{"resourceType":"Patient","name":[{"family":"Rivero","given":["Ana"]}],"birthDate":"1970-02-03"}"#)?;
/// let result = compare(a.demographics(), b.demographics());
/// let summary = result.summary();
/// assert!(summary.contains("family-name partial (typo)"));
/// assert!(summary.contains("birth-date partial (day-month-swapped)"));
/// assert!(!summary.contains("Rivera"));
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IdentityScore {
    /// Sum of the evidence weights: log2 of the likelihood ratio "same person" : "different people".
    pub score: f64,
    /// What the score and the identifiers decide.
    pub decision: IdentityDecision,
    /// One entry per field, in [`IdentityField::ALL`](super::IdentityField::ALL) order.
    pub evidence: Vec<IdentityEvidence>,
    /// Patterns that deserve a human's look whatever the decision.
    #[serde(default)]
    pub flags: Vec<IdentityFlag>,
}

impl IdentityScore {
    /// One line for a human: the decision, the score, and each compared field's outcome.
    /// Fields missing on either side are left out.
    pub fn summary(&self) -> String {
        let mut out = format!("{} (score {:.1})", self.decision.describe(), self.score);
        let mut first = true;
        for e in self.evidence.iter().filter(|e| e.outcome != Agreement::Missing) {
            out.push_str(if first { ": " } else { ", " });
            first = false;
            let _ = write!(out, "{} {}", e.field.as_str(), e.outcome.as_str());
            if e.outcome == Agreement::Partial {
                let _ = write!(out, " ({})", e.level.as_str());
            }
        }
        for (i, flag) in self.flags.iter().enumerate() {
            out.push_str(if i == 0 { "; review: " } else { ", " });
            out.push_str(flag.as_str());
        }
        out
    }
}
