//! The `x5c` header parameter read into certificates, and the checks
//! webpki leaves to its caller: issuing order, key usage and the leaf's
//! extended key usage.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use der::Decode;
use der::asn1::ObjectIdentifier;
use rustls_pki_types::CertificateDer;
use serde_json::Value;
use x509_cert::Certificate;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage};

use super::X5cFailure;
use super::refused;
use crate::error::Result;

/// The certificates of an `x5c`, leaf first, as DER and parsed.
pub(super) struct Chain {
    pub(super) der: Vec<CertificateDer<'static>>,
    parsed: Vec<Certificate>,
}

impl Chain {
    /// Reads `x5c`: an array of 1..=`max_len` strings, each standard
    /// base64 with padding (RFC 7515 section 4.1.6: not base64url) of a DER
    /// certificate. The length is checked before anything is decoded.
    pub(super) fn read(x5c: Option<&Value>, max_len: usize) -> Result<Chain> {
        let Some(x5c) = x5c else {
            return Err(refused(X5cFailure::Missing, "the header has no \"x5c\" parameter"));
        };
        let Value::Array(entries) = x5c else {
            return Err(refused(X5cFailure::Malformed, "\"x5c\" must be an array of strings"));
        };
        if entries.is_empty() {
            return Err(refused(X5cFailure::Malformed, "\"x5c\" must not be empty"));
        }
        if entries.len() > max_len {
            return Err(refused(
                X5cFailure::ChainTooLong,
                format!(
                    "\"x5c\" has {} certificates, at most {max_len} are allowed",
                    entries.len()
                ),
            ));
        }
        let mut der = Vec::with_capacity(entries.len());
        let mut parsed = Vec::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            let Value::String(text) = entry else {
                return Err(refused(X5cFailure::Malformed, format!("\"x5c\"[{i}] is not a string")));
            };
            // The standard alphabet with its padding, canonical: base64url
            // or unpadded text is refused, as is whitespace.
            let bytes = STANDARD.decode(text).map_err(|_| {
                refused(
                    X5cFailure::Malformed,
                    format!("\"x5c\"[{i}] is not standard base64 with padding"),
                )
            })?;
            let cert = Certificate::from_der(&bytes).map_err(|_| {
                refused(
                    X5cFailure::Malformed,
                    format!("\"x5c\"[{i}] is not a DER X.509 certificate"),
                )
            })?;
            der.push(CertificateDer::from(bytes));
            parsed.push(cert);
        }
        Ok(Chain { der, parsed })
    }

    pub(super) fn leaf(&self) -> &CertificateDer<'static> {
        &self.der[0]
    }

    /// The certificates after the leaf, less a trailing self-issued one:
    /// a sender may append its root (RFC 7515 allows it), but trust comes
    /// from the anchors alone, and such a root (often a v1 certificate,
    /// which webpki cannot take as an intermediate) would only turn "no
    /// anchor issued this" into a less telling refusal.
    pub(super) fn intermediates(&self) -> &[CertificateDer<'static>] {
        let end = match self.parsed.split_last() {
            Some((last, rest)) if !rest.is_empty() && self_issued(last) => self.der.len() - 1,
            _ => self.der.len(),
        };
        &self.der[1..end]
    }

    /// Each certificate must be followed by the one that issued it (RFC
    /// 7515 section 4.1.6). webpki builds a path from any pool, so the
    /// order is held here: a chain sent shuffled is a sender's bug worth
    /// reporting rather than repairing.
    pub(super) fn check_order(&self) -> Result<()> {
        for (i, pair) in self.parsed.windows(2).enumerate() {
            if pair[0].tbs_certificate().issuer() != pair[1].tbs_certificate().subject() {
                return Err(refused(
                    X5cFailure::WrongOrder,
                    format!("\"x5c\"[{}] did not issue \"x5c\"[{i}]", i + 1),
                ));
            }
        }
        Ok(())
    }

    /// webpki does not read the key usage extension: the leaf, when it has
    /// one, must allow `digitalSignature`, and every issuer `keyCertSign`.
    pub(super) fn check_key_usage(&self) -> Result<()> {
        for (i, cert) in self.parsed.iter().enumerate() {
            let usage = cert
                .tbs_certificate()
                .get_extension::<KeyUsage>()
                .map_err(|_| refused(X5cFailure::Malformed, format!("\"x5c\"[{i}] has a malformed key usage")))?;
            let Some((_, usage)) = usage else { continue };
            let (allowed, needed) = if i == 0 {
                (usage.digital_signature(), "digitalSignature")
            } else {
                (usage.key_cert_sign(), "keyCertSign")
            };
            if !allowed {
                return Err(refused(
                    X5cFailure::WrongUsage,
                    format!("\"x5c\"[{i}] has a key usage without {needed}"),
                ));
            }
        }
        Ok(())
    }

    /// The leaf must list `eku` in its extended key usage extension, and
    /// an issuer that lists any must list it too (or `anyExtendedKeyUsage`):
    /// a CA restricted to other purposes cannot vouch for this one.
    pub(super) fn check_eku(&self, eku: &ObjectIdentifier) -> Result<()> {
        for (i, cert) in self.parsed.iter().enumerate() {
            let listed = cert
                .tbs_certificate()
                .get_extension::<ExtendedKeyUsage>()
                .map_err(|_| {
                    refused(
                        X5cFailure::Malformed,
                        format!("\"x5c\"[{i}] has a malformed extended key usage"),
                    )
                })?;
            let allowed = match listed {
                Some((_, ExtendedKeyUsage(oids))) => oids.iter().any(|oid| oid == eku || (i > 0 && *oid == ANY_EKU)),
                None => i > 0,
            };
            if !allowed {
                return Err(refused(
                    X5cFailure::WrongUsage,
                    format!("\"x5c\"[{i}]'s extended key usage does not include {eku}"),
                ));
            }
        }
        Ok(())
    }
}

/// A trust anchor's own `pathLenConstraint`, from its DER certificate:
/// `None` when it has no basic constraints or no limit.
pub(super) fn path_len_constraint(der: &[u8]) -> std::result::Result<Option<u8>, der::Error> {
    let cert = Certificate::from_der(der)?;
    let constraints = cert.tbs_certificate().get_extension::<BasicConstraints>()?;
    Ok(constraints.and_then(|(_, constraints)| constraints.path_len_constraint))
}

fn self_issued(cert: &Certificate) -> bool {
    cert.tbs_certificate().issuer() == cert.tbs_certificate().subject()
}

/// `anyExtendedKeyUsage` (RFC 5280 section 4.2.1.12).
const ANY_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
