//! A hand-written recursive-descent parser for the case-sensitive UCUM
//! grammar (UCUM §§1–10 and its Backus-Naur form):
//!
//! ```text
//! main-term   ::= "/" term | term
//! term        ::= term "." component | term "/" component | component
//! component   ::= annotatable annotation | annotatable | annotation
//!               | factor | "(" term ")"
//! annotatable ::= simple-unit exponent | simple-unit
//! simple-unit ::= ATOM | PREFIX ATOM[metric]
//! exponent    ::= ["+" | "-"] digits
//! factor      ::= digits
//! annotation  ::= "{" ASCII 33–126 except braces "}"
//! ```
//!
//! A leading `/` inverts the component that directly follows it (§7.3), so
//! `/[pi].A/m` is `(1/[pi]).A/m`; the terms are then evaluated left to right.
//! Following the ANTLR grammar published with UCUM, a factor may also carry
//! an exponent (`2+10` is 2¹⁰, §9) and an annotation. Square brackets belong
//! to atoms and may hold any character 33–126 (§5). An exponent after a
//! closing parenthesis is not allowed (stricken from §10). `10*` and `10^`
//! must carry an exponent.
//!
//! Limits keep every input cheap and safe: at most [`MAX_LEN`] bytes,
//! exponents within ±[`MAX_EXPONENT`], parentheses at most [`MAX_DEPTH`]
//! deep.

use super::canonical::Canonical;
use super::error::{UcumError, UcumErrorKind as Kind};
use super::prefix::PREFIXES;
use super::table::AtomSource;

/// The longest expression accepted, in bytes.
pub const MAX_LEN: usize = 1000;
/// The largest exponent magnitude accepted.
pub const MAX_EXPONENT: i32 = 99;
/// The deepest nesting of parentheses accepted.
pub const MAX_DEPTH: usize = 32;

/// Parses `expr` to base units, finding atoms in `atoms`.
pub(crate) fn parse(expr: &str, atoms: &dyn AtomSource) -> Result<Canonical, UcumError> {
    if expr.is_empty() {
        return Err(UcumError::new(Kind::Empty, 0));
    }
    if expr.len() > MAX_LEN {
        return Err(UcumError::new(Kind::TooLong, MAX_LEN));
    }
    let mut parser = Parser { bytes: expr.as_bytes(), pos: 0, depth: 0, atoms };
    let canonical = parser.main_term()?;
    if !(canonical.factor.is_finite() && canonical.factor > 0.0) {
        return Err(UcumError::new(Kind::OutOfRange, 0));
    }
    Ok(canonical)
}

