//! The generic walk over a resource tree: keys, identifiers, codings, quantities, periods,
//! references; dates are checked in `dates`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::dates::PLAN_TYPES;
use super::refs::{Index, Target};
use super::rules::{self, Rule};
use super::{resource, Duplicates, Finding};
use crate::codes::{self, KnownSystem};
use crate::json::{push_escaped_token, Json};
use crate::model::{is_r4_resource_type, Deceased, Entry, EntryKind, PartialDate, Record};

/// Shared facts for validating the resources of one record.
pub(super) struct Context<'r> {
    pub(super) now: PartialDate,
    pub(super) birth: Option<PartialDate>,
    pub(super) death: Option<PartialDate>,
    index: &'r Index,
    /// Who looks for duplicate keys.
    duplicates: Duplicates,
    /// The problem code (if any) of each UCUM unit met so far: a record repeats a few units in
    /// thousands of quantities, and parsing a unit is the costly part of checking one.
    ucum: RefCell<BTreeMap<String, Option<&'static str>>>,
}

/// The state of the walk inside one resource.
pub(super) struct Walk<'c, 'r> {
    pub(super) ctx: &'c Context<'r>,
    pub(super) resource_type: String,
    /// Apply birth/death bounds (clinical entries, not the patient or opaque resources).
    pub(super) life_bounds: bool,
    pub(super) plan: bool,
    /// Length of the resource's own JSON pointer, to tell its top-level elements.
    pub(super) base_len: usize,
    contained: BTreeSet<String>,
    /// False when the resource is known to have no duplicate keys: the walk then need not look
    /// for repeated members.
    may_repeat_keys: bool,
    out: &'c mut Vec<Finding>,
}

impl<'r> Context<'r> {
    pub(super) fn new(record: &Record, now: DateTime<Utc>, index: &'r Index, duplicates: Duplicates) -> Context<'r> {
        let demo = record.patient.as_ref().map(|p| p.demographics());
        Context {
            now: now.into(),
            birth: demo.and_then(|d| d.birth_date),
            death: demo.and_then(|d| match d.deceased {
                Deceased::At(t) => Some(t),
                _ => None,
            }),
            index,
            duplicates,
            ucum: RefCell::default(),
        }
    }

    /// [`codes::check`] of a UCUM unit, remembered per unit.
    fn ucum_problem(&self, unit: &str) -> Option<&'static str> {
        if let Some(known) = self.ucum.borrow().get(unit) {
            return *known;
        }
        let problem = codes::check(KnownSystem::Ucum, unit).err().map(|e| e.code());
        self.ucum.borrow_mut().insert(unit.to_owned(), problem);
        problem
    }

    /// Validate one resource found at `base` (a JSON pointer).
    pub(super) fn resource(&self, tree: &Json<'_>, base: &str, entry: Option<&Entry>, out: &mut Vec<Finding>) {
        let resource_type = tree.get("resourceType").and_then(Json::as_str).unwrap_or_default().to_owned();
        let push = |out: &mut Vec<Finding>, rule: &Rule, path: String, field: &str| {
            out.push(Finding::new(rule, path, field));
        };
        if !is_r4_resource_type(&resource_type) {
            push(out, &rules::RESOURCE_TYPE_UNKNOWN, format!("{base}/resourceType"), "resourceType");
        }
        let may_repeat_keys = match self.duplicates {
            Duplicates::Scan => {
                let duplicates = tree.duplicate_keys();
                for dup in &duplicates {
                    let field = dup.rsplit('/').next().unwrap_or_default().to_owned();
                    push(out, &rules::JSON_KEY_DUPLICATE, format!("{base}{dup}"), &field);
                }
                !duplicates.is_empty()
            }
            Duplicates::Reported { any } => any,
        };
        super::elements::check(tree, &resource_type, base, out);
        let contained = resource::contained_ids(tree);
        resource::check(tree, base, entry.is_none(), self.birth, out);
        let kind = entry.map(Entry::kind);
        let mut walk = Walk {
            ctx: self,
            // Birth and death bound clinical events; financial documents, opaque resources and
            // relatives' histories carry dates that are not events in the patient's life.
            life_bounds: !matches!(
                kind,
                None | Some(EntryKind::Opaque | EntryKind::FamilyHistory | EntryKind::Claim | EntryKind::Coverage)
            ),
            base_len: base.len(),
            plan: PLAN_TYPES.contains(&resource_type.as_str())
                || matches!(
                    tree.get("status").and_then(Json::as_str),
                    Some("planned" | "intended" | "proposed" | "draft" | "booked" | "pending" | "waitlist")
                ),
            resource_type,
            contained,
            may_repeat_keys,
            out,
        };
        let mut path = base.to_owned();
        walk.value(tree, &mut path, "", "");
        if let Some(entry) = entry {
            walk.subject(tree, base, entry);
        }
    }
}

