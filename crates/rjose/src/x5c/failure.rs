//! What failed in an `x5c` chain, each with its own stable code.

use std::fmt;

/// Why an `x5c` certificate chain was refused; carried by
/// [`Error::X5cInvalid`](crate::Error::X5cInvalid), whose
/// [`code`](crate::Error::code) is this failure's [`code`](Self::code).
///
/// ```
/// use rjose::x5c::X5cFailure;
///
/// assert_eq!(X5cFailure::Expired.code(), "ERR_X5C_EXPIRED");
/// assert_eq!(X5cFailure::UnknownIssuer.to_string(), "no trust anchor issued the chain");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum X5cFailure {
    /// The header has no `x5c` parameter.
    Missing,
    /// `x5c` is not a non-empty array of standard, padded base64 strings
    /// (RFC 7515 section 4.1.6), or a certificate in it is not DER X.509.
    Malformed,
    /// `x5c` holds more certificates than the verifier allows
    /// ([`X5cKeySource::max_chain_len`](super::X5cKeySource::max_chain_len)),
    /// or the path is deeper than the path builder goes.
    ChainTooLong,
    /// A CA certificate's `pathLenConstraint` forbids a path this long.
    PathLenExceeded,
    /// Each certificate must be followed by its issuer (RFC 7515 section
    /// 4.1.6); this chain is not.
    WrongOrder,
    /// A certificate of the chain has expired at the verification time.
    Expired,
    /// A certificate of the chain is not yet valid at the verification time.
    NotYetValid,
    /// The chain does not lead to one of the trust anchors.
    UnknownIssuer,
    /// A signature along the chain does not verify.
    BadSignature,
    /// A certificate is signed with an algorithm this verifier does not
    /// accept, or carries a key it cannot use.
    UnsupportedAlgorithm,
    /// A certificate that issues another is not a CA (its basic
    /// constraints say so, or it has none).
    NotACa,
    /// The leaf (first) certificate is a CA certificate.
    LeafIsCa,
    /// A key usage or extended key usage does not allow this use: the
    /// leaf lacks `digitalSignature` or the required EKU, an issuer lacks
    /// `keyCertSign`.
    WrongUsage,
    /// A name constraint of an issuer excludes a certificate below it.
    NameConstraint,
    /// A certificate carries a critical extension the verifier does not know.
    UnsupportedCriticalExtension,
    /// Path building would take more work than allowed (signature checks,
    /// path-building steps or name comparisons).
    TooComplex,
    /// The header's `x5t#S256` is not the SHA-256 thumbprint of the leaf.
    ThumbprintMismatch,
    /// The leaf's SHA-256 thumbprint is not one of the pinned ones.
    PinMismatch,
    /// The header's `jwk` is not the leaf's public key.
    KeyMismatch,
}

