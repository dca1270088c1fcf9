//! Negative tests for the JWS JSON serializations: the fan-out limit of
//! the general form, and the rules tying the protected and unprotected
//! headers together (RFC 7515 section 7.2.1, RFC 7797 section 3).
//!
//! Every hostile JWS here carries a signature that is valid for the
//! header it is checked under, so that only the rule under test can
//! refuse it.

mod common;

use std::cell::Cell;

use rjose::jws::{
    DEFAULT_MAX_SIGNATURES, EmbeddedJwk, FlattenedJws, GeneralJws, GeneralSign, JwsHeader, JwsVerifyOptions,
    flattened_verify, general_verify,
};
use rjose::{Alg, Error, Key};
use serde_json::{Value, json};

use common::{b64, ec};

const SECRET: [u8; 32] = [0x3c; 32];
const PAYLOAD: &[u8] = b"hello";

fn hs_key() -> Key {
    Key::from_secret(SECRET).expect("a non-empty secret")
}

/// HMAC-SHA-256 of `protected_b64 '.' payload_segment` under [`SECRET`],
/// base64url: a signature the library would compute, for headers it will
/// not write.
fn hs256(protected_b64: &str, payload_segment: &str) -> String {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&SECRET).unwrap();
    mac.update(format!("{protected_b64}.{payload_segment}").as_bytes());
    b64(&mac.finalize().into_bytes())
}

/// A flattened JWS over [`PAYLOAD`] whose signature is valid for `protected`.
fn flattened(protected: &Value, unprotected: Value) -> FlattenedJws {
    let protected_b64 = b64(protected.to_string().as_bytes());
    let payload = b64(PAYLOAD);
    let json = json!({
        "protected": protected_b64,
        "header": unprotected,
        "payload": payload,
        "signature": hs256(&protected_b64, &payload),
    });
    FlattenedJws::from_json(&json.to_string()).expect("a flattened JWS")
}

/// The same JWS in the general serialization, with one signature.
fn general(flattened: &FlattenedJws) -> GeneralJws {
    let json = json!({
        "payload": flattened.payload,
        "signatures": [{
            "protected": flattened.protected,
            "header": flattened.header,
            "signature": flattened.signature,
        }],
    });
    GeneralJws::from_json(&json.to_string()).expect("a general JWS")
}

#[track_caller]
fn assert_jws_invalid_saying<T: std::fmt::Debug>(result: rjose::Result<T>, fragment: &str, what: &str) {
    match result {
        Err(e @ Error::JwsInvalid(_)) => {
            assert_eq!(e.code(), "ERR_JWS_INVALID", "{what}");
            assert!(
                e.to_string().contains(fragment),
                "{what}: {e} does not say {fragment:?}"
            );
        }
        other => panic!("{what}: expected JwsInvalid saying {fragment:?}, got {other:?}"),
    }
}

/// Both JSON serializations of the JWS are refused as invalid.
#[track_caller]
fn assert_both_forms_refused(jws: &FlattenedJws, fragment: &str, what: &str) {
    let options = JwsVerifyOptions::new();
    assert_jws_invalid_saying(flattened_verify(jws, &hs_key(), &options), fragment, what);
    assert_jws_invalid_saying(general_verify(&general(jws), &hs_key(), &options), fragment, what);
}

// ------------------------------------------------------------ fan-out

/// A general JWS with `count` valid HS256 signatures.
fn signed_by_many(count: usize, key: &Key) -> GeneralJws {
    (0..count)
        .fold(GeneralSign::new(PAYLOAD), |jws, _| {
            jws.add_signature(key, JwsHeader::new(Alg::HS256), None)
        })
        .sign()
        .expect("sign")
}

#[test]
fn general_jws_over_the_signature_limit_is_refused_before_any_signature_check() {
    let key = hs_key();
    let jws = signed_by_many(DEFAULT_MAX_SIGNATURES + 1, &key);
    let looked_up = Cell::new(0);
    let counting = |_: &JwsHeader| {
        looked_up.set(looked_up.get() + 1);
        Ok(key.clone())
    };
    let result = general_verify(&jws, &counting, &JwsVerifyOptions::new());
    assert_jws_invalid_saying(
        result,
        &format!("the JWS has 17 signatures, more than the limit of {DEFAULT_MAX_SIGNATURES}"),
        "17 signatures",
    );
    assert_eq!(looked_up.get(), 0, "a key was looked up for a JWS over the limit");
    let result = general_verify(&jws, &key, &JwsVerifyOptions::new());
    assert_jws_invalid_saying(
        result,
        "JwsVerifyOptions::max_signatures",
        "the message says how to raise it",
    );
}

#[test]
fn general_jws_at_the_signature_limit_verifies() {
    let key = hs_key();
    let jws = signed_by_many(DEFAULT_MAX_SIGNATURES, &key);
    let verified = general_verify(&jws, &key, &JwsVerifyOptions::new()).expect("16 signatures are within the limit");
    assert_eq!(verified.payload, PAYLOAD);
}

#[test]
fn signature_limit_is_configurable() {
    let key = hs_key();
    let jws = signed_by_many(40, &key);
    let raised = JwsVerifyOptions::new().max_signatures(40);
    assert_eq!(
        general_verify(&jws, &key, &raised).expect("raised limit").payload,
        PAYLOAD
    );
    let lowered = JwsVerifyOptions::new().max_signatures(1);
    assert_jws_invalid_saying(
        general_verify(&signed_by_many(2, &key), &key, &lowered),
        "the JWS has 2 signatures, more than the limit of 1",
        "lowered limit",
    );
}

