//! JSON Pointer (RFC 6901): lookup and token escaping.

use std::borrow::Cow;

use super::value::Json;

impl<'a> Json<'a> {
    /// Looks up a value by JSON Pointer (RFC 6901, plain string form, not the
    /// URI fragment form).
    ///
    /// `""` is the whole value; otherwise the pointer must start with `/` and
    /// each token is unescaped (`~1` → `/`, `~0` → `~`). An object token picks
    /// the *first* member with that key. An array token must be a decimal
    /// index without leading zeros; `-` (past the end) never matches.
    /// Returns `None` for a malformed pointer or a missing value.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse(r#"{"a/b": [10, {"m~n": true}]}"#)?;
    /// assert_eq!(v.pointer("/a~1b/1/m~0n").and_then(|b| b.as_bool()), Some(true));
    /// assert_eq!(v.pointer("/a~1b/0").and_then(|n| n.as_number_text()), Some("10"));
    /// assert!(v.pointer("/a~1b/01").is_none());
    /// assert!(v.pointer("a").is_none());
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn pointer(&self, ptr: &str) -> Option<&Json<'a>> {
        if ptr.is_empty() {
            return Some(self);
        }
        let mut current = self;
        for token in ptr.strip_prefix('/')?.split('/') {
            current = match current {
                Json::Object(members) => {
                    let key = unescape_token(token)?;
                    members.iter().find(|(k, _)| **k == *key).map(|(_, v)| v)?
                }
                Json::Array(items) => items.get(parse_index(token)?)?,
                _ => return None,
            };
        }
        Some(current)
    }
}

/// Escapes one reference token for a JSON Pointer: `~` → `~0`, `/` → `~1`.
///
/// # Example
///
/// ```
/// use emr_core::json::escape_pointer_token;
///
/// assert_eq!(escape_pointer_token("a/b~c"), "a~1b~0c");
/// assert_eq!(format!("/{}", escape_pointer_token("_given")), "/_given");
/// ```
pub fn escape_pointer_token(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped_token(&mut out, token);
    out
}

/// Appends `/i` to a JSON pointer (without the formatting machinery).
pub(crate) fn push_index(path: &mut String, mut i: usize) {
    path.push('/');
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            // `i % 10` is below 10.
            *d = b'0' + (i % 10) as u8;
        }
        i /= 10;
        if i == 0 || start == 0 {
            break;
        }
    }
    for &d in digits.get(start..).unwrap_or_default() {
        path.push(char::from(d));
    }
}

/// Appends `token` escaped as in [`escape_pointer_token`].
pub(crate) fn push_escaped_token(out: &mut String, token: &str) {
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Unescapes a reference token; `None` if a `~` is not followed by `0` or `1`.
fn unescape_token(token: &str) -> Option<Cow<'_, str>> {
    if !token.contains('~') {
        return Some(Cow::Borrowed(token));
    }
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(Cow::Owned(out))
}

/// An RFC 6901 array index: `0` or a digit 1-9 followed by digits.
fn parse_index(token: &str) -> Option<usize> {
    let valid = match token.as_bytes() {
        [b'0'] => true,
        [b'1'..=b'9', rest @ ..] => rest.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if valid {
        token.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexes_extend_pointers() {
        for i in [0, 7, 9, 10, 99, 100, 255, 256, 12345, usize::MAX] {
            let mut path = String::from("/a");
            push_index(&mut path, i);
            assert_eq!(path, format!("/a/{i}"));
        }
    }

    #[test]
    fn tokens() {
        assert_eq!(unescape_token("a~1b~0c").as_deref(), Some("a/b~c"));
        assert_eq!(unescape_token("~01").as_deref(), Some("~1"));
        assert_eq!(unescape_token("a~2"), None);
        assert_eq!(unescape_token("a~"), None);
        assert_eq!(parse_index("0"), Some(0));
        assert_eq!(parse_index("12"), Some(12));
        assert_eq!(parse_index("012"), None);
        assert_eq!(parse_index("-"), None);
        assert_eq!(parse_index("+1"), None);
        assert_eq!(parse_index("99999999999999999999999"), None);
    }
}
