//! The aws-lc-rs provider: every primitive the crate uses, from aws-lc-rs
//! (and, for AES-192 key wrap, which aws-lc-rs lacks, RustCrypto's `aes-kw`).
//!
//! One file per primitive; a sibling provider has the same files with the
//! same items, which `backend/mod.rs` re-exports for the layers above.

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

use super::Rejected;

impl From<aws_lc_rs::error::Unspecified> for Rejected {
    fn from(_: aws_lc_rs::error::Unspecified) -> Self {
        Rejected
    }
}

impl From<aws_lc_rs::error::KeyRejected> for Rejected {
    fn from(_: aws_lc_rs::error::KeyRejected) -> Self {
        Rejected
    }
}
