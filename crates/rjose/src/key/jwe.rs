//! What a key may do for JWE, and the backend handles it lends to key
//! management.

use super::{Key, Material, Operation};
use crate::Algorithm;
use crate::backend::ecdh::EcdhPrivate;
use crate::backend::rsa_enc::{RsaDecryptor, RsaEncryptor};
use crate::backend::{EcCurve, EcdhCurve};
use crate::error::{Error, Result};
use crate::jwe::alg::Mode;
use crate::jwe::{JweAlg, JweEnc};

fn ecdh_curve(curve: EcCurve) -> Option<EcdhCurve> {
    match curve {
        EcCurve::P256 => Some(EcdhCurve::P256),
        EcCurve::P384 => Some(EcdhCurve::P384),
        EcCurve::P521 => Some(EcdhCurve::P521),
        // secp256k1 is registered for signatures only.
        EcCurve::Secp256k1 => None,
    }
}

impl Key {
    /// Whether this key may serve `alg` with `enc` for JWE, by its type,
    /// curve, JWK `alg`, `use` and `key_ops`, and for a secret its length (`dir`
    /// needs `enc`'s key length, AES key wrap the KEK's; a PBES2 password
    /// may have any length).
    ///
    /// ```
    /// use rjose::Key;
    /// use rjose::jwe::{JweAlg, JweEnc};
    ///
    /// let kek = Key::from_secret(&[7u8; 16])?;
    /// assert!(kek.supports_jwe(JweAlg::A128KW, JweEnc::A256GCM));
    /// assert!(!kek.supports_jwe(JweAlg::A256KW, JweEnc::A256GCM));
    /// assert!(kek.supports_jwe(JweAlg::Dir, JweEnc::A128GCM));
    /// assert!(!kek.supports_jwe(JweAlg::Dir, JweEnc::A256GCM));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn supports_jwe(&self, alg: JweAlg, enc: JweEnc) -> bool {
        self.check_jwe_alg(alg, enc).is_ok()
            && (self.permit(Operation::Encrypt(alg)).is_ok() || self.permit(Operation::Decrypt(alg)).is_ok())
    }

    /// Checks that this key's type, curve, JWK `alg` and, for a secret,
    /// length fit `alg` with `enc`; [`Key::permit`] checks `use` and `key_ops`.
    pub(crate) fn check_jwe_alg(&self, alg: JweAlg, enc: JweEnc) -> Result<()> {
        // The type first: of two mismatches, it is the one to report.
        if !alg.key_types().contains(&self.kty()) {
            return Err(Error::key_use(format!(
                "the key is {}; the token is {alg}",
                self.describe()
            )));
        }
        if let Some(restricted) = self.alg() {
            // A "dir" key is commonly labelled with the content algorithm it serves.
            let same = restricted == Algorithm::Jwe(alg) || (alg == JweAlg::Dir && restricted == Algorithm::Enc(enc));
            if !same {
                return Err(Error::key_use(format!("key is restricted to {restricted}, not {alg}")));
            }
        }
        if alg.key_types().contains(&"EC") {
            self.ecdh_public()?;
        }
        if let Some(secret) = self.secret_bytes() {
            // What needs the key as it is: the content encryption for
            // `dir`, the key wrap otherwise.
            let needed = match alg.mode() {
                Mode::Direct => Some((enc.key_len(), enc.name())),
                Mode::KeyWrap(len) | Mode::GcmKeyWrap(len) => Some((len, alg.name())),
                _ => None,
            };
            if let Some((needed, purpose)) = needed.filter(|&(needed, _)| needed != secret.len()) {
                return Err(Error::key_use(format!(
                    "{purpose} needs a {needed}-byte key; this secret has {} bytes",
                    secret.len()
                )));
            }
        }
        Ok(())
    }

    /// The raw bytes of an `oct` key.
    pub(crate) fn secret_bytes(&self) -> Option<&[u8]> {
        match self.material() {
            Material::Oct(secret) => Some(secret.bytes()),
            _ => None,
        }
    }

    pub(crate) fn rsa_encryptor(&self) -> Result<&RsaEncryptor> {
        let public = match self.material() {
            Material::RsaPublic(k) => k,
            Material::RsaPrivate(k) => k.public(),
            _ => return Err(Error::key_use("RSA key transport needs an RSA key")),
        };
        public.encryptor().map_err(|_| Error::key_use("RSA key cannot encrypt"))
    }

    pub(crate) fn rsa_decryptor(&self) -> Result<&RsaDecryptor> {
        match self.material() {
            // A provider may refuse RSA decryption outright (the pure-Rust
            // one does), which is no fault of the key.
            Material::RsaPrivate(k) => match crate::backend::rsa_enc::DECRYPTION_REFUSED {
                Some(reason) => Err(Error::NotSupported(reason.into())),
                None => k.decryptor().map_err(|_| Error::key_use("RSA key cannot decrypt")),
            },
            _ => Err(Error::key_use("decryption needs an RSA private key")),
        }
    }

    /// The curve and public point (or raw X25519 key) for ECDH-ES.
    pub(crate) fn ecdh_public(&self) -> Result<(EcdhCurve, Vec<u8>)> {
        let ec = |public: &crate::backend::ec::EcPublic| {
            let curve = ecdh_curve(public.curve())
                .ok_or_else(|| Error::key_use(format!("{} cannot be used for ECDH-ES", public.curve().name())))?;
            let (x, y) = public.coordinates();
            let mut point = Vec::with_capacity(1 + x.len() + y.len());
            point.push(4);
            point.extend_from_slice(x);
            point.extend_from_slice(y);
            Ok((curve, point))
        };
        match self.material() {
            Material::EcPublic(k) => ec(k),
            Material::EcPrivate(k) => ec(k.public()),
            Material::X25519Public(raw) => Ok((EcdhCurve::X25519, raw.to_vec())),
            Material::X25519Private(k) => {
                let public = k.public_bytes().map_err(|_| Error::Crypto("X25519 public key"))?;
                Ok((EcdhCurve::X25519, public))
            }
            _ => Err(Error::key_use(format!("{} key cannot be used for ECDH-ES", self.kty()))),
        }
    }

    /// The private key for ECDH-ES.
    pub(crate) fn ecdh_private(&self) -> Result<&EcdhPrivate> {
        match self.material() {
            Material::EcPrivate(k) => k
                .ecdh()
                .map_err(|_| Error::key_use(format!("{} cannot be used for ECDH-ES", k.public().curve().name()))),
            Material::X25519Private(k) => Ok(k),
            _ => Err(Error::key_use("ECDH-ES decryption needs an EC or X25519 private key")),
        }
    }
}
