//! RSA key transport: RSAES-OAEP (RSA-OAEP, RSA-OAEP-256/384/512) and
//! RSAES-PKCS1-v1_5 (RSA1_5), RFC 7518 sections 4.2 and 4.3.
//!
//! Keys are parsed once into one aws-lc-rs handle per padding scheme (both
//! share the same underlying key); moduli outside 2048..=8192 bits are
//! refused by aws-lc-rs at parse time, which matches RFC 7518's 2048-bit
//! minimum.

#[cfg(test)]
use aws_lc_rs::rsa::Pkcs1PublicEncryptingKey;
use aws_lc_rs::rsa::{
    OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256, OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512, OaepAlgorithm,
    OaepPrivateDecryptingKey, OaepPublicEncryptingKey, Pkcs1PrivateDecryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use zeroize::Zeroizing;

use crate::backend::{OaepHash, Rejected};

/// Why this provider would refuse RSA decryption: it does not (the
/// pure-Rust provider does, see its `rsa_enc`).
pub(crate) const DECRYPTION_REFUSED: Option<&str> = None;

/// The aws-lc-rs OAEP parameters for a hash.
fn algorithm(hash: OaepHash) -> &'static OaepAlgorithm {
    match hash {
        OaepHash::Sha1 => &OAEP_SHA1_MGF1SHA1,
        OaepHash::Sha256 => &OAEP_SHA256_MGF1SHA256,
        OaepHash::Sha384 => &OAEP_SHA384_MGF1SHA384,
        OaepHash::Sha512 => &OAEP_SHA512_MGF1SHA512,
    }
}

/// An RSA public key for wrapping content-encryption keys.
pub(crate) struct RsaEncryptor {
    oaep: OaepPublicEncryptingKey,
    /// RSA1_5 encryption exists only for tests (see `encrypt_pkcs1`).
    #[cfg(test)]
    pkcs1: Pkcs1PublicEncryptingKey,
}

impl RsaEncryptor {
    /// From a SubjectPublicKeyInfo DER; refuses non-RSA keys and moduli
    /// outside 2048..=8192 bits.
    pub(crate) fn from_spki_der(der: &[u8]) -> Result<Self, Rejected> {
        let key = PublicEncryptingKey::from_der(der)?;
        Ok(RsaEncryptor {
            #[cfg(test)]
            pkcs1: Pkcs1PublicEncryptingKey::new(key.clone())?,
            oaep: OaepPublicEncryptingKey::new(key)?,
        })
    }

    /// RSAES-OAEP with an empty label. Fails if `plaintext` is longer than
    /// the modulus allows for `hash` (k - 2·hLen - 2 bytes).
    pub(crate) fn encrypt_oaep(&self, hash: OaepHash, plaintext: &[u8]) -> Result<Vec<u8>, Rejected> {
        let mut out = vec![0; self.oaep.ciphertext_size()];
        let written = self.oaep.encrypt(algorithm(hash), plaintext, &mut out, None)?.len();
        out.truncate(written);
        Ok(out)
    }

    /// RSAES-PKCS1-v1_5. Only tests build RSA1_5 tokens: JOSE still has to
    /// decrypt them, but nothing should produce new ones, so the library
    /// proper does not even compile this in.
    #[cfg(test)]
    pub(crate) fn encrypt_pkcs1(&self, plaintext: &[u8]) -> Result<Vec<u8>, Rejected> {
        let mut out = vec![0; self.pkcs1.ciphertext_size()];
        let written = self.pkcs1.encrypt(plaintext, &mut out)?.len();
        out.truncate(written);
        Ok(out)
    }
}

/// An RSA private key for unwrapping content-encryption keys.
pub(crate) struct RsaDecryptor {
    oaep: OaepPrivateDecryptingKey,
    pkcs1: Pkcs1PrivateDecryptingKey,
    modulus_len: usize,
}

