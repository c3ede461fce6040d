//! `emr demo`: one patient seen at two clinics, end to end, in a fresh folder.
//!
//! Imports the bundled example data (`examples/demo/`) into one encrypted `.emr` per clinic,
//! merges them, shows the merge report, the timeline, the current lists and the HbA1c trend,
//! exports an encrypted patient bundle and an IPS document, prints what to run next, and ends
//! by sharing the patient's summary as a SMART Health Link (`emr share`): its QR code and link.

use std::path::Path;

use age::secrecy::ExposeSecret;
use emr_core::bundle::SealKey;
use emr_core::fhir::{import, ExportOptions, ImportOptions};
use emr_core::model::{EntryKind, PartialDate};
use emr_core::query::{current_lists, timeline, trend};
use zeroize::Zeroizing;

use crate::cli::{DemoArgs, ShareArgs, UnlockArgs, WriteArgs};
use crate::error::CliError;
use crate::output::{make_dir, print, write_output, Rules};
use crate::render::chart;
use crate::store::{Key, Protection, RecipientKey, Store, StoreError};
use crate::unlock::stamp;

use super::{Outcome, SourceNames};

/// The demo's clinics: output name and FHIR R4 Bundle.
const CLINICS: [(&str, &str); 2] = [
    ("clinic-a", include_str!("../../../examples/demo/clinic-a.json")),
    ("clinic-b", include_str!("../../../examples/demo/clinic-b.json")),
];

/// LOINC HbA1c, the trend the demo shows.
const HBA1C: &str = "4548-4";

/// Timeline events shown.
const TIMELINE_EVENTS: usize = 15;

/// Where the demo's SMART Health Link expects its host: `emr share serve DIR/share` on this machine.
const SHARE_ADDR: &str = "127.0.0.1:8080";

