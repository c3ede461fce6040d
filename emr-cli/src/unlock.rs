//! Keys from the user: identity files, passphrases (prompt, file, environment), recipients.
//!
//! Secrets are held in age's `SecretString` or in `Zeroizing` buffers, so they are
//! wiped from memory when dropped.

use std::path::{Path, PathBuf};
use std::time::Duration;

use age::secrecy::SecretString;
use zeroize::Zeroizing;

use crate::cli::{UnlockArgs, WriteArgs};
use crate::error::CliError;
use crate::store::{inspect, inspect_file, Key, KeyKind, RecipientKey, Stamp, Store, StoreError, WriteLock};

/// Environment variable with the passphrase (for scripts; see `emr init --help` for the risks).
pub const PASSPHRASE_ENV: &str = "EMR_PASSPHRASE";
/// Environment variable with the new passphrase of `emr passwd`.
pub const NEW_PASSPHRASE_ENV: &str = "EMR_NEW_PASSPHRASE";
/// Environment variable naming the actor recorded in the audit log.
pub const ACTOR_ENV: &str = "EMR_ACTOR";

type Identities = Vec<Box<dyn age::Identity + Send + Sync>>;

/// Open a file for reading.
///
/// # Errors
/// Reading, decryption and key errors.
pub fn open(path: &Path, unlock: &UnlockArgs) -> Result<Store, CliError> {
    // Read from the file as it is decrypted, not into a buffer first.
    let kind = inspect_file(path)?;
    with_key(path, kind, unlock, |key| Store::load(path, key))
}

/// Open the bytes of a `.emr` file read from `path` (which names it in messages).
///
/// # Errors
/// Decryption and key errors.
pub fn open_bytes(path: &Path, bytes: &[u8], unlock: &UnlockArgs) -> Result<Store, CliError> {
    let kind = inspect(path, bytes)?;
    with_key(path, kind, unlock, |key| Store::open_bytes(path, bytes, key))
}

