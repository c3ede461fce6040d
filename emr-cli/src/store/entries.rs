//! Entry rows: the resource as received, its provenance, and columns derived for queries.

use emr_core::model::{Entry, PartialDate, Provenance};
use rusqlite::{params, Connection, Row};
use serde_json::value::RawValue;

use super::audit::content_hash;

/// The query columns of an entry, derived from its resource (never edited on their own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derived {
    /// Entry kind (`condition`, `observation`…).
    pub kind: String,
    /// First coding of the main concept, `system|code`.
    pub code: Option<String>,
    /// Text of the main concept (its `text`, else the first coding's `display`).
    pub display: Option<String>,
    /// Clinical time as written.
    pub date: Option<String>,
    /// Earliest UTC second of the clinical time.
    pub date_start: Option<i64>,
    /// Latest UTC second of the clinical period (its end, or the time itself).
    pub date_end: Option<i64>,
    /// `entered-in-error` when retracted, else `status`, else the clinical status.
    pub status: Option<String>,
}

impl Derived {
    /// The columns of an entry.
    pub fn of(entry: &Entry) -> Derived {
        let c = entry.clinical();
        let code = c.code.as_ref().and_then(emr_core::model::CodeableConcept::main_code);
        let display = c.code.as_ref().and_then(|cc| cc.label()).map(str::to_owned);
        let status = if entry.is_retracted() {
            Some("entered-in-error".to_owned())
        } else {
            c.status.clone().or_else(|| c.clinical_status.clone())
        };
        Derived {
            kind: entry.kind().as_str().to_owned(),
            code,
            display,
            date: c.time.map(|t| t.to_string()),
            date_start: c.time.map(|t| t.earliest()),
            date_end: c.end.or(c.time).map(|t| t.latest()),
            status,
        }
    }
}

/// One row of the `entries` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    /// Position of the entry in the record (0-based).
    pub position: i64,
    /// The source that asserted it (copied from the provenance).
    pub source: String,
    /// Its id in that source (copied from the provenance).
    pub id: String,
    /// Its version in that source (copied from the provenance).
    pub version: u32,
    /// The provenance as stored: compact JSON, as serde_json writes a `Provenance`.
    pub provenance_json: String,
    /// The FHIR resource JSON, exactly as `Resource::as_str()`.
    pub resource: String,
    /// The query columns.
    pub derived: Derived,
}

impl EntryRow {
    /// The provenance, parsed.
    ///
    /// # Errors
    /// The stored provenance no longer parses (edited outside emr).
    pub fn provenance(&self) -> serde_json::Result<Provenance> {
        serde_json::from_str(&self.provenance_json)
    }

    /// The entry, with its clinical view.
    ///
    /// # Errors
    /// The stored provenance or resource no longer parses (edited outside emr).
    pub fn to_entry(&self) -> Result<Entry, String> {
        let provenance = self.provenance().map_err(|_| "provenance".to_owned())?;
        Entry::from_text(provenance, &self.resource).map_err(|_| "resource".to_owned())
    }

    /// The entry's JSON as in the record JSON (`{"provenance":…,"resource":…}`), made from
    /// the stored text without re-serializing: both parts are only checked to be JSON.
    ///
    /// # Errors
    /// A stored part is not JSON (edited outside emr).
    pub fn to_json(&self) -> serde_json::Result<String> {
        let provenance: &RawValue = serde_json::from_str(&self.provenance_json)?;
        let resource: &RawValue = serde_json::from_str(&self.resource)?;
        let mut out = String::with_capacity(self.resource.len() + self.provenance_json.len() + 28);
        out.push_str("{\"provenance\":");
        out.push_str(provenance.get());
        out.push_str(",\"resource\":");
        out.push_str(resource.get());
        out.push('}');
        Ok(out)
    }

    /// SHA-256 of the row's content (position, provenance, resource), as logged in the audit chain.
    pub fn content_hash(&self) -> String {
        entry_hash(self.position, &self.provenance_json, &self.resource)
    }

    /// `entry:N`, this row's name in the audit log.
    pub fn target(&self) -> String {
        format!("entry:{}", self.position)
    }
}

/// SHA-256 of an entry row's content: position, provenance JSON and resource JSON.
pub fn entry_hash(position: i64, provenance_json: &str, resource: &str) -> String {
    content_hash(&("emr.entry.v1", position, provenance_json, resource))
}

/// Filters of `emr list`; each one given must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Entry kind.
    pub kind: Option<String>,
    /// `system|code`, or a bare code matching any system.
    pub code: Option<String>,
    /// Source id.
    pub source: Option<String>,
    /// Status (see [`Derived::status`]).
    pub status: Option<String>,
    /// Clinical time may be on or after this date.
    pub since: Option<PartialDate>,
    /// Clinical time may be on or before this date.
    pub until: Option<PartialDate>,
}

const COLUMNS: &str =
    "position, source, source_id, version, provenance, resource, kind, code, display, date, date_start, date_end, status";

