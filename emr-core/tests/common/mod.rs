//! Helpers shared by emr-core's integration tests.
#![allow(dead_code, clippy::panic)]

#[path = "../../../tests/support/shared_data.rs"]
mod shared;

#[allow(unused_imports)] // not every test crate reads the shared data
pub use shared::shared_data;
