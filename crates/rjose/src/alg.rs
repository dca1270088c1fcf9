//! JWS algorithm identifiers (RFC 7518 section 3, RFC 8037, fully-specified
//! EdDSA, and ML-DSA from the JOSE post-quantum draft).

use std::fmt;
use std::str::FromStr;

use crate::backend::{EcCurve, MlDsaLevel, Sha};
use crate::error::Error;

/// A JWS signature or MAC algorithm.
///
/// Variants are spelled as the IANA registry spells the algorithm, with
/// `-` written `_` (`ML-DSA-44` is `ML_DSA_44`), the rule
/// [`JweAlg`](crate::jwe::JweAlg) and [`JweEnc`](crate::jwe::JweEnc) follow.
///
/// `none` is deliberately absent: unsecured JWTs live behind
/// [`crate::jwt::UnsecuredJwt`], never behind an `Alg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is its registered name
#[allow(non_camel_case_types)] // variants are spelled as registered
pub enum Alg {
    HS256,
    HS384,
    HS512,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    ES256K,
    /// EdDSA as registered by RFC 8037; this library implements it with Ed25519.
    EdDSA,
    /// The fully-specified name for EdDSA over Ed25519.
    Ed25519,
    ML_DSA_44,
    ML_DSA_65,
    ML_DSA_87,
}

/// Which family of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Family {
    Hmac(Sha),
    RsaPkcs1(Sha),
    RsaPss(Sha),
    Ecdsa(EcCurve),
    Ed25519,
    MlDsa(MlDsaLevel),
}

impl Alg {
    /// Every algorithm this library implements, in registration order.
    pub const ALL: [Alg; 18] = [
        Alg::HS256,
        Alg::HS384,
        Alg::HS512,
        Alg::RS256,
        Alg::RS384,
        Alg::RS512,
        Alg::PS256,
        Alg::PS384,
        Alg::PS512,
        Alg::ES256,
        Alg::ES384,
        Alg::ES512,
        Alg::ES256K,
        Alg::EdDSA,
        Alg::Ed25519,
        Alg::ML_DSA_44,
        Alg::ML_DSA_65,
        Alg::ML_DSA_87,
    ];

    /// The registered `alg` header value.
    pub const fn name(self) -> &'static str {
        match self {
            Alg::HS256 => "HS256",
            Alg::HS384 => "HS384",
            Alg::HS512 => "HS512",
            Alg::RS256 => "RS256",
            Alg::RS384 => "RS384",
            Alg::RS512 => "RS512",
            Alg::PS256 => "PS256",
            Alg::PS384 => "PS384",
            Alg::PS512 => "PS512",
            Alg::ES256 => "ES256",
            Alg::ES384 => "ES384",
            Alg::ES512 => "ES512",
            Alg::ES256K => "ES256K",
            Alg::EdDSA => "EdDSA",
            Alg::Ed25519 => "Ed25519",
            Alg::ML_DSA_44 => "ML-DSA-44",
            Alg::ML_DSA_65 => "ML-DSA-65",
            Alg::ML_DSA_87 => "ML-DSA-87",
        }
    }

    /// Looks up a registered name; `None` for unknown names and for `none`.
    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|alg| alg.name() == name)
    }

    /// True for the HMAC algorithms, whose key is a shared secret.
    pub const fn is_symmetric(self) -> bool {
        matches!(self, Alg::HS256 | Alg::HS384 | Alg::HS512)
    }

    pub(crate) const fn family(self) -> Family {
        match self {
            Alg::HS256 => Family::Hmac(Sha::Sha256),
            Alg::HS384 => Family::Hmac(Sha::Sha384),
            Alg::HS512 => Family::Hmac(Sha::Sha512),
            Alg::RS256 => Family::RsaPkcs1(Sha::Sha256),
            Alg::RS384 => Family::RsaPkcs1(Sha::Sha384),
            Alg::RS512 => Family::RsaPkcs1(Sha::Sha512),
            Alg::PS256 => Family::RsaPss(Sha::Sha256),
            Alg::PS384 => Family::RsaPss(Sha::Sha384),
            Alg::PS512 => Family::RsaPss(Sha::Sha512),
            Alg::ES256 => Family::Ecdsa(EcCurve::P256),
            Alg::ES384 => Family::Ecdsa(EcCurve::P384),
            Alg::ES512 => Family::Ecdsa(EcCurve::P521),
            Alg::ES256K => Family::Ecdsa(EcCurve::Secp256k1),
            Alg::EdDSA | Alg::Ed25519 => Family::Ed25519,
            Alg::ML_DSA_44 => Family::MlDsa(MlDsaLevel::MlDsa44),
            Alg::ML_DSA_65 => Family::MlDsa(MlDsaLevel::MlDsa65),
            Alg::ML_DSA_87 => Family::MlDsa(MlDsaLevel::MlDsa87),
        }
    }

    /// The JWK `kty` a key for this algorithm has.
    pub const fn key_type(self) -> &'static str {
        match self.family() {
            Family::Hmac(_) => "oct",
            Family::RsaPkcs1(_) | Family::RsaPss(_) => "RSA",
            Family::Ecdsa(_) => "EC",
            Family::Ed25519 => "OKP",
            Family::MlDsa(_) => "AKP",
        }
    }

    /// Minimum HMAC secret length (the digest size, RFC 7518 section 3.2).
    pub(crate) const fn min_secret_len(self) -> usize {
        match self.family() {
            Family::Hmac(Sha::Sha256) => 32,
            Family::Hmac(Sha::Sha384) => 48,
            Family::Hmac(Sha::Sha512) => 64,
            _ => 0,
        }
    }
}

