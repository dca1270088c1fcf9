//! Keys: one [`Key`] type for every key this library can use, bound to the
//! algorithms it may serve.

pub(crate) mod asn1;
mod async_source;
pub(crate) mod der;
mod generate;
mod jwe;
mod pem;
mod source;
mod usage;

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

pub use async_source::{AsyncKeySource, KeyFn, KeyFuture, key_fn};
pub use generate::{KeyPair, KeyPairOptions, generate_key_pair, generate_secret};
pub use source::{KeyCandidates, KeySource};
pub(crate) use usage::{Operation, check_consistent};

use crate::alg::{Alg, Algorithm, Family};
pub use crate::backend::MlDsaLevel;
use crate::backend::ec::{EcPrivate, EcPublic};
use crate::backend::ecdh::EcdhPrivate;
use crate::backend::ed25519::{Ed25519Private, Ed25519Public};
use crate::backend::hmac::HmacSecret;
use crate::backend::mldsa::{MlDsaPrivate, MlDsaPublic};
use crate::backend::rsa::{RsaPrivate, RsaPublic};
use crate::backend::{EcCurve, Padding};
use crate::error::{Error, Result};

/// A named curve, as the JWK `crv` member spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Curve {
    /// NIST P-256: ES256, and ECDH-ES.
    P256,
    /// NIST P-384: ES384, and ECDH-ES.
    P384,
    /// NIST P-521: ES512, and ECDH-ES.
    P521,
    /// secp256k1: ES256K (RFC 8812).
    Secp256k1,
    /// Ed25519: EdDSA signatures (RFC 8037).
    Ed25519,
    /// X25519: ECDH-ES key agreement (RFC 8037).
    X25519,
}

impl Curve {
    /// Every curve this library implements.
    pub const ALL: [Curve; 6] = [
        Curve::P256,
        Curve::P384,
        Curve::P521,
        Curve::Secp256k1,
        Curve::Ed25519,
        Curve::X25519,
    ];

    /// The JWK `crv` name.
    pub const fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Secp256k1 => "secp256k1",
            Curve::Ed25519 => "Ed25519",
            Curve::X25519 => "X25519",
        }
    }

    /// Looks up a JWK `crv` name (case-sensitive, as registered).
    pub fn from_name(name: &str) -> Option<Curve> {
        Curve::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The JWS algorithm a key on this curve signs with; `None` for
    /// X25519, which only agrees keys.
    pub const fn alg(self) -> Option<Alg> {
        match self {
            Curve::P256 => Some(Alg::ES256),
            Curve::P384 => Some(Alg::ES384),
            Curve::P521 => Some(Alg::ES512),
            Curve::Secp256k1 => Some(Alg::ES256K),
            Curve::Ed25519 => Some(Alg::EdDSA),
            Curve::X25519 => None,
        }
    }

    /// The ECDSA curve behind this name, for the curves that have one.
    pub(crate) const fn ecdsa(self) -> Option<EcCurve> {
        match self {
            Curve::P256 => Some(EcCurve::P256),
            Curve::P384 => Some(EcCurve::P384),
            Curve::P521 => Some(EcCurve::P521),
            Curve::Secp256k1 => Some(EcCurve::Secp256k1),
            Curve::Ed25519 | Curve::X25519 => None,
        }
    }
}

