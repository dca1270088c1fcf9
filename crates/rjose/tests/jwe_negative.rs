//! JWE negative tests: one test (at least) per hardening rule, each
//! asserting the exact error. Hostile tokens are built from real ones by
//! editing their parts (the library will not produce them); a tag that no
//! longer verifies is fine, as the rule under test must fire first.

mod common;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use rjose::jwe::{
    CompactEncrypt, DecryptedJwe, FlattenedEncrypt, FlattenedJwe, GeneralEncrypt, GeneralJwe, JweAlg,
    JweDecryptOptions, JweEnc, JweHeader, KeyManagementParameters, compact_decrypt, flattened_decrypt, general_decrypt,
};
use rjose::{Alg, Curve, Error, Jwk, Key, KeyPair, KeyPairOptions, LocalJwkSet, generate_key_pair, generate_secret};
use serde_json::{Map, Value, json};

use common::{RSA_DECRYPTS, assert_rsa_decryption_refused, b64, is_rsa, unb64};

// ------------------------------------------------------------ helpers

const PLAINTEXT: &[u8] = b"The quick brown fox jumps over the lazy dog.";
const PASSWORD: &[u8] = b"correct horse battery staple";
const PBES2: [JweAlg; 3] = [
    JweAlg::PBES2_HS256_A128KW,
    JweAlg::PBES2_HS384_A192KW,
    JweAlg::PBES2_HS512_A256KW,
];

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Replaces part `index` of a compact JWE with `edit` applied to its decoded bytes.
fn edit_part(token: &str, index: usize, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut bytes = unb64(&parts[index]);
    edit(&mut bytes);
    parts[index] = b64(&bytes);
    parts.join(".")
}

/// Replaces the protected header of a compact JWE with an edited copy.
fn edit_header(token: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> String {
    edit_part(token, 0, |bytes| {
        let mut header: Map<String, Value> = serde_json::from_slice(bytes).expect("header JSON");
        edit(&mut header);
        *bytes = serde_json::to_vec(&header).expect("JSON");
    })
}

/// Replaces the protected header of a compact JWE with raw text.
fn with_header_text(token: &str, text: &str) -> String {
    edit_part(token, 0, |bytes| *bytes = text.as_bytes().to_vec())
}

#[allow(clippy::ptr_arg)] // passed where a `fn(&mut Vec<u8>)` part edit is expected
fn flip_first_bit(bytes: &mut Vec<u8>) {
    bytes[0] ^= 1;
}

#[allow(clippy::ptr_arg)] // passed where a `fn(&mut Vec<u8>)` part edit is expected
fn flip_last_bit(bytes: &mut Vec<u8>) {
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
}

/// A flattened JWE as a JSON value, edited, and parsed back.
fn edit_flattened(jwe: &FlattenedJwe, edit: impl FnOnce(&mut Map<String, Value>)) -> FlattenedJwe {
    let Value::Object(mut map) = serde_json::to_value(jwe).expect("JSON") else {
        unreachable!()
    };
    edit(&mut map);
    FlattenedJwe::from_json(&Value::Object(map).to_string()).expect("still a flattened JWE")
}

#[track_caller]
fn assert_decryption_failed(result: rjose::Result<DecryptedJwe>, what: &str) {
    match result {
        Err(e @ Error::JweDecryptionFailed) => {
            assert_eq!(e.to_string(), "decryption operation failed", "{what}");
            assert_eq!(e.code(), "ERR_JWE_DECRYPTION_FAILED", "{what}");
        }
        other => panic!("{what}: expected JweDecryptionFailed, got {other:?}"),
    }
}

#[track_caller]
fn assert_jwe_invalid<T: std::fmt::Debug>(result: rjose::Result<T>, what: &str) {
    assert!(
        matches!(result, Err(Error::JweInvalid(_))),
        "{what}: expected JweInvalid, got {result:?}"
    );
}

#[track_caller]
fn assert_key_use<T: std::fmt::Debug>(result: rjose::Result<T>, what: &str) {
    assert!(
        matches!(result, Err(Error::InvalidKeyUse(_))),
        "{what}: expected InvalidKeyUse, got {result:?}"
    );
}

/// What an `epk` that is not a key on the recipient's curve at all gives.
const EPK_NOT_ON_THE_CURVE: &str = "\"epk\" is not a public key on the recipient's curve";
/// What an `epk` that is well formed but no usable point gives.
const EPK_UNUSABLE: &str = "\"epk\" is off the curve or of small order: no key agreement with it";

/// An ECDH-ES decryption refused for its `epk`, with the given message:
/// the `epk` is public, so how it is wrong is said, unlike tampering,
/// which is `JweDecryptionFailed`.
#[track_caller]
fn assert_epk_refused(result: rjose::Result<DecryptedJwe>, message: &str, what: &str) {
    match result {
        Err(Error::JweInvalid(detail)) => assert_eq!(detail, message, "{what}"),
        other => panic!("{what}: expected JweInvalid({message:?}), got {other:?}"),
    }
}

fn compact(alg: JweAlg, enc: JweEnc, key: &Key) -> String {
    CompactEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(alg, enc))
        .encrypt(key)
        .expect("encrypt")
}

fn pbes2_token(alg: JweAlg, password: &[u8], p2c: u64) -> String {
    CompactEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(alg, JweEnc::A128GCM))
        .key_management_parameters(KeyManagementParameters::new().p2c(p2c))
        .encrypt(&Key::from_secret(password).expect("a non-empty secret"))
        .expect("PBES2 encrypt")
}

fn pbes2_options(alg: JweAlg) -> JweDecryptOptions {
    JweDecryptOptions::new().key_management_algorithms([alg])
}

fn rsa() -> &'static KeyPair {
    static RSA: OnceLock<KeyPair> = OnceLock::new();
    RSA.get_or_init(|| generate_key_pair(JweAlg::RSA_OAEP_256, KeyPairOptions::default()).expect("RSA key pair"))
}

/// RFC 7520 section 5.1: a JWE with RSA1_5 and A128CBC-HS256, and its key.
fn rsa1_5_vector() -> (Key, String, String) {
    let vector: Value = serde_json::from_str(include_str!(
        "vectors/rfc7520-cookbook/jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json"
    ))
    .expect("vector JSON");
    let key = Key::from_jwk_json(&vector["input"]["key"].to_string()).expect("vector key");
    let token = vector["output"]["compact"].as_str().expect("compact").to_owned();
    let plaintext = vector["input"]["plaintext"].as_str().expect("plaintext").to_owned();
    (key, token, plaintext)
}

/// An ECDH key pair on `crv`, not bound to one ECDH-ES variant.
fn ecdh_pair(crv: Curve) -> KeyPair {
    let pair = generate_key_pair(JweAlg::ECDH_ES_A128KW, KeyPairOptions::default().crv(crv)).expect("ECDH key pair");
    KeyPair {
        private_key: unbind(&pair.private_key),
        public_key: unbind(&pair.public_key),
    }
}

// ------------------------------------------------------------ PBES2

#[test]
fn pbes2_is_refused_unless_allow_listed() {
    for alg in PBES2 {
        let token = pbes2_token(alg, PASSWORD, 1000);
        let password = Key::from_secret(PASSWORD).expect("a non-empty secret");
        // The right password, but PBES2 was not asked for.
        match compact_decrypt(&token, &password, &JweDecryptOptions::new()) {
            Err(Error::AlgNotAllowed { alg: name, .. }) => assert_eq!(name, alg.name()),
            other => panic!("{alg}: expected AlgNotAllowed, got {other:?}"),
        }
        let others = JweDecryptOptions::new().key_management_algorithms([JweAlg::A128KW, JweAlg::Dir]);
        assert!(
            matches!(
                compact_decrypt(&token, &password, &others),
                Err(Error::AlgNotAllowed { .. })
            ),
            "{alg}"
        );
        // Another PBES2 variant does not open the door either.
        let sibling = PBES2.into_iter().find(|&a| a != alg).unwrap();
        assert!(
            matches!(
                compact_decrypt(&token, &password, &pbes2_options(sibling)),
                Err(Error::AlgNotAllowed { .. })
            ),
            "{alg}"
        );
        let decrypted = compact_decrypt(&token, &password, &pbes2_options(alg)).unwrap();
        assert_eq!(decrypted.plaintext, PLAINTEXT);
    }
}

