//! Keys only where they belong (issue #10, defects 4 to 6): `use` and
//! `key_ops` enforced for every operation whatever the key source, no
//! symmetric key from a set without asking, weak RSA keys refused at
//! import, and key sets that refuse to guess.

mod common;

use common::{RSA_DECRYPTS, assert_rsa_decryption_refused, ec, rsa, unbound_pair};
use rjose::jwe::{CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, compact_decrypt};
use rjose::jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify};
use rjose::{Alg, Error, Key, KeyPairOptions, LocalJwkSet, generate_key_pair, generate_secret};

const PAYLOAD: &[u8] = b"payload";

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `key` with the JWK `key_ops` member set, as an imported JWK would have it.
fn with_ops(key: &Key, ops: &[&str]) -> Key {
    let mut jwk = key.to_jwk().expect("export");
    jwk.key_ops = Some(ops.iter().map(|op| (*op).to_owned()).collect());
    Key::from_jwk(&jwk).expect("import")
}

fn sign(alg: Alg, kid: Option<&str>, key: &Key) -> String {
    let mut header = JwsHeader::new(alg);
    if let Some(kid) = kid {
        header = header.kid(kid);
    }
    CompactSign::new(PAYLOAD)
        .protected_header(header)
        .sign(key)
        .expect("signing")
}

fn verify_options(alg: Alg) -> JwsVerifyOptions {
    JwsVerifyOptions::new().algorithms([alg])
}

fn encrypt(alg: JweAlg, enc: JweEnc, kid: Option<&str>, key: &Key) -> rjose::Result<String> {
    let mut header = JweHeader::new(alg, enc);
    header.kid = kid.map(str::to_owned);
    CompactEncrypt::new(PAYLOAD).protected_header(header).encrypt(key)
}

fn decrypt_options(alg: JweAlg) -> JweDecryptOptions {
    JweDecryptOptions::new().key_management_algorithms([alg])
}

#[track_caller]
fn assert_key_use<T: std::fmt::Debug>(result: rjose::Result<T>, mentions: &str) {
    match result {
        Err(Error::InvalidKeyUse(message)) => assert!(message.contains(mentions), "{message:?} lacks {mentions:?}"),
        other => panic!("expected ERR_JOSE_INVALID_KEY_USE mentioning {mentions:?}, got {other:?}"),
    }
}

// ------------------------------------------------------------ defect 5: key_ops and use on a key passed directly

#[test]
fn key_with_key_ops_encrypt_cannot_verify_rs256_when_passed_directly() {
    let token = sign(Alg::RS256, None, &rsa().private_key);
    let encrypt_only = with_ops(&rsa().public_key, &["encrypt"]);
    assert_key_use(
        compact_verify(&token, &encrypt_only, &verify_options(Alg::RS256)),
        "\"verify\"",
    );
    let verify_only = with_ops(&rsa().public_key, &["verify"]);
    assert_eq!(
        compact_verify(&token, &verify_only, &verify_options(Alg::RS256))
            .expect("verifies")
            .payload,
        PAYLOAD
    );
}

#[test]
fn secret_with_key_ops_decrypt_cannot_verify_hs256_when_passed_directly() {
    let secret = generate_secret(Alg::HS256).expect("secret");
    let token = sign(Alg::HS256, None, &secret);
    assert_key_use(
        compact_verify(&token, &with_ops(&secret, &["decrypt"]), &verify_options(Alg::HS256)),
        "\"key_ops\"",
    );
}

#[test]
fn key_with_key_ops_verify_cannot_sign() {
    let verify_only = with_ops(&ec().private_key, &["verify"]);
    let header = JwsHeader::new(Alg::ES256);
    assert_key_use(
        CompactSign::new(PAYLOAD)
            .protected_header(header.clone())
            .sign(&verify_only),
        "\"sign\"",
    );
    let sign_only = with_ops(&ec().private_key, &["sign"]);
    let token = CompactSign::new(PAYLOAD)
        .protected_header(header)
        .sign(&sign_only)
        .expect("signs");
    assert_key_use(
        compact_verify(&token, &sign_only, &verify_options(Alg::ES256)),
        "\"verify\"",
    );
}

#[test]
fn key_with_use_enc_cannot_verify_when_passed_directly() {
    let token = sign(Alg::ES256, None, &ec().private_key);
    assert_key_use(
        compact_verify(&token, &ec().public_key.with_use("enc"), &verify_options(Alg::ES256)),
        "\"use\"",
    );
}

