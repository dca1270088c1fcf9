//! Property tests: sign/verify and export/import round trips hold for
//! random inputs, and every parser returns an error (never panics) on
//! arbitrary or structurally fuzzed input.
//!
//! Case counts are modest (256, or 64 where RSA is involved) so the suite
//! stays fast in debug builds; key pairs are generated once per run.

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use rjose::jws::{
    CompactSign, EmbeddedJwk, FlattenedJws, GeneralJws, JwsHeader, JwsVerifyOptions, compact_verify, flattened_verify,
    general_verify,
};
use rjose::jwt::{SignJwt, VerifyOptions, decode_jwt_unverified, decode_protected_header, jwt_verify};
use rjose::{Alg, Error, JsonObject, Key, KeyPair, KeyPairOptions, LocalJwkSet, generate_key_pair};
use serde_json::{Map, Value, json};

use common::{b64, ec, ed, pair, rsa};

// ------------------------------------------------------------ helpers

fn rsa_pss() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    pair(&SLOT, Alg::PS256)
}

fn hs_key() -> Key {
    Key::from_secret([0x33u8; 32]).expect("a non-empty secret")
}

/// A key set with one key of each family, as a verifier holding a JWKS would.
fn key_set() -> &'static LocalJwkSet {
    static SET: OnceLock<LocalJwkSet> = OnceLock::new();
    SET.get_or_init(|| {
        LocalJwkSet::new([
            hs_key().with_kid("hs"),
            ec().public_key.with_kid("ec"),
            ed().public_key.with_kid("ed"),
        ])
        .try_all_matching(true)
    })
}

/// Runs every verifier and decoder on `token`; returns whether any verify
/// function accepted it.
fn exercise_token(token: &str) -> bool {
    let jws = JwsVerifyOptions::new();
    let jwt = VerifyOptions::new();
    let mut accepted = false;
    accepted |= compact_verify(token, &hs_key(), &jws).is_ok();
    accepted |= compact_verify(token, &ec().public_key, &jws).is_ok();
    accepted |= compact_verify(token, &ed().public_key, &jws).is_ok();
    accepted |= compact_verify(token, key_set(), &jws).is_ok();
    accepted |= compact_verify(token, &EmbeddedJwk, &jws).is_ok();
    accepted |= jwt_verify::<JsonObject>(token, &hs_key(), &jwt).is_ok();
    accepted |= jwt_verify::<JsonObject>(token, key_set(), &jwt).is_ok();
    accepted |= jwt_verify::<JsonObject>(token, &EmbeddedJwk, &jwt).is_ok();
    let _ = decode_jwt_unverified(token);
    let _ = decode_protected_header(token);
    accepted
}

/// Registered claim names, left out of random claims so that time and
/// audience checks do not interfere with the round trip.
const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

fn claim_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        "[a-zA-Z0-9 ]{0,20}".prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
    ]
}

fn claims() -> impl Strategy<Value = Map<String, Value>> {
    proptest::collection::btree_map(
        prop_oneof!["[a-z_]{1,12}", any::<String>()]
            .prop_filter("not a registered claim", |name| !REGISTERED.contains(&name.as_str())),
        claim_value(),
        0..8,
    )
    .prop_map(|map| map.into_iter().collect())
}

/// `claims` with an `exp` in 2100, which verification requires.
fn expiring(mut claims: Map<String, Value>) -> Map<String, Value> {
    claims.insert("exp".into(), Value::from(4_102_444_800_i64));
    claims
}

/// Arbitrary JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        base64url().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map("[a-z0-9#]{1,6}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A base64url string of random bytes, sometimes of a length a key member
/// really has, so fuzzing reaches past the length checks.
fn base64url() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80).prop_map(|b| b64(&b)),
        prop::sample::select(vec![1usize, 31, 32, 33, 48, 64, 66, 256, 257, 1312])
            .prop_flat_map(|len| proptest::collection::vec(any::<u8>(), len))
            .prop_map(|b| b64(&b)),
        "[A-Za-z0-9_=+/ -]{0,48}",
    ]
}

