//! age encryption of the database image, and telling apart the ways decryption fails.
//!
//! A `.emr` file is a plain binary age file: any age tool with the right key
//! decrypts it to the SQLite image. Failures are classified so that each has
//! its own message: not age at all, truncated, damaged, or the wrong key.

use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom, Write};
use std::path::Path;

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use super::error::StoreError;
use super::recipient::RecipientKey;

/// The first bytes of every binary age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/";
/// age's STREAM: 64 KiB chunks, each followed by a 16-byte tag.
const CHUNK: usize = 64 * 1024;
const TAG: usize = 16;
const NONCE: usize = 16;
/// SQLite's smallest page size: every database image is a multiple of it.
const MIN_PAGE: usize = 512;
/// How much of a file is read at a time to find the end of its header, and the read buffer.
const HEADER_READ: usize = 64 * 1024;

/// Environment variable lowering scrypt's cost. **For tests only**: a low work
/// factor makes a passphrase much cheaper to guess.
pub const SCRYPT_WORK_FACTOR_ENV: &str = "EMR_SCRYPT_WORK_FACTOR";
/// The lowest work factor accepted from [`SCRYPT_WORK_FACTOR_ENV`].
pub const MIN_SCRYPT_WORK_FACTOR: u8 = 10;
/// The highest work factor accepted from [`SCRYPT_WORK_FACTOR_ENV`].
pub const MAX_SCRYPT_WORK_FACTOR: u8 = 22;

/// How a file is protected, from its age header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// One scrypt passphrase stanza.
    Passphrase,
    /// One or more public-key recipients (X25519, SSH).
    Recipients,
}

/// A key that opens a file.
pub enum Key<'a> {
    /// The passphrase of a passphrase-protected file.
    Passphrase(SecretString),
    /// Identities, one of which must match one of the file's recipients.
    Identities(&'a [Box<dyn age::Identity + Send + Sync>]),
}

/// What a file is encrypted to when it is written.
#[derive(Clone)]
pub enum Protection {
    /// A passphrase (scrypt).
    Passphrase(SecretString),
    /// Public-key recipients.
    Recipients(Vec<RecipientKey>),
}

/// Check the outer shape of a `.emr` file and tell how it is protected.
///
/// # Errors
/// [`StoreError::Empty`], [`StoreError::NotAge`], [`StoreError::Truncated`] or
/// [`StoreError::Corrupted`] (an unparsable header).
pub fn inspect(path: &Path, bytes: &[u8]) -> Result<KeyKind, StoreError> {
    check_shape(path, bytes)?;
    let decryptor = age::Decryptor::new_buffered(bytes).map_err(|e| classify(path, e))?;
    Ok(if decryptor.is_scrypt() { KeyKind::Passphrase } else { KeyKind::Recipients })
}

/// Decrypt a `.emr` file to its database image.
///
/// # Errors
/// Those of [`inspect`], plus [`StoreError::WrongIdentity`] /
/// [`StoreError::WrongPassphrase`], and [`StoreError::Truncated`] /
/// [`StoreError::Corrupted`] for a payload that fails authentication.
pub fn decrypt(path: &Path, bytes: &[u8], key: &Key<'_>) -> Result<Zeroizing<Vec<u8>>, StoreError> {
    let (mut reader, len) = open_stream(path, bytes, key)?;
    let mut plain = Zeroizing::new(Vec::with_capacity(usize::try_from(len).unwrap_or_default()));
    reader.read_to_end(&mut plain).map_err(|e| read_error(path, payload_len(path, bytes).unwrap_or_default(), e))?;
    Ok(plain)
}

/// A decrypting reader over a `.emr` file's bytes, positioned at the start of the plaintext.
pub(crate) type PlainReader<'a> = age::stream::StreamReader<Cursor<&'a [u8]>>;

/// Open a decrypting stream over a `.emr` file, and the plaintext's length.
///
/// Nothing is decrypted into a buffer of our own: the caller reads the plaintext
/// straight into its destination (SQLite's memory). The length comes from
/// authenticating the last chunk, so a truncated file fails here.
///
/// # Errors
/// As for [`decrypt`].
pub(crate) fn open_stream<'a>(
    path: &Path,
    bytes: &'a [u8],
    key: &Key<'_>,
) -> Result<(PlainReader<'a>, u64), StoreError> {
    let header_len = check_shape(path, bytes)?;
    open_reader(path, Cursor::new(bytes), bytes.len() - header_len, key)
}

