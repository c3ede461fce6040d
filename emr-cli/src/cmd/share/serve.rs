//! `emr share serve DIR`: the SMART Health Links host of one share folder.
//!
//! One request at a time (tiny_http's incoming queue), so the passcode attempt counter cannot be
//! raced by parallel requests, as the specification asks.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use emr_core::shl::{Manifest, ManifestFile, ManifestRequest, PasscodeRejected};
use tiny_http::{Header, Method, Request, Response, Server};

use crate::cli::ShareServeArgs;
use crate::cmd::{parse_now, Outcome};
use crate::error::CliError;

use super::hosted::{Hosted, State, ACCESS_LOG};

/// Largest manifest request body read.
const MAX_BODY: u64 = 64 * 1024;
/// How long a manifest's `location` URL works (the specification's maximum).
const LOCATION_LIFETIME: Duration = Duration::from_secs(3600);
/// Longest recipient kept in the log.
const MAX_RECIPIENT_CHARS: usize = 200;

/// A one-time `location` URL: which file, for whom, until when.
struct Ticket {
    file: usize,
    recipient: String,
    until: Instant,
}

/// The host of one share folder.
struct Host {
    dir: PathBuf,
    hosted: Hosted,
    files: Vec<String>,
    state: State,
    tickets: BTreeMap<String, Ticket>,
    log: std::fs::File,
    fixed_now: Option<DateTime<Utc>>,
}

/// A response: status, content type, body.
struct Reply {
    status: u16,
    content_type: &'static str,
    body: Vec<u8>,
}

impl Reply {
    fn json(status: u16, body: String) -> Reply {
        Reply { status, content_type: "application/json", body: body.into_bytes() }
    }
    fn jose(jwe: &str) -> Reply {
        Reply { status: 200, content_type: "application/jose", body: jwe.as_bytes().to_vec() }
    }
    fn error(status: u16, message: &str) -> Reply {
        #[derive(serde::Serialize)]
        struct Refusal<'a> {
            error: &'a str,
        }
        Reply::json(status, serde_json::to_string(&Refusal { error: message }).unwrap_or_default())
    }
}