impl From<EcCurve> for Curve {
    fn from(curve: EcCurve) -> Self {
        match curve {
            EcCurve::P256 => Curve::P256,
            EcCurve::P384 => Curve::P384,
            EcCurve::P521 => Curve::P521,
            EcCurve::Secp256k1 => Curve::Secp256k1,
        }
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl MlDsaLevel {
    /// The JWS algorithm, which for `AKP` keys also names the parameter set.
    pub const fn alg(self) -> Alg {
        match self {
            MlDsaLevel::MlDsa44 => Alg::ML_DSA_44,
            MlDsaLevel::MlDsa65 => Alg::ML_DSA_65,
            MlDsaLevel::MlDsa87 => Alg::ML_DSA_87,
        }
    }
}

/// The digest of an RFC 7638 thumbprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Digest {
    /// SHA-256, the common choice.
    #[default]
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// The cryptographic material of a key. It lives behind an `Arc`, built
/// once per key, so the spread of variant sizes costs nothing worth boxing.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Material {
    Oct(HmacSecret),
    RsaPublic(RsaPublic),
    RsaPrivate(RsaPrivate),
    EcPublic(EcPublic),
    EcPrivate(EcPrivate),
    Ed25519Public(Ed25519Public),
    Ed25519Private(Ed25519Private),
    MlDsaPublic(MlDsaPublic),
    MlDsaPrivate(MlDsaPrivate),
    /// X25519 public key, raw (ECDH-ES only).
    X25519Public([u8; 32]),
    /// X25519 private key (ECDH-ES only).
    X25519Private(EcdhPrivate),
}

/// JWK members that describe a key without being part of it.
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Params {
    pub(crate) kid: Option<String>,
    pub(crate) alg: Option<Algorithm>,
    pub(crate) use_: Option<String>,
    pub(crate) key_ops: Option<Vec<String>>,
    pub(crate) x5c: Option<Vec<String>>,
    pub(crate) x5t: Option<String>,
    pub(crate) x5t_s256: Option<String>,
    pub(crate) x5u: Option<String>,
}

/// A key: an HMAC secret, or an RSA, EC, Ed25519 or ML-DSA public key or
/// key pair, with its JWK parameters (`kid`, `alg`, `use`, `key_ops`).
///
/// A key knows which algorithms it may serve: an HMAC secret never verifies
/// an RSA signature, an RSA key never serves as an HMAC secret, and a key
/// whose JWK names an `alg` serves that algorithm only. Cloning is cheap
/// (the material is shared), secret bytes are zeroized when the last clone
/// drops, and `Debug` never prints them.
///
/// ```
/// use rjose::{Alg, Key};
///
/// let secret = Key::from_secret(b"a secret of at least thirty-two bytes!")?;
/// assert!(secret.supports(Alg::HS256));
/// assert!(!secret.supports(Alg::RS256));
/// assert_eq!(format!("{secret:?}"), "Key { kty: \"oct\", bits: 304, private: true }");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Clone)]
pub struct Key {
    material: Arc<Material>,
    params: Arc<Params>,
}

impl Key {
    pub(crate) fn new(material: Material, params: Params) -> Key {
        Key {
            material: Arc::new(material),
            params: Arc::new(params),
        }
    }

    pub(crate) fn material(&self) -> &Material {
        &self.material
    }

    pub(crate) fn params(&self) -> &Params {
        &self.params
    }

    /// A symmetric key (`kty: "oct"`) from raw bytes: an HMAC secret, an
    /// AES key-wrap key, a `dir` content key or a PBES2 password.
    ///
    /// An empty secret is refused here ([`Error::JwkInvalid`]): it is always
    /// a mistake, usually an unset environment variable. The length each
    /// algorithm needs is checked when the key is used: HMAC refuses
    /// secrets shorter than its digest (RFC 7518 section 3.2), 32 bytes
    /// for HS256, 48 for HS384, 64 for HS512.
    ///
    /// ```
    /// use rjose::{Alg, Key};
    ///
    /// let key = Key::from_secret(b"a secret of at least thirty-two bytes!")?;
    /// assert!(key.supports(Alg::HS256));
    /// assert_eq!(Key::from_secret(b"").unwrap_err().code(), "ERR_JWK_INVALID");
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn from_secret(secret: impl AsRef<[u8]>) -> Result<Key> {
        let secret = secret.as_ref();
        if secret.is_empty() {
            return Err(Error::jwk("a secret must not be empty"));
        }
        Ok(Key::new(
            Material::Oct(HmacSecret::new(Zeroizing::new(secret.to_vec()))),
            Params::default(),
        ))
    }

    /// The JWK key type: `oct`, `RSA`, `EC`, `OKP` or `AKP`.
    pub fn kty(&self) -> &'static str {
        match self.material() {
            Material::Oct(_) => "oct",
            Material::RsaPublic(_) | Material::RsaPrivate(_) => "RSA",
            Material::EcPublic(_) | Material::EcPrivate(_) => "EC",
            Material::Ed25519Public(_)
            | Material::Ed25519Private(_)
            | Material::X25519Public(_)
            | Material::X25519Private(_) => "OKP",
            Material::MlDsaPublic(_) | Material::MlDsaPrivate(_) => "AKP",
        }
    }

