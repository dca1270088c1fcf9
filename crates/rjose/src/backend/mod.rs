//! The one door to cryptography.
//!
//! Every primitive the crate uses is called from this module and nowhere
//! else, so that another provider (a pure-Rust one for wasm32, say) can be
//! added by writing a sibling set of these files, without touching JWS, JWE
//! or JWT code. Today every primitive comes from `aws-lc-rs`.
//!
//! The types here are opaque handles: they keep whatever parsed form makes
//! the hot path cheapest (an HMAC key with its pads precomputed, an RSA key
//! parsed once per padding scheme) and expose only what the layers above need.

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

/// A backend refusal that carries no detail on purpose: callers turn it
/// into the error that fits their layer (an invalid key, a failed signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejected;

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