impl Walk<'_, '_> {
    pub(super) fn push(&mut self, rule: &Rule, path: &str, field: &str) {
        self.out.push(Finding::new(rule, path, field));
    }

    /// Visit `v`, reached by member `key` of an object reached by `parent`.
    fn value(&mut self, v: &Json<'_>, path: &mut String, key: &str, parent: &str) {
        match v {
            Json::Object(members) => {
                self.object(v, path, key, parent);
                for (n, (k, child)) in members.iter().enumerate() {
                    // A repeated key is reported as `json.key.duplicate`; a JSON pointer cannot
                    // name what is inside it, so its content is not checked further.
                    if self.may_repeat_keys && members.iter().take(n).any(|(earlier, _)| earlier == k) {
                        continue;
                    }
                    // Contained resources are validated as part of their container's walk,
                    // but birth/death bounds and plan rules are their container's.
                    let len = path.len();
                    path.push('/');
                    push_escaped_token(path, k);
                    self.value(child, path, k, key);
                    path.truncate(len);
                }
            }
            Json::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    let len = path.len();
                    push_index(path, i);
                    // Array items take the array's key for classification.
                    self.value(child, path, key, parent);
                    path.truncate(len);
                }
            }
            Json::String(s) => self.string(s, path, key, parent),
            _ => {}
        }
    }

    fn object(&mut self, o: &Json<'_>, path: &str, key: &str, parent: &str) {
        let m = Members::of(o);
        match key {
            "identifier" => {
                if m.system.is_none() {
                    self.push(&rules::IDENTIFIER_SYSTEM_MISSING, path, "identifier");
                }
                if m.value.is_none() {
                    self.push(&rules::IDENTIFIER_VALUE_MISSING, path, "identifier");
                }
            }
            "coding" => self.coding(o, path),
            _ => {}
        }
        // Coding-typed elements that are not in a `coding` array (ImagingStudy.modality,
        // Encounter.class, valueCoding…): any object with a string system and code that is
        // neither a Quantity nor an Identifier.
        let bare_coding = key != "coding"
            && key != "identifier"
            && m.value.is_none()
            && m.system.and_then(Json::as_str).is_some()
            && m.code.and_then(Json::as_str).is_some();
        if bare_coding {
            self.coding(o, path);
        }
        if key.ends_with("Period") || key == "period" {
            self.period(o, path, key);
        }
        let quantity_key = key.ends_with("Quantity")
            || matches!(key, "low" | "high" | "numerator" | "denominator" | "quantity")
            || key.ends_with("Age") && m.value.is_some();
        if quantity_key && m.coding.is_none() && m.start.is_none() {
            self.quantity(o, path, key);
        }
        if let Some(Json::String(r)) = m.reference {
            self.reference(r, path, if key.is_empty() { parent } else { key });
        }
    }

    fn coding(&mut self, c: &Json<'_>, path: &str) {
        let system = c.get("system").and_then(Json::as_str);
        let code = c.get("code").and_then(Json::as_str);
        match (system, code) {
            (None, Some(_)) => self.push(&rules::CODING_SYSTEM_MISSING, path, "coding"),
            (Some(s), _) if !is_absolute_uri(s) => {
                self.push(&rules::CODING_SYSTEM_NOT_URI, &format!("{path}/system"), "system")
            }
            _ => {}
        }
        let Some(code) = code else { return };
        let at = || format!("{path}/code");
        if code.is_empty() || code.trim() != code {
            self.push(&rules::CODING_CODE_SPACE, &at(), "code");
            return;
        }
        if let Some(known) = system.and_then(KnownSystem::from_uri) {
            if let Err(problem) = codes::check(known, code) {
                self.code_problem(problem.code(), &at());
            }
        }
    }

    fn code_problem(&mut self, code: &str, path: &str) {
        // Every `CodeProblem` code has a rule (tested in `tests/vectors.rs`).
        if let Some(rule) = rules::ALL.iter().find(|r| r.code == code) {
            self.push(rule, path, "code");
        }
    }

    fn quantity(&mut self, q: &Json<'_>, path: &str, key: &str) {
        if let Some(v) = q.get("value") {
            if v.as_number_text().is_none() {
                self.push(&rules::QUANTITY_VALUE_TYPE, &format!("{path}/value"), key);
            }
        }
        if let Some(c) = q.get("comparator") {
            if !matches!(c.as_str(), Some("<" | "<=" | ">=" | ">" | "ad")) {
                self.push(&rules::QUANTITY_COMPARATOR, &format!("{path}/comparator"), key);
            }
        }
        let system = q.get("system").and_then(Json::as_str);
        match (system, q.get("code").and_then(Json::as_str)) {
            (Some(codes::UCUM), Some(unit)) => {
                if let Some(problem) = self.ctx.ucum_problem(unit) {
                    self.code_problem(problem, &format!("{path}/code"));
                }
            }
            (None, Some(_)) => self.push(&rules::QUANTITY_UNIT_NOT_UCUM, &format!("{path}/code"), key),
            _ => {}
        }
    }

    fn period(&mut self, p: &Json<'_>, path: &str, key: &str) {
        let bound = |k: &str| p.get(k).and_then(Json::as_str).and_then(|s| s.parse::<PartialDate>().ok());
        if let (Some(start), Some(end)) = (bound("start"), bound("end")) {
            if end.certainly_before(&start) {
                self.push(&rules::PERIOD_REVERSED, path, key);
            }
        }
    }

    /// Check the reference `r` of the Reference object at `object` (a JSON pointer).
    fn reference(&mut self, r: &str, object: &str, field: &str) {
        let path = || format!("{object}/reference");
        if let Some(local) = r.strip_prefix('#') {
            if !local.is_empty() && !self.contained.contains(local) {
                self.push(&rules::CONTAINED_UNRESOLVED, &path(), field);
            }
            return;
        }
        match self.ctx.index.resolve(r) {
            Target::Malformed => self.push(&rules::REFERENCE_SYNTAX, &path(), field),
            Target::Missing => self.push(&rules::REFERENCE_UNRESOLVED, &path(), field),
            _ => {}
        }
    }

    /// The entry's `subject`/`patient` must be the record's patient.
    fn subject(&mut self, tree: &Json<'_>, base: &str, entry: &Entry) {
        if entry.kind() == EntryKind::Opaque {
            return;
        }
        for key in ["subject", "patient"] {
            if let Some(r) = tree.get(key).and_then(|s| s.get("reference")).and_then(Json::as_str) {
                if self.ctx.index.resolve(r) == Target::OtherPatient {
                    self.push(&rules::SUBJECT_MISMATCH, &format!("{base}/{key}/reference"), key);
                }
            }
        }
    }
}

