//! `emr verify`: the audit chain is intact and every row matches its last logged hash.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::Serialize;

use super::audit::{self, GENESIS};
use super::entries::{self, Derived, Filter};
use super::record::{patient_hash, source_hash};
use super::{recipient, Store, StoreError};

/// One integrity problem. Messages name rows (`entry:7`), never their content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable id: `audit.sequence`, `audit.prev`, `audit.hash`, `row.unlogged`,
    /// `row.changed`, `row.missing`, `index.stale`, `sqlite.integrity`.
    pub code: &'static str,
    /// What is wrong, naming the row.
    pub message: String,
}

/// The result of verifying a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// Audit rows checked.
    pub audit_rows: usize,
    /// Entry rows checked.
    pub entries: usize,
    /// The hash of the last audit row (the chain's head), to compare with a copy kept elsewhere.
    pub head: String,
    /// Problems found; empty when the file is intact.
    pub problems: Vec<Problem>,
}

impl Verification {
    /// True when no problem was found.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Store {
    /// Check the audit chain, every row against its last logged hash, and the derived columns.
    ///
    /// # Errors
    /// [`StoreError::Database`] when a table cannot be read at all.
    pub fn verify(&self) -> Result<Verification, StoreError> {
        check(self.connection()).map_err(|e| self.db_err(e))
    }
}

fn check(conn: &Connection) -> rusqlite::Result<Verification> {
    let mut problems = Vec::new();
    let mut problem = |code, message: String| problems.push(Problem { code, message });

    let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if integrity != "ok" {
        problem("sqlite.integrity", "the database structure is damaged (SQLite integrity check failed)".into());
    }

    // The chain itself, and the last logged hash of every row.
    let rows = audit::rows(conn)?;
    let mut prev = GENESIS.to_owned();
    let mut logged: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if usize::try_from(row.seq).ok() != Some(i + 1) {
            problem("audit.sequence", format!("audit row {} is out of sequence (expected {})", row.seq, i + 1));
        }
        if row.prev != prev {
            problem("audit.prev", format!("audit row {} does not link to the row before it", row.seq));
        }
        if row.hash != row.expected_hash() {
            problem("audit.hash", format!("audit row {} was changed after it was written", row.seq));
        }
        if let Some(target) = &row.target {
            logged.insert(target.clone(), row.target_hash.clone());
        }
        prev = row.hash.clone();
    }

    // Every data row against its last logged hash.
    let mut current: BTreeMap<String, String> = BTreeMap::new();
    let all = entries::query(conn, &Filter::default())?;
    for row in &all {
        current.insert(row.target(), row.content_hash());
        if let Ok(entry) = row.to_entry() {
            if Derived::of(&entry) != row.derived {
                problem("index.stale", format!("{}: its query columns do not match its resource", row.target()));
            }
        } else {
            problem("row.changed", format!("{}: its provenance or resource no longer parses", row.target()));
        }
    }
    let patient: Option<String> =
        rusqlite::OptionalExtension::optional(conn.query_row("SELECT resource FROM patient", [], |r| r.get(0)))?;
    if let Some(text) = patient {
        current.insert("patient".into(), patient_hash(&text));
    }
    let mut stmt = conn.prepare("SELECT position, source FROM sources ORDER BY position")?;
    let sources = stmt.query_map([], |r| {
        let position: i64 = r.get(0)?;
        Ok((format!("source:{position}"), source_hash(position, &r.get::<_, String>(1)?)))
    })?;
    for s in sources {
        let (target, hash) = s?;
        current.insert(target, hash);
    }
    current.insert("recipients".into(), recipient::stored_hash(conn)?);

    for (target, hash) in &current {
        match logged.get(target) {
            None => problem("row.unlogged", format!("{target}: the row is not in the audit log (added outside emr)")),
            Some(h) if h.as_deref() != Some(hash.as_str()) => problem(
                "row.changed",
                format!("{target}: the row differs from its last logged version (changed outside emr)"),
            ),
            Some(_) => {}
        }
    }
    for (target, hash) in &logged {
        if hash.is_some() && !current.contains_key(target) {
            problem(
                "row.missing",
                format!("{target}: the audit log has this row but the file does not (removed outside emr)"),
            );
        }
    }

    Ok(Verification { audit_rows: rows.len(), entries: all.len(), head: prev, problems })
}
