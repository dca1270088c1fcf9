//! The one error type of the crate, with the stable codes users know from
//! the JavaScript `jose` library.

use std::fmt;

use serde_json::{Map, Value};

use crate::dpop::DpopFailure;

/// Why a JWT claim failed validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClaimReason {
    /// The claim is required but absent.
    Missing,
    /// The claim is present but has the wrong JSON type or shape.
    Invalid,
    /// The claim is well formed but its value is not acceptable.
    CheckFailed,
}

impl ClaimReason {
    /// The reason as the JS library spells it: `missing`, `invalid` or `check_failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimReason::Missing => "missing",
            ClaimReason::Invalid => "invalid",
            ClaimReason::CheckFailed => "check_failed",
        }
    }
}

impl fmt::Display for ClaimReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure this crate reports.
///
/// Match on the variant to tell an expired token from a forged one, or use
/// [`Error::code`] for a stable string such as `ERR_JWT_EXPIRED`.
///
/// ```
/// use rjose::{Alg, Error, Key, jwt::{SignJwt, VerifyOptions, jwt_verify}};
///
/// let key = Key::from_secret(b"a secret of at least thirty-two bytes!")?;
/// let token = SignJwt::default()
///     .protected_header(Alg::HS256)
///     .expiration_time(1) // one second after the epoch: long gone
///     .sign(&key)?;
/// match jwt_verify::<rjose::JsonObject>(&token, &key, &VerifyOptions::new()) {
///     Err(Error::JwtExpired { claims, .. }) => assert_eq!(claims["exp"], 1),
///     other => panic!("expected an expired token, got {other:?}"),
/// }
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The token's `exp` is in the past. The claims are kept: a refresh
    /// flow may still want to know whose token it was.
    #[error("\"{claim}\" claim timestamp check failed: {message}")]
    JwtExpired {
        /// `exp`, or `iat` when the token is older than the maximum age.
        claim: String,
        /// Human-readable detail, e.g. `expired 3m12s ago`.
        message: String,
        /// The token's claims, verified by signature but not by time.
        claims: Box<Map<String, Value>>,
    },

    /// A claim other than an elapsed `exp` failed validation.
    #[error("\"{claim}\" claim {reason}: {message}")]
    JwtClaimValidationFailed {
        /// Name of the claim (or `typ` for the header parameter).
        claim: String,
        /// Why it failed.
        reason: ClaimReason,
        /// Human-readable detail.
        message: String,
        /// The token's claims, verified by signature.
        claims: Box<Map<String, Value>>,
    },

    /// The token is not a well-formed JWT (e.g. its payload is not a JSON object).
    #[error("invalid JWT: {0}")]
    JwtInvalid(String),

    /// The JWS is malformed: wrong number of parts, bad base64url, bad header...
    #[error("invalid JWS: {0}")]
    JwsInvalid(String),

    /// The signature does not verify with the key.
    #[error("signature verification failed")]
    JwsSignatureVerificationFailed,

    /// The `x5c` certificate chain of a JWS was refused by an
    /// [`X5cKeySource`](crate::x5c::X5cKeySource): `reason` names what
    /// failed and gives the code (`ERR_X5C_EXPIRED`, `ERR_X5C_UNKNOWN_ISSUER`...).
    #[error("x5c certificate chain refused ({reason}): {message}")]
    X5cInvalid {
        /// What failed.
        reason: crate::x5c::X5cFailure,
        /// Which certificate and why, in words.
        message: String,
    },

    /// The JWE is malformed: wrong number of parts, bad base64url, bad header...
    #[error("invalid JWE: {0}")]
    JweInvalid(String),

    /// Decryption failed. Deliberately says nothing more: which step failed
    /// is exactly what a padding or timing oracle needs to know.
    #[error("decryption operation failed")]
    JweDecryptionFailed,

    /// A JWK (or PEM/DER key) is malformed or inconsistent.
    #[error("invalid key: {0}")]
    JwkInvalid(String),

    /// A JWK Set document is malformed.
    #[error("invalid JWK Set: {0}")]
    JwksInvalid(String),

    /// No key in the set matches the token's header.
    #[error("no applicable key found in the JSON Web Key Set")]
    JwksNoMatchingKey,

    /// Several keys in the set match and the caller did not ask to try each.
    #[error("multiple matching keys found in the JSON Web Key Set")]
    JwksMultipleMatchingKeys,

    /// A remote JWK Set (or the discovery document pointing to it) did not
    /// arrive within the allowed time. This crate does no I/O itself: the
    /// error is for key sources that do, such as `rjose-remote`'s.
    #[error("JWK Set request timed out: {0}")]
    JwksTimeout(String),

    /// A remote JWK Set (or the discovery document pointing to it) could not
    /// be fetched: the server was unreachable, answered with an error status,
    /// or sent a response that cannot be used (over the size limit, a
    /// redirect that is not allowed). A document that arrived but is not a
    /// JWK Set is [`Error::JwksInvalid`] instead.
    #[error("JWK Set request failed: {cause}")]
    JwksFetch {
        /// The HTTP status of the response, when there was one and it is
        /// the reason for the failure (`404`, `500`, a `3xx` not followed).
        status: Option<u16>,
        /// What went wrong, naming the URL.
        cause: String,
    },

    /// The `alg` (or `enc`) is not on the caller's allow-list, or the key
    /// cannot serve it.
    #[error(
        "\"alg\" (Algorithm) header parameter value {alg:?} not allowed{}",
        reason.as_deref().map(|reason| format!(": {reason}")).unwrap_or_default()
    )]
    AlgNotAllowed {
        /// The algorithm as the token names it.
        alg: String,
        /// Why, when the allow-list alone does not say: e.g. `the key is
        /// RSA; the token is ES256`.
        reason: Option<String>,
    },

    /// The input uses something this library does not implement.
    #[error("not supported: {0}")]
    NotSupported(String),

    /// An argument given to a builder or to options could not be used: a
    /// time span that does not parse (`"15"` without a unit, `"15x"`), a
    /// timestamp out of range, claims that do not serialize to a JSON
    /// object, a header given as text that is not a JSON object. Builders
    /// never fail while being built: the call that finishes them (`sign`,
    /// `encrypt`, `jwt_verify`...) reports the first such argument.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),

    /// The key cannot be used for the requested operation
    /// (a public key to sign, an RSA key under 2048 bits, an HMAC secret
    /// for an RSA algorithm...).
    #[error("key not usable: {0}")]
    InvalidKeyUse(String),

    /// A DPoP proof (RFC 9449) was refused, or the access token it came
    /// with is not bound to its key. [`DpopFailure`] says which check
    /// failed, and [`Error::code`] gives each reason its own code
    /// (`ERR_DPOP_HTU_MISMATCH`, `ERR_DPOP_NONCE_REQUIRED`...).
    #[error("DPoP proof refused: {message}")]
    DpopInvalid {
        /// Which check failed.
        reason: DpopFailure,
        /// Human-readable detail.
        message: String,
    },

    /// The cryptographic backend failed for a reason it does not explain.
    #[error("cryptographic operation failed: {0}")]
    Crypto(&'static str),
}

