//! Content encryption (RFC 7518 section 5): AES-GCM and AES-CBC-HMAC-SHA2.

use zeroize::Zeroizing;

use super::alg::JweEnc;
use crate::backend::{aead, cbc_hmac, rand};
use crate::error::{Error, Result};

/// A fresh random content encryption key for `enc`.
pub(crate) fn generate_cek(enc: JweEnc) -> Result<Zeroizing<Vec<u8>>> {
    let mut cek = Zeroizing::new(vec![0u8; enc.key_len()]);
    rand::fill(&mut cek).map_err(|_| Error::Crypto("random generation failed"))?;
    Ok(cek)
}

/// A fresh random IV for `enc`.
pub(crate) fn generate_iv(enc: JweEnc) -> Result<Vec<u8>> {
    let mut iv = vec![0u8; enc.iv_len()];
    rand::fill(&mut iv).map_err(|_| Error::Crypto("random generation failed"))?;
    Ok(iv)
}

/// Encrypts `plaintext`; returns the ciphertext and the tag.
pub(crate) fn encrypt(enc: JweEnc, cek: &[u8], iv: &[u8], aad: &[u8], plaintext: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    if cek.len() != enc.key_len() {
        return Err(Error::key_use(format!(
            "{enc} needs a {}-byte key, got {}",
            enc.key_len(),
            cek.len()
        )));
    }
    if iv.len() != enc.iv_len() {
        return Err(Error::JweInvalid(format!(
            "{enc} needs a {}-byte IV, got {}",
            enc.iv_len(),
            iv.len()
        )));
    }
    let sealed = if enc.is_gcm() {
        aead::aes_gcm_seal(cek, iv, aad, plaintext)
    } else {
        cbc_hmac::cbc_hmac_seal(cek, iv, aad, plaintext)
    };
    sealed.map_err(|_| Error::Crypto("content encryption failed"))
}

/// Decrypts and authenticates. Every failure, including a key or IV of
/// the wrong length, is the same [`Error::JweDecryptionFailed`].
pub(crate) fn decrypt(
    enc: JweEnc,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    if cek.len() != enc.key_len() || iv.len() != enc.iv_len() {
        return Err(Error::JweDecryptionFailed);
    }
    let opened = if enc.is_gcm() {
        aead::aes_gcm_open(cek, iv, aad, ciphertext, tag)
    } else {
        cbc_hmac::cbc_hmac_open(cek, iv, aad, ciphertext, tag)
    };
    opened.map_err(|_| Error::JweDecryptionFailed)
}