#[test]
fn pbes2_count_above_the_maximum_is_refused_before_any_work() {
    let alg = JweAlg::PBES2_HS512_A256KW;
    let password = Key::from_secret(PASSWORD).expect("a non-empty secret");
    let token = pbes2_token(alg, PASSWORD, 1000);
    let huge = edit_header(&token, |h| {
        h.insert("p2c".into(), json!(4_000_000_000u64));
    });
    // 4e9 iterations of HMAC-SHA-512 would take hours; the refusal must be immediate.
    let mut fastest = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let result = compact_decrypt(&huge, &password, &pbes2_options(alg));
        fastest = fastest.min(start.elapsed());
        assert_jwe_invalid(result, "p2c = 4e9");
    }
    assert!(
        fastest < Duration::from_millis(50),
        "refusing p2c = 4e9 took {fastest:?}"
    );

    // The default maximum is 10,000.
    let just_above = edit_header(&token, |h| {
        h.insert("p2c".into(), json!(10_001));
    });
    assert_jwe_invalid(
        compact_decrypt(&just_above, &password, &pbes2_options(alg)),
        "p2c = 10,001",
    );
    let at_max = pbes2_token(alg, PASSWORD, 10_000);
    assert_eq!(
        compact_decrypt(&at_max, &password, &pbes2_options(alg))
            .unwrap()
            .plaintext,
        PLAINTEXT
    );

    // The maximum is configurable both ways.
    let above_default = pbes2_token(alg, PASSWORD, 12_000);
    assert_jwe_invalid(
        compact_decrypt(&above_default, &password, &pbes2_options(alg)),
        "p2c = 12,000",
    );
    let raised = pbes2_options(alg).max_pbes2_count(12_000);
    assert_eq!(
        compact_decrypt(&above_default, &password, &raised).unwrap().plaintext,
        PLAINTEXT
    );
    let lowered = pbes2_options(alg).max_pbes2_count(999);
    assert_jwe_invalid(
        compact_decrypt(&token, &password, &lowered),
        "p2c = 1000 with a maximum of 999",
    );

    // Even with no maximum, a count past the PBKDF2 range is refused without work.
    let unlimited = pbes2_options(alg).max_pbes2_count(u64::MAX);
    let out_of_range = edit_header(&token, |h| {
        h.insert("p2c".into(), json!(u64::MAX));
    });
    let start = Instant::now();
    assert_jwe_invalid(compact_decrypt(&out_of_range, &password, &unlimited), "p2c = u64::MAX");
    assert!(start.elapsed() < Duration::from_secs(1));

    // p2c must be a positive integer, and present.
    for bad in [json!(0), json!(-1), json!(1.5), json!("1000"), json!(null)] {
        let token = edit_header(&token, |h| {
            h.insert("p2c".into(), bad.clone());
        });
        assert_jwe_invalid(
            compact_decrypt(&token, &password, &pbes2_options(alg)),
            &format!("p2c = {bad}"),
        );
    }
    let missing = edit_header(&token, |h| {
        h.remove("p2c");
    });
    assert_jwe_invalid(compact_decrypt(&missing, &password, &pbes2_options(alg)), "no p2c");
}

#[test]
fn pbes2_salt_shorter_than_eight_bytes_is_refused() {
    let alg = JweAlg::PBES2_HS256_A128KW;
    let password = Key::from_secret(PASSWORD).expect("a non-empty secret");
    let token = pbes2_token(alg, PASSWORD, 1000);
    for len in [0, 1, 7] {
        let short = edit_header(&token, |h| {
            h.insert("p2s".into(), b64(&vec![7u8; len]).into());
        });
        assert_jwe_invalid(
            compact_decrypt(&short, &password, &pbes2_options(alg)),
            &format!("{len}-byte p2s"),
        );
    }
    // Eight bytes pass the check (and then fail as any other tampering does).
    let eight = edit_header(&token, |h| {
        h.insert("p2s".into(), b64(&[7u8; 8]).into());
    });
    assert_decryption_failed(compact_decrypt(&eight, &password, &pbes2_options(alg)), "8-byte p2s");
    let missing = edit_header(&token, |h| {
        h.remove("p2s");
    });
    assert_jwe_invalid(compact_decrypt(&missing, &password, &pbes2_options(alg)), "no p2s");
    let not_base64 = edit_header(&token, |h| {
        h.insert("p2s".into(), "not base64url!".into());
    });
    assert_jwe_invalid(
        compact_decrypt(&not_base64, &password, &pbes2_options(alg)),
        "p2s not base64url",
    );

    // The sender refuses a short salt too.
    let mut params = KeyManagementParameters::new().p2c(1000);
    params.p2s = Some(vec![1u8; 7]);
    let result = CompactEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(alg, JweEnc::A128GCM))
        .key_management_parameters(params)
        .encrypt(&password);
    assert_jwe_invalid(result, "encrypting with a 7-byte p2s");
}

#[test]
fn pbes2_passwords_of_any_length_work() {
    // Any length but zero: an empty password is refused when the key is made.
    assert_eq!(Key::from_secret(b"").map(drop).unwrap_err().code(), "ERR_JWK_INVALID");
    for alg in PBES2 {
        for len in [1usize, 2, 1000] {
            let password: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let token = pbes2_token(alg, &password, 1000);
            let decrypted = compact_decrypt(
                &token,
                &Key::from_secret(&password).expect("a non-empty secret"),
                &pbes2_options(alg),
            )
            .unwrap_or_else(|e| panic!("{alg} with a {len}-byte password: {e}"));
            assert_eq!(decrypted.plaintext, PLAINTEXT);
            // A different password of the same length fails like any wrong key.
            // (Not a zero byte appended: HMAC pads short keys with zeros, so
            // "" and "\0" are the same PBKDF2 password.)
            let mut other = password.clone();
            other.push(1);
            assert_decryption_failed(
                compact_decrypt(
                    &token,
                    &Key::from_secret(&other).expect("a non-empty secret"),
                    &pbes2_options(alg),
                ),
                "wrong password",
            );
        }
    }
}

// ------------------------------------------------------------ RSA1_5

#[test]
fn rsa1_5_is_refused_unless_allow_listed() {
    let (key, token, plaintext) = rsa1_5_vector();
    assert!(matches!(
        compact_decrypt(&token, &key, &JweDecryptOptions::new()),
        Err(Error::AlgNotAllowed { alg: name, .. }) if name == "RSA1_5"
    ));
    let oaep_only = JweDecryptOptions::new().key_management_algorithms([JweAlg::RSA_OAEP, JweAlg::RSA_OAEP_256]);
    assert!(matches!(
        compact_decrypt(&token, &key, &oaep_only),
        Err(Error::AlgNotAllowed { .. })
    ));
    let allowed = JweDecryptOptions::new().key_management_algorithms([JweAlg::RSA1_5]);
    if RSA_DECRYPTS {
        let decrypted = compact_decrypt(&token, &key, &allowed).unwrap();
        assert_eq!(decrypted.plaintext, plaintext.as_bytes());
    } else {
        // Allowed or not, the pure-Rust provider does not decrypt RSA.
        assert_rsa_decryption_refused(compact_decrypt(&token, &key, &allowed));
    }
    // And never for encryption.
    assert!(matches!(
        CompactEncrypt::new(PLAINTEXT)
            .protected_header(JweHeader::new(JweAlg::RSA1_5, JweEnc::A128CBC_HS256))
            .encrypt(&key.public_key().unwrap()),
        Err(Error::NotSupported(_))
    ));
}

#[test]
fn rsa1_5_corrupted_encrypted_key_is_indistinguishable_from_a_bad_ciphertext() {
    let (key, token, _) = rsa1_5_vector();
    let allowed = JweDecryptOptions::new().key_management_algorithms([JweAlg::RSA1_5]);
    if !RSA_DECRYPTS {
        // No oracle to test: the pure-Rust provider refuses before any
        // RSA operation, whatever the encrypted key holds.
        assert_rsa_decryption_refused(compact_decrypt(&edit_part(&token, 1, flip_first_bit), &key, &allowed));
        return;
    }
    // A corrupted key block: the padding check fails inside RSA, a random
    // CEK is substituted, and the content decryption fails as it would
    // with a tampered ciphertext.
    for (what, bad) in [
        ("first byte of the encrypted key", edit_part(&token, 1, flip_first_bit)),
        ("last byte of the encrypted key", edit_part(&token, 1, flip_last_bit)),
        (
            "truncated encrypted key",
            edit_part(&token, 1, |k| k.truncate(k.len() - 1)),
        ),
        ("extended encrypted key", edit_part(&token, 1, |k| k.push(0))),
        ("ciphertext", edit_part(&token, 3, flip_first_bit)),
        ("tag", edit_part(&token, 4, flip_last_bit)),
    ] {
        assert_decryption_failed(compact_decrypt(&bad, &key, &allowed), what);
    }
    // A valid PKCS#1 block of the wrong length (here: a random 2048-bit
    // RSA key's ciphertext does not decrypt at all) is handled the same way.
    let other = &rsa().private_key;
    let other = Key::from_jwk(&{
        let mut jwk = other.to_jwk().unwrap();
        jwk.alg = None;
        jwk
    })
    .unwrap();
    assert_decryption_failed(compact_decrypt(&token, &other, &allowed), "another RSA key");
}

// ------------------------------------------------------------ ECDH-ES

fn ecdh_token(alg: JweAlg, public: &Key) -> String {
    compact(alg, JweEnc::A128GCM, public)
}

fn options_for(alg: JweAlg) -> JweDecryptOptions {
    JweDecryptOptions::new().key_management_algorithms([alg])
}

fn set_epk(token: &str, epk: Value) -> String {
    edit_header(token, |h| {
        h.insert("epk".into(), epk);
    })
}

