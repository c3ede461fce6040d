//! XPath-like locations of elements, for messages that point into the source document.

use super::tree::Node;

/// XPath-like locations of elements: names from the root, with a 1-based position where an
/// element has siblings of the same name (`/ClinicalDocument/component/structuredBody/component[3]/section`).
///
/// The positions among an element's children are computed once, the first time one of them is
/// on a location's path, so a location costs at most its depth, not the number of its siblings
/// (a section with many thousand entries stays linear), and parts of the document no location
/// passes through cost nothing. The steps a location shares with the one asked before are not
/// written again (locations are mostly asked in document order).
pub(crate) struct Locations {
    /// Per node id: the position among same-named element siblings, 0 when it has none.
    position: Vec<u32>,
    /// Per node id: whether its children's positions are in `position`.
    done: Vec<bool>,
    /// The last location given, as its elements (root first) with the length of the location
    /// up to each: locations asked for in document order share most of their steps.
    steps: Vec<(u32, usize)>,
    last: String,
    /// The elements between a node and the last location's steps (scratch).
    pending: Vec<u32>,
}

impl Locations {
    pub(crate) fn new() -> Locations {
        Locations {
            position: Vec::new(),
            done: Vec::new(),
            steps: Vec::new(),
            last: String::new(),
            pending: Vec::new(),
        }
    }

    /// Fill in the positions of the element children of `parent`.
    fn compute(&mut self, parent: Node<'_, '_>) {
        let at = parent.index();
        if self.done.get(at).copied().unwrap_or(false) {
            return;
        }
        if self.done.len() <= at {
            self.done.resize(at + 1, false);
        }
        if let Some(slot) = self.done.get_mut(at) {
            *slot = true;
        }
        // Element names among the children, with how many carry each: few distinct names, so
        // a short list beats a map.
        let mut counts: Vec<(&str, u32, u32)> = Vec::new();
        for c in parent.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            match counts.iter_mut().find(|(n, _, _)| *n == name) {
                Some(entry) => entry.1 += 1,
                None => counts.push((name, 1, 0)),
            }
        }
        for c in parent.children().filter(Node::is_element) {
            let name = c.tag_name().name();
            let Some(entry) = counts.iter_mut().find(|(n, _, _)| *n == name) else { continue };
            entry.2 += 1;
            if entry.1 > 1 {
                let id = c.index();
                if self.position.len() <= id {
                    self.position.resize(id + 1, 0);
                }
                if let Some(slot) = self.position.get_mut(id) {
                    *slot = entry.2;
                }
            }
        }
    }

    /// The location of `node`: the last location's steps it shares (its nearest ancestor among
    /// them), then its own.
    pub(crate) fn of(&mut self, node: Node<'_, '_>) -> String {
        self.pending.clear();
        let mut keep = 0;
        for n in node.ancestors().filter(Node::is_element) {
            let id = u32::try_from(n.index()).unwrap_or(u32::MAX);
            // The steps' ids grow from the root down.
            if let Ok(k) = self.steps.binary_search_by_key(&id, |&(s, _)| s) {
                keep = k + 1;
                break;
            }
            self.pending.push(id);
        }
        self.steps.truncate(keep);
        self.last.truncate(self.steps.last().map_or(0, |&(_, len)| len));
        let mut pending = std::mem::take(&mut self.pending);
        for &id in pending.iter().rev() {
            let n = node.at_index(id);
            if let Some(parent) = n.parent() {
                self.compute(parent);
            }
            self.last.push('/');
            self.last.push_str(n.tag_name().name());
            match self.position.get(n.index()) {
                Some(&p) if p > 0 => {
                    use std::fmt::Write as _;
                    let _ = write!(self.last, "[{p}]");
                }
                _ => {}
            }
            self.steps.push((id, self.last.len()));
        }
        pending.clear();
        self.pending = pending;
        self.last.clone()
    }
}
