//! Rendering results for people (aligned tables, details) and for programs (JSON).
//!
//! Human output is for the clinician at the terminal and may show clinical data;
//! error messages never do (see [`crate::error`]).

pub mod audit;
pub mod chart;
pub mod entry;
pub mod table;

pub use table::Table;
