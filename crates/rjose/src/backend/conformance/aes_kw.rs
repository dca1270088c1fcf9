//! `aes_kw` against the selected provider: the same checks for each.

use crate::backend::aes_kw::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// RFC 3394 section 4: (KEK, key data, ciphertext).
const RFC3394: [(&str, &str, &str); 4] = [
    // 4.1: 128 bits of key data with a 128-bit KEK.
    (
        "000102030405060708090A0B0C0D0E0F",
        "00112233445566778899AABBCCDDEEFF",
        "1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5",
    ),
    // 4.2: 128 bits of key data with a 192-bit KEK (the aes-kw branch).
    (
        "000102030405060708090A0B0C0D0E0F1011121314151617",
        "00112233445566778899AABBCCDDEEFF",
        "96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D",
    ),
    // 4.3: 128 bits of key data with a 256-bit KEK.
    (
        "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
        "00112233445566778899AABBCCDDEEFF",
        "64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7",
    ),
    // 4.6: 256 bits of key data with a 256-bit KEK.
    (
        "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
        "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
        "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21",
    ),
];

#[test]
fn matches_rfc3394_section_4_vectors() {
    for (kek, key, wrapped) in RFC3394 {
        let (kek, key, wrapped) = (hex(kek), hex(key), hex(wrapped));
        assert_eq!(
            aes_kw_wrap(&kek, &key).unwrap(),
            wrapped,
            "wrap, KEK of {} bytes",
            kek.len()
        );
        assert_eq!(aes_kw_unwrap(&kek, &wrapped).unwrap().as_slice(), key);
    }
}

#[test]
fn unwrap_with_wrong_kek_or_tampered_input_fails() {
    for (kek, key, wrapped) in RFC3394 {
        let (kek, key, wrapped) = (hex(kek), hex(key), hex(wrapped));
        let mut wrong_kek = kek.clone();
        wrong_kek[0] ^= 1;
        assert!(aes_kw_unwrap(&wrong_kek, &wrapped).is_err());
        for index in [0, wrapped.len() - 1] {
            let mut bad = wrapped.clone();
            bad[index] ^= 0x10;
            assert!(aes_kw_unwrap(&kek, &bad).is_err());
        }
        // A KEK of another size is another cipher, not a prefix of this one.
        let other = if kek.len() == 32 {
            &kek[..16]
        } else {
            &[kek.as_slice(), &[0; 8]].concat()[..]
        };
        assert!(aes_kw_unwrap(other, &wrapped).is_err());
        assert_eq!(aes_kw_unwrap(&kek, &wrapped).unwrap().as_slice(), key);
    }
}

#[test]
fn bad_lengths_are_refused() {
    for kek_len in [16, 24, 32] {
        let kek = vec![5u8; kek_len];
        // Key data: not a multiple of 8, or shorter than two semiblocks.
        for len in [0, 8, 15, 17, 31, 33] {
            assert!(aes_kw_wrap(&kek, &vec![1u8; len]).is_err(), "wrap {len} bytes");
        }
        // Wrapped data: not a multiple of 8, or shorter than three semiblocks.
        for len in [0, 8, 16, 23, 25, 39] {
            assert!(aes_kw_unwrap(&kek, &vec![1u8; len]).is_err(), "unwrap {len} bytes");
        }
        let key = [9u8; 48];
        let wrapped = aes_kw_wrap(&kek, &key).unwrap();
        assert_eq!(wrapped.len(), 56);
        assert_eq!(aes_kw_unwrap(&kek, &wrapped).unwrap().as_slice(), key);
    }
    for kek_len in [0, 8, 15, 20, 33, 64] {
        let kek = vec![5u8; kek_len];
        assert!(aes_kw_wrap(&kek, &[1u8; 16]).is_err());
        assert!(aes_kw_unwrap(&kek, &[1u8; 24]).is_err());
    }
}
