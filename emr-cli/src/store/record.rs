//! The record in the database: patient, sources and entries, to and from [`Record`].
//!
//! The conversion is lossless: `Store` → `Record` → JSON equals the JSON of the
//! record that was put in (entry and source order, resource text, provenance,
//! envelope format).

use emr_core::model::{Entry, Patient, Record, Source};
use rusqlite::{params, Connection, OptionalExtension};

use super::audit::{self, content_hash, AuditRow, Stamp};
use super::entries::{self, EntryRow, Filter};
use super::schema;
use super::{Protection, Store, StoreError};

impl Store {
    /// A new store holding `record` (every part logged as `action`, e.g. `import`).
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn from_record(
        path: &std::path::Path,
        record: &Record,
        protection: Protection,
        stamp: &Stamp,
    ) -> Result<Store, StoreError> {
        let mut store = Store::create(path, protection, stamp)?;
        store
            .transaction(|conn| {
                schema::set_meta(conn, "record_format", &record.format.to_string())?;
                if let Some(p) = &record.patient {
                    put_patient(conn, p, stamp, "import")?;
                }
                for s in &record.sources {
                    put_source(conn, s, stamp, "import")?;
                }
                for e in &record.entries {
                    put_entry(conn, e, stamp, "import")?;
                }
                Ok(())
            })
            .map_err(|e| store.db_err(e))?;
        Ok(store)
    }

    /// The whole record.
    ///
    /// # Errors
    /// [`StoreError::Database`] when a row no longer parses (edited outside emr).
    pub fn to_record(&self) -> Result<Record, StoreError> {
        let conn = self.connection();
        let format = schema::meta(conn, "record_format")
            .map_err(|e| self.db_err(e))?
            .and_then(|f| f.parse().ok())
            .unwrap_or(emr_core::model::RECORD_FORMAT);
        let entries = self
            .entries(&Filter::default())?
            .iter()
            .map(|row| row.to_entry().map_err(|_| self.bad_row(&row.target())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Record { format, patient: self.patient()?, sources: self.sources()?, entries })
    }

    /// The patient, if the record has one.
    ///
    /// # Errors
    /// [`StoreError::Database`] when the row no longer parses.
    pub fn patient(&self) -> Result<Option<Patient>, StoreError> {
        let text: Option<String> = self
            .connection()
            .query_row("SELECT resource FROM patient WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(|e| self.db_err(e))?;
        text.map(|t| Patient::parse(&t).map_err(|_| self.bad_row("patient"))).transpose()
    }

    /// Set (or replace) the patient, logged as `action`.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn set_patient(&mut self, patient: &Patient, stamp: &Stamp, action: &str) -> Result<(), StoreError> {
        self.transaction(|conn| put_patient(conn, patient, stamp, action)).map_err(|e| self.db_err(e))
    }

    /// The sources, in record order.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn sources(&self) -> Result<Vec<Source>, StoreError> {
        let run = || -> rusqlite::Result<Vec<String>> {
            let mut stmt = self.connection().prepare("SELECT source FROM sources ORDER BY position")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        };
        run()
            .map_err(|e| self.db_err(e))?
            .iter()
            .map(|text| serde_json::from_str(text).map_err(|_| self.bad_row("source")))
            .collect()
    }

    /// Add a source (logged as `source.add`).
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn add_source(&mut self, source: &Source, stamp: &Stamp) -> Result<(), StoreError> {
        self.transaction(|conn| put_source(conn, source, stamp, "source.add")).map_err(|e| self.db_err(e))
    }