#[test]
fn ecdh_epk_on_another_curve_is_refused() {
    for (recipient, sender) in [
        (Curve::P256, Curve::P384),
        (Curve::P384, Curve::P521),
        (Curve::P521, Curve::P256),
        (Curve::P256, Curve::X25519),
        (Curve::X25519, Curve::P256),
    ] {
        for alg in [JweAlg::ECDH_ES, JweAlg::ECDH_ES_A128KW] {
            let pair = ecdh_pair(recipient);
            let token = ecdh_token(alg, &pair.public_key.clone());
            let foreign = ecdh_pair(sender).public_key.to_public_jwk().unwrap();
            let bad = set_epk(&token, serde_json::to_value(foreign).unwrap());
            assert_jwe_invalid(
                compact_decrypt(&bad, &unbind(&pair.private_key), &options_for(alg)),
                &format!("{alg}: {sender} epk for a {recipient} key"),
            );
        }
    }
    // The right curve name on a point of another width.
    let pair = ecdh_pair(Curve::P256);
    let token = ecdh_token(JweAlg::ECDH_ES_A128KW, &pair.public_key);
    let mut p384 = serde_json::to_value(ecdh_pair(Curve::P384).public_key.to_public_jwk().unwrap()).unwrap();
    p384["crv"] = "P-256".into();
    assert_epk_refused(
        compact_decrypt(&set_epk(&token, p384), &pair.private_key, &JweDecryptOptions::new()),
        EPK_NOT_ON_THE_CURVE,
        "P-384 coordinates labelled P-256",
    );
    // An epk of the wrong type.
    for epk in [
        json!("a string"),
        json!({"kty": "oct", "k": "AAAA"}),
        json!({"kty": "RSA", "n": "AQAB", "e": "AQAB"}),
    ] {
        assert_jwe_invalid(
            compact_decrypt(
                &set_epk(&token, epk.clone()),
                &pair.private_key,
                &JweDecryptOptions::new(),
            ),
            &format!("epk {epk}"),
        );
    }
}

/// The same key without its JWK `alg`.
fn unbind(key: &Key) -> Key {
    let mut jwk: Jwk = key.to_jwk().unwrap();
    jwk.alg = None;
    Key::from_jwk(&jwk).unwrap()
}

#[test]
fn ecdh_epk_not_on_its_curve_is_refused() {
    for crv in [Curve::P256, Curve::P384, Curve::P521] {
        for alg in [JweAlg::ECDH_ES, JweAlg::ECDH_ES_A256KW] {
            let pair = ecdh_pair(crv);
            let private = unbind(&pair.private_key);
            let token = ecdh_token(alg, &pair.public_key);
            let header: Value = serde_json::from_slice(&unb64(token.split('.').next().unwrap())).unwrap();
            for (coordinate, flip) in [("y", flip_last_bit as fn(&mut Vec<u8>)), ("x", flip_first_bit)] {
                let mut epk = header["epk"].clone();
                let mut bytes = unb64(epk[coordinate].as_str().unwrap());
                flip(&mut bytes);
                epk[coordinate] = b64(&bytes).into();
                assert_epk_refused(
                    compact_decrypt(&set_epk(&token, epk), &private, &options_for(alg)),
                    EPK_UNUSABLE,
                    &format!("{alg} {crv}: {coordinate} flipped"),
                );
            }
            // The point at infinity has no affine encoding; all zeros is not on the curve.
            let mut zero = header["epk"].clone();
            let width = unb64(zero["x"].as_str().unwrap()).len();
            zero["x"] = b64(&vec![0; width]).into();
            zero["y"] = b64(&vec![0; width]).into();
            assert_epk_refused(
                compact_decrypt(&set_epk(&token, zero), &private, &options_for(alg)),
                EPK_UNUSABLE,
                "(0, 0)",
            );
            // A missing y.
            let mut no_y = header["epk"].clone();
            no_y.as_object_mut().unwrap().remove("y");
            assert_epk_refused(
                compact_decrypt(&set_epk(&token, no_y), &private, &options_for(alg)),
                EPK_NOT_ON_THE_CURVE,
                "no y",
            );
        }
    }
}

#[test]
fn ecdh_x25519_low_order_epk_is_refused() {
    // RFC 7748 section 6.1: points of small order make the shared secret
    // all zeros, independent of the recipient's key.
    const LOW_ORDER: [&str; 7] = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ];
    let pair = ecdh_pair(Curve::X25519);
    let private = unbind(&pair.private_key);
    for alg in [JweAlg::ECDH_ES, JweAlg::ECDH_ES_A128KW, JweAlg::ECDH_ES_A256KW] {
        let token = ecdh_token(alg, &pair.public_key);
        for point in LOW_ORDER {
            let epk = json!({"kty": "OKP", "crv": "X25519", "x": b64(&hex(point))});
            assert_epk_refused(
                compact_decrypt(&set_epk(&token, epk), &private, &options_for(alg)),
                EPK_UNUSABLE,
                point,
            );
        }
        for len in [0, 31, 33] {
            let epk = json!({"kty": "OKP", "crv": "X25519", "x": b64(&vec![9u8; len])});
            assert_epk_refused(
                compact_decrypt(&set_epk(&token, epk), &private, &options_for(alg)),
                EPK_NOT_ON_THE_CURVE,
                &format!("{len}-byte x"),
            );
        }
    }
}

/// A compact ECDH-ES + A128GCM JWE to the holder of whatever key gives the
/// shared secret `z` with the epk `epk_x`: exactly what a sender who
/// computed `z` would send, its content key derived from `z` by the Concat
/// KDF (RFC 7518 section 4.6.2).
fn x25519_token_from_shared_secret(epk_x: &[u8], z: &[u8]) -> String {
    use aes_gcm::{AeadInOut as _, KeyInit as _};
    use sha2::Digest as _;
    let header = json!({"alg": "ECDH-ES", "enc": "A128GCM", "epk": {"kty": "OKP", "crv": "X25519", "x": b64(epk_x)}});
    let protected = b64(header.to_string().as_bytes());
    // 16 bytes need one SHA-256 block: counter 1, Z, then OtherInfo
    // (AlgorithmID, empty PartyUInfo and PartyVInfo, each length-prefixed,
    // and the key length in bits).
    let mut kdf_input = 1u32.to_be_bytes().to_vec();
    kdf_input.extend_from_slice(z);
    for field in [b"A128GCM".as_slice(), b"", b""] {
        kdf_input.extend_from_slice(&u32::try_from(field.len()).unwrap().to_be_bytes());
        kdf_input.extend_from_slice(field);
    }
    kdf_input.extend_from_slice(&128u32.to_be_bytes());
    let digest = sha2::Sha256::digest(&kdf_input);
    let cek = aes_gcm::Aes128Gcm::new_from_slice(&digest[..16]).unwrap();
    let iv = [7u8; 12];
    let mut ciphertext = PLAINTEXT.to_vec();
    let tag = cek
        .encrypt_inout_detached(&iv.into(), protected.as_bytes(), ciphertext.as_mut_slice().into())
        .unwrap();
    format!("{protected}..{}.{}.{}", b64(&iv), b64(&ciphertext), b64(&tag))
}

#[test]
fn ecdh_x25519_epk_giving_an_all_zero_shared_secret_is_refused_for_its_epk() {
    let pair = ecdh_pair(Curve::X25519);
    let options = options_for(JweAlg::ECDH_ES);
    // The helper builds tokens that decrypt: one from a real ephemeral key.
    let recipient = unb64(pair.public_key.to_public_jwk().unwrap().x.as_deref().unwrap());
    // A fixed ephemeral scalar: the test needs a valid one, not a secret one.
    let ephemeral = x25519_dalek::StaticSecret::from([0x42u8; 32]);
    let recipient: [u8; 32] = recipient.try_into().unwrap();
    let z = ephemeral.diffie_hellman(&x25519_dalek::PublicKey::from(recipient));
    let honest = x25519_token_from_shared_secret(x25519_dalek::PublicKey::from(&ephemeral).as_bytes(), z.as_bytes());
    assert_eq!(
        compact_decrypt(&honest, &pair.private_key, &options).unwrap().plaintext,
        PLAINTEXT
    );
    // A point of small order gives Z = 0 whatever the recipient's key, so
    // anyone can build this token: it would decrypt without the check.
    for point in [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
    ] {
        let forged = x25519_token_from_shared_secret(&hex(point), &[0u8; 32]);
        assert_epk_refused(
            compact_decrypt(&forged, &pair.private_key, &options),
            EPK_UNUSABLE,
            point,
        );
    }
}

#[test]
fn ecdh_epk_with_a_private_part_is_refused() {
    for crv in [Curve::P256, Curve::X25519] {
        let pair = ecdh_pair(crv);
        let token = ecdh_token(JweAlg::ECDH_ES_A128KW, &pair.public_key);
        // A whole private key as epk (someone's, here another fresh one).
        let leaked = serde_json::to_value(ecdh_pair(crv).private_key.to_jwk().unwrap()).unwrap();
        assert!(leaked.get("d").is_some());
        assert_jwe_invalid(
            compact_decrypt(&set_epk(&token, leaked), &pair.private_key, &JweDecryptOptions::new()),
            &format!("{crv} epk with d"),
        );
        // The real epk plus a d.
        let header: Value = serde_json::from_slice(&unb64(token.split('.').next().unwrap())).unwrap();
        let mut epk = header["epk"].clone();
        epk["d"] = b64(&[1u8; 32]).into();
        assert_jwe_invalid(
            compact_decrypt(&set_epk(&token, epk), &pair.private_key, &JweDecryptOptions::new()),
            &format!("{crv} real epk with d"),
        );
    }
}