impl RsaDecryptor {
    /// From a PKCS#8 v1 DER; refuses non-RSA keys, inconsistent keys and
    /// moduli outside 2048..=8192 bits.
    pub(crate) fn from_pkcs8_der(der: &[u8]) -> Result<Self, Rejected> {
        let key = PrivateDecryptingKey::from_pkcs8(der)?;
        let modulus_len = key.key_size_bytes();
        Ok(RsaDecryptor {
            oaep: OaepPrivateDecryptingKey::new(key.clone())?,
            pkcs1: Pkcs1PrivateDecryptingKey::new(key)?,
            modulus_len,
        })
    }

    /// RSAES-OAEP with an empty label.
    pub(crate) fn decrypt_oaep(&self, hash: OaepHash, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        if ciphertext.len() != self.modulus_len {
            return Err(Rejected);
        }
        let mut out = Zeroizing::new(vec![0; self.oaep.min_output_size()]);
        let written = self.oaep.decrypt(algorithm(hash), ciphertext, &mut out, None)?.len();
        out.truncate(written);
        Ok(out)
    }

    /// RSAES-PKCS1-v1_5, a plain decryption. Its failures form a padding
    /// oracle (Bleichenbacher), so the JWE layer must not act on them: it
    /// substitutes a random CEK on any error or wrong length (RFC 7516
    /// section 11.5) instead of reporting it.
    pub(crate) fn decrypt_pkcs1(&self, ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        if ciphertext.len() != self.modulus_len {
            return Err(Rejected);
        }
        let mut out = Zeroizing::new(vec![0; self.pkcs1.min_output_size()]);
        let written = self.pkcs1.decrypt(ciphertext, &mut out)?.len();
        out.truncate(written);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
    use aws_lc_rs::rsa::{KeyPair, KeyPairComponents, KeySize, PublicKeyComponents};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

    const ALL_HASHES: [OaepHash; 4] = [OaepHash::Sha1, OaepHash::Sha256, OaepHash::Sha384, OaepHash::Sha512];

    /// A fresh 2048-bit key pair as (SPKI DER, PKCS#8 DER).
    fn generated_key() -> (Vec<u8>, Vec<u8>) {
        let key = PrivateDecryptingKey::generate(KeySize::Rsa2048).unwrap();
        let pkcs8 = AsDer::<Pkcs8V1Der>::as_der(&key).unwrap().as_ref().to_vec();
        let spki = AsDer::<PublicKeyX509Der>::as_der(&key.public_key())
            .unwrap()
            .as_ref()
            .to_vec();
        (spki, pkcs8)
    }

    /// The `values` of an erlang-jose RFC 7516 appendix file.
    fn appendix(json: &str) -> serde_json::Value {
        serde_json::from_str::<serde_json::Value>(json).unwrap()["values"].clone()
    }

    fn bytes(values: &serde_json::Value, name: &str) -> Vec<u8> {
        values[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| u8::try_from(b.as_u64().unwrap()).unwrap())
            .collect()
    }

    /// PKCS#8 DER for the RSA private JWK stored under `name`.
    fn pkcs8_from_jwk(values: &serde_json::Value, name: &str) -> Vec<u8> {
        let jwk: serde_json::Value = serde_json::from_str(values[name].as_str().unwrap()).unwrap();
        let part = |member: &str| URL_SAFE_NO_PAD.decode(jwk[member].as_str().unwrap()).unwrap();
        let components = KeyPairComponents {
            public_key: PublicKeyComponents {
                n: part("n"),
                e: part("e"),
            },
            d: part("d"),
            p: part("p"),
            q: part("q"),
            dP: part("dp"),
            dQ: part("dq"),
            qInv: part("qi"),
        };
        let pair = KeyPair::from_components(&components).unwrap();
        AsDer::<Pkcs8V1Der>::as_der(&pair).unwrap().as_ref().to_vec()
    }

    #[test]
    fn round_trips_oaep_with_each_hash_and_pkcs1() {
        let (spki, pkcs8) = generated_key();
        let encryptor = RsaEncryptor::from_spki_der(&spki).unwrap();
        let decryptor = RsaDecryptor::from_pkcs8_der(&pkcs8).unwrap();
        assert_eq!(decryptor.modulus_len, 256);
        let cek = [0x17u8; 32];
        for hash in ALL_HASHES {
            let encrypted = encryptor.encrypt_oaep(hash, &cek).unwrap();
            assert_eq!(encrypted.len(), 256);
            assert_eq!(decryptor.decrypt_oaep(hash, &encrypted).unwrap().as_slice(), cek);
            // The hash is part of the scheme: another one does not decrypt.
            for other in ALL_HASHES.into_iter().filter(|&other| other != hash) {
                assert!(decryptor.decrypt_oaep(other, &encrypted).is_err());
            }
        }
        let encrypted = encryptor.encrypt_pkcs1(&cek).unwrap();
        assert_eq!(encrypted.len(), 256);
        assert_eq!(decryptor.decrypt_pkcs1(&encrypted).unwrap().as_slice(), cek);
    }

    #[test]
    fn refuses_bad_ciphertexts_and_oversized_plaintexts() {
        let (spki, pkcs8) = generated_key();
        let encryptor = RsaEncryptor::from_spki_der(&spki).unwrap();
        let decryptor = RsaDecryptor::from_pkcs8_der(&pkcs8).unwrap();
        let mut encrypted = encryptor.encrypt_oaep(OaepHash::Sha256, b"0123456789abcdef").unwrap();
        assert!(decryptor.decrypt_oaep(OaepHash::Sha256, &encrypted[1..]).is_err());
        assert!(decryptor.decrypt_oaep(OaepHash::Sha256, &[]).is_err());
        assert!(decryptor.decrypt_pkcs1(&encrypted[1..]).is_err());
        encrypted[100] ^= 1;
        assert!(decryptor.decrypt_oaep(OaepHash::Sha256, &encrypted).is_err());
        // 256 - 2·64 - 2 = 126 bytes is the most OAEP-SHA-512 carries in 2048 bits.
        assert!(encryptor.encrypt_oaep(OaepHash::Sha512, &[0u8; 126]).is_ok());
        assert!(encryptor.encrypt_oaep(OaepHash::Sha512, &[0u8; 127]).is_err());
        assert!(encryptor.encrypt_pkcs1(&[0u8; 246]).is_err());
    }

    #[test]
    fn refuses_keys_that_are_not_rsa() {
        let (spki, pkcs8) = generated_key();
        assert!(RsaEncryptor::from_spki_der(&pkcs8).is_err());
        assert!(RsaDecryptor::from_pkcs8_der(&spki).is_err());
        assert!(RsaEncryptor::from_spki_der(&spki[..spki.len() - 1]).is_err());
        assert!(RsaDecryptor::from_pkcs8_der(&[]).is_err());
    }

    #[test]
    fn decrypts_rfc7516_appendix_a1_rsa_oaep_cek() {
        let v = appendix(include_str!(
            "../../../tests/vectors/rfc-appendix/erlang-jose/rfc7516/A.1.json"
        ));
        let decryptor = RsaDecryptor::from_pkcs8_der(&pkcs8_from_jwk(&v, "a.1.3.jwk+json")).unwrap();
        let encrypted = bytes(&v, "a.1.3.cek.encrypted");
        let cek = decryptor.decrypt_oaep(OaepHash::Sha1, &encrypted).unwrap();
        assert_eq!(cek.as_slice(), bytes(&v, "a.1.2.cek"));
    }

    #[test]
    fn decrypts_rfc7516_appendix_a2_rsa1_5_cek() {
        let v = appendix(include_str!(
            "../../../tests/vectors/rfc-appendix/erlang-jose/rfc7516/A.2.json"
        ));
        let decryptor = RsaDecryptor::from_pkcs8_der(&pkcs8_from_jwk(&v, "a.2.3.jwk+json")).unwrap();
        let cek = decryptor.decrypt_pkcs1(&bytes(&v, "a.2.3.cek.encrypted")).unwrap();
        assert_eq!(cek.as_slice(), bytes(&v, "a.2.2.cek"));
    }
}
