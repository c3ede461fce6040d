//! Duplicate clustering across sources: same coded concept (any shared code of the same system)
//! at a compatible time, with kind-specific tolerances.
//!
//! Tolerances follow the HL7 Personal Health Record Format IG's informative ones: conditions
//! ±30 days, medications ±7 days, vital signs ±1 hour, labs ±1 day; immunizations and
//! procedures on the same day. Allergies cluster by substance alone. Kinds without a usable code
//! (notes, claims, coverage, opaque resources…) fold only when their content is identical.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::{Concept, Entry, EntryKind, Keys, Subkind};

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// How entries of one kind are matched in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    /// The concept alone decides (allergies).
    Any,
    /// Times must be within this many seconds; `required`: entries without a time never fold.
    Within { seconds: i64, required: bool },
    /// Only identical content folds.
    Content,
}

fn window(keys: &Keys) -> Window {
    match (keys.kind, keys.subkind) {
        (EntryKind::Allergy, _) => Window::Any,
        (EntryKind::Condition, _) => Window::Within { seconds: 30 * DAY, required: false },
        (EntryKind::Medication, Subkind::MedicationDefinition) => Window::Content,
        (EntryKind::Medication, _) => Window::Within { seconds: 7 * DAY, required: false },
        (EntryKind::Immunization, _) => Window::Within { seconds: 12 * HOUR, required: true },
        (EntryKind::Observation, Subkind::Laboratory) => Window::Within { seconds: DAY, required: true },
        (EntryKind::Observation | EntryKind::Encounter, _) => Window::Within { seconds: HOUR, required: true },
        (EntryKind::Procedure | EntryKind::DiagnosticReport, _) => Window::Within { seconds: DAY, required: true },
        _ => Window::Content,
    }
}

/// Union–find over entry indices.
struct Sets(Vec<usize>);

impl Sets {
    fn find(&mut self, mut i: usize) -> usize {
        while let Some(&p) = self.0.get(i) {
            if p == i {
                break;
            }
            let grand = self.0.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.0.get_mut(i) {
                *slot = grand;
            }
            i = p;
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        // The smaller root wins, so the result does not depend on the order of unions, and a
        // set's root is its smallest index.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        if let Some(slot) = self.0.get_mut(hi) {
            *slot = lo;
        }
    }
}

/// The content key of an entry for kinds that fold only when identical: its resource without
/// `id`, `meta` and narrative, canonically ordered.
fn content_key(e: &Entry) -> String {
    let Ok(tree) = e.resource().json() else { return e.resource().as_str().to_owned() };
    match tree {
        crate::json::Json::Object(members) => crate::json::Json::Object(
            members.into_iter().filter(|(k, _)| !matches!(k.as_ref(), "id" | "meta" | "text")).collect(),
        )
        .to_canonical_string(),
        other => other.to_canonical_string(),
    }
}

/// A multiplicative hash over 8-byte words (in the manner of FxHash): concept keys are short
/// strings, and the map is only looked up, never iterated, so its order cannot reach the output.
#[derive(Default)]
struct WordHash(u64);

const WORD_HASH_K: u64 = 0x517c_c1b7_2722_0a95;

impl WordHash {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(WORD_HASH_K);
    }
}

impl Hasher for WordHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            if let Some(w) = word.get_mut(..rest.len()) {
                w.copy_from_slice(rest);
            }
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// Clusters of duplicates: index lists, each sorted, in order of their first index.
pub(crate) struct Clusters {
    /// Where each cluster starts in `members`; one more than there are clusters.
    starts: Vec<usize>,
    members: Vec<usize>,
}

impl Clusters {
    /// The clusters, in order of their first index.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &[usize]> {
        self.starts.windows(2).filter_map(|w| match w {
            [a, b] => self.members.get(*a..*b),
            _ => None,
        })
    }
}

/// Items numbered `0..n`, by counting: the start of each number's run in the result, and the
/// items' values by number (in item order within a number).
fn counting_sort<T: Copy + Default>(items: impl Iterator<Item = (usize, T)> + Clone, n: usize) -> (Vec<usize>, Vec<T>) {
    let mut starts = vec![0usize; n + 1];
    let mut total = 0;
    for (k, _) in items.clone() {
        if let Some(count) = starts.get_mut(k + 1) {
            *count += 1;
            total += 1;
        }
    }
    for k in 1..starts.len() {
        let prev = starts.get(k - 1).copied().unwrap_or(0);
        if let Some(s) = starts.get_mut(k) {
            *s += prev;
        }
    }
    let mut fill = starts.clone();
    let mut sorted = vec![T::default(); total];
    for (k, value) in items {
        if let Some(at) = fill.get_mut(k) {
            if let Some(slot) = sorted.get_mut(*at) {
                *slot = value;
            }
            *at += 1;
        }
    }
    (starts, sorted)
}

/// One code of an entry: (concept, the entry's interval, the entry).
type Coded = (usize, Option<(i64, i64)>, usize);