#[test]
fn ecdh_missing_epk_is_refused() {
    for crv in [Curve::P256, Curve::P521, Curve::X25519] {
        for alg in [JweAlg::ECDH_ES, JweAlg::ECDH_ES_A192KW] {
            let pair = ecdh_pair(crv);
            let token = ecdh_token(alg, &pair.public_key);
            let missing = edit_header(&token, |h| {
                h.remove("epk");
            });
            assert_jwe_invalid(
                compact_decrypt(&missing, &unbind(&pair.private_key), &options_for(alg)),
                &format!("{alg} {crv}"),
            );
        }
    }
    // apu/apv must be base64url when present.
    let pair = ecdh_pair(Curve::P256);
    let token = ecdh_token(JweAlg::ECDH_ES_A128KW, &pair.public_key);
    for name in ["apu", "apv"] {
        let bad = edit_header(&token, |h| {
            h.insert(name.into(), "***".into());
        });
        assert_jwe_invalid(
            compact_decrypt(&bad, &pair.private_key, &JweDecryptOptions::new()),
            name,
        );
    }
}

// ------------------------------------------------------------ lengths

#[test]
fn dir_key_of_the_wrong_length_is_refused() {
    for enc in JweEnc::ALL.iter().copied() {
        let right = generate_secret(enc).unwrap();
        assert!(right.supports_jwe(JweAlg::Dir, enc));
        let token = compact(JweAlg::Dir, enc, &right);
        for len in [enc.key_len() - 1, enc.key_len() + 1, 16, 24, 32, 48, 64] {
            if len == enc.key_len() {
                continue;
            }
            let wrong = Key::from_secret(vec![3u8; len]).expect("a non-empty secret");
            assert!(!wrong.supports_jwe(JweAlg::Dir, enc), "{enc} with a {len}-byte key");
            assert_key_use(
                CompactEncrypt::new(PLAINTEXT)
                    .protected_header(JweHeader::new(JweAlg::Dir, enc))
                    .encrypt(&wrong),
                &format!("encrypting {enc} with a {len}-byte key"),
            );
            assert_key_use(
                compact_decrypt(&token, &wrong, &JweDecryptOptions::new()),
                &format!("decrypting {enc} with a {len}-byte key"),
            );
        }
    }
}

#[test]
fn key_wrap_kek_of_the_wrong_length_is_refused() {
    let kw = [
        (JweAlg::A128KW, 16),
        (JweAlg::A192KW, 24),
        (JweAlg::A256KW, 32),
        (JweAlg::A128GCMKW, 16),
        (JweAlg::A192GCMKW, 24),
        (JweAlg::A256GCMKW, 32),
    ];
    for (alg, len) in kw {
        let right = generate_secret(alg).unwrap();
        assert_eq!(right.bits(), len * 8);
        assert!(right.supports_jwe(alg, JweEnc::A256GCM));
        let token = compact(alg, JweEnc::A256GCM, &right);
        for wrong_len in [len - 8, len + 8, 1] {
            let wrong = Key::from_secret(vec![5u8; wrong_len]).expect("a non-empty secret");
            assert!(
                !wrong.supports_jwe(alg, JweEnc::A256GCM),
                "{alg} with a {wrong_len}-byte kek"
            );
            assert_key_use(
                CompactEncrypt::new(PLAINTEXT)
                    .protected_header(JweHeader::new(alg, JweEnc::A256GCM))
                    .encrypt(&wrong),
                &format!("encrypting {alg} with a {wrong_len}-byte kek"),
            );
            assert_key_use(
                compact_decrypt(&token, &wrong, &JweDecryptOptions::new()),
                &format!("decrypting {alg} with a {wrong_len}-byte kek"),
            );
        }
    }
}

#[test]
fn truncated_or_extended_tag_is_decryption_failed() {
    for enc in JweEnc::ALL.iter().copied() {
        let key = generate_secret(JweAlg::A128KW).unwrap();
        let token = compact(JweAlg::A128KW, enc, &key);
        let tag_len = unb64(token.split('.').nth(4).unwrap()).len();
        // CBC-HMAC tags are half the HMAC output (16, 24, 32 bytes); GCM's are 16.
        let expected = match enc {
            JweEnc::A192CBC_HS384 => 24,
            JweEnc::A256CBC_HS512 => 32,
            _ => 16,
        };
        assert_eq!(tag_len, expected, "{enc}");
        for keep in [tag_len / 2, tag_len - 1, 1] {
            let truncated = edit_part(&token, 4, |t| t.truncate(keep));
            assert_decryption_failed(
                compact_decrypt(&truncated, &key, &JweDecryptOptions::new()),
                &format!("{enc} tag truncated to {keep} bytes"),
            );
        }
        let extended = edit_part(&token, 4, |t| t.push(0));
        assert_decryption_failed(
            compact_decrypt(&extended, &key, &JweDecryptOptions::new()),
            "extended tag",
        );
        // The full HMAC output instead of its first half is no better.
        if !matches!(enc, JweEnc::A128GCM | JweEnc::A192GCM | JweEnc::A256GCM) {
            let doubled = edit_part(&token, 4, |t| t.extend_from_slice(&t.clone()));
            assert_decryption_failed(
                compact_decrypt(&doubled, &key, &JweDecryptOptions::new()),
                "doubled tag",
            );
        }
    }
}

#[test]
fn iv_of_the_wrong_length_is_decryption_failed() {
    for enc in JweEnc::ALL.iter().copied() {
        let key = generate_secret(enc).unwrap();
        let token = compact(JweAlg::Dir, enc, &key);
        for len in [1, 8, 11, 12, 13, 15, 16, 17, 32] {
            if len == enc.iv_len() {
                continue;
            }
            let bad = edit_part(&token, 2, |iv| iv.resize(len, 0));
            assert_decryption_failed(
                compact_decrypt(&bad, &key, &JweDecryptOptions::new()),
                &format!("{enc} with a {len}-byte IV"),
            );
        }
    }
    // The AES-GCM key wrap IV and tag in the header.
    let kek = generate_secret(JweAlg::A192GCMKW).unwrap();
    let token = compact(JweAlg::A192GCMKW, JweEnc::A128CBC_HS256, &kek);
    for (name, len) in [("iv", 16), ("iv", 8), ("tag", 8), ("tag", 15)] {
        let bad = edit_header(&token, |h| {
            h.insert(name.into(), b64(&vec![1u8; len]).into());
        });
        assert_decryption_failed(
            compact_decrypt(&bad, &kek, &JweDecryptOptions::new()),
            &format!("GCM key wrap {name} of {len} bytes"),
        );
    }
    for name in ["iv", "tag"] {
        let missing = edit_header(&token, |h| {
            h.remove(name);
        });
        assert_jwe_invalid(
            compact_decrypt(&missing, &kek, &JweDecryptOptions::new()),
            &format!("no {name}"),
        );
    }
}

// ------------------------------------------------------------ one error for every failure after parsing

struct Case {
    name: &'static str,
    sender: Key,
    recipient: Key,
    wrong: Key,
    alg: JweAlg,
    enc: JweEnc,
}

fn uniform_cases() -> Vec<Case> {
    let kek = generate_secret(JweAlg::A256KW).unwrap();
    let gcm_kek = generate_secret(JweAlg::A128GCMKW).unwrap();
    let dir = generate_secret(JweEnc::A128CBC_HS256).unwrap();
    let p256 = ecdh_pair(Curve::P256);
    let x25519 = generate_key_pair(JweAlg::ECDH_ES, KeyPairOptions::default().crv(Curve::X25519)).unwrap();
    let (other_rsa, _, _) = rsa1_5_vector();
    vec![
        Case {
            name: "A256KW",
            sender: kek.clone(),
            recipient: kek,
            wrong: generate_secret(JweAlg::A256KW).unwrap(),
            alg: JweAlg::A256KW,
            enc: JweEnc::A256GCM,
        },
        Case {
            name: "A128GCMKW",
            sender: gcm_kek.clone(),
            recipient: gcm_kek,
            wrong: generate_secret(JweAlg::A128GCMKW).unwrap(),
            alg: JweAlg::A128GCMKW,
            enc: JweEnc::A192CBC_HS384,
        },
        Case {
            name: "dir",
            sender: dir.clone(),
            recipient: dir,
            wrong: generate_secret(JweEnc::A128CBC_HS256).unwrap(),
            alg: JweAlg::Dir,
            enc: JweEnc::A128CBC_HS256,
        },
        Case {
            name: "RSA-OAEP-256",
            sender: rsa().public_key.clone(),
            recipient: rsa().private_key.clone(),
            // The RFC 7520 key: another 2048-bit RSA key, not bound to an algorithm.
            wrong: other_rsa,
            alg: JweAlg::RSA_OAEP_256,
            enc: JweEnc::A256GCM,
        },
        Case {
            name: "ECDH-ES+A128KW P-256",
            sender: p256.public_key.clone(),
            recipient: p256.private_key.clone(),
            wrong: ecdh_pair(Curve::P256).private_key,
            alg: JweAlg::ECDH_ES_A128KW,
            enc: JweEnc::A256CBC_HS512,
        },
        Case {
            name: "ECDH-ES X25519",
            sender: x25519.public_key.clone(),
            recipient: x25519.private_key.clone(),
            wrong: generate_key_pair(JweAlg::ECDH_ES, KeyPairOptions::default().crv(Curve::X25519))
                .unwrap()
                .private_key,
            alg: JweAlg::ECDH_ES,
            enc: JweEnc::A128GCM,
        },
    ]
}

