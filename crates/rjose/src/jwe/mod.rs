//! JSON Web Encryption (RFC 7516): compact, flattened JSON and general
//! JSON serializations, every key management and content encryption
//! algorithm of RFC 7518, and the hardening decryption needs.
//!
//! As for JWS, the flattened form is the core: compact is a flattened
//! JWE with one recipient and only a protected header, and general runs
//! each recipient through the same key management code.
//!
//! ```
//! use rjose::jwe::{CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, compact_decrypt};
//! use rjose::{Curve, KeyPairOptions, generate_key_pair};
//!
//! let pair = generate_key_pair(JweAlg::ECDH_ES_A256KW, KeyPairOptions::default().crv(Curve::P256))?;
//! let jwe = CompactEncrypt::new(b"Live long and prosper.")
//!     .protected_header(JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A256GCM))
//!     .encrypt(&pair.public_key)?;
//! let decrypted = compact_decrypt(&jwe, &pair.private_key, &JweDecryptOptions::new())?;
//! assert_eq!(decrypted.plaintext, b"Live long and prosper.");
//! # Ok::<(), rjose::Error>(())
//! ```

pub(crate) mod alg;
mod compact;
mod content;
mod flattened;
mod general;
mod header;
mod key_management;
mod zip;

pub use alg::{JweAlg, JweEnc};
pub use compact::{CompactEncrypt, compact_decrypt, compact_decrypt_async};
pub use flattened::{FlattenedEncrypt, FlattenedJwe, flattened_decrypt};
pub use general::{GeneralEncrypt, GeneralJwe, GeneralRecipient, general_decrypt};
pub use header::JweHeader;
pub use key_management::KeyManagementParameters;

pub(crate) use alg::Mode;

use crate::key::Key;

/// The JS library's default cap on decompressed plaintext.
pub const DEFAULT_MAX_DECOMPRESSED_SIZE: usize = 250_000;
/// Default cap on the PBES2 iterations one decryption may spend, summed
/// over every recipient and key tried.
pub const DEFAULT_MAX_PBES2_COUNT: u64 = 10_000;
/// Default cap on the recipients of a general JWE: a handful is the most
/// any known protocol uses, and each one may cost a private-key operation.
/// (Go's jwx allows 100 by default; this crate is stricter.)
pub const DEFAULT_MAX_RECIPIENTS: usize = 16;

/// Options for decrypting a JWE.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JweDecryptOptions {
    /// Accepted key management algorithms. When `None`, any the key can
    /// serve, except PBES2 and RSA1_5: those are tried only when named
    /// here, so a password or a legacy RSA key is never used by accident.
    pub key_management_algorithms: Option<Vec<JweAlg>>,
    /// Accepted content encryption algorithms; `None` accepts all.
    pub content_encryption_algorithms: Option<Vec<JweEnc>>,
    /// Critical header extensions the caller understands.
    pub crit: Vec<String>,
    /// Most PBES2 iterations one decryption may spend (default
    /// [`DEFAULT_MAX_PBES2_COUNT`]): the `p2c` of every PBES2 recipient of
    /// a general JWE, and of every key tried for it, are added up, so that
    /// several recipients share one budget rather than each having its own.
    pub max_pbes2_count: u64,
    /// Most recipients a general JWE may list (default
    /// [`DEFAULT_MAX_RECIPIENTS`]); one with more is refused before any key
    /// is tried.
    pub max_recipients: usize,
    /// `Some(limit)` accepts `zip: "DEF"` and caps the decompressed size;
    /// `None` (the default) refuses compressed JWEs.
    pub max_decompressed_size: Option<usize>,
}

impl Default for JweDecryptOptions {
    fn default() -> Self {
        JweDecryptOptions {
            key_management_algorithms: None,
            content_encryption_algorithms: None,
            crit: Vec::new(),
            max_pbes2_count: DEFAULT_MAX_PBES2_COUNT,
            max_recipients: DEFAULT_MAX_RECIPIENTS,
            max_decompressed_size: None,
        }
    }
}

impl JweDecryptOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Restricts the key management algorithms (and opts in to PBES2 or
    /// RSA1_5 by naming them).
    pub fn key_management_algorithms(mut self, algs: impl IntoIterator<Item = JweAlg>) -> Self {
        self.key_management_algorithms = Some(algs.into_iter().collect());
        self
    }

    /// Restricts the content encryption algorithms.
    pub fn content_encryption_algorithms(mut self, encs: impl IntoIterator<Item = JweEnc>) -> Self {
        self.content_encryption_algorithms = Some(encs.into_iter().collect());
        self
    }

    /// Sets the most PBES2 iterations one decryption may spend, over all
    /// its recipients and keys tried.
    pub fn max_pbes2_count(mut self, count: u64) -> Self {
        self.max_pbes2_count = count;
        self
    }

    /// Sets the most recipients a general JWE may list.
    pub fn max_recipients(mut self, limit: usize) -> Self {
        self.max_recipients = limit;
        self
    }

    /// Accepts `zip: "DEF"`, decompressing at most `limit` bytes
    /// ([`DEFAULT_MAX_DECOMPRESSED_SIZE`] is the JS library's default).
    pub fn allow_decompression(mut self, limit: usize) -> Self {
        self.max_decompressed_size = Some(limit);
        self
    }

    /// Declares a critical header extension as understood.
    pub fn understands(mut self, name: impl Into<String>) -> Self {
        self.crit.push(name.into());
        self
    }
}

/// A decrypted JWE.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecryptedJwe {
    /// The plaintext.
    pub plaintext: Vec<u8>,
    /// The integrity-protected header, if any.
    pub protected_header: Option<JweHeader>,
    /// The shared unprotected header of a JSON serialization, if any.
    pub shared_unprotected_header: Option<JweHeader>,
    /// The recipient's unprotected header of a JSON serialization, if any.
    pub unprotected_header: Option<JweHeader>,
    /// The additional authenticated data of a JSON serialization, if any.
    pub additional_authenticated_data: Option<Vec<u8>>,
    /// The key that decrypted it.
    pub key: Key,
}
