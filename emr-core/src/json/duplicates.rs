//! Finding duplicate object keys (which the tree keeps, never resolves).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::pointer::push_escaped_token;
use super::value::Json;

/// Objects with more members than this use a set instead of pairwise
/// comparison, so huge objects stay O(n log n).
const PAIRWISE_LIMIT: usize = 16;

impl Json<'_> {
    /// JSON Pointers of every object member whose key repeats an earlier key
    /// in the same object, in document order (depth first).
    ///
    /// The first occurrence of a key is not reported; each later one is. The
    /// pointers name paths by key, so when a duplicated member itself holds
    /// duplicates, its pointer resolves (via [`Json::pointer`]) to the first
    /// member of that name, not to the duplicate: use them to report, not to
    /// navigate.
    ///
    /// # Example
    ///
    /// ```
    /// let v = emr_core::json::parse(r#"{"a":1,"a":2,"b":{"c":1,"c":2},"d/e":[{"x":0,"x":1}]}"#)?;
    /// assert_eq!(v.duplicate_keys(), ["/a", "/b/c", "/d~1e/0/x"]);
    /// # Ok::<(), emr_core::json::JsonError>(())
    /// ```
    pub fn duplicate_keys(&self) -> Vec<String> {
        // Most inputs have none: find that out without building any pointer.
        if !any_repeats(self) {
            return Vec::new();
        }
        let mut found = Vec::new();
        let mut path = String::new();
        collect(self, &mut path, &mut found);
        found
    }
}

/// True when some object in `value` repeats a key.
fn any_repeats(value: &Json<'_>) -> bool {
    match value {
        Json::Array(items) => items.iter().any(|item| nested(item) && any_repeats(item)),
        Json::Object(members) => {
            object_repeats(members) || members.iter().any(|(_, item)| nested(item) && any_repeats(item))
        }
        _ => false,
    }
}

/// An array or object: what can hold an object (leaves are not visited at all).
fn nested(value: &Json<'_>) -> bool {
    matches!(value, Json::Array(_) | Json::Object(_))
}

/// True when `members` repeats a key (this object only).
fn object_repeats(members: &[(std::borrow::Cow<'_, str>, Json<'_>)]) -> bool {
    if members.len() > PAIRWISE_LIMIT {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        return members.iter().any(|(key, _)| !seen.insert(key));
    }
    // Each key sets one of 64 bits chosen by its length and first and last bytes: a key whose
    // bit is not set yet differs from every earlier key, and only a key whose bit is set
    // already is compared with the earlier ones (most objects have no such key).
    let mut tags = 0u64;
    members.iter().enumerate().any(|(i, (key, _))| {
        let bytes = key.as_bytes();
        let first = bytes.first().copied().unwrap_or(0);
        let last = bytes.last().copied().unwrap_or(0);
        let bit = 1u64 << ((bytes.len() ^ usize::from(first) ^ usize::from(last) << 2) & 63);
        let seen = tags & bit != 0;
        tags |= bit;
        seen && members.get(..i).unwrap_or_default().iter().any(|(earlier, _)| earlier == key)
    })
}

fn collect(value: &Json<'_>, path: &mut String, found: &mut Vec<String>) {
    match value {
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                if matches!(item, Json::Array(_) | Json::Object(_)) {
                    let len = path.len();
                    let _ = write!(path, "/{i}");
                    collect(item, path, found);
                    path.truncate(len);
                }
            }
        }
        Json::Object(members) => {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let use_set = members.len() > PAIRWISE_LIMIT;
            for (i, (key, item)) in members.iter().enumerate() {
                let duplicate = if use_set {
                    !seen.insert(key)
                } else {
                    members.get(..i).unwrap_or_default().iter().any(|(earlier, _)| earlier == key)
                };
                let nested = matches!(item, Json::Array(_) | Json::Object(_));
                if duplicate || nested {
                    let len = path.len();
                    path.push('/');
                    push_escaped_token(path, key);
                    if duplicate {
                        found.push(path.clone());
                    }
                    collect(item, path, found);
                    path.truncate(len);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::Json;

    #[test]
    fn large_objects_use_the_set() {
        let mut text = String::from("{");
        for i in 0..40 {
            text.push_str(&format!("\"k{}\":{i},", i % 30));
        }
        text.push_str("\"z\":0}");
        let dups = parse(&text).map(|v| v.duplicate_keys()).unwrap_or_default();
        let expected: Vec<String> = (30..40).map(|i| format!("/k{}", i % 30)).collect();
        assert_eq!(dups, expected);
    }

    /// The tag filter only skips comparisons: every small object of keys drawn from a set
    /// with many shared tags (same length, first and last byte) is judged as comparing every
    /// pair judges it.
    #[test]
    fn small_objects_agree_with_pairwise() {
        let keys = ["", "a", "b", "ab", "ba", "axb", "ayb", "code", "cole", "id", "\u{e9}", "x\u{e9}"];
        for seed in 0u64..4000 {
            let mut n = seed;
            let len = (n % 9) as usize;
            let members: Vec<(std::borrow::Cow<'_, str>, Json<'_>)> = (0..len)
                .map(|_| {
                    n = n.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    let key = keys.get((n >> 33) as usize % keys.len()).copied().unwrap_or("");
                    (std::borrow::Cow::Borrowed(key), Json::Null)
                })
                .collect();
            let pairwise = members.iter().enumerate().any(|(i, (k, _))| members.iter().take(i).any(|(e, _)| e == k));
            assert_eq!(super::object_repeats(&members), pairwise, "{members:?}");
        }
    }

    #[test]
    fn no_duplicates() {
        let dups = parse(r#"{"a":[{"b":1},{"b":2}],"c":{"a":1}}"#).map(|v| v.duplicate_keys());
        assert_eq!(dups, Ok(Vec::new()));
    }
}
