//! RSA key transport, RFC 7518 sections 4.2 and 4.3: in this provider,
//! encryption to a public key only (RSAES-OAEP, from the `rsa` crate).
//!
//! RSA decryption (RSA-OAEP*, RSA1_5) is refused. RUSTSEC-2023-0071
//! ("Marvin Attack: potential key recovery through timing sidechannels",
//! CVE-2023-49092) lists no patched version of the `rsa` crate, and its
//! tracking issue (RustCrypto/RSA#626, "Padding implementation is not
//! constant-time") is open. rsa 0.10 moved modular exponentiation to
//! constant-time crypto-bigint and blinds when handed an RNG, and its README
//! calls the attack fixed, but its own `pkcs1v15` documentation still says
//! the crate is vulnerable. A JWE recipient decrypts whatever an attacker
//! sends and its timing is observable over the network, the very setting
//! of the attack; so until the advisory names a fixed version, this provider
//! does not offer RSA decryption, and the aws-lc-rs provider is the one to
//! use for RSA-OAEP or RSA1_5 recipients. Encrypting to a public key handles
//! no secret of the recipient's and is unaffected.
//!
//! Last checked 2026-12-05 against rsa 0.10.0 (released 2026-11-08, whose
//! change log lists PKCS#1 v1.5 implicit rejection and private-key
//! hardening) and the newest RustSec database readable here, whose entry
//! was restated on 2026-09-12 (advisory-db#3208) with `patched = []`. When
//! the advisory names a fixed version, lifting the refusal is this
//! module's constant and the decryptor it guards.

use rsa::pkcs8::DecodePublicKey as _;
use zeroize::Zeroizing;

use crate::backend::rsa_limits::{MAX_BITS, MIN_BITS, bit_len};
use crate::backend::{OaepHash, Rejected};

/// Why this provider refuses RSA decryption; the key layer reports it as
/// `ERR_JOSE_NOT_SUPPORTED` before any private-key operation.
pub(crate) const DECRYPTION_REFUSED: Option<&str> = Some(
    "RSA decryption (RSA-OAEP*, RSA1_5) is not available with the pure-Rust `rust-crypto` provider: \
     the `rsa` crate is still listed as vulnerable to the Marvin timing attack (RUSTSEC-2023-0071); \
     use the `aws-lc-rs` provider to decrypt RSA-wrapped JWEs",
);

/// An RSA public key for wrapping content-encryption keys.
pub(crate) struct RsaEncryptor {
    key: rsa::PublicKey,
}

impl RsaEncryptor {
    /// From a SubjectPublicKeyInfo DER; refuses non-RSA keys and moduli
    /// outside 2048..=8192 bits.
    pub(crate) fn from_spki_der(der: &[u8]) -> Result<Self, Rejected> {
        let key = rsa::PublicKey::from_public_key_der(der).map_err(|_| Rejected)?;
        let bits = bit_len(&rsa::traits::PublicKeyParts::n(&key).to_be_bytes());
        if !(MIN_BITS..=MAX_BITS).contains(&bits) {
            return Err(Rejected);
        }
        Ok(RsaEncryptor { key })
    }

    /// RSAES-OAEP with an empty label, MGF1 with the same hash. Fails if
    /// `plaintext` is longer than the modulus allows for `hash`
    /// (k - 2·hLen - 2 bytes).
    pub(crate) fn encrypt_oaep(&self, hash: OaepHash, plaintext: &[u8]) -> Result<Vec<u8>, Rejected> {
        let rng = &mut super::rand::rng();
        let key = &self.key;
        let encrypted = match hash {
            OaepHash::Sha1 => key.oaep_encrypt_with_rng::<sha1::Sha1, _>(rng, plaintext),
            OaepHash::Sha256 => key.oaep_encrypt_with_rng::<sha2::Sha256, _>(rng, plaintext),
            OaepHash::Sha384 => key.oaep_encrypt_with_rng::<sha2::Sha384, _>(rng, plaintext),
            OaepHash::Sha512 => key.oaep_encrypt_with_rng::<sha2::Sha512, _>(rng, plaintext),
        };
        encrypted.map_err(|_| Rejected)
    }

