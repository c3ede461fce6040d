//! The `.emr` file: an age-encrypted SQLite database image, handled in memory.
//!
//! Opening decrypts the file as it is read, straight into the memory of an
//! in-memory SQLite connection (`deserialize`); saving encrypts SQLite's image
//! straight into a new file that atomically replaces the old one. Plaintext never
//! touches the disk: the database has no file, SQLite keeps its journal and
//! temporary tables in memory, and only ciphertext is written.
//!
//! Writers hold the file's [`WriteLock`] from before they read it until after
//! they have saved it, so concurrent changes are applied one after the other.
//!
//! # Example
//! ```
//! use std::time::Duration;
//! use emr_cli::store::{Key, Protection, RecipientKey, Stamp, Store, WriteLock};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("chart.emr");
//! let identity = age::x25519::Identity::generate();
//! let recipient: RecipientKey = identity.to_public().to_string().parse()?;
//!
//! let lock = WriteLock::acquire(&path, Duration::from_secs(5))?;
//! let mut store = Store::create(&path, Protection::Recipients(vec![recipient]), &Stamp::now("dr-a"))?;
//! store.save(&lock)?;
//! drop(lock);
//!
//! let ids: Vec<Box<dyn age::Identity + Send + Sync>> = vec![Box::new(identity)];
//! let store = Store::load(&path, &Key::Identities(&ids))?;
//! assert_eq!(store.to_record()?.entries.len(), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod audit;
mod crypto;
mod entries;
mod error;
mod file;
mod lock;
mod recipient;
mod record;
mod schema;
mod verify;

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use rusqlite::Connection;
use zeroize::Zeroize;

pub use audit::{AuditRow, Stamp, GENESIS};
pub use crypto::{
    decrypt, encrypt, inspect, inspect_file, scrypt_work_factor, Key, KeyKind, Protection, MAX_SCRYPT_WORK_FACTOR,
    MIN_SCRYPT_WORK_FACTOR, SCRYPT_WORK_FACTOR_ENV,
};
pub use entries::{entry_hash, Derived, EntryRow, Filter};
pub use error::StoreError;
pub use file::{create_temp, private_options, read_all, write_atomic, write_new_private};
pub use lock::{lock_path, WriteLock};
pub use recipient::{BadRecipient, RecipientKey};
pub use schema::{check_header, APPLICATION_ID, FORMAT_VERSION};
pub use verify::{Problem, Verification};

/// Write buffer of [`Store::save`]: age writes 64 KiB chunks, which go past it straight to the file.
const WRITE_BUFFER: usize = 8 * 1024;

/// A reader that keeps its first error, which SQLite's deserialize would otherwise flatten.
struct Tracked<R> {
    inner: R,
    error: Option<std::io::Error>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.inner.read(buf).inspect_err(|e| {
            if self.error.is_none() {
                self.error = Some(std::io::Error::new(e.kind(), e.to_string()));
            }
        })
    }
}

/// An open `.emr` file: its database in memory and how to encrypt it again.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    protection: Protection,
}

