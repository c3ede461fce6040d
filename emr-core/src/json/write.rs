//! Writers: compact, canonical (sorted keys) and pretty text.
//!
//! All three emit numbers verbatim and escape strings minimally: `"` and `\`
//! as `\"` and `\\`; control characters U+0000 to U+001F as `\b \f \n \r \t`
//! or `\u00XX` (lower-case hex); everything else, including `/`, DEL,
//! U+2028/U+2029 and all non-ASCII text, as UTF-8.

use std::fmt;

use super::scan::scan_plain;
use super::value::Json;
use super::JsonError;

/// How objects and whitespace are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Compact,
    Canonical,
    Pretty,
}

impl Json<'_> {
    /// Minified JSON: no whitespace, member order and duplicate keys kept,
    /// numbers verbatim, strings re-escaped minimally.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse("{ \"b\" : [ 1.30 , \"\\u00e9\\/\" ] , \"a\" : null }")?;
    /// assert_eq!(v.to_compact_string(), r#"{"b":[1.30,"é/"],"a":null}"#);
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn to_compact_string(&self) -> String {
        let mut out = String::with_capacity(256);
        write_value(&mut out, self, Style::Compact, 0);
        out
    }

    /// Like [`to_compact_string`](Self::to_compact_string) but with the
    /// members of every object sorted by key, comparing the unescaped keys'
    /// UTF-8 bytes; members with equal keys keep their input order. Arrays
    /// keep their order.
    ///
    /// Meant for content hashes: two texts that differ only in whitespace,
    /// escaping or member order give the same string. Numbers are kept
    /// lexically, so `1.30`, `1.3` and `13e-1` stay different (in FHIR the
    /// precision of a decimal is significant). This is not RFC 8785 (JCS),
    /// which sorts by UTF-16 code units and rewrites numbers.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::json::parse;
    ///
    /// let a = parse(r#"{"b": 1.30, "a": {"y": 1, "x": 2}}"#)?;
    /// let b = parse(r#"{"a": {"x": 2, "y": 1}, "b": 1.30}"#)?;
    /// assert_eq!(a.to_canonical_string(), r#"{"a":{"x":2,"y":1},"b":1.30}"#);
    /// assert_eq!(a.to_canonical_string(), b.to_canonical_string());
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn to_canonical_string(&self) -> String {
        let mut out = String::with_capacity(256);
        write_value(&mut out, self, Style::Canonical, 0);
        out
    }

    /// Indented JSON: two spaces per level, `": "` after keys, one element or
    /// member per line, empty arrays and objects as `[]` and `{}`, no final
    /// newline. Member order and numbers are kept as in
    /// [`to_compact_string`](Self::to_compact_string).
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse(r#"{"a":[1,{}],"b":[]}"#)?;
    /// assert_eq!(v.to_pretty_string(), "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": []\n}");
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn to_pretty_string(&self) -> String {
        let mut out = String::with_capacity(256);
        write_value(&mut out, self, Style::Pretty, 0);
        out
    }
}

/// Formats as [`Json::to_compact_string`]; the alternate flag (`{:#}`) formats
/// as [`Json::to_pretty_string`].
impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.write_str(&self.to_pretty_string())
        } else {
            f.write_str(&self.to_compact_string())
        }
    }
}

/// Minifies a JSON text: [`parse`](super::parse) then
/// [`Json::to_compact_string`]. Strings are re-escaped minimally, so
/// `"\u00e9\/"` becomes `"é/"`.
///
/// # Errors
///
/// Any [`JsonError`] of [`parse`](super::parse).
///
/// # Example
///
/// ```
/// assert_eq!(emr_core::json::minify("[ 1.0 ,\n 2 ]")?, "[1.0,2]");
/// # Ok::<(), emr_core::json::JsonError>(())
/// ```
pub fn minify(text: &str) -> Result<String, JsonError> {
    let value = super::parse(text)?;
    let mut out = String::with_capacity(text.len() / 2);
    write_value(&mut out, &value, Style::Compact, 0);
    Ok(out)
}

/// Appends `value` as [`Json::to_compact_string`] writes it.
pub(crate) fn push_compact(out: &mut String, value: &Json<'_>) {
    write_value(out, value, Style::Compact, 0);
}

/// The length of `value`'s compact text, not counting escapes: exact for text without `"`, `\`
/// or control characters, too short by the escapes otherwise. Cheap (no string is scanned), to
/// size a buffer before [`push_compact`].
pub(crate) fn compact_len_unescaped(value: &Json<'_>) -> usize {
    match value {
        Json::Null | Json::Bool(true) => 4,
        Json::Bool(false) => 5,
        Json::Number(text) => text.len(),
        Json::String(text) => text.len() + 2,
        Json::Array(items) => {
            items.iter().fold(items.len().max(1) + 1, |n, item| n.saturating_add(compact_len_unescaped(item)))
        }
        Json::Object(members) => members.iter().fold(members.len().max(1) + 1, |n, (key, item)| {
            n.saturating_add(key.len() + 3).saturating_add(compact_len_unescaped(item))
        }),
    }
}

