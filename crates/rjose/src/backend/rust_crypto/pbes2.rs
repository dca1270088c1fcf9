//! Password-based key derivation and AES-CBC primitives for PBES2 (RFC 8018),
//! from `pbkdf2` and `aes` + `cbc`.
//!
//! These are the building blocks for reading and writing encrypted PKCS#8 keys
//! (`ENCRYPTED PRIVATE KEY`) and for the JWE `PBES2-*` key management
//! algorithms. This module only adapts the crates' APIs to plain byte slices
//! and never panics on caller-supplied input.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt as _, BlockModeEncrypt as _, KeyIvInit};
use zeroize::Zeroizing;

use crate::backend::Pbkdf2Prf;

/// AES block size, which is also the CBC IV size.
const AES_BLOCK_LEN: usize = 16;

/// Derives `out.len()` bytes from `password` and `salt` with PBKDF2 (RFC 8018 §5.2).
///
/// The caller chooses the iteration count and is responsible for bounding it
/// when it comes from untrusted input: the cost is linear in `iterations`.
///
/// # Errors
/// Fails if `iterations` is zero, or if `out` is empty or longer than PBKDF2
/// allows for the PRF.
pub(crate) fn pbkdf2(prf: Pbkdf2Prf, password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) -> Result<(), ()> {
    // The same checks as the aws-lc-rs provider, so both refuse alike: the
    // crate would accept zero rounds, and the RFC 8018 limit of (2^32 - 1)
    // hash blocks is enforced here.
    let max_len = u64::from(u32::MAX).saturating_mul(prf.digest_len());
    let out_len = u64::try_from(out.len()).map_err(|_| ())?;
    if iterations == 0 || out_len == 0 || out_len > max_len {
        return Err(());
    }
    match prf {
        Pbkdf2Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, out),
        Pbkdf2Prf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, out),
        Pbkdf2Prf::Sha384 => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, iterations, out),
        Pbkdf2Prf::Sha512 => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, iterations, out),
    }
    Ok(())
}

fn decrypt_with<C>(key: &[u8], iv: &[u8], buf: &mut [u8]) -> Result<usize, ()>
where
    cbc::Decryptor<C>: KeyIvInit + aes::cipher::BlockModeDecrypt,
    C: aes::cipher::BlockCipherDecrypt,
{
    let mode = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| ())?;
    mode.decrypt_padded::<Pkcs7>(buf).map(<[u8]>::len).map_err(|_| ())
}

fn encrypt_with<C>(key: &[u8], iv: &[u8], buf: &mut [u8], msg_len: usize) -> Result<usize, ()>
where
    cbc::Encryptor<C>: KeyIvInit + aes::cipher::BlockModeEncrypt,
    C: aes::cipher::BlockCipherEncrypt,
{
    let mode = cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| ())?;
    mode.encrypt_padded::<Pkcs7>(buf, msg_len)
        .map(<[u8]>::len)
        .map_err(|_| ())
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
    if iv.len() != AES_BLOCK_LEN || ciphertext.is_empty() || !ciphertext.len().is_multiple_of(AES_BLOCK_LEN) {
        return Err(());
    }
    // Decryption happens in place, so the buffer holds plaintext from here on.
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    let plain_len = match key.len() {
        16 => decrypt_with::<aes::Aes128>(key, iv, &mut buf)?,
        24 => decrypt_with::<aes::Aes192>(key, iv, &mut buf)?,
        32 => decrypt_with::<aes::Aes256>(key, iv, &mut buf)?,
        _ => return Err(()),
    };
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
/// Fails on a bad key length.
pub(crate) fn aes_cbc_encrypt(key: &[u8], iv: &[u8; AES_BLOCK_LEN], plaintext: &[u8]) -> Result<Vec<u8>, ()> {
    // Room for the padding block is allocated up front (PKCS#7 always adds
    // 1..=16 bytes); the buffer is zeroized if encryption fails half-way.
    let padded_len = (plaintext.len() / AES_BLOCK_LEN + 1)
        .checked_mul(AES_BLOCK_LEN)
        .ok_or(())?;
    let mut buf = Zeroizing::new(vec![0u8; padded_len]);
    buf[..plaintext.len()].copy_from_slice(plaintext);
    let written = match key.len() {
        16 => encrypt_with::<aes::Aes128>(key, iv, &mut buf, plaintext.len())?,
        24 => encrypt_with::<aes::Aes192>(key, iv, &mut buf, plaintext.len())?,
        32 => encrypt_with::<aes::Aes256>(key, iv, &mut buf, plaintext.len())?,
        _ => return Err(()),
    };
    buf.truncate(written);
    // Now ciphertext only: hand the allocation out instead of copying it.
    Ok(core::mem::take(&mut *buf))
}
