//! The lossless JSON tree and its accessors.

use std::borrow::Cow;

/// A JSON value borrowed from its source text where possible.
///
/// Unlike `serde_json::Value` it keeps everything FHIR needs to round-trip
/// a resource exactly:
///
/// * numbers as their source text (`1.30` stays `1.30`, `1e2` stays `1e2`),
/// * object members in input order,
/// * duplicate keys (all of them; see [`Json::duplicate_keys`] to report them),
/// * `null`s inside arrays (FHIR primitive-extension arrays such as
///   `"_given": [null, {"id": "x"}]`).
///
/// Strings hold their unescaped text; those without escapes borrow from the
/// input ([`Cow::Borrowed`]), the others are owned.
///
/// Values built by hand must keep [`Json::Number`] text valid (see
/// [`is_valid_number`](super::is_valid_number)): the writers emit it verbatim.
/// Trees that [`parse`](super::parse) returns are at most
/// [`MAX_DEPTH`](super::MAX_DEPTH) deep; the recursive writers, `Clone`,
/// `PartialEq` and `Drop` may overflow the stack on hand-built trees that are
/// many thousands of levels deep.
///
/// # Example
///
/// ```
/// use emr_core::json::{parse, Json};
///
/// let v = parse(r#"{"valueDecimal": 1.30, "given": ["A", null]}"#)?;
/// assert_eq!(v.get("valueDecimal").and_then(Json::as_number_text), Some("1.30"));
/// assert_eq!(v.to_compact_string(), r#"{"valueDecimal":1.30,"given":["A",null]}"#);
/// # Ok::<(), emr_core::json::JsonError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// The number exactly as written (validated against the RFC 8259 grammar
    /// when parsed).
    Number(Cow<'a, str>),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// Members in input order; duplicate keys are kept.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The value of the first member named `key`, if `self` is an object.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse(r#"{"a": 1, "a": 2}"#)?;
    /// assert_eq!(v.get("a").and_then(|n| n.as_number_text()), Some("1"));
    /// assert!(v.get("b").is_none());
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        self.as_object()?.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The values of all members named `key`, in input order (more than one
    /// only when the key is duplicated). Empty if `self` is not an object.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse(r#"{"a": 1, "b": 0, "a": 2}"#)?;
    /// let all: Vec<_> = v.get_all("a").filter_map(|n| n.as_number_text()).collect();
    /// assert_eq!(all, ["1", "2"]);
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn get_all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s Json<'a>> + 's {
        self.as_object().unwrap_or_default().iter().filter(move |(k, _)| k == key).map(|(_, v)| v)
    }

    /// The unescaped text, if `self` is a string.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse(r#""a\"b""#)?;
    /// assert_eq!(v.as_str(), Some("a\"b"));
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if `self` is an array.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse("[1, null]")?;
    /// assert_eq!(v.as_array().map(<[_]>::len), Some(2));
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members in input order (duplicates included), if `self` is an
    /// object.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse(r#"{"b": 1, "a": 2}"#)?;
    /// let keys: Vec<&str> = v.as_object().unwrap_or_default().iter().map(|(k, _)| &**k).collect();
    /// assert_eq!(keys, ["b", "a"]);
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The number text exactly as written, if `self` is a number.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse("1.30")?;
    /// assert_eq!(v.as_number_text(), Some("1.30"));
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn as_number_text(&self) -> Option<&str> {
        match self {
            Json::Number(text) => Some(text),
            _ => None,
        }
    }

    /// The number as the nearest `f64` (correctly rounded, so it may lose
    /// precision). `None` if `self` is not a number or its magnitude is too
    /// large for a finite `f64` (`1e400`).
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::json::parse;
    ///
    /// assert_eq!(parse("1.30")?.as_f64(), Some(1.3));
    /// assert_eq!(parse("1e400")?.as_f64(), None);
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number_text()?.parse::<f64>().ok().filter(|f| f.is_finite())
    }

    /// The number as an `i64`, if it is written as an integer (no fraction,
    /// no exponent) that fits.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::json::parse;
    ///
    /// assert_eq!(parse("-42")?.as_i64(), Some(-42));
    /// assert_eq!(parse("4.0")?.as_i64(), None);
    /// assert_eq!(parse("12345678901234567890123")?.as_i64(), None);
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number_text()?.parse().ok()
    }

    /// The number as a `u64`, if it is written as a non-negative integer (no
    /// fraction, no exponent) that fits.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::json::parse;
    ///
    /// assert_eq!(parse("18446744073709551615")?.as_u64(), Some(u64::MAX));
    /// assert_eq!(parse("-1")?.as_u64(), None);
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn as_u64(&self) -> Option<u64> {
        self.as_number_text()?.parse().ok()
    }

    /// The boolean, if `self` is `true` or `false`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(emr_core::json::parse("true")?.as_bool(), Some(true));
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// Whether `self` is `null`.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(emr_core::json::parse("null")?.is_null());
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// Copies every borrowed string so the value no longer borrows the input.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::json::{parse, Json};
    ///
    /// let owned: Json<'static> = {
    ///     let text = String::from(r#"{"a": [1.0, "x"]}"#);
    ///     parse(&text)?.into_owned()
    /// };
    /// assert_eq!(owned.to_compact_string(), r#"{"a":[1.0,"x"]}"#);
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn into_owned(self) -> Json<'static> {
        match self {
            Json::Null => Json::Null,
            Json::Bool(b) => Json::Bool(b),
            Json::Number(text) => Json::Number(Cow::Owned(text.into_owned())),
            Json::String(text) => Json::String(Cow::Owned(text.into_owned())),
            Json::Array(items) => Json::Array(items.into_iter().map(Json::into_owned).collect()),
            Json::Object(members) => {
                Json::Object(members.into_iter().map(|(k, v)| (Cow::Owned(k.into_owned()), v.into_owned())).collect())
            }
        }
    }
}