/// The key for a file protected as `kind`, from the user, given to `open`.
fn with_key(
    path: &Path,
    kind: KeyKind,
    unlock: &UnlockArgs,
    open: impl FnOnce(&Key<'_>) -> Result<Store, StoreError>,
) -> Result<Store, CliError> {
    let identities;
    let key = match kind {
        KeyKind::Passphrase => {
            if !unlock.identities.is_empty()
                && unlock.passphrase_file.is_none()
                && std::env::var_os(PASSPHRASE_ENV).is_none()
            {
                return Err(StoreError::WrongKeyKind {
                    path: path.to_path_buf(),
                    needs: "a passphrase",
                    given: "an identity (-i)",
                }
                .into());
            }
            Key::Passphrase(passphrase(unlock.passphrase_file.as_deref(), PASSPHRASE_ENV, "Passphrase: ")?)
        }
        KeyKind::Recipients => {
            if unlock.identities.is_empty() {
                return Err(StoreError::WrongKeyKind {
                    path: path.to_path_buf(),
                    needs: "recipients' keys (give an identity with -i)",
                    given: "no identity",
                }
                .into());
            }
            identities = load_identities(&unlock.identities)?;
            Key::Identities(&identities)
        }
    };
    Ok(open(&key)?)
}

/// Take the write lock of `path`, then open it: the lock is held until dropped.
///
/// # Errors
/// [`StoreError::LockTimeout`], and those of [`open`].
pub fn open_for_write(path: &Path, unlock: &UnlockArgs, write: &WriteArgs) -> Result<(WriteLock, Store), CliError> {
    // Checked first so that a mistyped path does not leave a lock file behind.
    if !path.exists() {
        return Err(StoreError::Missing(path.to_path_buf()).into());
    }
    let lock = WriteLock::acquire(path, Duration::from_secs(write.lock_timeout))?;
    let store = open(path, unlock)?;
    Ok((lock, store))
}

/// Who is making a change: `--actor`, else `EMR_ACTOR`, else the login name.
pub fn stamp(write: &WriteArgs) -> Stamp {
    let actor = write
        .actor
        .clone()
        .or_else(|| std::env::var(ACTOR_ENV).ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .filter(|a| !a.trim().is_empty())
        .unwrap_or_else(|| "unknown".to_owned());
    Stamp::now(actor)
}

/// Read identities from files: age identity files or unencrypted SSH private keys.
///
/// # Errors
/// A file is missing, unreadable, or holds no usable identity.
pub fn load_identities(paths: &[PathBuf]) -> Result<Identities, CliError> {
    let mut out: Identities = Vec::new();
    for path in paths {
        let text = Zeroizing::new(
            std::fs::read_to_string(path).map_err(|e| CliError::Input { path: path.clone(), source: e })?,
        );
        let bad = |what: &str| {
            CliError::usage(
                format!("{}: {what}", path.display()),
                "give an age identity file (from `emr keygen` or age-keygen) or an unencrypted SSH private key",
            )
        };
        if text.contains("-----BEGIN OPENSSH PRIVATE KEY-----") || text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            let id = age::ssh::Identity::from_buffer(text.as_bytes(), Some(path.display().to_string()))
                .map_err(|_| bad("not a valid SSH private key"))?;
            match id {
                age::ssh::Identity::Unencrypted(_) => out.push(Box::new(id)),
                age::ssh::Identity::Encrypted(_) => {
                    return Err(bad("passphrase-protected SSH keys are not supported yet"))
                }
                age::ssh::Identity::Unsupported(_) => return Err(bad("this SSH key type is not supported")),
            }
        } else {
            let file = age::IdentityFile::from_buffer(text.as_bytes()).map_err(|_| bad("not an identity file"))?;
            let ids = file.into_identities().map_err(|_| bad("not an identity file"))?;
            if ids.is_empty() {
                return Err(bad("the file holds no identity"));
            }
            out.extend(ids);
        }
    }
    Ok(out)
}

/// Parse recipients from `-r` values and `-R` files.
///
/// # Errors
/// A value is not a public key, or a file cannot be read.
pub fn recipients(values: &[String], files: &[PathBuf]) -> Result<Vec<RecipientKey>, CliError> {
    let mut out = Vec::new();
    let hint =
        "give an age public key (age1…, printed by `emr keygen`) or an SSH public key (the line of id_ed25519.pub)";
    for (i, v) in values.iter().enumerate() {
        out.push(v.parse().map_err(|e| CliError::usage(format!("recipient #{}: {e}", i + 1), hint))?);
    }
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| CliError::Input { path: path.clone(), source: e })?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            out.push(
                line.parse().map_err(|e| CliError::usage(format!("{} line {}: {e}", path.display(), n + 1), hint))?,
            );
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// A passphrase to open a file: from `file`, else the environment variable, else the terminal.
///
/// # Errors
/// The file cannot be read, or no source is available.
pub fn passphrase(file: Option<&Path>, env: &str, prompt: &str) -> Result<SecretString, CliError> {
    if let Some(path) = file {
        let text = Zeroizing::new(
            std::fs::read_to_string(path).map_err(|e| CliError::Input { path: path.to_path_buf(), source: e })?,
        );
        let first = text.lines().next().unwrap_or_default();
        return Ok(SecretString::from(first.to_owned()));
    }
    if let Some(v) = std::env::var_os(env) {
        return v.into_string().map(SecretString::from).map_err(|_| {
            CliError::usage(format!("{env} is not valid UTF-8"), "set it to the passphrase as text, or unset it")
        });
    }
    let p = rpassword::prompt_password(prompt).map_err(|_| CliError::NoPassphrase)?;
    Ok(SecretString::from(p))
}

/// A new passphrase: from `file` or the environment, else asked twice on the terminal.
///
/// # Errors
/// As for [`passphrase`]; an empty passphrase, or two prompts that differ.
pub fn new_passphrase(file: Option<&Path>, env: &str) -> Result<SecretString, CliError> {
    use age::secrecy::ExposeSecret;
    let interactive = file.is_none() && std::env::var_os(env).is_none();
    let p = passphrase(file, env, "New passphrase: ")?;
    if p.expose_secret().is_empty() {
        return Err(CliError::usage(
            "the new passphrase is empty",
            "choose a long passphrase, e.g. several random words",
        ));
    }
    if interactive {
        let again =
            Zeroizing::new(rpassword::prompt_password("Repeat the passphrase: ").map_err(|_| CliError::NoPassphrase)?);
        if again.as_str() != p.expose_secret() {
            return Err(CliError::usage(
                "the two passphrases differ",
                "run the command again and type the same passphrase twice",
            ));
        }
    }
    Ok(p)
}