    /// RSAES-PKCS1-v1_5. Only tests build RSA1_5 tokens: JOSE still has to
    /// decrypt them, but nothing should produce new ones, so the library
    /// proper does not even compile this in.
    #[cfg(test)]
    pub(crate) fn encrypt_pkcs1(&self, plaintext: &[u8]) -> Result<Vec<u8>, Rejected> {
        self.key
            .pkcs1v15_encrypt_with_rng(&mut super::rand::rng(), plaintext)
            .map_err(|_| Rejected)
    }
}

/// An RSA private key for unwrapping content-encryption keys: a type with
/// no values in this provider, as RSA decryption is refused (see the
/// module documentation), so no code path can reach a decryption.
pub(crate) enum RsaDecryptor {}

impl RsaDecryptor {
    pub(crate) fn decrypt_oaep(&self, _hash: OaepHash, _ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        match *self {}
    }

    pub(crate) fn decrypt_pkcs1(&self, _ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        match *self {}
    }
}

#[cfg(test)]
mod tests {
    use rsa::pkcs8::DecodePrivateKey as _;
    use rsa::pkcs8::EncodePublicKey as _;

    use super::*;

    const ALL_HASHES: [OaepHash; 4] = [OaepHash::Sha1, OaepHash::Sha256, OaepHash::Sha384, OaepHash::Sha512];

    /// A fresh 2048-bit key (the crate's type, so that tests can decrypt).
    fn generated_key() -> (Vec<u8>, rsa::PrivateKey) {
        let private = rsa::PrivateKey::new(&mut super::super::rand::rng(), 2048).unwrap();
        let spki = private.to_public_key().to_public_key_der().unwrap().as_bytes().to_vec();
        (spki, private)
    }

    #[test]
    fn encrypts_oaep_with_each_hash_for_the_rsa_crate_to_decrypt() {
        let (spki, private) = generated_key();
        let encryptor = RsaEncryptor::from_spki_der(&spki).unwrap();
        let cek = [0x17u8; 32];
        for hash in ALL_HASHES {
            let encrypted = encryptor.encrypt_oaep(hash, &cek).unwrap();
            assert_eq!(encrypted.len(), 256);
            let rng = &mut super::super::rand::rng();
            let decrypted = match hash {
                OaepHash::Sha1 => private.oaep_decrypt_with_rng::<sha1::Sha1, _>(rng, &encrypted),
                OaepHash::Sha256 => private.oaep_decrypt_with_rng::<sha2::Sha256, _>(rng, &encrypted),
                OaepHash::Sha384 => private.oaep_decrypt_with_rng::<sha2::Sha384, _>(rng, &encrypted),
                OaepHash::Sha512 => private.oaep_decrypt_with_rng::<sha2::Sha512, _>(rng, &encrypted),
            };
            assert_eq!(decrypted.unwrap(), cek);
        }
        assert_eq!(encryptor.encrypt_pkcs1(&cek).unwrap().len(), 256);
    }

    #[test]
    fn refuses_oversized_plaintexts_and_non_rsa_keys() {
        let (spki, private) = generated_key();
        let encryptor = RsaEncryptor::from_spki_der(&spki).unwrap();
        // 256 - 2·64 - 2 = 126 bytes is the most OAEP-SHA-512 carries in 2048 bits.
        assert!(encryptor.encrypt_oaep(OaepHash::Sha512, &[0u8; 126]).is_ok());
        assert!(encryptor.encrypt_oaep(OaepHash::Sha512, &[0u8; 127]).is_err());
        assert!(encryptor.encrypt_pkcs1(&[0u8; 246]).is_err());
        assert!(RsaEncryptor::from_spki_der(&spki[..spki.len() - 1]).is_err());
        let pkcs8 = rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(&private).unwrap();
        assert!(RsaEncryptor::from_spki_der(pkcs8.as_bytes()).is_err());
        assert!(rsa::PrivateKey::from_pkcs8_der(pkcs8.as_bytes()).is_ok());
    }

    #[test]
    fn decryption_is_refused_with_the_advisory_named() {
        let reason = DECRYPTION_REFUSED.unwrap();
        assert!(reason.contains("RUSTSEC-2023-0071"), "{reason}");
        assert!(reason.contains("aws-lc-rs"), "{reason}");
    }
}