#[test]
fn aes_key_wrap_needs_wrap_key_to_encrypt_and_unwrap_key_to_decrypt() {
    let kek = generate_secret(JweAlg::A128KW).expect("kek");
    let token = encrypt(JweAlg::A128KW, JweEnc::A128GCM, None, &with_ops(&kek, &["wrapKey"])).expect("wraps");
    assert_key_use(
        compact_decrypt(&token, &with_ops(&kek, &["wrapKey"]), &decrypt_options(JweAlg::A128KW)),
        "\"unwrapKey\"",
    );
    // "decrypt" names content decryption, not unwrapping a key.
    assert_key_use(
        compact_decrypt(&token, &with_ops(&kek, &["decrypt"]), &decrypt_options(JweAlg::A128KW)),
        "\"unwrapKey\"",
    );
    compact_decrypt(
        &token,
        &with_ops(&kek, &["unwrapKey"]),
        &decrypt_options(JweAlg::A128KW),
    )
    .expect("unwraps");
    assert_key_use(
        encrypt(JweAlg::A128KW, JweEnc::A128GCM, None, &with_ops(&kek, &["encrypt"])),
        "\"wrapKey\"",
    );
}

#[test]
fn direct_encryption_needs_encrypt_and_decrypt() {
    let cek = generate_secret(JweEnc::A128GCM).expect("cek");
    assert_key_use(
        encrypt(JweAlg::Dir, JweEnc::A128GCM, None, &with_ops(&cek, &["wrapKey"])),
        "\"encrypt\"",
    );
    let token = encrypt(JweAlg::Dir, JweEnc::A128GCM, None, &with_ops(&cek, &["encrypt"])).expect("encrypts");
    assert_key_use(
        compact_decrypt(&token, &with_ops(&cek, &["encrypt"]), &decrypt_options(JweAlg::Dir)),
        "\"decrypt\"",
    );
    compact_decrypt(&token, &with_ops(&cek, &["decrypt"]), &decrypt_options(JweAlg::Dir)).expect("decrypts");
}

#[test]
fn rsa_oaep_accepts_wrap_key_or_encrypt_and_refuses_signature_operations() {
    let alg = JweAlg::RSA_OAEP_256;
    let oaep = unbound_pair(rsa().clone());
    for ops in [&["wrapKey"][..], &["encrypt"]] {
        encrypt(alg, JweEnc::A128GCM, None, &with_ops(&oaep.public_key, ops)).expect("RSA-OAEP encrypts");
    }
    assert_key_use(
        encrypt(alg, JweEnc::A128GCM, None, &with_ops(&oaep.public_key, &["verify"])),
        "\"wrapKey\" or \"encrypt\"",
    );
    let token = encrypt(alg, JweEnc::A128GCM, None, &oaep.public_key).expect("encrypts");
    for ops in [&["unwrapKey"][..], &["decrypt"]] {
        let decrypted = compact_decrypt(&token, &with_ops(&oaep.private_key, ops), &decrypt_options(alg));
        // The key passes its checks either way; the pure-Rust provider then
        // refuses RSA decryption itself.
        if RSA_DECRYPTS {
            decrypted.expect("decrypts");
        } else {
            assert_rsa_decryption_refused(decrypted);
        }
    }
    assert_key_use(
        compact_decrypt(&token, &with_ops(&oaep.private_key, &["sign"]), &decrypt_options(alg)),
        "\"unwrapKey\" or \"decrypt\"",
    );
}

#[test]
fn ecdh_es_needs_a_derive_operation() {
    let pair = generate_key_pair(JweAlg::ECDH_ES, KeyPairOptions::default()).expect("pair");
    let token = encrypt(JweAlg::ECDH_ES, JweEnc::A128GCM, None, &pair.public_key).expect("encrypts");
    let options = decrypt_options(JweAlg::ECDH_ES);
    compact_decrypt(&token, &with_ops(&pair.private_key, &["deriveBits"]), &options).expect("derives");
    assert_key_use(
        compact_decrypt(&token, &with_ops(&pair.private_key, &["unwrapKey"]), &options),
        "\"deriveKey\" or \"deriveBits\"",
    );
    assert_key_use(
        encrypt(
            JweAlg::ECDH_ES,
            JweEnc::A128GCM,
            None,
            &with_ops(&pair.public_key, &["encrypt"]),
        ),
        "\"deriveKey\" or \"deriveBits\"",
    );
}

