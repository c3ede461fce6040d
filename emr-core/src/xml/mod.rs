//! The project's XML parser: text parsed with limits into a small read-only tree (no DTD, no
//! entities beyond XML's five and character references). Used by the C-CDA import
//! ([`crate::ccda`]) and by the reading of FHIR XHTML narrative ([`crate::query`]).
//!
//! One concept a file: the tree ([`tree`]), the parser building it ([`parse`], with its
//! lexical helpers in [`lexical`]) and element locations ([`locations`]). The accessors over
//! HL7 v3 elements are the C-CDA import's (`ccda/xml.rs`).

mod error;
mod lexical;
mod locations;
mod parse;
mod tree;

#[cfg(test)]
mod tests;

pub(crate) use error::XmlError;
pub(crate) use locations::Locations;
pub(crate) use parse::{parse_xml, parse_xml_keeping_space};
pub use parse::{MAX_BYTES, MAX_DEPTH};
pub(crate) use tree::{Document, Node};

/// The HL7 v3 namespace: the parser marks the elements in it (or in no namespace) so that the
/// C-CDA import's name tests need no namespace lookup ([`Node::is_v3`]).
pub(crate) const V3: &str = "urn:hl7-org:v3";