#[test]
fn every_failure_after_parsing_is_the_same_error_compact() {
    for case in uniform_cases() {
        let options = JweDecryptOptions::new();
        let token = compact(case.alg, case.enc, &case.sender);
        if is_rsa(case.alg) && !RSA_DECRYPTS {
            assert_rsa_decryption_refused(compact_decrypt(&token, &case.recipient, &options));
            continue;
        }
        assert_eq!(
            compact_decrypt(&token, &case.recipient, &options).unwrap().plaintext,
            PLAINTEXT
        );
        let mut tampered = vec![
            ("ciphertext, first byte", edit_part(&token, 3, flip_first_bit)),
            ("ciphertext, last byte", edit_part(&token, 3, flip_last_bit)),
            (
                "ciphertext truncated",
                edit_part(&token, 3, |c| c.truncate(c.len() - 1)),
            ),
            ("tag", edit_part(&token, 4, flip_first_bit)),
            ("IV", edit_part(&token, 2, flip_last_bit)),
            (
                "protected header with a member added",
                edit_header(&token, |h| {
                    h.insert("x-added".into(), true.into());
                }),
            ),
            (
                "protected header with kid added",
                edit_header(&token, |h| {
                    h.insert("kid".into(), "k".into());
                }),
            ),
        ];
        if !token.split('.').nth(1).unwrap().is_empty() {
            tampered.push(("encrypted key, first byte", edit_part(&token, 1, flip_first_bit)));
            tampered.push(("encrypted key, last byte", edit_part(&token, 1, flip_last_bit)));
        }
        for (what, bad) in tampered {
            assert_decryption_failed(
                compact_decrypt(&bad, &case.recipient, &options),
                &format!("{}: {what}", case.name),
            );
        }
        assert_decryption_failed(
            compact_decrypt(&token, &case.wrong, &options),
            &format!("{}: wrong key", case.name),
        );
    }
}

#[test]
fn every_failure_after_parsing_is_the_same_error_json() {
    for case in uniform_cases() {
        let options = JweDecryptOptions::new();
        let jwe = FlattenedEncrypt::new(PLAINTEXT)
            .protected_header(JweHeader::new(case.alg, case.enc))
            .shared_unprotected_header(JweHeader::default().insert("x-shared", 1).unwrap())
            .aad(b"authenticated, not encrypted")
            .encrypt(&case.sender)
            .unwrap();
        if is_rsa(case.alg) && !RSA_DECRYPTS {
            assert_rsa_decryption_refused(flattened_decrypt(&jwe, &case.recipient, &options));
            continue;
        }
        assert_eq!(
            flattened_decrypt(&jwe, &case.recipient, &options).unwrap().plaintext,
            PLAINTEXT
        );
        let reencode = |name: &'static str, edit: fn(&mut Vec<u8>)| {
            edit_flattened(&jwe, move |m| {
                let mut bytes = unb64(m[name].as_str().unwrap());
                edit(&mut bytes);
                m.insert(name.into(), b64(&bytes).into());
            })
        };
        let mut tampered = vec![
            ("ciphertext", reencode("ciphertext", flip_first_bit)),
            ("tag", reencode("tag", flip_last_bit)),
            ("iv", reencode("iv", flip_first_bit)),
            ("aad", reencode("aad", flip_first_bit)),
            ("aad extended", reencode("aad", |a| a.push(b'!'))),
            (
                "aad removed",
                edit_flattened(&jwe, |m| {
                    m.remove("aad");
                }),
            ),
            (
                "protected header with a member added",
                reencode("protected", |p| {
                    let mut header: Map<String, Value> = serde_json::from_slice(p).unwrap();
                    header.insert("x-added".into(), Value::Null);
                    *p = serde_json::to_vec(&header).unwrap();
                }),
            ),
            (
                // Semantically the same header, but a different byte string.
                "protected header re-serialized with a space",
                reencode("protected", |p| {
                    let text = String::from_utf8(p.clone()).unwrap();
                    *p = text.replacen('{', "{ ", 1).into_bytes();
                }),
            ),
        ];
        if jwe.encrypted_key.is_some() {
            tampered.push(("encrypted_key", reencode("encrypted_key", flip_last_bit)));
        }
        for (what, bad) in tampered {
            assert_decryption_failed(
                flattened_decrypt(&bad, &case.recipient, &options),
                &format!("{}: {what}", case.name),
            );
        }
        assert_decryption_failed(
            flattened_decrypt(&jwe, &case.wrong, &options),
            &format!("{}: wrong key", case.name),
        );

        // The general serialization reports the same error.
        let general = GeneralEncrypt::new(PLAINTEXT)
            .protected_header(JweHeader::new(case.alg, case.enc))
            .aad(b"aad")
            .add_recipient(&case.sender, JweHeader::default())
            .encrypt()
            .unwrap();
        let Value::Object(mut map) = serde_json::to_value(&general).unwrap() else {
            unreachable!()
        };
        let mut tag = unb64(map["tag"].as_str().unwrap());
        flip_first_bit(&mut tag);
        map.insert("tag".into(), b64(&tag).into());
        let bad = GeneralJwe::from_json(&Value::Object(map).to_string()).unwrap();
        assert_decryption_failed(general_decrypt(&bad, &case.recipient, &options), case.name);
        assert_decryption_failed(general_decrypt(&general, &case.wrong, &options), case.name);
    }
}

// ------------------------------------------------------------ allow-lists and unknown algorithms

#[test]
fn algorithms_outside_the_allow_lists_are_refused() {
    let key = generate_secret(JweAlg::A256KW).unwrap();
    let token = compact(JweAlg::A256KW, JweEnc::A256GCM, &key);
    let algs = JweDecryptOptions::new().key_management_algorithms([JweAlg::A128KW, JweAlg::RSA_OAEP_256]);
    assert!(
        matches!(compact_decrypt(&token, &key, &algs), Err(Error::AlgNotAllowed { alg: name, .. }) if name == "A256KW")
    );
    let encs = JweDecryptOptions::new().content_encryption_algorithms([JweEnc::A128GCM, JweEnc::A256CBC_HS512]);
    assert!(
        matches!(compact_decrypt(&token, &key, &encs), Err(Error::AlgNotAllowed { alg: name, .. }) if name == "A256GCM")
    );
    let empty = JweDecryptOptions::new().key_management_algorithms([]);
    assert!(matches!(
        compact_decrypt(&token, &key, &empty),
        Err(Error::AlgNotAllowed { .. })
    ));
    let both = JweDecryptOptions::new()
        .key_management_algorithms([JweAlg::A256KW])
        .content_encryption_algorithms([JweEnc::A256GCM]);
    assert_eq!(compact_decrypt(&token, &key, &both).unwrap().plaintext, PLAINTEXT);
}

#[test]
fn unknown_or_malformed_algorithms_are_refused() {
    let key = generate_secret(JweAlg::A256KW).unwrap();
    let token = compact(JweAlg::A256KW, JweEnc::A256GCM, &key);
    let unknown = |name: &'static str, value: Value| {
        edit_header(&token, move |h| {
            h.insert(name.into(), value);
        })
    };
    for alg in ["A512KW", "none", "a256kw", "RSA-OAEP-1024", ""] {
        let result = compact_decrypt(&unknown("alg", alg.into()), &key, &JweDecryptOptions::new());
        assert!(
            matches!(&result, Err(Error::AlgNotAllowed { alg: name, .. }) if name == alg),
            "alg {alg:?}: {result:?}"
        );
    }
    for enc in ["A512GCM", "A128CBC-HS512", "a256gcm", ""] {
        let result = compact_decrypt(&unknown("enc", enc.into()), &key, &JweDecryptOptions::new());
        let expected = format!("unsupported \"enc\" (content encryption algorithm) {enc:?}");
        assert!(
            matches!(&result, Err(Error::NotSupported(detail)) if *detail == expected),
            "enc {enc:?}: {result:?}"
        );
    }
    for (name, value) in [("alg", json!(1)), ("enc", json!(["A256GCM"])), ("alg", json!(null))] {
        assert_jwe_invalid(
            compact_decrypt(&unknown(name, value.clone()), &key, &JweDecryptOptions::new()),
            &format!("{name} = {value}"),
        );
    }
    for name in ["alg", "enc"] {
        let missing = edit_header(&token, |h| {
            h.remove(name);
        });
        assert_jwe_invalid(
            compact_decrypt(&missing, &key, &JweDecryptOptions::new()),
            &format!("no {name}"),
        );
    }
    // A JWS algorithm is not a JWE one.
    let jws_alg = unknown("alg", "HS256".into());
    let result = compact_decrypt(&jws_alg, &key, &JweDecryptOptions::new());
    assert!(
        matches!(&result, Err(Error::AlgNotAllowed { alg: name, .. }) if name == "HS256"),
        "a JWS alg: {result:?}"
    );
}