    /// The curve (JWK `crv`) of an EC or OKP key.
    pub fn crv(&self) -> Option<Curve> {
        match self.material() {
            Material::EcPublic(k) => Some(k.curve().into()),
            Material::EcPrivate(k) => Some(k.public().curve().into()),
            Material::Ed25519Public(_) | Material::Ed25519Private(_) => Some(Curve::Ed25519),
            Material::X25519Public(_) | Material::X25519Private(_) => Some(Curve::X25519),
            _ => None,
        }
    }

    /// True for secrets and private keys, which can sign.
    pub fn is_private(&self) -> bool {
        matches!(
            self.material(),
            Material::Oct(_)
                | Material::RsaPrivate(_)
                | Material::EcPrivate(_)
                | Material::Ed25519Private(_)
                | Material::MlDsaPrivate(_)
                | Material::X25519Private(_)
        )
    }

    /// True for HMAC secrets.
    pub fn is_symmetric(&self) -> bool {
        matches!(self.material(), Material::Oct(_))
    }

    /// The key ID (`kid`), if any.
    pub fn kid(&self) -> Option<&str> {
        self.params().kid.as_deref()
    }

    /// The algorithm the key is restricted to (JWK `alg`), if any: a JWS
    /// algorithm, a JWE key management algorithm or, for a `dir` key, the
    /// content encryption algorithm it serves.
    pub fn alg(&self) -> Option<Algorithm> {
        self.params().alg
    }

    /// The intended use (JWK `use`: `sig` or `enc`), if any.
    pub fn key_use(&self) -> Option<&str> {
        self.params().use_.as_deref()
    }

    /// The permitted operations (JWK `key_ops`), if any.
    pub fn key_ops(&self) -> Option<&[String]> {
        self.params().key_ops.as_deref()
    }

    /// This key with `kid` set.
    pub fn with_kid(&self, kid: impl Into<String>) -> Key {
        let kid = kid.into();
        let mut params = self.params().clone();
        params.kid = Some(kid);
        self.rewrap(params)
    }

