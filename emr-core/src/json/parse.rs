//! A strict RFC 8259 parser into [`Json`], borrowing from the input.

use std::borrow::Cow;

use super::error::{Expected, JsonError, JsonErrorKind};
use super::scan::scan_number;
use super::value::Json;

/// The deepest nesting of arrays and objects [`parse`] accepts.
///
/// A text with 256 nested brackets parses; one more gives
/// [`JsonErrorKind::TooDeep`]. The limit keeps the recursive parser (and the
/// recursive writers) far from the stack limit, also on wasm32.
pub const MAX_DEPTH: usize = 256;

/// Eight spaces, as one word.
const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);

/// The UTF-8 byte order mark.
const BOM: &str = "\u{feff}";

/// Parses one JSON text (RFC 8259, strict).
///
/// * Rejected: comments, trailing commas, `NaN`/`Infinity`, leading zeros,
///   `+1`, `.5`, `1.`, single quotes, unescaped control characters in
///   strings, invalid escapes, `\u` escapes of unpaired UTF-16 surrogates,
///   anything but whitespace after the value, nesting deeper than
///   [`MAX_DEPTH`].
/// * Whitespace is space, tab, `\n` and `\r` only.
/// * Numbers of any length and magnitude are accepted and kept as text
///   (`1e999`, 30-digit integers); serde_json rejects those beyond `f64`
///   range.
/// * A leading UTF-8 byte order mark (U+FEFF) is accepted and skipped, because
///   FHIR files written on some platforms carry one. Error offsets still count
///   its 3 bytes (they index the text as given); columns do not count it.
///
/// Strings without escapes, all numbers and most keys borrow from `text`.
/// Never panics.
///
/// # Errors
///
/// A [`JsonError`] with the kind and position of the first problem.
///
/// # Example
///
/// ```
/// use emr_core::json::{parse, JsonErrorKind};
///
/// let v = parse("\u{feff}{\"a\": 1e2}")?;
/// assert_eq!(v.to_compact_string(), r#"{"a":1e2}"#);
///
/// let err = parse("[01]").unwrap_err();
/// assert_eq!(err.kind, JsonErrorKind::InvalidNumber);
/// assert_eq!(err.column, 3);
/// # Ok::<(), emr_core::json::JsonError>(())
/// ```
pub fn parse(text: &str) -> Result<Json<'_>, JsonError> {
    let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let mut parser =
        Parser { text, bytes: text.as_bytes(), pos: bom, depth: 0, items: Vec::new(), members: Vec::new() };
    parser.document().map_err(|fail| JsonError::at(text.as_bytes(), bom, fail.kind, fail.offset))
}

/// Parses one JSON text given as bytes: checks UTF-8 first, then as [`parse`].
///
/// # Errors
///
/// [`JsonErrorKind::InvalidUtf8`] at the first invalid byte, or any error of
/// [`parse`].
///
/// # Example
///
/// ```
/// use emr_core::json::{parse_bytes, JsonErrorKind};
///
/// assert_eq!(parse_bytes(b"[true]")?.to_compact_string(), "[true]");
///
/// let err = parse_bytes(b"[\"ab\xff\"]").unwrap_err();
/// assert_eq!((err.kind, err.offset, err.column), (JsonErrorKind::InvalidUtf8, 4, 5));
/// # Ok::<(), emr_core::json::JsonError>(())
/// ```
pub fn parse_bytes(bytes: &[u8]) -> Result<Json<'_>, JsonError> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(text),
        Err(e) => {
            let bom = if bytes.starts_with(BOM.as_bytes()) { BOM.len() } else { 0 };
            Err(JsonError::at(bytes, bom, JsonErrorKind::InvalidUtf8, e.valid_up_to()))
        }
    }
}

/// An error before line and column are known (kept small for speed).
pub(super) struct Fail {
    kind: JsonErrorKind,
    offset: usize,
}

pub(super) type Res<T> = Result<T, Fail>;

pub(super) fn fail<T>(kind: JsonErrorKind, offset: usize) -> Res<T> {
    Err(Fail { kind, offset })
}

