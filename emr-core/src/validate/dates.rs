//! Dates in a resource: which strings are dates (by element name), and the rules a date
//! breaks — syntax, range, zone, in the future, before birth, after death.

use super::rules;
use super::walk::{Step, Walk};
use crate::model::{DateError, PartialDate};

/// Date elements whose name alone says they are FHIR `date`, `dateTime` or `instant`
/// (from the R4 JSON Schema: names typed so in every resource that has them). A `match`: it runs
/// for every string in every resource.
fn is_date_name(key: &str) -> bool {
    matches!(
        key,
        "approvalDate"
            | "authored"
            | "authoredOn"
            | "birthDate"
            | "created"
            | "creation"
            | "date"
            | "dateAsserted"
            | "dateOfFirstAuthorization"
            | "dateTime"
            | "dateWritten"
            | "detected"
            | "effectiveDate"
            | "effectiveTime"
            | "enteredDate"
            | "expirationDate"
            | "expiry"
            | "ifModifiedSince"
            | "internationalBirthDate"
            | "issued"
            | "lastModified"
            | "lastOccurrence"
            | "lastPerformed"
            | "lastReviewDate"
            | "lastUpdated"
            | "manufactureDate"
            | "nextScheduled"
            | "onset"
            | "paymentDate"
            | "presentationDate"
            | "publicationDate"
            | "received"
            | "receivedTime"
            | "recorded"
            | "recordedDate"
            | "recordedOn"
            | "releaseDate"
            | "restoreDate"
            | "sent"
            | "started"
            | "statusDate"
            | "time"
            | "timestamp"
            | "validTo"
            | "validationDate"
            | "verificationDate"
            | "whenHandedOver"
            | "whenPrepared"
    )
}

/// Dates that may lie in the future without being wrong.
const FUTURE_KEYS: &[&str] = &["expirationDate", "expiry", "validTo", "nextScheduled", "restoreDate"];

/// Resources that describe plans, schedules or cover: their dates may be in the future.
pub(super) const PLAN_TYPES: &[&str] = &[
    "Appointment",
    "AppointmentResponse",
    "CarePlan",
    "Goal",
    "ServiceRequest",
    "Task",
    "Schedule",
    "Slot",
    "Coverage",
    "Contract",
    "RequestGroup",
    "DeviceRequest",
    "NutritionOrder",
    "CommunicationRequest",
    "MedicationRequest",
    "ImmunizationRecommendation",
    "VisionPrescription",
    "Claim",
    "ExplanationOfBenefit",
];

/// Dates of bookkeeping rather than of the clinical event: documentation may follow death.
const ADMIN_KEYS: &[&str] =
    &["lastUpdated", "issued", "recorded", "recordedDate", "dateAsserted", "created", "date", "statusDate"];

impl Walk<'_, '_, '_> {
    fn is_date_key(key: &str, parent: &str) -> bool {
        is_date_name(key)
            || key.ends_with("DateTime")
            || key.ends_with("Instant")
            || (key.ends_with("Date") && key != "lockedDate")
            || (matches!(key, "start" | "end") && (parent.ends_with("Period") || parent == "period"))
            || (key == "event" && parent == "timing")
    }

    pub(super) fn string(&mut self, s: &str, key: &str, parent: &str) {
        let is_date = Self::is_date_key(key, parent)
            || (self.resource_type == "Appointment" && matches!(key, "start" | "end") && parent.is_empty());
        if !is_date {
            return;
        }
        let date = match s.parse::<PartialDate>() {
            Ok(d) => d,
            Err(e) => {
                let rule = match e {
                    DateError::Syntax => &rules::DATE_SYNTAX,
                    DateError::OutOfRange => &rules::DATE_RANGE,
                    DateError::MissingZone => &rules::DATE_ZONE,
                };
                self.push(rule, key);
                return;
            }
        };
        // A nested `period` is a validity period (of an identifier, a name, an address…),
        // which may begin in the future; the resource's own period is an event.
        let own_period = matches!(self.steps.as_slice(), [Step::Key("period"), _, ..]);
        let validity_period = parent == "period" && !own_period;
        let future_ok = self.plan || validity_period || FUTURE_KEYS.contains(&key) || key == "end";
        if !future_ok && self.ctx.now.certainly_before(&date) {
            self.push(&rules::DATE_FUTURE, key);
        }
        if !self.life_bounds || parent == "meta" {
            return;
        }
        if self.ctx.birth.is_some_and(|b| date.certainly_before(&b)) {
            self.push(&rules::DATE_BEFORE_BIRTH, key);
        }
        // A period may end after death (the encounter in which the patient died).
        let clinical_event = !ADMIN_KEYS.contains(&key) && !self.plan && key != "end";
        if clinical_event && self.ctx.death.is_some_and(|d| d.certainly_before(&date)) {
            self.push(&rules::DATE_AFTER_DEATH, key);
        }
    }
}
