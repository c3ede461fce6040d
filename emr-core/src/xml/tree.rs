//! The read-only tree a parsed document is: nodes in document order, linked to parent, first
//! child and next sibling, with elements' attributes and namespaces.

use std::borrow::Cow;

/// No node (links in the tree).
pub(super) const NONE: u32 = u32::MAX;
/// The namespace index of "no namespace".
pub(super) const NO_NS: u32 = 0;
/// The namespace index of the `xml` prefix's namespace.
pub(super) const XML_NS_IDX: u32 = 1;

/// A parsed document: its nodes in document order (node 0 is the document itself).
pub(crate) struct Document<'i> {
    pub(super) nodes: Vec<NodeData<'i>>,
    pub(super) attrs: Vec<Attr<'i>>,
    /// Namespace names by index: 0 is none, 1 is `xml`'s; then one per declaration.
    pub(super) namespaces: Vec<Cow<'i, str>>,
    /// The elements with an `ID` attribute, in document order.
    pub(super) with_id: Vec<u32>,
    /// The prefixes used without a declaration and bound to their well-known namespace.
    pub(super) implicit: Vec<Implicit>,
}

/// A prefix used without a declaration and bound to its well-known namespace (`xsi`, `sdtc`).
pub(super) struct Implicit {
    pub(super) prefix: &'static str,
    /// Its namespace index.
    pub(super) ns: u32,
    /// The first element using it (in its name or an attribute's).
    pub(super) node: u32,
}

pub(super) struct NodeData<'i> {
    pub(super) parent: u32,
    pub(super) first_child: u32,
    pub(super) next_sibling: u32,
    /// The node after this node's last descendant.
    pub(super) subtree_end: u32,
    pub(super) kind: Kind<'i>,
}

pub(super) enum Kind<'i> {
    Root,
    Element {
        local: &'i str,
        /// In the HL7 v3 namespace or in none.
        v3: bool,
        /// The namespace index ([`NO_NS`] for none).
        ns: u32,
        attrs: (u32, u32),
    },
    Text(Cow<'i, str>),
}

pub(super) struct Attr<'i> {
    pub(super) ns: u32,
    pub(super) local: &'i str,
    pub(super) value: Cow<'i, str>,
}

/// What stands in for a node that does not exist (never reached: ids come from the tree).
static MISSING: NodeData<'static> =
    NodeData { parent: NONE, first_child: NONE, next_sibling: NONE, subtree_end: 0, kind: Kind::Root };

impl<'i> Document<'i> {
    /// The root element.
    pub(crate) fn root_element<'a>(&'a self) -> Node<'a, 'i> {
        let root = Node { doc: self, id: 0 };
        root.children().find(|n| n.is_element()).unwrap_or(root)
    }

    /// The elements with an `ID` attribute (the targets of narrative references), in document
    /// order.
    pub(crate) fn with_id<'a>(&'a self) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
        self.with_id.iter().map(move |&id| Node { doc: self, id })
    }

    /// The prefixes (`xsi`, `sdtc`) the document uses without declaring them, which the parser
    /// bound to their well-known namespaces, each with the first element using it.
    pub(crate) fn implicit_prefixes<'a>(&'a self) -> impl Iterator<Item = (&'static str, Node<'a, 'i>)> + 'a {
        self.implicit.iter().map(move |b| (b.prefix, Node { doc: self, id: b.node }))
    }

    /// Every node in document order (the document node first).
    #[cfg(test)]
    pub(crate) fn descendants<'a>(&'a self) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
        Node { doc: self, id: 0 }.descendants()
    }
}

/// A node of a [`Document`]: the document, an element or a text.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a, 'i> {
    doc: &'a Document<'i>,
    id: u32,
}

/// An element's name.
#[derive(Clone, Copy)]
pub(crate) struct TagName<'a> {
    name: &'a str,
}

impl<'a> TagName<'a> {
    /// The local name.
    pub(crate) fn name(self) -> &'a str {
        self.name
    }
}

