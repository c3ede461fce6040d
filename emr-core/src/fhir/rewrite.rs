//! Rewriting the references of one resource for an export ([`Walk`]): each one the record
//! resolves becomes its target's address; the others are kept as received and reported (and,
//! when asked, marked).

use std::borrow::Cow;

use super::refs::{KeptReference, ReferenceReport, Targets, Unresolved};
use crate::json::Json;
use crate::model::EntryRef;

/// The walk over one resource's tree.
pub(super) struct Walk<'t, 'e, 'r> {
    pub(super) targets: &'t Targets,
    pub(super) entry: &'e EntryRef,
    pub(super) mark: bool,
    pub(super) report: &'r mut ReferenceReport,
    pub(super) changed: bool,
    pub(super) hits: &'r mut Vec<usize>,
    /// What the walk changed (see [`Targets::rewrite_recording`]).
    pub(super) changes: Option<&'r mut super::extensions::AsReceived>,
}

impl Walk<'_, '_, '_> {
    pub(super) fn value(&mut self, tree: &mut Json<'_>, path: &mut String) {
        match tree {
            Json::Object(members) => {
                self.reference(members, path);
                for (k, v) in members.iter_mut() {
                    if k == "reference" {
                        continue;
                    }
                    let len = path.len();
                    path.push('/');
                    path.push_str(&crate::json::escape_pointer_token(k));
                    self.value(v, path);
                    path.truncate(len);
                }
            }
            Json::Array(items) => {
                for (i, v) in items.iter_mut().enumerate() {
                    let len = path.len();
                    path.push('/');
                    path.push_str(&i.to_string());
                    self.value(v, path);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }

    /// An object that is a Reference: resolved and rewritten, or kept and reported.
    fn reference(&mut self, members: &mut Vec<(Cow<'_, str>, Json<'_>)>, path: &str) {
        let source = &self.entry.source;
        let written = members.iter().find(|(k, _)| k == "reference").and_then(|(_, v)| v.as_str());
        let resolved = match written {
            Some(r) if r.starts_with('#') => return,
            Some(r) => self.targets.resolve(source, r),
            None => {
                // A logical reference: only an object made of Reference's own members.
                let logical = members.iter().any(|(k, v)| k == "identifier" && matches!(v, Json::Object(_)))
                    && members
                        .iter()
                        .all(|(k, _)| matches!(k.as_ref(), "identifier" | "type" | "display" | "id" | "extension"));
                if !logical {
                    return;
                }
                let tree = Json::Object(members.clone());
                // A logical reference to a resource not held is valid as it is.
                if let Some(Some(slot)) = self.targets.resolve_identifier(source, &tree) {
                    self.hits.push(slot);
                    if let Some(address) = self.targets.addresses.get(slot) {
                        let at = members.iter().position(|(k, _)| k == "type" || k == "identifier").unwrap_or(0);
                        members.insert(at, (Cow::Borrowed("reference"), Json::String(Cow::Owned(address.clone()))));
                        if let Some(c) = self.changes.as_mut() {
                            c.references.push((path.to_owned(), None));
                        }
                        self.report.rewritten += 1;
                        self.changed = true;
                    }
                }
                return;
            }
        };
        let written = written.unwrap_or_default();
        let reason = match resolved {
            Some(Some(slot)) => {
                self.hits.push(slot);
                let Some(address) = self.targets.addresses.get(slot) else { return };
                if address != written {
                    let address = address.clone();
                    if let Some(c) = self.changes.as_mut() {
                        c.references.push((path.to_owned(), Some(written.to_owned())));
                    }
                    if let Some((_, v)) = members.iter_mut().find(|(k, _)| k == "reference") {
                        *v = Json::String(Cow::Owned(address));
                    }
                    self.report.rewritten += 1;
                    self.changed = true;
                }
                return;
            }
            Some(None) => Unresolved::NotExported,
            None if (written.starts_with("http://") || written.starts_with("https://")) && !written.contains('?') => {
                Unresolved::External
            }
            None => Unresolved::NotHeld,
        };
        self.report.kept.push(KeptReference { entry: self.entry.clone(), path: path.to_owned(), reason });
        if self.mark && reason != Unresolved::External && !members.iter().any(|(k, _)| k == "extension") {
            let code = if reason == Unresolved::NotExported { "not-exported" } else { "not-held" };
            let ext = super::extensions::kept(code);
            members.insert(0, (Cow::Borrowed("extension"), Json::Array(vec![ext])));
            self.changed = true;
        }
    }
}