/// Run `emr demo`.
///
/// # Errors
/// The folder is not empty (without `--force`), or a file cannot be written.
pub fn run(args: &DemoArgs) -> Result<Outcome, CliError> {
    let dir = args.out.as_path();
    let non_empty = std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(false);
    if non_empty && !args.force {
        return Err(CliError::usage(
            format!("{}: the demo folder exists and is not empty", dir.display()),
            "choose another folder with --out DIR, or add --force to replace the demo files in it",
        ));
    }
    make_dir(dir, args.force)?;
    let force = args.force;
    let write = WriteArgs { lock_timeout: 30, actor: None };
    let stamp = stamp(&write);
    let now = stamp.at;
    let d = |name: &str| dir.join(name);

    // 1. A key for the demo.
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let key_path = d("demo.key");
    let key_text = Zeroizing::new(format!(
        "# emr demo identity (keep it private)\n# public key: {public}\n{}\n",
        identity.to_string().expose_secret()
    ));
    write_output(&key_path, key_text.as_bytes(), &Rules::new(force))?;
    let recipient: RecipientKey = public.parse().map_err(|e| CliError::Internal(format!("demo key: {e}")))?;
    let protection = Protection::Recipients(vec![recipient]);
    let mut out = format!("emr demo in {}\n\n", dir.display());
    out.push_str(&format!("1. Generated an age X25519 key: {} (public key {public})\n", key_path.display()));

    // 2. One encrypted record per clinic.
    out.push_str("\n2. Imported each clinic's FHIR export into its own encrypted record:\n");
    let mut records = Vec::new();
    for (name, json) in CLINICS {
        let imported = import(json, &ImportOptions::default(), now)
            .map_err(|e| CliError::Internal(format!("demo data {name}: {e}")))?;
        let path = d(&format!("{name}.emr"));
        super::merge::write_merged(&path, &imported.record, protection.clone(), &stamp, 30, force)?;
        let errors = imported.findings.iter().filter(|f| f.severity == emr_core::validate::Severity::Error).count();
        out.push_str(&format!(
            "   {:<14} {:>4} entries from {} source(s), {} validation finding(s) ({errors} error(s))\n",
            format!("{name}.emr"),
            imported.record.entries.len(),
            imported.record.sources.len(),
            imported.findings.len()
        ));
        records.push(imported.record);
    }

    // 3. Merge.
    let ehr_path = d("ehr.emr");
    let (merged, report) = super::merge::merge_records(&records, false)?;
    super::merge::write_merged(&ehr_path, &merged, protection, &stamp, 30, force)?;
    // Read it back as any later command would: decrypt with the key.
    let ids: Vec<Box<dyn age::Identity + Send + Sync>> = vec![Box::new(identity.clone())];
    let ehr = Store::load(&ehr_path, &Key::Identities(&ids))?.to_record()?;
    out.push_str(&format!("\n3. Merged them into {}. The merge report:\n\n", ehr_path.display()));
    let names = SourceNames::of(&ehr);
    out.push_str(&indent(&super::merge::report_text(&report, &names, Some(&ehr))));

    // 4. Timeline.
    // Billing (claims, coverage) left out: the clinical story reads better without it.
    let mut events = timeline(&ehr);
    events.retain(|e| !matches!(e.kind, EntryKind::Claim | EntryKind::Coverage));
    out.push_str(&format!(
        "\n4. Timeline (last {} of {} clinical events; `emr timeline` shows all):\n\n",
        TIMELINE_EVENTS.min(events.len()),
        events.len()
    ));
    out.push_str(&indent(&super::timeline::text(super::timeline::last(&events, Some(TIMELINE_EVENTS)), &names)));

    // 5. Current lists.
    let lists = current_lists(&ehr);
    out.push_str("\n5. Current lists:\n");
    out.push_str(&indent(&super::lists::text(&ehr, &lists, &names)));

    // 6. Trend.
    let hba1c = trend(&ehr, HBA1C);
    out.push_str(&format!("\n6. Lab trend, HbA1c (LOINC {HBA1C}):\n\n"));
    out.push_str(&indent(&chart::text(&hba1c)));

    // 7. Exports.
    let options = ExportOptions { timestamp: PartialDate::from(now) };
    let bundle_path = d("patient-bundle.age");
    let sealed =
        super::export::seal_record(&ehr, &SealKey::Recipients(std::slice::from_ref(&public)), options.timestamp)?;
    write_output(&bundle_path, &sealed, &Rules::new(force).binary("a binary patient bundle"))?;
    let ips_path = d("ips.json");
    write_output(&ips_path, super::export::ips(&ehr, &options)?.as_bytes(), &Rules::new(force))?;
    out.push_str(&format!(
        "\n7. Exported an encrypted patient bundle ({}, age-encrypted to the demo key) and an IPS document ({}).\n",
        bundle_path.display(),
        ips_path.display()
    ));

    // What next.
    let (k, e) = (shell(&key_path), shell(&ehr_path));
    let conflict =
        report.conflicts.first().map_or_else(|| "CONFLICT".to_owned(), |c| super::conflicts::short_ref(&c.id));
    out.push_str(&format!(
        "\nExplore further:\n\
         \x20 emr conflicts {e} -i {k}          # each source's version side by side\n\
         \x20 emr resolve {e} {conflict} -i {k} --accept 1 --clinician 'Dr. Ana Lee'\n\
         \x20 emr list {e} -i {k} --kind condition\n\
         \x20 emr timeline {e} -i {k}\n\
         \x20 emr trend {e} {HBA1C} -i {k} --svg hba1c.svg\n\
         \x20 emr trend {e} 2339-0 -i {k}          # glucose, mg/dL and mmol/L combined\n\
         \x20 emr log {e} -i {k}\n\
         \x20 emr verify {e} -i {k}\n\
         \x20 emr export {e} -i {k} --format fhir -o -\n\
         \x20 emr import {} -i {k} {}   # the patient bundle, back into a record\n\
         \x20 age -d -i {k} {} | gunzip | head -c 400   # any age tool opens the bundle\n",
        shell(&d("clinic-a.emr")),
        shell(&bundle_path),
        shell(&bundle_path),
    ));

    // 8. The summary as a SMART Health Link, what the patient shows a clinic.
    let share_dir = d("share");
    if force && share_dir.join(super::share::hosted::SHARE_FILE).exists() {
        std::fs::remove_dir_all(&share_dir)
            .map_err(|e| CliError::Store(StoreError::Io { path: share_dir.clone(), source: e }))?;
    }
    let s = shell(&share_dir);
    out.push_str(&format!(
        "\n8. Shared the patient summary (IPS) as a SMART Health Link in {s}: a clinic scans the QR code\n\
         \x20  below, or opens the link, once the share is hosted:\n\
         \x20 emr share serve {s} --addr {SHARE_ADDR}\n\
         \x20 emr init clinic.emr -r \"$(emr keygen -o clinic.key)\"\n\
         \x20 emr import clinic.emr -i clinic.key \"$(cat {s}/link.txt)\" --recipient 'Clinic B'\n\
         \x20 (or paste the link into the offline viewer, examples/viewer)\n\n"
    ));
    print(&out)?;
    let share = ShareArgs {
        serve: None,
        file: Some(ehr_path.clone()),
        url: Some(format!("http://{SHARE_ADDR}/shl")),
        ips: true,
        all: false,
        label: Some("emr demo: patient summary".to_owned()),
        expires: None,
        passcode_file: None,
        passcode_attempts: 5,
        direct: false,
        viewer: None,
        output: Some(share_dir),
        no_qr: false,
        unlock: UnlockArgs { identities: vec![key_path.clone()], passphrase_file: None },
    };
    super::share::run(&share)
}

fn indent(text: &str) -> String {
    text.lines().map(|l| if l.is_empty() { "\n".to_owned() } else { format!("   {l}\n") }).collect()
}

/// A path quoted for a POSIX shell when it needs it.
fn shell(path: &Path) -> String {
    let s = path.display().to_string();
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "/._-+:,@".contains(c)) {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
