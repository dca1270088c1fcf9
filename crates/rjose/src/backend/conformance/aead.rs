//! `aead` against the selected provider: the same checks for each.

use crate::backend::aead::*;

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