/// Open a decrypting stream over a `.emr` file read from `input` (at its start), whose
/// payload (after the header and nonce) is `payload_len` bytes, and the plaintext's length.
///
/// # Errors
/// As for [`decrypt`].
pub(crate) fn open_reader<R: BufRead + Seek>(
    path: &Path,
    input: R,
    payload_len: usize,
    key: &Key<'_>,
) -> Result<(age::stream::StreamReader<R>, u64), StoreError> {
    let decryptor = age::Decryptor::new_buffered(input).map_err(|e| classify(path, e))?;
    let scrypt_identity;
    let mut reader = match key {
        Key::Passphrase(p) => {
            if !decryptor.is_scrypt() {
                return Err(wrong_kind(path, KeyKind::Recipients));
            }
            scrypt_identity = age::scrypt::Identity::new(p.clone());
            decryptor.decrypt(std::iter::once(&scrypt_identity as &dyn age::Identity))
        }
        Key::Identities(ids) => {
            if decryptor.is_scrypt() {
                return Err(wrong_kind(path, KeyKind::Passphrase));
            }
            decryptor.decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
        }
    }
    .map_err(|e| classify(path, e))?;
    let len = reader
        .seek(SeekFrom::End(0))
        .and_then(|len| reader.seek(SeekFrom::Start(0)).map(|_| len))
        .map_err(|e| read_error(path, payload_len, e))?;
    Ok((reader, len))
}

/// An open `.emr` file, positioned at its start, whose outer shape was checked.
pub(crate) struct OpenFile {
    /// The file, buffered for age's header parser.
    pub(crate) reader: BufReader<File>,
    /// Bytes after the header and nonce.
    pub(crate) payload_len: usize,
}

/// Open a `.emr` file for reading and check its outer shape, reading only its header.
///
/// The file is read through this one descriptor: a writer replacing it meanwhile
/// (rename) does not change what is read.
///
/// # Errors
/// [`StoreError::Missing`], [`StoreError::Io`], and those of [`inspect`] about the shape.
pub(crate) fn open_file(path: &Path) -> Result<OpenFile, StoreError> {
    let read_err = |e| StoreError::from_read(path, e);
    let mut file = File::open(path).map_err(read_err)?;
    let total = usize::try_from(file.metadata().map_err(read_err)?.len())
        .map_err(|_| StoreError::Io { path: path.to_path_buf(), source: std::io::ErrorKind::FileTooLarge.into() })?;
    // Read as much of the start as the header needs (it is usually a few hundred bytes).
    let mut prefix = Vec::with_capacity(total.min(HEADER_READ));
    let header_len = loop {
        let want = (prefix.len() + HEADER_READ).min(total);
        let got = (&mut file).take((want - prefix.len()) as u64).read_to_end(&mut prefix).map_err(read_err)?;
        match shape(path, &prefix, total) {
            Ok(Some(len)) => break len,
            Ok(None) if got > 0 && prefix.len() < total => continue,
            Ok(None) => return Err(StoreError::Truncated(path.to_path_buf())),
            Err(e) => return Err(e),
        }
    };
    file.seek(SeekFrom::Start(0)).map_err(read_err)?;
    Ok(OpenFile { reader: BufReader::with_capacity(HEADER_READ, file), payload_len: total - header_len })
}

/// How a `.emr` file on disk is protected, reading only its header.
///
/// # Errors
/// As for [`inspect`], plus [`StoreError::Missing`] and [`StoreError::Io`].
pub fn inspect_file(path: &Path) -> Result<KeyKind, StoreError> {
    let file = open_file(path)?;
    let decryptor = age::Decryptor::new_buffered(file.reader).map_err(|e| classify(path, e))?;
    Ok(if decryptor.is_scrypt() { KeyKind::Passphrase } else { KeyKind::Recipients })
}

/// Classify an error while reading the plaintext of a file whose payload is `payload_len` bytes.
pub(crate) fn read_error(path: &Path, payload_len: usize, e: std::io::Error) -> StoreError {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => StoreError::Truncated(path.to_path_buf()),
        std::io::ErrorKind::InvalidData => payload_failure(path, payload_len),
        _ => StoreError::Io { path: path.to_path_buf(), source: e },
    }
}

/// The payload length of a file whose shape was checked.
pub(crate) fn payload_len(path: &Path, bytes: &[u8]) -> Result<usize, StoreError> {
    check_shape(path, bytes).map(|header_len| bytes.len() - header_len)
}

/// Encrypt a database image.
///
/// # Errors
/// [`StoreError::Encrypt`] when age refuses the recipients (none, or an invalid
/// [`SCRYPT_WORK_FACTOR_ENV`]).
pub fn encrypt(protection: &Protection, plain: &[u8]) -> Result<Vec<u8>, StoreError> {
    let out = Vec::with_capacity(plain.len() + plain.len() / CHUNK * TAG + 512);
    encrypt_into(encryptor(protection)?, plain, out).map_err(|e| StoreError::Encrypt(e.to_string()))
}