// ------------------------------------------------------------ compression

#[test]
fn compressed_jwe_is_refused_unless_decompression_is_allowed() {
    let key = generate_secret(JweAlg::A128KW).unwrap();
    let token = CompactEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM).deflate())
        .encrypt(&key)
        .unwrap();
    assert!(matches!(
        compact_decrypt(&token, &key, &JweDecryptOptions::new()),
        Err(Error::NotSupported(_))
    ));
    let allowed = JweDecryptOptions::new().allow_decompression(1000);
    assert_eq!(compact_decrypt(&token, &key, &allowed).unwrap().plaintext, PLAINTEXT);
    // Only DEF exists.
    let gzip = edit_header(&token, |h| {
        h.insert("zip".into(), "GZIP".into());
    });
    assert!(matches!(
        compact_decrypt(&gzip, &key, &allowed),
        Err(Error::NotSupported(_))
    ));
    let not_a_string = edit_header(&token, |h| {
        h.insert("zip".into(), json!(true));
    });
    assert_jwe_invalid(compact_decrypt(&not_a_string, &key, &allowed), "zip: true");
}

#[test]
fn decompression_bomb_is_refused_with_the_default_limit() {
    let key = generate_secret(JweEnc::A128GCM).unwrap();
    let bomb = vec![0u8; 10_000_000];
    let token = CompactEncrypt::new(&bomb)
        .protected_header(JweHeader::new(JweAlg::Dir, JweEnc::A128GCM).deflate())
        .encrypt(&key)
        .unwrap();
    assert!(
        token.len() < 100_000,
        "10 MB of zeros should compress to a small token, got {}",
        token.len()
    );
    let default_limit = JweDecryptOptions::new().allow_decompression(rjose::jwe::DEFAULT_MAX_DECOMPRESSED_SIZE);
    assert_eq!(rjose::jwe::DEFAULT_MAX_DECOMPRESSED_SIZE, 250_000);
    let start = Instant::now();
    assert_jwe_invalid(
        compact_decrypt(&token, &key, &default_limit),
        "10 MB bomb, 250 kB limit",
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "refusing the bomb took {:?}",
        start.elapsed()
    );
    // Just under the size is refused, the size itself is accepted.
    let just_under = JweDecryptOptions::new().allow_decompression(bomb.len() - 1);
    assert_jwe_invalid(compact_decrypt(&token, &key, &just_under), "limit one byte short");
    let large = JweDecryptOptions::new().allow_decompression(bomb.len());
    assert_eq!(
        compact_decrypt(&token, &key, &large).unwrap().plaintext.len(),
        bomb.len()
    );
}

#[test]
fn zip_in_an_unprotected_header_is_refused() {
    let kek = generate_secret(JweAlg::A128KW).unwrap();
    let allowed = JweDecryptOptions::new().allow_decompression(1000);
    // The sender refuses it.
    for (what, builder) in [
        (
            "shared",
            FlattenedEncrypt::new(PLAINTEXT)
                .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM))
                .shared_unprotected_header(JweHeader::default().deflate()),
        ),
        (
            "recipient",
            FlattenedEncrypt::new(PLAINTEXT)
                .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM))
                .unprotected_header(JweHeader::default().deflate()),
        ),
    ] {
        assert_jwe_invalid(
            builder.encrypt(&kek),
            &format!("encrypting with zip in the {what} header"),
        );
    }
    // The recipient refuses it, compressed or not, allowed or not.
    let jwe = FlattenedEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM))
        .encrypt(&kek)
        .unwrap();
    for member in ["unprotected", "header"] {
        let bad = edit_flattened(&jwe, |m| {
            m.insert(member.into(), json!({"zip": "DEF"}));
        });
        for options in [&allowed, &JweDecryptOptions::new()] {
            assert_jwe_invalid(flattened_decrypt(&bad, &kek, options), member);
        }
    }
    let general = GeneralEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM))
        .add_recipient(&kek, JweHeader::default().kid("k"))
        .encrypt()
        .unwrap();
    let mut json: Value = serde_json::from_str(&general.to_json()).unwrap();
    json["recipients"][0]["header"]["zip"] = "DEF".into();
    let bad = GeneralJwe::from_json(&json.to_string()).unwrap();
    assert_jwe_invalid(
        general_decrypt(&bad, &kek, &allowed),
        "general, zip in the recipient header",
    );
}

// ------------------------------------------------------------ crit

#[test]
fn crit_with_an_unknown_name_is_refused_unless_understood() {
    let key = generate_secret(JweAlg::A128KW).unwrap();
    let header = JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM)
        .insert("crit", json!(["urn:example:ext"]))
        .unwrap()
        .insert("urn:example:ext", 42)
        .unwrap();
    let token = CompactEncrypt::new(PLAINTEXT)
        .protected_header(header)
        .encrypt(&key)
        .unwrap();
    let result = compact_decrypt(&token, &key, &JweDecryptOptions::new());
    assert!(matches!(result, Err(Error::NotSupported(_))), "{result:?}");
    let other = JweDecryptOptions::new().understands("urn:example:other");
    assert!(matches!(
        compact_decrypt(&token, &key, &other),
        Err(Error::NotSupported(_))
    ));
    let understood = JweDecryptOptions::new().understands("urn:example:ext");
    assert_eq!(compact_decrypt(&token, &key, &understood).unwrap().plaintext, PLAINTEXT);

    // crit naming a parameter the header lacks.
    let absent = edit_header(&token, |h| {
        h.remove("urn:example:ext");
    });
    assert_jwe_invalid(
        compact_decrypt(&absent, &key, &understood),
        "crit names an absent parameter",
    );
    // crit naming registered parameters, even declared understood and
    // present (a PBES2 header carries p2s and p2c).
    let pbes2 = pbes2_token(JweAlg::PBES2_HS256_A128KW, PASSWORD, 1000);
    for name in ["alg", "enc", "zip", "epk", "p2s", "p2c", "iv", "tag", "kid"] {
        let registered = edit_header(&pbes2, |h| {
            h.insert("crit".into(), json!([name]));
            h.entry("kid").or_insert("k".into());
        });
        let options = pbes2_options(JweAlg::PBES2_HS256_A128KW).understands(name);
        assert_jwe_invalid(
            compact_decrypt(
                &registered,
                &Key::from_secret(PASSWORD).expect("a non-empty secret"),
                &options,
            ),
            &format!("crit lists {name:?}"),
        );
    }
    // crit must be a non-empty array of strings.
    for bad in [json!([]), json!("urn:example:ext"), json!([1])] {
        let malformed = edit_header(&token, |h| {
            h.insert("crit".into(), bad.clone());
        });
        assert_jwe_invalid(compact_decrypt(&malformed, &key, &understood), &format!("crit = {bad}"));
    }
    // crit must be integrity protected.
    let jwe = FlattenedEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM))
        .encrypt(&key)
        .unwrap();
    let unprotected = edit_flattened(&jwe, |m| {
        m.insert(
            "unprotected".into(),
            json!({"crit": ["urn:example:ext"], "urn:example:ext": 1}),
        );
    });
    assert_jwe_invalid(
        flattened_decrypt(&unprotected, &key, &understood),
        "crit in the unprotected header",
    );
}

// ------------------------------------------------------------ structure

