//! ECDSA over P-256, P-384, P-521 and secp256k1 (ES256, ES384, ES512, ES256K).

use aws_lc_rs::encoding::{AsBigEndian, AsDer, EcPrivateKeyBin};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _, ParsedPublicKey};
use zeroize::Zeroizing;

use std::sync::OnceLock;

use super::ecdh::EcdhPrivate;
use crate::backend::{EcCurve, EcdhCurve, Rejected};

fn verification(curve: EcCurve) -> &'static signature::EcdsaVerificationAlgorithm {
    match curve {
        EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED,
        EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED,
        EcCurve::P521 => &signature::ECDSA_P521_SHA512_FIXED,
        EcCurve::Secp256k1 => &signature::ECDSA_P256K1_SHA256_FIXED,
    }
}

fn signing(curve: EcCurve) -> &'static signature::EcdsaSigningAlgorithm {
    match curve {
        EcCurve::P256 => &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        EcCurve::P384 => &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
        EcCurve::P521 => &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
        EcCurve::Secp256k1 => &signature::ECDSA_P256K1_SHA256_FIXED_SIGNING,
    }
}

/// An EC public key, validated on its curve and parsed once.
pub(crate) struct EcPublic {
    curve: EcCurve,
    point: Vec<u8>,
    parsed: ParsedPublicKey,
}

impl EcPublic {
    /// From the uncompressed SEC1 point `04 || x || y`; the point must lie
    /// on `curve` (the backend checks, which stops invalid-curve attacks).
    pub(crate) fn from_point(curve: EcCurve, point: &[u8]) -> Result<Self, Rejected> {
        let width = curve.coordinate_len();
        if point.len() != 1 + 2 * width || point.first() != Some(&4) {
            return Err(Rejected);
        }
        let parsed = ParsedPublicKey::new(verification(curve), point)?;
        Ok(EcPublic {
            curve,
            point: point.to_vec(),
            parsed,
        })
    }

    pub(crate) fn curve(&self) -> EcCurve {
        self.curve
    }

    /// The x and y coordinates, each padded to the curve's width.
    pub(crate) fn coordinates(&self) -> (&[u8], &[u8]) {
        let width = self.curve.coordinate_len();
        (&self.point[1..1 + width], &self.point[1 + width..])
    }

    /// `signature` is the fixed-width `r || s` of JWS; the backend refuses
    /// zero or out-of-range scalars.
    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), Rejected> {
        if sig.len() != 2 * self.curve.coordinate_len() {
            return Err(Rejected);
        }
        self.parsed.verify_sig(message, sig).map_err(Rejected::from)
    }

    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, Rejected> {
        Ok(self.parsed.as_der()?.as_ref().to_vec())
    }
}

/// An EC private key with its public half.
pub(crate) struct EcPrivate {
    pair: EcdsaKeyPair,
    public: EcPublic,
    /// The same scalar as an ECDH key, built on first use: deriving it
    /// costs a scalar multiplication, as much as the agreement itself.
    ecdh: OnceLock<EcdhPrivate>,
}

impl EcPrivate {
    fn from_pair(curve: EcCurve, pair: EcdsaKeyPair) -> Result<Self, Rejected> {
        let public = EcPublic::from_point(curve, pair.public_key().as_ref())?;
        Ok(EcPrivate {
            pair,
            public,
            ecdh: OnceLock::new(),
        })
    }

    /// From the private scalar `d` and the public point; refuses a `d`
    /// that does not belong to the point.
    pub(crate) fn from_scalar(curve: EcCurve, d: &[u8], point: &[u8]) -> Result<Self, Rejected> {
        if d.len() != curve.coordinate_len() {
            return Err(Rejected);
        }
        let pair = EcdsaKeyPair::from_private_key_and_public_key(signing(curve), d, point)?;
        Self::from_pair(curve, pair)
    }

    pub(crate) fn from_pkcs8(curve: EcCurve, der: &[u8]) -> Result<Self, Rejected> {
        Self::from_pair(curve, EcdsaKeyPair::from_pkcs8(signing(curve), der)?)
    }

    pub(crate) fn generate(curve: EcCurve) -> Result<Self, Rejected> {
        Self::from_pair(curve, EcdsaKeyPair::generate(signing(curve))?)
    }

    pub(crate) fn public(&self) -> &EcPublic {
        &self.public
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Rejected> {
        Ok(self.pair.sign(&SystemRandom::new(), message)?.as_ref().to_vec())
    }

    pub(crate) fn scalar(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        let d: EcPrivateKeyBin = self.pair.private_key().as_be_bytes()?;
        Ok(Zeroizing::new(d.as_ref().to_vec()))
    }

    pub(crate) fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        Ok(Zeroizing::new(self.pair.to_pkcs8v1()?.as_ref().to_vec()))
    }

    /// This key for ECDH-ES; secp256k1 has no ECDH-ES registration.
    pub(crate) fn ecdh(&self) -> Result<&EcdhPrivate, Rejected> {
        if let Some(ready) = self.ecdh.get() {
            return Ok(ready);
        }
        let curve = match self.public.curve {
            EcCurve::P256 => EcdhCurve::P256,
            EcCurve::P384 => EcdhCurve::P384,
            EcCurve::P521 => EcdhCurve::P521,
            EcCurve::Secp256k1 => return Err(Rejected),
        };
        let ecdh = EcdhPrivate::from_scalar(curve, &self.scalar()?)?;
        Ok(self.ecdh.get_or_init(|| ecdh))
    }
}