impl Error {
    /// The stable code of this error, as in the JS library where it has one.
    pub fn code(&self) -> &'static str {
        match self {
            Error::JwtExpired { .. } => "ERR_JWT_EXPIRED",
            Error::JwtClaimValidationFailed { .. } => "ERR_JWT_CLAIM_VALIDATION_FAILED",
            Error::JwtInvalid(_) => "ERR_JWT_INVALID",
            Error::JwsInvalid(_) => "ERR_JWS_INVALID",
            Error::JwsSignatureVerificationFailed => "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
            Error::X5cInvalid { reason, .. } => reason.code(),
            Error::JweInvalid(_) => "ERR_JWE_INVALID",
            Error::JweDecryptionFailed => "ERR_JWE_DECRYPTION_FAILED",
            Error::JwkInvalid(_) => "ERR_JWK_INVALID",
            Error::JwksInvalid(_) => "ERR_JWKS_INVALID",
            Error::JwksNoMatchingKey => "ERR_JWKS_NO_MATCHING_KEY",
            Error::JwksMultipleMatchingKeys => "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
            Error::JwksTimeout(_) => "ERR_JWKS_TIMEOUT",
            Error::JwksFetch { .. } => "ERR_JWKS_FETCH_FAILED",
            Error::AlgNotAllowed { .. } => "ERR_JOSE_ALG_NOT_ALLOWED",
            Error::NotSupported(_) => "ERR_JOSE_NOT_SUPPORTED",
            Error::InvalidArgument(_) => "ERR_JOSE_INVALID_ARGUMENT",
            Error::InvalidKeyUse(_) => "ERR_JOSE_INVALID_KEY_USE",
            Error::DpopInvalid { reason, .. } => reason.code(),
            Error::Crypto(_) => "ERR_JOSE_GENERIC",
        }
    }

    /// The claims carried by a claim-validation failure, if this is one.
    pub fn claims(&self) -> Option<&Map<String, Value>> {
        match self {
            Error::JwtExpired { claims, .. } | Error::JwtClaimValidationFailed { claims, .. } => Some(claims),
            _ => None,
        }
    }

    /// An algorithm the caller's allow-list (or the library's default
    /// one) does not hold, or a name no algorithm has.
    pub(crate) fn alg_not_allowed(alg: impl Into<String>) -> Self {
        Error::AlgNotAllowed {
            alg: alg.into(),
            reason: None,
        }
    }

    /// An algorithm refused for `reason`.
    pub(crate) fn alg_refused(alg: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::AlgNotAllowed {
            alg: alg.into(),
            reason: Some(reason.into()),
        }
    }

    pub(crate) fn jws(detail: impl Into<String>) -> Self {
        Error::JwsInvalid(detail.into())
    }

    pub(crate) fn jwk(detail: impl Into<String>) -> Self {
        Error::JwkInvalid(detail.into())
    }

    pub(crate) fn key_use(detail: impl Into<String>) -> Self {
        Error::InvalidKeyUse(detail.into())
    }

    pub(crate) fn dpop(reason: DpopFailure, message: impl Into<String>) -> Self {
        Error::DpopInvalid {
            reason,
            message: message.into(),
        }
    }
}