/// Group `entries` (sorted by the caller) into clusters of duplicates.
///
/// One pass reads the keys of each entry (`model::keys`), which lie inside the entries, into
/// small records; the rest works on those. Only codes that do not fit in the keys are read from
/// the entry's clinical fields, which are spread over the heap.
pub(crate) fn clusters(entries: &[&Entry]) -> Clusters {
    let n = entries.len();
    let mut sets = Sets((0..n).collect());

    // Each concept gets a dense number in order of first use; the maps only number. Codes that
    // fit in place are keyed by value, the others by their text: which map a code goes to
    // depends on the code alone, so equal codes always meet.
    let mut numbers: HashMap<Concept, usize, BuildHasherDefault<WordHash>> = HashMap::default();
    let mut by_text: HashMap<(EntryKind, &str, &str), usize, BuildHasherDefault<WordHash>> = HashMap::default();
    let mut count = 0;
    // One per code of each entry, in entry order.
    let mut coded: Vec<Coded> = Vec::with_capacity(n + n / 4);
    let mut by_content: BTreeMap<(EntryKind, String), Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let (kind, keys) = (e.kind(), e.keys());
        let before = coded.len();
        if window(keys) != Window::Content {
            let mut add = |concept: usize| coded.push((concept, keys.interval, i));
            match keys.concepts() {
                Some(concepts) => {
                    for c in concepts {
                        add(*numbers.entry(*c).or_insert_with(|| next(&mut count)));
                    }
                }
                None => {
                    let codings = e.clinical().code.iter().flat_map(|cc| cc.codings.iter());
                    for (system, code) in codings.filter_map(|k| Some((k.system.as_deref()?, k.code.as_deref()?))) {
                        let concept = match Concept::of(kind, system, code) {
                            Some(c) => *numbers.entry(c).or_insert_with(|| next(&mut count)),
                            None => *by_text.entry((kind, system, code)).or_insert_with(|| next(&mut count)),
                        };
                        add(concept);
                    }
                }
            }
        }
        if coded.len() == before {
            by_content.entry((kind, content_key(e))).or_default().push(i);
        }
    }
    for members in by_content.values() {
        for pair in members.windows(2) {
            if let [a, b] = pair {
                sets.union(*a, *b);
            }
        }
    }

    // Concept blocks, each in entry order: its first entry decides the window.
    let (block_starts, mut blocks) = counting_sort(coded.iter().map(|&(c, interval, i)| (c, (interval, i))), count);
    for w in block_starts.windows(2) {
        let [a, b] = w else { continue };
        let Some(block) = blocks.get_mut(*a..*b) else { continue };
        let Some(window) = block.first().and_then(|&(_, i)| entries.get(i)).map(|e| window(e.keys())) else { continue };
        link(window, block, &mut sets);
    }

    // Roots are each set's smallest index, so numbering sets in index order numbers them in
    // order of their first index.
    let mut cluster_of = vec![0usize; n];
    let mut clusters = 0;
    for i in 0..n {
        let root = sets.find(i);
        let c = if root == i {
            clusters += 1;
            clusters - 1
        } else {
            cluster_of.get(root).copied().unwrap_or(0)
        };
        if let Some(slot) = cluster_of.get_mut(i) {
            *slot = c;
        }
    }
    let (starts, members) = counting_sort(cluster_of.iter().copied().enumerate().map(|(i, c)| (c, i)), clusters);
    Clusters { starts, members }
}

/// The next dense number.
fn next(count: &mut usize) -> usize {
    *count += 1;
    *count - 1
}

/// Link the entries of one concept block (given in entry order, with their intervals) whose
/// times are compatible: sweep in start order, joining an entry to the running chain when it
/// starts within the window after the chain's latest end.
fn link(window: Window, block: &mut [(Option<(i64, i64)>, usize)], sets: &mut Sets) {
    match window {
        Window::Any | Window::Content => {
            for pair in block.windows(2) {
                if let [(_, a), (_, b)] = pair {
                    sets.union(*a, *b);
                }
            }
        }
        Window::Within { seconds, required } => {
            // Timed entries by (start, end, entry), then the untimed ones in entry order.
            block.sort_unstable_by_key(|&(interval, i)| (interval.is_none(), interval, i));
            let timed = block.iter().take_while(|(interval, _)| interval.is_some()).count();
            let (timed, untimed) = block.split_at(timed);
            let mut chain: Option<(i64, usize)> = None;
            for &(interval, i) in timed {
                let Some((start, end)) = interval else { continue };
                chain = match chain {
                    Some((latest, head)) if start.saturating_sub(latest) <= seconds => {
                        sets.union(head, i);
                        Some((latest.max(end), head))
                    }
                    _ => Some((end, i)),
                };
            }
            // Without a time, an entry of a kind where time is optional joins its concept.
            if !required {
                if let Some(&(_, anchor)) = timed.first().or_else(|| untimed.first()) {
                    for &(_, i) in untimed {
                        sets.union(anchor, i);
                    }
                }
            }
        }
    }
}