#[test]
fn jwk_whose_use_and_key_ops_disagree_is_invalid() {
    let mut jwk = ec().public_key.to_jwk().expect("export");
    jwk.key_use = Some("sig".into());
    jwk.key_ops = Some(vec!["verify".into(), "encrypt".into()]);
    let refused = Key::from_jwk(&jwk).map(drop);
    assert!(
        matches!(&refused, Err(Error::JwkInvalid(m)) if m.contains("disagree")),
        "{refused:?}"
    );
    jwk.key_ops = Some(vec!["verify".into()]);
    Key::from_jwk(&jwk).expect("consistent use and key_ops");
}

// ------------------------------------------------------------ selection by use and key_ops

#[test]
fn jws_selection_from_a_set_skips_keys_whose_use_or_key_ops_exclude_verify() {
    let token = sign(Alg::RS256, None, &rsa().private_key);
    let set = LocalJwkSet::new([
        with_ops(&rsa().public_key, &["encrypt"]),
        rsa().public_key.with_use("enc"),
        with_ops(&rsa().public_key, &["verify"]),
    ]);
    compact_verify(&token, &set, &verify_options(Alg::RS256)).expect("the one verification key");
    let none = LocalJwkSet::new([
        with_ops(&rsa().public_key, &["encrypt"]),
        rsa().public_key.with_use("enc"),
    ]);
    assert!(matches!(
        compact_verify(&token, &none, &verify_options(Alg::RS256)).map(drop),
        Err(Error::JwksNoMatchingKey)
    ));
}

#[test]
fn jwe_selection_from_a_set_takes_the_key_whose_key_ops_allow_that_decryption() {
    let alg = JweAlg::RSA_OAEP_256;
    let oaep = unbound_pair(rsa().clone());
    let token = encrypt(alg, JweEnc::A128GCM, None, &oaep.public_key).expect("encrypts");
    let set = LocalJwkSet::new([
        with_ops(&oaep.private_key, &["sign"]),
        oaep.private_key.with_use("sig"),
        with_ops(&oaep.private_key, &["unwrapKey"]),
    ]);
    let decrypted = compact_decrypt(&token, &set, &decrypt_options(alg));
    // The set picks the one key (it would be JwksNoMatchingKey or
    // JwksMultipleMatchingKeys otherwise); the pure-Rust provider then
    // refuses RSA decryption itself.
    if RSA_DECRYPTS {
        decrypted.expect("the one decryption key");
    } else {
        assert_rsa_decryption_refused(decrypted);
    }

    let kek = generate_secret(JweAlg::A128KW).expect("kek");
    let token = encrypt(JweAlg::A128KW, JweEnc::A128GCM, None, &kek).expect("wraps");
    let wrap_only =
        LocalJwkSet::new([with_ops(&kek, &["wrapKey"]), with_ops(&kek, &["decrypt"])]).allow_symmetric(true);
    assert!(matches!(
        compact_decrypt(&token, &wrap_only, &decrypt_options(JweAlg::A128KW)).map(drop),
        Err(Error::JwksNoMatchingKey)
    ));
}

// ------------------------------------------------------------ defect 4: symmetric keys from a set

