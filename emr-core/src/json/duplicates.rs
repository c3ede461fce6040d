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
        Json::Array(items) => items.iter().any(any_repeats),
        Json::Object(members) => {
            let repeats = if members.len() > PAIRWISE_LIMIT {
                let mut seen: BTreeSet<&str> = BTreeSet::new();
                members.iter().any(|(key, _)| !seen.insert(key))
            } else {
                // Lengths and first bytes rule out most pairs before the bytes are compared.
                let same =
                    |a: &str, b: &str| a.len() == b.len() && a.as_bytes().first() == b.as_bytes().first() && a == b;
                members.iter().enumerate().any(|(i, (key, _))| {
                    members.get(..i).unwrap_or_default().iter().any(|(earlier, _)| same(earlier, key))
                })
            };
            repeats || members.iter().any(|(_, item)| any_repeats(item))
        }
        _ => false,
    }
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

    #[test]
    fn no_duplicates() {
        let dups = parse(r#"{"a":[{"b":1},{"b":2}],"c":{"a":1}}"#).map(|v| v.duplicate_keys());
        assert_eq!(dups, Ok(Vec::new()));
    }
}