impl fmt::Display for Alg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Alg {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self, Error> {
        Alg::from_name(name).ok_or_else(|| Error::NotSupported(format!("unsupported JWS algorithm {name:?}")))
    }
}

impl serde::Serialize for Alg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for Alg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Alg::from_name(&name).ok_or_else(|| serde::de::Error::custom(format!("unsupported JWS algorithm {name:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in Alg::ALL {
            assert_eq!(Alg::from_name(alg.name()), Some(alg));
        }
    }

    #[test]
    fn none_is_not_an_algorithm() {
        assert_eq!(Alg::from_name("none"), None);
        assert_eq!(Alg::from_name("None"), None);
    }

    #[test]
    fn names_are_case_sensitive() {
        assert_eq!(Alg::from_name("hs256"), None);
    }
}

/// Any algorithm a key can be made for: a JWS algorithm, a JWE key
/// management algorithm or a JWE content encryption algorithm (whose key
/// is the one `dir` uses). [`generate_secret`](crate::generate_secret) and
/// [`generate_key_pair`](crate::generate_key_pair) take any of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// A JWS algorithm.
    Jws(Alg),
    /// A JWE key management algorithm.
    Jwe(crate::jwe::JweAlg),
    /// A JWE content encryption algorithm.
    Enc(crate::jwe::JweEnc),
}

impl Algorithm {
    /// The registered name.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Jws(alg) => alg.name(),
            Algorithm::Jwe(alg) => alg.name(),
            Algorithm::Enc(enc) => enc.name(),
        }
    }

    /// Whether a key restricted to this algorithm (its JWK `alg`) may serve
    /// the JWS algorithm `alg`. EdDSA and Ed25519 name the same signature
    /// over an Ed25519 key.
    pub(crate) fn permits_jws(self, alg: Alg) -> bool {
        match self {
            Algorithm::Jws(restricted) => {
                restricted == alg
                    || (matches!(alg, Alg::EdDSA | Alg::Ed25519) && matches!(restricted, Alg::EdDSA | Alg::Ed25519))
            }
            _ => false,
        }
    }

    /// Looks up any registered name this library implements.
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Alg::from_name(name)
            .map(Algorithm::Jws)
            .or_else(|| crate::jwe::JweAlg::from_name(name).map(Algorithm::Jwe))
            .or_else(|| crate::jwe::JweEnc::from_name(name).map(Algorithm::Enc))
    }
}

impl From<Alg> for Algorithm {
    fn from(alg: Alg) -> Self {
        Algorithm::Jws(alg)
    }
}

impl From<crate::jwe::JweAlg> for Algorithm {
    fn from(alg: crate::jwe::JweAlg) -> Self {
        Algorithm::Jwe(alg)
    }
}

impl From<crate::jwe::JweEnc> for Algorithm {
    fn from(enc: crate::jwe::JweEnc) -> Self {
        Algorithm::Enc(enc)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
