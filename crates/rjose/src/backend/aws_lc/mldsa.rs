//! ML-DSA (FIPS 204) at its three security levels.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::signature::{self, KeyPair as _, ParsedPublicKey, PqdsaKeyPair};
use zeroize::Zeroizing;

use crate::backend::Rejected;
use crate::backend::{MLDSA_SEED_LEN, MlDsaLevel};

fn verification(level: MlDsaLevel) -> &'static signature::PqdsaVerificationAlgorithm {
    match level {
        MlDsaLevel::MlDsa44 => &signature::ML_DSA_44,
        MlDsaLevel::MlDsa65 => &signature::ML_DSA_65,
        MlDsaLevel::MlDsa87 => &signature::ML_DSA_87,
    }
}

fn signing(level: MlDsaLevel) -> &'static signature::PqdsaSigningAlgorithm {
    match level {
        MlDsaLevel::MlDsa44 => &signature::ML_DSA_44_SIGNING,
        MlDsaLevel::MlDsa65 => &signature::ML_DSA_65_SIGNING,
        MlDsaLevel::MlDsa87 => &signature::ML_DSA_87_SIGNING,
    }
}

/// An ML-DSA public key.
pub(crate) struct MlDsaPublic {
    level: MlDsaLevel,
    parsed: ParsedPublicKey,
}

impl MlDsaPublic {
    /// From the raw encoded public key; its length must match the level
    /// (so that DER cannot sneak in where raw bytes are expected).
    pub(crate) fn from_bytes(level: MlDsaLevel, raw: &[u8]) -> Result<Self, Rejected> {
        if raw.len() != level.public_key_len() {
            return Err(Rejected);
        }
        Ok(MlDsaPublic {
            level,
            parsed: ParsedPublicKey::new(verification(level), raw)?,
        })
    }

    pub(crate) fn level(&self) -> MlDsaLevel {
        self.level
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

/// An ML-DSA key pair, kept with its seed because the seed is what a JWK
/// carries and what PKCS#8 exports.
pub(crate) struct MlDsaPrivate {
    pair: PqdsaKeyPair,
    seed: Zeroizing<Vec<u8>>,
    public: MlDsaPublic,
}

impl MlDsaPrivate {
    pub(crate) fn from_seed(level: MlDsaLevel, seed: &[u8]) -> Result<Self, Rejected> {
        let pair = PqdsaKeyPair::from_seed(signing(level), seed)?;
        let public = MlDsaPublic::from_bytes(level, pair.public_key().as_ref())?;
        Ok(MlDsaPrivate {
            pair,
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
        let mut sig = vec![0; self.public.level.signature_len()];
        let written = self.pair.sign(message, &mut sig)?;
        sig.truncate(written);
        Ok(sig)
    }

    pub(crate) fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        let der = self.pair.to_pkcs8v1()?;
        Ok(Zeroizing::new(der.as_ref().to_vec()))
    }
}
