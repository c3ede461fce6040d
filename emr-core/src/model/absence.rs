//! "No known …" and "no information" entries: absent and unknown are not the same, and neither
//! cancels a positive entry from another source.

use super::clinical::Clinical;
use crate::codes::ABSENT_UNKNOWN;
use crate::codes::SNOMED_CT;

/// What an entry says about absence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Absence {
    /// A real finding, drug, problem…
    Positive,
    /// The source had no information ("no-allergy-info"): never evidence of absence.
    NoInformation,
    /// The source asserts there is none ("no-known-allergies", SNOMED 716186003…).
    KnownAbsent,
}

/// SNOMED CT "no known …" situations.
const SNOMED_NO_KNOWN: &[&str] = &[
    "716186003", // No known allergy
    "409137002", // No known drug allergy
    "429625007", // No known food allergy
    "428607008", // No known environmental allergy
    "160245001", // No current problems or disability
];

pub(crate) fn absence(c: &Clinical) -> Absence {
    let Some(cc) = &c.code else { return Absence::Positive };
    for c in &cc.codings {
        match (c.system.as_deref(), c.code.as_deref()) {
            (Some(ABSENT_UNKNOWN), Some(code)) if code.starts_with("no-known") => return Absence::KnownAbsent,
            (Some(ABSENT_UNKNOWN), Some(_)) => return Absence::NoInformation,
            (Some(SNOMED_CT), Some(code)) if SNOMED_NO_KNOWN.contains(&code) => return Absence::KnownAbsent,
            _ => {}
        }
    }
    Absence::Positive
}
