//! The pure-Rust provider: every primitive the crate uses, from RustCrypto
//! crates (feature `rust-crypto`). It needs no C compiler, which is what
//! makes targets such as wasm32 reachable.
//!
//! The same files with the same items as `aws_lc/`; `backend/mod.rs`
//! re-exports one of the two. Where this provider behaves differently
//! (it refuses RSA decryption, see `rsa_enc`), the file says why.

pub(crate) mod aead;
pub(crate) mod aes_kw;
pub(crate) mod cbc_hmac;
pub(crate) mod digest;
pub(crate) mod ec;
pub(crate) mod ecdh;
pub(crate) mod ed25519;
pub(crate) mod hmac;
pub(crate) mod mldsa;
pub(crate) mod pbes2;
pub(crate) mod rand;
pub(crate) mod rsa;
pub(crate) mod rsa_enc;
