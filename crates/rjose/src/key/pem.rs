//! PEM and DER import/export: SPKI, PKCS#8 (plain or password-protected),
//! X.509 certificates, PKCS#1 RSA and SEC1 EC keys.

use zeroize::Zeroizing;

use super::asn1::{self, KeyAlgorithm};
use super::der::{self, KeyDer};
use super::{Key, Material, Params};
use crate::backend::EcdhCurve;
use crate::backend::asn1::{rsa_pkcs1_private, rsa_public_components};
use crate::backend::ec::{EcPrivate, EcPublic};
use crate::backend::ecdh::EcdhPrivate;
use crate::backend::ed25519::{Ed25519Private, Ed25519Public};
use crate::backend::mldsa::{MlDsaPrivate, MlDsaPublic};
use crate::backend::rsa::{RsaPrivate, RsaPublic};
use crate::error::{Error, Result};

fn pem_label(pem: &str) -> Option<&str> {
    let start = pem.find("-----BEGIN ")? + "-----BEGIN ".len();
    let end = pem[start..].find("-----")?;
    Some(&pem[start..start + end])
}

fn expect_label(pem: &str, accepted: &[&str], what: &str) -> Result<()> {
    match pem_label(pem) {
        Some(label) if accepted.contains(&label) => Ok(()),
        Some(label) => Err(Error::jwk(format!("expected {what} PEM, found \"{label}\""))),
        None => Err(Error::jwk(format!("expected {what} PEM, found no PEM block"))),
    }
}

fn der_error(e: der::DerError) -> Error {
    Error::jwk(e.0)
}

impl Key {
    /// Imports any PEM key this library understands, by its label:
    /// `PUBLIC KEY`, `RSA PUBLIC KEY`, `CERTIFICATE` (public key only),
    /// `PRIVATE KEY`, `RSA PRIVATE KEY`, `EC PRIVATE KEY`. Encrypted keys
    /// need [`Key::from_encrypted_pkcs8_pem`].
    pub fn from_pem(pem: &str) -> Result<Key> {
        Key::from_key_der(der::decode_pem(pem, None).map_err(der_error)?)
    }

