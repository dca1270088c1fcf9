//! Password-based key derivation and AES-CBC primitives for PBES2 (RFC 8018).
//!
//! These are the building blocks for reading and writing encrypted PKCS#8 keys
//! (`ENCRYPTED PRIVATE KEY`) and, later, for the JWE `PBES2-*` key management
//! algorithms. All cryptography goes through aws-lc-rs; this module only adapts
//! its API to plain byte slices and never panics on caller-supplied input.

use core::num::NonZeroU32;

use aws_lc_rs::cipher::{
    AES_128, AES_192, AES_256, Algorithm, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey,
    PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::pbkdf2 as lc_pbkdf2;
use zeroize::Zeroizing;

use crate::backend::Pbkdf2Prf;

/// AES block size, which is also the CBC IV size.
const AES_BLOCK_LEN: usize = 16;

/// The aws-lc-rs algorithm for a PRF.
fn algorithm(prf: Pbkdf2Prf) -> lc_pbkdf2::Algorithm {
    match prf {
        Pbkdf2Prf::Sha1 => lc_pbkdf2::PBKDF2_HMAC_SHA1,
        Pbkdf2Prf::Sha256 => lc_pbkdf2::PBKDF2_HMAC_SHA256,
        Pbkdf2Prf::Sha384 => lc_pbkdf2::PBKDF2_HMAC_SHA384,
        Pbkdf2Prf::Sha512 => lc_pbkdf2::PBKDF2_HMAC_SHA512,
    }
}

/// Derives `out.len()` bytes from `password` and `salt` with PBKDF2 (RFC 8018 §5.2).
///
/// The caller chooses the iteration count and is responsible for bounding it
/// when it comes from untrusted input: the cost is linear in `iterations`.
///
/// # Errors
/// Fails if `iterations` is zero, if `out` is empty or longer than PBKDF2 allows
/// for the PRF, or if aws-lc-rs reports a failure.
pub(crate) fn pbkdf2(prf: Pbkdf2Prf, password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) -> Result<(), ()> {
    let iterations = NonZeroU32::new(iterations).ok_or(())?;
    // aws-lc-rs asserts on an over-long output instead of returning an error,
    // so the RFC 8018 limit of (2^32 - 1) hash blocks is enforced here first.
    let max_len = u64::from(u32::MAX).saturating_mul(prf.digest_len());
    let out_len = u64::try_from(out.len()).map_err(|_| ())?;
    if out_len == 0 || out_len > max_len {
        return Err(());
    }
    lc_pbkdf2::derive(algorithm(prf), iterations, salt, password, out);
    Ok(())
}

/// Picks the AES variant from the key length, so callers never pass a cipher
/// and a key that disagree.
fn aes_for_key(key: &[u8]) -> Result<&'static Algorithm, ()> {
    match key.len() {
        16 => Ok(&AES_128),
        24 => Ok(&AES_192),
        32 => Ok(&AES_256),
        _ => Err(()),
    }
}