/// A JWK-shaped object: a known `kty` and `crv`, and random members.
fn jwk_like() -> impl Strategy<Value = Value> {
    let kty = prop::sample::select(vec!["oct", "RSA", "EC", "OKP", "AKP", "", "ec"]);
    let crv = prop::sample::select(vec![
        "P-256",
        "P-384",
        "P-521",
        "secp256k1",
        "Ed25519",
        "X25519",
        "P-257",
    ]);
    let alg = prop::sample::select(vec!["HS256", "RS256", "ES256", "EdDSA", "ML-DSA-44", "none", "PS512"]);
    let members = proptest::collection::btree_map(
        prop::sample::select(vec![
            "x", "y", "d", "n", "e", "k", "p", "q", "dp", "dq", "qi", "pub", "priv", "kid", "use",
        ]),
        base64url(),
        0..8,
    );
    let extras = proptest::collection::btree_map(
        prop::sample::select(vec!["key_ops", "oth", "x5c", "use", "alg", "crv"]),
        json_value(),
        0..2,
    );
    (
        kty,
        proptest::option::of(crv),
        proptest::option::of(alg),
        members,
        extras,
    )
        .prop_map(|(kty, crv, alg, members, extras)| {
            let mut map = Map::new();
            map.insert("kty".into(), kty.into());
            if let Some(crv) = crv {
                map.insert("crv".into(), crv.into());
            }
            if let Some(alg) = alg {
                map.insert("alg".into(), alg.into());
            }
            for (name, value) in members {
                map.insert(name.into(), value.into());
            }
            for (name, value) in extras {
                map.insert(name.into(), value);
            }
            Value::Object(map)
        })
}

/// A header-shaped object: an `alg` and a few registered or random parameters.
fn header_like() -> impl Strategy<Value = Value> {
    let alg = prop::sample::select(vec!["HS256", "ES256", "EdDSA", "RS256", "none", "HS512", ""]);
    let params = proptest::collection::btree_map(
        prop::sample::select(vec!["kid", "typ", "cty", "crit", "b64", "jwk", "x5t", "ext"]),
        json_value(),
        0..3,
    );
    (alg, params, proptest::option::of(jwk_like())).prop_map(|(alg, params, jwk)| {
        let mut map: Map<String, Value> = params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        map.insert("alg".into(), alg.into());
        if let Some(jwk) = jwk {
            map.insert("jwk".into(), jwk);
        }
        Value::Object(map)
    })
}

fn fast() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

fn rsa_cases() -> ProptestConfig {
    ProptestConfig::with_cases(64)
}

// --------------------------------------------------------- round trips

