#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod alg;
mod b64;
mod backend;
pub mod dpop;
mod error;
mod header;
mod json;
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod jwt;
mod key;
mod signer;
pub mod x5c;

pub use alg::{Alg, Algorithm};
pub use error::{ClaimReason, Error, Result};
pub use json::JsonObject;
pub use jwk::{Jwk, LocalJwkSet};
pub use key::{
    AsyncKeySource, Curve, Digest, Key, KeyCandidates, KeyFn, KeyFuture, KeyPair, KeyPairOptions, KeySource,
    MlDsaLevel, generate_key_pair, generate_secret, key_fn,
};
pub use signer::{AsyncSigner, SignatureFuture, Signer, ecdsa_der_to_jose};
