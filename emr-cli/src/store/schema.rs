//! The database inside a `.emr` file: tables, format version, and the checks made before use.
//!
//! The image is a SQLite database whose header (plaintext once decrypted)
//! carries `application_id` = [`APPLICATION_ID`] ("EMRF") and `user_version` =
//! the format version. Both are read straight from the header bytes before
//! SQLite is given the image, so a file from a newer emr is refused before any
//! table is touched.

use std::path::Path;

use rusqlite::Connection;

use super::error::StoreError;

/// `PRAGMA application_id` of an emr database: "EMRF".
pub const APPLICATION_ID: u32 = 0x454D_5246;
/// The newest format version this build reads and the one it writes.
pub const FORMAT_VERSION: u32 = 1;

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// The tables of format 1.
///
/// - `meta`: key/value facts about the file (creation time, record format, emr version, encryption).
/// - `patient`: at most one row, the FHIR `Patient` JSON.
/// - `sources`: the record's sources, in record order, as their JSON (`id` copied for lookups).
/// - `entries`: each entry's FHIR resource JSON exactly as `Resource::as_str()`, its
///   provenance as JSON (source, id and version copied into columns for lookups), and
///   columns derived from the resource for queries (kind, first coding `system|code`,
///   display text, clinical time as text and as a UTC second range, status). One index,
///   on (source, id, version), for the version lookups of imports; `emr list`'s filters scan
///   the table (their optional-parameter form cannot use an index). Files from earlier builds
///   carry four more indexes (kind, code, date, status) that no query uses: harmless there;
///   new files leave them out (≈ 5 % of the file).
/// - `recipients`: the public keys the file is encrypted to (none for a passphrase file).
/// - `audit`: the append-only, hash-chained log of changes (who, what, when, which row;
///   never clinical values).
const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE patient (id INTEGER PRIMARY KEY CHECK (id = 1), resource TEXT NOT NULL);
CREATE TABLE sources (position INTEGER PRIMARY KEY, id TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX sources_id ON sources (id);
CREATE TABLE entries (
    position INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    provenance TEXT NOT NULL,
    resource TEXT NOT NULL,
    kind TEXT NOT NULL,
    code TEXT,
    display TEXT,
    date TEXT,
    date_start INTEGER,
    date_end INTEGER,
    status TEXT
);
CREATE INDEX entries_provenance ON entries (source, source_id, version);
CREATE TABLE recipients (key TEXT PRIMARY KEY, comment TEXT) WITHOUT ROWID;
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    target_hash TEXT,
    prev TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
";

/// Settings that keep SQLite entirely in memory: no journal or temp files, ever.
pub(crate) fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA temp_store = MEMORY; PRAGMA journal_mode = MEMORY; PRAGMA secure_delete = ON;")
}

/// SQLite page size of new files. Entry rows are about 1.1 KB: 16 KiB pages waste
/// less at page ends than SQLite's default 4 KiB (≈ 10 % of the file). Any page size
/// reads the same, so this is not a format change.
pub const PAGE_SIZE: u32 = 16 * 1024;

/// Create the tables of a new database and stamp its header.
pub(crate) fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(&format!(
        "PRAGMA page_size = {PAGE_SIZE}; PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {FORMAT_VERSION}; {SCHEMA}"
    ))
}

/// Check a decrypted image before handing it to SQLite.
///
/// # Errors
/// [`StoreError::NotEmrDatabase`] when it is not a SQLite image with emr's
/// application id; [`StoreError::NewerFormat`] when its version is newer than
/// [`FORMAT_VERSION`].
pub fn check_header(path: &Path, image: &[u8]) -> Result<(), StoreError> {
    let not_emr = || StoreError::NotEmrDatabase(path.to_path_buf());
    if !image.starts_with(SQLITE_MAGIC) || image.len() < 100 {
        return Err(not_emr());
    }
    let be32 =
        |at: usize| -> Option<u32> { image.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes) };
    if be32(68) != Some(APPLICATION_ID) {
        return Err(not_emr());
    }
    match be32(60) {
        Some(0) | None => Err(not_emr()),
        Some(v) if v > FORMAT_VERSION => {
            Err(StoreError::NewerFormat { path: path.to_path_buf(), found: v, supported: FORMAT_VERSION })
        }
        Some(_) => Ok(()),
    }
}

/// Read a `meta` value.
pub(crate) fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension;
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()
}

/// Write a `meta` value.
pub(crate) fn set_meta(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
        [key, value],
    )
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(version: u32) -> Vec<u8> {
        let mut conn = Connection::open_in_memory().unwrap();
        create(&conn).unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
        conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
    }

    #[test]
    fn header_checks() {
        let p = Path::new("x.emr");
        check_header(p, &image(FORMAT_VERSION)).unwrap();
        assert!(matches!(check_header(p, &image(FORMAT_VERSION + 1)), Err(StoreError::NewerFormat { found: 2, .. })));
        assert!(matches!(check_header(p, b"hello"), Err(StoreError::NotEmrDatabase(_))));
        let other = Connection::open_in_memory().unwrap();
        other.execute_batch("CREATE TABLE t (x);").unwrap();
        let mut other = other;
        let bytes = other.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
        assert!(matches!(check_header(p, &bytes), Err(StoreError::NotEmrDatabase(_))));
    }
}
