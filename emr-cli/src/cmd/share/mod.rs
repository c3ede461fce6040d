//! `emr share`: a record's summary as a SMART Health Link (encrypted files, manifest, link, QR
//! code), and `emr share serve`, a small host for it.

pub mod hosted;
pub mod open;
pub mod qr;
pub mod serve;

use age::secrecy::ExposeSecret;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use emr_core::fhir::ExportOptions;
use emr_core::model::PartialDate;
use emr_core::shl::{jwe, Flags, Manifest, ManifestFile, ShlError, ShlKey, ShlPayload};

use crate::cli::{ShareArgs, ShareCommand};
use crate::error::CliError;
use crate::output::{make_dir, print, write_output, Rules};
use crate::unlock::{open, passphrase};

use self::hosted::{Hosted, HostedFile, PasscodeHash, State};
use self::qr::Qr;
use super::Outcome;

/// Environment variable with the passcode, when --passcode-file is not given (scripts).
pub const PASSCODE_ENV: &str = "EMR_SHL_PASSCODE";

/// Run `emr share` or `emr share serve`.
///
/// # Errors
/// Bad arguments, the record does not open, the output folder is not empty, a write fails.
pub fn run(args: &ShareArgs) -> Result<Outcome, CliError> {
    match &args.serve {
        Some(ShareCommand::Serve(a)) => serve::run(a),
        None => create(args),
    }
}

/// The error of a link rule, with what to do.
fn shl_usage(e: &ShlError) -> CliError {
    let hint = match e {
        ShlError::UrlTooLong { .. } => "use a shorter --url (at most 84 characters)",
        ShlError::BadUrl => "give --url as https://host/path (http:// only for tests)",
        ShlError::LabelTooLong { .. } => "shorten --label to 80 characters",
        _ => "check the arguments",
    };
    CliError::core(e.code(), e.to_string(), hint)
}

/// `n` bytes from the operating system's secure generator.
fn random<const N: usize>() -> Result<[u8; N], CliError> {
    let mut bytes = [0u8; N];
    getrandom::getrandom(&mut bytes).map_err(|_| CliError::Internal("no secure randomness from the OS".into()))?;
    Ok(bytes)
}

/// `--expires`: an RFC 3339 date-time, or a date meaning the end of that day (UTC).
fn parse_expiry(text: &str, now: DateTime<Utc>) -> Result<i64, CliError> {
    let exp = if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        t.timestamp()
    } else if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        d.succ_opt().and_then(|d| d.and_hms_opt(0, 0, 0)).map(|t| t.and_utc().timestamp()).unwrap_or(i64::MAX)
    } else {
        return Err(CliError::usage(
            "--expires must be a date (YYYY-MM-DD) or an RFC 3339 date-time",
            "e.g. --expires 2026-12-31 or --expires 2026-12-31T18:00:00Z",
        ));
    };
    if exp <= now.timestamp() {
        return Err(CliError::usage("--expires is in the past", "give a later date"));
    }
    Ok(exp)
}

