//! `cbc_hmac` against the selected provider: the same checks for each.

use crate::backend::cbc_hmac::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// One case of RFC 7518 appendix B, as hotplace copies it from
/// draft-mcgrew-aead-aes-cbc-hmac-sha2 (whose sections 5.1, 5.2 and 5.4
/// are RFC 7518 B.1, B.2 and B.3).
struct Case {
    key: Vec<u8>,
    plaintext: Vec<u8>,
    iv: Vec<u8>,
    aad: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

fn rfc7518_appendix_b() -> Vec<Case> {
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "../../../tests/vectors/rfc-appendix/hotplace/testvector_cbc_hmac_jose.json"
    ))
    .unwrap();
    let mut cases = Vec::new();
    for group in file["testvector"].as_array().unwrap() {
        for item in group["items"].as_array().unwrap() {
            let name = item["item"].as_str().unwrap();
            // 5.3 (AES-256 with HMAC-SHA-384) is not a JOSE algorithm.
            if !["5.1.", "5.2.", "5.4."].iter().any(|p| name.starts_with(p)) {
                continue;
            }
            let field = |f: &str| hex(item[f].as_str().unwrap());
            cases.push(Case {
                key: field("k"),
                plaintext: field("p"),
                iv: field("iv"),
                aad: field("a"),
                ciphertext: field("q"),
                tag: field("t"),
            });
        }
    }
    cases
}

#[test]
fn matches_rfc7518_appendix_b_both_ways() {
    let cases = rfc7518_appendix_b();
    assert_eq!(cases.len(), 3);
    for (case, key_len) in cases.iter().zip([32, 48, 64]) {
        assert_eq!(case.key.len(), key_len);
        let (ciphertext, tag) = cbc_hmac_seal(&case.key, &case.iv, &case.aad, &case.plaintext).unwrap();
        assert_eq!(ciphertext, case.ciphertext);
        assert_eq!(tag, case.tag);
        let opened = cbc_hmac_open(&case.key, &case.iv, &case.aad, &case.ciphertext, &case.tag).unwrap();
        assert_eq!(opened.as_slice(), case.plaintext);
    }
}

#[test]
fn truncated_or_wrong_tag_is_refused() {
    for case in rfc7518_appendix_b() {
        let open = |tag: &[u8]| cbc_hmac_open(&case.key, &case.iv, &case.aad, &case.ciphertext, tag);
        assert!(open(&case.tag[..case.tag.len() - 1]).is_err());
        assert!(open(&case.tag[..16.min(case.tag.len() - 1)]).is_err());
        assert!(open(&[]).is_err());
        // The full, untruncated HMAC is not the tag either.
        let mut long = case.tag.clone();
        long.extend_from_slice(&case.tag);
        assert!(open(&long).is_err());
        let mut wrong = case.tag.clone();
        wrong[0] ^= 1;
        assert!(open(&wrong).is_err());
    }
}

#[test]
fn tampering_with_any_input_fails() {
    for case in rfc7518_appendix_b() {
        let Case {
            key,
            iv,
            aad,
            ciphertext,
            tag,
            ..
        } = &case;
        let mut bad = ciphertext.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(cbc_hmac_open(key, iv, aad, &bad, tag).is_err());
        assert!(cbc_hmac_open(key, iv, aad, &ciphertext[..ciphertext.len() - 16], tag).is_err());
        let mut bad_iv = iv.clone();
        bad_iv[0] ^= 1;
        assert!(cbc_hmac_open(key, &bad_iv, aad, ciphertext, tag).is_err());
        assert!(cbc_hmac_open(key, iv, &aad[1..], ciphertext, tag).is_err());
        // Each half of the key matters: the MAC key and the encryption key.
        for index in [0, key.len() - 1] {
            let mut bad_key = key.clone();
            bad_key[index] ^= 1;
            assert!(cbc_hmac_open(&bad_key, iv, aad, ciphertext, tag).is_err());
        }
    }
}

#[test]
fn round_trips_and_refuses_bad_lengths() {
    for key_len in [32, 48, 64] {
        let key = vec![3u8; key_len];
        let iv = [4u8; 16];
        for len in [0, 1, 15, 16, 17, 100] {
            let plaintext = vec![0x5a; len];
            let (ciphertext, tag) = cbc_hmac_seal(&key, &iv, b"aad", &plaintext).unwrap();
            assert_eq!(tag.len(), key_len / 2);
            let opened = cbc_hmac_open(&key, &iv, b"aad", &ciphertext, &tag).unwrap();
            assert_eq!(opened.as_slice(), plaintext);
        }
        assert!(cbc_hmac_seal(&key, &[0u8; 12], b"", b"x").is_err());
        let (ciphertext, tag) = cbc_hmac_seal(&key, &iv, b"", b"x").unwrap();
        assert!(cbc_hmac_open(&key, &[4u8; 12], b"", &ciphertext, &tag).is_err());
    }
    for key_len in [0, 16, 24, 31, 33, 96] {
        let key = vec![3u8; key_len];
        assert!(cbc_hmac_seal(&key, &[0u8; 16], b"", b"x").is_err());
        assert!(cbc_hmac_open(&key, &[0u8; 16], b"", &[0u8; 16], &[0u8; 16]).is_err());
    }
}