impl<'a, 'i> Node<'a, 'i> {
    pub(super) fn data(self) -> &'a NodeData<'i> {
        self.doc.nodes.get(self.id as usize).unwrap_or(&MISSING)
    }

    fn at(self, id: u32) -> Option<Node<'a, 'i>> {
        (id != NONE).then_some(Node { doc: self.doc, id })
    }

    /// The node `id` of the same document.
    pub(super) fn at_index(self, id: u32) -> Node<'a, 'i> {
        Node { doc: self.doc, id }
    }

    /// The node's position in document order (unique in its document).
    pub(crate) fn index(self) -> usize {
        self.id as usize
    }

    /// Whether this is an element.
    pub(crate) fn is_element(&self) -> bool {
        matches!(self.data().kind, Kind::Element { .. })
    }

    /// Whether this is a text.
    pub(crate) fn is_text(&self) -> bool {
        matches!(self.data().kind, Kind::Text(_))
    }

    /// An element's name (empty for other nodes).
    pub(crate) fn tag_name(self) -> TagName<'a> {
        match &self.data().kind {
            Kind::Element { local, .. } => TagName { name: local },
            _ => TagName { name: "" },
        }
    }

    pub(super) fn namespace(self, ns: u32) -> Option<&'a str> {
        if ns == NO_NS {
            return None;
        }
        self.doc.namespaces.get(ns as usize).map(|n| &**n)
    }

    /// An element's namespace name (`None` for no namespace and for other nodes).
    pub(crate) fn namespace_uri(self) -> Option<&'a str> {
        match self.data().kind {
            Kind::Element { ns, .. } => self.namespace(ns),
            _ => None,
        }
    }

    /// Whether this is the element `name` in the HL7 v3 namespace or in none.
    pub(crate) fn is_v3(self, name: &str) -> bool {
        matches!(&self.data().kind, Kind::Element { local, v3: true, .. } if same(local, name))
    }

    /// A text's text (`None` for other nodes).
    pub(crate) fn text(self) -> Option<&'a str> {
        match &self.data().kind {
            Kind::Text(t) => Some(t),
            _ => None,
        }
    }

    pub(super) fn attrs(self) -> &'a [Attr<'i>] {
        match self.data().kind {
            Kind::Element { attrs: (from, to), .. } => {
                self.doc.attrs.get(from as usize..to as usize).unwrap_or_default()
            }
            _ => &[],
        }
    }

    /// The value of the attribute `name` in no namespace.
    pub(crate) fn attribute(self, name: &str) -> Option<&'a str> {
        self.attrs().iter().find(|a| a.ns == NO_NS && same(a.local, name)).map(|a| &*a.value)
    }

    /// The value of the attribute `name` in namespace `ns`.
    pub(crate) fn attribute_ns(self, ns: &str, name: &str) -> Option<&'a str> {
        self.attrs()
            .iter()
            .find(|a| a.local == name && a.ns != NO_NS && self.namespace(a.ns) == Some(ns))
            .map(|a| &*a.value)
    }

    /// The parent node.
    pub(crate) fn parent(self) -> Option<Node<'a, 'i>> {
        self.at(self.data().parent)
    }

    /// The node and its ancestors, nearest first.
    pub(crate) fn ancestors(self) -> impl Iterator<Item = Node<'a, 'i>> {
        std::iter::successors(Some(self), |n| n.parent())
    }

    /// The child nodes.
    pub(crate) fn children(self) -> impl Iterator<Item = Node<'a, 'i>> {
        std::iter::successors(self.at(self.data().first_child), |n| n.at(n.data().next_sibling))
    }

    /// The node and its descendants in document order.
    pub(crate) fn descendants(self) -> impl Iterator<Item = Node<'a, 'i>> {
        let doc = self.doc;
        (self.id..self.data().subtree_end.max(self.id + 1)).map(move |id| Node { doc, id })
    }
}

/// String equality for the short names compared here (a loop beats a call to `memcmp`).
pub(super) fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
}
