//! The parser's lexical helpers: names, references, white space, line ends, attribute values,
//! and errors with their positions.

use std::borrow::Cow;

/// A well-formedness error at a byte offset.
#[derive(Clone, Copy)]
pub(super) struct Malformed {
    pub(super) offset: usize,
    pub(super) reason: &'static str,
}

pub(super) fn malformed(offset: usize, reason: &'static str) -> Malformed {
    Malformed { offset, reason }
}

/// The offset of the first byte in `text[from..to]` that is not XML white space (`to` if none).
pub(super) fn lead(text: &str, from: usize, to: usize) -> usize {
    let span = text.as_bytes().get(from..to).unwrap_or_default();
    from + span.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n')).count()
}

/// The byte offset of `part` (a slice of `text`) in `text`.
pub(super) fn offset_in(text: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

/// The XML qualified name starting at `from` in `bytes`: where it ends (at the first byte no
/// name has, or the end) and where its colon is. A qualified name is one or two names
/// (`prefix:local`) of a letter, `_` or a non-ASCII character, then letters, digits, `-`, `.`,
/// `_` or non-ASCII characters. `None` when what starts there is not one.
pub(super) fn scan_qname(bytes: &[u8], from: usize) -> Option<(usize, Option<usize>)> {
    let class = |i: usize| bytes.get(i).map_or(0, |&b| NAME_BYTES.get(usize::from(b)).copied().unwrap_or(0));
    if class(from) & 1 == 0 {
        return None;
    }
    let mut i = from + 1;
    while class(i) & 2 != 0 {
        i += 1;
    }
    if bytes.get(i) != Some(&b':') {
        return Some((i, None));
    }
    let colon = i;
    if class(i + 1) & 1 == 0 {
        return None;
    }
    i += 2;
    while class(i) & 2 != 0 {
        i += 1;
    }
    Some((i, Some(colon)))
}

/// An attribute value starting at `from` in `bytes`, up to its closing `quote`: its end (the
/// quote's index) and whether it may need [`normalize_attribute`] (a `<`, `&` or control
/// character such as a tab or line end in it; a superset is fine, the normalizing is exact).
/// `None` when the quote is not closed.
///
/// Eight bytes at a time: a byte equal to `b` is found in a word `w` as the high bits of
/// `(w ^ b…) - 0x01… & !(w ^ b…)`; the lowest such bit is exact (wrong bits appear only above
/// a true one), so the first quote is exact and a control character or `<`/`&` before it is
/// never missed.
pub(super) fn scan_value(bytes: &[u8], from: usize, quote: u8) -> Option<(usize, bool)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGH;
    let rest = bytes.get(from..)?;
    let (q, lt, amp) = (ONES * u64::from(quote), ONES * u64::from(b'<'), ONES * u64::from(b'&'));
    let mut special = 0;
    let mut chunks = rest.chunks_exact(8);
    let mut at = from;
    for chunk in &mut chunks {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else { break };
        let w = u64::from_le_bytes(word);
        let quotes = zero(w ^ q);
        // Bytes below 0x20 (control characters), `<` and `&`.
        let odd = w.wrapping_sub(ONES * 0x20) & !w & HIGH | zero(w ^ lt) | zero(w ^ amp);
        if quotes != 0 {
            let first = quotes.trailing_zeros();
            // The bytes before the quote (`first` is 8k + 7 for byte k).
            let before = (1u64 << (first - 7)).wrapping_sub(1);
            return Some((at + (first / 8) as usize, (special | (odd & before)) != 0));
        }
        special |= odd;
        at += 8;
    }
    let mut special = special != 0;
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == quote {
            return Some((at + i, special));
        }
        special |= b < 0x20 || b == b'<' || b == b'&';
    }
    None
}

/// XML white space.
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// The index of the first byte at or after `i` that is not white space.
pub(super) fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).copied().is_some_and(is_space) {
        i += 1;
    }
    i
}

/// Where a tag starts (its `<`), the tokenizer having skipped white space from `before`:
/// `delim` bytes (`<` or `</`) before `content`, the tag's content as the tokenizer hands it
/// out (a slice of `text`). Falls back to scanning the white space if it is not one.
pub(super) fn markup_start(text: &str, before: usize, after: usize, content: &str, delim: usize) -> usize {
    let at = offset_in(text, content).wrapping_sub(delim);
    if at >= before && at < after && text.as_bytes().get(at) == Some(&b'<') {
        at
    } else {
        lead(text, before, after)
    }
}

/// `name` split at its colon (`colon` counts from `base`): prefix (empty when none) and local part.
pub(super) fn split_at_colon(name: &str, colon: Option<usize>, base: usize) -> (&str, &str) {
    match colon {
        Some(at) => {
            let at = at.saturating_sub(base);
            (name.get(..at).unwrap_or_default(), name.get(at + 1..).unwrap_or_default())
        }
        None => ("", name),
    }
}

