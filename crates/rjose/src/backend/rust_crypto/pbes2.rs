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
