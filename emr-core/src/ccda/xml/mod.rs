//! The XML layer: parsing with limits into a small read-only tree, and accessors over HL7 v3
//! elements.
//!
//! One concept a file: the tree ([`tree`]), the parser building it ([`parse`], with its
//! lexical helpers in [`lexical`]), the HL7 v3 accessors ([`access`]) and element locations
//! ([`locations`]).

mod access;
mod lexical;
mod locations;
mod parse;
mod tree;

#[cfg(test)]
mod tests;

pub(crate) use access::{attr, child, children, has_template, is, path, templates, text_of, xsi_type};
pub(crate) use locations::Locations;
pub(crate) use parse::parse_xml;
pub use parse::{MAX_BYTES, MAX_DEPTH};
pub(crate) use tree::{Document, Node};

/// The HL7 v3 namespace every C-CDA element is in.
pub(crate) const V3: &str = "urn:hl7-org:v3";
