//! XHTML narrative for IPS sections: a short table of what a section lists.

use crate::model::Entry;

/// Escape text for XHTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// What a reader calls an entry: the text or first display of its main concept.
pub(crate) fn label(entry: &Entry) -> String {
    let c = entry.clinical();
    c.code
        .as_ref()
        .and_then(|cc| cc.label().map(str::to_owned))
        .or_else(|| c.code.as_ref().and_then(|cc| cc.codings.first()).and_then(|k| k.code.clone()))
        .unwrap_or_else(|| c.resource_type.clone())
}

/// A section's narrative: a table of label, date and status, or a sentence when empty.
pub(crate) fn section_div(entries: &[&Entry], empty: &str) -> String {
    let mut div = String::from("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
    if entries.is_empty() {
        div.push_str(&format!("<p>{}</p>", escape(empty)));
    } else {
        div.push_str("<table><thead><tr><th>Item</th><th>Date</th><th>Status</th></tr></thead><tbody>");
        for e in entries {
            let c = e.clinical();
            let date = c.time.map(|d| d.to_string()).unwrap_or_default();
            let status = c.clinical_status.clone().or_else(|| c.status.clone()).unwrap_or_default();
            div.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&label(e)),
                escape(&date),
                escape(&status)
            ));
        }
        div.push_str("</tbody></table>");
    }
    div.push_str("</div>");
    div
}
