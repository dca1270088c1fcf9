//! AES-GCM content encryption (A128GCM, A192GCM, A256GCM) and the AES-GCM
//! key wrap (A*GCMKW) of RFC 7518 sections 5.3 and 4.7, from `aes-gcm`.
//!
//! JWE carries the ciphertext and the authentication tag as separate
//! members, so both directions work on a detached tag instead of the usual
//! "ciphertext || tag" buffer.

use aes_gcm::aead::array::Array;
use aes_gcm::aead::consts::U12;
use aes_gcm::{AeadInOut, AesGcm, KeyInit};
use zeroize::Zeroizing;

use crate::backend::Rejected;

/// The only IV length JWE uses with AES-GCM (RFC 7518 section 5.3: 96 bits).
const IV_LEN: usize = 12;
/// The only tag length JWE uses with AES-GCM (128 bits). Shorter tags are
/// refused outright: accepting them would weaken forgery resistance.
const TAG_LEN: usize = 16;

/// `aes-gcm` names only AES-128 and AES-256; A192GCM is the same
/// construction over AES-192.
type Aes192Gcm = AesGcm<aes::Aes192, U12>;

/// Encrypts in place, returning the detached tag.
fn seal_with<C: AeadInOut + KeyInit>(key: &[u8], iv: &[u8], aad: &[u8], buf: &mut [u8]) -> Result<Vec<u8>, Rejected> {
    let cipher = C::new_from_slice(key).map_err(|_| Rejected)?;
    let nonce = Array::try_from(iv).map_err(|_| Rejected)?;
    let tag = cipher
        .encrypt_inout_detached(&nonce, aad, buf.into())
        .map_err(|_| Rejected)?;
    Ok(tag.to_vec())
}

/// Checks the tag and decrypts in place; the buffer is plaintext only on success.
fn open_with<C: AeadInOut + KeyInit>(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    buf: &mut [u8],
    tag: &[u8],
) -> Result<(), Rejected> {
    let cipher = C::new_from_slice(key).map_err(|_| Rejected)?;
    let nonce = Array::try_from(iv).map_err(|_| Rejected)?;
    let tag = Array::try_from(tag).map_err(|_| Rejected)?;
    cipher
        .decrypt_inout_detached(&nonce, aad, buf.into(), &tag)
        .map_err(|_| Rejected)
}

/// Encrypts `plaintext`, authenticating `aad` too; returns `(ciphertext, tag)`.
///
/// `key` is 16, 24 or 32 bytes and `iv` exactly 12. The IV must never repeat
/// under one key (GCM loses both confidentiality and integrity if it does);
/// callers draw it fresh from `backend::rand::fill`.
pub(crate) fn aes_gcm_seal(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), Rejected> {
    if iv.len() != IV_LEN {
        return Err(Rejected);
    }
    // Encrypted in place: the buffer holds plaintext until sealing succeeds,
    // so it is zeroized if sealing fails, and handed out once it is ciphertext.
    let mut buf = Zeroizing::new(plaintext.to_vec());
    let tag = match key.len() {
        16 => seal_with::<aes_gcm::Aes128Gcm>(key, iv, aad, &mut buf)?,
        24 => seal_with::<Aes192Gcm>(key, iv, aad, &mut buf)?,
        32 => seal_with::<aes_gcm::Aes256Gcm>(key, iv, aad, &mut buf)?,
        _ => return Err(Rejected),
    };
    Ok((core::mem::take(&mut *buf), tag))
}

/// Checks the tag over `aad`, `iv` and `ciphertext` and only then returns
/// the plaintext. Refuses an IV other than 12 bytes and a tag other than 16.
pub(crate) fn aes_gcm_open(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    if iv.len() != IV_LEN || tag.len() != TAG_LEN {
        return Err(Rejected);
    }
    let mut buf = Zeroizing::new(ciphertext.to_vec());
    // On failure the buffer may hold unauthenticated data; it is zeroized
    // when dropped and never returned.
    match key.len() {
        16 => open_with::<aes_gcm::Aes128Gcm>(key, iv, aad, &mut buf, tag)?,
        24 => open_with::<Aes192Gcm>(key, iv, aad, &mut buf, tag)?,
        32 => open_with::<aes_gcm::Aes256Gcm>(key, iv, aad, &mut buf, tag)?,
        _ => return Err(Rejected),
    }
    Ok(buf)
}