/// Shorthand for `Result<T, rjose::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_js_library_codes() {
        assert_eq!(
            Error::JwsSignatureVerificationFailed.code(),
            "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"
        );
        assert_eq!(Error::JwksNoMatchingKey.code(), "ERR_JWKS_NO_MATCHING_KEY");
        assert_eq!(Error::alg_not_allowed("none").code(), "ERR_JOSE_ALG_NOT_ALLOWED");
        assert_eq!(Error::JwksTimeout(String::new()).code(), "ERR_JWKS_TIMEOUT");
    }

    #[test]
    fn fetch_failure_has_its_own_code_and_keeps_the_status() {
        let e = Error::JwksFetch {
            status: Some(503),
            cause: "https://issuer.example/jwks answered HTTP 503".into(),
        };
        assert_eq!(e.code(), "ERR_JWKS_FETCH_FAILED");
        assert_eq!(
            e.to_string(),
            "JWK Set request failed: https://issuer.example/jwks answered HTTP 503"
        );
    }

    #[test]
    fn claim_failure_message_names_claim_and_reason() {
        let e = Error::JwtClaimValidationFailed {
            claim: "aud".into(),
            reason: ClaimReason::CheckFailed,
            message: "unexpected audience".into(),
            claims: Box::default(),
        };
        assert_eq!(e.to_string(), "\"aud\" claim check_failed: unexpected audience");
    }
}
