//! ML-DSA (FIPS 204) at its three security levels, from `ml-dsa`.

use ml_dsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _};
use ml_dsa::{MlDsa44, MlDsa65, MlDsa87, MlDsaParams, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::backend::Rejected;
use crate::backend::{MLDSA_SEED_LEN, MlDsaLevel};

enum Levels<L44, L65, L87> {
    MlDsa44(L44),
    MlDsa65(L65),
    MlDsa87(L87),
}

/// Runs the same code for whichever parameter set a key has.
macro_rules! per_level {
    ($value:expr, $key:ident => $body:expr) => {
        match $value {
            Levels::MlDsa44($key) => $body,
            Levels::MlDsa65($key) => $body,
            Levels::MlDsa87($key) => $body,
        }
    };
}

fn decode_public<P: MlDsaParams>(raw: &[u8]) -> Result<VerifyingKey<P>, Rejected> {
    let encoded = ml_dsa::EncodedVerifyingKey::<P>::try_from(raw).map_err(|_| Rejected)?;
    Ok(VerifyingKey::decode(&encoded))
}

fn verify_with<P: MlDsaParams>(key: &VerifyingKey<P>, message: &[u8], sig: &[u8]) -> Result<(), Rejected> {
    let encoded = ml_dsa::EncodedSignature::<P>::try_from(sig).map_err(|_| Rejected)?;
    let sig = ml_dsa::Signature::<P>::decode(&encoded).ok_or(Rejected)?;
    // JOSE's ML-DSA uses the empty context string.
    if key.verify_with_context(message, &[], &sig) {
        Ok(())
    } else {
        Err(Rejected)
    }
}

/// Hedged signing (FIPS 204's default): fresh randomness mixed with the
/// key, as the aws-lc-rs provider does.
fn sign_with<P: MlDsaParams>(key: &SigningKey<P>, message: &[u8]) -> Result<Vec<u8>, Rejected> {
    let sig = key
        .expanded_key()
        .sign_randomized(message, &[], &mut super::rand::rng())
        .map_err(|_| Rejected)?;
    Ok(sig.encode().to_vec())
}

/// An ML-DSA public key.
pub(crate) struct MlDsaPublic {
    level: MlDsaLevel,
    raw: Vec<u8>,
    key: Levels<VerifyingKey<MlDsa44>, VerifyingKey<MlDsa65>, VerifyingKey<MlDsa87>>,
}

impl MlDsaPublic {
    /// From the raw encoded public key; its length must match the level
    /// (so that DER cannot sneak in where raw bytes are expected).
    pub(crate) fn from_bytes(level: MlDsaLevel, raw: &[u8]) -> Result<Self, Rejected> {
        if raw.len() != level.public_key_len() {
            return Err(Rejected);
        }
        let key = match level {
            MlDsaLevel::MlDsa44 => Levels::MlDsa44(decode_public(raw)?),
            MlDsaLevel::MlDsa65 => Levels::MlDsa65(decode_public(raw)?),
            MlDsaLevel::MlDsa87 => Levels::MlDsa87(decode_public(raw)?),
        };
        Ok(MlDsaPublic {
            level,
            raw: raw.to_vec(),
            key,
        })
    }

    pub(crate) fn level(&self) -> MlDsaLevel {
        self.level
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.raw
    }

    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), Rejected> {
        if sig.len() != self.level.signature_len() {
            return Err(Rejected);
        }
        per_level!(&self.key, key => verify_with(key, message, sig))
    }

    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, Rejected> {
        per_level!(&self.key, key => key
            .to_public_key_der()
            .map(|der| der.as_bytes().to_vec())
            .map_err(|_| Rejected))
    }
}

/// An ML-DSA key pair, kept with its seed because the seed is what a JWK
/// carries and what PKCS#8 exports.
pub(crate) struct MlDsaPrivate {
    key: Levels<SigningKey<MlDsa44>, SigningKey<MlDsa65>, SigningKey<MlDsa87>>,
    seed: Zeroizing<Vec<u8>>,
    public: MlDsaPublic,
}

impl MlDsaPrivate {
    pub(crate) fn from_seed(level: MlDsaLevel, seed: &[u8]) -> Result<Self, Rejected> {
        let xi = ml_dsa::Seed::try_from(seed).map_err(|_| Rejected)?;
        let key = match level {
            MlDsaLevel::MlDsa44 => Levels::MlDsa44(SigningKey::<MlDsa44>::from_seed(&xi)),
            MlDsaLevel::MlDsa65 => Levels::MlDsa65(SigningKey::<MlDsa65>::from_seed(&xi)),
            MlDsaLevel::MlDsa87 => Levels::MlDsa87(SigningKey::<MlDsa87>::from_seed(&xi)),
        };
        let raw = per_level!(&key, key => key.expanded_key().verifying_key().encode().to_vec());
        let public = MlDsaPublic::from_bytes(level, &raw)?;
        Ok(MlDsaPrivate {
            key,
            seed: Zeroizing::new(seed.to_vec()),
            public,
        })
    }

    pub(crate) fn generate(level: MlDsaLevel) -> Result<Self, Rejected> {
        let mut seed = Zeroizing::new(vec![0u8; MLDSA_SEED_LEN]);
        super::rand::fill(&mut seed)?;
        Self::from_seed(level, &seed)
    }

    pub(crate) fn public(&self) -> &MlDsaPublic {
        &self.public
    }

    pub(crate) fn seed(&self) -> &[u8] {
        &self.seed
    }

    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Rejected> {
        per_level!(&self.key, key => sign_with(key, message))
    }

    pub(crate) fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        per_level!(&self.key, key => key
            .to_pkcs8_der()
            .map(|doc| Zeroizing::new(doc.as_bytes().to_vec()))
            .map_err(|_| Rejected))
    }
}
