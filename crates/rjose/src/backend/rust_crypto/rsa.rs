//! RSASSA-PKCS1-v1_5 and RSASSA-PSS (RS*, PS*), from the `rsa` crate (0.10).
//!
//! Signing always goes through the `*_with_rng` calls: without an RNG the
//! crate's private-key operation is unblinded. RSA decryption is refused by
//! this provider (see `rsa_enc`); signing and verifying are not affected by
//! the timing advisory that decision rests on.

use std::sync::OnceLock;

use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use rsa::traits::PublicKeyParts as _;
use rsa::{BoxedUint, PrivateKey, PublicKey};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use super::rsa_enc::{RsaDecryptor, RsaEncryptor};
use crate::backend::asn1::rsa_private_parts;
use crate::backend::rsa_limits::{MAX_BITS, MIN_BITS, bit_len, strip_leading_zeros, weakness};
use crate::backend::{Padding, PrivateParts, Rejected, Sha};

/// An RSA public key, parsed once.
pub(crate) struct RsaPublic {
    n: Vec<u8>,
    e: Vec<u8>,
    key: PublicKey,
    encryptor: OnceLock<RsaEncryptor>,
}

impl RsaPublic {
    /// `n` and `e` big-endian; leading zeros are stripped. Refuses moduli
    /// outside 2048..=8192 bits, the weak numbers [`weakness`] names, and
    /// what the crate cannot parse. Every RSA key, public or private,
    /// whatever its format, is built through here.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, Rejected> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        if !(MIN_BITS..=MAX_BITS).contains(&bit_len(n)) || weakness(n, e).is_some() {
            return Err(Rejected);
        }
        let key = PublicKey::new_with_size_limits(
            BoxedUint::from_be_slice_vartime(n),
            BoxedUint::from_be_slice_vartime(e),
            MIN_BITS..=MAX_BITS,
        )
        .map_err(|_| Rejected)?;
        Ok(RsaPublic {
            n: n.to_vec(),
            e: e.to_vec(),
            key,
            encryptor: OnceLock::new(),
        })
    }

    pub(crate) fn n(&self) -> &[u8] {
        &self.n
    }

    pub(crate) fn e(&self) -> &[u8] {
        &self.e
    }

    pub(crate) fn bits(&self) -> usize {
        bit_len(&self.n)
    }

    /// A signature must be exactly as long as the modulus, as aws-lc-rs
    /// requires too: a shorter one with its leading zeros dropped is refused.
    pub(crate) fn verify(&self, padding: Padding, sha: Sha, message: &[u8], sig: &[u8]) -> Result<(), Rejected> {
        if sig.len() != self.key.size() {
            return Err(Rejected);
        }
        let key = &self.key;
        let verified = match (padding, sha) {
            (Padding::Pkcs1, Sha::Sha256) => key.pkcs1v15_verify::<sha2::Sha256>(message, sig),
            (Padding::Pkcs1, Sha::Sha384) => key.pkcs1v15_verify::<sha2::Sha384>(message, sig),
            (Padding::Pkcs1, Sha::Sha512) => key.pkcs1v15_verify::<sha2::Sha512>(message, sig),
            // The salt is as long as the digest, as RFC 7518 section 3.5 requires.
            (Padding::Pss, Sha::Sha256) => key.pss_verify::<sha2::Sha256>(message, sig),
            (Padding::Pss, Sha::Sha384) => key.pss_verify::<sha2::Sha384>(message, sig),
            (Padding::Pss, Sha::Sha512) => key.pss_verify::<sha2::Sha512>(message, sig),
        };
        verified.map_err(|_| Rejected)
    }

    /// SubjectPublicKeyInfo DER.
    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, Rejected> {
        let der = self.key.to_public_key_der().map_err(|_| Rejected)?;
        Ok(der.as_bytes().to_vec())
    }

    /// The key prepared for RSA encryption, built on first use.
    pub(crate) fn encryptor(&self) -> Result<&RsaEncryptor, Rejected> {
        if let Some(ready) = self.encryptor.get() {
            return Ok(ready);
        }
        let encryptor = RsaEncryptor::from_spki_der(&self.spki_der()?)?;
        Ok(self.encryptor.get_or_init(|| encryptor))
    }
}

/// An RSA private key with its public half.
pub(crate) struct RsaPrivate {
    key: PrivateKey,
    public: RsaPublic,
}

