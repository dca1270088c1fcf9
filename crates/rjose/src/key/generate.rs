//! Fresh secrets and key pairs.

use zeroize::Zeroizing;

use super::Curve;
use super::{Key, Material, Params};
use crate::alg::{Algorithm, Family};
use crate::backend::EcdhCurve;
use crate::backend::ecdh::EcdhPrivate;
use crate::backend::{
    self, ec::EcPrivate, ed25519::Ed25519Private, hmac::HmacSecret, mldsa::MlDsaPrivate, rsa::RsaPrivate,
};
use crate::error::{Error, Result};
use crate::jwe::Mode;

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
    /// The curve for algorithms that leave it open: ECDH-ES (P-256 when
    /// unset; also P-384, P-521 and X25519) and EdDSA (Ed25519, the only
    /// one implemented). Algorithms whose name fixes the curve (ES256...)
    /// refuse any other.
    pub crv: Option<Curve>,
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

    /// Sets the curve.
    pub fn crv(mut self, crv: Curve) -> Self {
        self.crv = Some(crv);
        self
    }
}

fn bound(alg: Algorithm) -> Params {
    Params {
        alg: Some(alg),
        ..Params::default()
    }
}

/// A random secret of the right length for `alg`, bound to it: the
/// digest length for HMAC (32 bytes for HS256, 48 for HS384, 64 for
/// HS512), the key length for AES key wrap (16, 24, 32 bytes) and for a
/// content encryption algorithm (the `dir` key: 16 to 64 bytes).
///
/// ```
/// use rjose::{Alg, generate_secret, jwe::{JweAlg, JweEnc}};
///
/// assert_eq!(generate_secret(Alg::HS256)?.bits(), 256);
/// assert_eq!(generate_secret(JweAlg::A192KW)?.bits(), 192);
/// assert_eq!(generate_secret(JweEnc::A128CBC_HS256)?.bits(), 256);
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn generate_secret(alg: impl Into<Algorithm>) -> Result<Key> {
    let alg = alg.into();
    let len = match alg {
        Algorithm::Jws(jws) if jws.is_symmetric() => jws.min_secret_len(),
        Algorithm::Jwe(jwe) => match jwe.mode() {
            Mode::KeyWrap(len) | Mode::GcmKeyWrap(len) => len,
            Mode::Direct => {
                return Err(Error::NotSupported(
                    "\"dir\" keys are sized by \"enc\": pass the JweEnc".into(),
                ));
            }
            _ => return Err(Error::NotSupported(format!("{alg} does not use a generated secret"))),
        },
        Algorithm::Enc(enc) => enc.key_len(),
        Algorithm::Jws(_) => {
            return Err(Error::NotSupported(format!(
                "{alg} uses a key pair; call generate_key_pair"
            )));
        }
    };
    let mut bytes = Zeroizing::new(vec![0u8; len]);
    backend::rand::fill(&mut bytes).map_err(|_| Error::Crypto("random generation failed"))?;
    Ok(Key::new(Material::Oct(HmacSecret::new(bytes)), bound(alg)))
}

/// A fresh key pair for `alg`, bound to it. For ECDH-ES the curve comes
/// from [`KeyPairOptions::crv`] (P-256 when unset; also P-384, P-521 and
/// X25519).
///
/// ```
/// use rjose::{Alg, KeyPairOptions, generate_key_pair};
///
/// let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
/// assert!(pair.private_key.is_private());
/// assert!(!pair.public_key.is_private());
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn generate_key_pair(alg: impl Into<Algorithm>, options: KeyPairOptions) -> Result<KeyPair> {
    let alg = alg.into();
    let failed = |_| Error::Crypto("key generation failed");
    let curve_mismatch = |crv: Curve| Error::NotSupported(format!("curve {crv} for {alg}"));
    let rsa = || {
        if !matches!(options.modulus_length, 2048 | 3072 | 4096 | 8192) {
            return Err(Error::NotSupported(format!(
                "RSA modulus length {} (use 2048, 3072, 4096 or 8192)",
                options.modulus_length
            )));
        }
        RsaPrivate::generate(options.modulus_length)
            .map(Material::RsaPrivate)
            .map_err(failed)
    };
    let material = match alg {
        Algorithm::Jws(jws) => {
            if let Some(crv) = options.crv {
                let fits = match jws.family() {
                    Family::Ecdsa(curve) => crv.ecdsa() == Some(curve),
                    Family::Ed25519 => crv == Curve::Ed25519,
                    _ => false,
                };
                if !fits {
                    return Err(curve_mismatch(crv));
                }
            }
            match jws.family() {
                Family::Hmac(_) => {
                    return Err(Error::NotSupported(format!(
                        "{alg} uses a secret; call generate_secret"
                    )));
                }
                Family::RsaPkcs1(_) | Family::RsaPss(_) => rsa()?,
                Family::Ecdsa(curve) => Material::EcPrivate(EcPrivate::generate(curve).map_err(failed)?),
                Family::Ed25519 => Material::Ed25519Private(Ed25519Private::generate().map_err(failed)?),
                Family::MlDsa(level) => Material::MlDsaPrivate(MlDsaPrivate::generate(level).map_err(failed)?),
            }
        }
        Algorithm::Jwe(jwe) => match jwe.mode() {
            Mode::RsaOaep(_) | Mode::RsaPkcs1 if options.crv.is_none() => rsa()?,
            Mode::DirectAgreement | Mode::AgreementWithKeyWrap(_) => match options.crv.unwrap_or(Curve::P256) {
                Curve::X25519 => Material::X25519Private(EcdhPrivate::generate(EcdhCurve::X25519).map_err(failed)?),
                crv @ (Curve::P256 | Curve::P384 | Curve::P521) => {
                    let curve = crv.ecdsa().ok_or_else(|| curve_mismatch(crv))?;
                    Material::EcPrivate(EcPrivate::generate(curve).map_err(failed)?)
                }
                crv => return Err(curve_mismatch(crv)),
            },
            _ => return Err(Error::NotSupported(format!("{alg} does not use a key pair"))),
        },
        Algorithm::Enc(_) => {
            return Err(Error::NotSupported(format!(
                "{alg} uses a secret; call generate_secret"
            )));
        }
    };
    let private_key = Key::new(material, bound(alg));
    let public_key = private_key.public_key()?;
    Ok(KeyPair {
        private_key,
        public_key,
    })
}
