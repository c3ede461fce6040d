//! What belongs on the lists a clinician reads first: active problems, current medications,
//! active allergies; and the order of allergy criticality.

use crate::model::Clinical;

/// Whether a condition's `clinicalStatus` code says it is active (`Some(true)`: active,
/// recurrence, relapse), no longer active (`Some(false)`: inactive, remission, resolved), or
/// neither (`None`: absent or another code).
///
/// # Example
/// ```
/// use emr_core::clinical::condition_activity;
/// assert_eq!(condition_activity(Some("relapse")), Some(true));
/// assert_eq!(condition_activity(Some("resolved")), Some(false));
/// assert_eq!(condition_activity(None), None);
/// ```
pub fn condition_activity(clinical_status: Option<&str>) -> Option<bool> {
    match clinical_status? {
        "active" | "recurrence" | "relapse" => Some(true),
        "inactive" | "remission" | "resolved" => Some(false),
        _ => None,
    }
}

/// A source ruled the statement out (`verificationStatus` refuted) or withdrew it.
fn ruled_out(c: &Clinical) -> bool {
    matches!(c.verification_status.as_deref(), Some("refuted" | "entered-in-error"))
}

/// An active problem: a `Condition` whose clinical status is active, recurrence or relapse, or
/// not given (a problem-list entry without a status is taken as current), and that no source
/// refuted.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance};
/// let c = |s: &str| Entry::from_text(Provenance::new("a", "c"), &format!(
///     r#"{{"resourceType":"Condition","clinicalStatus":{{"coding":[{{"code":"{s}"}}]}}}}"#)).unwrap();
/// assert!(emr_core::clinical::is_active_problem(c("active").clinical()));
/// assert!(!emr_core::clinical::is_active_problem(c("resolved").clinical()));
/// ```
pub fn is_active_problem(c: &Clinical) -> bool {
    c.resource_type == "Condition"
        && !ruled_out(c)
        && (c.clinical_status.is_none() || condition_activity(c.clinical_status.as_deref()) == Some(true))
}

/// A past problem: a `Condition` whose clinical status is inactive, remission or resolved.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance};
/// let e = Entry::from_text(Provenance::new("a", "c"),
///     r#"{"resourceType":"Condition","clinicalStatus":{"coding":[{"code":"remission"}]}}"#).unwrap();
/// assert!(emr_core::clinical::is_past_problem(e.clinical()));
/// ```
pub fn is_past_problem(c: &Clinical) -> bool {
    c.resource_type == "Condition" && !ruled_out(c) && condition_activity(c.clinical_status.as_deref()) == Some(false)
}

/// A current medication: a `MedicationStatement` or `MedicationRequest` whose status is active,
/// on-hold, intended, or unknown. An unknown status is listed rather than hidden: a medication
/// the patient may still take matters more than a tidy list (the IPS medication summary does
/// the same).
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance};
/// let m = |s: &str| Entry::from_text(Provenance::new("a", "m"), &format!(
///     r#"{{"resourceType":"MedicationStatement","status":"{s}"}}"#)).unwrap();
/// assert!(emr_core::clinical::is_current_medication(m("unknown").clinical()));
/// assert!(!emr_core::clinical::is_current_medication(m("stopped").clinical()));
/// ```
pub fn is_current_medication(c: &Clinical) -> bool {
    matches!(c.resource_type.as_str(), "MedicationStatement" | "MedicationRequest")
        && matches!(c.status.as_deref(), Some("active" | "on-hold" | "intended" | "unknown"))
}

/// An active allergy or intolerance: an `AllergyIntolerance` whose clinical status is active or
/// not given, and that no source refuted.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance};
/// let e = Entry::from_text(Provenance::new("a", "x"), r#"{"resourceType":"AllergyIntolerance",
///     "verificationStatus":{"coding":[{"code":"refuted"}]}}"#).unwrap();
/// assert!(!emr_core::clinical::is_active_allergy(e.clinical()));
/// ```
pub fn is_active_allergy(c: &Clinical) -> bool {
    c.resource_type == "AllergyIntolerance"
        && !ruled_out(c)
        && matches!(c.clinical_status.as_deref(), None | Some("active"))
}

