//! Fresh secrets and key pairs.

use zeroize::Zeroizing;

use super::{Key, Material, Params};
use crate::alg::{Alg, Family};
use crate::backend::{
    self, ec::EcPrivate, ed25519::Ed25519Private, hmac::HmacSecret, mldsa::MlDsaPrivate, rsa::RsaPrivate,
};
use crate::error::{Error, Result};

/// A private key and its public key, as [`generate_key_pair`] returns them.
#[derive(Debug, Clone)]
pub struct KeyPair {
    /// Signs; export it with [`Key::to_pkcs8_pem`] or [`Key::to_jwk`].
    pub private_key: Key,
    /// Verifies; publish it with [`Key::to_spki_pem`] or [`Key::to_public_jwk`].
    pub public_key: Key,
}

/// Options for [`generate_key_pair`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyPairOptions {
    /// RSA modulus length in bits: 2048 (default), 3072, 4096 or 8192.
    pub modulus_length: usize,
    /// The curve for algorithms that leave it open (EdDSA: `Ed25519`, the
    /// default and the only one implemented). Algorithms whose name fixes
    /// the curve (ES256...) refuse any other.
    pub crv: Option<&'static str>,
}

impl Default for KeyPairOptions {
    fn default() -> Self {
        KeyPairOptions {
            modulus_length: 2048,
            crv: None,
        }
    }
}

impl KeyPairOptions {
    /// Sets the RSA modulus length.
    pub fn modulus_length(mut self, bits: usize) -> Self {
        self.modulus_length = bits;
        self
    }

    /// Sets the curve by its JWK `crv` name.
    pub fn crv(mut self, crv: &'static str) -> Self {
        self.crv = Some(crv);
        self
    }
}

fn bound(alg: Alg) -> Params {
    Params {
        alg: Some(alg.name().to_owned()),
        ..Params::default()
    }
}

/// A random HMAC secret as long as the algorithm's digest (32 bytes for
/// HS256, 48 for HS384, 64 for HS512), bound to `alg`.
///
/// ```
/// let secret = jose::generate_secret(jose::Alg::HS256)?;
/// assert_eq!(secret.bits(), 256);
/// # Ok::<(), jose::Error>(())
/// ```
pub fn generate_secret(alg: Alg) -> Result<Key> {
    if !alg.is_symmetric() {
        return Err(Error::NotSupported(format!(
            "{alg} uses a key pair; call generate_key_pair"
        )));
    }
    let mut bytes = Zeroizing::new(vec![0u8; alg.min_secret_len()]);
    backend::rand::fill(&mut bytes).map_err(|_| Error::Crypto("random generation failed"))?;
    Ok(Key::new(Material::Oct(HmacSecret::new(bytes)), bound(alg)))
}

/// A fresh key pair for `alg`, bound to it.
///
/// ```
/// use jose::{Alg, KeyPairOptions, generate_key_pair};
///
/// let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
/// assert!(pair.private_key.is_private());
/// assert!(!pair.public_key.is_private());
/// # Ok::<(), jose::Error>(())
/// ```
pub fn generate_key_pair(alg: Alg, options: KeyPairOptions) -> Result<KeyPair> {
    let failed = |_| Error::Crypto("key generation failed");
    if let Some(crv) = options.crv {
        let fits = match alg.family() {
            Family::Ecdsa(curve) => curve.name() == crv,
            Family::Ed25519 => crv == "Ed25519",
            _ => false,
        };
        if !fits {
            return Err(Error::NotSupported(format!("curve {crv:?} for {alg}")));
        }
    }
    let material = match alg.family() {
        Family::Hmac(_) => {
            return Err(Error::NotSupported(format!(
                "{alg} uses a secret; call generate_secret"
            )));
        }
        Family::RsaPkcs1(_) | Family::RsaPss(_) => {
            if !matches!(options.modulus_length, 2048 | 3072 | 4096 | 8192) {
                return Err(Error::NotSupported(format!(
                    "RSA modulus length {} (use 2048, 3072, 4096 or 8192)",
                    options.modulus_length
                )));
            }
            Material::RsaPrivate(RsaPrivate::generate(options.modulus_length).map_err(failed)?)
        }
        Family::Ecdsa(curve) => Material::EcPrivate(EcPrivate::generate(curve).map_err(failed)?),
        Family::Ed25519 => Material::Ed25519Private(Ed25519Private::generate().map_err(failed)?),
        Family::MlDsa(level) => Material::MlDsaPrivate(MlDsaPrivate::generate(level).map_err(failed)?),
    };
    let private_key = Key::new(material, bound(alg));
    let public_key = private_key.public_key()?;
    Ok(KeyPair {
        private_key,
        public_key,
    })
}
