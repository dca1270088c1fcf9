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

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 7516 appendix A.1 values (erlang-jose's byte-array copy).
    fn rfc7516_a1() -> serde_json::Value {
        let file: serde_json::Value = serde_json::from_str(include_str!(
            "../../../tests/vectors/rfc-appendix/erlang-jose/rfc7516/A.1.json"
        ))
        .unwrap();
        file["values"].clone()
    }

    fn bytes(values: &serde_json::Value, name: &str) -> Vec<u8> {
        values[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| u8::try_from(b.as_u64().unwrap()).unwrap())
            .collect()
    }

    #[test]
    fn round_trips_with_each_key_size() {
        for key_len in [16, 24, 32] {
            let key = vec![0x42; key_len];
            let iv = [7u8; 12];
            for len in [0, 1, 16, 17, 1000] {
                let plaintext = vec![0xa5; len];
                let (ciphertext, tag) = aes_gcm_seal(&key, &iv, b"header", &plaintext).unwrap();
                assert_eq!(ciphertext.len(), len);
                assert_eq!(tag.len(), 16);
                let opened = aes_gcm_open(&key, &iv, b"header", &ciphertext, &tag).unwrap();
                assert_eq!(opened.as_slice(), plaintext);
            }
        }
    }

    #[test]
    fn matches_rfc7516_appendix_a1() {
        let v = rfc7516_a1();
        let (cek, iv, aad) = (bytes(&v, "a.1.2.cek"), bytes(&v, "a.1.4.iv"), bytes(&v, "a.1.5.aad"));
        let plaintext = bytes(&v, "a.1.txt");
        let (ciphertext, tag) = aes_gcm_seal(&cek, &iv, &aad, &plaintext).unwrap();
        assert_eq!(ciphertext, bytes(&v, "a.1.6.txt.cipher"));
        assert_eq!(tag, bytes(&v, "a.1.6.txt.tag"));
        let opened = aes_gcm_open(&cek, &iv, &aad, &ciphertext, &tag).unwrap();
        assert_eq!(opened.as_slice(), plaintext);
    }

    #[test]
    fn tampering_with_any_input_fails() {
        let key = [1u8; 32];
        let iv = [2u8; 12];
        let (ciphertext, tag) = aes_gcm_seal(&key, &iv, b"aad", b"attack at dawn").unwrap();
        assert!(aes_gcm_open(&key, &iv, b"aad", &ciphertext, &tag).is_ok());

        let mut bad_ciphertext = ciphertext.clone();
        bad_ciphertext[0] ^= 1;
        assert!(aes_gcm_open(&key, &iv, b"aad", &bad_ciphertext, &tag).is_err());

        let mut bad_tag = tag.clone();
        bad_tag[15] ^= 0x80;
        assert!(aes_gcm_open(&key, &iv, b"aad", &ciphertext, &bad_tag).is_err());

        assert!(aes_gcm_open(&key, &iv, b"aaD", &ciphertext, &tag).is_err());
        assert!(aes_gcm_open(&key, &[3u8; 12], b"aad", &ciphertext, &tag).is_err());
        assert!(aes_gcm_open(&[9u8; 32], &iv, b"aad", &ciphertext, &tag).is_err());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        let key = [1u8; 16];
        let iv = [2u8; 12];
        let (ciphertext, tag) = aes_gcm_seal(&key, &iv, b"", b"data").unwrap();
        // IVs other than 96 bits, on both sides.
        assert!(aes_gcm_seal(&key, &[0u8; 16], b"", b"data").is_err());
        assert!(aes_gcm_seal(&key, &[0u8; 8], b"", b"data").is_err());
        assert!(aes_gcm_open(&key, &[2u8; 16], b"", &ciphertext, &tag).is_err());
        // Truncated and over-long tags.
        assert!(aes_gcm_open(&key, &iv, b"", &ciphertext, &tag[..12]).is_err());
        assert!(aes_gcm_open(&key, &iv, b"", &ciphertext, &[tag.as_slice(), &[0]].concat()).is_err());
        assert!(aes_gcm_open(&key, &iv, b"", &ciphertext, &[]).is_err());
        // Keys that are not an AES size.
        for len in [0, 15, 20, 33, 64] {
            assert!(aes_gcm_seal(&vec![0u8; len], &iv, b"", b"data").is_err());
            assert!(aes_gcm_open(&vec![0u8; len], &iv, b"", &ciphertext, &tag).is_err());
        }
    }
}
