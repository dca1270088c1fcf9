//! `pbes2` against the selected provider: the same checks for each.

use crate::backend::Pbkdf2Prf;
use crate::backend::pbes2::*;

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
