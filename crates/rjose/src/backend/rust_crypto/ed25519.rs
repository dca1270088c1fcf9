//! Ed25519 (EdDSA, Ed25519), from `ed25519-dalek`.

use ed25519_dalek::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::backend::{ED25519_KEY_LEN, Rejected};

/// An Ed25519 public key.
pub(crate) struct Ed25519Public {
    key: VerifyingKey,
}

impl Ed25519Public {
    pub(crate) fn from_bytes(x: &[u8]) -> Result<Self, Rejected> {
        let bytes: &[u8; ED25519_KEY_LEN] = x.try_into().map_err(|_| Rejected)?;
        Ok(Ed25519Public {
            key: VerifyingKey::from_bytes(bytes).map_err(|_| Rejected)?,
        })
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.key.as_bytes()
    }

    /// RFC 8032 verification; a non-canonical `S` is refused by the crate.
    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), Rejected> {
        let sig = Signature::from_slice(sig).map_err(|_| Rejected)?;
        self.key.verify_strict(message, &sig).map_err(|_| Rejected)
    }

    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, Rejected> {
        let der = self.key.to_public_key_der().map_err(|_| Rejected)?;
        Ok(der.as_bytes().to_vec())
    }
}

/// An Ed25519 key pair.
pub(crate) struct Ed25519Private {
    key: SigningKey,
    public: Ed25519Public,
}

impl Ed25519Private {
    fn from_key(key: SigningKey) -> Self {
        let public = Ed25519Public {
            key: key.verifying_key(),
        };
        Ed25519Private { key, public }
    }

    /// From the 32-byte seed `d` and the public key `x`, which must match.
    pub(crate) fn from_seed(d: &[u8], x: &[u8]) -> Result<Self, Rejected> {
        let seed: Zeroizing<[u8; ED25519_KEY_LEN]> = Zeroizing::new(d.try_into().map_err(|_| Rejected)?);
        let private = Self::from_key(SigningKey::from_bytes(&seed));
        // The public key is public: an ordinary comparison leaks nothing.
        if private.public.bytes() != x {
            return Err(Rejected);
        }
        Ok(private)
    }

    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, Rejected> {
        Ok(Self::from_key(SigningKey::from_pkcs8_der(der).map_err(|_| Rejected)?))
    }

    pub(crate) fn generate() -> Result<Self, Rejected> {
        let mut seed = Zeroizing::new([0u8; ED25519_KEY_LEN]);
        super::rand::fill(seed.as_mut_slice())?;
        Ok(Self::from_key(SigningKey::from_bytes(&seed)))
    }

    pub(crate) fn public(&self) -> &Ed25519Public {
        &self.public
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Rejected> {
        use ed25519_dalek::Signer as _;
        let sig: Signature = self.key.try_sign(message).map_err(|_| Rejected)?;
        Ok(sig.to_bytes().to_vec())
    }

    pub(crate) fn seed(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        Ok(Zeroizing::new(self.key.as_bytes().to_vec()))
    }

    /// PKCS#8 v1 (the seed alone), as RFC 8410 and OpenSSL write it: the
    /// crate's own export adds the public key in a form OpenSSL and
    /// Python's `cryptography` refuse.
    pub(crate) fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        // `KeypairBytes` zeroizes its copy of the seed when dropped.
        let seed_only = ed25519_dalek::pkcs8::KeypairBytes {
            secret_key: *self.key.as_bytes(),
            public_key: None,
        };
        let der = seed_only.to_pkcs8_der().map_err(|_| Rejected)?;
        Ok(Zeroizing::new(der.as_bytes().to_vec()))
    }
}