/// Whether an XML declaration (`<?xml` … `?>`) starts with `version="1.x"`.
pub(super) fn declares_version(decl: &str) -> bool {
    let Some(rest) = decl.strip_prefix("<?xml") else { return false };
    let Some(rest) = rest.trim_start_matches([' ', '\t', '\r', '\n']).strip_prefix("version") else { return false };
    let Some(rest) = rest.trim_start_matches([' ', '\t', '\r', '\n']).strip_prefix('=') else { return false };
    let rest = rest.trim_start_matches([' ', '\t', '\r', '\n']);
    let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) else { return false };
    let Some(rest) = rest.get(1..).and_then(|r| r.strip_prefix("1.")) else { return false };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest.get(digits..).is_some_and(|r| r.starts_with(quote))
}

/// Per byte: 1 when it may start a name part, 2 when it may continue one (ASCII letters,
/// digits, `-`, `.`, `_`; every byte of a non-ASCII character).
#[allow(clippy::indexing_slicing)] // evaluated at compile time, `b` < 256
const NAME_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            3
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            2
        } else {
            0
        };
        b += 1;
    }
    table
};

/// XML's line ends: `\r\n` and a lone `\r` read as `\n`.
pub(super) fn normalize_newlines(raw: &str) -> Cow<'_, str> {
    if !raw.contains('\r') {
        return Cow::Borrowed(raw);
    }
    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
}

/// The character a reference (`&amp;`, `&#x41;`) stands for.
pub(super) fn resolve_reference(r: &quick_xml::events::BytesRef<'_>) -> Option<char> {
    if r.is_char_ref() {
        return r.resolve_char_ref().ok().flatten().filter(|c| is_xml_char(*c));
    }
    predefined(r)
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

pub(super) fn reference_error(name: &str) -> &'static str {
    if name.starts_with('#') {
        "malformed entity or character reference"
    } else {
        "reference to an undefined entity"
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{9}' | '\u{A}' | '\u{D}' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// An attribute value normalized as XML says (references resolved, each raw white space
/// character read as a space, `\r\n` as one).
pub(super) fn normalize_attribute(raw: &str, offset: usize) -> Result<Cow<'_, str>, Malformed> {
    // No early exit: the compiler turns this into vector compares (values are short).
    if !raw.bytes().fold(false, |hit, b| hit | matches!(b, b'<' | b'&' | b'\t' | b'\n' | b'\r')) {
        return Ok(Cow::Borrowed(raw));
    }
    if let Some(at) = raw.find('<') {
        return Err(malformed(offset + at, "attribute value contains '<'"));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match c {
            '&' => {
                let end = rest.find(';').ok_or(Malformed {
                    offset: offset + (raw.len() - rest.len()),
                    reason: "malformed entity or character reference",
                })?;
                let name = rest.get(1..end).unwrap_or_default();
                let at = offset + (raw.len() - rest.len());
                let resolved = if let Some(num) = name.strip_prefix('#') {
                    let parsed = match num.strip_prefix('x') {
                        Some(hex) => u32::from_str_radix(hex, 16).ok(),
                        None => num.parse::<u32>().ok(),
                    };
                    parsed
                        .and_then(char::from_u32)
                        .filter(|c| is_xml_char(*c))
                        .ok_or(Malformed { offset: at, reason: "malformed entity or character reference" })?
                } else {
                    predefined(name).ok_or(Malformed { offset: at, reason: reference_error(name) })?
                };
                out.push(resolved);
                rest = rest.get(end + 1..).unwrap_or_default();
            }
            '\r' => {
                out.push(' ');
                rest = rest.get(1..).unwrap_or_default();
                if rest.starts_with('\n') {
                    rest = rest.get(1..).unwrap_or_default();
                }
            }
            '\n' | '\t' => {
                out.push(' ');
                rest = rest.get(1..).unwrap_or_default();
            }
            c => {
                out.push(c);
                rest = rest.get(c.len_utf8()..).unwrap_or_default();
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// The tokenizer's error in words of our own (its messages may quote the input).
pub(super) fn reason_of(e: &quick_xml::Error) -> &'static str {
    use quick_xml::errors::{IllFormedError as I, SyntaxError as S};
    use quick_xml::Error as E;
    match e {
        E::Syntax(S::InvalidBangMarkup) => "malformed markup",
        E::Syntax(_) => "the input ends inside markup",
        E::IllFormed(I::MismatchedEndTag { .. } | I::UnmatchedEndTag(_) | I::MissingEndTag(_)) => {
            "close tag does not match its open tag"
        }
        E::IllFormed(I::DoubleHyphenInComment) => "'--' inside a comment",
        E::IllFormed(I::UnclosedReference) => "malformed entity or character reference",
        E::IllFormed(_) => "malformed markup",
        E::InvalidAttr(_) => "malformed attribute",
        E::Escape(_) => "malformed entity or character reference",
        _ => "malformed markup",
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(super) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
    (u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX))
}
