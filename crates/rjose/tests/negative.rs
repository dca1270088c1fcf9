//! Negative tests: forged, tampered, malformed and hostile inputs must be
//! refused with the right error, and never verify or panic.
//!
//! Some tokens here are built by hand (the library refuses to produce
//! them). Those with an HS256 signature are signed by the small HMAC-SHA256
//! below, so that the test reaches the rule it targets rather than failing
//! on the signature first; `hand_hmac_matches_the_library` checks it.

mod common;

use std::fmt::Debug;
use std::sync::OnceLock;

use rjose::jws::{CompactSign, EmbeddedJwk, FlattenedJws, GeneralJws, JwsHeader, JwsVerifyOptions, compact_verify};
use rjose::jwt::{
    SignJwt, UnsecuredJwt, VerifyOptions, decode_jwt_claims_unverified, decode_jwt_unverified, decode_protected_header,
    jwt_verify,
};
use rjose::{Alg, Error, JsonObject, Jwk, Key, KeyPair, KeyPairOptions, LocalJwkSet, generate_key_pair};
use serde_json::{Value, json};

use common::{b64, ec, ed, pair, rsa, unb64};

// ------------------------------------------------------------ helpers

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// HMAC-SHA-256 from RustCrypto's `hmac` (whichever provider the library
/// uses), to sign tokens the library refuses to make.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

const SECRET: [u8; 32] = [0x5a; 32];

fn hs_key() -> Key {
    Key::from_secret(SECRET).expect("a non-empty secret")
}

/// `header.payload.HMAC(header.payload)`, with segments exactly as given.
fn hs256_token(header_segment: &str, payload_segment: &str) -> String {
    let input = format!("{header_segment}.{payload_segment}");
    let tag = hmac_sha256(&SECRET, input.as_bytes());
    format!("{input}.{}", b64(&tag))
}

/// A hand-signed HS256 token from header and payload JSON text.
fn hs256_json(header: &str, payload: &str) -> String {
    hs256_token(&b64(header.as_bytes()), &b64(payload.as_bytes()))
}

fn jws_options() -> JwsVerifyOptions {
    JwsVerifyOptions::new()
}

fn jwt_options() -> VerifyOptions {
    VerifyOptions::new()
}

fn verify_jwt(token: &str, key: &Key) -> rjose::Result<JsonObject> {
    jwt_verify::<JsonObject>(token, key, &jwt_options()).map(|v| v.claims)
}

#[track_caller]
fn assert_jws_invalid<T: Debug>(result: rjose::Result<T>, what: &str) {
    assert!(
        matches!(result, Err(Error::JwsInvalid(_))),
        "{what}: expected JwsInvalid, got {result:?}"
    );
}

/// Both unverified decoders refuse `token` as an invalid JWT.
#[track_caller]
fn assert_unverified_decoders_refuse(token: &str, what: &str) {
    let decoded = decode_jwt_unverified(token);
    assert!(
        matches!(decoded, Err(Error::JwtInvalid(_))),
        "{what}: decode_jwt_unverified: expected JwtInvalid, got {decoded:?}"
    );
    let claims = decode_jwt_claims_unverified::<JsonObject>(token);
    assert!(
        matches!(claims, Err(Error::JwtInvalid(_))),
        "{what}: decode_jwt_claims_unverified: expected JwtInvalid, got {claims:?}"
    );
}

fn rsa_other() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    pair(&SLOT, Alg::RS256)
}

fn ec_other() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    pair(&SLOT, Alg::ES256)
}

fn ed_other() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    pair(&SLOT, Alg::EdDSA)
}

/// (alg, signing key, verifying key) for the four algorithm families.
fn signers() -> Vec<(Alg, Key, Key)> {
    vec![
        (Alg::HS256, hs_key(), hs_key()),
        (Alg::RS256, rsa().private_key.clone(), rsa().public_key.clone()),
        (Alg::ES256, ec().private_key.clone(), ec().public_key.clone()),
        (Alg::EdDSA, ed().private_key.clone(), ed().public_key.clone()),
    ]
}

fn sign_jwt(alg: Alg, key: &Key) -> String {
    SignJwt::default()
        .protected_header(JwsHeader::new(alg).typ("JWT"))
        .subject("alice")
        .claim("role", "admin")
        .sign(key)
        .expect("sign")
}

fn segments(token: &str) -> Vec<String> {
    token.split('.').map(str::to_owned).collect()
}

fn replace_char(segment: &str, index: usize, with: char) -> String {
    let mut chars: Vec<char> = segment.chars().collect();
    chars[index] = with;
    chars.into_iter().collect()
}

/// Another base64url character than `c`.
fn other_char(c: char) -> char {
    if c == 'A' { 'B' } else { 'A' }
}

// ------------------------------------------------- self-check of helpers

#[test]
fn hand_signed_tokens_match_the_library() {
    let token = CompactSign::new(b"payload")
        .protected_header(JwsHeader::new(Alg::HS256))
        .sign(&hs_key())
        .unwrap();
    let parts = segments(&token);
    assert_eq!(hs256_token(&parts[0], &parts[1]), token);
    for len in 0..10 {
        let bytes: Vec<u8> = (0..len).map(|i: u8| i.wrapping_mul(37)).collect();
        assert_eq!(unb64(&b64(&bytes)), bytes);
    }
}

// ----------------------------------------------------------- tampering

/// Every one-character change of segment `which` of a valid token fails.
fn assert_every_flip_fails(which: usize) {
    for (alg, signing, verifying) in signers() {
        let token = sign_jwt(alg, &signing);
        assert!(compact_verify(&token, &verifying, &jws_options()).is_ok());
        let parts = segments(&token);
        let segment = &parts[which];
        for (index, c) in segment.chars().enumerate() {
            let mut tampered = parts.clone();
            tampered[which] = replace_char(segment, index, other_char(c));
            let tampered = tampered.join(".");
            for result in [
                compact_verify(&tampered, &verifying, &jws_options()).map(|_| ()),
                compact_verify(&tampered, &verifying, &JwsVerifyOptions::new().algorithms([alg])).map(|_| ()),
                verify_jwt(&tampered, &verifying).map(|_| ()),
            ] {
                let signature_decodes = || {
                    use base64::Engine as _;
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(segments(&tampered)[2].as_bytes())
                        .is_ok()
                };
                match (which, result) {
                    // The signature is checked before the payload is decoded.
                    (1, Err(Error::JwsSignatureVerificationFailed)) => {}
                    // A signature that is still base64url fails to verify; one
                    // that is not (a changed last character can leave non-zero
                    // trailing bits) is malformed.
                    (2, Err(Error::JwsSignatureVerificationFailed)) if signature_decodes() => {}
                    (2, Err(Error::JwsInvalid(_))) if !signature_decodes() => {}
                    // A changed header may no longer decode or parse, may name
                    // another algorithm (RS256 -> PS256, or an unknown one), or
                    // may still parse and so fail the signature.
                    (
                        0,
                        Err(Error::JwsSignatureVerificationFailed | Error::JwsInvalid(_) | Error::AlgNotAllowed { .. }),
                    ) => {}
                    (_, other) => panic!("{alg}: segment {which} index {index}: {tampered} gave {other:?}"),
                }
            }
        }
    }
}

#[test]
fn tampered_header_never_verifies() {
    assert_every_flip_fails(0);
}

#[test]
fn tampered_payload_never_verifies() {
    assert_every_flip_fails(1);
}

#[test]
fn tampered_signature_never_verifies() {
    assert_every_flip_fails(2);
}

