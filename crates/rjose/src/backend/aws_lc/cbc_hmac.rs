//! AES_CBC_HMAC_SHA2 content encryption (A128CBC-HS256, A192CBC-HS384,
//! A256CBC-HS512), RFC 7518 section 5.2.
//!
//! An encrypt-then-MAC composition: AES-CBC with PKCS#7 padding, then an
//! HMAC over `AAD || IV || ciphertext || AL`, truncated to half its length.
//! Both halves come from aws-lc-rs; this module only composes them as the
//! RFC prescribes.

use aws_lc_rs::{constant_time, hmac};
use zeroize::Zeroizing;

use super::pbes2::{aes_cbc_decrypt, aes_cbc_encrypt};
use crate::backend::Rejected;

/// The CBC IV length, one AES block.
const IV_LEN: usize = 16;

/// The two halves of a composite key and the HMAC that goes with them.
struct Split<'k> {
    mac_key: hmac::Key,
    enc_key: &'k [u8],
    /// T_LEN: the tag is the HMAC output truncated to this many bytes, which
    /// is also the length of each key half (16, 24 or 32).
    tag_len: usize,
}

/// Splits `key` into MAC_KEY (first half) and ENC_KEY (second half); the
/// key length alone picks the algorithm, so a key cannot be used with the
/// wrong hash or AES size.
fn split(key: &[u8]) -> Result<Split<'_>, Rejected> {
    let algorithm = match key.len() {
        32 => hmac::HMAC_SHA256,
        48 => hmac::HMAC_SHA384,
        64 => hmac::HMAC_SHA512,
        _ => return Err(Rejected),
    };
    let (mac_key, enc_key) = key.split_at(key.len() / 2);
    Ok(Split {
        mac_key: hmac::Key::new(algorithm, mac_key),
        enc_key,
        tag_len: mac_key.len(),
    })
}

/// The full (untruncated) HMAC of `AAD || IV || ciphertext || AL`, where AL
/// is the AAD length in bits as a 64-bit big-endian integer.
fn full_mac(mac_key: &hmac::Key, aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> Result<hmac::Tag, Rejected> {
    let aad_bits = u64::try_from(aad.len())
        .ok()
        .and_then(|len| len.checked_mul(8))
        .ok_or(Rejected)?;
    let mut context = hmac::Context::with_key(mac_key);
    context.update(aad);
    context.update(iv);
    context.update(ciphertext);
    context.update(&aad_bits.to_be_bytes());
    Ok(context.sign())
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
    let split = split(key)?;
    let iv: &[u8; IV_LEN] = iv.try_into().map_err(|_| Rejected)?;
    let ciphertext = aes_cbc_encrypt(split.enc_key, iv, plaintext).map_err(|_| Rejected)?;
    let mac = full_mac(&split.mac_key, aad, iv, &ciphertext)?;
    let tag = mac.as_ref().get(..split.tag_len).ok_or(Rejected)?.to_vec();
    Ok((ciphertext, tag))
}

/// Verifies the tag and only then decrypts.
///
/// The tag must be exactly T_LEN bytes (16, 24 or 32 for the three key
/// sizes): a shorter tag would be cheaper to forge. It is compared in
/// constant time before any decryption, so a forged ciphertext never reaches
/// the padding check and no padding oracle exists.
pub(crate) fn cbc_hmac_open(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: &[u8],
    tag: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    let split = split(key)?;
    if iv.len() != IV_LEN || tag.len() != split.tag_len {
        return Err(Rejected);
    }
    let mac = full_mac(&split.mac_key, aad, iv, ciphertext)?;
    let expected = mac.as_ref().get(..split.tag_len).ok_or(Rejected)?;
    constant_time::verify_slices_are_equal(expected, tag)?;
    aes_cbc_decrypt(split.enc_key, iv, ciphertext).map_err(|_| Rejected)
}
