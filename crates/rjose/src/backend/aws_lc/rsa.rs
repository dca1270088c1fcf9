//! RSASSA-PKCS1-v1_5 and RSASSA-PSS (RS*, PS*).

use std::sync::OnceLock;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPairComponents, KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey, RsaKeyPair};
use zeroize::Zeroizing;

use super::rsa_enc::{RsaDecryptor, RsaEncryptor};
use crate::backend::asn1::{rsa_private_parts, rsa_public_components};
use crate::backend::rsa_limits::{MAX_BITS, MIN_BITS, bit_len, strip_leading_zeros, weakness};
use crate::backend::{Padding, PrivateParts, Rejected, Sha};

/// An RSA public key, parsed lazily once per padding and digest: one key
/// commonly serves a single algorithm, so parsing all six up front would
/// waste work, while parsing on every call would dominate verification.
pub(crate) struct RsaPublic {
    n: Vec<u8>,
    e: Vec<u8>,
    parsed: [OnceLock<ParsedPublicKey>; 6],
    encryptor: OnceLock<RsaEncryptor>,
}

impl RsaPublic {
    /// `n` and `e` big-endian; leading zeros are stripped. Refuses moduli
    /// outside 2048..=8192 bits, the weak numbers [`weakness`] names, and
    /// what the backend cannot parse. Every RSA key, public or private,
    /// whatever its format, is built through here.
    pub(crate) fn from_components(n: &[u8], e: &[u8]) -> Result<Self, Rejected> {
        let n = strip_leading_zeros(n);
        let e = strip_leading_zeros(e);
        if !(MIN_BITS..=MAX_BITS).contains(&bit_len(n)) || weakness(n, e).is_some() {
            return Err(Rejected);
        }
        let key = RsaPublic {
            n: n.to_vec(),
            e: e.to_vec(),
            parsed: Default::default(),
            encryptor: OnceLock::new(),
        };
        // Parse once now so an invalid key fails at import, not at first use.
        key.parsed(Padding::Pkcs1, Sha::Sha256)?;
        Ok(key)
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

    fn parsed(&self, padding: Padding, sha: Sha) -> Result<&ParsedPublicKey, Rejected> {
        let (index, params) = params(padding, sha);
        if let Some(parsed) = self.parsed[index].get() {
            return Ok(parsed);
        }
        let components = PublicKeyComponents {
            n: self.n.as_slice(),
            e: self.e.as_slice(),
        };
        let parsed = components.to_parsed_public_key(params)?;
        Ok(self.parsed[index].get_or_init(|| parsed))
    }

    pub(crate) fn verify(&self, padding: Padding, sha: Sha, message: &[u8], sig: &[u8]) -> Result<(), Rejected> {
        self.parsed(padding, sha)?
            .verify_sig(message, sig)
            .map_err(Rejected::from)
    }

    /// SubjectPublicKeyInfo DER.
    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, Rejected> {
        let der = self.parsed(Padding::Pkcs1, Sha::Sha256)?.as_der()?;
        Ok(der.as_ref().to_vec())
    }

    /// The key prepared for RSA encryption, parsed on first use.
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
    pair: RsaKeyPair,
    public: RsaPublic,
    decryptor: OnceLock<RsaDecryptor>,
}

impl RsaPrivate {
    fn from_pair(pair: RsaKeyPair) -> Result<Self, Rejected> {
        let pkcs1 = pair.public_key().as_ref();
        let (n, e) = rsa_public_components(pkcs1).ok_or(Rejected)?;
        let public = RsaPublic::from_components(&n, &e)?;
        Ok(RsaPrivate {
            pair,
            public,
            decryptor: OnceLock::new(),
        })
    }

    /// Builds a key from all its parts, checking that they agree.
    pub(crate) fn from_components(n: &[u8], e: &[u8], parts: &PrivateParts) -> Result<Self, Rejected> {
        let components = KeyPairComponents {
            public_key: PublicKeyComponents {
                n: strip_leading_zeros(n),
                e: strip_leading_zeros(e),
            },
            d: parts.d.as_slice(),
            p: parts.p.as_slice(),
            q: parts.q.as_slice(),
            dP: parts.dp.as_slice(),
            dQ: parts.dq.as_slice(),
            qInv: parts.qi.as_slice(),
        };
        Self::from_pair(RsaKeyPair::from_components(&components)?)
    }

    pub(crate) fn from_pkcs8(der: &[u8]) -> Result<Self, Rejected> {
        Self::from_pair(RsaKeyPair::from_pkcs8(der)?)
    }

    pub(crate) fn generate(bits: usize) -> Result<Self, Rejected> {
        let size = match bits {
            2048 => KeySize::Rsa2048,
            3072 => KeySize::Rsa3072,
            4096 => KeySize::Rsa4096,
            8192 => KeySize::Rsa8192,
            _ => return Err(Rejected),
        };
        Self::from_pair(RsaKeyPair::generate(size)?)
    }

    pub(crate) fn public(&self) -> &RsaPublic {
        &self.public
    }

    pub(crate) fn sign(&self, padding: Padding, sha: Sha, message: &[u8]) -> Result<Vec<u8>, Rejected> {
        let encoding: &'static dyn signature::RsaEncoding = match (padding, sha) {
            (Padding::Pkcs1, Sha::Sha256) => &signature::RSA_PKCS1_SHA256,
            (Padding::Pkcs1, Sha::Sha384) => &signature::RSA_PKCS1_SHA384,
            (Padding::Pkcs1, Sha::Sha512) => &signature::RSA_PKCS1_SHA512,
            (Padding::Pss, Sha::Sha256) => &signature::RSA_PSS_SHA256,
            (Padding::Pss, Sha::Sha384) => &signature::RSA_PSS_SHA384,
            (Padding::Pss, Sha::Sha512) => &signature::RSA_PSS_SHA512,
        };
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair.sign(encoding, &SystemRandom::new(), message, &mut sig)?;
        Ok(sig)
    }

    /// PKCS#8 v1 DER.
    pub(crate) fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        let der = AsDer::<aws_lc_rs::encoding::Pkcs8V1Der>::as_der(&self.pair)?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }

    /// The key prepared for RSA decryption, parsed on first use.
    pub(crate) fn decryptor(&self) -> Result<&RsaDecryptor, Rejected> {
        if let Some(ready) = self.decryptor.get() {
            return Ok(ready);
        }
        let decryptor = RsaDecryptor::from_pkcs8_der(&self.pkcs8_der()?)?;
        Ok(self.decryptor.get_or_init(|| decryptor))
    }

    /// The private parts, for JWK export.
    pub(crate) fn private_parts(&self) -> Result<PrivateParts, Rejected> {
        rsa_private_parts(&self.pkcs8_der()?).ok_or(Rejected)
    }
}

fn params(padding: Padding, sha: Sha) -> (usize, &'static signature::RsaParameters) {
    match (padding, sha) {
        (Padding::Pkcs1, Sha::Sha256) => (0, &signature::RSA_PKCS1_2048_8192_SHA256),
        (Padding::Pkcs1, Sha::Sha384) => (1, &signature::RSA_PKCS1_2048_8192_SHA384),
        (Padding::Pkcs1, Sha::Sha512) => (2, &signature::RSA_PKCS1_2048_8192_SHA512),
        (Padding::Pss, Sha::Sha256) => (3, &signature::RSA_PSS_2048_8192_SHA256),
        (Padding::Pss, Sha::Sha384) => (4, &signature::RSA_PSS_2048_8192_SHA384),
        (Padding::Pss, Sha::Sha512) => (5, &signature::RSA_PSS_2048_8192_SHA512),
    }
}