/// Insert an entry at `position`; returns its row.
pub(crate) fn insert(conn: &Connection, position: i64, entry: &Entry) -> rusqlite::Result<EntryRow> {
    let p = entry.provenance();
    let provenance_json = serde_json::to_string(p).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let d = Derived::of(entry);
    let resource = entry.resource().as_str();
    conn.prepare_cached(&format!(
        "INSERT INTO entries ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))?
    .execute(params![
        position,
        p.source.as_str(),
        p.id.as_str(),
        p.version,
        provenance_json,
        resource,
        d.kind,
        d.code,
        d.display,
        d.date,
        d.date_start,
        d.date_end,
        d.status
    ])?;
    Ok(EntryRow {
        position,
        source: p.source.as_str().to_owned(),
        id: p.id.to_string(),
        version: p.version,
        provenance_json,
        resource: resource.to_owned(),
        derived: d,
    })
}

/// The conditions of [`Filter`], on parameters ?1 to ?6.
const WHERE: &str = "WHERE (?1 IS NULL OR kind = ?1)
    AND (?2 IS NULL OR code = ?2 OR (instr(?2, '|') = 0 AND substr(code, instr(code, '|') + 1) = ?2))
    AND (?3 IS NULL OR source = ?3) AND (?4 IS NULL OR status = ?4)
    AND (?5 IS NULL OR date_end >= ?5) AND (?6 IS NULL OR date_start <= ?6)";

fn filter_params(f: &Filter) -> impl rusqlite::Params + '_ {
    (
        f.kind.as_deref(),
        f.code.as_deref(),
        f.source.as_deref(),
        f.status.as_deref(),
        f.since.map(|d| d.earliest()),
        f.until.map(|d| d.latest()),
    )
}

/// Entries matching `filter`, in record order.
pub(crate) fn query(conn: &Connection, f: &Filter) -> rusqlite::Result<Vec<EntryRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM entries {WHERE} ORDER BY position"))?;
    let rows = stmt.query_map(filter_params(f), from_row)?;
    rows.collect()
}

/// Entries matching `filter` as a JSON array, one entry per line, each as in the record JSON.
///
/// Streams from the database into the output: no row is materialized. Both stored texts
/// are checked to be JSON, so the output is JSON even for a file edited outside emr.
pub(crate) fn query_json(conn: &Connection, f: &Filter) -> rusqlite::Result<String> {
    let mut stmt = conn.prepare(&format!("SELECT provenance, resource FROM entries {WHERE} ORDER BY position"))?;
    let mut rows = stmt.query(filter_params(f))?;
    let mut out = String::from("[");
    let mut first = true;
    while let Some(row) = rows.next()? {
        let (provenance, resource) = (row.get_ref(0)?.as_str()?, row.get_ref(1)?.as_str()?);
        for (i, text) in [(0, provenance), (1, resource)] {
            serde_json::from_str::<&RawValue>(text)
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))?;
        }
        out.push_str(if first { "\n  " } else { ",\n  " });
        first = false;
        out.push_str("{\"provenance\":");
        out.push_str(provenance);
        out.push_str(",\"resource\":");
        out.push_str(resource);
        out.push('}');
    }
    out.push_str(if first { "]\n" } else { "\n]\n" });
    Ok(out)
}

/// Entries whose id in their source is `id` (every version, every source).
pub(crate) fn by_id(conn: &Connection, id: &str) -> rusqlite::Result<Vec<EntryRow>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM entries WHERE source_id = ?1 ORDER BY position"))?;
    let rows = stmt.query_map([id], from_row)?;
    rows.collect()
}

/// The highest version of entry `id` in `source`, if any.
pub(crate) fn latest_version(conn: &Connection, source: &str, id: &str) -> rusqlite::Result<Option<u32>> {
    conn.query_row("SELECT max(version) FROM entries WHERE source = ?1 AND source_id = ?2", [source, id], |r| r.get(0))
}

/// Every stored version of entry `id` from `source`, in record order.
pub(crate) fn versions(conn: &Connection, source: &str, id: &str) -> rusqlite::Result<Vec<EntryRow>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {COLUMNS} FROM entries WHERE source = ?1 AND source_id = ?2 ORDER BY position"))?;
    let rows = stmt.query_map([source, id], from_row)?;
    rows.collect()
}

/// The position the next entry gets.
pub(crate) fn next_position(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT coalesce(max(position) + 1, 0) FROM entries", [], |r| r.get(0))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<EntryRow> {
    Ok(EntryRow {
        position: r.get(0)?,
        source: r.get(1)?,
        id: r.get(2)?,
        version: r.get(3)?,
        provenance_json: r.get(4)?,
        resource: r.get(5)?,
        derived: Derived {
            kind: r.get(6)?,
            code: r.get(7)?,
            display: r.get(8)?,
            date: r.get(9)?,
            date_start: r.get(10)?,
            date_end: r.get(11)?,
            status: r.get(12)?,
        },
    })
}