impl X5cFailure {
    /// The stable code, as [`Error::code`](crate::Error::code) reports it.
    ///
    /// ```
    /// assert_eq!(rjose::x5c::X5cFailure::WrongUsage.code(), "ERR_X5C_WRONG_USAGE");
    /// ```
    pub const fn code(self) -> &'static str {
        match self {
            X5cFailure::Missing => "ERR_X5C_MISSING",
            X5cFailure::Malformed => "ERR_X5C_MALFORMED",
            X5cFailure::ChainTooLong => "ERR_X5C_CHAIN_TOO_LONG",
            X5cFailure::PathLenExceeded => "ERR_X5C_PATH_LEN_EXCEEDED",
            X5cFailure::WrongOrder => "ERR_X5C_WRONG_ORDER",
            X5cFailure::Expired => "ERR_X5C_EXPIRED",
            X5cFailure::NotYetValid => "ERR_X5C_NOT_YET_VALID",
            X5cFailure::UnknownIssuer => "ERR_X5C_UNKNOWN_ISSUER",
            X5cFailure::BadSignature => "ERR_X5C_BAD_SIGNATURE",
            X5cFailure::UnsupportedAlgorithm => "ERR_X5C_UNSUPPORTED_ALGORITHM",
            X5cFailure::NotACa => "ERR_X5C_NOT_A_CA",
            X5cFailure::LeafIsCa => "ERR_X5C_LEAF_IS_CA",
            X5cFailure::WrongUsage => "ERR_X5C_WRONG_USAGE",
            X5cFailure::NameConstraint => "ERR_X5C_NAME_CONSTRAINT",
            X5cFailure::UnsupportedCriticalExtension => "ERR_X5C_UNSUPPORTED_CRITICAL_EXTENSION",
            X5cFailure::TooComplex => "ERR_X5C_TOO_COMPLEX",
            X5cFailure::ThumbprintMismatch => "ERR_X5C_THUMBPRINT_MISMATCH",
            X5cFailure::PinMismatch => "ERR_X5C_PIN_MISMATCH",
            X5cFailure::KeyMismatch => "ERR_X5C_KEY_MISMATCH",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            X5cFailure::Missing => "the header has no \"x5c\" parameter",
            X5cFailure::Malformed => "\"x5c\" is malformed",
            X5cFailure::ChainTooLong => "the certificate chain is too long",
            X5cFailure::PathLenExceeded => "a CA's path length constraint is exceeded",
            X5cFailure::WrongOrder => "the certificates are not in issuing order",
            X5cFailure::Expired => "a certificate has expired",
            X5cFailure::NotYetValid => "a certificate is not yet valid",
            X5cFailure::UnknownIssuer => "no trust anchor issued the chain",
            X5cFailure::BadSignature => "a certificate signature does not verify",
            X5cFailure::UnsupportedAlgorithm => "a certificate uses an unsupported algorithm",
            X5cFailure::NotACa => "an issuing certificate is not a CA",
            X5cFailure::LeafIsCa => "the leaf certificate is a CA",
            X5cFailure::WrongUsage => "a certificate's key usage does not allow this use",
            X5cFailure::NameConstraint => "a name constraint is violated",
            X5cFailure::UnsupportedCriticalExtension => "a certificate has an unsupported critical extension",
            X5cFailure::TooComplex => "path building exceeded its work limit",
            X5cFailure::ThumbprintMismatch => "\"x5t#S256\" is not the leaf certificate's thumbprint",
            X5cFailure::PinMismatch => "the leaf certificate is not a pinned one",
            X5cFailure::KeyMismatch => "the \"jwk\" header parameter is not the leaf certificate's key",
        }
    }

    /// The failure webpki's refusal stands for. Each meaning is listed, so
    /// that a new webpki version's new variants show up here on review.
    // `RequiredEkuNotFound` is deprecated in favour of its `Context` twin
    // but still a variant: it is listed with it.
    #[allow(deprecated)]
    pub(super) fn from_webpki(error: &webpki::Error) -> X5cFailure {
        use webpki::Error as W;
        match error {
            W::CertExpired { .. } => X5cFailure::Expired,
            W::CertNotValidYet { .. } => X5cFailure::NotYetValid,
            // A certificate whose notBefore is after its notAfter is never valid.
            W::InvalidCertValidity => X5cFailure::Expired,
            W::UnknownIssuer => X5cFailure::UnknownIssuer,
            // webpki's built-in list of distrusted keys: such a key anchors nothing.
            W::CertDistrusted => X5cFailure::UnknownIssuer,
            W::InvalidSignatureForPublicKey | W::SignatureAlgorithmMismatch => X5cFailure::BadSignature,
            W::UnsupportedSignatureAlgorithm | W::UnsupportedSignatureAlgorithmContext(_) => {
                X5cFailure::UnsupportedAlgorithm
            }
            W::EndEntityUsedAsCa => X5cFailure::NotACa,
            W::CaUsedAsEndEntity => X5cFailure::LeafIsCa,
            W::PathLenConstraintViolated => X5cFailure::PathLenExceeded,
            W::MaximumPathDepthExceeded => X5cFailure::ChainTooLong,
            W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) | W::EmptyEkuExtension => X5cFailure::WrongUsage,
            W::NameConstraintViolation | W::MalformedNameConstraint | W::InvalidNetworkMaskConstraint => {
                X5cFailure::NameConstraint
            }
            W::UnsupportedCriticalExtension => X5cFailure::UnsupportedCriticalExtension,
            W::MaximumSignatureChecksExceeded
            | W::MaximumPathBuildCallsExceeded
            | W::MaximumNameConstraintComparisonsExceeded => X5cFailure::TooComplex,
            W::BadDer
            | W::BadDerTime
            | W::ExtensionValueInvalid
            | W::InvalidSerialNumber
            | W::MalformedExtensions
            | W::TrailingData(_)
            | W::UnsupportedCertVersion => X5cFailure::Malformed,
            // Name checks (the caller verifies no server name), revocation
            // and CRLs (none are asked for) never run here; were they ever
            // to, the chain was still not accepted, and malformed is the
            // nearest meaning.
            W::CertNotValidForName(_)
            | W::MalformedDnsIdentifier
            | W::UnsupportedNameType
            | W::CertRevoked
            | W::UnknownRevocationStatus
            | W::CrlExpired { .. }
            | W::InvalidCrlNumber
            | W::InvalidCrlSignatureForPublicKey
            | W::IssuerNotCrlSigner
            | W::UnsupportedCrlIssuingDistributionPoint
            | W::UnsupportedCrlVersion
            | W::UnsupportedDeltaCrl
            | W::UnsupportedIndirectCrl
            | W::UnsupportedRevocationReason
            | W::UnsupportedRevocationReasonsPartitioning
            | W::UnsupportedCrlSignatureAlgorithm
            | W::UnsupportedCrlSignatureAlgorithmContext(_) => X5cFailure::Malformed,
            // webpki's Error is non-exhaustive: a variant added after
            // 0.103.17 lands here, still a refusal; map it above when it appears.
            _ => X5cFailure::Malformed,
        }
    }
}

impl fmt::Display for X5cFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

#[cfg(test)]
mod tests {
    use super::X5cFailure;

    const ALL: [X5cFailure; 19] = [
        X5cFailure::Missing,
        X5cFailure::Malformed,
        X5cFailure::ChainTooLong,
        X5cFailure::PathLenExceeded,
        X5cFailure::WrongOrder,
        X5cFailure::Expired,
        X5cFailure::NotYetValid,
        X5cFailure::UnknownIssuer,
        X5cFailure::BadSignature,
        X5cFailure::UnsupportedAlgorithm,
        X5cFailure::NotACa,
        X5cFailure::LeafIsCa,
        X5cFailure::WrongUsage,
        X5cFailure::NameConstraint,
        X5cFailure::UnsupportedCriticalExtension,
        X5cFailure::TooComplex,
        X5cFailure::ThumbprintMismatch,
        X5cFailure::PinMismatch,
        X5cFailure::KeyMismatch,
    ];

    #[test]
    fn every_failure_has_its_own_x5c_code() {
        let mut codes: Vec<_> = ALL.iter().map(|f| f.code()).collect();
        assert!(codes.iter().all(|c| c.starts_with("ERR_X5C_")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ALL.len());
    }
}