#[test]
fn tampered_payload_claims_fail_signature_check() {
    // A meaningful forgery: same header and signature, the role changed.
    for (alg, signing, verifying) in signers() {
        let parts = segments(&sign_jwt(alg, &signing));
        let forged_payload = b64(br#"{"sub":"alice","role":"root"}"#);
        let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
        assert!(matches!(
            verify_jwt(&forged, &verifying),
            Err(Error::JwsSignatureVerificationFailed)
        ));
    }
}

// ----------------------------------------------------- keys and algs

#[test]
fn wrong_key_fails_signature_verification() {
    let cases = [
        (
            Alg::HS256,
            hs_key(),
            Key::from_secret([0x5bu8; 32]).expect("a non-empty secret"),
        ),
        (Alg::RS256, rsa().private_key.clone(), rsa_other().public_key.clone()),
        (Alg::ES256, ec().private_key.clone(), ec_other().public_key.clone()),
        (Alg::EdDSA, ed().private_key.clone(), ed_other().public_key.clone()),
    ];
    for (alg, signing, wrong) in cases {
        let token = sign_jwt(alg, &signing);
        assert!(
            matches!(
                compact_verify(&token, &wrong, &JwsVerifyOptions::new().algorithms([alg])),
                Err(Error::JwsSignatureVerificationFailed)
            ),
            "{alg}"
        );
        assert!(
            matches!(verify_jwt(&token, &wrong), Err(Error::JwsSignatureVerificationFailed)),
            "{alg}"
        );
    }
}

#[test]
fn alg_not_in_allow_list_is_refused() {
    for (alg, signing, verifying) in signers() {
        let token = sign_jwt(alg, &signing);
        let others: Vec<Alg> = [Alg::HS256, Alg::RS256, Alg::ES256, Alg::EdDSA, Alg::PS256]
            .into_iter()
            .filter(|&a| a != alg)
            .collect();
        match compact_verify(&token, &verifying, &JwsVerifyOptions::new().algorithms(others.clone())) {
            Err(e @ Error::AlgNotAllowed { .. }) => {
                assert_eq!(e.code(), "ERR_JOSE_ALG_NOT_ALLOWED");
                assert!(e.to_string().contains(alg.name()));
            }
            other => panic!("{alg}: {other:?}"),
        }
        assert!(matches!(
            jwt_verify::<JsonObject>(&token, &verifying, &VerifyOptions::new().algorithms(others)),
            Err(Error::AlgNotAllowed { alg: name, .. }) if name == alg.name()
        ));
        // An empty allow-list allows nothing.
        assert!(matches!(
            compact_verify(&token, &verifying, &JwsVerifyOptions::new().algorithms([])),
            Err(Error::AlgNotAllowed { .. })
        ));
    }
}

#[test]
fn key_of_another_family_is_refused() {
    let token = sign_jwt(Alg::ES256, &ec().private_key);
    // Without an allow-list, the key decides: an HMAC secret cannot do ES256.
    assert!(matches!(
        compact_verify(&token, &hs_key(), &jws_options()),
        Err(Error::AlgNotAllowed { .. })
    ));
    // With ES256 allowed, the HMAC secret is still the wrong kind of key.
    assert!(matches!(
        compact_verify(&token, &hs_key(), &JwsVerifyOptions::new().algorithms([Alg::ES256])),
        Err(Error::InvalidKeyUse(_))
    ));
    // An EdDSA key cannot verify ES256 either.
    assert!(matches!(
        compact_verify(&token, &ed().public_key, &jws_options()),
        Err(Error::AlgNotAllowed { .. })
    ));
}

#[test]
fn alg_none_is_rejected_even_without_allow_list() {
    let payload = b64(br#"{"sub":"admin"}"#);
    let mut tokens = vec![];
    for header in [
        r#"{"alg":"none"}"#,
        r#"{"alg":"None"}"#,
        r#"{"alg":"NONE"}"#,
        r#"{"alg":"none","typ":"JWT"}"#,
    ] {
        let header = b64(header.as_bytes());
        tokens.push(format!("{header}.{payload}."));
        // With a signature that is valid for the secret, too.
        let signed = hs256_token(&header, &payload);
        tokens.push(signed);
    }
    tokens.push(UnsecuredJwt::encode(&SignJwt::default().subject("admin")));
    let resolver = |_: &JwsHeader| -> rjose::Result<Key> { Ok(hs_key()) };
    for token in &tokens {
        assert!(
            matches!(
                compact_verify(token, &hs_key(), &jws_options()),
                Err(Error::AlgNotAllowed { .. })
            ),
            "{token}"
        );
        assert!(matches!(
            compact_verify(token, &resolver, &jws_options()),
            Err(Error::AlgNotAllowed { .. })
        ));
        assert!(matches!(verify_jwt(token, &hs_key()), Err(Error::AlgNotAllowed { .. })));
        assert!(matches!(
            jwt_verify::<JsonObject>(token, &LocalJwkSet::new([hs_key()]), &jwt_options()),
            Err(Error::AlgNotAllowed { .. })
        ));
    }
}

fn rsa_public_pem() -> String {
    rsa().public_key.to_spki_pem().expect("SPKI PEM")
}

#[test]
fn hmac_token_keyed_with_rsa_public_pem_does_not_verify() {
    // The classic algorithm-confusion attack: an attacker signs HS256 with
    // the server's public key text as the HMAC secret.
    let pem = rsa_public_pem();
    for secret in [pem.clone(), pem.trim_end().to_owned()] {
        let token = SignJwt::default()
            .protected_header(Alg::HS256)
            .subject("admin")
            .sign(&Key::from_secret(secret.as_bytes()).expect("a non-empty secret"))
            .unwrap();
        let public = Key::from_spki_pem(&pem).expect("import SPKI PEM");
        let from_jwk = Key::from_jwk(&rsa().public_key.to_public_jwk().unwrap()).unwrap();
        for key in [&public, &from_jwk, &rsa().public_key] {
            assert!(matches!(verify_jwt(&token, key), Err(Error::AlgNotAllowed { .. })));
            assert!(matches!(
                jwt_verify::<JsonObject>(&token, key, &VerifyOptions::new().algorithms([Alg::HS256])),
                Err(Error::InvalidKeyUse(_))
            ));
            assert!(matches!(
                jwt_verify::<JsonObject>(&token, key, &VerifyOptions::new().algorithms([Alg::HS256, Alg::RS256])),
                Err(Error::InvalidKeyUse(_))
            ));
        }
        // A key set holding the RSA key has nothing for HS256.
        let set = LocalJwkSet::new([public]);
        assert!(matches!(
            jwt_verify::<JsonObject>(&token, &set, &jwt_options()),
            Err(Error::JwksNoMatchingKey)
        ));
    }
}

// ------------------------------------------------- ECDSA signature values

/// P-256 group order.
const P256_N: [u8; 32] = [
    0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xBC, 0xE6, 0xFA,
    0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
];

fn with_signature(token: &str, signature: &[u8]) -> String {
    let parts = segments(token);
    format!("{}.{}.{}", parts[0], parts[1], b64(signature))
}

fn assert_signature_rejected(token: &str, key: &Key, alg: Alg) {
    let options = JwsVerifyOptions::new().algorithms([alg]);
    assert!(
        matches!(
            compact_verify(token, key, &options),
            Err(Error::JwsSignatureVerificationFailed)
        ),
        "{token}: {:?}",
        compact_verify(token, key, &options)
    );
}

#[test]
fn ecdsa_signature_with_zero_scalars_is_rejected() {
    let token = sign_jwt(Alg::ES256, &ec().private_key);
    let sig = unb64(&segments(&token)[2]);
    let (r, s) = sig.split_at(32);
    let zero = [0u8; 32];
    for forged in [[zero, zero].concat(), [&zero[..], s].concat(), [r, &zero[..]].concat()] {
        assert_signature_rejected(&with_signature(&token, &forged), &ec().public_key, Alg::ES256);
    }
}

#[test]
fn ecdsa_signature_with_scalar_at_or_above_order_is_rejected() {
    let token = sign_jwt(Alg::ES256, &ec().private_key);
    let sig = unb64(&segments(&token)[2]);
    let (r, s) = sig.split_at(32);
    let mut n_plus_one = P256_N;
    n_plus_one[31] += 1;
    let max = [0xFFu8; 32];
    for big in [P256_N, n_plus_one, max] {
        for forged in [
            [&big[..], s].concat(),
            [r, &big[..]].concat(),
            [&big[..], &big[..]].concat(),
        ] {
            assert_signature_rejected(&with_signature(&token, &forged), &ec().public_key, Alg::ES256);
        }
    }
}

#[test]
fn wrong_length_signatures_are_rejected() {
    let ec_token = sign_jwt(Alg::ES256, &ec().private_key);
    let ec_sig = unb64(&segments(&ec_token)[2]);
    assert_eq!(ec_sig.len(), 64);
    let mut long = ec_sig.clone();
    long.push(0);
    let mut der_like = vec![0x30, 0x44, 0x02, 0x20];
    der_like.extend_from_slice(&ec_sig[..32]);
    der_like.extend_from_slice(&[0x02, 0x20]);
    der_like.extend_from_slice(&ec_sig[32..]);
    for sig in [&ec_sig[..63], &long[..], &[][..], &ec_sig[..32], &der_like[..]] {
        assert_signature_rejected(&with_signature(&ec_token, sig), &ec().public_key, Alg::ES256);
    }

    let rs_token = sign_jwt(Alg::RS256, &rsa().private_key);
    let rs_sig = unb64(&segments(&rs_token)[2]);
    assert_eq!(rs_sig.len(), 256);
    let mut rs_long = vec![0u8];
    rs_long.extend_from_slice(&rs_sig);
    for sig in [&rs_sig[..255], &rs_sig[1..], &rs_sig[..128], &[][..], &rs_long[..]] {
        assert_signature_rejected(&with_signature(&rs_token, sig), &rsa().public_key, Alg::RS256);
    }

    let hs_token = sign_jwt(Alg::HS256, &hs_key());
    let tag = unb64(&segments(&hs_token)[2]);
    assert_eq!(tag.len(), 32);
    let mut hs_long = tag.clone();
    hs_long.push(0);
    for sig in [&tag[..31], &tag[..16], &tag[..1], &[][..], &hs_long[..]] {
        assert_signature_rejected(&with_signature(&hs_token, sig), &hs_key(), Alg::HS256);
    }

    let ed_token = sign_jwt(Alg::EdDSA, &ed().private_key);
    let ed_sig = unb64(&segments(&ed_token)[2]);
    for sig in [&ed_sig[..63], &[][..]] {
        assert_signature_rejected(&with_signature(&ed_token, sig), &ed().public_key, Alg::EdDSA);
    }
}

// ----------------------------------------------------- base64url rules

/// A JSON object text whose byte length mod 3 is `rem`, so that its
/// base64url length mod 4 is 0, 2 or 3 for `rem` 0, 1 or 2.
fn json_with_len_mod3(fields: &str, rem: usize) -> String {
    (0..3)
        .map(|pad| format!("{{{fields},\"p\":\"{}\"}}", "x".repeat(pad)))
        .find(|text| text.len() % 3 == rem)
        .expect("some padding fits")
}

/// Sets an unused low bit of the last character of an unpadded segment
/// whose length mod 4 is 2 or 3: same bytes, non-canonical spelling.
fn non_canonical(segment: &str) -> String {
    assert!(matches!(segment.len() % 4, 2 | 3), "{segment}");
    let last = segment.chars().last().unwrap();
    let value = B64URL.iter().position(|&c| c as char == last).unwrap();
    assert_eq!(value & 1, 0, "canonical form has its unused bits clear");
    let mut out = segment[..segment.len() - 1].to_owned();
    out.push(B64URL[value | 1] as char);
    out
}

/// The spelling mistakes a strict base64url decoder must refuse.
fn corruptions(segment: &str) -> Vec<String> {
    let mid = segment.len() / 2;
    let mut out = vec![
        format!("{segment}="),
        format!("{segment}=="),
        replace_char(segment, mid, '+'),
        replace_char(segment, mid, '/'),
        format!("{} {}", &segment[..mid], &segment[mid..]),
        format!("{}\n{}", &segment[..mid], &segment[mid..]),
        format!("{}\t{}", &segment[..mid], &segment[mid..]),
        format!(" {segment}"),
        format!("{segment}\r\n"),
        replace_char(segment, mid, '*'),
        replace_char(segment, mid, 'é'),
    ];
    if matches!(segment.len() % 4, 2 | 3) {
        out.push(non_canonical(segment));
    }
    out
}

#[test]
fn invalid_base64url_in_header_is_jws_invalid() {
    for rem in [0, 1, 2] {
        let header = b64(json_with_len_mod3(r#""alg":"HS256""#, rem).as_bytes());
        let payload = b64(br#"{"sub":"alice"}"#);
        assert!(compact_verify(&hs256_token(&header, &payload), &hs_key(), &jws_options()).is_ok());
        for bad in corruptions(&header) {
            // Signed over the bad spelling, so only the encoding is wrong.
            let token = hs256_token(&bad, &payload);
            let what = format!("header {bad:?}");
            assert_jws_invalid(compact_verify(&token, &hs_key(), &jws_options()), &what);
            assert_jws_invalid(verify_jwt(&token, &hs_key()), &what);
            assert_jws_invalid(decode_protected_header(&token), &what);
        }
    }
}

#[test]
fn invalid_base64url_in_payload_is_jws_invalid() {
    let header = b64(br#"{"alg":"HS256"}"#);
    for rem in [0, 1, 2] {
        let payload = b64(json_with_len_mod3(r#""sub":"alice","exp":4102444800"#, rem).as_bytes());
        assert!(verify_jwt(&hs256_token(&header, &payload), &hs_key()).is_ok());
        for bad in corruptions(&payload) {
            // A genuine signature over the badly spelled payload.
            let token = hs256_token(&header, &bad);
            let what = format!("payload {bad:?}");
            assert_jws_invalid(compact_verify(&token, &hs_key(), &jws_options()), &what);
            assert_jws_invalid(verify_jwt(&token, &hs_key()), &what);
            assert_unverified_decoders_refuse(&token, &what);
        }
    }
}

#[test]
fn invalid_base64url_in_signature_is_jws_invalid() {
    // HS256 tags encode to 43 characters (length mod 4 = 3), ES256
    // signatures to 86 (mod 4 = 2), RS256 to 342 (mod 4 = 2).
    for (alg, signing, verifying) in signers() {
        let token = sign_jwt(alg, &signing);
        let parts = segments(&token);
        for bad in corruptions(&parts[2]) {
            let tampered = format!("{}.{}.{bad}", parts[0], parts[1]);
            let what = format!("{alg} signature {bad:?}");
            assert_jws_invalid(compact_verify(&tampered, &verifying, &jws_options()), &what);
            assert_jws_invalid(verify_jwt(&tampered, &verifying), &what);
        }
    }
}

// ------------------------------------------------------ JSON structure

#[test]
fn duplicate_protected_header_members_are_rejected() {
    for header in [
        r#"{"alg":"HS256","alg":"HS256"}"#,
        r#"{"alg":"HS256","alg":"none"}"#,
        r#"{"alg":"none","alg":"HS256"}"#,
        r#"{"alg":"HS256","kid":"a","kid":"b"}"#,
        r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
    ] {
        let token = hs256_json(header, r#"{"sub":"alice"}"#);
        assert_jws_invalid(compact_verify(&token, &hs_key(), &jws_options()), header);
        assert_jws_invalid(verify_jwt(&token, &hs_key()), header);
        assert_jws_invalid(decode_protected_header(&token), header);
    }
    // Members nested deeper may repeat names across objects.
    let token = hs256_json(
        r#"{"alg":"HS256","x":{"alg":1}}"#,
        r#"{"sub":"alice","exp":4102444800}"#,
    );
    assert!(verify_jwt(&token, &hs_key()).is_ok());
}

#[test]
fn duplicate_claim_names_are_rejected() {
    let token = hs256_json(r#"{"alg":"HS256"}"#, r#"{"sub":"alice","sub":"admin"}"#);
    // The JWS itself is fine: its payload is opaque bytes.
    assert!(compact_verify(&token, &hs_key(), &jws_options()).is_ok());
    assert!(matches!(verify_jwt(&token, &hs_key()), Err(Error::JwtInvalid(_))));
    assert_unverified_decoders_refuse(&token, "duplicate sub");
    // Whatever `T`, not only a derived struct refusing its own repeated field.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Subject {
        sub: String,
    }
    let decoded = decode_jwt_claims_unverified::<Subject>(&token);
    assert!(matches!(decoded, Err(Error::JwtInvalid(_))), "{decoded:?}");
}

#[test]
fn non_object_payload_is_jwt_invalid_but_a_valid_jws() {
    for payload in [
        "[]",
        "\"x\"",
        "1",
        "null",
        "true",
        "",
        "{} {}",
        "{\"a\":1",
        "{\"a\":1}x",
    ] {
        let token = CompactSign::new(payload.as_bytes())
            .protected_header(JwsHeader::new(Alg::HS256))
            .sign(&hs_key())
            .unwrap();
        let verified = compact_verify(&token, &hs_key(), &jws_options()).expect("valid JWS");
        assert_eq!(verified.payload, payload.as_bytes());
        match verify_jwt(&token, &hs_key()) {
            Err(e @ Error::JwtInvalid(_)) => assert_eq!(e.code(), "ERR_JWT_INVALID"),
            other => panic!("{payload:?}: {other:?}"),
        }
        assert_unverified_decoders_refuse(&token, &format!("{payload:?}"));
    }
}

#[test]
fn non_object_header_is_jws_invalid() {
    for header in ["[]", "\"HS256\"", "1", "null", "", "{\"alg\":\"HS256\"} {}"] {
        let token = hs256_json(header, "{}");
        let what = format!("{header:?}");
        assert_jws_invalid(compact_verify(&token, &hs_key(), &jws_options()), &what);
        assert_jws_invalid(decode_protected_header(&token), &what);
    }
}

#[test]
fn header_with_wrongly_typed_registered_parameters_is_jws_invalid() {
    for header in [
        r#"{"alg":256}"#,
        r#"{"alg":"HS256","kid":1}"#,
        r#"{"alg":"HS256","typ":["JWT"]}"#,
        r#"{"alg":"HS256","jwk":"key"}"#,
        r#"{"kid":"a"}"#,
    ] {
        let token = hs256_json(header, "{}");
        assert_jws_invalid(compact_verify(&token, &hs_key(), &jws_options()), header);
    }
}

const DEPTH: usize = 100_000;

#[test]
fn deeply_nested_header_is_an_error_not_a_stack_overflow() {
    let open = "[".repeat(DEPTH);
    let close = "]".repeat(DEPTH);
    for header in [
        open.clone(),
        format!("{open}{close}"),
        format!(r#"{{"alg":"HS256","x":{open}{close}}}"#),
        format!(r#"{{"alg":"HS256","x":{}"#, "{\"a\":".repeat(DEPTH)),
    ] {
        let token = hs256_json(&header, r#"{"sub":"alice"}"#);
        let what = format!("header of {} bytes", header.len());
        assert_jws_invalid(compact_verify(&token, &hs_key(), &jws_options()), &what);
        assert_jws_invalid(verify_jwt(&token, &hs_key()), &what);
        assert_jws_invalid(decode_protected_header(&token), &what);
    }
}

#[test]
fn deeply_nested_payload_is_an_error_not_a_stack_overflow() {
    let open = "[".repeat(DEPTH);
    let close = "]".repeat(DEPTH);
    for payload in [
        open.clone(),
        format!("{open}{close}"),
        format!(r#"{{"sub":"alice","x":{open}{close}}}"#),
        format!(r#"{{"a":{}1{}"#, "{\"a\":".repeat(DEPTH), "}".repeat(DEPTH + 1)),
    ] {
        let token = CompactSign::new(payload.as_bytes())
            .protected_header(JwsHeader::new(Alg::HS256))
            .sign(&hs_key())
            .unwrap();
        // The JWS layer does not parse the payload.
        assert!(compact_verify(&token, &hs_key(), &jws_options()).is_ok());
        assert!(matches!(verify_jwt(&token, &hs_key()), Err(Error::JwtInvalid(_))));
        assert_unverified_decoders_refuse(&token, &format!("payload of {} bytes", payload.len()));
    }
}

#[test]
fn deeply_nested_json_documents_are_errors_not_stack_overflows() {
    let open = "[".repeat(DEPTH);
    let close = "]".repeat(DEPTH);
    let nested = format!("{open}{close}");
    assert!(matches!(
        Key::from_jwk_json(&format!(r#"{{"kty":"oct","k":"AAAA","x":{nested}}}"#)),
        Err(Error::JwkInvalid(_))
    ));
    assert!(matches!(Key::from_jwk_json(&nested), Err(Error::JwkInvalid(_))));
    assert!(matches!(
        LocalJwkSet::from_json(&format!(r#"{{"keys":{nested}}}"#)),
        Err(Error::JwksInvalid(_))
    ));
    assert_jws_invalid(
        FlattenedJws::from_json(&format!(r#"{{"header":{{"x":{nested}}},"payload":"","signature":""}}"#)),
        "flattened JWS",
    );
    assert_jws_invalid(
        GeneralJws::from_json(&format!(r#"{{"payload":"","signatures":{nested}}}"#)),
        "general JWS",
    );
}

// ------------------------------------------------------ crit and b64

fn header_with_crit(extension: &str) -> JwsHeader {
    JwsHeader::new(Alg::HS256)
        .insert("crit", json!([extension]))
        .unwrap()
        .insert(extension, json!(1))
        .unwrap()
}

#[test]
fn crit_with_unknown_extension_is_rejected_unless_understood() {
    let token = SignJwt::default()
        .protected_header(header_with_crit("http://example.com/ext"))
        .subject("alice")
        .expiration_time("1h")
        .sign(&hs_key())
        .unwrap();
    match compact_verify(&token, &hs_key(), &jws_options()) {
        Err(e @ Error::NotSupported(_)) => assert!(e.to_string().contains("http://example.com/ext")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(verify_jwt(&token, &hs_key()), Err(Error::NotSupported(_))));
    // Understanding another extension is not enough.
    assert!(matches!(
        compact_verify(&token, &hs_key(), &JwsVerifyOptions::new().understands("other")),
        Err(Error::NotSupported(_))
    ));

    let verified = compact_verify(
        &token,
        &hs_key(),
        &JwsVerifyOptions::new().understands("http://example.com/ext"),
    )
    .expect("declared extension");
    assert_eq!(verified.protected_header.unwrap().other["http://example.com/ext"], 1);
    let verified = jwt_verify::<JsonObject>(
        &token,
        &hs_key(),
        &VerifyOptions::new().understands("http://example.com/ext"),
    )
    .expect("declared extension");
    assert_eq!(verified.claims["sub"], "alice");
}

#[test]
fn crit_listing_a_registered_parameter_is_rejected() {
    for name in ["alg", "kid", "typ", "jwk", "crit", "x5t#S256"] {
        let header = format!(r#"{{"alg":"HS256","kid":"k","typ":"JWT","crit":["{name}"]}}"#);
        let token = hs256_json(&header, "{}");
        let options = JwsVerifyOptions::new().understands(name);
        assert_jws_invalid(compact_verify(&token, &hs_key(), &options), name);
        assert_jws_invalid(
            jwt_verify::<JsonObject>(&token, &hs_key(), &VerifyOptions::new().understands(name)),
            name,
        );
    }
}

#[test]
fn malformed_crit_is_rejected() {
    for header in [
        r#"{"alg":"HS256","crit":[]}"#,
        r#"{"alg":"HS256","crit":"ext","ext":1}"#,
        r#"{"alg":"HS256","crit":[1]}"#,
        r#"{"alg":"HS256","crit":null}"#,
        // Listed but absent.
        r#"{"alg":"HS256","crit":["ext"]}"#,
    ] {
        let token = hs256_json(header, "{}");
        let options = JwsVerifyOptions::new().understands("ext");
        assert_jws_invalid(compact_verify(&token, &hs_key(), &options), header);
    }
}

#[test]
fn b64_without_crit_is_rejected() {
    for header in [
        r#"{"alg":"HS256","b64":true}"#,
        r#"{"alg":"HS256","b64":false}"#,
        r#"{"alg":"HS256","b64":false,"crit":["other"],"other":1}"#,
    ] {
        let token = hs256_json(header, "{}");
        let options = JwsVerifyOptions::new().understands("other").understands("b64");
        assert_jws_invalid(compact_verify(&token, &hs_key(), &options), header);
        assert_jws_invalid(
            jwt_verify::<JsonObject>(&token, &hs_key(), &VerifyOptions::new().understands("other")),
            header,
        );
    }
    // Properly marked critical, b64 is a valid JWS but never a JWT.
    let token = hs256_token(&b64(br#"{"alg":"HS256","b64":false,"crit":["b64"]}"#), "{}");
    assert_eq!(
        compact_verify(&token, &hs_key(), &jws_options()).unwrap().payload,
        b"{}"
    );
    assert!(matches!(verify_jwt(&token, &hs_key()), Err(Error::JwtInvalid(_))));
}

// ------------------------------------------------------- token shape

#[test]
fn token_with_wrong_number_of_parts_is_jws_invalid() {
    let token = sign_jwt(Alg::HS256, &hs_key());
    let parts = segments(&token);
    for bad in [
        String::new(),
        ".".into(),
        "..".into(),
        "...".into(),
        parts[0].clone(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{}.{}", parts[1], parts[2]),
        format!("{token}."),
        format!("{token}.{}", parts[2]),
        format!("{token}.{}.{}", parts[1], parts[2]),
    ] {
        let what = format!("{bad:?}");
        assert_jws_invalid(compact_verify(&bad, &hs_key(), &jws_options()), &what);
        assert_jws_invalid(verify_jwt(&bad, &hs_key()), &what);
        assert_unverified_decoders_refuse(&bad, &what);
    }
}

// ----------------------------------------------------------- RSA size

/// A 1024-bit RSA private JWK, generated with:
///
/// ```sh
/// openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 | openssl pkey -text -noout \
///   | python3 -c 'import sys,re,json,base64;t=sys.stdin.read();f=lambda n:base64.urlsafe_b64encode(bytes.fromhex(re.sub(r"[\s:]","",re.search(n+r":\n((?: +[0-9a-f:]+\n)+)",t).group(1))).lstrip(b"\0")).rstrip(b"=").decode();print(json.dumps(dict(kty="RSA",n=f("modulus"),e="AQAB",d=f("privateExponent"),p=f("prime1"),q=f("prime2"),dp=f("exponent1"),dq=f("exponent2"),qi=f("coefficient"))))' \
///   > crates/rjose/tests/fixtures/rsa1024.jwk
/// ```
const RSA_1024_JWK: &str = include_str!("fixtures/rsa1024.jwk");

#[test]
fn rsa_1024_bit_keys_are_refused() {
    let private = Jwk::from_json(RSA_1024_JWK).expect("parses as a JWK");
    assert!(private.is_private());
    let public = private.to_public();
    for jwk in [&private, &public] {
        match Key::from_jwk(jwk) {
            Err(e @ Error::JwkInvalid(_)) => {
                assert_eq!(e.code(), "ERR_JWK_INVALID");
                assert!(e.to_string().contains("2048"), "{e}");
            }
            other => panic!("expected JwkInvalid, got {other:?}"),
        }
    }
    // Nor does a key set admit it.
    let set = LocalJwkSet::from_json(&format!(r#"{{"keys":[{}]}}"#, public.to_json())).unwrap();
    assert_eq!((set.keys().len(), set.skipped()), (0, 1));
}

// ------------------------------------------------------- EmbeddedJwk

fn embedded_header(jwk: Value, alg: &str) -> String {
    b64(json!({ "alg": alg, "jwk": jwk }).to_string().as_bytes())
}

#[test]
fn embedded_jwk_verifies_with_a_public_key() {
    let mut header = JwsHeader::new(Alg::ES256);
    // Even given the private JWK, the signer embeds only the public members.
    header.jwk = Some(Box::new(ec().private_key.to_jwk().unwrap()));
    let token = CompactSign::new(b"{}")
        .protected_header(header)
        .sign(&ec().private_key)
        .unwrap();
    let embedded = decode_protected_header(&token).unwrap().to_map();
    assert!(embedded["jwk"].get("d").is_none(), "{embedded:?}");
    let verified = compact_verify(&token, &EmbeddedJwk, &jws_options()).expect("verifies");
    assert_eq!(
        verified.key.to_public_jwk().unwrap().x,
        ec().public_key.to_public_jwk().unwrap().x
    );
}

#[test]
fn embedded_jwk_refuses_private_keys() {
    let payload = b64(b"{}");
    let signature = b64(&[1u8; 64]);
    let private_ec = serde_json::to_value(ec().private_key.to_jwk().unwrap()).unwrap();
    let private_ed = serde_json::to_value(ed().private_key.to_jwk().unwrap()).unwrap();
    assert!(private_ec.get("d").is_some());
    for (jwk, alg) in [(private_ec, "ES256"), (private_ed, "EdDSA")] {
        let token = format!("{}.{payload}.{signature}", embedded_header(jwk, alg));
        // Refused when selecting the key, before the signature is looked at.
        assert_jws_invalid(compact_verify(&token, &EmbeddedJwk, &jws_options()), alg);
    }
}

/// The public JWK of [`ec`] as JSON text, with `extra` members spliced in
/// after `crv`.
fn ec_jwk_text_with(extra: &str) -> String {
    let jwk = ec().public_key.to_public_jwk().unwrap();
    format!(
        r#"{{"kty":"EC","crv":"P-256"{extra},"x":"{}","y":"{}"}}"#,
        jwk.x.as_deref().unwrap(),
        jwk.y.as_deref().unwrap()
    )
}

#[test]
fn embedded_key_with_a_repeated_member_is_refused() {
    // Two "x": which key signed would depend on the parser.
    let other_x = format!(r#","x":"{}""#, b64(&[0x42; 32]));
    let jwk = ec_jwk_text_with(&other_x);
    let header = format!(r#"{{"alg":"ES256","jwk":{jwk}}}"#);
    let expected = r#""jwk" has the member "x" twice"#;

    let signer = rjose::generate_key_pair(Alg::ES256, rjose::KeyPairOptions::default()).expect("a P-256 key pair");
    let signing = CompactSign::new(b"{}")
        .protected_header_json(&header)
        .sign(&signer.private_key);
    assert!(
        matches!(&signing, Err(e @ Error::InvalidArgument(_)) if e.to_string().contains(expected)),
        "{signing:?}"
    );
    // Refused as malformed when read, before any key or signature.
    let token = format!("{}.{}.{}", b64(header.as_bytes()), b64(b"{}"), b64(&[1u8; 64]));
    match compact_verify(&token, &EmbeddedJwk, &jws_options()) {
        Err(e @ Error::JwsInvalid(_)) => assert!(e.to_string().contains(expected), "{e}"),
        other => panic!("expected JwsInvalid, got {:?}", other.map(drop)),
    }
    // In an unprotected header too.
    let flattened = format!(
        r#"{{"protected":"{}","header":{{"jwk":{jwk}}},"payload":"{}","signature":"{}"}}"#,
        b64(br#"{"alg":"ES256"}"#),
        b64(b"{}"),
        b64(&[1u8; 64])
    );
    let parsed = serde_json::from_str::<FlattenedJws>(&flattened).map_err(|e| e.to_string());
    assert!(matches!(&parsed, Err(e) if e.contains(expected)), "{parsed:?}");
    // Structural, so it wins over a bad value seen before it.
    let unknown_alg_first = format!(r#"{{"alg":"XYZ","jwk":{jwk}}}"#);
    let token = format!(
        "{}.{}.{}",
        b64(unknown_alg_first.as_bytes()),
        b64(b"{}"),
        b64(&[1u8; 64])
    );
    match compact_verify(&token, &EmbeddedJwk, &jws_options()) {
        Err(e @ Error::JwsInvalid(_)) => assert!(e.to_string().contains(expected), "{e}"),
        other => panic!("expected JwsInvalid, got {:?}", other.map(drop)),
    }
    // The same key without the repeat is a key like any other.
    let signed = CompactSign::new(b"{}")
        .protected_header_json(&format!(r#"{{"alg":"ES256","jwk":{}}}"#, ec_jwk_text_with("")))
        .sign(&signer.private_key);
    assert!(signed.is_ok(), "{signed:?}");
}

#[test]
fn embedded_jwk_refuses_an_rsa_key_carrying_its_prime_factors() {
    // No "d", but "p" and "q" give the private key away all the same: such
    // a JWK is private, and a header may only carry a public one. Signed
    // with that very key, so only the refusal stops it.
    let private = serde_json::to_value(rsa_other().private_key.to_jwk().unwrap()).unwrap();
    let mut factors_only = private.clone();
    factors_only.as_object_mut().unwrap().remove("d");
    for member in ["p", "q", "dp", "dq", "qi"] {
        assert!(factors_only.get(member).is_some(), "{member}");
    }
    let header = json!({ "alg": "RS256", "jwk": factors_only }).to_string();
    let token = CompactSign::new(b"{}")
        .protected_header_json(&header)
        .sign(&rsa_other().private_key)
        .unwrap();
    assert_jws_invalid(
        compact_verify(&token, &EmbeddedJwk, &jws_options()),
        "RSA JWK with p and q",
    );
    let jwk: rjose::Jwk = serde_json::from_value(factors_only).unwrap();
    assert!(jwk.is_private());
}

#[test]
fn embedded_jwk_refuses_symmetric_keys() {
    let jwk = json!({ "kty": "oct", "k": b64(&SECRET) });
    // Correctly MACed with that very secret: only the refusal stops it.
    let token = hs256_token(&embedded_header(jwk, "HS256"), &b64(b"{}"));
    assert_jws_invalid(compact_verify(&token, &EmbeddedJwk, &jws_options()), "embedded oct JWK");
    assert_jws_invalid(
        jwt_verify::<JsonObject>(&token, &EmbeddedJwk, &jwt_options()),
        "embedded oct JWK",
    );
}

#[test]
fn embedded_jwk_requires_a_jwk_header() {
    let token = sign_jwt(Alg::ES256, &ec().private_key);
    assert_jws_invalid(compact_verify(&token, &EmbeddedJwk, &jws_options()), "no jwk header");
}

// -------------------------------------------------------- LocalJwkSet

fn es256_token(kid: Option<&str>, key: &Key) -> String {
    let mut header = JwsHeader::new(Alg::ES256);
    header.kid = kid.map(str::to_owned);
    CompactSign::new(b"{}").protected_header(header).sign(key).unwrap()
}

fn two_key_set() -> LocalJwkSet {
    let json = json!({ "keys": [
        serde_json::to_value(ec().public_key.with_kid("a").to_public_jwk().unwrap()).unwrap(),
        serde_json::to_value(ec_other().public_key.with_kid("b").to_public_jwk().unwrap()).unwrap(),
    ]});
    let set = LocalJwkSet::from_json(&json.to_string()).unwrap();
    assert_eq!(set.keys().len(), 2);
    set
}

#[test]
fn jwk_set_without_matching_kid_is_no_matching_key() {
    let token = es256_token(Some("c"), &ec().private_key);
    match compact_verify(&token, &two_key_set(), &jws_options()) {
        Err(e @ Error::JwksNoMatchingKey) => assert_eq!(e.code(), "ERR_JWKS_NO_MATCHING_KEY"),
        other => panic!("{other:?}"),
    }
    // No key of the token's type is also no match.
    let token = sign_jwt(Alg::EdDSA, &ed().private_key);
    assert!(matches!(
        compact_verify(&token, &two_key_set(), &jws_options()),
        Err(Error::JwksNoMatchingKey)
    ));
}

#[test]
fn jwk_set_with_two_matching_keys_is_ambiguous() {
    let token = es256_token(None, &ec_other().private_key);
    match compact_verify(&token, &two_key_set(), &jws_options()) {
        Err(e @ Error::JwksMultipleMatchingKeys) => assert_eq!(e.code(), "ERR_JWKS_MULTIPLE_MATCHING_KEYS"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        jwt_verify::<JsonObject>(&token, &two_key_set(), &jwt_options()),
        Err(Error::JwksMultipleMatchingKeys)
    ));
}

#[test]
fn jwk_set_try_all_matching_finds_the_right_key() {
    let set = two_key_set().try_all_matching(true);
    let token = es256_token(None, &ec_other().private_key);
    let verified = compact_verify(&token, &set, &jws_options()).expect("second key verifies");
    assert_eq!(verified.key.kid(), Some("b"));
    let token = es256_token(None, &ec().private_key);
    assert_eq!(
        compact_verify(&token, &set, &jws_options()).unwrap().key.kid(),
        Some("a")
    );
    // A token neither key signed still fails.
    let stranger = generate_key_pair(Alg::ES256, KeyPairOptions::default()).unwrap();
    let token = es256_token(None, &stranger.private_key);
    assert!(matches!(
        compact_verify(&token, &set, &jws_options()),
        Err(Error::JwsSignatureVerificationFailed)
    ));
}

#[test]
fn jwk_set_selects_by_kid() {
    let token = es256_token(Some("b"), &ec_other().private_key);
    let verified = compact_verify(&token, &two_key_set(), &jws_options()).unwrap();
    assert_eq!(verified.key.kid(), Some("b"));
    // The right kid with the wrong key's signature does not fall back to another key.
    let token = es256_token(Some("a"), &ec_other().private_key);
    assert!(matches!(
        compact_verify(&token, &two_key_set().try_all_matching(true), &jws_options()),
        Err(Error::JwsSignatureVerificationFailed)
    ));
}

// ------------------------------------------ repeated JWK member names

/// An `oct` JWK as text, with `extra` spliced in after its members: the
/// only way to write a repeated name, which `json!` cannot.
fn oct_jwk_text(extra: &str) -> String {
    format!(r#"{{"kty":"oct","k":"{}"{extra}}}"#, b64(&SECRET))
}

#[track_caller]
fn assert_jwks_invalid_naming<T: Debug>(result: Result<T, Error>, expected: &str) {
    match result {
        Err(e @ Error::JwksInvalid(_)) => {
            assert_eq!(e.code(), "ERR_JWKS_INVALID");
            assert!(e.to_string().contains(expected), "{e:?} does not say {expected}");
        }
        other => panic!("expected JwksInvalid saying {expected}, got {other:?}"),
    }
}

#[test]
fn rejects_repeated_member_in_a_jwk() {
    let other_k = format!(r#","k":"{}""#, b64(&[0x11; 32]));
    // Escapes are decoded before names are compared.
    let escaped_k = format!(r#","\u006b":"{}""#, b64(&[0x11; 32]));
    // Members `Jwk` names are refused in serde's words, the others in the
    // words headers and claims use; either way the member is named.
    for (text, expected) in [
        (oct_jwk_text(&other_k), "duplicate field `k`"),
        (oct_jwk_text(&escaped_k), "duplicate field `k`"),
        (oct_jwk_text(r#","kty":"oct""#), "duplicate field `kty`"),
        (oct_jwk_text(r#","kid":"a","kid":"b""#), "duplicate field `kid`"),
        (oct_jwk_text(r#","use":"sig","use":"enc""#), "duplicate field `use`"),
        // Members the library keeps without interpreting are held to the same rule.
        (oct_jwk_text(r#","x-a":1,"x-a":2"#), r#"duplicate member "x-a""#),
    ] {
        for result in [Jwk::from_json(&text).map(drop), Key::from_jwk_json(&text).map(drop)] {
            match result {
                Err(e @ Error::JwkInvalid(_)) => assert!(e.to_string().contains(expected), "{text}: {e}"),
                other => panic!("{text}: expected JwkInvalid, got {other:?}"),
            }
        }
        // `Jwk::from_json` is plain `Deserialize`: any serde parse refuses it alike.
        let deserialized = serde_json::from_str::<Jwk>(&text).map_err(|e| e.to_string());
        assert!(
            matches!(&deserialized, Err(e) if e.contains(expected)),
            "{text}: {deserialized:?}"
        );
    }
}

#[test]
fn jwk_with_unknown_members_still_parses() {
    // RFC 7517 section 4: members that are not understood are ignored, and
    // the same name in a nested object is not a repeat.
    let text = oct_jwk_text(r#","x-extra":{"k":"nested","kty":"nested"},"x-other":[1]"#);
    let jwk = Jwk::from_json(&text).expect("a JWK with unknown members");
    assert_eq!(jwk.other["x-extra"]["k"], "nested");
    assert_eq!(jwk.other["x-other"], json!([1]));
    assert_eq!(serde_json::from_str::<Jwk>(&text).expect("deserializes"), jwk);
    assert!(Key::from_jwk_json(&text).is_ok());
}

#[test]
fn rejects_repeated_keys_member_of_a_set() {
    let key = oct_jwk_text("");
    for text in [
        r#"{"keys":[],"keys":[]}"#.to_owned(),
        r#"{"keys":[],"ke\u0079s":[]}"#.to_owned(),
        format!(r#"{{"keys":[{key}],"keys":[]}}"#),
        format!(r#"{{"keys":[],"keys":[{key}]}}"#),
    ] {
        assert_jwks_invalid_naming(LocalJwkSet::from_json(&text), r#"duplicate member "keys""#);
    }
    // Other top-level members are ignored (RFC 7517 section 5), but not when repeated.
    let text = format!(r#"{{"keys":[{key}],"x-meta":1,"x-meta":2}}"#);
    assert_jwks_invalid_naming(LocalJwkSet::from_json(&text), r#"duplicate member "x-meta""#);
}

#[test]
fn rejects_repeated_member_inside_a_key_of_a_set() {
    let good = oct_jwk_text("");
    let other_secret = b64(&[0x11; 32]);
    for (bad, name) in [
        (oct_jwk_text(&format!(r#","k":"{other_secret}""#)), "k"),
        (oct_jwk_text(&format!(r#","\u006b":"{other_secret}""#)), "k"),
        (oct_jwk_text(r#","kid":"a","kid":"b""#), "kid"),
        (oct_jwk_text(r#","x-extra":1,"x-extra":2"#), "x-extra"),
        // A key the set would skip as unusable is no exception: the document is ambiguous.
        (r#"{"kty":"future-key-type","kid":"a","kid":"b"}"#.to_owned(), "kid"),
    ] {
        let text = format!(r#"{{"keys":[{good},{bad}]}}"#);
        assert_jwks_invalid_naming(
            LocalJwkSet::from_json(&text),
            &format!("duplicate member {name:?} in keys[1]"),
        );
    }
}

#[test]
fn set_without_repeated_members_still_parses_and_skips_unusable_entries() {
    let ec_key = ec().public_key.with_kid("a").to_public_jwk().unwrap().to_json();
    // Names repeated across keys, or inside a member's value, are not repeats.
    let oct_key = oct_jwk_text(r#","kid":"b","x-extra":{"kid":"nested","keys":[]}"#);
    let text = format!(
        r#"{{"keys":[{ec_key},{oct_key},{{"kty":"future-key-type","kid":"c"}},"not a key",{{"kid":"d"}}],"x-meta":{{"keys":[]}}}}"#
    );
    let set = LocalJwkSet::from_json(&text).expect("a valid JWK Set");
    assert_eq!((set.keys().len(), set.skipped()), (2, 3));
    assert_eq!(
        set.keys().iter().map(Key::kid).collect::<Vec<_>>(),
        [Some("a"), Some("b")]
    );
}

// ------------------------------------------------------ JWK validation

fn jwk_value(key: &Key) -> Value {
    serde_json::to_value(key.to_jwk().unwrap()).unwrap()
}

#[track_caller]
fn assert_jwk_invalid(value: &Value) {
    match Key::from_jwk_json(&value.to_string()) {
        Err(e @ Error::JwkInvalid(_)) => assert_eq!(e.code(), "ERR_JWK_INVALID"),
        other => panic!("expected JwkInvalid for {value}, got {other:?}"),
    }
}

fn with_member(value: &Value, name: &str, member: Value) -> Value {
    let mut value = value.clone();
    value[name] = member;
    value
}

fn without(value: &Value, name: &str) -> Value {
    let mut value = value.clone();
    value.as_object_mut().unwrap().remove(name);
    value
}

/// The base64url member `name` with byte `index` (from the end if
/// negative) xor-ed with `mask`.
fn flip_byte(value: &Value, name: &str, index: isize, mask: u8) -> Value {
    let mut bytes = unb64(value[name].as_str().unwrap());
    let i = if index < 0 {
        bytes.len() - index.unsigned_abs()
    } else {
        index as usize
    };
    bytes[i] ^= mask;
    with_member(value, name, json!(b64(&bytes)))
}

#[test]
fn ec_jwk_with_wrong_coordinate_length_is_invalid() {
    let public = serde_json::to_value(ec().public_key.to_public_jwk().unwrap()).unwrap();
    for member in ["x", "y"] {
        let bytes = unb64(public[member].as_str().unwrap());
        assert_jwk_invalid(&with_member(&public, member, json!(b64(&bytes[1..]))));
        let mut long = vec![0u8];
        long.extend_from_slice(&bytes);
        assert_jwk_invalid(&with_member(&public, member, json!(b64(&long))));
        assert_jwk_invalid(&with_member(&public, member, json!("")));
        assert_jwk_invalid(&with_member(&public, member, json!(1)));
    }
    let private = jwk_value(&ec().private_key);
    let d = unb64(private["d"].as_str().unwrap());
    assert_jwk_invalid(&with_member(&private, "d", json!(b64(&d[1..]))));
}

#[test]
fn jwk_missing_members_is_invalid() {
    let ec_jwk = jwk_value(&ec().private_key);
    let ed_jwk = jwk_value(&ed().private_key);
    let rsa_jwk = serde_json::to_value(rsa().public_key.to_public_jwk().unwrap()).unwrap();
    let oct_jwk = jwk_value(&hs_key());
    for (jwk, member) in [
        (&ec_jwk, "x"),
        (&ec_jwk, "y"),
        (&ec_jwk, "crv"),
        (&ec_jwk, "kty"),
        (&ed_jwk, "x"),
        (&ed_jwk, "crv"),
        (&rsa_jwk, "n"),
        (&rsa_jwk, "e"),
        (&oct_jwk, "k"),
        (&oct_jwk, "kty"),
    ] {
        assert_jwk_invalid(&without(jwk, member));
    }
    assert_jwk_invalid(&json!({ "kty": "oct", "k": "" }));
    assert_jwk_invalid(&json!({}));
}

#[test]
fn ec_point_not_on_the_curve_is_invalid() {
    let public = serde_json::to_value(ec().public_key.to_public_jwk().unwrap()).unwrap();
    for index in [0, 15, -1] {
        assert_jwk_invalid(&flip_byte(&public, "y", index, 0x01));
        assert_jwk_invalid(&flip_byte(&public, "x", index, 0x80));
    }
    // The point at infinity has no affine coordinates; all zeros is not on the curve.
    let zeros = json!(b64(&[0u8; 32]));
    assert_jwk_invalid(&with_member(&with_member(&public, "x", zeros.clone()), "y", zeros));
    // A valid P-256 point under another curve name.
    assert!(matches!(
        Key::from_jwk_json(&with_member(&public, "crv", json!("secp256k1")).to_string()),
        Err(Error::JwkInvalid(_))
    ));
}

#[test]
fn jwk_curve_of_the_wrong_key_type_is_invalid() {
    let ec_jwk = serde_json::to_value(ec().public_key.to_public_jwk().unwrap()).unwrap();
    let ed_jwk = serde_json::to_value(ed().public_key.to_public_jwk().unwrap()).unwrap();
    assert_jwk_invalid(&with_member(&ec_jwk, "crv", json!("Ed25519")));
    assert_jwk_invalid(&with_member(&ed_jwk, "crv", json!("P-256")));
    assert_jwk_invalid(&with_member(&ed_jwk, "kty", json!("EC")));
    assert_jwk_invalid(&with_member(&ec_jwk, "kty", json!("OKP")));
}

#[test]
fn rsa_private_jwk_with_mismatched_parts_is_invalid() {
    let private = jwk_value(&rsa().private_key);
    let other = jwk_value(&rsa_other().private_key);
    assert!(Key::from_jwk_json(&private.to_string()).is_ok());
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        assert_jwk_invalid(&flip_byte(&private, member, -1, 0x02));
        assert_jwk_invalid(&with_member(&private, member, other[member].clone()));
    }
    // Private parts of another key under this modulus.
    let mut mixed = other.clone();
    mixed["n"] = private["n"].clone();
    assert_jwk_invalid(&mixed);
    // CRT members without `d`.
    assert_jwk_invalid(&without(&private, "d"));
}

#[test]
fn ec_and_ed25519_private_jwk_not_matching_public_is_invalid() {
    for (key, other) in [
        (&ec().private_key, &ec_other().private_key),
        (&ed().private_key, &ed_other().private_key),
    ] {
        let private = jwk_value(key);
        let other = jwk_value(other);
        assert!(Key::from_jwk_json(&private.to_string()).is_ok());
        assert_jwk_invalid(&with_member(&private, "d", other["d"].clone()));
        assert_jwk_invalid(&flip_byte(&private, "d", -1, 0x01));
    }
    // d = 0 and d = n are not private keys.
    let private = jwk_value(&ec().private_key);
    assert_jwk_invalid(&with_member(&private, "d", json!(b64(&[0u8; 32]))));
    assert_jwk_invalid(&with_member(&private, "d", json!(b64(&P256_N))));
}

#[test]
fn jwk_with_invalid_base64url_members_is_invalid() {
    let public = serde_json::to_value(ec().public_key.to_public_jwk().unwrap()).unwrap();
    let x = public["x"].as_str().unwrap().to_owned();
    for bad in corruptions(&x) {
        assert_jwk_invalid(&with_member(&public, "x", json!(bad)));
    }
    assert_jwk_invalid(&json!({ "kty": "oct", "k": "c2VjcmV0=" }));
}

// ------------------------------------------------------ secrets in Debug

#[test]
fn debug_output_never_contains_secret_material() {
    let keys = [
        hs_key(),
        rsa().private_key.clone(),
        ec().private_key.clone(),
        ed().private_key.clone(),
    ];
    for key in keys {
        let jwk = key.to_jwk().unwrap();
        let secrets: Vec<String> = [&jwk.d, &jwk.k, &jwk.p, &jwk.q, &jwk.dp, &jwk.dq, &jwk.qi]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        assert!(!secrets.is_empty(), "{} key exports its private members", key.kty());
        let shown = [
            format!("{key:?}"),
            format!("{key:#?}"),
            format!("{jwk:?}"),
            format!("{jwk:#?}"),
            format!("{:?}", Key::from_jwk(&jwk).unwrap()),
            format!("{:?}", key_pair_debug(&key)),
        ];
        for text in &shown {
            for secret in &secrets {
                // Any 16-character window would already be a leak.
                let probe = &secret[..16.min(secret.len())];
                assert!(!text.contains(probe), "{} leaked in {text}", key.kty());
            }
            assert!(!text.contains(&b64(&SECRET)[..16]), "{text}");
        }
        assert!(format!("{jwk:?}").contains("<redacted>"));
    }
}

/// Debug of a `KeyPair` holding this key.
fn key_pair_debug(key: &Key) -> String {
    let pair = KeyPair {
        private_key: key.clone(),
        public_key: key.public_key().unwrap_or_else(|_| key.clone()),
    };
    format!("{pair:?}")
}

#[test]
fn json_serializations_refuse_duplicate_members_in_unprotected_headers() {
    let flattened =
        r#"{"protected":"eyJhbGciOiJIUzI1NiJ9","header":{"kid":"a","kid":"b"},"payload":"e30","signature":"AA"}"#;
    let err = FlattenedJws::from_json(flattened).expect_err("duplicate kid must be refused");
    assert!(matches!(err, Error::JwsInvalid(_)), "{err:?}");
    assert!(err.to_string().contains("duplicate member \"kid\""), "{err}");
}