    /// Imports a `PUBLIC KEY` (SubjectPublicKeyInfo) PEM.
    ///
    /// ```
    /// let pem = "-----BEGIN PUBLIC KEY-----
    /// MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEVs/o5+uQbTjL3chynL4wXgUg2R9
    /// q9UU8I5mEovUf86QZ7kOBIjJwqnzD1omageEHWwHdBO6B+dFabmdT9POxg==
    /// -----END PUBLIC KEY-----";
    /// let key = rjose::Key::from_spki_pem(pem)?;
    /// assert_eq!(key.crv(), Some(rjose::Curve::P256));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn from_spki_pem(pem: &str) -> Result<Key> {
        expect_label(pem, &["PUBLIC KEY"], "SPKI \"PUBLIC KEY\"")?;
        Key::from_pem(pem)
    }

    /// Imports a `PRIVATE KEY` (PKCS#8) PEM.
    pub fn from_pkcs8_pem(pem: &str) -> Result<Key> {
        expect_label(pem, &["PRIVATE KEY"], "PKCS#8 \"PRIVATE KEY\"")?;
        Key::from_pem(pem)
    }

    /// Imports the public key of a `CERTIFICATE` PEM. The certificate is
    /// not validated: chain building and expiry are the caller's business.
    pub fn from_x509_pem(pem: &str) -> Result<Key> {
        expect_label(pem, &["CERTIFICATE"], "X.509 \"CERTIFICATE\"")?;
        Key::from_pem(pem)
    }

    /// Imports an `ENCRYPTED PRIVATE KEY` (PKCS#8 with PBES2) PEM; plain
    /// PEM keys are accepted too, and then the password is not used.
    pub fn from_encrypted_pkcs8_pem(pem: &str, password: impl AsRef<[u8]>) -> Result<Key> {
        Key::from_key_der(der::decode_pem(pem, Some(password.as_ref())).map_err(der_error)?)
    }

    /// Imports a SubjectPublicKeyInfo DER.
    pub fn from_spki_der(der: &[u8]) -> Result<Key> {
        let (algorithm, raw) = asn1::parse_spki(der).map_err(Error::jwk)?;
        let invalid = |_| Error::jwk("invalid public key in SubjectPublicKeyInfo");
        let material = match algorithm {
            KeyAlgorithm::Rsa => {
                let (n, e) = rsa_public_components(&raw).ok_or_else(|| Error::jwk("malformed RSA public key"))?;
                Material::RsaPublic(RsaPublic::from_components(&n, &e).map_err(|_| rsa_refused(&n, &e))?)
            }
            KeyAlgorithm::Ec(curve) => Material::EcPublic(EcPublic::from_point(curve, &raw).map_err(invalid)?),
            KeyAlgorithm::Ed25519 => Material::Ed25519Public(Ed25519Public::from_bytes(&raw).map_err(invalid)?),
            KeyAlgorithm::MlDsa(level) => Material::MlDsaPublic(MlDsaPublic::from_bytes(level, &raw).map_err(invalid)?),
            KeyAlgorithm::X25519 => Material::X25519Public(
                <[u8; 32]>::try_from(raw.as_slice()).map_err(|_| Error::jwk("X25519 public key must be 32 bytes"))?,
            ),
        };
        Ok(Key::new(material, Params::default()))
    }

    /// Imports a PKCS#8 PrivateKeyInfo DER.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Key> {
        let (algorithm, inner) = asn1::parse_pkcs8(der).map_err(Error::jwk)?;
        let invalid = |_| Error::jwk("invalid private key in PKCS#8");
        let material = match algorithm {
            KeyAlgorithm::Rsa => {
                let (n, e, _) = rsa_pkcs1_private(&inner).ok_or_else(|| Error::jwk("malformed RSA private key"))?;
                Material::RsaPrivate(RsaPrivate::from_pkcs8(der).map_err(|_| rsa_refused(&n, &e))?)
            }
            KeyAlgorithm::Ec(curve) => Material::EcPrivate(EcPrivate::from_pkcs8(curve, der).map_err(invalid)?),
            KeyAlgorithm::Ed25519 => Material::Ed25519Private(Ed25519Private::from_pkcs8(der).map_err(invalid)?),
            KeyAlgorithm::MlDsa(level) => {
                let seed = asn1::mldsa_seed(&inner)
                    .ok_or_else(|| Error::NotSupported("ML-DSA private keys without their seed".into()))?;
                Material::MlDsaPrivate(MlDsaPrivate::from_seed(level, &seed).map_err(invalid)?)
            }
            KeyAlgorithm::X25519 => {
                let d = asn1::x25519_private(&inner).ok_or_else(|| Error::jwk("malformed X25519 private key"))?;
                Material::X25519Private(EcdhPrivate::from_scalar(EcdhCurve::X25519, &d).map_err(invalid)?)
            }
        };
        Ok(Key::new(material, Params::default()))
    }

    /// Imports the public key of an X.509 certificate DER.
    pub fn from_x509_der(der: &[u8]) -> Result<Key> {
        Key::from_spki_der(&der::certificate_spki(der).map_err(der_error)?)
    }

    /// Imports a DER key of any supported form (PKCS#8, SPKI, X.509,
    /// PKCS#1 RSA private, SEC1 EC private), recognised by its structure.
    pub fn from_der(der: &[u8]) -> Result<Key> {
        Key::from_key_der(der::decode_der(der).map_err(der_error)?)
    }

    fn from_key_der(der: KeyDer) -> Result<Key> {
        match der {
            KeyDer::Spki(spki) => Key::from_spki_der(&spki),
            KeyDer::Pkcs8(pkcs8) => Key::from_pkcs8_der(&pkcs8),
        }
    }

    /// The SubjectPublicKeyInfo DER of this key's public part.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        let failed = |_| Error::Crypto("SPKI export failed");
        match self.material() {
            Material::Oct(_) => Err(Error::key_use("an HMAC secret has no public key")),
            Material::RsaPublic(k) => k.spki_der().map_err(failed),
            Material::RsaPrivate(k) => k.public().spki_der().map_err(failed),
            Material::EcPublic(k) => k.spki_der().map_err(failed),
            Material::EcPrivate(k) => k.public().spki_der().map_err(failed),
            Material::Ed25519Public(k) => k.spki_der().map_err(failed),
            Material::Ed25519Private(k) => k.public().spki_der().map_err(failed),
            Material::MlDsaPublic(k) => k.spki_der().map_err(failed),
            Material::MlDsaPrivate(k) => k.public().spki_der().map_err(failed),
            Material::X25519Public(raw) => asn1::x25519_spki(raw).ok_or(Error::Crypto("SPKI export failed")),
            Material::X25519Private(k) => {
                asn1::x25519_spki(&k.public_bytes().map_err(failed)?).ok_or(Error::Crypto("SPKI export failed"))
            }
        }
    }

    /// The `PUBLIC KEY` PEM of this key's public part.
    pub fn to_spki_pem(&self) -> Result<String> {
        Ok(der::spki_pem(&self.to_spki_der()?))
    }

    /// The PKCS#8 DER of a private key.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let failed = |_| Error::Crypto("PKCS#8 export failed");
        match self.material() {
            Material::RsaPrivate(k) => k.pkcs8_der().map_err(failed),
            Material::EcPrivate(k) => k.pkcs8_der().map_err(failed),
            Material::Ed25519Private(k) => k.pkcs8_der().map_err(failed),
            Material::MlDsaPrivate(k) => k.pkcs8_der().map_err(failed),
            Material::X25519Private(k) => {
                asn1::x25519_pkcs8(&k.scalar().map_err(failed)?).ok_or(Error::Crypto("PKCS#8 export failed"))
            }
            Material::Oct(_) => Err(Error::key_use("an HMAC secret has no PKCS#8 form")),
            _ => Err(Error::key_use("a public key has no PKCS#8 form")),
        }
    }

    /// The `PRIVATE KEY` PEM of a private key.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        Ok(der::pkcs8_pem(&self.to_pkcs8_der()?))
    }

    /// The `ENCRYPTED PRIVATE KEY` PEM of a private key (PBES2 with
    /// PBKDF2-HMAC-SHA256 and AES-256-CBC, readable by OpenSSL).
    pub fn to_encrypted_pkcs8_pem(&self, password: impl AsRef<[u8]>) -> Result<Zeroizing<String>> {
        der::encrypted_pkcs8_pem(&self.to_pkcs8_der()?, password.as_ref()).map_err(der_error)
    }
}

fn rsa_refused(n: &[u8], e: &[u8]) -> Error {
    let bits = n.iter().skip_while(|&&b| b == 0).count() * 8;
    if let Some(weakness) = crate::backend::rsa_limits::weakness(n, e) {
        Error::jwk(weakness)
    } else if bits > 0 && bits < crate::backend::rsa_limits::MIN_BITS {
        Error::jwk(format!(
            "RSA key of {bits} bits is refused: at least {} bits are required",
            crate::backend::rsa_limits::MIN_BITS
        ))
    } else {
        Error::jwk("invalid RSA key")
    }
}