/// A laboratory result: an `Observation` in category `laboratory`, or a `DiagnosticReport` in
/// category `LAB`.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Provenance};
/// let e = Entry::from_text(Provenance::new("a", "o"), r#"{"resourceType":"Observation",
///     "category":[{"coding":[{"code":"laboratory"}]}]}"#).unwrap();
/// assert!(emr_core::clinical::is_lab(e.clinical()));
/// ```
pub fn is_lab(c: &Clinical) -> bool {
    match c.resource_type.as_str() {
        "Observation" => has_category(c, "laboratory"),
        "DiagnosticReport" => has_category(c, "LAB"),
        _ => false,
    }
}

/// Whether one of a resource's categories has `code` (in any system).
pub(crate) fn has_category(c: &Clinical, code: &str) -> bool {
    c.category.iter().any(|cc| cc.codings.iter().any(|k| k.code.as_deref() == Some(code)))
}

/// The order of allergy criticality, for "the most severe wins": high 3, unable-to-assess 2,
/// low 1, not given 0.
///
/// # Example
/// ```
/// use emr_core::clinical::criticality_rank;
/// assert!(criticality_rank(Some("high")) > criticality_rank(Some("unable-to-assess")));
/// assert!(criticality_rank(Some("low")) > criticality_rank(None));
/// ```
pub fn criticality_rank(criticality: Option<&str>) -> u8 {
    match criticality {
        Some("high") => 3,
        Some("unable-to-assess") => 2,
        Some("low") => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Provenance};

    fn clinical(text: &str) -> Clinical {
        Entry::from_text(Provenance::new("a", "x"), text)
            .map(|e| e.clinical().clone())
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn refuted_and_resolved_problems_are_not_active() {
        let c = |status: &str, verification: &str| {
            clinical(&format!(
                r#"{{"resourceType":"Condition","clinicalStatus":{{"coding":[{{"code":"{status}"}}]}},"verificationStatus":{{"coding":[{{"code":"{verification}"}}]}}}}"#
            ))
        };
        assert!(is_active_problem(&c("recurrence", "confirmed")));
        assert!(!is_active_problem(&c("active", "refuted")));
        assert!(!is_active_problem(&c("resolved", "confirmed")));
        assert!(is_past_problem(&c("resolved", "confirmed")));
        assert!(!is_past_problem(&c("active", "confirmed")));
        assert!(is_active_problem(&clinical(r#"{"resourceType":"Condition"}"#)));
        assert!(!is_active_problem(&clinical(r#"{"resourceType":"Observation"}"#)));
    }

    #[test]
    fn administrations_and_medication_resources_are_not_current_medications() {
        for ty in ["MedicationAdministration", "MedicationDispense", "Medication"] {
            assert!(!is_current_medication(&clinical(&format!(r#"{{"resourceType":"{ty}","status":"on-hold"}}"#))));
        }
        for status in ["active", "on-hold", "intended", "unknown"] {
            let c = clinical(&format!(r#"{{"resourceType":"MedicationRequest","status":"{status}"}}"#));
            assert!(is_current_medication(&c), "{status}");
        }
        assert!(!is_current_medication(&clinical(r#"{"resourceType":"MedicationRequest"}"#)));
    }

    #[test]
    fn allergies_by_status() {
        assert!(is_active_allergy(&clinical(r#"{"resourceType":"AllergyIntolerance"}"#)));
        let resolved = r#"{"resourceType":"AllergyIntolerance","clinicalStatus":{"coding":[{"code":"resolved"}]}}"#;
        assert!(!is_active_allergy(&clinical(resolved)));
        assert!(!is_lab(&clinical(r#"{"resourceType":"DiagnosticReport","category":[{"coding":[{"code":"RAD"}]}]}"#)));
        assert!(is_lab(&clinical(r#"{"resourceType":"DiagnosticReport","category":[{"coding":[{"code":"LAB"}]}]}"#)));
    }
}