/// `emr share FILE --url BASE -o DIR`.
#[allow(clippy::print_stderr)]
fn create(args: &ShareArgs) -> Result<Outcome, CliError> {
    let (Some(file), Some(base), Some(dir)) = (&args.file, &args.url, &args.output) else {
        return Err(CliError::usage("emr share needs FILE, --url and -o DIR", "see `emr share --help`"));
    };
    let now = Utc::now();
    let exp = args.expires.as_deref().map(|t| parse_expiry(t, now)).transpose()?;
    let passcode = match &args.passcode_file {
        Some(f) => {
            let p = passphrase(Some(f), PASSCODE_ENV, "")?;
            if p.expose_secret().is_empty() {
                return Err(CliError::usage("the passcode is empty", "put the passcode on the first line of the file"));
            }
            Some(p)
        }
        None => None,
    };
    if args.passcode_file.is_some() && args.passcode_attempts == 0 {
        return Err(CliError::usage("--passcode-attempts must be at least 1", "e.g. --passcode-attempts 5"));
    }
    if dir.exists() && std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(true) {
        return Err(CliError::OutputExists(dir.clone()));
    }

    // The link, checked before the record is opened so that bad arguments fail first.
    let key = ShlKey::from_bytes(random::<32>()?);
    let id = URL_SAFE_NO_PAD.encode(random::<32>()?);
    let url = format!("{}/{id}", base.trim_end_matches('/'));
    let flags = Flags { long_term: false, passcode: passcode.is_some(), direct: args.direct };
    let mut payload =
        ShlPayload::new(url.clone(), key.clone()).and_then(|p| p.with_flags(flags)).map_err(|e| shl_usage(&e))?;
    if let Some(label) = &args.label {
        payload = payload.with_label(label.clone()).map_err(|e| shl_usage(&e))?;
    }
    if let Some(exp) = exp {
        payload = payload.with_exp(exp);
    }
    let link = match &args.viewer {
        Some(viewer) => payload.to_viewer_link(viewer),
        None => payload.to_link(),
    };
    let qr = Qr::new(&link)?;

    let record = open(file, &args.unlock)?.to_record()?;
    let options = ExportOptions { timestamp: PartialDate::from(now) };
    let mut contents = vec![("ips.jwe", super::export::ips(&record, &options)?)];
    if args.all {
        let bundle = emr_core::bundle::bundle_json(&record, options.timestamp).map_err(|e| {
            CliError::core(e.code(), format!("cannot build the patient bundle: {e}"), "import the patient first")
        })?;
        contents.push(("bundle.jwe", bundle));
    }

    let mut files = Vec::new();
    let mut manifest = Manifest { files: Vec::new(), list: None };
    let mut jwes = Vec::new();
    for (name, content) in &contents {
        let sealed = jwe::encrypt(content.as_bytes(), &key, random::<12>()?, jwe::EncryptOptions::default())
            .map_err(|e| CliError::Internal(format!("encryption: {e}")))?;
        files.push(HostedFile { content_type: jwe::FHIR_JSON.to_owned(), path: (*name).to_owned() });
        let mut entry = ManifestFile::embedded(jwe::FHIR_JSON, sealed.clone());
        entry.fhir_version = Some("4.0.1".to_owned());
        manifest.files.push(entry);
        jwes.push((*name, sealed));
    }
    let hosted = Hosted {
        url,
        flag: flags.to_string(),
        exp,
        passcode: passcode
            .as_ref()
            .map(|p| random::<16>().map(|salt| PasscodeHash::new(&salt, p.expose_secret())))
            .transpose()?,
        files,
    };
    let state = State { remaining_attempts: args.passcode_attempts, disabled: false };

    make_dir(dir, false)?;
    let rules = Rules::new(false).inputs([file.as_path()]);
    let write = |name: &str, bytes: &[u8]| write_output(&dir.join(name), bytes, &rules);
    for (name, sealed) in &jwes {
        write(name, sealed.as_bytes())?;
    }
    if !args.direct {
        write("manifest.json", manifest.to_json().as_bytes())?;
    }
    write(hosted::SHARE_FILE, serde_json::to_string_pretty(&hosted)?.as_bytes())?;
    write(hosted::STATE_FILE, serde_json::to_string(&state)?.as_bytes())?;
    write("link.txt", format!("{link}\n").as_bytes())?;
    write("qr.svg", qr.svg().as_bytes())?;
    write("qr.png", &qr.png()?)?;

    eprintln!("wrote {} (serve it with `emr share serve {}`)", dir.display(), dir.display());
    eprintln!(
        "anyone with this link or QR code can read the shared summary{}:",
        if flags.passcode { " (and the passcode)" } else { "" }
    );
    let mut out = String::new();
    if !args.no_qr {
        out.push_str(&qr.terminal());
        out.push('\n');
    }
    out.push_str(&link);
    out.push('\n');
    print(&out)?;
    Ok(Outcome::Success)
}
