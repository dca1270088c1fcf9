//! The `rjose` command-line tool as a library, so that the binary
//! (`src/main.rs`) and the fuzz targets (`fuzz/`, the key-file sniffing of
//! [`keys::parse_key`]) share one copy of the code. It is not a public API:
//! the modules are hidden from the docs and may change with any release.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod b64;
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod cmd;
#[doc(hidden)]
pub mod failure;
mod io;
#[doc(hidden)]
pub mod keys;
mod time;
