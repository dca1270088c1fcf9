//! AES_CBC_HMAC_SHA2 content encryption (A128CBC-HS256, A192CBC-HS384,
//! A256CBC-HS512), RFC 7518 section 5.2.
//!
//! An encrypt-then-MAC composition: AES-CBC with PKCS#7 padding, then an
//! HMAC over `AAD || IV || ciphertext || AL`, truncated to half its length.
//! Both halves come from RustCrypto (`aes` + `cbc`, `hmac` + `sha2`); this
//! module only composes them as the RFC prescribes.

use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use super::pbes2::{aes_cbc_decrypt, aes_cbc_encrypt};
use crate::backend::Rejected;

/// The CBC IV length, one AES block.
const IV_LEN: usize = 16;

/// The full (untruncated) HMAC of `AAD || IV || ciphertext || AL`, where AL
/// is the AAD length in bits as a 64-bit big-endian integer.
fn mac_with<M: Mac + KeyInit>(mac_key: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, Rejected> {
    let aad_bits = u64::try_from(aad.len())
        .ok()
        .and_then(|len| len.checked_mul(8))
        .ok_or(Rejected)?;
    let mut mac = <M as KeyInit>::new_from_slice(mac_key).map_err(|_| Rejected)?;
    mac.update(aad);
    mac.update(iv);
    mac.update(ciphertext);
    mac.update(&aad_bits.to_be_bytes());
    Ok(mac.finalize().into_bytes().to_vec())
}

/// Splits `key` into MAC_KEY (first half) and ENC_KEY (second half) and
/// returns `(enc_key, truncated tag)`; the key length alone picks the
/// algorithm, so a key cannot be used with the wrong hash or AES size. The
/// tag is the HMAC truncated to T_LEN, the length of each key half.
fn tag<'k>(key: &'k [u8], aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<(&'k [u8], Vec<u8>), Rejected> {
    let (mac_key, enc_key) = key.split_at(key.len() / 2);
    let mut full = match key.len() {
        32 => mac_with::<hmac::Hmac<sha2::Sha256>>(mac_key, aad, iv, ciphertext)?,
        48 => mac_with::<hmac::Hmac<sha2::Sha384>>(mac_key, aad, iv, ciphertext)?,
        64 => mac_with::<hmac::Hmac<sha2::Sha512>>(mac_key, aad, iv, ciphertext)?,
        _ => return Err(Rejected),
    };
    full.truncate(mac_key.len());
    Ok((enc_key, full))
}

/// Encrypts `plaintext` and authenticates it with `aad`; returns
/// `(ciphertext, tag)`. `key` is 32, 48 or 64 bytes and `iv` exactly 16,
/// which must be unpredictable (fresh from `backend::rand::fill`).
pub(crate) fn cbc_hmac_seal(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<(Vec<u8>, Vec<u8>), Rejected> {
    if !matches!(key.len(), 32 | 48 | 64) {
        return Err(Rejected);
    }
    let iv: &[u8; IV_LEN] = iv.try_into().map_err(|_| Rejected)?;
    let enc_key = &key[key.len() / 2..];
    let ciphertext = aes_cbc_encrypt(enc_key, iv, plaintext).map_err(|_| Rejected)?;
    let (_, tag) = tag(key, aad, iv, &ciphertext)?;
    Ok((ciphertext, tag))
}

/// Verifies the tag and only then decrypts.
///
/// The tag must be exactly T_LEN bytes (16, 24 or 32 for the three key
/// sizes): a shorter tag would be cheaper to forge. It is compared in
/// constant time (`subtle`) before any decryption, so a forged ciphertext
/// never reaches the padding check and no padding oracle exists.
pub(crate) fn cbc_hmac_open(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag_in: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    if !matches!(key.len(), 32 | 48 | 64) || iv.len() != IV_LEN || tag_in.len() != key.len() / 2 {
        return Err(Rejected);
    }
    let (enc_key, expected) = tag(key, aad, iv, ciphertext)?;
    if !bool::from(expected.as_slice().ct_eq(tag_in)) {
        return Err(Rejected);
    }
    aes_cbc_decrypt(enc_key, iv, ciphertext).map_err(|_| Rejected)
}
