//! Entries: a table for `emr list`, a detail view for `emr show`, and their JSON.

use crate::store::EntryRow;

use super::Table;

/// The entries as a table: id, kind, date, code, display, status, source.
pub fn table(rows: &[EntryRow]) -> String {
    let mut t = Table::new(&["ID", "V", "KIND", "DATE", "CODE", "DISPLAY", "STATUS", "SOURCE"]);
    for r in rows {
        let d = &r.derived;
        t.row(vec![
            r.id.clone(),
            r.version.to_string(),
            d.kind.clone(),
            d.date.clone().unwrap_or_default(),
            d.code.as_deref().map(short_code).unwrap_or_default(),
            d.display.clone().unwrap_or_default(),
            d.status.clone().unwrap_or_default(),
            r.source.clone(),
        ]);
    }
    let mut out = t.render();
    out.push_str(&format!("{} entr{}\n", rows.len(), if rows.len() == 1 { "y" } else { "ies" }));
    out
}

/// A JSON array of entries, one compact entry per line, each exactly as in the record JSON.
///
/// # Errors
/// A stored resource is not JSON (edited outside emr).
pub fn json_array(rows: &[EntryRow]) -> serde_json::Result<String> {
    if rows.is_empty() {
        return Ok("[]\n".to_owned());
    }
    let mut out = String::with_capacity(rows.iter().map(|r| r.resource.len() + 128).sum());
    out.push_str("[\n");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str("  ");
        out.push_str(&r.to_json()?);
    }
    out.push_str("\n]\n");
    Ok(out)
}

/// One entry in detail: provenance, the derived columns, and the resource, indented.
pub fn detail(r: &EntryRow) -> String {
    let d = &r.derived;
    let recorded = r.provenance().ok().and_then(|p| p.recorded).map(|t| t.to_string());
    let mut out = String::new();
    let mut line = |k: &str, v: Option<&str>| {
        if let Some(v) = v {
            out.push_str(&format!("{k:<10} {v}\n"));
        }
    };
    line("id", Some(&r.id));
    line("version", Some(&r.version.to_string()));
    line("source", Some(&r.source));
    line("recorded", recorded.as_deref());
    line("kind", Some(&d.kind));
    line("code", d.code.as_deref());
    line("display", d.display.as_deref());
    line("date", d.date.as_deref());
    line("status", d.status.as_deref());
    let pretty =
        emr_core::json::parse(&r.resource).map(|j| j.to_pretty_string()).unwrap_or_else(|_| r.resource.clone());
    out.push_str("resource\n");
    for l in pretty.lines() {
        out.push_str("  ");
        out.push_str(l);
        out.push('\n');
    }
    out
}

/// `system|code` with well-known systems shortened (`http://loinc.org|4548-4` → `loinc|4548-4`).
pub fn short_code(code: &str) -> String {
    emr_core::codes::shorten_code(code).into_owned()
}
