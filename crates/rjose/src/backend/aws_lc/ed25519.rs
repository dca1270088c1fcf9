//! Ed25519 (EdDSA, Ed25519).

use aws_lc_rs::encoding::{AsBigEndian, AsDer, Curve25519SeedBin};
use aws_lc_rs::signature::{self, Ed25519KeyPair, KeyPair as _, ParsedPublicKey};
use zeroize::Zeroizing;

use crate::backend::{ED25519_KEY_LEN, Rejected};

/// An Ed25519 public key.
pub(crate) struct Ed25519Public {
    parsed: ParsedPublicKey,
}

impl Ed25519Public {
    pub(crate) fn from_bytes(x: &[u8]) -> Result<Self, Rejected> {
        if x.len() != ED25519_KEY_LEN {
            return Err(Rejected);
        }
        Ok(Ed25519Public {
            parsed: ParsedPublicKey::new(&signature::ED25519, x)?,
        })
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.parsed.as_ref()
    }

    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), Rejected> {
        self.parsed.verify_sig(message, sig).map_err(Rejected::from)
    }

    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, Rejected> {
        Ok(self.parsed.as_der()?.as_ref().to_vec())
    }
}

/// An Ed25519 key pair.
pub(crate) struct Ed25519Private {
    pair: Ed25519KeyPair,
    public: Ed25519Public,
}

impl Ed25519Private {
    fn from_pair(pair: Ed25519KeyPair) -> Result<Self, Rejected> {
        let public = Ed25519Public::from_bytes(pair.public_key().as_ref())?;
        Ok(Ed25519Private { pair, public })
    }

    /// From the 32-byte seed `d` and the public key `x`, which must match.
    pub(crate) fn from_seed(d: &[u8], x: &[u8]) -> Result<Self, Rejected> {
        Self::from_pair(Ed25519KeyPair::from_seed_and_public_key(d, x)?)
    }

    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, Rejected> {
        Self::from_pair(Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)?)
    }

    pub(crate) fn generate() -> Result<Self, Rejected> {
        Self::from_pair(Ed25519KeyPair::generate()?)
    }

    pub(crate) fn public(&self) -> &Ed25519Public {
        &self.public
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Rejected> {
        Ok(self.pair.try_sign(message)?.as_ref().to_vec())
    }

    pub(crate) fn seed(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        let seed: Curve25519SeedBin = self.pair.seed()?.as_be_bytes()?;
        Ok(Zeroizing::new(seed.as_ref().to_vec()))
    }

    pub(crate) fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        Ok(Zeroizing::new(self.pair.to_pkcs8v1()?.as_ref().to_vec()))
    }
}