// ------------------------------------------------------------ b64 agreement

#[test]
fn general_signatures_that_disagree_on_b64_are_refused() {
    // "aGVsbG8" is valid base64url, so it is a payload under either
    // reading, and each signature below verifies under its own header.
    let payload = "aGVsbG8";
    let unencoded = b64(br#"{"alg":"HS256","b64":false,"crit":["b64"]}"#);
    let encoded = b64(br#"{"alg":"HS256"}"#);
    let json = json!({
        "payload": payload,
        "signatures": [
            {"protected": unencoded, "signature": hs256(&unencoded, payload)},
            {"protected": encoded, "signature": hs256(&encoded, payload)},
        ],
    });
    let jws = GeneralJws::from_json(&json.to_string()).expect("a general JWS");
    let options = JwsVerifyOptions::new();
    assert_jws_invalid_saying(
        general_verify(&jws, &hs_key(), &options),
        "all signatures must agree on \"b64\"",
        "b64 false then true",
    );
    let mut swapped = jws.clone();
    swapped.signatures.reverse();
    assert_jws_invalid_saying(
        general_verify(&swapped, &hs_key(), &options),
        "all signatures must agree on \"b64\"",
        "b64 true then false",
    );
    // Each signature alone verifies: only the disagreement is refused.
    for signature in &jws.signatures {
        let mut alone = jws.clone();
        alone.signatures = vec![signature.clone()];
        general_verify(&alone, &hs_key(), &options).expect("one signature alone verifies");
    }
}

// ------------------------------------------------------------ protected vs unprotected

#[test]
fn unprotected_alg_never_overrides_the_protected_one() {
    for alg in ["HS256", "HS512", "ES256"] {
        let jws = flattened(&json!({"alg": "HS256"}), json!({"alg": alg}));
        assert_both_forms_refused(
            &jws,
            "header parameter \"alg\" appears in both the protected and the unprotected header",
            &format!("unprotected alg {alg}"),
        );
    }
}

#[test]
fn unprotected_kid_never_overrides_the_protected_one() {
    let jws = flattened(&json!({"alg": "HS256", "kid": "signer"}), json!({"kid": "attacker"}));
    assert_both_forms_refused(
        &jws,
        "header parameter \"kid\" appears in both the protected and the unprotected header",
        "unprotected kid",
    );
}

#[test]
fn unprotected_jwk_never_overrides_the_protected_one() {
    let signer = ec();
    let attacker = rjose::generate_key_pair(Alg::ES256, rjose::KeyPairOptions::default()).expect("key pair");
    let protected = json!({"alg": "ES256", "jwk": signer.public_key.to_public_jwk().expect("jwk")});
    let signed = rjose::jws::FlattenedSign::new(PAYLOAD)
        .protected_header_json(&protected.to_string())
        .sign(&signer.private_key)
        .expect("sign");
    let mut value = serde_json::to_value(&signed).expect("JSON");
    value["header"] = json!({"jwk": attacker.public_key.to_public_jwk().expect("jwk")});
    let jws = FlattenedJws::from_json(&value.to_string()).expect("a flattened JWS");
    let fragment = "header parameter \"jwk\" appears in both the protected and the unprotected header";
    let options = JwsVerifyOptions::new();
    assert_jws_invalid_saying(flattened_verify(&jws, &EmbeddedJwk, &options), fragment, "flattened");
    assert_jws_invalid_saying(
        general_verify(&general(&jws), &EmbeddedJwk, &options),
        fragment,
        "general",
    );
    // Without the unprotected copy the embedded key verifies it.
    flattened_verify(&signed, &EmbeddedJwk, &options).expect("the untouched JWS verifies");
}

#[test]
fn crit_in_the_unprotected_header_is_refused() {
    for (protected, unprotected) in [
        (json!({"alg": "HS256"}), json!({"crit": ["exp"], "exp": 1})),
        // Even naming a parameter the protected header does carry.
        (json!({"alg": "HS256", "exp": 1}), json!({"crit": ["exp"]})),
    ] {
        let jws = flattened(&protected, unprotected.clone());
        let options = JwsVerifyOptions::new().understands("exp");
        let what = format!("unprotected {unprotected}");
        let fragment = "\"crit\" must be integrity protected";
        assert_jws_invalid_saying(flattened_verify(&jws, &hs_key(), &options), fragment, &what);
        assert_jws_invalid_saying(general_verify(&general(&jws), &hs_key(), &options), fragment, &what);
    }
}

#[test]
fn b64_in_the_unprotected_header_is_refused() {
    for b64_value in [false, true] {
        let jws = flattened(&json!({"alg": "HS256"}), json!({"b64": b64_value}));
        assert_both_forms_refused(
            &jws,
            "\"b64\" must be integrity protected",
            &format!("unprotected b64 {b64_value}"),
        );
    }
    // Listed as critical in the protected header but set only in the
    // unprotected one: the protected header lacks what it marks critical.
    let jws = flattened(&json!({"alg": "HS256", "crit": ["b64"]}), json!({"b64": false}));
    assert_both_forms_refused(
        &jws,
        "critical header parameter \"b64\" is missing",
        "b64 only unprotected",
    );
}
