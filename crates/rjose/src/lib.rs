//! # rjose
//!
//! A complete, fast, misuse-resistant JOSE toolkit: JSON Web Tokens,
//! Signatures, Encryption, Keys and Key Sets.
//!
//! ```
//! use rjose::{Alg, Key, JsonObject, jwt::{SignJwt, VerifyOptions, jwt_verify}};
//!
//! let secret = Key::from_secret(b"at least thirty-two bytes of secret!");
//!
//! // new SignJWT({ role }).setProtectedHeader({ alg: "HS256" })
//! //   .setIssuedAt().setExpirationTime("7d").sign(secret)
//! let token = SignJwt::default()
//!     .claim("role", "admin")
//!     .protected_header(Alg::HS256)
//!     .issued_at_now()
//!     .expiration_time("7d")?
//!     .sign(&secret)?;
//!
//! // jwtVerify(token, secret, { algorithms: ["HS256"] })
//! let verified = jwt_verify::<JsonObject>(&token, &secret, &VerifyOptions::new().algorithms([Alg::HS256]))?;
//! assert_eq!(verified.claims["role"], "admin");
//! # Ok::<(), rjose::Error>(())
//! ```
//!
//! Modules follow the specifications: [`jws`] (RFC 7515, 7797), [`jwe`]
//! (RFC 7516, 7518), [`jwk`] (RFC 7517, 7638, 9278), [`jwt`] (RFC 7519).
//!
//! Safe by default: `none` is never accepted by a verify function, a key
//! serves only the algorithms of its type (an HMAC secret never verifies
//! an RSA signature), verification checks claims as well as signatures,
//! and secrets are zeroized and never printed.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod alg;
mod b64;
mod backend;
mod error;
mod header;
mod json;
pub mod jwe;
pub mod jwk;
pub mod jws;
pub mod jwt;
mod key;

pub use alg::{Alg, Algorithm};
pub use error::{ClaimReason, Error, Result};
pub use json::JsonObject;
pub use jwk::{Jwk, LocalJwkSet};
pub use key::{
    Curve, Digest, Key, KeyCandidates, KeyPair, KeyPairOptions, KeySource, MlDsaLevel, generate_key_pair,
    generate_secret,
};

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
