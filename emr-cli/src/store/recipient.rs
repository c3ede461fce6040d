//! Public keys a file is encrypted to: age X25519 (`age1…`) and SSH (ed25519, RSA).

use std::fmt;
use std::path::Path;

use rusqlite::{params, Connection};

use super::audit::content_hash;
use super::crypto::Protection;
use super::error::StoreError;
use super::schema::{meta, set_meta};

/// A recipient public key, kept in its canonical text form.
///
/// # Example
/// ```
/// use emr_cli::store::RecipientKey;
/// let id = age::x25519::Identity::generate();
/// let text = id.to_public().to_string();
/// let key: RecipientKey = text.parse().unwrap();
/// assert_eq!(key.as_str(), text);
/// assert!("not a key".parse::<RecipientKey>().is_err());
/// ```
#[derive(Clone)]
pub struct RecipientKey {
    /// `age1…` or `ssh-ed25519 AAAA…` / `ssh-rsa AAAA…` (without the comment).
    canonical: String,
    /// The SSH key's comment (often `user@host`), kept to tell keys apart in listings.
    comment: Option<String>,
    parsed: Parsed,
}

#[derive(Clone)]
enum Parsed {
    X25519(age::x25519::Recipient),
    Ssh(age::ssh::Recipient),
}

impl PartialEq for RecipientKey {
    fn eq(&self, other: &Self) -> bool {
        self.canonical == other.canonical
    }
}

impl Eq for RecipientKey {}

impl PartialOrd for RecipientKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RecipientKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.canonical.cmp(&other.canonical)
    }
}

impl fmt::Debug for RecipientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RecipientKey").field(&self.canonical).finish()
    }
}

/// The text is not a recipient emr can encrypt to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a recipient: expected an age public key (age1…) or an SSH public key (ssh-ed25519 … or ssh-rsa …){0}")]
pub struct BadRecipient(&'static str);

impl RecipientKey {
    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The SSH comment, if any.
    pub fn comment(&self) -> Option<&str> {
        self.comment.as_deref()
    }

    /// A recipient from stored parts.
    pub(crate) fn from_parts(canonical: String, comment: Option<String>) -> Result<RecipientKey, BadRecipient> {
        let mut key: RecipientKey = canonical.parse()?;
        key.comment = comment;
        Ok(key)
    }

    /// The age recipient.
    pub fn to_age(&self) -> Box<dyn age::Recipient + Send> {
        match &self.parsed {
            Parsed::X25519(r) => Box::new(r.clone()),
            Parsed::Ssh(r) => Box::new(r.clone()),
        }
    }
}

impl std::str::FromStr for RecipientKey {
    type Err = BadRecipient;

    fn from_str(s: &str) -> Result<Self, BadRecipient> {
        let s = s.trim();
        if let Ok(r) = s.parse::<age::x25519::Recipient>() {
            return Ok(RecipientKey { canonical: r.to_string(), comment: None, parsed: Parsed::X25519(r) });
        }
        if s.starts_with("ssh-") {
            let r = s.parse::<age::ssh::Recipient>().map_err(|e| match e {
                age::ssh::ParseRecipientKeyError::RsaModulusTooSmall => {
                    BadRecipient(": this RSA key is shorter than 2048 bits")
                }
                age::ssh::ParseRecipientKeyError::RsaModulusTooLarge => BadRecipient(": this RSA key is too large"),
                age::ssh::ParseRecipientKeyError::Unsupported(_) | age::ssh::ParseRecipientKeyError::Ignore => {
                    BadRecipient(": this SSH key type is not supported (use ssh-ed25519 or ssh-rsa)")
                }
                _ => BadRecipient(""),
            })?;
            let comment =
                s.splitn(3, char::is_whitespace).nth(2).map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned);
            return Ok(RecipientKey { canonical: r.to_string(), comment, parsed: Parsed::Ssh(r) });
        }
        Err(BadRecipient(""))
    }
}

impl fmt::Display for RecipientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.comment {
            Some(c) => write!(f, "{} {c}", self.canonical),
            None => f.write_str(&self.canonical),
        }
    }
}

/// `passphrase` or `recipients`, as kept in `meta.encryption`.
fn mode(p: &Protection) -> &'static str {
    match p {
        Protection::Passphrase(_) => "passphrase",
        Protection::Recipients(_) => "recipients",
    }
}

/// Write the protection into `meta` and `recipients`; returns the content hash for the audit log.
pub(crate) fn store(conn: &Connection, protection: &Protection) -> rusqlite::Result<String> {
    set_meta(conn, "encryption", mode(protection))?;
    conn.execute("DELETE FROM recipients", [])?;
    if let Protection::Recipients(keys) = protection {
        let mut stmt = conn.prepare("INSERT OR IGNORE INTO recipients (key, comment) VALUES (?1, ?2)")?;
        for k in keys {
            stmt.execute(params![k.canonical, k.comment])?;
        }
    }
    stored_hash(conn)
}

/// The content hash of the stored protection (mode and recipient list).
pub(crate) fn stored_hash(conn: &Connection) -> rusqlite::Result<String> {
    let mode = meta(conn, "encryption")?;
    let mut stmt = conn.prepare("SELECT key, comment FROM recipients ORDER BY key")?;
    let keys = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(content_hash(&("emr.recipients.v1", mode, keys)))
}

/// The recipients a file is encrypted to.
pub(crate) fn load(conn: &Connection, path: &Path) -> Result<Vec<RecipientKey>, StoreError> {
    let rows = (|| {
        let mut stmt = conn.prepare("SELECT key, comment FROM recipients ORDER BY key")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
    })()
    .map_err(|_| StoreError::NotEmrDatabase(path.to_path_buf()))?;
    rows.into_iter()
        .map(|(k, c)| {
            RecipientKey::from_parts(k, c).map_err(|_| StoreError::Database {
                path: path.to_path_buf(),
                detail: "a stored recipient is not a valid public key".into(),
            })
        })
        .collect()
}
