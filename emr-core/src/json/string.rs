//! Decoding JSON strings: borrowed when there is no escape, owned otherwise.

use std::borrow::Cow;

use super::error::{Expected, JsonErrorKind};
use super::parse::{fail, Parser, Res};
use super::scan::scan_plain;

impl<'a> Parser<'a> {
    /// Parses a string body; `self.pos` is just after the opening quote.
    /// Borrows when there is no escape.
    #[inline]
    pub(super) fn string(&mut self) -> Res<Cow<'a, str>> {
        let start = self.pos;
        let end = scan_plain(self.bytes, start);
        match self.bytes.get(end) {
            Some(b'"') => {
                self.pos = end + 1;
                Ok(Cow::Borrowed(self.slice(start, end)?))
            }
            Some(b'\\') => {
                let mut buf = String::with_capacity(end - start + 16);
                buf.push_str(self.slice(start, end)?);
                self.pos = end;
                self.escaped_string(buf).map(Cow::Owned)
            }
            Some(_) => fail(JsonErrorKind::ControlCharacterInString, end),
            None => fail(JsonErrorKind::UnexpectedEnd(Expected::StringEnd), end),
        }
    }

    /// Continues a string that has escapes, appending to `buf`.
    fn escaped_string(&mut self, mut buf: String) -> Res<String> {
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(buf);
                }
                Some(b'\\') => self.escape(&mut buf)?,
                Some(b) if b < 0x20 => return fail(JsonErrorKind::ControlCharacterInString, self.pos),
                Some(_) => {
                    let end = scan_plain(self.bytes, self.pos);
                    buf.push_str(self.slice(self.pos, end)?);
                    self.pos = end;
                }
                None => return fail(JsonErrorKind::UnexpectedEnd(Expected::StringEnd), self.pos),
            }
        }
    }

    /// Decodes one escape; `self.pos` is at the backslash.
    fn escape(&mut self, buf: &mut String) -> Res<()> {
        let backslash = self.pos;
        let c = match self.bytes.get(backslash + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(buf),
            Some(_) => return fail(JsonErrorKind::InvalidEscape, backslash),
            None => return fail(JsonErrorKind::UnexpectedEnd(Expected::Escape), backslash + 1),
        };
        buf.push(c);
        self.pos = backslash + 2;
        Ok(())
    }

    /// Decodes `\uXXXX` (and a following low surrogate escape if the first is
    /// a high surrogate); `self.pos` is at the backslash.
    fn unicode_escape(&mut self, buf: &mut String) -> Res<()> {
        let first_at = self.pos;
        let first = self.hex4(first_at)?;
        let code = match first {
            0xD800..=0xDBFF => {
                let second_at = first_at + 6;
                let is_escape =
                    self.bytes.get(second_at) == Some(&b'\\') && self.bytes.get(second_at + 1) == Some(&b'u');
                if !is_escape {
                    return fail(JsonErrorKind::LoneSurrogate, first_at);
                }
                let second = self.hex4(second_at)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return fail(JsonErrorKind::LoneSurrogate, first_at);
                }
                self.pos = second_at + 6;
                0x1_0000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return fail(JsonErrorKind::LoneSurrogate, first_at),
            _ => {
                self.pos = first_at + 6;
                first
            }
        };
        match char::from_u32(code) {
            Some(c) => {
                buf.push(c);
                Ok(())
            }
            None => fail(JsonErrorKind::InvalidUnicodeEscape, first_at),
        }
    }

    /// Reads the four hex digits of the `\u` escape at `at` (the backslash).
    fn hex4(&self, at: usize) -> Res<u32> {
        let mut code = 0u32;
        for i in at + 2..at + 6 {
            let digit = match self.bytes.get(i) {
                Some(&b) => match (b as char).to_digit(16) {
                    Some(d) => d,
                    None => return fail(JsonErrorKind::InvalidUnicodeEscape, at),
                },
                None => return fail(JsonErrorKind::UnexpectedEnd(Expected::Escape), i),
            };
            code = (code << 4) | digit;
        }
        Ok(code)
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::super::error::{Expected, JsonErrorKind};
    use super::super::{parse, Json};

    fn kind_at(text: &str) -> Option<(JsonErrorKind, usize)> {
        parse(text).err().map(|e| (e.kind, e.offset))
    }

    #[test]
    fn borrows_plain_strings_and_owns_escaped_ones() {
        let v = parse(r#"["plain", "esc\naped"]"#);
        let Ok(Json::Array(items)) = v else { unreachable!("parse failed") };
        assert!(matches!(items.first(), Some(Json::String(Cow::Borrowed("plain")))));
        assert!(matches!(items.get(1), Some(Json::String(Cow::Owned(s))) if s == "esc\naped"));
    }

    #[test]
    fn escapes_decode() {
        let v = parse(r#""\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00x""#).ok();
        assert_eq!(v.as_ref().and_then(Json::as_str), Some("\"\\/\u{8}\u{c}\n\r\té\u{1F600}x"));
    }

    #[test]
    fn surrogate_errors() {
        use JsonErrorKind::*;
        assert_eq!(kind_at(r#""\uD800""#), Some((LoneSurrogate, 1)));
        assert_eq!(kind_at(r#""\uDC00""#), Some((LoneSurrogate, 1)));
        assert_eq!(kind_at(r#""a\uD800\u0041""#), Some((LoneSurrogate, 2)));
        assert_eq!(kind_at(r#""\uD800\uZZZZ""#), Some((InvalidUnicodeEscape, 7)));
        assert_eq!(kind_at(r#""\u12"#), Some((UnexpectedEnd(Expected::Escape), 5)));
        assert_eq!(kind_at(r#""\u12G4""#), Some((InvalidUnicodeEscape, 1)));
    }
}
