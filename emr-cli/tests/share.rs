//! `emr share` and `emr share serve`: SMART Health Links from a record. The link opens with
//! emr-core's reader, its QR code decodes (with `rqrr`, an independent decoder) to the exact link,
//! the key is written nowhere but the link, and the host enforces passcodes, attempt limits
//! (persisted across restarts), expiry and one-time file locations, logging recipients but
//! never content or passcodes.
//!
//! Longer than 400 lines on purpose: a list of independent end-to-end tests of one command
//! (a link, its files and its host), each readable alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, missing_docs)]
#![allow(
    clippy::disallowed_types,
    clippy::disallowed_macros,
    reason = "tests read the CLI's JSON output as a tree to check it; emr-cli/clippy.toml bans that for the CLI itself"
)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use common::*;
use emr_core::shl::{jwe, Manifest, ShlPayload};

/// A record with a patient (named after MARKER) and the IPS example's entries.
fn chart(dir: &Path) -> (PathBuf, PathBuf) {
    let (key, public) = key(dir, "patient");
    let file = init(dir, &public);
    let ips = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fhir/Bundle-IPS-examples-Bundle-01.json");
    emr().arg("import").arg(&file).arg("-i").arg(&key).arg(&ips).arg("--force").assert().success();
    add_condition(&file, &key, "c1");
    (file, key)
}

/// A chart, a passcode file (`2468`) and the path of a share folder, in `dir`.
fn chart_and_pin(dir: &Path) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let (file, key) = chart(dir);
    let pin = dir.join("pin.txt");
    std::fs::write(&pin, "2468\n").unwrap();
    (file, key, pin, dir.join("share"))
}

/// `emr share FILE -i KEY -o OUT`, with `--url http://127.0.0.1:9/shl` unless `extra` has one.
fn share(file: &Path, key: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let url: &[&str] = if extra.contains(&"--url") { &[] } else { &["--url", "http://127.0.0.1:9/shl"] };
    emr().arg("share").arg(file).arg("-i").arg(key).args(url).arg("-o").arg(out).args(extra).output().unwrap()
}

fn link_of(out: &Path) -> ShlPayload {
    ShlPayload::from_link(&std::fs::read_to_string(out.join("link.txt")).unwrap()).unwrap()
}

/// The QR code in a PNG file (greyscale, or RGBA read by its red channel), decoded by rqrr.
fn decode_png(path: &Path) -> String {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::Rgba => 4,
        other => panic!("{other:?}"),
    };
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[(y * w + x) * channels]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in {}", path.display());
    grids[0].decode().unwrap().1
}

