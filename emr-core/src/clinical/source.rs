//! How a source is named to a reader.

use crate::model::Source;

/// A source's name as shown to a reader: its display name without the trailing dash some
/// exports append (Synthea's organization names end in ` -`), else its id.
///
/// # Example
/// ```
/// use emr_core::clinical::source_display_name;
/// use emr_core::model::Source;
/// assert_eq!(source_display_name(&Source::new("o1", "PCP12345 -")), "PCP12345");
/// let mut unnamed = Source::new("o2", "");
/// unnamed.name = None;
/// assert_eq!(source_display_name(&unnamed), "o2");
/// ```
pub fn source_display_name(source: &Source) -> &str {
    source
        .name
        .as_deref()
        .map(|n| n.trim().trim_end_matches('-').trim_end())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| source.id.as_str())
}
