//! Reading the ASN.1 structures that carry keys (SPKI, PKCS#8, PKCS#1)
//! down to the raw parts the backend builds keys from.

use der::Decode;
use der::asn1::ObjectIdentifier;
use pkcs8::PrivateKeyInfoRef;
use spki::SubjectPublicKeyInfoRef;
use zeroize::Zeroizing;

use crate::backend::asn1::RSA_ENCRYPTION;
use crate::backend::{EcCurve, MlDsaLevel};

const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
const ML_DSA_44: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.17");
const ML_DSA_65: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.18");
const ML_DSA_87: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.19");

/// What an SPKI or PKCS#8 algorithm identifier names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyAlgorithm {
    Rsa,
    Ec(EcCurve),
    Ed25519,
    X25519,
    MlDsa(MlDsaLevel),
}

fn key_algorithm(oid: ObjectIdentifier, params: Option<der::AnyRef<'_>>) -> Result<KeyAlgorithm, String> {
    if oid == RSA_ENCRYPTION {
        return Ok(KeyAlgorithm::Rsa);
    }
    if oid == ED25519 {
        return Ok(KeyAlgorithm::Ed25519);
    }
    if oid == X25519 {
        return Ok(KeyAlgorithm::X25519);
    }
    if oid == EC_PUBLIC_KEY {
        let curve = params
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .ok_or("EC key without a named curve")?;
        return match curve {
            c if c == P256 => Ok(KeyAlgorithm::Ec(EcCurve::P256)),
            c if c == P384 => Ok(KeyAlgorithm::Ec(EcCurve::P384)),
            c if c == P521 => Ok(KeyAlgorithm::Ec(EcCurve::P521)),
            c if c == SECP256K1 => Ok(KeyAlgorithm::Ec(EcCurve::Secp256k1)),
            other => Err(format!("unsupported EC curve {other}")),
        };
    }
    for (level_oid, level) in [
        (ML_DSA_44, MlDsaLevel::MlDsa44),
        (ML_DSA_65, MlDsaLevel::MlDsa65),
        (ML_DSA_87, MlDsaLevel::MlDsa87),
    ] {
        if oid == level_oid {
            return Ok(KeyAlgorithm::MlDsa(level));
        }
    }
    Err(format!("unsupported key algorithm {oid}"))
}

/// A SubjectPublicKeyInfo split into its algorithm and raw key bytes
/// (the PKCS#1 RSAPublicKey for RSA, the SEC1 point for EC, the raw key
/// for Ed25519 and ML-DSA).
pub(crate) fn parse_spki(der: &[u8]) -> Result<(KeyAlgorithm, Vec<u8>), String> {
    let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| format!("malformed SubjectPublicKeyInfo: {e}"))?;
    let algorithm = key_algorithm(spki.algorithm.oid, spki.algorithm.parameters)?;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or("SubjectPublicKeyInfo key is not a whole number of bytes")?;
    Ok((algorithm, key.to_vec()))
}

/// A PKCS#8 PrivateKeyInfo split into its algorithm and inner private key.
pub(crate) fn parse_pkcs8(der: &[u8]) -> Result<(KeyAlgorithm, Zeroizing<Vec<u8>>), String> {
    let info = PrivateKeyInfoRef::from_der(der).map_err(|e| format!("malformed PKCS#8 PrivateKeyInfo: {e}"))?;
    let algorithm = key_algorithm(info.algorithm.oid, info.algorithm.parameters)?;
    Ok((algorithm, Zeroizing::new(info.private_key.as_bytes().to_vec())))
}

/// The 32-byte seed inside an ML-DSA PKCS#8 private key, in either the
/// `seed` or the `both` form of the LAMPS encoding. The expanded-only form
/// has no seed to give, and JOSE's `AKP` keys need one.
pub(crate) fn mldsa_seed(inner: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    const SEED_TAG: u8 = 0x80;
    match inner {
        [SEED_TAG, 32, seed @ ..] if seed.len() == 32 => Some(Zeroizing::new(seed.to_vec())),
        [0x30, ..] => {
            // SEQUENCE { seed OCTET STRING (SIZE (32)), expandedKey OCTET STRING }
            let both = <&der::asn1::SequenceRef>::from_der(inner).ok()?;
            match both.as_bytes() {
                [0x04, 32, rest @ ..] => rest.get(..32).map(|seed| Zeroizing::new(seed.to_vec())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The SubjectPublicKeyInfo of a raw X25519 public key (RFC 8410).
pub(crate) fn x25519_spki(raw: &[u8]) -> Option<Vec<u8>> {
    let key = der::asn1::BitStringRef::from_bytes(raw).ok()?;
    let spki = SubjectPublicKeyInfoRef {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: X25519,
            parameters: None,
        },
        subject_public_key: key,
    };
    der::Encode::to_der(&spki).ok()
}

/// The PKCS#8 of a raw X25519 private key: the key is wrapped in an inner
/// OCTET STRING (`CurvePrivateKey`, RFC 8410 section 7).
pub(crate) fn x25519_pkcs8(d: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let inner = Zeroizing::new(der::Encode::to_der(&der::asn1::OctetStringRef::new(d).ok()?).ok()?);
    let info = PrivateKeyInfoRef {
        algorithm: spki::AlgorithmIdentifierRef {
            oid: X25519,
            parameters: None,
        },
        private_key: der::asn1::OctetStringRef::new(&inner).ok()?,
        public_key: None,
    };
    der::Encode::to_der(&info).ok().map(Zeroizing::new)
}

/// The raw key inside an X25519 PKCS#8 `CurvePrivateKey`.
pub(crate) fn x25519_private(inner: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let key = <&der::asn1::OctetStringRef>::from_der(inner).ok()?;
    (key.as_bytes().len() == 32).then(|| Zeroizing::new(key.as_bytes().to_vec()))
}
