//! The audit log: append-only rows, each chained to the previous one by SHA-256.
//!
//! A row says who did what, when, and to which row (`entry:7`, `patient`,
//! `source:0`, `recipients`), with the SHA-256 of that row's content after the
//! change. It never holds clinical values. Its own hash is
//! `SHA-256(prev ‖ canonical(row))`, where `canonical` is a compact JSON array of
//! the row's fields in a fixed order, so editing, removing or reordering a row
//! breaks the chain, and editing a data row breaks the match with its last
//! logged hash (`emr verify` checks both).

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use rusqlite::{params, Connection};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev` of the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who makes a change and when.
#[derive(Debug, Clone)]
pub struct Stamp {
    /// The person or system (e.g. a login name); not patient data.
    pub actor: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Stamp {
    /// A stamp for `actor`, now.
    pub fn now(actor: impl Into<String>) -> Stamp {
        // Milliseconds are enough for an audit trail, and keep provenance times tidy.
        Stamp { actor: actor.into(), at: Utc::now().trunc_subsecs(3) }
    }
}

/// One audit row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (RFC 3339, UTC, milliseconds).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What: `init`, `add`, `passwd`, `recipients.add`, `recipients.remove`, `source.add`, `import`…
    pub action: String,
    /// Which row: `entry:N`, `patient`, `source:N`, `recipients`; none for file-wide actions.
    pub target: Option<String>,
    /// SHA-256 of the target row's content after the change.
    pub target_hash: Option<String>,
    /// Hash of the previous row ([`GENESIS`] for the first).
    pub prev: String,
    /// This row's hash.
    pub hash: String,
}

impl AuditRow {
    /// The hash this row should have, from its fields.
    pub fn expected_hash(&self) -> String {
        let canonical =
            ("emr.audit.v1", self.seq, &self.at, &self.actor, &self.action, &self.target, &self.target_hash);
        let mut h = Sha256::new();
        h.update(self.prev.as_bytes());
        h.update(canonical_json(&canonical));
        hex(&h.finalize())
    }
}

/// SHA-256 of a canonical JSON value (a tuple of strings and numbers, written as a compact JSON
/// array), as lower-case hex.
pub fn content_hash(canonical: &impl serde::Serialize) -> String {
    hex(&Sha256::digest(canonical_json(canonical)))
}

/// The compact JSON text of a canonical value. Tuples of strings, numbers and options cannot
/// fail to serialize; were one to, the hash of the empty text would fail every check.
fn canonical_json(canonical: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(canonical).unwrap_or_default()
}

/// Append a row after the current head.
pub(crate) fn append(
    conn: &Connection,
    stamp: &Stamp,
    action: &str,
    target: Option<&str>,
    target_hash: Option<&str>,
) -> rusqlite::Result<()> {
    let (seq, prev) = match head(conn)? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_owned()),
    };
    let mut row = AuditRow {
        seq,
        at: stamp.at.to_rfc3339_opts(SecondsFormat::Millis, true),
        actor: stamp.actor.clone(),
        action: action.to_owned(),
        target: target.map(str::to_owned),
        target_hash: target_hash.map(str::to_owned),
        prev,
        hash: String::new(),
    };
    row.hash = row.expected_hash();
    conn.execute(
        "INSERT INTO audit (seq, at, actor, action, target, target_hash, prev, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![row.seq, row.at, row.actor, row.action, row.target, row.target_hash, row.prev, row.hash],
    )?;
    Ok(())
}

/// The last row's sequence number and hash.
pub(crate) fn head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

/// Every row, in chain order.
pub(crate) fn rows(conn: &Connection) -> rusqlite::Result<Vec<AuditRow>> {
    let mut stmt =
        conn.prepare("SELECT seq, at, actor, action, target, target_hash, prev, hash FROM audit ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok(AuditRow {
            seq: r.get(0)?,
            at: r.get(1)?,
            actor: r.get(2)?,
            action: r.get(3)?,
            target: r.get(4)?,
            target_hash: r.get(5)?,
            prev: r.get(6)?,
            hash: r.get(7)?,
        })
    })?;
    rows.collect()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_links_rows() {
        let conn = Connection::open_in_memory().unwrap();
        super::super::schema::create(&conn).unwrap();
        let stamp = Stamp::now("tester");
        append(&conn, &stamp, "init", None, None).unwrap();
        append(&conn, &stamp, "add", Some("entry:0"), Some("ab")).unwrap();
        let rows = rows(&conn).unwrap();
        assert_eq!(rows[0].prev, GENESIS);
        assert_eq!(rows[1].prev, rows[0].hash);
        assert!(rows.iter().all(|r| r.hash == r.expected_hash()));
        assert!(conn.execute("DELETE FROM audit", []).is_err(), "append-only");
        assert!(conn.execute("UPDATE audit SET actor = 'x'", []).is_err(), "append-only");
    }
}
