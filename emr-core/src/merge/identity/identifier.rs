//! Identifiers: a shared (system, value) decides; different values in a one-per-person system conflict.

use super::evidence::MatchLevel;
use super::text::one_digit_apart;

/// How two sides' identifiers relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct IdentifierCheck {
    /// Some system and value appear on both sides.
    pub(super) shared: bool,
    /// Some one-per-person system appears on both sides with no value in common.
    pub(super) conflict: bool,
    /// The best level over the systems both sides have (for scoring).
    pub(super) level: MatchLevel,
}

/// True for systems in which a person may hold several values over time, so that different values
/// are no sign of different people: URIs in general, and passports (renewal gives a new number).
fn many_per_person(system: &str) -> bool {
    let s = system.to_ascii_lowercase();
    s == "urn:ietf:rfc:3986" || s.contains("passport")
}

/// Compare identifiers: systems exactly, values trimmed (done by the profile).
pub(super) fn check(a: &[(String, String)], b: &[(String, String)]) -> IdentifierCheck {
    let mut systems: Vec<&str> = a.iter().map(|(s, _)| s.as_str()).filter(|s| b.iter().any(|(t, _)| t == s)).collect();
    systems.sort_unstable();
    systems.dedup();
    let mut result = IdentifierCheck { shared: false, conflict: false, level: MatchLevel::Missing };
    for system in systems {
        let values = |side: &'_ [(String, String)]| -> Vec<String> {
            side.iter().filter(|(s, _)| s == system).map(|(_, v)| v.clone()).collect()
        };
        let (va, vb) = (values(a), values(b));
        let level = if va.iter().any(|v| vb.contains(v)) {
            MatchLevel::Exact
        } else if va.iter().any(|x| vb.iter().any(|y| one_digit_apart(x, y))) {
            MatchLevel::OneDigit
        } else {
            MatchLevel::Different
        };
        if level == MatchLevel::Exact {
            result.shared = true;
        } else if !many_per_person(system) {
            result.conflict = true;
        }
        result.level = better(result.level, level);
    }
    result
}

fn better(a: MatchLevel, b: MatchLevel) -> MatchLevel {
    let rank = |l: MatchLevel| match l {
        MatchLevel::Exact => 0,
        MatchLevel::OneDigit => 1,
        MatchLevel::Different => 2,
        _ => 3,
    };
    if rank(b) < rank(a) {
        b
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(s, v)| ((*s).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn shared_conflicting_and_unrelated() {
        let ssn = "http://hl7.org/fhir/sid/us-ssn";
        let mrn = "http://hospital.example.org/mrn";
        let c = check(&ids(&[(ssn, "999-36-6866")]), &ids(&[(ssn, "999-36-6866"), (mrn, "1")]));
        assert!(c.shared && !c.conflict && c.level == MatchLevel::Exact);
        let c = check(&ids(&[(ssn, "999-36-6866")]), &ids(&[(ssn, "999-36-6867")]));
        assert!(!c.shared && c.conflict && c.level == MatchLevel::OneDigit);
        let c = check(&ids(&[(mrn, "A")]), &ids(&[("http://other.example.org", "A")]));
        assert!(!c.shared && !c.conflict && c.level == MatchLevel::Missing);
        let pass = "http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber";
        let c = check(&ids(&[(pass, "X1")]), &ids(&[(pass, "X9")]));
        assert!(!c.shared && !c.conflict && c.level == MatchLevel::OneDigit);
    }
}
