//! The audit log and verification reports.

use crate::store::{AuditRow, Verification};

use super::Table;

/// The audit log as a table.
pub fn log_table(rows: &[AuditRow]) -> String {
    let mut t = Table::new(&["SEQ", "AT", "ACTOR", "ACTION", "TARGET", "HASH"]);
    for r in rows {
        t.row(vec![
            r.seq.to_string(),
            r.at.clone(),
            r.actor.clone(),
            r.action.clone(),
            r.target.clone().unwrap_or_default(),
            r.hash.get(..16).unwrap_or_default().to_owned(),
        ]);
    }
    t.render()
}

/// A verification report for people.
pub fn verification(v: &Verification) -> String {
    let mut out = String::new();
    for p in &v.problems {
        out.push_str(&format!("problem  {:<16} {}\n", p.code, p.message));
    }
    if v.ok() {
        out.push_str(&format!(
            "ok: audit chain of {} rows intact; {} entries match the log\nhead {}\n",
            v.audit_rows, v.entries, v.head
        ));
    } else {
        out.push_str(&format!(
            "FAILED: {} problem(s) in {} audit rows and {} entries\nhead {}\n",
            v.problems.len(),
            v.audit_rows,
            v.entries,
            v.head
        ));
    }
    out
}
