//! The generic walk over a resource tree: keys, identifiers, codings, quantities, periods,
//! references; dates are checked in `dates`.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::dates::PLAN_TYPES;
use super::refs::{Index, Target};
use super::rules::{self, Rule};
use super::{resource, Duplicates, Finding};
use crate::codes::{self, KnownSystem};
use crate::json::{push_escaped_token, push_index, Json};
use crate::model::{r4_type_index, Deceased, Entry, EntryKind, PartialDate, Patient};

/// Shared facts for validating the resources of one record.
pub(super) struct Context<'r> {
    pub(super) now: PartialDate,
    pub(super) birth: Option<PartialDate>,
    pub(super) death: Option<PartialDate>,
    index: Index<'r>,
    /// Who looks for duplicate keys.
    duplicates: Duplicates,
    /// The problem code (if any) of each UCUM unit met so far: a record repeats a few units in
    /// thousands of quantities, and parsing a unit is the costly part of checking one.
    ucum: RefCell<BTreeMap<String, Option<&'static str>>>,
}

/// One step of the JSON pointer from a resource to the value the walk is at.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Step<'t> {
    /// An object member.
    Key(&'t str),
    /// An array item.
    Index(usize),
}

/// The state of the walk inside one resource.
pub(super) struct Walk<'c, 'r, 't> {
    pub(super) ctx: &'c Context<'r>,
    pub(super) resource_type: String,
    /// Apply birth/death bounds (clinical entries, not the patient or opaque resources).
    pub(super) life_bounds: bool,
    pub(super) plan: bool,
    /// The resource's own JSON pointer.
    base: &'c str,
    /// The steps from the resource to the value the walk is at: its pointer is written out only
    /// when a finding is made there.
    pub(super) steps: Vec<Step<'t>>,
    contained: BTreeSet<String>,
    /// False when the resource is known to have no duplicate keys: the walk then need not look
    /// for repeated members.
    may_repeat_keys: bool,
    out: &'c mut Vec<Finding>,
}

impl<'r> Context<'r> {
    pub(super) fn new(
        patient: Option<&Patient>,
        now: DateTime<Utc>,
        index: Index<'r>,
        duplicates: Duplicates,
    ) -> Context<'r> {
        let demo = patient.map(|p| p.demographics());
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
        let type_index = r4_type_index(&resource_type);
        if type_index.is_none() {
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
        super::elements::check(tree, &resource_type, type_index, base, out);
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
            base,
            steps: Vec::with_capacity(16),
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
        walk.value(tree, "", "");
        if let Some(entry) = entry {
            walk.subject(tree, base, entry);
        }
    }
}

impl<'t> Walk<'_, '_, 't> {
    /// The JSON pointer of the value the walk is at.
    pub(super) fn path(&self) -> String {
        let mut path = String::with_capacity(self.base.len() + 16 * self.steps.len());
        path.push_str(self.base);
        for step in &self.steps {
            match *step {
                Step::Key(k) => {
                    path.push('/');
                    push_escaped_token(&mut path, k);
                }
                Step::Index(i) => push_index(&mut path, i),
            }
        }
        path
    }

    /// A finding of `rule` about the value the walk is at.
    pub(super) fn push(&mut self, rule: &Rule, field: &str) {
        let path = self.path();
        self.out.push(Finding::new(rule, path, field));
    }

    /// A finding of `rule` about the member `member` (a name that needs no escaping) of the
    /// object the walk is at.
    fn push_member(&mut self, rule: &Rule, member: &str, field: &str) {
        let mut path = self.path();
        path.push('/');
        path.push_str(member);
        self.out.push(Finding::new(rule, path, field));
    }