struct Parser<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    atoms: &'a dyn AtomSource,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn error(&self, kind: Kind, at: usize) -> UcumError {
        UcumError::new(kind, at)
    }

    fn main_term(&mut self) -> Result<Canonical, UcumError> {
        let term = if self.peek() == Some(b'/') {
            // "/x.y" is "1/x.y": the solidus inverts the next component only.
            self.term_from(Canonical::one())?
        } else {
            let first = self.component()?;
            self.term_from(first)?
        };
        match self.peek() {
            None => Ok(term),
            Some(b')') => Err(self.error(Kind::UnmatchedParenthesis, self.pos)),
            Some(b']') => Err(self.error(Kind::UnmatchedBracket, self.pos)),
            Some(_) => Err(self.error(Kind::UnexpectedChar, self.pos)),
        }
    }

    /// Continues a term whose value so far is `acc` with `.x` and `/x`.
    fn term_from(&mut self, mut acc: Canonical) -> Result<Canonical, UcumError> {
        loop {
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    acc = acc.times(self.component()?);
                }
                Some(b'/') => {
                    self.pos += 1;
                    acc = acc.times(self.component()?.inverse());
                }
                _ => return Ok(acc),
            }
        }
    }

    fn term(&mut self) -> Result<Canonical, UcumError> {
        let first = self.component()?;
        self.term_from(first)
    }

    fn component(&mut self) -> Result<Canonical, UcumError> {
        match self.peek() {
            None | Some(b'.' | b'/' | b')') => Err(self.error(Kind::MissingComponent, self.pos)),
            Some(b'(') => {
                let open = self.pos;
                if self.depth >= MAX_DEPTH {
                    return Err(self.error(Kind::TooDeep, open));
                }
                self.pos += 1;
                self.depth += 1;
                let inner = self.term()?;
                if self.peek() != Some(b')') {
                    return Err(self.error(Kind::UnmatchedParenthesis, open));
                }
                self.pos += 1;
                self.depth -= 1;
                Ok(inner)
            }
            Some(b'{') => {
                self.annotation()?;
                Ok(Canonical::one())
            }
            Some(_) => {
                let unit = self.simple_unit()?;
                if self.peek() == Some(b'{') {
                    self.annotation()?;
                }
                Ok(unit)
            }
        }
    }

    /// Skips `{…}`; annotations carry no meaning.
    fn annotation(&mut self) -> Result<(), UcumError> {
        let open = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => return Err(self.error(Kind::UnclosedAnnotation, open)),
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'{') => return Err(self.error(Kind::AnnotationChar, self.pos)),
                Some(33..=126) => self.pos += 1,
                Some(_) => return Err(self.error(Kind::AnnotationChar, self.pos)),
            }
        }
    }

    /// A symbol with its optional exponent: an atom, a prefixed atom or a
    /// number.
    fn simple_unit(&mut self) -> Result<Canonical, UcumError> {
        let start = self.pos;
        // Where the part after the last `]` begins: exponents live there.
        let mut tail = start;
        while let Some(b) = self.peek() {
            match b {
                b'[' => {
                    self.bracket()?;
                    tail = self.pos;
                }
                b']' => return Err(self.error(Kind::UnmatchedBracket, self.pos)),
                b'.' | b'/' | b'(' | b')' | b'{' | b'}' => break,
                33..=126 => self.pos += 1,
                _ => return Err(self.error(Kind::UnexpectedChar, self.pos)),
            }
        }
        let end = self.pos;
        if end == start {
            return Err(self.error(Kind::UnexpectedChar, start));
        }
        let symbol = self.bytes.get(start..end).unwrap_or_default();
        let split = split_exponent(symbol, end - tail);
        if split.dangling_sign {
            return Err(self.error(Kind::BadExponent, end - 1));
        }
        let base = symbol.get(..split.base_len).unwrap_or_default();
        if base.is_empty() {
            // Only digits, or a sign with nothing before it ("-3").
            return if symbol.first().is_some_and(u8::is_ascii_digit) {
                Ok(Canonical::number(number(symbol)))
            } else {
                Err(self.error(Kind::BadExponent, start))
            };
        }
        let exponent = match split.exponent {
            None => None,
            Some(text) => {
                Some(parse_exponent(text).ok_or_else(|| self.error(Kind::BadExponent, start + split.base_len))?)
            }
        };
        let unit = if base.iter().all(u8::is_ascii_digit) {
            Canonical::number(number(base))
        } else {
            self.atom(base, start, end, exponent.is_some())?
        };
        Ok(match exponent {
            Some(e) => unit.pow(e),
            None => unit,
        })
    }

    /// Skips `[…]`, which may hold any character 33–126 but `[`.
    fn bracket(&mut self) -> Result<(), UcumError> {
        let open = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'[') | None => return Err(self.error(Kind::UnclosedBracket, open)),
                Some(33..=126) => self.pos += 1,
                Some(_) => return Err(self.error(Kind::UnclosedBracket, open)),
            }
        }
    }

    /// Resolves `symbol` (at `start..end`) to an atom, with a prefix if
    /// needed.
    fn atom(&self, symbol: &[u8], start: usize, end: usize, has_exponent: bool) -> Result<Canonical, UcumError> {
        let text = core::str::from_utf8(symbol).map_err(|_| self.error(Kind::UnexpectedChar, start))?;
        let (prefix, index) = self.split_prefix(text, start)?;
        let def = self.atoms.def(index).ok_or_else(|| self.error(Kind::UnknownAtom, start))?;
        if !has_exponent && matches!(def.code, "10*" | "10^") {
            return Err(self.error(Kind::MissingExponent, end));
        }
        let mut unit = self.atoms.canonical(index).ok_or_else(|| self.error(Kind::UnknownAtom, start))?;
        if let Some(factor) = prefix {
            unit.factor *= factor;
            if let Some(special) = unit.special.as_mut() {
                special.prefix = factor;
            }
        }
        Ok(unit)
    }

    /// Finds the atom of `text`: the whole of it, or a prefix followed by a
    /// metric atom (the longest prefix first, UCUM §4).
    fn split_prefix(&self, text: &str, start: usize) -> Result<(Option<f64>, usize), UcumError> {
        if let Some(index) = self.atoms.find(text) {
            return Ok((None, index));
        }
        let mut non_metric = false;
        for prefix in PREFIXES {
            let Some(rest) = text.strip_prefix(prefix.code) else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            if let Some(index) = self.atoms.find(rest) {
                if self.atoms.def(index).is_some_and(|def| def.metric) {
                    return Ok((Some(prefix.factor), index));
                }
                non_metric = true;
            }
        }
        let kind = if non_metric { Kind::PrefixOnNonMetric } else { Kind::UnknownAtom };
        Err(self.error(kind, start))
    }
}

/// A symbol split into its base and exponent.
struct Split<'a> {
    /// Length of the part before the exponent.
    base_len: usize,
    /// The exponent with its sign, if there are trailing digits.
    exponent: Option<&'a [u8]>,
    /// True when the symbol ends with a sign and no digits.
    dangling_sign: bool,
}

/// Splits trailing `[+-]digits` off `symbol`, looking only at its last
/// `tail_len` bytes (after any square bracket).
fn split_exponent(symbol: &[u8], tail_len: usize) -> Split<'_> {
    let tail_start = symbol.len().saturating_sub(tail_len);
    let mut digits_start = symbol.len();
    while digits_start > tail_start && symbol.get(digits_start - 1).is_some_and(u8::is_ascii_digit) {
        digits_start -= 1;
    }
    if digits_start == symbol.len() {
        let dangling_sign = tail_len > 0 && matches!(symbol.last(), Some(b'+' | b'-'));
        return Split { base_len: symbol.len(), exponent: None, dangling_sign };
    }
    let signed = digits_start > tail_start && matches!(symbol.get(digits_start - 1), Some(b'+' | b'-'));
    let base_len = if signed { digits_start - 1 } else { digits_start };
    Split { base_len, exponent: symbol.get(base_len..), dangling_sign: false }
}

/// `[+-]digits` within ±[`MAX_EXPONENT`].
fn parse_exponent(text: &[u8]) -> Option<i32> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    let mut value: i32 = 0;
    for &d in digits {
        value = value * 10 + i32::from(d.checked_sub(b'0')?);
    }
    if value > MAX_EXPONENT {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// The value of a string of ASCII digits (a factor).
fn number(digits: &[u8]) -> f64 {
    digits.iter().fold(0.0, |acc, &d| acc * 10.0 + f64::from(d.saturating_sub(b'0')))
}