/// Parser state; structure is parsed here, strings in `string.rs`.
pub(super) struct Parser<'a> {
    text: &'a str,
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
    depth: usize,
    /// Scratch stack of array elements: each array pushes here and moves its
    /// own elements into an exactly sized `Vec` when it closes.
    items: Vec<Json<'a>>,
    /// Scratch stack of object members, used like `items`.
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Parser<'a> {
    fn document(&mut self) -> Res<Json<'a>> {
        let value = self.value(Expected::Value)?;
        self.skip_ws();
        if self.pos < self.bytes.len() {
            return fail(JsonErrorKind::TrailingCharacters, self.pos);
        }
        Ok(value)
    }

    #[inline]
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.bytes.get(self.pos) {
            self.pos += 1;
            // Pretty-printed input is mostly indentation: skip runs of spaces 8 at a time.
            while let Some(chunk) = self.bytes.get(self.pos..self.pos.saturating_add(8)) {
                match <[u8; 8]>::try_from(chunk) {
                    Ok(word) if u64::from_ne_bytes(word) == SPACES => self.pos += 8,
                    _ => break,
                }
            }
        }
    }

    /// `&text[start..end]`; both ends are at ASCII bytes or the end of the
    /// text, so this cannot fail in practice.
    #[inline]
    pub(super) fn slice(&self, start: usize, end: usize) -> Res<&'a str> {
        match self.text.get(start..end) {
            Some(s) => Ok(s),
            None => fail(JsonErrorKind::InvalidUtf8, start),
        }
    }

    /// Skips whitespace and parses a value; `expected` names what is wanted if
    /// no value starts here.
    fn value(&mut self, expected: Expected) -> Res<Json<'a>> {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                Ok(Json::String(self.string()?))
            }
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(_) => fail(JsonErrorKind::UnexpectedCharacter(expected), self.pos),
            None => fail(JsonErrorKind::UnexpectedEnd(expected), self.pos),
        }
    }

    fn literal(&mut self, word: &'static [u8], value: Json<'a>) -> Res<Json<'a>> {
        for &want in word {
            match self.peek() {
                Some(b) if b == want => self.pos += 1,
                Some(_) => return fail(JsonErrorKind::UnexpectedCharacter(Expected::Literal), self.pos),
                None => return fail(JsonErrorKind::UnexpectedEnd(Expected::Literal), self.pos),
            }
        }
        Ok(value)
    }

    fn number(&mut self) -> Res<Json<'a>> {
        let start = self.pos;
        match scan_number(self.bytes, start) {
            Ok(end) => {
                self.pos = end;
                Ok(Json::Number(Cow::Borrowed(self.slice(start, end)?)))
            }
            Err(at) => fail(JsonErrorKind::InvalidNumber, at),
        }
    }

    /// Opens a container at the current `[` or `{`.
    #[inline]
    fn enter(&mut self) -> Res<()> {
        if self.depth >= MAX_DEPTH {
            return fail(JsonErrorKind::TooDeep, self.pos);
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    /// After a `,`: a closing bracket here means a trailing comma.
    #[inline]
    fn after_comma(&mut self, close: u8) -> Res<()> {
        let comma = self.pos;
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(close) {
            return fail(JsonErrorKind::TrailingComma, comma);
        }
        Ok(())
    }

    fn array(&mut self) -> Res<Json<'a>> {
        self.enter()?;
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Json::Array(Vec::new()));
        }
        let base = self.items.len();
        let mut expected = Expected::ValueOrArrayEnd;
        loop {
            let item = self.value(expected)?;
            self.items.push(item);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.after_comma(b']')?,
                Some(b']') => break,
                Some(_) => return fail(JsonErrorKind::UnexpectedCharacter(Expected::CommaOrArrayEnd), self.pos),
                None => return fail(JsonErrorKind::UnexpectedEnd(Expected::CommaOrArrayEnd), self.pos),
            }
            expected = Expected::Value;
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(Json::Array(self.items.drain(base..).collect()))
    }

    fn object(&mut self) -> Res<Json<'a>> {
        self.enter()?;
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Json::Object(Vec::new()));
        }
        let base = self.members.len();
        let mut expected = Expected::KeyOrObjectEnd;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'"') => self.pos += 1,
                Some(_) => return fail(JsonErrorKind::UnexpectedCharacter(expected), self.pos),
                None => return fail(JsonErrorKind::UnexpectedEnd(expected), self.pos),
            }
            let key = self.string()?;
            self.skip_ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                Some(_) => return fail(JsonErrorKind::UnexpectedCharacter(Expected::Colon), self.pos),
                None => return fail(JsonErrorKind::UnexpectedEnd(Expected::Colon), self.pos),
            }
            let value = self.value(Expected::Value)?;
            self.members.push((key, value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.after_comma(b'}')?,
                Some(b'}') => break,
                Some(_) => return fail(JsonErrorKind::UnexpectedCharacter(Expected::CommaOrObjectEnd), self.pos),
                None => return fail(JsonErrorKind::UnexpectedEnd(Expected::CommaOrObjectEnd), self.pos),
            }
            expected = Expected::Key;
        }
        self.pos += 1;
        self.depth -= 1;
        Ok(Json::Object(self.members.drain(base..).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_at(text: &str) -> Option<(JsonErrorKind, usize)> {
        parse(text).err().map(|e| (e.kind, e.offset))
    }

    #[test]
    fn structure_errors() {
        use Expected::*;
        use JsonErrorKind::*;
        assert_eq!(kind_at(""), Some((UnexpectedEnd(Value), 0)));
        assert_eq!(kind_at("[1 2]"), Some((UnexpectedCharacter(CommaOrArrayEnd), 3)));
        assert_eq!(kind_at("{\"a\" 1}"), Some((UnexpectedCharacter(Colon), 5)));
        assert_eq!(kind_at("{1:2}"), Some((UnexpectedCharacter(KeyOrObjectEnd), 1)));
        assert_eq!(kind_at("{\"a\":1,}"), Some((TrailingComma, 6)));
        assert_eq!(kind_at("{\"a\":1,2}"), Some((UnexpectedCharacter(Key), 7)));
        assert_eq!(kind_at("[tru]"), Some((UnexpectedCharacter(Literal), 4)));
        assert_eq!(kind_at("nul"), Some((UnexpectedEnd(Literal), 3)));
        assert_eq!(kind_at("[] x"), Some((TrailingCharacters, 3)));
        assert_eq!(kind_at("[/*c*/]"), Some((UnexpectedCharacter(ValueOrArrayEnd), 1)));
    }

    #[test]
    fn long_indentation_is_whitespace() {
        use Expected::*;
        use JsonErrorKind::*;
        for n in [1, 7, 8, 9, 16, 17, 40] {
            let pad = " ".repeat(n);
            assert_eq!(
                parse(&format!("{pad}[{pad}1{pad},\n{pad}2\t{pad}]{pad}")).map(|v| v.to_compact_string()),
                Ok("[1,2]".to_owned())
            );
            assert_eq!(kind_at(&format!("[1,\n{pad}]")), Some((TrailingComma, 2)));
            assert_eq!(kind_at(&format!("{pad}x")), Some((UnexpectedCharacter(Value), n)));
            assert_eq!(kind_at(&format!("[{pad}")), Some((UnexpectedEnd(ValueOrArrayEnd), n + 1)));
        }
    }
}
