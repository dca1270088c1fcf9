//! The repository README's examples, kept honest. Not published.
//!
//! The README shows several crates at once, so none of them can own it
//! (a published crate may only include files from its own directory).
//! Its Rust blocks are compiled and run here as doctests, and
//! `tests/readme_examples.rs` checks that the blocks of the other crates'
//! sections are their compiled example files, byte for byte.

#![forbid(unsafe_code)]

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