#[test]
fn truncated_tokens_and_empty_parts_are_jwe_invalid() {
    let key = generate_secret(JweAlg::A128KW).unwrap();
    let token = compact(JweAlg::A128KW, JweEnc::A128GCM, &key);
    let parts: Vec<&str> = token.split('.').collect();
    let join = |parts: &[&str]| parts.join(".");
    let mut bad = vec![
        ("empty", String::new()),
        ("one part", parts[0].to_owned()),
        ("three parts (a JWS)", join(&parts[..3])),
        ("four parts", join(&parts[..4])),
        ("six parts", format!("{token}.{}", parts[4])),
        ("six parts, last empty", format!("{token}.")),
        ("five empty parts", "....".to_owned()),
        ("whitespace", format!(" {token}")),
    ];
    for (index, name) in [(0, "protected header"), (1, "encrypted key"), (2, "IV"), (4, "tag")] {
        let mut emptied = parts.clone();
        emptied[index] = "";
        bad.push((name, join(&emptied)));
    }
    for (index, name) in [
        (0, "protected"),
        (1, "encrypted key"),
        (2, "IV"),
        (3, "ciphertext"),
        (4, "tag"),
    ] {
        for junk in ["*", "=", "AB==", "+/"] {
            let mut broken = parts.clone();
            let spoiled = format!("{}{junk}", parts[index]);
            broken[index] = &spoiled;
            bad.push((name, join(&broken)));
        }
    }
    for (what, token) in bad {
        assert_jwe_invalid(compact_decrypt(&token, &key, &JweDecryptOptions::new()), what);
    }
    // Protected headers that are not JSON objects.
    for text in [
        "",
        "[]",
        "null",
        "\"alg\"",
        "{",
        "{\"alg\":\"A128KW\",\"enc\":\"A128GCM\"} {}",
    ] {
        assert_jwe_invalid(
            compact_decrypt(&with_header_text(&token, text), &key, &JweDecryptOptions::new()),
            &format!("header {text:?}"),
        );
    }
    // The same in the JSON serializations.
    for json in [
        "",
        "{}",
        "[]",
        r#"{"iv":"AAAA","ciphertext":"AAAA"}"#,
        r#"{"iv":1,"ciphertext":"AAAA","tag":"AAAA"}"#,
        r#"{"protected":{},"iv":"AAAA","ciphertext":"AAAA","tag":"AAAA"}"#,
    ] {
        assert_jwe_invalid(FlattenedJwe::from_json(json), json);
    }
    let empty_recipients =
        GeneralJwe::from_json(r#"{"recipients":[],"iv":"AAAA","ciphertext":"AAAA","tag":"AAAA"}"#).expect("parses");
    assert_jwe_invalid(
        general_decrypt(&empty_recipients, &key, &JweDecryptOptions::new()),
        "no recipients",
    );
}

#[test]
fn duplicate_header_members_are_jwe_invalid() {
    let key = generate_secret(JweAlg::A128KW).unwrap();
    let token = compact(JweAlg::A128KW, JweEnc::A128GCM, &key);
    for text in [
        r#"{"alg":"A128KW","enc":"A128GCM","enc":"A256GCM"}"#,
        r#"{"alg":"A128KW","alg":"A128KW","enc":"A128GCM"}"#,
        r#"{"alg":"A128KW","enc":"A128GCM","kid":"a","kid":"a"}"#,
    ] {
        assert_jwe_invalid(
            compact_decrypt(&with_header_text(&token, text), &key, &JweDecryptOptions::new()),
            text,
        );
    }
    // In the JSON serializations' unprotected headers too: a parser that
    // keeps the last duplicate and one that keeps the first must not see
    // two different JWEs.
    let jwe = FlattenedEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::default().insert("enc", "A128GCM").unwrap())
        .shared_unprotected_header(JweHeader::default().kid("a"))
        .unprotected_header(JweHeader::default().insert("alg", "A128KW").unwrap())
        .encrypt(&key)
        .unwrap();
    let json = jwe.to_json();
    assert!(json.contains(r#""kid":"a""#) && json.contains(r#""alg":"A128KW""#));
    for bad in [
        json.replace(r#""kid":"a""#, r#""kid":"a","kid":"b""#),
        json.replace(r#""alg":"A128KW""#, r#""alg":"A256KW","alg":"A128KW""#),
        json.replacen('{', &format!(r#"{{"iv":"{}","#, jwe.iv), 1),
    ] {
        let result =
            FlattenedJwe::from_json(&bad).and_then(|jwe| flattened_decrypt(&jwe, &key, &JweDecryptOptions::new()));
        assert_jwe_invalid(result, &bad);
    }
    let general = GeneralEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::default().insert("enc", "A128GCM").unwrap())
        .add_recipient(&key, JweHeader::default().insert("alg", "A128KW").unwrap())
        .encrypt()
        .unwrap();
    let bad = general
        .to_json()
        .replace(r#""alg":"A128KW""#, r#""alg":"A128KW","alg":"A128KW""#);
    let result = GeneralJwe::from_json(&bad).and_then(|jwe| general_decrypt(&jwe, &key, &JweDecryptOptions::new()));
    assert_jwe_invalid(result, &bad);
}

#[test]
fn a_parameter_in_two_headers_is_jwe_invalid() {
    let key = generate_secret(JweAlg::A128KW).unwrap();
    // The sender refuses it.
    let result = FlattenedEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM).kid("p"))
        .shared_unprotected_header(JweHeader::default().kid("s"))
        .encrypt(&key);
    assert_jwe_invalid(result, "encrypting with kid twice");
    // The recipient too, for every pair of headers.
    let jwe = FlattenedEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM).kid("p"))
        .encrypt(&key)
        .unwrap();
    for (member, header) in [
        ("unprotected", json!({"kid": "p"})),
        ("header", json!({"kid": "other"})),
        ("unprotected", json!({"alg": "A128KW"})),
        ("header", json!({"enc": "A128GCM"})),
    ] {
        let bad = edit_flattened(&jwe, |m| {
            m.insert(member.into(), header.clone());
        });
        assert_jwe_invalid(
            flattened_decrypt(&bad, &key, &JweDecryptOptions::new()),
            &format!("{member} {header}"),
        );
    }
    let unprotected_only = FlattenedEncrypt::new(PLAINTEXT)
        .shared_unprotected_header(JweHeader::default().insert("enc", "A128GCM").unwrap())
        .unprotected_header(JweHeader::default().insert("alg", "A128KW").unwrap())
        .encrypt(&key)
        .unwrap();
    let bad = edit_flattened(&unprotected_only, |m| {
        m.insert("header".into(), json!({"alg": "A128KW", "x": 1}));
        m["unprotected"]["x"] = 2.into();
    });
    assert_jwe_invalid(
        flattened_decrypt(&bad, &key, &JweDecryptOptions::new()),
        "shared and recipient",
    );
    // In a general JWE, the error survives the loop over recipients.
    let general = GeneralEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM))
        .add_recipient(&key, JweHeader::default())
        .encrypt()
        .unwrap();
    let mut json: Value = serde_json::from_str(&general.to_json()).unwrap();
    json["recipients"][0]["header"] = json!({"alg": "A128KW"});
    let bad = GeneralJwe::from_json(&json.to_string()).unwrap();
    assert_jwe_invalid(general_decrypt(&bad, &key, &JweDecryptOptions::new()), "general");
}

// ------------------------------------------------------------ key binding

#[test]
fn a_jws_only_key_cannot_be_used_for_jwe() {
    let hs256 = generate_secret(Alg::HS256).unwrap();
    assert_eq!(hs256.alg(), Some(rjose::Algorithm::Jws(Alg::HS256)));
    assert_eq!(hs256.bits(), 256);
    // The length fits A256KW and A128CBC-HS256; the binding does not.
    for (alg, enc) in [
        (JweAlg::A256KW, JweEnc::A256GCM),
        (JweAlg::Dir, JweEnc::A128CBC_HS256),
        (JweAlg::A256GCMKW, JweEnc::A128GCM),
    ] {
        assert!(!hs256.supports_jwe(alg, enc));
        assert_key_use(
            CompactEncrypt::new(PLAINTEXT)
                .protected_header(JweHeader::new(alg, enc))
                .encrypt(&hs256),
            &format!("encrypting {alg} with an HS256 key"),
        );
        // The same bytes, unbound, make a token the bound key must not open.
        let same_bytes = unbind(&hs256);
        let token = compact(alg, enc, &same_bytes);
        assert_key_use(
            compact_decrypt(&token, &hs256, &JweDecryptOptions::new()),
            &format!("decrypting {alg}"),
        );
        // Nor is it selected from a set.
        let set = LocalJwkSet::new([hs256.clone()]);
        assert!(matches!(
            compact_decrypt(&token, &set, &JweDecryptOptions::new()),
            Err(Error::JwksNoMatchingKey)
        ));
    }
    // A key bound to one JWE algorithm does not serve another of the same length.
    let a128kw = generate_secret(JweAlg::A128KW).unwrap();
    let token = compact(JweAlg::A128GCMKW, JweEnc::A128GCM, &unbind(&a128kw));
    assert_key_use(
        compact_decrypt(&token, &a128kw, &JweDecryptOptions::new()),
        "A128KW key for A128GCMKW",
    );
    let oaep256 = rsa();
    let token = compact(JweAlg::RSA_OAEP, JweEnc::A128GCM, &unbind(&oaep256.public_key));
    assert_key_use(
        compact_decrypt(&token, &oaep256.private_key, &JweDecryptOptions::new()),
        "RSA-OAEP-256 key for RSA-OAEP",
    );
}

#[test]
fn a_key_with_use_sig_cannot_decrypt() {
    let kek = generate_secret(JweAlg::A256KW).unwrap();
    let token = compact(JweAlg::A256KW, JweEnc::A256GCM, &kek);
    let sig = kek.with_use("sig");
    assert_key_use(
        compact_decrypt(&token, &sig, &JweDecryptOptions::new()),
        "A256KW use sig",
    );
    assert_key_use(
        CompactEncrypt::new(PLAINTEXT)
            .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM))
            .encrypt(&sig),
        "encrypting with use sig",
    );
    assert_eq!(
        compact_decrypt(&token, &kek.with_use("enc"), &JweDecryptOptions::new())
            .unwrap()
            .plaintext,
        PLAINTEXT
    );

    let pair = ecdh_pair(Curve::P256);
    let token = compact(JweAlg::ECDH_ES_A128KW, JweEnc::A128GCM, &pair.public_key);
    assert_key_use(
        compact_decrypt(&token, &pair.private_key.with_use("sig"), &JweDecryptOptions::new()),
        "ECDH use sig",
    );
    let token = compact(JweAlg::RSA_OAEP_256, JweEnc::A128GCM, &rsa().public_key);
    assert_key_use(
        compact_decrypt(&token, &rsa().private_key.with_use("sig"), &JweDecryptOptions::new()),
        "RSA use sig",
    );
    // A set skips it.
    let set = LocalJwkSet::new([rsa().private_key.with_use("sig")]);
    assert!(matches!(
        compact_decrypt(&token, &set, &JweDecryptOptions::new()),
        Err(Error::JwksNoMatchingKey)
    ));
}