/// The members of an object that [`Walk::object`] looks at, each the first of its name (as
/// [`Json::get`] finds it), gathered in one pass over the members.
#[derive(Default)]
struct Members<'t, 'a> {
    system: Option<&'t Json<'a>>,
    code: Option<&'t Json<'a>>,
    value: Option<&'t Json<'a>>,
    coding: Option<&'t Json<'a>>,
    start: Option<&'t Json<'a>>,
    reference: Option<&'t Json<'a>>,
}

impl<'t, 'a> Members<'t, 'a> {
    fn of(o: &'t Json<'a>) -> Members<'t, 'a> {
        let mut m = Members::default();
        for (k, v) in o.as_object().unwrap_or_default() {
            let slot = match k.as_ref() {
                "system" => &mut m.system,
                "code" => &mut m.code,
                "value" => &mut m.value,
                "coding" => &mut m.coding,
                "start" => &mut m.start,
                "reference" => &mut m.reference,
                _ => continue,
            };
            slot.get_or_insert(v);
        }
        m
    }
}

/// Appends `/i` to a JSON pointer (without the formatting machinery for the common one digit).
fn push_index(path: &mut String, i: usize) {
    path.push('/');
    match u8::try_from(i) {
        Ok(d) if d < 10 => path.push(char::from(b'0' + d)),
        _ => {
            let _ = write!(path, "{i}");
        }
    }
}

/// `scheme:rest` with a letter-first scheme (RFC 3986), as FHIR requires of `Coding.system`.
fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

#[cfg(test)]
mod tests {
    #[test]
    fn indexes_extend_pointers() {
        for i in [0, 7, 9, 10, 255, 256, 12345] {
            let mut path = String::from("/a");
            super::push_index(&mut path, i);
            assert_eq!(path, format!("/a/{i}"));
        }
    }
}