/// The encryptor for `protection`; it checks the recipients before anything is written.
///
/// # Errors
/// As for [`encrypt`].
pub(crate) fn encryptor(protection: &Protection) -> Result<age::Encryptor, StoreError> {
    match protection {
        Protection::Passphrase(p) => {
            let mut r = age::scrypt::Recipient::new(p.clone());
            if let Some(log_n) = scrypt_work_factor()? {
                r.set_work_factor(log_n);
            }
            age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
        }
        Protection::Recipients(keys) => {
            if keys.is_empty() {
                return Err(StoreError::Encrypt("the file would have no recipient".into()));
            }
            let boxed: Vec<Box<dyn age::Recipient + Send>> = keys.iter().map(RecipientKey::to_age).collect();
            age::Encryptor::with_recipients(boxed.iter().map(|r| r.as_ref() as &dyn age::Recipient))
        }
    }
    .map_err(|e| StoreError::Encrypt(e.to_string()))
}

/// Encrypt `plain` with `encryptor` into `out`, and return `out` with everything written to it.
///
/// # Errors
/// The writer's I/O errors.
pub(crate) fn encrypt_into<W: Write>(encryptor: age::Encryptor, plain: &[u8], out: W) -> std::io::Result<W> {
    let mut writer = encryptor.wrap_output(out)?;
    writer.write_all(plain)?;
    writer.finish()
}

/// The scrypt work factor from [`SCRYPT_WORK_FACTOR_ENV`], if set.
///
/// # Errors
/// The variable is set but not a number from 10 to 22.
pub fn scrypt_work_factor() -> Result<Option<u8>, StoreError> {
    let Some(v) = std::env::var_os(SCRYPT_WORK_FACTOR_ENV) else { return Ok(None) };
    match v.to_str().and_then(|s| s.trim().parse::<u8>().ok()) {
        Some(n) if (MIN_SCRYPT_WORK_FACTOR..=MAX_SCRYPT_WORK_FACTOR).contains(&n) => Ok(Some(n)),
        _ => Err(StoreError::Encrypt(format!(
            "{SCRYPT_WORK_FACTOR_ENV} must be a number from {MIN_SCRYPT_WORK_FACTOR} to {MAX_SCRYPT_WORK_FACTOR} (it is meant for tests only; unset it)"
        ))),
    }
}

/// Empty, not age, or a header that never ends; returns the header length (with the nonce).
fn check_shape(path: &Path, bytes: &[u8]) -> Result<usize, StoreError> {
    shape(path, bytes, bytes.len())?.ok_or_else(|| StoreError::Truncated(path.to_path_buf()))
}

/// [`check_shape`] on the first bytes (`prefix`) of a file of `total` bytes: `None` when
/// the header does not end within `prefix`.
fn shape(path: &Path, prefix: &[u8], total: usize) -> Result<Option<usize>, StoreError> {
    if total == 0 {
        return Err(StoreError::Empty(path.to_path_buf()));
    }
    let n = prefix.len().min(AGE_MAGIC.len());
    if prefix.get(..n) != AGE_MAGIC.get(..n) {
        return Err(StoreError::NotAge(path.to_path_buf()));
    }
    // The header ends with the MAC line `--- <43 base64 chars>\n`, then comes the nonce.
    let header_end = prefix.windows(5).position(|w| w == b"\n--- ").and_then(|at| {
        prefix.get(at + 1..).and_then(|rest| rest.iter().position(|&b| b == b'\n')).map(|nl| at + 2 + nl)
    });
    match header_end {
        Some(end) if total >= end + NONCE => Ok(Some(end + NONCE)),
        Some(_) => Err(StoreError::Truncated(path.to_path_buf())),
        None => Ok(None),
    }
}

fn classify(path: &Path, e: age::DecryptError) -> StoreError {
    let p = path.to_path_buf();
    match e {
        age::DecryptError::NoMatchingKeys => StoreError::WrongIdentity(p),
        age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => StoreError::WrongPassphrase(p),
        age::DecryptError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => StoreError::Truncated(p),
        age::DecryptError::UnknownFormat => StoreError::NotAge(p),
        _ => StoreError::Corrupted(p),
    }
}

/// An authentication failure: truncated when the length is impossible for a
/// database image, damaged otherwise (a changed byte keeps the length).
fn payload_failure(path: &Path, payload_len: usize) -> StoreError {
    let chunks = payload_len.div_ceil(CHUNK + TAG);
    let plain_len = payload_len.saturating_sub(chunks * TAG);
    let impossible = !payload_len.is_multiple_of(CHUNK + TAG) && payload_len % (CHUNK + TAG) < TAG;
    if impossible || plain_len == 0 || !plain_len.is_multiple_of(MIN_PAGE) {
        StoreError::Truncated(path.to_path_buf())
    } else {
        StoreError::Corrupted(path.to_path_buf())
    }
}

fn wrong_kind(path: &Path, file_needs: KeyKind) -> StoreError {
    match file_needs {
        KeyKind::Passphrase => {
            StoreError::WrongKeyKind { path: path.to_path_buf(), needs: "a passphrase", given: "an identity (-i)" }
        }
        KeyKind::Recipients => StoreError::WrongKeyKind {
            path: path.to_path_buf(),
            needs: "recipients' keys (give an identity with -i)",
            given: "a passphrase",
        },
    }
}