/// Decrypts AES-CBC `ciphertext` and strips its PKCS#7 padding.
///
/// The AES variant follows from the key length (16, 24 or 32 bytes).
///
/// # Errors
/// Fails on a bad key or IV length, a ciphertext that is empty or not a whole
/// number of blocks, or invalid padding. The error carries no detail, so that
/// a padding failure cannot be told apart from the other causes.
pub(crate) fn aes_cbc_decrypt(key: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Zeroizing<Vec<u8>>, ()> {
    let iv: [u8; AES_BLOCK_LEN] = iv.try_into().map_err(|_| ())?;
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(AES_BLOCK_LEN) {
        return Err(());
    }
    let key = UnboundCipherKey::new(aes_for_key(key)?, key).map_err(|_| ())?;
    let key = PaddedBlockDecryptingKey::cbc_pkcs7(key).map_err(|_| ())?;

    // Decryption happens in place, so the buffer holds plaintext from here on.
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let plain_len = key
        .decrypt(&mut buf, DecryptionContext::Iv128(iv.into()))
        .map_err(|_| ())?
        .len();
    buf.truncate(plain_len);
    Ok(buf)
}

/// Encrypts `plaintext` with AES-CBC and PKCS#7 padding under the given IV.
///
/// The AES variant follows from the key length (16, 24 or 32 bytes). The IV
/// must be unpredictable (fresh from `backend::rand::fill`); this function does not
/// check that.
///
/// # Errors
/// Fails on a bad key length or if aws-lc-rs reports a failure.
pub(crate) fn aes_cbc_encrypt(key: &[u8], iv: &[u8; AES_BLOCK_LEN], plaintext: &[u8]) -> Result<Vec<u8>, ()> {
    let key = UnboundCipherKey::new(aes_for_key(key)?, key).map_err(|_| ())?;
    let key = PaddedBlockEncryptingKey::cbc_pkcs7(key).map_err(|_| ())?;

    // Room for the padding block is reserved up front so that appending the
    // padding never reallocates and strands a copy of the plaintext on the heap;
    // the buffer is zeroized if encryption fails half-way.
    let capacity = plaintext.len().checked_add(AES_BLOCK_LEN).ok_or(())?;
    let mut buf = Zeroizing::new(Vec::with_capacity(capacity));
    buf.extend_from_slice(plaintext);
    key.less_safe_encrypt(&mut *buf, EncryptionContext::Iv128((*iv).into()))
        .map_err(|_| ())?;
    // Now ciphertext only: hand the allocation out instead of copying it.
    Ok(core::mem::take(&mut *buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes a hex test vector (test-only helper).
    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn pbkdf2_rfc6070_sha1() {
        // RFC 6070 test vector 2.
        let mut out = [0u8; 20];
        pbkdf2(Pbkdf2Prf::Sha1, b"password", b"salt", 2, &mut out).unwrap();
        assert_eq!(out.to_vec(), hex("ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"));
    }

    #[test]
    fn pbkdf2_sha256_known_answer() {
        // Widely published PBKDF2-HMAC-SHA256 vector (password/salt, c=1, dkLen=32).
        let mut out = [0u8; 32];
        pbkdf2(Pbkdf2Prf::Sha256, b"password", b"salt", 1, &mut out).unwrap();
        assert_eq!(
            out.to_vec(),
            hex("120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")
        );
    }

    #[test]
    fn pbkdf2_prfs_differ_and_reject_bad_arguments() {
        let mut outs = Vec::new();
        for prf in [Pbkdf2Prf::Sha1, Pbkdf2Prf::Sha256, Pbkdf2Prf::Sha384, Pbkdf2Prf::Sha512] {
            let mut out = [0u8; 32];
            pbkdf2(prf, b"pw", b"salt", 3, &mut out).unwrap();
            outs.push(out);
            assert!(pbkdf2(prf, b"pw", b"salt", 0, &mut out).is_err());
            assert!(pbkdf2(prf, b"pw", b"salt", 1, &mut []).is_err());
        }
        outs.sort_unstable();
        outs.dedup();
        assert_eq!(outs.len(), 4);
    }

    #[test]
    fn aes_cbc_nist_sp800_38a_vector() {
        // NIST SP 800-38A F.2.1 (CBC-AES128.Encrypt), first block; PKCS#7 adds a
        // full padding block, so only the first 16 bytes are the NIST output.
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        let iv: [u8; 16] = hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let pt = hex("6bc1bee22e409f96e93d7e117393172a");
        let ct = aes_cbc_encrypt(&key, &iv, &pt).unwrap();
        assert_eq!(ct.len(), 32);
        assert_eq!(ct[..16].to_vec(), hex("7649abac8119b246cee98e9b12e9197d"));
        assert_eq!(aes_cbc_decrypt(&key, &iv, &ct).unwrap().as_slice(), pt);
    }

    #[test]
    fn aes_cbc_round_trip_all_key_sizes() {
        let mut iv = [0u8; 16];
        crate::backend::rand::fill(&mut iv).unwrap();
        for key_len in [16, 24, 32] {
            let key = vec![7u8; key_len];
            for len in [0, 1, 15, 16, 17, 100] {
                let pt = vec![0xa5; len];
                let ct = aes_cbc_encrypt(&key, &iv, &pt).unwrap();
                assert_eq!(ct.len(), (len / 16 + 1) * 16);
                assert_eq!(aes_cbc_decrypt(&key, &iv, &ct).unwrap().as_slice(), pt);
            }
        }
    }

    #[test]
    fn aes_cbc_rejects_bad_input() {
        let key = [1u8; 32];
        let iv = [2u8; 16];
        let ct = aes_cbc_encrypt(&key, &iv, b"hello").unwrap();
        // Wrong key and IV sizes.
        assert!(aes_cbc_encrypt(&[0u8; 17], &iv, b"x").is_err());
        assert!(aes_cbc_decrypt(&[0u8; 17], &iv, &ct).is_err());
        assert!(aes_cbc_decrypt(&key, &iv[..15], &ct).is_err());
        // Empty, partial-block and truncated ciphertexts.
        assert!(aes_cbc_decrypt(&key, &iv, &[]).is_err());
        assert!(aes_cbc_decrypt(&key, &iv, &ct[..15]).is_err());
        // A different key almost always yields bad padding; try several so the
        // 1-in-256-ish chance of valid-looking padding cannot make this flaky.
        let failures = (100u8..116)
            .filter(|k| aes_cbc_decrypt(&[*k; 32], &iv, &ct).is_err())
            .count();
        assert!(failures >= 12);
    }
}
