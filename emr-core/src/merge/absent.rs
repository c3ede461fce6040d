//! Absent and unknown in the view: a positive entry outweighs "no known …" and "no
//! information" statements about the same list, and "no known …" outweighs "no information".
//! What an entry says about absence is a fact of the entry, read in the model
//! (`model::absence`); which statements the view sets aside is merge's.

use std::collections::BTreeSet;

use super::assertion::EntryRef;
use super::report::Suppressed;
use super::view_ref::Item;
use crate::model::{Absence, Entry};

/// The list an absence statement is about (allergies, medications, problems, …).
pub(crate) fn list_of(e: &Entry) -> &'static str {
    match e.clinical().resource_type.as_str() {
        "AllergyIntolerance" => "allergies",
        "MedicationStatement" | "MedicationRequest" | "MedicationAdministration" | "MedicationDispense" => {
            "medications"
        }
        "Condition" => "problems",
        "Procedure" => "procedures",
        "Immunization" => "immunizations",
        "DeviceUseStatement" | "Device" => "devices",
        _ => "other",
    }
}

/// Which items (by index) the view leaves out as outweighed, each member reported in
/// `suppressed`.
pub(super) fn outweighed(items: &[Item], members: &[&Entry], suppressed: &mut Vec<Suppressed>) -> Vec<bool> {
    // Absent and unknown: a positive entry outweighs "no known …" and "no information" of the
    // same list; "no known …" outweighs "no information". Neither is ever evidence against a
    // positive entry. Few items are not positive: only their lists are looked for.
    let absence_of = |item: &Item| item.absence;
    let list = |item: &Item| list_of(item.entry);
    let not_positive: Vec<(usize, Absence, &'static str)> = items
        .iter()
        .enumerate()
        .filter(|(_, item)| absence_of(item) != Absence::Positive)
        .map(|(k, item)| (k, absence_of(item), list(item)))
        .collect();
    let mut with_positive = BTreeSet::new();
    if !not_positive.is_empty() {
        let wanted: BTreeSet<&str> = not_positive.iter().map(|&(_, _, l)| l).collect();
        for item in items.iter().filter(|item| absence_of(item) == Absence::Positive) {
            let l = list(item);
            if wanted.contains(l) {
                with_positive.insert(l);
                if with_positive.len() == wanted.len() {
                    break;
                }
            }
        }
    }
    let with_known_absent: BTreeSet<&str> =
        not_positive.iter().filter(|&&(_, a, _)| a == Absence::KnownAbsent).map(|&(_, _, l)| l).collect();
    let mut dropped = vec![false; items.len()];
    for &(k, a, list) in &not_positive {
        let reason = if with_positive.contains(list) {
            format!("absent/unknown statement about {list} outweighed by a positive entry")
        } else if a == Absence::NoInformation && with_known_absent.contains(list) {
            format!("no information about {list} outweighed by a known-absent statement")
        } else {
            continue;
        };
        let Some(item) = items.get(k) else { continue };
        let entries = members.get(item.members.clone()).unwrap_or_default();
        suppressed.extend(entries.iter().map(|m| Suppressed { entry: EntryRef::of(m), reason: reason.clone() }));
        if let Some(d) = dropped.get_mut(k) {
            *d = true;
        }
    }
    dropped
}
