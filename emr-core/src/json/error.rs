//! Parse errors: what went wrong and where, never what the input said.

use core::fmt;

/// A JSON parse error with its position in the input.
///
/// * `offset` is a 0-based **byte** offset into the text given to
///   [`parse`](super::parse) / [`parse_bytes`](super::parse_bytes), counting a
///   leading byte order mark if there was one.
/// * `line` is 1-based; only `\n` ends a line (so `\r\n` counts once and a
///   lone `\r` not at all).
/// * `column` is 1-based and counted in **characters** (Unicode scalar
///   values), not bytes, so it matches what most editors show. A leading byte
///   order mark is not counted.
///
/// The message (`Display`) names the problem and the position only. It never
/// quotes the input, which may contain patient data.
///
/// # Example
///
/// ```
/// use emr_core::json::{parse, JsonErrorKind};
///
/// let err = parse("[1,]").unwrap_err();
/// assert_eq!(err.kind, JsonErrorKind::TrailingComma);
/// assert_eq!((err.offset, err.line, err.column), (2, 1, 3));
/// assert_eq!(err.to_string(), "trailing comma before a closing bracket at line 1, column 3");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at line {line}, column {column}")]
pub struct JsonError {
    /// What went wrong.
    pub kind: JsonErrorKind,
    /// 0-based byte offset of the problem in the input.
    pub offset: usize,
    /// 1-based line number (lines end at `\n`).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl JsonError {
    /// Builds an error at byte `offset` of `bytes`, computing line and column.
    ///
    /// `bom` is the length of a skipped leading byte order mark (0 or 3); it is
    /// not counted as a column. Works on bytes so that it never slices a `str`
    /// off a character boundary; continuation bytes (`0b10xx_xxxx`) are not
    /// counted as columns.
    pub(crate) fn at(bytes: &[u8], bom: usize, kind: JsonErrorKind, offset: usize) -> Self {
        let offset = offset.min(bytes.len());
        let before = bytes.get(..offset).unwrap_or_default();
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = match before.iter().rposition(|&b| b == b'\n') {
            Some(nl) => nl + 1,
            None => bom.min(offset),
        };
        let column = 1 + before.get(line_start..).unwrap_or_default().iter().filter(|&&b| (b & 0xC0) != 0x80).count();
        JsonError { kind, offset, line, column }
    }
}

/// The kind of a [`JsonError`].
///
/// `Display` gives a lower-case message without a final period that never
/// contains input text.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JsonErrorKind {
    /// The input ended early; the payload says what was expected next.
    UnexpectedEnd(Expected),
    /// A character that cannot start or continue the expected token; the
    /// payload says what was expected instead.
    UnexpectedCharacter(Expected),
    /// A comma directly followed by `]` or `}`; the offset points at the comma.
    TrailingComma,
    /// A number that breaks the RFC 8259 grammar (leading zero, missing
    /// digits after `-`, `.`, or the exponent marker); the offset points at
    /// the offending character (or the end of input).
    InvalidNumber,
    /// A backslash followed by something other than `" \ / b f n r t u`; the
    /// offset points at the backslash.
    InvalidEscape,
    /// A `\u` escape without four hexadecimal digits; the offset points at the
    /// backslash.
    InvalidUnicodeEscape,
    /// A `\u` escape for a UTF-16 surrogate that is not part of a valid
    /// high/low pair (such text has no UTF-8 form); the offset points at the
    /// backslash of the unpaired escape.
    LoneSurrogate,
    /// A raw control character (U+0000 to U+001F) inside a string; it must be
    /// escaped.
    ControlCharacterInString,
    /// Non-whitespace after the end of the top-level value.
    TrailingCharacters,
    /// Arrays and objects nested deeper than [`MAX_DEPTH`](super::MAX_DEPTH);
    /// the offset points at the bracket that went too deep.
    TooDeep,
    /// The bytes given to [`parse_bytes`](super::parse_bytes) are not UTF-8;
    /// the offset is that of the first invalid byte.
    InvalidUtf8,
}

impl fmt::Display for JsonErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonErrorKind::UnexpectedEnd(e) => write!(f, "unexpected end of input, expected {e}"),
            JsonErrorKind::UnexpectedCharacter(e) => write!(f, "unexpected character, expected {e}"),
            JsonErrorKind::TrailingComma => f.write_str("trailing comma before a closing bracket"),
            JsonErrorKind::InvalidNumber => f.write_str(
                "invalid number (expected digits, no leading zero, \
                 digits after '.' and after the exponent marker)",
            ),
            JsonErrorKind::InvalidEscape => {
                f.write_str("invalid escape in a string (expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u)")
            }
            JsonErrorKind::InvalidUnicodeEscape => f.write_str("invalid \\u escape (expected four hexadecimal digits)"),
            JsonErrorKind::LoneSurrogate => f.write_str("unpaired UTF-16 surrogate in a \\u escape"),
            JsonErrorKind::ControlCharacterInString => f.write_str("unescaped control character in a string"),
            JsonErrorKind::TrailingCharacters => f.write_str("unexpected characters after the JSON value"),
            JsonErrorKind::TooDeep => write!(f, "arrays and objects nested deeper than {} levels", super::MAX_DEPTH),
            JsonErrorKind::InvalidUtf8 => f.write_str("invalid UTF-8"),
        }
    }
}

/// What the parser expected when it met an unexpected character or the end
/// of the input (payload of [`JsonErrorKind::UnexpectedCharacter`] and
/// [`JsonErrorKind::UnexpectedEnd`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Expected {
    /// Any JSON value.
    Value,
    /// A value or `]` (just after `[`).
    ValueOrArrayEnd,
    /// `,` or `]` after an array element.
    CommaOrArrayEnd,
    /// A string key or `}` (just after `{`).
    KeyOrObjectEnd,
    /// A string key (after `,` in an object).
    Key,
    /// `:` after an object key.
    Colon,
    /// `,` or `}` after an object member.
    CommaOrObjectEnd,
    /// The closing `"` of a string.
    StringEnd,
    /// The rest of an escape sequence in a string.
    Escape,
    /// The rest of a `true`, `false` or `null` literal.
    Literal,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::Value => "a value",
            Expected::ValueOrArrayEnd => "a value or ']'",
            Expected::CommaOrArrayEnd => "',' or ']' after an array element",
            Expected::KeyOrObjectEnd => "a string key or '}'",
            Expected::Key => "a string key",
            Expected::Colon => "':' after an object key",
            Expected::CommaOrObjectEnd => "',' or '}' after an object member",
            Expected::StringEnd => "a closing '\"'",
            Expected::Escape => "the rest of an escape sequence",
            Expected::Literal => "'true', 'false' or 'null'",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_characters_and_lines() {
        let text = "{\n  \"é\": x".as_bytes();
        let at = text.iter().position(|&b| b == b'x').unwrap_or(0);
        let err = JsonError::at(text, 0, JsonErrorKind::TrailingCharacters, at);
        assert_eq!((err.line, err.column), (2, 8));
    }

    #[test]
    fn bom_is_not_a_column() {
        let text = "\u{feff}[x".as_bytes();
        let err = JsonError::at(text, 3, JsonErrorKind::TrailingCharacters, 4);
        assert_eq!((err.offset, err.line, err.column), (4, 1, 2));
    }
}