proptest! {
    #![proptest_config(fast())]

    #[test]
    fn hs256_compact_round_trips_any_payload(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
        let key = hs_key();
        let token = CompactSign::new(&payload).protected_header(JwsHeader::new(Alg::HS256)).sign(&key).unwrap();
        let verified = compact_verify(&token, &key, &JwsVerifyOptions::new().algorithms([Alg::HS256])).unwrap();
        prop_assert_eq!(verified.payload, payload);
    }

    #[test]
    fn es256_compact_round_trips_any_payload(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
        let token = CompactSign::new(&payload)
            .protected_header(JwsHeader::new(Alg::ES256))
            .sign(&ec().private_key)
            .unwrap();
        let verified = compact_verify(&token, &ec().public_key, &JwsVerifyOptions::new()).unwrap();
        prop_assert_eq!(verified.payload, payload);
    }

    #[test]
    fn eddsa_compact_round_trips_any_payload(payload in proptest::collection::vec(any::<u8>(), 0..512)) {
        let token = CompactSign::new(&payload)
            .protected_header(JwsHeader::new(Alg::EdDSA))
            .sign(&ed().private_key)
            .unwrap();
        let verified = compact_verify(&token, &ed().public_key, &JwsVerifyOptions::new()).unwrap();
        prop_assert_eq!(verified.payload, payload);
    }

    #[test]
    fn unencoded_payload_round_trips_when_detached(payload in proptest::collection::vec(any::<u8>(), 0..256)) {
        let mut header = JwsHeader::new(Alg::HS256);
        header.b64 = Some(false);
        let token = CompactSign::new(&payload).protected_header(header).detached().sign(&hs_key()).unwrap();
        let verified = rjose::jws::compact_verify_detached(&token, &payload, &hs_key(), &JwsVerifyOptions::new()).unwrap();
        prop_assert_eq!(verified.payload, payload);
    }

    #[test]
    fn claims_round_trip_through_sign_jwt_and_jwt_verify(claims in claims()) {
        let claims = expiring(claims);
        let token = SignJwt::from_claims(claims.clone())
            .protected_header(Alg::HS256)
            .sign(&hs_key())
            .unwrap();
        let verified = jwt_verify::<JsonObject>(&token, &hs_key(), &VerifyOptions::new()).unwrap();
        prop_assert_eq!(&verified.claims, &claims);
        prop_assert_eq!(decode_jwt_unverified(&token).unwrap(), claims.clone());
        // And through an asymmetric key and a key set.
        let token = SignJwt::from_claims(claims.clone())
            .protected_header(Alg::EdDSA)
            .kid("ed")
            .sign(&ed().private_key)
            .unwrap();
        let verified = jwt_verify::<JsonObject>(&token, key_set(), &VerifyOptions::new()).unwrap();
        prop_assert_eq!(verified.claims, claims);
    }

    #[test]
    fn secrets_round_trip_through_jwk(secret in proptest::collection::vec(any::<u8>(), 1..130)) {
        let key = Key::from_secret(&secret)?;
        let jwk = key.to_jwk().unwrap();
        prop_assert_eq!(jwk.kty.as_str(), "oct");
        let imported = Key::from_jwk_json(&jwk.to_json()).unwrap();
        prop_assert_eq!(jwk.k.clone(), Some(b64(&secret)));
        prop_assert_eq!(&imported.to_jwk().unwrap().k, &jwk.k);
        prop_assert_eq!(imported.bits(), secret.len() * 8);
        if secret.len() >= 32 {
            let token = CompactSign::new(b"x").protected_header(JwsHeader::new(Alg::HS256)).sign(&key).unwrap();
            prop_assert!(compact_verify(&token, &imported, &JwsVerifyOptions::new()).is_ok());
        } else {
            // Too short for HS256 (RFC 7518 section 3.2), on both sides.
            prop_assert!(matches!(
                CompactSign::new(b"x").protected_header(JwsHeader::new(Alg::HS256)).sign(&imported),
                Err(Error::InvalidKeyUse(_))
            ));
        }
    }

    #[test]
    fn generated_key_pairs_round_trip_through_jwk(ed in any::<bool>(), payload in proptest::collection::vec(any::<u8>(), 0..64)) {
        let alg = if ed { Alg::EdDSA } else { Alg::ES256 };
        let pair = generate_key_pair(alg, KeyPairOptions::default()).unwrap();
        let private = Key::from_jwk_json(&pair.private_key.to_jwk().unwrap().to_json()).unwrap();
        let public = Key::from_jwk_json(&pair.public_key.to_public_jwk().unwrap().to_json()).unwrap();
        prop_assert_eq!(private.to_jwk().unwrap(), pair.private_key.to_jwk().unwrap());
        let token = CompactSign::new(&payload).protected_header(JwsHeader::new(alg)).sign(&private).unwrap();
        prop_assert_eq!(compact_verify(&token, &public, &JwsVerifyOptions::new()).unwrap().payload, payload);
    }
}

proptest! {
    #![proptest_config(rsa_cases())]

    #[test]
    fn rsa_compact_round_trips_any_payload(payload in proptest::collection::vec(any::<u8>(), 0..512), pss in any::<bool>()) {
        let (alg, pair) = if pss { (Alg::PS256, rsa_pss()) } else { (Alg::RS256, rsa()) };
        let token = CompactSign::new(&payload).protected_header(JwsHeader::new(alg)).sign(&pair.private_key).unwrap();
        let verified = compact_verify(&token, &pair.public_key, &JwsVerifyOptions::new().algorithms([alg])).unwrap();
        prop_assert_eq!(verified.payload, payload);
    }

    #[test]
    fn rsa_jwt_round_trips_claims(claims in claims()) {
        let claims = expiring(claims);
        let token = SignJwt::from_claims(claims.clone())
            .protected_header(Alg::RS256)
            .sign(&rsa().private_key)
            .unwrap();
        let public = Key::from_jwk(&rsa().public_key.to_public_jwk().unwrap()).unwrap();
        let verified = jwt_verify::<JsonObject>(&token, &public, &VerifyOptions::new().algorithms([Alg::RS256])).unwrap();
        prop_assert_eq!(verified.claims, claims);
    }
}

// ----------------------------------------------------- no-panic parsing

