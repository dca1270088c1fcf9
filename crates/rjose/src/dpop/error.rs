//! Why a DPoP proof was refused: one reason per check of RFC 9449
//! section 4.3, each with its own stable code.

use std::fmt;

/// Which DPoP check failed, carried by
/// [`Error::DpopInvalid`](crate::Error::DpopInvalid).
///
/// Each reason has its own [`code`](Self::code), and
/// [`oauth_error`](Self::oauth_error) names the error a server answers
/// with (RFC 9449 sections 7.1 and 8): `invalid_dpop_proof`,
/// `use_dpop_nonce` or `invalid_token`.
///
/// ```
/// use rjose::{Error, dpop::{DpopFailure, DpopVerifyOptions, verify_proof}};
///
/// let options = DpopVerifyOptions::new("GET", "https://api.example/orders");
/// match verify_proof("not a proof", &options) {
///     Err(Error::DpopInvalid { reason, .. }) => {
///         assert_eq!(reason, DpopFailure::Malformed);
///         assert_eq!(reason.code(), "ERR_DPOP_PROOF_INVALID");
///         assert_eq!(reason.oauth_error(), Some("invalid_dpop_proof"));
///     }
///     other => panic!("expected a refused proof, got {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DpopFailure {
    /// Not one well-formed JWT: not three base64url parts, a header or
    /// payload that is not a JSON object, a claim of the wrong type, a
    /// `crit` extension nobody understands.
    Malformed,
    /// The `typ` header is not exactly `dpop+jwt`.
    TypMismatch,
    /// The `alg` header is `none`, a MAC (`HS256`...), unknown, or not
    /// among the accepted algorithms.
    AlgNotAllowed,
    /// The `jwk` header is missing, carries private or symmetric key
    /// material, is not a key, or is a key that cannot serve `alg`.
    JwkInvalid,
    /// The signature does not verify with the key in `jwk`.
    SignatureInvalid,
    /// One of the claims every proof needs (`jti`, `htm`, `htu`, `iat`) is
    /// missing.
    ClaimMissing,
    /// `htm` is not the request's method.
    HtmMismatch,
    /// `htu` is not the request's URI (after normalization, ignoring the
    /// query and the fragment).
    HtuMismatch,
    /// `iat` is too old, or too far in the future.
    IatOutOfWindow,
    /// The server requires a nonce and the proof carries none.
    NonceMissing,
    /// The proof's `nonce` is not one the server accepts (wrong or stale).
    NonceMismatch,
    /// An access token came with the proof and `ath` is missing or is not
    /// its hash.
    AthMismatch,
    /// The access token is not bound to the proof's key: its `cnf.jkt` is
    /// missing or is another key's thumbprint.
    BindingMismatch,
    /// The proof's `jti` was seen before, within the proof's lifetime.
    Replayed,
    /// The replay store is full of live entries, so the proof's `jti`
    /// could not be recorded and the proof is refused rather than let
    /// through unrecorded. Not the client's fault.
    ReplayCacheFull,
}

impl DpopFailure {
    /// The stable code of this reason, as [`Error::code`](crate::Error::code)
    /// reports it.
    pub const fn code(self) -> &'static str {
        match self {
            DpopFailure::Malformed => "ERR_DPOP_PROOF_INVALID",
            DpopFailure::TypMismatch => "ERR_DPOP_TYP_INVALID",
            DpopFailure::AlgNotAllowed => "ERR_DPOP_ALG_NOT_ALLOWED",
            DpopFailure::JwkInvalid => "ERR_DPOP_JWK_INVALID",
            DpopFailure::SignatureInvalid => "ERR_DPOP_SIGNATURE_INVALID",
            DpopFailure::ClaimMissing => "ERR_DPOP_CLAIM_MISSING",
            DpopFailure::HtmMismatch => "ERR_DPOP_HTM_MISMATCH",
            DpopFailure::HtuMismatch => "ERR_DPOP_HTU_MISMATCH",
            DpopFailure::IatOutOfWindow => "ERR_DPOP_IAT_INVALID",
            DpopFailure::NonceMissing => "ERR_DPOP_NONCE_REQUIRED",
            DpopFailure::NonceMismatch => "ERR_DPOP_NONCE_INVALID",
            DpopFailure::AthMismatch => "ERR_DPOP_ATH_MISMATCH",
            DpopFailure::BindingMismatch => "ERR_DPOP_BINDING_MISMATCH",
            DpopFailure::Replayed => "ERR_DPOP_REPLAYED",
            DpopFailure::ReplayCacheFull => "ERR_DPOP_REPLAY_CACHE_FULL",
        }
    }

    /// The OAuth error a server answers with: `use_dpop_nonce` for a
    /// missing or stale nonce (with a fresh `DPoP-Nonce` header),
    /// `invalid_token` for an access token not bound to the proof's key
    /// (RFC 9449 section 7.1, Figure 16), `invalid_dpop_proof` for every
    /// other check. `None` for [`ReplayCacheFull`](Self::ReplayCacheFull),
    /// which is the server's own trouble: answer it as unavailable (503).
    ///
    /// A token endpoint refusing a refresh token bound to another key
    /// answers `invalid_grant` instead of `invalid_token`.
    pub const fn oauth_error(self) -> Option<&'static str> {
        match self {
            DpopFailure::NonceMissing | DpopFailure::NonceMismatch => Some("use_dpop_nonce"),
            DpopFailure::BindingMismatch => Some("invalid_token"),
            DpopFailure::ReplayCacheFull => None,
            _ => Some("invalid_dpop_proof"),
        }
    }
}

impl DpopFailure {
    /// What to tell the client that sent the proof: which check failed,
    /// in a sentence that never quotes the proof (unlike the
    /// [`Error`](crate::Error)'s message, which may), for an
    /// `error_description`.
    ///
    /// ```
    /// use rjose::dpop::DpopFailure;
    ///
    /// assert_eq!(DpopFailure::HtuMismatch.description(), "the DPoP proof was made for another URL");
    /// ```
    pub const fn description(self) -> &'static str {
        match self {
            DpopFailure::Malformed => "the DPoP proof is malformed",
            DpopFailure::TypMismatch => "the DPoP proof's typ is not dpop+jwt",
            DpopFailure::AlgNotAllowed => "the DPoP proof's algorithm is not accepted",
            DpopFailure::JwkInvalid => "the DPoP proof's jwk is not a usable public key",
            DpopFailure::SignatureInvalid => "the DPoP proof's signature does not verify",
            DpopFailure::ClaimMissing => "the DPoP proof lacks a required claim",
            DpopFailure::HtmMismatch => "the DPoP proof was made for another method",
            DpopFailure::HtuMismatch => "the DPoP proof was made for another URL",
            DpopFailure::IatOutOfWindow => "the DPoP proof is too old or from the future",
            DpopFailure::NonceMissing => "the DPoP proof must carry the server's nonce",
            DpopFailure::NonceMismatch => "the DPoP proof's nonce is not current",
            DpopFailure::AthMismatch => "the DPoP proof was made for another access token",
            DpopFailure::BindingMismatch => "the access token is not bound to the DPoP proof's key",
            DpopFailure::Replayed => "the DPoP proof was used before",
            DpopFailure::ReplayCacheFull => "the DPoP proof cannot be checked right now",
        }
    }
}

impl fmt::Display for DpopFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
