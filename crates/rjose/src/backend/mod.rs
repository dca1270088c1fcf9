//! The one door to cryptography.
//!
//! Every primitive the crate uses is called from this module and nowhere
//! else, so that another provider (a pure-Rust one for wasm32, say) can be
//! added as a sibling set of files, without touching JWS, JWE or JWT code.
//!
//! The layout, with arrows pointing one way only (down):
//! - this file, `types`, `asn1`, `concat_kdf`, `rsa_limits` and `roca` are
//!   the provider-independent part: the vocabulary the layers above speak
//!   (digests, curves, parameter sets, paddings, `Rejected`), the PKCS#1
//!   parsing, the Concat KDF input and the weak-key checks every provider
//!   applies;
//! - `aws_lc/` (feature `aws-lc-rs`) and `rust_crypto/` (feature
//!   `rust-crypto`) are the providers: one file per primitive, the same
//!   files with the same items in both, re-exported below under the same
//!   module names, so the layers above write `backend::ec::EcPublic` and
//!   never name a provider. With both features on (Cargo unifies features,
//!   and `--all-features` turns on both), aws-lc-rs wins and the pure-Rust
//!   files are not compiled.
//!
//! Nothing under `backend/` imports from the modules above it: errors
//! leave as `Rejected` and each layer maps them to its own. The test
//! `tests/backend_arrows.rs` keeps it so.
//!
//! The provider types are opaque handles: they keep whatever parsed form
//! makes the hot path cheapest (an HMAC key with its pads precomputed, an
//! RSA key parsed once per padding scheme) and expose only what the layers
//! above need.

#[cfg(not(any(feature = "aws-lc-rs", feature = "rust-crypto")))]
compile_error!("rjose needs a crypto provider: enable the `aws-lc-rs` feature (default) or `rust-crypto`");

pub(crate) mod asn1;
mod concat_kdf;
mod roca;
pub(crate) mod rsa_limits;
mod types;

pub(crate) use types::{
    ED25519_KEY_LEN, EcCurve, EcdhCurve, MLDSA_SEED_LEN, OaepHash, Padding, Pbkdf2Prf, PrivateParts, Sha,
};

// Public as `rjose::MlDsaLevel`, through the key module.
pub use types::MlDsaLevel;

#[cfg(feature = "aws-lc-rs")]
mod aws_lc;
#[cfg(feature = "aws-lc-rs")]
pub(crate) use aws_lc::{aead, aes_kw, cbc_hmac, digest, ec, ecdh, ed25519, hmac, mldsa, pbes2, rand, rsa, rsa_enc};

#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
mod rust_crypto;
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs")))]
pub(crate) use rust_crypto::{
    aead, aes_kw, cbc_hmac, digest, ec, ecdh, ed25519, hmac, mldsa, pbes2, rand, rsa, rsa_enc,
};

/// A backend refusal that carries no detail on purpose: callers turn it
/// into the error that fits their layer (an invalid key, a failed signature).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rejected;

#[cfg(test)]
mod conformance;