    /// Visit `v`, reached by member `key` of an object reached by `parent`.
    fn value(&mut self, v: &'t Json<'_>, key: &'t str, parent: &'t str) {
        match v {
            Json::Object(members) => {
                self.object(v, key, parent);
                for (n, (k, child)) in members.iter().enumerate() {
                    // A repeated key is reported as `json.key.duplicate`; a JSON pointer cannot
                    // name what is inside it, so its content is not checked further.
                    if self.may_repeat_keys && members.iter().take(n).any(|(earlier, _)| earlier == k) {
                        continue;
                    }
                    // Contained resources are validated as part of their container's walk,
                    // but birth/death bounds and plan rules are their container's.
                    self.steps.push(Step::Key(k));
                    self.value(child, k, key);
                    self.steps.pop();
                }
            }
            Json::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    self.steps.push(Step::Index(i));
                    // Array items take the array's key for classification.
                    self.value(child, key, parent);
                    self.steps.pop();
                }
            }
            Json::String(s) => self.string(s, key, parent),
            _ => {}
        }
    }

    fn object(&mut self, o: &Json<'_>, key: &str, parent: &str) {
        let m = Members::of(o);
        match key {
            "identifier" => {
                if m.system.is_none() {
                    self.push(&rules::IDENTIFIER_SYSTEM_MISSING, "identifier");
                }
                if m.value.is_none() {
                    self.push(&rules::IDENTIFIER_VALUE_MISSING, "identifier");
                }
            }
            "coding" => self.coding(o),
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
            self.coding(o);
        }
        if key.ends_with("Period") || key == "period" {
            self.period(o, key);
        }
        let quantity_key = key.ends_with("Quantity")
            || matches!(key, "low" | "high" | "numerator" | "denominator" | "quantity")
            || key.ends_with("Age") && m.value.is_some();
        if quantity_key && m.coding.is_none() && m.start.is_none() {
            self.quantity(o, key);
        }
        if let Some(Json::String(r)) = m.reference {
            self.reference(r, if key.is_empty() { parent } else { key });
        }
    }

    fn coding(&mut self, c: &Json<'_>) {
        let system = c.get("system").and_then(Json::as_str);
        let code = c.get("code").and_then(Json::as_str);
        match (system, code) {
            (None, Some(_)) => self.push(&rules::CODING_SYSTEM_MISSING, "coding"),
            (Some(s), _) if !is_absolute_uri(s) => self.push_member(&rules::CODING_SYSTEM_NOT_URI, "system", "system"),
            _ => {}
        }
        let Some(code) = code else { return };
        if code.is_empty() || code.trim() != code {
            self.push_member(&rules::CODING_CODE_SPACE, "code", "code");
            return;
        }
        if let Some(known) = system.and_then(KnownSystem::from_uri) {
            if let Err(problem) = codes::check(known, code) {
                self.code_problem(problem.code());
            }
        }
    }

    /// A finding of the rule with `code` about the `code` member of the object the walk is at.
    fn code_problem(&mut self, code: &str) {
        // Every `CodeProblem` code has a rule (tested in `tests/vectors.rs`).
        if let Some(rule) = rules::ALL.iter().find(|r| r.code == code) {
            self.push_member(rule, "code", "code");
        }
    }

    fn quantity(&mut self, q: &Json<'_>, key: &str) {
        if let Some(v) = q.get("value") {
            if v.as_number_text().is_none() {
                self.push_member(&rules::QUANTITY_VALUE_TYPE, "value", key);
            }
        }
        if let Some(c) = q.get("comparator") {
            if !matches!(c.as_str(), Some("<" | "<=" | ">=" | ">" | "ad")) {
                self.push_member(&rules::QUANTITY_COMPARATOR, "comparator", key);
            }
        }
        let system = q.get("system").and_then(Json::as_str);
        match (system, q.get("code").and_then(Json::as_str)) {
            (Some(codes::UCUM), Some(unit)) => {
                if let Some(problem) = self.ctx.ucum_problem(unit) {
                    self.code_problem(problem);
                }
            }
            (None, Some(_)) => self.push_member(&rules::QUANTITY_UNIT_NOT_UCUM, "code", key),
            _ => {}
        }
    }

    fn period(&mut self, p: &Json<'_>, key: &str) {
        let bound = |k: &str| p.get(k).and_then(Json::as_str).and_then(|s| s.parse::<PartialDate>().ok());
        if let (Some(start), Some(end)) = (bound("start"), bound("end")) {
            if end.certainly_before(&start) {
                self.push(&rules::PERIOD_REVERSED, key);
            }
        }
    }

    /// Check the reference `r` of the Reference object the walk is at.
    fn reference(&mut self, r: &str, field: &str) {
        if let Some(local) = r.strip_prefix('#') {
            if !local.is_empty() && !self.contained.contains(local) {
                self.push_member(&rules::CONTAINED_UNRESOLVED, "reference", field);
            }
            return;
        }
        match self.ctx.index.resolve(r) {
            Target::Malformed => self.push_member(&rules::REFERENCE_SYNTAX, "reference", field),
            Target::Missing => self.push_member(&rules::REFERENCE_UNRESOLVED, "reference", field),
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
                    self.out.push(Finding::new(&rules::SUBJECT_MISMATCH, format!("{base}/{key}/reference"), key));
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

/// `scheme:rest` with a letter-first scheme (RFC 3986), as FHIR requires of `Coding.system`.
fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}
