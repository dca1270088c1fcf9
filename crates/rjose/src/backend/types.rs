//! The small vocabulary every provider speaks and the layers above name:
//! which digest, curve, parameter set or padding an operation uses. These
//! are facts of the algorithms, not of a provider, so they live here once
//! and each provider maps them to its own handles.

use zeroize::Zeroizing;

/// The SHA-2 digest an algorithm uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sha {
    Sha256,
    Sha384,
    Sha512,
}

/// The curves ECDSA signs on here. The public [`crate::Curve`] names
/// every JWK curve; this is the subset the ECDSA code can be handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum EcCurve {
    P256,
    P384,
    P521,
    Secp256k1,
}

impl EcCurve {
    /// The JWK `crv` name.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
            EcCurve::Secp256k1 => "secp256k1",
        }
    }

    /// Bytes in one coordinate or in the private scalar.
    pub(crate) const fn coordinate_len(self) -> usize {
        match self {
            EcCurve::P256 | EcCurve::Secp256k1 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }
}

/// A curve usable for ECDH-ES.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EcdhCurve {
    P256,
    P384,
    P521,
    X25519,
}

impl EcdhCurve {
    /// Length of the private scalar: the curve order's width for P-*,
    /// 32 raw bytes for X25519.
    pub(crate) const fn scalar_len(self) -> usize {
        match self {
            EcdhCurve::P256 | EcdhCurve::X25519 => 32,
            EcdhCurve::P384 => 48,
            EcdhCurve::P521 => 66,
        }
    }

    /// Length of the public key: `04 || x || y` for P-*, 32 bytes for X25519.
    pub(crate) const fn public_len(self) -> usize {
        match self {
            EcdhCurve::X25519 => 32,
            curve => 1 + 2 * curve.scalar_len(),
        }
    }
}

/// Length of an Ed25519 public key and of its private seed.
pub(crate) const ED25519_KEY_LEN: usize = 32;

// Public as `rjose::MlDsaLevel`; the methods that speak of JOSE (its
// `alg`) are defined beside the key types, above this module.
/// An ML-DSA parameter set (FIPS 204).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MlDsaLevel {
    /// ML-DSA-44 (category 2).
    MlDsa44,
    /// ML-DSA-65 (category 3).
    MlDsa65,
    /// ML-DSA-87 (category 5).
    MlDsa87,
}

impl MlDsaLevel {
    pub(crate) const fn public_key_len(self) -> usize {
        match self {
            MlDsaLevel::MlDsa44 => 1312,
            MlDsaLevel::MlDsa65 => 1952,
            MlDsaLevel::MlDsa87 => 2592,
        }
    }

    pub(crate) const fn signature_len(self) -> usize {
        match self {
            MlDsaLevel::MlDsa44 => 2420,
            MlDsaLevel::MlDsa65 => 3309,
            MlDsaLevel::MlDsa87 => 4627,
        }
    }
}

/// Length of an ML-DSA private seed, the form JOSE's `AKP` keys carry.
pub(crate) const MLDSA_SEED_LEN: usize = 32;

/// RSA signature padding scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Padding {
    Pkcs1,
    Pss,
}

/// The OAEP hash; MGF1 always uses the same one, as JOSE specifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OaepHash {
    /// RSA-OAEP: SHA-1 with MGF1-SHA-1 (RFC 7518's defaults from RFC 3447).
    Sha1,
    /// RSA-OAEP-256.
    Sha256,
    /// RSA-OAEP-384.
    Sha384,
    /// RSA-OAEP-512.
    Sha512,
}

/// The HMAC pseudo-random function PBKDF2 is run with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pbkdf2Prf {
    /// HMAC-SHA-1 (`hmacWithSHA1`), the PKCS#5 default; still what older tools write.
    Sha1,
    /// HMAC-SHA-256 (`hmacWithSHA256`), OpenSSL 3's default.
    Sha256,
    /// HMAC-SHA-384 (`hmacWithSHA384`).
    Sha384,
    /// HMAC-SHA-512 (`hmacWithSHA512`).
    Sha512,
}

impl Pbkdf2Prf {
    /// Output length of the underlying hash in bytes.
    pub(crate) const fn digest_len(self) -> u64 {
        match self {
            Self::Sha1 => 20,
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

/// The parts of an RSA private key, big-endian without leading zeros.
pub(crate) struct PrivateParts {
    pub(crate) d: Zeroizing<Vec<u8>>,
    pub(crate) p: Zeroizing<Vec<u8>>,
    pub(crate) q: Zeroizing<Vec<u8>>,
    pub(crate) dp: Zeroizing<Vec<u8>>,
    pub(crate) dq: Zeroizing<Vec<u8>>,
    pub(crate) qi: Zeroizing<Vec<u8>>,
}