/// A big-endian number as the crate's integer, sized to whole bytes.
fn uint(be: &[u8]) -> Result<BoxedUint, Rejected> {
    let be = strip_leading_zeros(be);
    let bits = u32::try_from(be.len().max(1) * 8).map_err(|_| Rejected)?;
    BoxedUint::from_be_slice(be, bits).map_err(|_| Rejected)
}

impl RsaPrivate {
    fn from_key(key: PrivateKey) -> Result<Self, Rejected> {
        let public = RsaPublic::from_components(&key.n().to_be_bytes(), &key.e().to_be_bytes())?;
        Ok(RsaPrivate { key, public })
    }

    /// Builds a key from all its parts, checking that they agree: the crate
    /// validates `n`, `e`, `d`, `p` and `q` and recomputes the CRT values,
    /// which must then equal the ones given.
    pub(crate) fn from_components(n: &[u8], e: &[u8], parts: &PrivateParts) -> Result<Self, Rejected> {
        // Size and weakness first, before any private-key arithmetic.
        RsaPublic::from_components(n, e)?;
        let key = PrivateKey::from_components(
            uint(n)?,
            uint(e)?,
            uint(&parts.d)?,
            vec![uint(&parts.p)?, uint(&parts.q)?],
        )
        .map_err(|_| Rejected)?;
        let private = Self::from_key(key)?;
        let derived = private.private_parts()?;
        let same =
            |given: &[u8], derived: &[u8]| bool::from(strip_leading_zeros(given).ct_eq(strip_leading_zeros(derived)));
        let consistent = same(&parts.dp, &derived.dp) & same(&parts.dq, &derived.dq) & same(&parts.qi, &derived.qi);
        if !consistent {
            return Err(Rejected);
        }
        Ok(private)
    }

    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, Rejected> {
        Self::from_key(PrivateKey::from_pkcs8_der(der).map_err(|_| Rejected)?)
    }

    pub(crate) fn generate(bits: usize) -> Result<Self, Rejected> {
        if !matches!(bits, 2048 | 3072 | 4096 | 8192) {
            return Err(Rejected);
        }
        let key = PrivateKey::new(&mut super::rand::rng(), bits).map_err(|_| Rejected)?;
        Self::from_key(key)
    }

    pub(crate) fn public(&self) -> &RsaPublic {
        &self.public
    }

    /// Blinded with fresh randomness; PSS draws its salt from the same RNG.
    pub(crate) fn sign(&self, padding: Padding, sha: Sha, message: &[u8]) -> Result<Vec<u8>, Rejected> {
        let rng = &mut super::rand::rng();
        let key = &self.key;
        let signed = match (padding, sha) {
            (Padding::Pkcs1, Sha::Sha256) => key.pkcs1v15_sign_with_rng::<sha2::Sha256, _>(rng, message),
            (Padding::Pkcs1, Sha::Sha384) => key.pkcs1v15_sign_with_rng::<sha2::Sha384, _>(rng, message),
            (Padding::Pkcs1, Sha::Sha512) => key.pkcs1v15_sign_with_rng::<sha2::Sha512, _>(rng, message),
            (Padding::Pss, Sha::Sha256) => key.pss_sign_with_rng::<sha2::Sha256, _>(rng, message),
            (Padding::Pss, Sha::Sha384) => key.pss_sign_with_rng::<sha2::Sha384, _>(rng, message),
            (Padding::Pss, Sha::Sha512) => key.pss_sign_with_rng::<sha2::Sha512, _>(rng, message),
        };
        signed.map_err(|_| Rejected)
    }

    /// PKCS#8 v1 DER.
    pub(crate) fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        let der = self.key.to_pkcs8_der().map_err(|_| Rejected)?;
        Ok(Zeroizing::new(der.as_bytes().to_vec()))
    }

    /// Always refused in this provider: see `rsa_enc::DECRYPTION_REFUSED`.
    pub(crate) fn decryptor(&self) -> Result<&RsaDecryptor, Rejected> {
        Err(Rejected)
    }

    /// The private parts, for JWK export.
    pub(crate) fn private_parts(&self) -> Result<PrivateParts, Rejected> {
        rsa_private_parts(&self.pkcs8_der()?).ok_or(Rejected)
    }
}
