//! AES-GCM content encryption (A128GCM, A192GCM, A256GCM) and the AES-GCM
//! key wrap (A*GCMKW) of RFC 7518 sections 5.3 and 4.7.
//!
//! JWE carries the ciphertext and the authentication tag as separate
//! members, so both directions work on a detached tag instead of the usual
//! "ciphertext || tag" buffer.

use aws_lc_rs::aead::{AES_128_GCM, AES_192_GCM, AES_256_GCM, Aad, Algorithm, LessSafeKey, Nonce, UnboundKey};
use zeroize::Zeroizing;

use crate::backend::Rejected;

/// The only IV length JWE uses with AES-GCM (RFC 7518 section 5.3: 96 bits).
const IV_LEN: usize = 12;
/// The only tag length JWE uses with AES-GCM (128 bits). Shorter tags are
/// refused outright: accepting them would weaken forgery resistance.
const TAG_LEN: usize = 16;

/// Picks the AES variant from the key length, so the caller cannot pair a
/// key with the wrong cipher.
fn key_for(key: &[u8]) -> Result<LessSafeKey, Rejected> {
    let algorithm: &'static Algorithm = match key.len() {
        16 => &AES_128_GCM,
        24 => &AES_192_GCM,
        32 => &AES_256_GCM,
        _ => return Err(Rejected),
    };
    Ok(LessSafeKey::new(UnboundKey::new(algorithm, key)?))
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
    let key = key_for(key)?;
    let nonce = Nonce::try_assume_unique_for_key(iv)?;
    // Out of place: straight from the caller's plaintext into the
    // ciphertext buffer, which never holds plaintext, with no copy first (a
    // JWE's content may be megabytes).
    let mut ciphertext = vec![0; plaintext.len()];
    let mut tag = vec![0; TAG_LEN];
    key.seal_out_of_place_scatter(nonce, Aad::from(aad), plaintext, &mut ciphertext, &[], &mut tag)?;
    Ok((ciphertext, tag))
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
    let key = key_for(key)?;
    let nonce = Nonce::try_assume_unique_for_key(iv)?;
    // Decrypted out of place, with no copy of the ciphertext first. On
    // failure the buffer may hold unauthenticated plaintext; it is
    // zeroized when dropped and never returned.
    let mut plaintext = Zeroizing::new(vec![0; ciphertext.len()]);
    key.open_separate_gather(nonce, Aad::from(aad), ciphertext, tag, &mut plaintext)?;
    Ok(plaintext)
}