#[test]
fn local_set_yields_a_symmetric_key_only_when_allowed() {
    let secret = generate_secret(Alg::HS256).expect("secret").with_kid("hmac");
    let document = format!(r#"{{"keys":[{}]}}"#, secret.to_jwk().expect("export").to_json());
    let token = sign(Alg::HS256, Some("hmac"), &secret);
    let set = LocalJwkSet::from_json(&document).expect("a set");
    assert_key_use(
        compact_verify(&token, &set, &verify_options(Alg::HS256)),
        "LocalJwkSet::allow_symmetric",
    );
    assert_key_use(
        compact_verify(&token, &set, &JwsVerifyOptions::new()),
        "LocalJwkSet::allow_symmetric",
    );
    let mine = set.allow_symmetric(true);
    assert_eq!(
        compact_verify(&token, &mine, &verify_options(Alg::HS256))
            .expect("allowed")
            .payload,
        PAYLOAD
    );
}

#[test]
fn public_view_of_a_set_drops_secrets_even_when_symmetric_keys_are_allowed() {
    let secret = generate_secret(Alg::HS256).expect("secret");
    let token = sign(Alg::HS256, None, &secret);
    let set = LocalJwkSet::new([secret]).into_public().allow_symmetric(true);
    assert_eq!((set.keys().len(), set.skipped()), (0, 1));
    assert!(matches!(
        compact_verify(&token, &set, &verify_options(Alg::HS256)).map(drop),
        Err(Error::JwksNoMatchingKey)
    ));
}

// ------------------------------------------------------------ defect 6: ambiguous sets

#[test]
fn kid_shared_by_two_usable_keys_is_ambiguous_even_when_the_alg_tells_them_apart() {
    let token = sign(Alg::ES256, Some("k"), &ec().private_key);
    let set = LocalJwkSet::new([rsa().public_key.with_kid("k"), ec().public_key.with_kid("k")]);
    assert!(matches!(
        compact_verify(&token, &set, &verify_options(Alg::ES256)).map(drop),
        Err(Error::JwksMultipleMatchingKeys)
    ));
    // Asking to try every match accepts the ambiguity.
    compact_verify(&token, &set.try_all_matching(true), &verify_options(Alg::ES256)).expect("tries each");
    // A key that may not verify is no rival.
    let set = LocalJwkSet::new([
        rsa().public_key.with_kid("k").with_use("enc"),
        ec().public_key.with_kid("k"),
    ]);
    compact_verify(&token, &set, &verify_options(Alg::ES256)).expect("one usable key");
}

#[test]
fn token_without_kid_is_refused_by_a_set_mixing_symmetric_and_asymmetric_keys() {
    let secret = generate_secret(Alg::HS256).expect("secret");
    let set = LocalJwkSet::new([secret.clone(), ec().public_key.clone()])
        .allow_symmetric(true)
        .try_all_matching(true);
    for (token, alg) in [
        (sign(Alg::HS256, None, &secret), Alg::HS256),
        (sign(Alg::ES256, None, &ec().private_key), Alg::ES256),
    ] {
        assert!(
            matches!(
                compact_verify(&token, &set, &verify_options(alg)).map(drop),
                Err(Error::JwksMultipleMatchingKeys)
            ),
            "{alg}"
        );
    }
    // With a kid the token names its key.
    let set = LocalJwkSet::new([secret.with_kid("h"), ec().public_key.with_kid("e")]).allow_symmetric(true);
    compact_verify(
        &sign(Alg::ES256, Some("e"), &ec().private_key),
        &set,
        &verify_options(Alg::ES256),
    )
    .expect("named key");
}

// ------------------------------------------------------------ defect 6: weak RSA keys

/// The modulus of a sound 2048-bit key, base64url.
fn sound_modulus() -> String {
    rsa().public_key.to_jwk().expect("export").n.clone().expect("n")
}

#[test]
fn rsa_public_exponent_below_three_or_even_is_refused_at_import() {
    // e = 1, 2, 65538, and 3 and 65537 as the sound ones.
    for (e, refused) in [
        ("AQ", true),
        ("Ag", true),
        ("AQAC", true),
        ("Aw", false),
        ("AQAB", false),
    ] {
        let jwk = format!(r#"{{"kty":"RSA","n":"{}","e":"{e}"}}"#, sound_modulus());
        let result = Key::from_jwk_json(&jwk).map(drop);
        if refused {
            assert!(
                matches!(&result, Err(Error::JwkInvalid(m)) if m.contains("exponent")),
                "e = {e}: {result:?}"
            );
        } else {
            assert!(result.is_ok(), "e = {e}: {result:?}");
        }
    }
}

#[track_caller]
fn assert_roca(result: rjose::Result<Key>) {
    match result {
        Err(error @ Error::JwkInvalid(_)) => {
            assert_eq!(error.code(), "ERR_JWK_INVALID");
            assert!(error.to_string().contains("ROCA"), "{error}");
        }
        other => panic!("expected the ROCA refusal, got {other:?}"),
    }
}

#[test]
fn roca_moduli_are_refused_by_every_import_path() {
    assert_roca(Key::from_jwk_json(&fixture("roca/pubkey03.jwk")));
    assert_roca(Key::from_spki_pem(&fixture("roca/pubkey03.pem")));
    assert_roca(Key::from_pem(&fixture("roca/privkey05.pem")));
    assert_roca(Key::from_x509_pem(&fixture("roca/cert04.pem")));
}

#[test]
fn ordinary_rsa_keys_do_not_have_the_roca_fingerprint() {
    for name in ["rsa2048.spki.pem", "rsa2048.pkcs8.pem", "rsa2048.cert.pem"] {
        Key::from_pem(&fixture(&format!("pem/{name}"))).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    for _ in 0..4 {
        let pair = generate_key_pair(Alg::RS256, KeyPairOptions::default()).expect("a fresh key");
        Key::from_jwk(&pair.public_key.to_jwk().expect("export")).expect("a fresh key imports");
    }
}

// ------------------------------------------------ mismatches, both sides named

/// The refusal of a token whose `alg` the key cannot serve.
#[track_caller]
fn assert_alg_refused<T: std::fmt::Debug>(result: rjose::Result<T>, alg: &str, reason: &str) {
    match result {
        Err(e @ Error::AlgNotAllowed { .. }) => {
            assert_eq!(e.code(), "ERR_JOSE_ALG_NOT_ALLOWED");
            let Error::AlgNotAllowed { alg: got, reason: why } = &e else {
                unreachable!()
            };
            assert_eq!((got.as_str(), why.as_deref()), (alg, Some(reason)));
            assert!(e.to_string().ends_with(reason), "message: {e}");
        }
        other => panic!("expected AlgNotAllowed for {alg}, got {other:?}"),
    }
}

#[test]
fn key_of_another_type_than_the_tokens_alg_is_refused_naming_both_sides() {
    let token = sign(Alg::ES256, None, &ec().private_key);
    let refused = compact_verify(&token, &rsa().public_key, &JwsVerifyOptions::new());
    assert_alg_refused(refused, "ES256", "the key is RSA; the token is ES256");
    // With ES256 allowed, the key is the one at fault.
    match compact_verify(&token, &rsa().public_key, &verify_options(Alg::ES256)) {
        Err(e @ Error::InvalidKeyUse(_)) => {
            assert_eq!(e.to_string(), "key not usable: the key is RSA; the token is ES256");
        }
        other => panic!("expected InvalidKeyUse, got {other:?}"),
    }
}

#[test]
fn key_on_another_curve_than_the_tokens_alg_is_refused_naming_the_curve() {
    let p384 = generate_key_pair(Alg::ES384, KeyPairOptions::default()).expect("pair");
    let token = sign(Alg::ES384, None, &p384.private_key);
    let refused = compact_verify(&token, &ec().public_key, &JwsVerifyOptions::new());
    assert_alg_refused(refused, "ES384", "the key is EC P-256; the token is ES384");
}

#[test]
fn key_restricted_to_another_alg_is_refused_saying_so() {
    let token = sign(Alg::RS256, None, &rsa().private_key);
    let restricted = rsa().public_key.with_alg(Alg::RS512);
    let refused = compact_verify(&token, &restricted, &JwsVerifyOptions::new());
    assert_alg_refused(
        refused,
        "RS256",
        "the key is RSA; the token is RS256 (key is restricted to RS512, not RS256)",
    );
}

#[test]
fn jwe_key_of_another_type_names_both_sides() {
    let aes = generate_secret(JweAlg::A256KW).expect("secret");
    let token = encrypt(JweAlg::A256KW, JweEnc::A256GCM, None, &aes).expect("encrypts");
    let refused = compact_decrypt(&token, &rsa().private_key, &decrypt_options(JweAlg::A256KW));
    assert_key_use(refused, "the key is RSA; the token is A256KW");
}

#[test]
fn password_algorithms_refused_by_default_say_how_to_accept_them() {
    let token = CompactEncrypt::new(PAYLOAD)
        .protected_header(JweHeader::new(JweAlg::PBES2_HS256_A128KW, JweEnc::A128GCM))
        .encrypt(&Key::from_secret(b"a password").expect("a password"))
        .expect("encrypts");
    let refused = compact_decrypt(
        &token,
        &Key::from_secret(b"a password").expect("a password"),
        &JweDecryptOptions::new(),
    );
    assert_alg_refused(
        refused,
        "PBES2-HS256+A128KW",
        "PBES2 and RSA1_5 are accepted only when named in the key management algorithms",
    );
}
