//! rjose for JavaScript: JWT verification compiled to WebAssembly.
#![forbid(unsafe_code)]