impl Store {
    /// A new, empty record (no patient yet) protected by `protection`; not saved until [`Store::save`].
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn create(path: &Path, protection: Protection, stamp: &Stamp) -> Result<Store, StoreError> {
        let conn = Connection::open_in_memory().map_err(|e| StoreError::db(path, e))?;
        let mut store = Store { conn, path: path.to_path_buf(), protection };
        store
            .transaction(|conn| {
                schema::configure(conn)?;
                schema::create(conn)?;
                schema::set_meta(conn, "created", &stamp.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))?;
                schema::set_meta(conn, "record_format", &emr_core::model::RECORD_FORMAT.to_string())
            })
            .map_err(|e| StoreError::db(path, e))?;
        store.write_protection(stamp, "init")?;
        Ok(store)
    }

    /// Read, decrypt and open a `.emr` file.
    ///
    /// # Errors
    /// Every failure of reading ([`StoreError::Missing`]…), decrypting
    /// ([`StoreError::WrongIdentity`], [`StoreError::Truncated`]…) or checking the
    /// database ([`StoreError::NotEmrDatabase`], [`StoreError::NewerFormat`]).
    pub fn load(path: &Path, key: &Key<'_>) -> Result<Store, StoreError> {
        // Decrypted from the file as it is read: no copy of the whole ciphertext in memory.
        let file = crypto::open_file(path)?;
        let (reader, len) = crypto::open_reader(path, file.reader, file.payload_len, key)?;
        Store::open_plain(path, reader, len, file.payload_len, key)
    }

    /// Open the bytes of a `.emr` file read from `path`.
    ///
    /// # Errors
    /// As for [`Store::load`], without the read errors.
    pub fn open_bytes(path: &Path, bytes: &[u8], key: &Key<'_>) -> Result<Store, StoreError> {
        let (reader, len) = crypto::open_stream(path, bytes, key)?;
        let payload_len = crypto::payload_len(path, bytes)?;
        Store::open_plain(path, reader, len, payload_len, key)
    }

    /// Open a decrypting `reader` of `len` plaintext bytes (from a payload of `payload_len`).
    fn open_plain<R: Read + Seek>(
        path: &Path,
        mut reader: R,
        len: u64,
        payload_len: usize,
        key: &Key<'_>,
    ) -> Result<Store, StoreError> {
        let not_emr = || StoreError::NotEmrDatabase(path.to_path_buf());
        let len = usize::try_from(len).map_err(|_| not_emr())?;
        // The header is checked before SQLite sees anything (format version, application id).
        let mut head = [0u8; 100];
        if len < head.len() {
            return Err(not_emr());
        }
        reader.read_exact(&mut head).map_err(|e| crypto::read_error(path, payload_len, e))?;
        check_header(path, &head)?;
        reader.seek(SeekFrom::Start(0)).map_err(|e| crypto::read_error(path, payload_len, e))?;
        // Decrypt straight into SQLite's memory: no plaintext copy of our own to wipe.
        let mut conn = Connection::open_in_memory().map_err(|e| StoreError::db(path, e))?;
        let mut tracked = Tracked { inner: reader, error: None };
        if conn.deserialize_read_exact(rusqlite::MAIN_DB, &mut tracked, len, false).is_err() {
            return Err(match tracked.error {
                Some(e) => crypto::read_error(path, payload_len, e),
                None => not_emr(),
            });
        }
        schema::configure(&conn).map_err(|_| not_emr())?;
        let protection = match key {
            Key::Passphrase(p) => Protection::Passphrase(p.clone()),
            Key::Identities(_) => Protection::Recipients(recipient::load(&conn, path)?),
        };
        Ok(Store { conn, path: path.to_path_buf(), protection })
    }

    /// Encrypt the database and replace the file atomically.
    ///
    /// The image is encrypted straight from SQLite's memory into the new file: no copy
    /// of the plaintext or of the whole ciphertext in memory.
    ///
    /// # Errors
    /// [`StoreError::ReadOnly`], [`StoreError::DiskFull`], [`StoreError::Io`] (the
    /// file is then unchanged), or [`StoreError::Encrypt`].
    pub fn save(&mut self, lock: &WriteLock) -> Result<(), StoreError> {
        // The recipients are checked before anything is written.
        let encryptor = crypto::encryptor(&self.protection)?;
        let path = self.path.clone();
        let mut data = self.conn.serialize(rusqlite::MAIN_DB).map_err(|e| StoreError::db(&path, e))?;
        file::remove_stale_temps(lock.path());
        let written = file::write_atomic_with(lock.path(), |tmp| {
            let out = std::io::BufWriter::with_capacity(WRITE_BUFFER, tmp);
            crypto::encrypt_into(encryptor, &data, out)?.flush()
        });
        if let rusqlite::serialize::Data::Owned(owned) = &mut data {
            std::ops::DerefMut::deref_mut(owned).zeroize();
        }
        written
    }

    /// The encrypted file content, as [`Store::save`] would write it.
    ///
    /// # Errors
    /// [`StoreError::Encrypt`] or [`StoreError::Database`].
    pub fn encrypted(&mut self) -> Result<Vec<u8>, StoreError> {
        let path = self.path.clone();
        let mut data = self.conn.serialize(rusqlite::MAIN_DB).map_err(|e| StoreError::db(&path, e))?;
        let out = encrypt(&self.protection, &data);
        if let rusqlite::serialize::Data::Owned(owned) = &mut data {
            std::ops::DerefMut::deref_mut(owned).zeroize();
        }
        out
    }

    /// The file this store was opened from or will be saved to.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the file is encrypted.
    pub fn protection(&self) -> &Protection {
        &self.protection
    }

    /// Encrypt to a new passphrase or new recipients from now on, and log it as `action`.
    ///
    /// # Errors
    /// [`StoreError::Database`] if SQLite fails.
    pub fn set_protection(&mut self, protection: Protection, stamp: &Stamp, action: &str) -> Result<(), StoreError> {
        self.protection = protection;
        self.write_protection(stamp, action)
    }

    /// The database connection, for queries.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Run `f` in a transaction: all of its changes, or none.
    pub(crate) fn transaction<T>(&mut self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let tx = self.conn.transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// Record the current protection in the `meta` and `recipients` tables, and log it.
    fn write_protection(&mut self, stamp: &Stamp, action: &str) -> Result<(), StoreError> {
        let path = self.path.clone();
        let protection = self.protection.clone();
        self.transaction(|conn| {
            let hash = recipient::store(conn, &protection)?;
            audit::append(conn, stamp, action, Some("recipients"), Some(&hash))
        })
        .map_err(|e| StoreError::db(&path, e))
    }

    /// A database error on this file.
    pub(crate) fn db_err(&self, e: rusqlite::Error) -> StoreError {
        StoreError::db(&self.path, e)
    }
}
