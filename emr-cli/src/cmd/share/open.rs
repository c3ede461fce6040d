//! Opening a SMART Health Link, for `emr import`: the manifest (or the direct file) fetched from
//! the link's URL, or read from a local manifest or JWE file, each file decrypted with the link's
//! key.

use std::path::Path;
use std::time::Duration;

use age::secrecy::ExposeSecret;
use emr_core::shl::{jwe, Manifest, ManifestRequest, PasscodeRejected, ShlError, ShlPayload};

use crate::error::CliError;
use crate::unlock::passphrase;

use super::PASSCODE_ENV;

/// Largest manifest or file fetched.
const MAX_DOWNLOAD: u64 = 256 * 1024 * 1024;
/// The content type of FHIR files, the only ones imported.
const FHIR_JSON: &str = "application/fhir+json";

/// Whether an `emr import` input is a link rather than a file name.
pub fn is_link(input: &str) -> bool {
    input.trim_start().starts_with(emr_core::shl::SCHEME) || input.contains("#shlink:/")
}

/// How to open a link.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions<'a> {
    /// Who is asking, shown to the sharer (manifest request `recipient`).
    pub recipient: &'a str,
    /// The passcode's file, for links with flag P (else EMR_SHL_PASSCODE, else a prompt).
    pub passcode_file: Option<&'a Path>,
    /// A local manifest (with embedded files) or JWE file instead of fetching.
    pub offline: Option<&'a Path>,
}

/// A decrypted FHIR file of a link.
pub struct LinkFile {
    /// For messages: `link file N`.
    pub name: String,
    /// The FHIR JSON.
    pub content: Vec<u8>,
}

fn link_error(e: &ShlError) -> CliError {
    let hint = match e {
        ShlError::Expired { .. } => "ask the sender for a new link",
        ShlError::Decrypt => {
            "the file is not this link's (or was altered); check that the link and the file belong together"
        }
        _ => "check that the whole link was copied (it starts with shlink:/ or contains #shlink:/)",
    };
    CliError::core(e.code(), format!("SMART Health Link: {e}"), hint)
}

fn fetch_error(what: &str, e: &ureq::Error) -> CliError {
    CliError::usage(
        format!("cannot fetch the link's {what}: {e}"),
        "check the network, or use --shl-file with a local copy",
    )
}

/// The FHIR files behind `link`, decrypted.
///
/// # Errors
/// A malformed or expired link, a refused or failed request, a file that does not decrypt.
#[allow(clippy::print_stderr)]
pub fn open_link(link: &str, options: OpenOptions<'_>, now: i64) -> Result<Vec<LinkFile>, CliError> {
    let payload = ShlPayload::from_link(link).map_err(|e| link_error(&e))?;
    payload.check_usable(now).map_err(|e| link_error(&e))?;
    // (content type, JWE) pairs.
    let jwes: Vec<(String, String)> = match options.offline {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| CliError::Input { path: path.to_path_buf(), source: e })?;
            match Manifest::parse(text.as_bytes()) {
                Ok(manifest) => manifest
                    .files
                    .into_iter()
                    .map(|f| match f.embedded {
                        Some(jwe) => Ok((f.content_type, jwe)),
                        None => Err(CliError::usage(
                            format!("{}: a file of this manifest is only a location", path.display()),
                            "fetch the link online, or give the JWE file itself with --shl-file",
                        )),
                    })
                    .collect::<Result<_, _>>()?,
                Err(_) => vec![(FHIR_JSON.to_owned(), text)],
            }
        }
        None => fetch(&payload, options)?,
    };
    let mut files = Vec::new();
    for (i, (content_type, text)) in jwes.iter().enumerate() {
        let file = jwe::decrypt(text, payload.key()).map_err(|e| link_error(&e))?;
        let cty = file.content_type.as_deref().unwrap_or(content_type);
        if cty != FHIR_JSON && content_type != FHIR_JSON {
            eprintln!("link file {}: skipped ({content_type} is not imported)", i + 1);
            continue;
        }
        files.push(LinkFile { name: format!("link file {}", i + 1), content: file.plaintext });
    }
    Ok(files)
}

/// The link's files from its URL: the manifest (POST), then any `location`s (GET); with flag U
/// the one file (GET).
fn fetch(payload: &ShlPayload, options: OpenOptions<'_>) -> Result<Vec<(String, String)>, CliError> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(120)))
        .http_status_as_error(false)
        .build()
        .into();
    let get = |url: &str, query: Option<&str>| -> Result<String, CliError> {
        let mut req = agent.get(url);
        if let Some(recipient) = query {
            req = req.query("recipient", recipient);
        }
        let mut resp = req.call().map_err(|e| fetch_error("file", &e))?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(CliError::usage(
                format!("the link's file was refused (HTTP {status})"),
                if status == 404 {
                    "the link is no longer active; ask the sender for a new one"
                } else {
                    "try again later"
                },
            ));
        }
        resp.body_mut().with_config().limit(MAX_DOWNLOAD).read_to_string().map_err(|e| fetch_error("file", &e))
    };
    if payload.flags().direct {
        return Ok(vec![(FHIR_JSON.to_owned(), get(payload.url(), Some(options.recipient))?)]);
    }
    let passcode = if payload.flags().passcode {
        Some(passphrase(options.passcode_file, PASSCODE_ENV, "Passcode for this link: ")?)
    } else {
        None
    };
    let request = ManifestRequest {
        recipient: options.recipient.to_owned(),
        passcode: passcode.as_ref().map(|p| p.expose_secret().to_owned()),
        embedded_length_max: None,
    };
    let mut resp = agent
        .post(payload.url())
        .header("content-type", "application/json")
        .send(request.to_json())
        .map_err(|e| fetch_error("manifest", &e))?;
    let status = resp.status().as_u16();
    let body =
        resp.body_mut().with_config().limit(MAX_DOWNLOAD).read_to_string().map_err(|e| fetch_error("manifest", &e))?;
    match status {
        200 => {}
        401 => {
            let left = serde_json::from_str::<PasscodeRejected>(&body).map(|r| r.remaining_attempts).ok();
            return Err(CliError::usage(
                match left {
                    Some(n) => format!("the link's passcode was refused ({n} attempt(s) left)"),
                    None => "the link's passcode was refused".to_owned(),
                },
                "give the passcode the sender told you with --passcode-file FILE (or EMR_SHL_PASSCODE)",
            ));
        }
        404 => {
            return Err(CliError::usage(
                "the link is no longer active (expired, disabled or withdrawn)",
                "ask the sender for a new link",
            ))
        }
        s => return Err(CliError::usage(format!("the link's manifest was refused (HTTP {s})"), "try again later")),
    }
    let manifest = Manifest::parse(body.as_bytes()).map_err(|e| link_error(&e))?;
    manifest
        .files
        .into_iter()
        .map(|f| match (f.embedded, f.location) {
            (Some(jwe), _) => Ok((f.content_type, jwe)),
            (None, Some(url)) => get(&url, None).map(|jwe| (f.content_type, jwe)),
            (None, None) => Err(CliError::usage("a manifest file has no content", "ask the sender to share again")),
        })
        .collect()
}