/// Run `emr share serve`.
///
/// # Errors
/// The folder is not a share, a file is missing, the address cannot be bound.
#[allow(clippy::print_stderr)]
pub fn run(args: &ShareServeArgs) -> Result<Outcome, CliError> {
    let fixed_now = args.now.as_deref().map(|t| parse_now(Some(t))).transpose()?;
    let hosted = Hosted::load(&args.dir)?;
    let state = State::load(&args.dir)?;
    let files = hosted
        .files
        .iter()
        .map(|f| {
            let path = args.dir.join(&f.path);
            std::fs::read_to_string(&path).map(|s| s.trim().to_owned()).map_err(|e| CliError::Input { path, source: e })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let log_path = args.dir.join(ACCESS_LOG);
    let log = crate::output::append_log(&log_path)?;

    let server = Server::http(&args.addr).map_err(|e| {
        CliError::usage(format!("cannot listen on {}: {e}", args.addr), "choose another --addr HOST:PORT")
    })?;
    let addr = server.server_addr().to_ip().map(|a| a.to_string()).unwrap_or_else(|| args.addr.clone());
    let mut host = Host { dir: args.dir.clone(), hosted, files, state, tickets: BTreeMap::new(), log, fixed_now };
    eprintln!("serving {} on http://{addr}{} (Ctrl-C to stop)", args.dir.display(), host.hosted.url_path());
    // A line a script can wait for, with the actual port when --addr asked for port 0.
    crate::output::print(&format!("listening on http://{addr}\n"))?;

    for mut request in server.incoming_requests() {
        let reply = host.handle(&mut request);
        let mut response = Response::from_data(reply.body).with_status_code(reply.status);
        for (name, value) in [
            ("Content-Type", reply.content_type),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            ("Access-Control-Allow-Headers", "content-type"),
            ("Cache-Control", "no-store"),
        ] {
            if let Ok(h) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(h);
            }
        }
        // A client that went away is not the host's problem.
        let _ = request.respond(response);
    }
    Ok(Outcome::Success)
}

impl Host {
    fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(Utc::now)
    }

    /// One access-log line: time, what, for whom, the status. Never a passcode or content.
    #[allow(clippy::print_stderr)]
    fn log(&mut self, event: &str, recipient: Option<&str>, status: u16) {
        let recipient: String = recipient.unwrap_or("-").chars().take(MAX_RECIPIENT_CHARS).collect();
        let line = format!(
            "{} {event} recipient={} status={status}\n",
            self.now().to_rfc3339_opts(SecondsFormat::Secs, true),
            serde_json::to_string(&recipient).unwrap_or_default()
        );
        eprint!("{line}");
        let _ = self.log.write_all(line.as_bytes());
    }

    /// Whether the link is active: not disabled, not expired.
    fn inactive(&self) -> Option<&'static str> {
        if self.state.disabled {
            return Some("disabled");
        }
        match self.hosted.exp {
            Some(exp) if exp <= self.now().timestamp() => Some("expired"),
            _ => None,
        }
    }

    fn handle(&mut self, request: &mut Request) -> Reply {
        let url = request.url().to_owned();
        let (path, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
        let base = self.hosted.url_path().to_owned();
        if *request.method() == Method::Options {
            return Reply { status: 204, content_type: "text/plain", body: Vec::new() };
        }
        if path == base {
            if let Some(why) = self.inactive() {
                self.log(why, None, 404);
                return Reply::error(404, "this link is no longer active");
            }
            return if self.hosted.has_flag('U') { self.direct(request, query) } else { self.manifest(request) };
        }
        if let Some(token) = path.strip_prefix(&format!("{base}/files/")) {
            return self.location(request, token);
        }
        Reply::error(404, "not found")
    }

    /// `GET url?recipient=…` of a U-flag link: the file itself.
    fn direct(&mut self, request: &Request, query: &str) -> Reply {
        if *request.method() != Method::Get {
            return Reply::error(405, "use GET for this link");
        }
        let recipient = query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "recipient")
            .map(|(_, v)| percent_decode(v))
            .filter(|r| !r.trim().is_empty());
        let Some(recipient) = recipient else {
            self.log("direct refused (no recipient)", None, 400);
            return Reply::error(400, "the recipient query parameter is required");
        };
        self.log("direct file", Some(&recipient), 200);
        match self.files.first() {
            Some(jwe) => Reply::jose(jwe),
            None => Reply::error(404, "no file"),
        }
    }

    /// `POST url` with a manifest request.
    fn manifest(&mut self, request: &mut Request) -> Reply {
        if *request.method() != Method::Post {
            return Reply::error(405, "POST a manifest request to this URL");
        }
        let mut body = Vec::new();
        if request.as_reader().take(MAX_BODY + 1).read_to_end(&mut body).is_err() || body.len() as u64 > MAX_BODY {
            self.log("manifest refused (body)", None, 400);
            return Reply::error(400, "unreadable or too large request body");
        }
        let req = match ManifestRequest::parse(&body) {
            Ok(r) => r,
            Err(e) => {
                self.log("manifest refused (request)", None, 400);
                return Reply::error(400, &e.to_string());
            }
        };
        let recipient: String = req.recipient.chars().take(MAX_RECIPIENT_CHARS).collect();
        if let Some(hash) = self.hosted.passcode.clone() {
            match req.passcode.as_deref() {
                Some(p) if hash.matches(p) => {}
                Some(_) => return self.wrong_passcode(&recipient),
                None => {
                    self.log("manifest refused (no passcode)", Some(&recipient), 401);
                    let body = PasscodeRejected { remaining_attempts: u64::from(self.state.remaining_attempts) };
                    return Reply::json(401, body.to_json());
                }
            }
        }
        let mut manifest = Manifest { files: Vec::new(), list: None };
        for (i, (file, jwe)) in self.hosted.files.iter().zip(&self.files).enumerate() {
            let too_long = req.embedded_length_max.is_some_and(|max| jwe.len() as u64 > max);
            let mut entry = if too_long {
                let token = match super::random::<32>() {
                    Ok(bytes) => URL_SAFE_NO_PAD.encode(bytes),
                    Err(_) => return Reply::error(500, "no randomness"),
                };
                let now = Instant::now();
                self.tickets.retain(|_, t| t.until > now);
                self.tickets.insert(
                    token.clone(),
                    Ticket { file: i, recipient: recipient.clone(), until: now + LOCATION_LIFETIME },
                );
                ManifestFile::location(file.content_type.clone(), format!("{}/files/{token}", self.hosted.url))
            } else {
                ManifestFile::embedded(file.content_type.clone(), jwe.clone())
            };
            entry.fhir_version = Some("4.0.1".to_owned());
            manifest.files.push(entry);
        }
        self.log("manifest", Some(&recipient), 200);
        Reply::json(200, manifest.to_json())
    }

    /// A wrong passcode: one attempt fewer, persisted; none left disables the link for good.
    fn wrong_passcode(&mut self, recipient: &str) -> Reply {
        self.state.remaining_attempts = self.state.remaining_attempts.saturating_sub(1);
        self.state.disabled = self.state.remaining_attempts == 0;
        if let Err(e) = self.state.save(&self.dir) {
            self.log("state not saved", Some(recipient), 500);
            return Reply::error(500, &e.to_string());
        }
        let event = if self.state.disabled { "wrong passcode, link disabled" } else { "wrong passcode" };
        self.log(event, Some(recipient), 401);
        Reply::json(401, PasscodeRejected { remaining_attempts: u64::from(self.state.remaining_attempts) }.to_json())
    }

    /// `GET url/files/TOKEN`: a manifest's one-time location.
    fn location(&mut self, request: &Request, token: &str) -> Reply {
        if *request.method() != Method::Get {
            return Reply::error(405, "use GET for a file location");
        }
        let ticket = self.tickets.remove(token).filter(|t| t.until > Instant::now());
        let Some(ticket) = ticket else {
            self.log("file location unknown or used", None, 404);
            return Reply::error(404, "this file location has expired or was used; fetch the manifest again");
        };
        if let Some(why) = self.inactive() {
            self.log(why, Some(&ticket.recipient), 404);
            return Reply::error(404, "this link is no longer active");
        }
        self.log("file", Some(&ticket.recipient), 200);
        match self.files.get(ticket.file) {
            Some(jwe) => Reply::jose(jwe),
            None => Reply::error(404, "no file"),
        }
    }
}

/// `%XX` and `+` decoding of a query value (invalid escapes are kept as written).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