/// The exact length of `value`'s compact text (strings are scanned for escapes).
pub(crate) fn compact_len(value: &Json<'_>) -> usize {
    match value {
        Json::String(text) => escaped_len(text),
        Json::Array(items) => items.iter().fold(items.len().max(1) + 1, |n, item| n.saturating_add(compact_len(item))),
        Json::Object(members) => members.iter().fold(members.len().max(1) + 1, |n, (key, item)| {
            n.saturating_add(escaped_len(key) + 1).saturating_add(compact_len(item))
        }),
        _ => compact_len_unescaped(value),
    }
}

/// The length of `text` written as a JSON string by [`write_string`].
fn escaped_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut len = bytes.len() + 2;
    let mut at = scan_plain(bytes, 0);
    while let Some(&b) = bytes.get(at) {
        // `\"` and the like take one byte more, `\u00XX` five.
        len += if matches!(b, b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0C) { 1 } else { 5 };
        at = scan_plain(bytes, at + 1);
    }
    len
}

/// Appends `text` as a JSON string, escaped as the writers escape strings.
pub(crate) fn push_string(out: &mut String, text: &str) {
    write_string(out, text);
}

fn newline(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, value: &Json<'_>, style: Style, depth: usize) {
    match value {
        Json::Null => out.push_str("null"),
        Json::Bool(true) => out.push_str("true"),
        Json::Bool(false) => out.push_str("false"),
        Json::Number(text) => out.push_str(text),
        Json::String(text) => write_string(out, text),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if style == Style::Pretty {
                    newline(out, depth + 1);
                }
                write_value(out, item, style, depth + 1);
            }
            if style == Style::Pretty && !items.is_empty() {
                newline(out, depth);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            if style == Style::Canonical {
                let mut sorted: Vec<_> = members.iter().collect();
                // Stable, so members with equal keys keep their input order.
                sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
                for (i, (key, item)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(out, key);
                    out.push(':');
                    write_value(out, item, style, depth + 1);
                }
            } else {
                for (i, (key, item)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    if style == Style::Pretty {
                        newline(out, depth + 1);
                    }
                    write_string(out, key);
                    out.push_str(if style == Style::Pretty { ": " } else { ":" });
                    write_value(out, item, style, depth + 1);
                }
                if style == Style::Pretty && !members.is_empty() {
                    newline(out, depth);
                }
            }
            out.push('}');
        }
    }
}

/// Writes `text` as a JSON string with minimal escaping.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    let bytes = text.as_bytes();
    let mut start = 0;
    loop {
        let end = scan_plain(bytes, start);
        // `start` and `end` are at ASCII bytes or the end: char boundaries.
        out.push_str(text.get(start..end).unwrap_or_default());
        let Some(&b) = bytes.get(end) else { break };
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0C => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                for nibble in [b >> 4, b & 0xF] {
                    out.push(HEX.get(usize::from(nibble)).map_or('0', |&h| char::from(h)));
                }
            }
        }
        start = end + 1;
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_minimally() {
        let mut out = String::new();
        write_string(&mut out, "a\"b\\c/d\u{0}\u{1f}\u{7f}é\u{2028}\n\t\r\u{8}\u{c}");
        assert_eq!(out, "\"a\\\"b\\\\c/d\\u0000\\u001f\u{7f}é\u{2028}\\n\\t\\r\\b\\f\"");
    }

    #[test]
    fn unescaped_length_is_exact_without_escapes() {
        for text in [
            "null",
            "[]",
            "{}",
            r#"{"a":[1.30,true,false,null,"x"],"b":{},"c":[[],{"d":"é"}]}"#,
            r#"[{"a":1},{"b":[2]}]"#,
        ] {
            let v = super::super::parse(text).ok();
            assert_eq!(v.as_ref().map(compact_len_unescaped), Some(text.len()), "{text}");
        }
        let escaped = super::super::parse(r#"{"a\"b":"x\ny"}"#).ok();
        let written = escaped.as_ref().map(Json::to_compact_string).unwrap_or_default();
        assert_eq!(escaped.as_ref().map(compact_len_unescaped), Some(written.len() - 2));
    }

    #[test]
    fn exact_length_counts_escapes() {
        let all_escapes: String = (0u8..0x20).map(char::from).chain("\"\\/é\u{2028}".chars()).collect();
        let long_plain = "A".repeat(200);
        let values = [
            Json::String(all_escapes.as_str().into()),
            Json::String(format!("{long_plain}\"{long_plain}\u{1}").into()),
            Json::Object(vec![
                (all_escapes.as_str().into(), Json::Array(vec![Json::Null, Json::Number("1.30".into())])),
                ("k".into(), Json::Object(Vec::new())),
            ]),
            Json::Array(Vec::new()),
            Json::Bool(false),
        ];
        for v in &values {
            assert_eq!(compact_len(v), v.to_compact_string().len());
        }
    }

    #[test]
    fn canonical_is_stable_for_duplicates() {
        let v = super::super::parse(r#"{"b":1,"a":2,"b":0,"a":1}"#).ok();
        let s = v.map(|v| v.to_canonical_string());
        assert_eq!(s.as_deref(), Some(r#"{"a":2,"a":1,"b":1,"b":0}"#));
    }
}