    /// Append an entry (logged as `action`); returns its row.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn add_entry(&mut self, entry: &Entry, stamp: &Stamp, action: &str) -> Result<EntryRow, StoreError> {
        self.transaction(|conn| put_entry(conn, entry, stamp, action)).map_err(|e| self.db_err(e))
    }

    /// Entries matching `filter`, in record order.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn entries(&self, filter: &Filter) -> Result<Vec<EntryRow>, StoreError> {
        entries::query(self.connection(), filter).map_err(|e| self.db_err(e))
    }

    /// Entries matching `filter` as a JSON array (as `emr list --json` prints it): one entry
    /// per line, each exactly as in the record JSON.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails or a stored text is not JSON.
    pub fn entries_json(&self, filter: &Filter) -> Result<String, StoreError> {
        entries::query_json(self.connection(), filter).map_err(|e| self.db_err(e))
    }

    /// Entries whose id in their source is `id`.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn entries_by_id(&self, id: &str) -> Result<Vec<EntryRow>, StoreError> {
        entries::by_id(self.connection(), id).map_err(|e| self.db_err(e))
    }

    /// The highest version of entry `id` from `source`.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn latest_version(&self, source: &str, id: &str) -> Result<Option<u32>, StoreError> {
        entries::latest_version(self.connection(), source, id).map_err(|e| self.db_err(e))
    }

    /// Every version of entry `id` from `source`, in record order (what [`emr_core::model::arrival`]
    /// compares an incoming entry with).
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails or a stored row no longer parses.
    pub fn versions(&self, source: &str, id: &str) -> Result<Vec<Entry>, StoreError> {
        entries::versions(self.connection(), source, id)
            .map_err(|e| self.db_err(e))?
            .iter()
            .map(|row| row.to_entry().map_err(|_| self.bad_row(&row.target())))
            .collect()
    }

    /// The audit log, in chain order.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn audit_log(&self) -> Result<Vec<AuditRow>, StoreError> {
        audit::rows(self.connection()).map_err(|e| self.db_err(e))
    }

    /// A `meta` value (`created`, `encryption`, `record_format`).
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        schema::meta(self.connection(), key).map_err(|e| self.db_err(e))
    }

    /// Set a `meta` value (not logged: `meta` holds settings, not record content).
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), StoreError> {
        schema::set_meta(self.connection(), key, value).map_err(|e| self.db_err(e))
    }

    fn bad_row(&self, target: &str) -> StoreError {
        StoreError::Database {
            path: self.path().to_path_buf(),
            detail: format!("row {target} does not parse; run `emr verify`"),
        }
    }
}

/// Content hash of the patient row.
pub(crate) fn patient_hash(resource: &str) -> String {
    content_hash(&("emr.patient.v1", resource))
}

/// Content hash of a source row.
pub(crate) fn source_hash(position: i64, source_json: &str) -> String {
    content_hash(&("emr.source.v1", position, source_json))
}

fn put_patient(conn: &Connection, p: &Patient, stamp: &Stamp, action: &str) -> rusqlite::Result<()> {
    let text = p.resource().as_str();
    conn.execute("INSERT OR REPLACE INTO patient (id, resource) VALUES (1, ?1)", [text])?;
    audit::append(conn, stamp, action, Some("patient"), Some(&patient_hash(text)))
}

fn put_source(conn: &Connection, s: &Source, stamp: &Stamp, action: &str) -> rusqlite::Result<()> {
    let position: i64 = conn.query_row("SELECT coalesce(max(position) + 1, 0) FROM sources", [], |r| r.get(0))?;
    let json = serde_json::to_string(s).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    conn.execute(
        "INSERT INTO sources (position, id, source) VALUES (?1, ?2, ?3)",
        params![position, s.id.as_str(), json],
    )?;
    audit::append(conn, stamp, action, Some(&format!("source:{position}")), Some(&source_hash(position, &json)))
}

fn put_entry(conn: &Connection, e: &Entry, stamp: &Stamp, action: &str) -> rusqlite::Result<EntryRow> {
    let position = entries::next_position(conn)?;
    let row = entries::insert(conn, position, e)?;
    audit::append(conn, stamp, action, Some(&row.target()), Some(&row.content_hash()))?;
    Ok(row)
}