/// The decoder reads someone else's QR code too: the IG's CARIN example decodes to its link.
#[test]
fn the_igs_qr_code_decodes_to_the_igs_link() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/shl");
    let link = std::fs::read_to_string(data.join("ig-carin-ins-cd-bundle-01-shl.txt")).unwrap();
    assert_eq!(decode_png(&data.join("ig-carin-ins-cd-shl.png")), link.trim());
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn share_writes_a_link_qr_and_files_that_open_with_the_link_only() {
    let dir = tempfile::tempdir().unwrap();
    let (file, key, pin, out) = chart_and_pin(dir.path());
    let o = share(
        &file,
        &key,
        &out,
        &[
            "--passcode-file",
            pin.to_str().unwrap(),
            "--label",
            "For Dr. Lee",
            "--expires",
            "2099-12-31",
            "--all",
            "--viewer",
            "https://viewer.example.org/",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();

    let text = std::fs::read_to_string(out.join("link.txt")).unwrap();
    let text = text.trim();
    assert!(text.starts_with("https://viewer.example.org/#shlink:/"));
    assert!(stdout.ends_with(&format!("{text}\n")), "the link is printed last");
    assert!(stdout.contains('█'), "the QR code is printed");
    let payload = ShlPayload::from_link(text).unwrap();
    assert!(payload.flags().passcode && !payload.flags().direct);
    assert_eq!(payload.label(), Some("For Dr. Lee"));
    assert_eq!(payload.exp(), Some(4_102_444_800), "valid through 2099-12-31 UTC");
    let id = payload.url().strip_prefix("http://127.0.0.1:9/shl/").unwrap();
    assert_eq!(id.len(), 43);

    // The QR code is the link, read back by an independent decoder; the SVG is a QR image.
    assert_eq!(decode_png(&out.join("qr.png")), text);
    assert!(std::fs::read_to_string(out.join("qr.svg")).unwrap().starts_with("<?xml"));

    // The manifest's files open with the link's key: the IPS, then the patient bundle.
    let manifest = Manifest::parse(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest.files.len(), 2);
    for (i, f) in manifest.files.iter().enumerate() {
        assert_eq!(f.content_type, "application/fhir+json");
        let opened = jwe::decrypt(f.embedded.as_deref().unwrap(), payload.key()).unwrap();
        assert!(opened.deflated);
        let bundle: serde_json::Value = serde_json::from_slice(&opened.plaintext).unwrap();
        assert_eq!(bundle["type"], if i == 0 { "document" } else { "collection" });
        assert!(String::from_utf8_lossy(&opened.plaintext).contains(MARKER));
    }
    assert_eq!(std::fs::read_to_string(out.join("ips.jwe")).unwrap(), manifest.files[0].embedded.clone().unwrap());

    // The key is in link.txt and nowhere else; nothing is readable in clear.
    let key_text = payload.key().to_base64url();
    for entry in std::fs::read_dir(&out).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        if path.file_name().unwrap() != "link.txt" {
            assert!(!content.contains(&key_text), "key in {}", path.display());
            assert!(!bytes.windows(32).any(|w| w == payload.key().as_bytes()), "raw key in {}", path.display());
        }
        assert!(!content.contains(MARKER), "clinical text in clear in {}", path.display());
        assert!(!content.contains("2468"), "passcode in clear in {}", path.display());
        #[cfg(unix)]
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    #[cfg(unix)]
    assert_eq!(mode(&out), 0o700);
}

#[test]
fn bad_arguments_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (file, key) = chart(dir.path());
    let out = dir.path().join("share");
    let long_label = "x".repeat(81);
    let long_url = format!("https://example.org/{}", "a".repeat(70));
    for (extra, expected) in [
        (vec!["--label", long_label.as_str()], "80"),
        (vec!["--expires", "2001-01-01"], "past"),
        (vec!["--expires", "next week"], "--expires"),
        (vec!["--url", "ftp://example.org/s"], "URL"),
        (vec!["--url", long_url.as_str()], "128"),
    ] {
        let o = share(&file, &key, &out, &extra);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(!out.exists(), "{extra:?} wrote the output");
    }
    // Flag combinations the specification forbids.
    let pin = dir.path().join("pin.txt");
    std::fs::write(&pin, "1\n").unwrap();
    let o = share(&file, &key, &out, &["--direct", "--passcode-file", pin.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    // A non-empty output folder is never touched.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "x").unwrap();
    let o = share(&file, &key, &out, &[]);
    assert_eq!(o.status.code(), Some(14));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

// ---- the host ----

/// `emr share serve DIR` on an ephemeral port; killed when dropped.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start(dir: &Path, extra: &[&str]) -> Served {
        let mut child = Command::new(emr_bin())
            .args(["share", "serve"])
            .arg(dir)
            .args(["--addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let addr = line.trim().strip_prefix("listening on http://").unwrap_or_else(|| panic!("{line}")).to_owned();
        Served { child, addr }
    }

    /// One HTTP/1.1 request; (status, body).
    fn request(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.addr,
            body.len()
        )
        .unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        let status = response.split(' ').nth(1).unwrap().parse().unwrap();
        let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
        (status, body)
    }
}

impl Served {
    /// `payload` pointed at this host (the links of these tests are made for port 9).
    fn link(&self, payload: &ShlPayload) -> ShlPayload {
        ShlPayload::new(payload.url().replace("127.0.0.1:9", &self.addr), payload.key().clone())
            .unwrap()
            .with_flags(payload.flags())
            .unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn path_of(payload: &ShlPayload) -> String {
    payload.url().strip_prefix("http://127.0.0.1:9").unwrap().to_owned()
}

#[test]
fn serve_checks_passcodes_disables_after_the_limit_and_logs_recipients_only() {
    let dir = tempfile::tempdir().unwrap();
    let (file, key, pin, out) = chart_and_pin(dir.path());
    let o = share(&file, &key, &out, &["--passcode-file", pin.to_str().unwrap(), "--passcode-attempts", "3"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let payload = link_of(&out);
    let path = path_of(&payload);

    let served = Served::start(&out, &[]);
    // No passcode: refused, no attempt used.
    let (status, body) = served.request("POST", &path, r#"{"recipient":"Dr. Lee, Clinic B"}"#);
    assert_eq!((status, body.as_str()), (401, r#"{"remainingAttempts":3}"#));
    // Right passcode: the manifest, whose file opens with the link's key.
    let (status, body) = served.request("POST", &path, r#"{"recipient":"Dr. Lee, Clinic B","passcode":"2468"}"#);
    assert_eq!(status, 200, "{body}");
    let manifest = Manifest::parse(body.as_bytes()).unwrap();
    let ips = jwe::decrypt(manifest.files[0].embedded.as_deref().unwrap(), payload.key()).unwrap();
    assert!(String::from_utf8_lossy(&ips.plaintext).contains(MARKER));
    // A small embeddedLengthMax gives a one-time location instead.
    let (status, body) =
        served.request("POST", &path, r#"{"recipient":"Clinic C","passcode":"2468","embeddedLengthMax":100}"#);
    assert_eq!(status, 200);
    let manifest = Manifest::parse(body.as_bytes()).unwrap();
    let location = manifest.files[0].location.clone().unwrap();
    assert!(manifest.files[0].embedded.is_none());
    let location_path = location.strip_prefix("http://127.0.0.1:9").unwrap();
    let (status, jwe_text) = served.request("GET", location_path, "");
    assert_eq!(status, 200);
    assert_eq!(jwe::decrypt(&jwe_text, payload.key()).unwrap().plaintext, ips.plaintext);
    assert_eq!(served.request("GET", location_path, "").0, 404, "a location works once");
    // Bad requests.
    assert_eq!(served.request("POST", &path, "not json").0, 400);
    assert_eq!(served.request("POST", &path, r#"{"recipient":""}"#).0, 400);
    assert_eq!(served.request("GET", &path, "").0, 405);
    assert_eq!(served.request("POST", "/shl/other", r#"{"recipient":"x"}"#).0, 404);
    // Wrong passcodes count down; at zero the link is dead, even with the right passcode.
    let wrong = r#"{"recipient":"Mallory","passcode":"0000"}"#;
    assert_eq!(served.request("POST", &path, wrong), (401, r#"{"remainingAttempts":2}"#.to_owned()));
    assert_eq!(served.request("POST", &path, wrong), (401, r#"{"remainingAttempts":1}"#.to_owned()));
    assert_eq!(served.request("POST", &path, wrong), (401, r#"{"remainingAttempts":0}"#.to_owned()));
    assert_eq!(served.request("POST", &path, r#"{"recipient":"Dr. Lee","passcode":"2468"}"#).0, 404);
    drop(served);
    // Still dead after a restart.
    let served = Served::start(&out, &[]);
    assert_eq!(served.request("POST", &path, r#"{"recipient":"Dr. Lee","passcode":"2468"}"#).0, 404);
    drop(served);

    let log = std::fs::read_to_string(out.join("access.log")).unwrap();
    assert!(log.contains(r#"manifest recipient="Dr. Lee, Clinic B" status=200"#), "{log}");
    assert!(log.contains(r#"file recipient="Clinic C" status=200"#), "{log}");
    assert!(log.contains(r#"wrong passcode, link disabled recipient="Mallory" status=401"#), "{log}");
    assert!(log.contains("disabled recipient=\"-\" status=404"), "{log}");
    assert!(!log.contains("2468") && !log.contains("0000") && !log.contains(MARKER), "{log}");
}

#[test]
fn serve_refuses_expired_links_and_serves_direct_files() {
    let dir = tempfile::tempdir().unwrap();
    let (file, key) = chart(dir.path());
    let out = dir.path().join("share");
    let o = share(&file, &key, &out, &["--direct", "--expires", "2099-01-01T00:00:00Z"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!out.join("manifest.json").exists(), "a direct link has no manifest");
    let payload = link_of(&out);
    assert!(payload.flags().direct);
    let path = path_of(&payload);

    let served = Served::start(&out, &["--now", "2098-12-31T23:59:59Z"]);
    let (status, body) = served.request("GET", &format!("{path}?recipient=Dr.%20Lee+%28ER%29"), "");
    assert_eq!(status, 200);
    assert!(String::from_utf8_lossy(&jwe::decrypt(&body, payload.key()).unwrap().plaintext).contains(MARKER));
    assert_eq!(served.request("GET", &path, "").0, 400, "the recipient is required");
    assert_eq!(served.request("POST", &path, r#"{"recipient":"x"}"#).0, 405);
    drop(served);

    let served = Served::start(&out, &["--now", "2099-01-01T00:00:00Z"]);
    assert_eq!(served.request("GET", &format!("{path}?recipient=Dr.%20Lee"), "").0, 404);
    drop(served);
    let log = std::fs::read_to_string(out.join("access.log")).unwrap();
    assert!(log.contains(r#"direct file recipient="Dr. Lee (ER)" status=200"#), "{log}");
    assert!(log.contains("expired recipient=\"-\" status=404"), "{log}");
}

// ---- emr import 'shlink:/…' ----

/// A fresh record of the same patient, in its own folder.
fn fresh_chart(dir: &Path) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let (key, public) = key(dir, "clinic");
    (init(dir, &public), key)
}

fn import_link(file: &Path, key: &Path, link: &str, extra: &[&str]) -> std::process::Output {
    emr().arg("import").arg(file).arg("-i").arg(key).arg(link).args(extra).output().unwrap()
}

fn has_marker_condition(file: &Path, key: &Path) -> bool {
    entries(file, key).iter().any(|e| e.to_string().contains(&format!("Diabetes {MARKER}")))
}

#[test]
fn import_fetches_a_link_checks_its_passcode_and_opens_offline_copies() {
    let dir = tempfile::tempdir().unwrap();
    let (file, key, pin, out) = chart_and_pin(dir.path());
    let o = share(&file, &key, &out, &["--passcode-file", pin.to_str().unwrap(), "--all"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let served = Served::start(&out, &[]);
    let payload = link_of(&out);
    let link = served.link(&payload).to_link();

    let (clinic, clinic_key) = fresh_chart(&dir.path().join("clinic"));
    let before = std::fs::read(&clinic).unwrap();
    // A wrong passcode: refused, nothing imported.
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "1111\n").unwrap();
    let o = import_link(&clinic, &clinic_key, &link, &["--passcode-file", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("4 attempt(s) left"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read(&clinic).unwrap(), before);
    // The right one: the IPS and the patient bundle are imported.
    let o = import_link(
        &clinic,
        &clinic_key,
        &link,
        &["--passcode-file", pin.to_str().unwrap(), "--recipient", "Clinic B"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("link file 2:"));
    assert!(has_marker_condition(&clinic, &clinic_key));
    drop(served);
    let log = std::fs::read_to_string(out.join("access.log")).unwrap();
    assert!(log.contains(r#"manifest recipient="Clinic B" status=200"#), "{log}");

    // Offline: the manifest, or the JWE file, with the link (no server running).
    for offline in ["manifest.json", "ips.jwe"] {
        let (copy, copy_key) = fresh_chart(&dir.path().join(format!("offline-{offline}")));
        let o = import_link(&copy, &copy_key, &link, &["--shl-file", out.join(offline).to_str().unwrap()]);
        assert!(o.status.success(), "{offline}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(!entries(&copy, &copy_key).is_empty(), "{offline}");
    }
}

#[test]
fn import_refuses_bad_expired_and_foreign_links_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (file, key) = chart(dir.path());
    let out = dir.path().join("share");
    assert!(share(&file, &key, &out, &[]).status.success());
    let payload = link_of(&out);
    let jwe_file = out.join("ips.jwe");
    let (clinic, clinic_key) = fresh_chart(&dir.path().join("clinic"));
    let before = std::fs::read(&clinic).unwrap();

    let expired = ShlPayload::new(payload.url(), payload.key().clone()).unwrap().with_exp(1).to_link();
    let foreign = ShlPayload::new(payload.url(), emr_core::shl::ShlKey::from_bytes([1; 32])).unwrap().to_link();
    let offline = ["--shl-file", jwe_file.to_str().unwrap()];
    for (link, expected) in [
        (expired.as_str(), "expired"),
        (foreign.as_str(), "does not decrypt"),
        ("shlink:/bm90IGpzb24", "not valid"),
        ("shlink:/%%%", "base64url"),
        ("https://viewer.example/#shlink:/eyJ1cmwiOiJodHRwczovL3guZXhhbXBsZS9tIiwia2V5IjoiYWJjIn0", "43"),
    ] {
        let o = import_link(&clinic, &clinic_key, link, &offline);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{link}: {stderr}");
        assert!(stderr.contains(expected), "{link}: {stderr}");
        assert_eq!(std::fs::read(&clinic).unwrap(), before, "{link} changed the record");
    }
    // Nothing listens at the link's URL.
    let o = import_link(&clinic, &clinic_key, &payload.to_link(), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot fetch"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn import_fetches_a_direct_link() {
    let dir = tempfile::tempdir().unwrap();
    let (file, key) = chart(dir.path());
    let out = dir.path().join("share");
    assert!(share(&file, &key, &out, &["--direct"]).status.success());
    let served = Served::start(&out, &[]);
    let payload = link_of(&out);
    let link = served.link(&payload).to_viewer_link("https://viewer.example.org/");
    let (clinic, clinic_key) = fresh_chart(&dir.path().join("clinic"));
    let o = import_link(&clinic, &clinic_key, &link, &["--recipient", "ER desk"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(has_marker_condition(&clinic, &clinic_key));
    drop(served);
    assert!(std::fs::read_to_string(out.join("access.log"))
        .unwrap()
        .contains(r#"direct file recipient="ER desk" status=200"#));
}
