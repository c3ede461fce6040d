//! What `emr share` leaves for `emr share serve`: `share.json` (the link's URL, flags, expiry,
//! passcode hash and files; never the key) and `state.json` (wrong passcodes left, disabled).

use std::path::{Path, PathBuf};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::CliError;

/// The name of the share description in a share folder.
pub const SHARE_FILE: &str = "share.json";
/// The name of the mutable state in a share folder.
pub const STATE_FILE: &str = "state.json";
/// The name of the access log in a share folder.
pub const ACCESS_LOG: &str = "access.log";

/// A hosted link (`share.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Hosted {
    /// The manifest URL (with flag U: the file's URL).
    pub url: String,
    /// The flags, as in the link.
    pub flag: String,
    /// Expiry, epoch seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    /// The passcode's salted hash, when the link needs one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passcode: Option<PasscodeHash>,
    /// The files, in manifest order.
    pub files: Vec<HostedFile>,
}

/// One encrypted file of a share.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostedFile {
    /// Its content type in the manifest.
    pub content_type: String,
    /// The JWE file, relative to the share folder.
    pub path: String,
}

/// SHA-256 of a random salt and the passcode. A passcode is short, so this only keeps it out
/// of sight of someone reading the folder; the attempt limit is what protects the link.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasscodeHash {
    /// 16 random bytes, base64url.
    pub salt: String,
    /// SHA-256(salt ‖ passcode), base64url.
    pub sha256: String,
}

impl PasscodeHash {
    /// The hash of `passcode` with `salt`.
    pub fn new(salt: &[u8], passcode: &str) -> PasscodeHash {
        PasscodeHash { salt: URL_SAFE_NO_PAD.encode(salt), sha256: URL_SAFE_NO_PAD.encode(digest(salt, passcode)) }
    }

    /// Whether `passcode` is the one hashed.
    pub fn matches(&self, passcode: &str) -> bool {
        let Ok(salt) = URL_SAFE_NO_PAD.decode(&self.salt) else { return false };
        let Ok(expected) = URL_SAFE_NO_PAD.decode(&self.sha256) else { return false };
        // Compare every byte, whatever the first difference (no early exit to time).
        let got = digest(&salt, passcode);
        expected.len() == got.len() && expected.iter().zip(got.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

fn digest(salt: &[u8], passcode: &str) -> Vec<u8> {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(passcode.as_bytes());
    h.finalize().to_vec()
}

/// The mutable state of a hosted link (`state.json`), written after every change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// Wrong passcodes still allowed.
    pub remaining_attempts: u32,
    /// Disabled for good (no attempts left).
    pub disabled: bool,
}

impl Hosted {
    /// Read `share.json` of a share folder.
    ///
    /// # Errors
    /// Missing or not a share description.
    pub fn load(dir: &Path) -> Result<Hosted, CliError> {
        read_json(dir, SHARE_FILE, "a share description")
    }

    /// Whether the link has flag `letter`.
    pub fn has_flag(&self, letter: char) -> bool {
        self.flag.contains(letter)
    }

    /// The path part of the link's URL (`/s/abc…`).
    pub fn url_path(&self) -> &str {
        let rest = self.url.split_once("://").map_or(self.url.as_str(), |(_, r)| r);
        rest.find('/').and_then(|i| rest.get(i..)).unwrap_or("/")
    }
}

impl State {
    /// Read `state.json`.
    ///
    /// # Errors
    /// Missing or malformed.
    pub fn load(dir: &Path) -> Result<State, CliError> {
        read_json(dir, STATE_FILE, "a share state")
    }

    /// Write `state.json` atomically.
    ///
    /// # Errors
    /// The write fails.
    pub fn save(&self, dir: &Path) -> Result<(), CliError> {
        let path: PathBuf = dir.join(STATE_FILE);
        crate::output::write_output(&path, serde_json::to_string(self)?.as_bytes(), &crate::output::Rules::new(true))
    }
}

/// Read `dir/name` as JSON, `what` naming it in the error.
fn read_json<T: serde::de::DeserializeOwned>(dir: &Path, name: &str, what: &str) -> Result<T, CliError> {
    let path = dir.join(name);
    let text = std::fs::read(&path).map_err(|e| CliError::Input { path: path.clone(), source: e })?;
    serde_json::from_slice(&text).map_err(|_| {
        CliError::usage(format!("{}: not {what}", path.display()), "give the folder `emr share -o DIR` wrote")
    })
}