#[test]
fn a_public_key_cannot_decrypt() {
    let rsa = rsa();
    let token = compact(JweAlg::RSA_OAEP_256, JweEnc::A128GCM, &rsa.public_key);
    assert_key_use(
        compact_decrypt(&token, &rsa.public_key, &JweDecryptOptions::new()),
        "RSA public key",
    );
    for crv in [Curve::P256, Curve::P384, Curve::P521, Curve::X25519] {
        let pair = ecdh_pair(crv);
        let token = compact(JweAlg::ECDH_ES_A128KW, JweEnc::A128GCM, &pair.public_key);
        assert_key_use(
            compact_decrypt(&token, &pair.public_key, &JweDecryptOptions::new()),
            crv.name(),
        );
    }
    // RSA1_5: a public key is refused as such, not turned into a random CEK.
    let (key, token, _) = rsa1_5_vector();
    let allowed = JweDecryptOptions::new().key_management_algorithms([JweAlg::RSA1_5]);
    assert_key_use(
        compact_decrypt(&token, &key.public_key().unwrap(), &allowed),
        "RSA1_5 public key",
    );
}

#[test]
fn epk_with_a_repeated_member_is_invalid() {
    let pair = ecdh_pair(Curve::P256);
    let token = ecdh_token(JweAlg::ECDH_ES_A128KW, &pair.public_key);
    let header = String::from_utf8(unb64(token.split('.').next().expect("header"))).expect("UTF-8");
    // The sender's own epk, with a second "x" in front of its own.
    let doubled = header.replacen(r#""x":"#, &format!(r#""x":"{}","x":"#, b64(&[0x42; 32])), 1);
    assert_ne!(doubled, header);
    let result = compact_decrypt(
        &with_header_text(&token, &doubled),
        &pair.private_key,
        &JweDecryptOptions::new(),
    );
    match result {
        Err(e @ Error::JweInvalid(_)) => {
            assert!(e.to_string().contains(r#""epk" has the member "x" twice"#), "{e}")
        }
        other => panic!("expected JweInvalid, got {:?}", other.map(drop)),
    }
    // Unchanged, the same header decrypts.
    assert!(compact_decrypt(&token, &pair.private_key, &JweDecryptOptions::new()).is_ok());
}

// ------------------------------------------------------------ general JWE fan-out

/// A general JWE with one A128KW recipient per key.
fn general_for(keys: &[Key]) -> GeneralJwe {
    keys.iter()
        .fold(
            GeneralEncrypt::new(PLAINTEXT).protected_header(JweHeader::default().enc(JweEnc::A128GCM)),
            |jwe, key| jwe.add_recipient(key, JweHeader::default().alg(JweAlg::A128KW)),
        )
        .encrypt()
        .expect("encrypt")
}

#[track_caller]
fn assert_jwe_invalid_saying<T: std::fmt::Debug>(result: rjose::Result<T>, fragment: &str, what: &str) {
    match result {
        Err(e @ Error::JweInvalid(_)) => {
            assert_eq!(e.code(), "ERR_JWE_INVALID", "{what}");
            assert!(
                e.to_string().contains(fragment),
                "{what}: {e} does not say {fragment:?}"
            );
        }
        other => panic!("{what}: expected JweInvalid saying {fragment:?}, got {other:?}"),
    }
}

#[test]
fn general_jwe_over_the_recipient_limit_is_refused_before_any_key_is_tried() {
    let limit = rjose::jwe::DEFAULT_MAX_RECIPIENTS;
    let kek = Key::from_secret([0x42u8; 16]).expect("a non-empty secret");
    let jwe = general_for(&vec![kek.clone(); limit + 1]);
    let looked_up = std::cell::Cell::new(0);
    let counting = |_: &JweHeader| {
        looked_up.set(looked_up.get() + 1);
        Ok(kek.clone())
    };
    assert_jwe_invalid_saying(
        general_decrypt(&jwe, &counting, &JweDecryptOptions::new()),
        &format!("the JWE has 17 recipients, more than the limit of {limit}"),
        "17 recipients",
    );
    assert_eq!(looked_up.get(), 0, "a key was looked up for a JWE over the limit");
    assert_jwe_invalid_saying(
        general_decrypt(&jwe, &kek, &JweDecryptOptions::new()),
        "JweDecryptOptions::max_recipients",
        "the message says how to raise it",
    );
}

#[test]
fn recipient_limit_is_configurable() {
    let kek = Key::from_secret([0x42u8; 16]).expect("a non-empty secret");
    let at_limit = general_for(&vec![kek.clone(); rjose::jwe::DEFAULT_MAX_RECIPIENTS]);
    let decrypted = general_decrypt(&at_limit, &kek, &JweDecryptOptions::new()).expect("16 recipients");
    assert_eq!(decrypted.plaintext, PLAINTEXT);
    let many = general_for(&vec![kek.clone(); 40]);
    let raised = JweDecryptOptions::new().max_recipients(40);
    assert_eq!(
        general_decrypt(&many, &kek, &raised).expect("raised").plaintext,
        PLAINTEXT
    );
    let lowered = JweDecryptOptions::new().max_recipients(1);
    assert_jwe_invalid_saying(
        general_decrypt(&general_for(&[kek.clone(), kek.clone()]), &kek, &lowered),
        "the JWE has 2 recipients, more than the limit of 1",
        "lowered limit",
    );
}

/// A general JWE with one PBES2 recipient per password, each with `p2c`.
fn pbes2_general(alg: JweAlg, passwords: &[&[u8]], p2c: u64) -> GeneralJwe {
    let keys: Vec<Key> = passwords
        .iter()
        .map(|p| Key::from_secret(*p).expect("a non-empty secret"))
        .collect();
    keys.iter()
        .fold(
            GeneralEncrypt::new(PLAINTEXT).protected_header(JweHeader::default().enc(JweEnc::A128GCM)),
            |jwe, key| {
                jwe.add_recipient_with(
                    key,
                    JweHeader::default().alg(alg),
                    KeyManagementParameters::new().p2c(p2c),
                )
            },
        )
        .encrypt()
        .expect("PBES2 encrypt")
}

#[test]
fn pbes2_recipients_share_one_iteration_budget() {
    let alg = JweAlg::PBES2_HS256_A128KW;
    let passwords: [&[u8]; 3] = [b"first password", b"second password", PASSWORD];
    let jwe = pbes2_general(alg, &passwords, 10_000);
    let password = Key::from_secret(PASSWORD).expect("a non-empty secret");
    let looked_up = std::cell::Cell::new(0);
    let counting = |_: &JweHeader| {
        looked_up.set(looked_up.get() + 1);
        Ok(password.clone())
    };
    // Each recipient is within the per-recipient cap; the three together
    // are three times the budget, refused before any key derivation.
    assert_jwe_invalid_saying(
        general_decrypt(&jwe, &counting, &pbes2_options(alg)),
        "the JWE needs more than 10000 PBES2 iterations in all; raise the limit with \
         JweDecryptOptions::max_pbes2_count",
        "3 x 10,000 iterations",
    );
    assert_eq!(looked_up.get(), 0, "a key was looked up for a JWE over the budget");
    // Whichever recipient the password opens.
    for first in [PASSWORD, b"other".as_slice()] {
        let jwe = pbes2_general(alg, &[first, b"second password", b"third password"], 10_000);
        assert_jwe_invalid_saying(
            general_decrypt(&jwe, &password, &pbes2_options(alg)),
            "PBES2 iterations in all",
            "the password opens the first recipient",
        );
    }
    // A budget large enough for all three decrypts, and so do three small
    // recipients within the default budget.
    let raised = pbes2_options(alg).max_pbes2_count(30_000);
    assert_eq!(
        general_decrypt(&jwe, &password, &raised).expect("raised").plaintext,
        PLAINTEXT
    );
    let small = pbes2_general(alg, &passwords, 3_000);
    assert_eq!(
        general_decrypt(&small, &password, &pbes2_options(alg))
            .expect("9,000 in all")
            .plaintext,
        PLAINTEXT
    );
}

#[test]
fn pbes2_budget_counts_every_key_tried() {
    let alg = JweAlg::PBES2_HS256_A128KW;
    let token = pbes2_token(alg, PASSWORD, 6_000);
    // Without a kid both passwords match; the wrong one is tried first.
    let set = LocalJwkSet::new([
        Key::from_secret(b"wrong password".as_slice()).expect("a non-empty secret"),
        Key::from_secret(PASSWORD).expect("a non-empty secret"),
    ])
    .allow_symmetric(true)
    .try_all_matching(true);
    assert_jwe_invalid_saying(
        compact_decrypt(&token, &set, &pbes2_options(alg)),
        "the JWE needs more than 10000 PBES2 iterations in all",
        "two keys of 6,000 iterations each",
    );
    let raised = pbes2_options(alg).max_pbes2_count(12_000);
    assert_eq!(
        compact_decrypt(&token, &set, &raised).expect("raised").plaintext,
        PLAINTEXT
    );
}
