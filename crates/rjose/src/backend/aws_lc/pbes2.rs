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