    /// This key restricted to one algorithm (JWK `alg`): a JWS algorithm
    /// ([`Alg`]), a JWE key management algorithm
    /// ([`JweAlg`](crate::jwe::JweAlg)) or, for a `dir` key, a content
    /// encryption algorithm ([`JweEnc`](crate::jwe::JweEnc)).
    ///
    /// ```
    /// use rjose::{Algorithm, Key, jwe::JweAlg};
    ///
    /// let kek = Key::from_secret([7u8; 32])?.with_alg(JweAlg::A256KW);
    /// assert_eq!(kek.alg(), Some(Algorithm::Jwe(JweAlg::A256KW)));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn with_alg(&self, alg: impl Into<Algorithm>) -> Key {
        let mut params = self.params().clone();
        params.alg = Some(alg.into());
        self.rewrap(params)
    }

    /// This key with the JWK `use` member set (`"sig"` or `"enc"`).
    pub fn with_use(&self, key_use: impl Into<String>) -> Key {
        let mut params = self.params().clone();
        params.use_ = Some(key_use.into());
        self.rewrap(params)
    }

    fn rewrap(&self, params: Params) -> Key {
        // The material is shared; only the description changes.
        Key {
            material: Arc::clone(&self.material),
            params: Arc::new(params),
        }
    }

    /// The bit size of an RSA modulus or HMAC secret, or the curve's size.
    pub fn bits(&self) -> usize {
        match self.material() {
            Material::Oct(s) => s.bytes().len() * 8,
            Material::RsaPublic(k) => k.bits(),
            Material::RsaPrivate(k) => k.public().bits(),
            Material::EcPublic(k) => ec_bits(k.curve()),
            Material::EcPrivate(k) => ec_bits(k.public().curve()),
            Material::Ed25519Public(_)
            | Material::Ed25519Private(_)
            | Material::X25519Public(_)
            | Material::X25519Private(_) => 256,
            Material::MlDsaPublic(k) => k.bytes().len() * 8,
            Material::MlDsaPrivate(k) => k.public().bytes().len() * 8,
        }
    }

    /// Whether this key may serve `alg`, by its type, curve, size and JWK
    /// `alg`, for signing or verifying as its JWK `use` and `key_ops` allow.
    pub fn supports(&self, alg: Alg) -> bool {
        self.check_alg(alg).is_ok() && (self.permit(Operation::Sign).is_ok() || self.permit(Operation::Verify).is_ok())
    }

    /// The algorithms this key may serve, in registration order.
    pub fn algorithms(&self) -> Vec<Alg> {
        Alg::ALL.into_iter().filter(|&alg| self.supports(alg)).collect()
    }

    /// The JWS algorithm this key signs with when it serves exactly one:
    /// the one its JWK `alg` names, or the only one its type allows (ES256
    /// for a P-256 key, EdDSA for Ed25519, HS256 for a secret of 32 to 47
    /// bytes). `None` for a key that serves several (an RSA key, a longer
    /// secret) or none; [`SignJwt`](crate::jwt::SignJwt) and the JWS
    /// builders use it when the header names no `alg`.
    ///
    /// ```
    /// use rjose::{Alg, Key, KeyPairOptions, generate_key_pair};
    ///
    /// let ec = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
    /// assert_eq!(ec.private_key.default_jws_alg(), Some(Alg::ES256));
    /// let secret = Key::from_secret([1u8; 64])?;
    /// assert_eq!(secret.default_jws_alg(), None); // HS256, HS384 or HS512
    /// assert_eq!(secret.with_alg(Alg::HS512).default_jws_alg(), Some(Alg::HS512));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn default_jws_alg(&self) -> Option<Alg> {
        if let Some(Algorithm::Jws(alg)) = self.alg() {
            return Some(alg);
        }
        match self.algorithms().as_slice() {
            [alg] => Some(*alg),
            // Two names for one signature: the RFC 8037 name is the common one.
            [Alg::EdDSA, Alg::Ed25519] => Some(Alg::EdDSA),
            _ => None,
        }
    }

    /// Checks that this key's type fits `alg` and that its JWK `alg`, if
    /// any, names the same algorithm.
    pub(crate) fn check_alg(&self, alg: Alg) -> Result<()> {
        // The type first: of two mismatches, it is the one to report.
        let fits = match (alg.family(), self.material()) {
            (Family::Hmac(_), Material::Oct(secret)) => {
                if secret.bytes().len() < alg.min_secret_len() {
                    return Err(Error::key_use(format!(
                        "{alg} needs a secret of at least {} bytes, this one has {}",
                        alg.min_secret_len(),
                        secret.bytes().len()
                    )));
                }
                true
            }
            (Family::RsaPkcs1(_) | Family::RsaPss(_), Material::RsaPublic(_) | Material::RsaPrivate(_)) => true,
            (Family::Ecdsa(curve), Material::EcPublic(k)) => k.curve() == curve,
            (Family::Ecdsa(curve), Material::EcPrivate(k)) => k.public().curve() == curve,
            (Family::Ed25519, Material::Ed25519Public(_) | Material::Ed25519Private(_)) => true,
            (Family::MlDsa(level), Material::MlDsaPublic(k)) => k.level() == level,
            (Family::MlDsa(level), Material::MlDsaPrivate(k)) => k.public().level() == level,
            _ => false,
        };
        if !fits {
            return Err(Error::key_use(self.sides(alg)));
        }
        match self.alg() {
            Some(restricted) if !restricted.permits_jws(alg) => {
                Err(Error::key_use(format!("key is restricted to {restricted}, not {alg}")))
            }
            _ => Ok(()),
        }
    }

    /// Both sides of a mismatch: `the key is RSA; the token is ES256`.
    fn sides(&self, alg: Alg) -> String {
        format!("the key is {}; the token is {alg}", self.describe())
    }

    /// Why this key cannot serve `alg`, naming both sides, for a refusal of
    /// the token's algorithm.
    pub(crate) fn refusal(&self, alg: Alg) -> String {
        let sides = self.sides(alg);
        let why = match self.check_alg(alg).and_then(|()| self.permit(Operation::Verify)) {
            Err(Error::InvalidKeyUse(why)) if why != sides => why,
            _ => return sides,
        };
        format!("{sides} ({why})")
    }

    fn describe(&self) -> String {
        match self.crv() {
            Some(crv) => format!("{} {crv}", self.kty()),
            None => self.kty().to_owned(),
        }
    }

    /// Signs `message` with `alg`. The caller has checked the binding.
    pub(crate) fn sign_raw(&self, alg: Alg, message: &[u8]) -> Result<Vec<u8>> {
        self.permit(Operation::Sign)?;
        self.check_alg(alg)?;
        let failed = |_| Error::Crypto("signing failed");
        match (alg.family(), self.material()) {
            (Family::Hmac(sha), Material::Oct(secret)) => Ok(secret.sign(sha, message)),
            (Family::RsaPkcs1(sha), Material::RsaPrivate(k)) => k.sign(Padding::Pkcs1, sha, message).map_err(failed),
            (Family::RsaPss(sha), Material::RsaPrivate(k)) => k.sign(Padding::Pss, sha, message).map_err(failed),
            (Family::Ecdsa(_), Material::EcPrivate(k)) => k.sign(message).map_err(failed),
            (Family::Ed25519, Material::Ed25519Private(k)) => k.sign(message).map_err(failed),
            (Family::MlDsa(_), Material::MlDsaPrivate(k)) => k.sign(message).map_err(failed),
            _ => Err(Error::key_use(format!("a public {} key cannot sign", self.kty()))),
        }
    }

    /// Verifies `signature` over `message` with `alg`.
    pub(crate) fn verify_raw(&self, alg: Alg, message: &[u8], signature: &[u8]) -> Result<()> {
        self.permit(Operation::Verify)?;
        self.check_alg(alg)?;
        let result = match (alg.family(), self.material()) {
            (Family::Hmac(sha), Material::Oct(secret)) => secret.verify(sha, message, signature),
            (Family::RsaPkcs1(sha), Material::RsaPublic(k)) => k.verify(Padding::Pkcs1, sha, message, signature),
            (Family::RsaPkcs1(sha), Material::RsaPrivate(k)) => {
                k.public().verify(Padding::Pkcs1, sha, message, signature)
            }
            (Family::RsaPss(sha), Material::RsaPublic(k)) => k.verify(Padding::Pss, sha, message, signature),
            (Family::RsaPss(sha), Material::RsaPrivate(k)) => k.public().verify(Padding::Pss, sha, message, signature),
            (Family::Ecdsa(_), Material::EcPublic(k)) => k.verify(message, signature),
            (Family::Ecdsa(_), Material::EcPrivate(k)) => k.public().verify(message, signature),
            (Family::Ed25519, Material::Ed25519Public(k)) => k.verify(message, signature),
            (Family::Ed25519, Material::Ed25519Private(k)) => k.public().verify(message, signature),
            (Family::MlDsa(_), Material::MlDsaPublic(k)) => k.verify(message, signature),
            (Family::MlDsa(_), Material::MlDsaPrivate(k)) => k.public().verify(message, signature),
            _ => return Err(Error::key_use(self.sides(alg))),
        };
        result.map_err(|_| Error::JwsSignatureVerificationFailed)
    }

    /// The public half of this key (itself if already public). HMAC
    /// secrets have no public half.
    pub fn public_key(&self) -> Result<Key> {
        if !self.is_private() {
            return Ok(self.clone());
        }
        let jwk = self.to_public_jwk()?;
        Key::from_jwk(&jwk)
    }
}

fn ec_bits(curve: EcCurve) -> usize {
    match curve {
        EcCurve::P256 | EcCurve::Secp256k1 => 256,
        EcCurve::P384 => 384,
        EcCurve::P521 => 521,
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Key");
        s.field("kty", &self.kty());
        if let Some(crv) = self.crv() {
            s.field("crv", &crv.name());
        } else {
            s.field("bits", &self.bits());
        }
        if let Some(kid) = self.kid() {
            s.field("kid", &kid);
        }
        if let Some(alg) = self.alg() {
            s.field("alg", &alg);
        }
        s.field("private", &self.is_private());
        s.finish()
    }
}