proptest! {
    #![proptest_config(fast())]

    #[test]
    fn verifiers_never_panic_on_arbitrary_strings(token in any::<String>()) {
        prop_assert!(!exercise_token(&token));
    }

    #[test]
    fn verifiers_never_panic_on_token_like_strings(token in "[A-Za-z0-9_=+/. -]{0,120}") {
        prop_assert!(!exercise_token(&token));
    }

    #[test]
    fn verifiers_never_panic_on_three_random_base64url_segments(
        header in base64url(),
        payload in base64url(),
        signature in base64url(),
    ) {
        let token = format!("{header}.{payload}.{signature}");
        prop_assert!(!exercise_token(&token));
    }

    #[test]
    fn verifiers_never_panic_on_a_valid_header_and_random_payload(
        header in prop::sample::select(vec![
            r#"{"alg":"HS256"}"#, r#"{"alg":"ES256"}"#, r#"{"alg":"EdDSA"}"#, r#"{"alg":"RS256"}"#,
            r#"{"alg":"HS256","kid":"hs"}"#, r#"{"alg":"ES256","kid":"ec"}"#, r#"{"alg":"none"}"#,
        ]),
        payload in proptest::collection::vec(any::<u8>(), 0..256),
        signature in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let token = format!("{}.{}.{}", b64(header.as_bytes()), b64(&payload), b64(&signature));
        prop_assert!(!exercise_token(&token));
    }

    #[test]
    fn jwt_verify_never_panics_on_signed_random_payloads(payload in proptest::collection::vec(any::<u8>(), 0..256)) {
        let token = CompactSign::new(&payload).protected_header(JwsHeader::new(Alg::HS256)).sign(&hs_key()).unwrap();
        // The JWS is valid whatever the payload; the JWT only if it is a JSON object.
        prop_assert!(compact_verify(&token, &hs_key(), &JwsVerifyOptions::new()).is_ok());
        let is_object = matches!(serde_json::from_slice::<Value>(&payload), Ok(Value::Object(_)));
        if !is_object {
            prop_assert!(matches!(
                jwt_verify::<JsonObject>(&token, &hs_key(), &VerifyOptions::new()),
                Err(Error::JwtInvalid(_))
            ));
        }
    }

    #[test]
    fn jwt_verify_never_panics_on_signed_random_claims(claims in proptest::collection::btree_map(
        prop::sample::select(vec!["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "x"]),
        json_value(),
        0..6,
    )) {
        let claims: Map<String, Value> = claims.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let token = SignJwt::from_claims(claims).protected_header(Alg::HS256).sign(&hs_key()).unwrap();
        let options = VerifyOptions::new()
            .issuer("i")
            .audience("a")
            .max_token_age(3600u64)
            .clock_tolerance(5u64)
            .typ("JWT");
        // The signature is good, so any failure is about the claims.
        for options in [options, VerifyOptions::new()] {
            match jwt_verify::<JsonObject>(&token, &hs_key(), &options) {
                Ok(_)
                | Err(Error::JwtExpired { .. } | Error::JwtClaimValidationFailed { .. } | Error::JwtInvalid(_)) => {}
                Err(other) => prop_assert!(false, "unexpected error {:?}", other),
            }
        }
    }

    #[test]
    fn verifiers_never_panic_on_fuzzed_headers(header in header_like(), payload in json_value()) {
        let header_text = header.to_string();
        let payload_text = payload.to_string();
        let token = format!("{}.{}.{}", b64(header_text.as_bytes()), b64(payload_text.as_bytes()), b64(&[0u8; 64]));
        prop_assert!(!exercise_token(&token));
        // Through JwsHeader parsing too.
        if let Ok(parsed) = serde_json::from_value::<JwsHeader>(header) {
            let _ = parsed.to_map();
        }
    }

    #[test]
    fn jwk_import_never_panics_on_arbitrary_strings(json in any::<String>()) {
        prop_assert!(Key::from_jwk_json(&json).is_err());
        prop_assert!(LocalJwkSet::from_json(&json).is_err());
        prop_assert!(FlattenedJws::from_json(&json).is_err());
        prop_assert!(GeneralJws::from_json(&json).is_err());
    }

    #[test]
    fn jwk_import_never_panics_on_jwk_shaped_objects(jwk in jwk_like()) {
        let text = jwk.to_string();
        if let Ok(key) = Key::from_jwk_json(&text) {
            // Whatever was accepted exports and describes itself without panicking.
            let _ = key.to_jwk();
            let _ = key.to_public_jwk();
            let _ = key.algorithms();
            let _ = format!("{key:?}");
        }
        let set = LocalJwkSet::from_json(&json!({ "keys": [jwk.clone(), jwk] }).to_string()).unwrap();
        prop_assert_eq!(set.keys().len() + set.skipped(), 2);
    }

    #[test]
    fn key_set_parsing_never_panics_on_json(doc in json_value()) {
        // Only an array makes a set, and each entry is either a key or skipped.
        match LocalJwkSet::from_json(&json!({ "keys": doc }).to_string()) {
            Ok(set) => prop_assert!(doc.is_array() && set.keys().len() + set.skipped() == doc.as_array().unwrap().len()),
            Err(e) => prop_assert!(!doc.is_array() && matches!(e, Error::JwksInvalid(_))),
        }
        prop_assert!(doc.is_object() || LocalJwkSet::from_json(&doc.to_string()).is_err());
    }

    #[test]
    fn pem_import_never_panics(text in any::<String>()) {
        prop_assert!(Key::from_pem(&text).is_err());
        prop_assert!(Key::from_spki_pem(&text).is_err());
        prop_assert!(Key::from_pkcs8_pem(&text).is_err());
        prop_assert!(Key::from_encrypted_pkcs8_pem(&text, "pw").is_err());
    }

    #[test]
    fn pem_import_never_panics_on_pem_shaped_text(
        label in prop::sample::select(vec![
            "PUBLIC KEY", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "RSA PUBLIC KEY",
            "CERTIFICATE", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY", "",
        ]),
        body in "[A-Za-z0-9+/=\n]{0,200}",
    ) {
        let pem = format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n");
        prop_assert!(Key::from_pem(&pem).is_err());
        prop_assert!(Key::from_encrypted_pkcs8_pem(&pem, "pw").is_err());
    }

    #[test]
    fn der_import_never_panics(der in proptest::collection::vec(any::<u8>(), 0..512)) {
        prop_assert!(Key::from_der(&der).is_err());
        prop_assert!(Key::from_spki_der(&der).is_err());
        prop_assert!(Key::from_pkcs8_der(&der).is_err());
        prop_assert!(Key::from_x509_der(&der).is_err());
    }

    #[test]
    fn der_import_never_panics_on_mutated_keys(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut der = match which {
            0 => ec().public_key.to_spki_der().unwrap(),
            1 => ec().private_key.to_pkcs8_der().unwrap().to_vec(),
            2 => ed().private_key.to_pkcs8_der().unwrap().to_vec(),
            _ => rsa().public_key.to_spki_der().unwrap(),
        };
        for (index, byte) in edits {
            let i = index.index(der.len());
            der[i] = byte;
        }
        // A mutation may keep the key valid (a changed scalar is another
        // key), but whatever parses is a key of a known type.
        let known = |key: Key| ["RSA", "EC", "OKP", "AKP"].contains(&key.kty());
        for result in [Key::from_der(&der), Key::from_spki_der(&der), Key::from_pkcs8_der(&der)] {
            prop_assert!(result.map_or(true, known));
        }
        der.truncate(cut.index(der.len()));
        prop_assert!(Key::from_der(&der).map_or(true, known));
    }

    #[test]
    fn json_serializations_never_panic_on_structured_input(
        protected in proptest::option::of(header_like()),
        header in proptest::option::of(header_like()),
        payload in proptest::option::of(base64url()),
        signature in base64url(),
        extra in json_value(),
    ) {
        let mut flat = Map::new();
        if let Some(p) = &protected {
            flat.insert("protected".into(), b64(p.to_string().as_bytes()).into());
        }
        if let Some(h) = header {
            flat.insert("header".into(), h);
        }
        if let Some(p) = payload {
            flat.insert("payload".into(), p.into());
        }
        flat.insert("signature".into(), signature.into());
        let flat_text = Value::Object(flat.clone()).to_string();
        if let Ok(jws) = FlattenedJws::from_json(&flat_text) {
            for result in [
                flattened_verify(&jws, &hs_key(), &JwsVerifyOptions::new()),
                flattened_verify(&jws, key_set(), &JwsVerifyOptions::new()),
                flattened_verify(&jws, &EmbeddedJwk, &JwsVerifyOptions::new()),
            ] {
                prop_assert!(result.is_err());
            }
            let _ = jws.to_json();
        }
        let payload = flat.remove("payload");
        let mut general = Map::new();
        if let Some(p) = payload {
            general.insert("payload".into(), p);
        }
        general.insert("signatures".into(), json!([Value::Object(flat), extra]));
        let general_text = Value::Object(general).to_string();
        if let Ok(jws) = GeneralJws::from_json(&general_text) {
            prop_assert!(general_verify(&jws, &hs_key(), &JwsVerifyOptions::new()).is_err());
            prop_assert!(general_verify(&jws, key_set(), &JwsVerifyOptions::new()).is_err());
            let _ = jws.to_json();
        }
    }
}
