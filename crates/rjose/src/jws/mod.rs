//! JSON Web Signature (RFC 7515): compact, flattened JSON and general JSON
//! serializations, with RFC 7797 unencoded payloads.
//!
//! The flattened form is the core: compact is a flattened JWS without an
//! unprotected header, and general runs each signature through the
//! flattened path. Each algorithm and header rule is written once.

mod compact;
mod embedded;
mod flattened;
mod general;
mod header;

pub use compact::{CompactSign, compact_verify, compact_verify_async, compact_verify_detached};
pub use embedded::EmbeddedJwk;
pub use flattened::{FlattenedJws, FlattenedSign, flattened_verify};
pub use general::{GeneralJws, GeneralSign, GeneralSignature, general_verify};
pub use header::JwsHeader;

pub(crate) use compact::{compact_verify_async_with, compact_verify_with, split};
pub(crate) use flattened::{PendingVerification, Protected, SigningInput, sign_parts, sign_parts_async};

use crate::alg::Alg;
use crate::key::Key;

/// Default cap on the signatures of a general JWS: a handful is the
/// most any known protocol uses, and each one may cost a public-key
/// operation. (Go's jwx allows 100 by default; this crate is stricter.)
pub const DEFAULT_MAX_SIGNATURES: usize = 16;

/// Options for verifying a JWS.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwsVerifyOptions {
    /// Algorithms to accept. When `None`, any algorithm the key can serve
    /// is accepted (the key alone binds the algorithm family).
    pub algorithms: Option<Vec<Alg>>,
    /// Extension header parameters the caller understands, so that tokens
    /// listing them in `crit` are accepted.
    pub crit: Vec<String>,
    /// Most signatures a general JWS may carry (default
    /// [`DEFAULT_MAX_SIGNATURES`]); one with more is refused before any
    /// signature is checked.
    pub max_signatures: usize,
}

impl Default for JwsVerifyOptions {
    fn default() -> Self {
        JwsVerifyOptions {
            algorithms: None,
            crit: Vec::new(),
            max_signatures: DEFAULT_MAX_SIGNATURES,
        }
    }
}

impl JwsVerifyOptions {
    /// Options that accept any algorithm the key can serve.
    pub fn new() -> Self {
        Self::default()
    }

    /// Restricts the accepted algorithms.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Alg>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// Declares a critical extension parameter as understood.
    pub fn understands(mut self, name: impl Into<String>) -> Self {
        self.crit.push(name.into());
        self
    }

    /// Sets the most signatures a general JWS may carry.
    pub fn max_signatures(mut self, limit: usize) -> Self {
        self.max_signatures = limit;
        self
    }

    pub(crate) fn policy(&self) -> JwsPolicy<'_> {
        JwsPolicy {
            algorithms: self.algorithms.as_deref(),
            crit: &self.crit,
        }
    }
}

/// What one signature's check needs of the options, borrowed: the JWT
/// layer hands its own lists down without copying them per token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JwsPolicy<'a> {
    /// `None`: the key alone decides which algorithms it serves.
    pub(crate) algorithms: Option<&'a [Alg]>,
    pub(crate) crit: &'a [String],
}

/// A verified JWS: the payload and headers, and the key that verified it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedJws {
    /// The payload bytes (decoded from base64url unless `b64` was false).
    pub payload: Vec<u8>,
    /// The integrity-protected header, if the JWS had one.
    pub protected_header: Option<JwsHeader>,
    /// The unprotected header of a JSON serialization, if any.
    pub unprotected_header: Option<JwsHeader>,
    /// The key that verified the signature.
    pub key: Key,
}
