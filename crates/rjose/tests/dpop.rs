//! DPoP proofs (RFC 9449): creation, every check of section 4.3 with its
//! own code, the `htu` normalization, replay protection, and the RFC's own
//! example proofs.

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use rjose::dpop::{
    DpopFailure, DpopProof, DpopVerifyOptions, InMemoryJtiStore, JtiStatus, JtiStore, VerifiedProof, ath,
    confirmation_jkt, verify_proof,
};
use rjose::jws::CompactSign;
use rjose::{Alg, Digest, Error, Key, KeyPair, Result};
use serde_json::{Value, json};

use common::{b64, unb64};

const HTU: &str = "https://api.example/orders";
const NOW: i64 = 1_700_000_000;

fn es256() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    common::pair(&SLOT, Alg::ES256)
}

fn ed25519() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    common::pair(&SLOT, Alg::EdDSA)
}

fn rsa() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    // Unbound: one RSA key signs both RS256 and PS256 proofs.
    SLOT.get_or_init(|| common::unbound_pair(common::rsa().clone()))
}

/// A proof for `GET HTU` at `NOW`.
fn proof() -> DpopProof {
    DpopProof::new("GET", HTU).clock(NOW)
}

/// The options `proof()` satisfies.
fn options() -> DpopVerifyOptions {
    DpopVerifyOptions::new("GET", HTU).current_time(NOW)
}

/// The claims of a valid proof, for forging variants of it.
fn claims() -> Value {
    json!({ "jti": "a-unique-id", "htm": "GET", "htu": HTU, "iat": NOW })
}

fn public_jwk(key: &Key) -> Value {
    serde_json::from_str(&key.to_public_jwk().expect("public jwk").to_json()).expect("json")
}

/// A JWS of `claims` under exactly `header`, signed by `key`: what a
/// client that does not follow the rules sends.
fn forge(header: Value, claims: &Value, key: &Key) -> String {
    CompactSign::new(claims.to_string().as_bytes())
        .protected_header_json(&header.to_string())
        .sign(key)
        .expect("forged proof")
}

/// A proof of `claims` with a correct header, signed by the ES256 key.
fn with_claims(claims: &Value) -> String {
    let key = &es256().private_key;
    forge(
        json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk(key) }),
        claims,
        key,
    )
}

/// Asserts a refusal with `reason` and its exact `code`; returns the message.
#[track_caller]
fn refused<T: std::fmt::Debug>(result: Result<T>, reason: DpopFailure, code: &str) -> String {
    match result {
        Err(Error::DpopInvalid {
            reason: actual,
            message,
        }) if actual == reason => {
            let error = Error::DpopInvalid {
                reason: actual,
                message: message.clone(),
            };
            assert_eq!(error.code(), code);
            message
        }
        other => panic!("expected {code}, got {other:?}"),
    }
}

#[track_caller]
fn accepted(proof: &str, options: &DpopVerifyOptions) -> VerifiedProof {
    verify_proof(proof, options).unwrap_or_else(|e| panic!("expected the proof to verify, got {}: {e}", e.code()))
}

fn payload_of(proof: &str) -> Value {
    let payload = proof.split('.').nth(1).expect("payload");
    serde_json::from_slice(&unb64(payload)).expect("claims")
}

fn header_of(proof: &str) -> Value {
    let header = proof.split('.').next().expect("header");
    serde_json::from_slice(&unb64(header)).expect("header")
}

// ------------------------------------------------------------ round trips

#[test]
fn round_trips_with_each_algorithm_of_the_rfc() {
    let cases: [(&Key, Option<Alg>, &str); 4] = [
        (&es256().private_key, None, "ES256"),
        (&ed25519().private_key, None, "EdDSA"),
        (&rsa().private_key, Some(Alg::RS256), "RS256"),
        (&rsa().private_key, Some(Alg::PS256), "PS256"),
    ];
    for (key, alg, name) in cases {
        let builder = proof().access_token("at").nonce("n1");
        let signed = match alg {
            Some(alg) => builder.alg(alg),
            None => builder,
        }
        .sign(key)
        .expect(name);
        let verified = accepted(&signed, &options().access_token("at").nonce("n1"));

        assert_eq!(verified.header().alg.map(Alg::name), Some(name));
        assert_eq!(verified.header().typ.as_deref(), Some("dpop+jwt"));
        assert_eq!(
            verified.jkt(),
            key.thumbprint(Digest::Sha256).expect("thumbprint"),
            "{name}"
        );
        assert_eq!((verified.htm(), verified.htu(), verified.iat()), ("GET", HTU, NOW));
        assert_eq!(verified.nonce(), Some("n1"));
        assert_eq!(verified.ath(), Some(ath("at").as_str()));
        // 128 random bits, base64url.
        assert_eq!(verified.jti().len(), 22, "{name}");
        assert!(!verified.key().is_private());
    }
}

#[test]
fn proof_header_carries_only_the_public_key_members() {
    let key = es256().private_key.with_kid("k1").with_use("sig");
    let header = header_of(&proof().sign(&key).expect("proof"));
    let jwk = header["jwk"].as_object().expect("jwk");
    let mut members: Vec<&str> = jwk.keys().map(String::as_str).collect();
    members.sort_unstable();
    assert_eq!(members, ["crv", "kty", "x", "y"]);
    assert_eq!(header["typ"], "dpop+jwt");
    assert_eq!(header["alg"], "ES256");
}

#[test]
fn proof_htu_leaves_out_query_fragment_and_credentials() {
    let signed = DpopProof::new("GET", "https://user:secret@api.example/orders?page=2#top")
        .sign(&es256().private_key)
        .expect("proof");
    assert_eq!(payload_of(&signed)["htu"], HTU);
}

#[test]
fn each_proof_gets_a_new_jti_unless_one_is_named() {
    let key = &es256().private_key;
    let a = payload_of(&proof().sign(key).expect("a"));
    let b = payload_of(&proof().sign(key).expect("b"));
    assert_ne!(a["jti"], b["jti"]);
    assert_eq!(
        payload_of(&proof().jti("mine").sign(key).expect("named"))["jti"],
        "mine"
    );
}

#[test]
fn issued_at_is_relative_to_the_clock() {
    let signed = proof().issued_at("10s ago").sign(&es256().private_key).expect("proof");
    assert_eq!(payload_of(&signed)["iat"], NOW - 10);
}

// ------------------------------------------------------------ creating: refusals

#[test]
fn builder_reports_bad_inputs_when_signing() {
    let key = &es256().private_key;
    let cases = [
        (DpopProof::new("GET /", HTU), "htm"),
        (DpopProof::new("", HTU), "htm"),
        (DpopProof::new("GET", "/orders"), "htu"),
        (DpopProof::new("GET", "ftp://api.example/x"), "htu"),
        (proof().issued_at("soon"), "iat"),
        (DpopProof::new("GET", HTU).clock("15x"), "clock"),
    ];
    for (builder, mentions) in cases {
        match builder.sign(key) {
            Err(e @ Error::InvalidArgument(_)) => {
                assert_eq!(e.code(), "ERR_JOSE_INVALID_ARGUMENT");
                assert!(e.to_string().contains(mentions), "{e}");
            }
            other => panic!("expected an invalid argument about {mentions}, got {other:?}"),
        }
    }
}

#[test]
fn refuses_to_sign_with_a_secret_or_a_public_key() {
    let secret = Key::from_secret([7u8; 32]).expect("secret");
    assert_eq!(proof().sign(&secret).unwrap_err().code(), "ERR_JOSE_INVALID_KEY_USE");
    assert_eq!(
        proof().sign(&es256().public_key).unwrap_err().code(),
        "ERR_JOSE_INVALID_KEY_USE"
    );
}

#[test]
fn refuses_a_mac_algorithm_and_needs_one_named_for_rsa() {
    let rsa = &rsa().private_key;
    assert_eq!(
        proof().alg(Alg::HS256).sign(rsa).unwrap_err().code(),
        "ERR_JOSE_ALG_NOT_ALLOWED"
    );
    assert_eq!(proof().sign(rsa).unwrap_err().code(), "ERR_JOSE_INVALID_ARGUMENT");
    assert_eq!(
        proof().alg(Alg::ES384).sign(&es256().private_key).unwrap_err().code(),
        "ERR_JOSE_INVALID_KEY_USE"
    );
}

// ------------------------------------------------------------ header checks

#[test]
fn rejects_a_proof_that_is_not_one_compact_jwt() {
    // "bm90" is `not`: a header that is not JSON.
    for proof in ["", "a.b", "a.b.c.d", "!!.e30.AA", "bm90.e30.AA"] {
        refused(
            verify_proof(proof, &options()),
            DpopFailure::Malformed,
            "ERR_DPOP_PROOF_INVALID",
        );
    }
}

#[test]
fn rejects_wrong_or_missing_typ() {
    let key = &es256().private_key;
    for typ in [
        json!("JWT"),
        json!("DPoP+JWT"),
        json!("application/dpop+jwt"),
        Value::Null,
    ] {
        let mut header = json!({ "alg": "ES256", "jwk": public_jwk(key) });
        if !typ.is_null() {
            header["typ"] = typ;
        }
        let message = refused(
            verify_proof(&forge(header, &claims(), key), &options()),
            DpopFailure::TypMismatch,
            "ERR_DPOP_TYP_INVALID",
        );
        assert!(message.contains("typ"), "{message}");
    }
}

#[test]
fn rejects_an_hs256_proof_even_when_hs256_is_the_only_hope() {
    let secret = Key::from_secret([7u8; 32]).expect("secret");
    let forged = forge(
        json!({ "typ": "dpop+jwt", "alg": "HS256", "jwk": public_jwk(&es256().private_key) }),
        &claims(),
        &secret,
    );
    refused(
        verify_proof(&forged, &options()),
        DpopFailure::AlgNotAllowed,
        "ERR_DPOP_ALG_NOT_ALLOWED",
    );
    // Options naming a MAC are a caller error, not a proof failure.
    let mac_options = options().algorithms([Alg::HS256]);
    assert_eq!(
        verify_proof(&forged, &mac_options).unwrap_err().code(),
        "ERR_JOSE_INVALID_ARGUMENT"
    );
}

#[test]
fn rejects_alg_none() {
    let header = json!({ "typ": "dpop+jwt", "alg": "none", "jwk": public_jwk(&es256().private_key) });
    let unsigned = format!(
        "{}.{}.",
        b64(header.to_string().as_bytes()),
        b64(claims().to_string().as_bytes())
    );
    refused(
        verify_proof(&unsigned, &options()),
        DpopFailure::AlgNotAllowed,
        "ERR_DPOP_ALG_NOT_ALLOWED",
    );
}

#[test]
fn rejects_an_algorithm_outside_the_allow_list() {
    let signed = proof().sign(&ed25519().private_key).expect("proof");
    refused(
        verify_proof(&signed, &options().algorithms([Alg::ES256])),
        DpopFailure::AlgNotAllowed,
        "ERR_DPOP_ALG_NOT_ALLOWED",
    );
}

#[test]
fn rejects_a_private_key_in_the_jwk_header() {
    let key = &es256().private_key;
    let private: Value = serde_json::from_str(&key.to_jwk().expect("jwk").to_json()).expect("json");
    let forged = forge(
        json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": private }),
        &claims(),
        key,
    );
    let message = refused(
        verify_proof(&forged, &options()),
        DpopFailure::JwkInvalid,
        "ERR_DPOP_JWK_INVALID",
    );
    assert!(message.contains("private"), "{message}");

    // An RSA public key with one CRT parameter and no "d" is private too.
    let rsa = &rsa().private_key;
    let mut jwk = public_jwk(rsa);
    jwk["p"] = json!(b64(b"a prime factor"));
    let forged = forge(json!({ "typ": "dpop+jwt", "alg": "RS256", "jwk": jwk }), &claims(), rsa);
    let message = refused(
        verify_proof(&forged, &options()),
        DpopFailure::JwkInvalid,
        "ERR_DPOP_JWK_INVALID",
    );
    assert!(message.contains("private"), "{message}");
}

#[test]
fn rejects_a_missing_or_symmetric_jwk() {
    let key = &es256().private_key;
    let forged = forge(json!({ "typ": "dpop+jwt", "alg": "ES256" }), &claims(), key);
    refused(
        verify_proof(&forged, &options()),
        DpopFailure::JwkInvalid,
        "ERR_DPOP_JWK_INVALID",
    );

    let oct = json!({ "kty": "oct", "k": b64(&[7u8; 32]) });
    let forged = forge(json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": oct }), &claims(), key);
    refused(
        verify_proof(&forged, &options()),
        DpopFailure::JwkInvalid,
        "ERR_DPOP_JWK_INVALID",
    );
}

#[test]
fn rejects_a_jwk_that_cannot_serve_the_alg() {
    // An EC P-256 key under RS256, and under ES384: refused before the
    // signature is looked at.
    for alg in ["RS256", "ES384"] {
        let header = json!({ "typ": "dpop+jwt", "alg": alg, "jwk": public_jwk(&es256().private_key) });
        let forged = format!(
            "{}.{}.{}",
            b64(header.to_string().as_bytes()),
            b64(claims().to_string().as_bytes()),
            b64(&[1u8; 64])
        );
        let message = refused(
            verify_proof(&forged, &options()),
            DpopFailure::JwkInvalid,
            "ERR_DPOP_JWK_INVALID",
        );
        assert!(message.contains(alg), "{message}");
    }
}

#[test]
fn rejects_a_bad_signature() {
    let signed = proof().sign(&es256().private_key).expect("proof");
    // Another payload under the same header and signature.
    let mut parts: Vec<String> = signed.split('.').map(str::to_owned).collect();
    let mut tampered = payload_of(&signed);
    tampered["htm"] = json!("GET");
    tampered["jti"] = json!("another");
    parts[1] = b64(tampered.to_string().as_bytes());
    refused(
        verify_proof(&parts.join("."), &options()),
        DpopFailure::SignatureInvalid,
        "ERR_DPOP_SIGNATURE_INVALID",
    );

    // Signed by another key than the one in "jwk".
    let other = rjose::generate_key_pair(Alg::ES256, Default::default()).expect("key");
    let forged = forge(
        json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk(&es256().private_key) }),
        &claims(),
        &other.private_key,
    );
    refused(
        verify_proof(&forged, &options()),
        DpopFailure::SignatureInvalid,
        "ERR_DPOP_SIGNATURE_INVALID",
    );
}

#[test]
fn rejects_an_unknown_critical_extension() {
    let key = &es256().private_key;
    let forged = forge(
        json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk(key), "crit": ["x-ext"], "x-ext": 1 }),
        &claims(),
        key,
    );
    refused(
        verify_proof(&forged, &options()),
        DpopFailure::Malformed,
        "ERR_DPOP_PROOF_INVALID",
    );
}

#[test]
fn rejects_an_unencoded_payload() {
    let key = &es256().private_key;
    let header = json!({ "typ": "dpop+jwt", "alg": "ES256", "jwk": public_jwk(key), "b64": false, "crit": ["b64"] });
    // Refused before the signature is looked at.
    let unencoded = format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        r#"{"jti":"x","htm":"GET"}"#,
        b64(&[1u8; 64])
    );
    refused(
        verify_proof(&unencoded, &options()),
        DpopFailure::Malformed,
        "ERR_DPOP_PROOF_INVALID",
    );
}

// ------------------------------------------------------------ claims

#[test]
fn rejects_each_missing_required_claim() {
    for name in ["jti", "htm", "htu", "iat"] {
        let mut claims = claims();
        claims.as_object_mut().expect("object").remove(name);
        let message = refused(
            verify_proof(&with_claims(&claims), &options()),
            DpopFailure::ClaimMissing,
            "ERR_DPOP_CLAIM_MISSING",
        );
        assert!(message.contains(name), "{message}");
    }
}

#[test]
fn rejects_claims_of_the_wrong_type() {
    for (name, value) in [
        ("iat", json!("now")),
        ("htm", json!(1)),
        ("jti", json!("")),
        ("htu", json!(null)),
    ] {
        let mut claims = claims();
        claims[name] = value;
        refused(
            verify_proof(&with_claims(&claims), &options()),
            DpopFailure::Malformed,
            "ERR_DPOP_PROOF_INVALID",
        );
    }
}

#[test]
fn rejects_signed_claims_that_are_not_a_json_object() {
    for payload in [json!([]), json!("claims"), json!(1)] {
        refused(
            verify_proof(&with_claims(&payload), &options()),
            DpopFailure::Malformed,
            "ERR_DPOP_PROOF_INVALID",
        );
    }
}

#[test]
fn rejects_another_method() {
    let signed = proof().sign(&es256().private_key).expect("proof");
    // Methods are case-sensitive (RFC 9110 section 9.1).
    for method in ["POST", "get", "Get"] {
        let options = DpopVerifyOptions::new(method, HTU).current_time(NOW);
        refused(
            verify_proof(&signed, &options),
            DpopFailure::HtmMismatch,
            "ERR_DPOP_HTM_MISMATCH",
        );
    }
}

#[test]
fn rejects_htu_with_another_path_host_port_or_scheme() {
    let signed = proof().sign(&es256().private_key).expect("proof");
    for request in [
        "https://api.example/orders/1",
        "https://api.example/Orders",
        "https://api.example/orders/",
        "https://evil.example/orders",
        "https://api.example:8443/orders",
        "http://api.example/orders",
        "http://api.example:443/orders",
    ] {
        let options = DpopVerifyOptions::new("GET", request).current_time(NOW);
        let message = refused(
            verify_proof(&signed, &options),
            DpopFailure::HtuMismatch,
            "ERR_DPOP_HTU_MISMATCH",
        );
        assert!(message.contains("htu"), "{request}: {message}");
    }
}

#[test]
fn rejects_an_htu_that_is_not_an_http_uri() {
    for htu in ["/orders", "urn:x:y", "ftp://api.example/orders"] {
        let mut claims = claims();
        claims["htu"] = json!(htu);
        refused(
            verify_proof(&with_claims(&claims), &options()),
            DpopFailure::HtuMismatch,
            "ERR_DPOP_HTU_MISMATCH",
        );
    }
}

#[test]
fn accepts_htu_equal_after_normalization() {
    // (what the proof says, what the request was)
    let pairs = [
        ("https://api.example:443/orders", "https://api.example/orders"),
        ("http://api.example:80/orders", "http://api.example/orders"),
        ("HTTPS://API.Example/orders", "https://api.example/orders"),
        ("https://api.example/%6Frders", "https://api.example/orders"),
        ("https://api.example/a%2fb", "https://api.example/a%2Fb"),
        ("https://api.example/a/%7euser", "https://api.example/a/~user"),
        ("https://api.example/x/../orders", "https://api.example/orders"),
        ("https://api.example/./orders", "https://api.example/orders"),
        ("https://api.example", "https://api.example/"),
    ];
    for (claimed, request) in pairs {
        let mut claims = claims();
        claims["htu"] = json!(claimed);
        let options = DpopVerifyOptions::new("GET", request).current_time(NOW);
        accepted(&with_claims(&claims), &options);
        // And the other way round.
        claims["htu"] = json!(request);
        let options = DpopVerifyOptions::new("GET", claimed).current_time(NOW);
        accepted(&with_claims(&claims), &options);
    }
}

#[test]
fn accepts_htu_whatever_the_query_and_fragment() {
    let signed = proof().sign(&es256().private_key).expect("proof");
    let request = DpopVerifyOptions::new("GET", "https://api.example/orders?page=2&sort=asc#top").current_time(NOW);
    accepted(&signed, &request);

    let mut claims = claims();
    claims["htu"] = json!("https://api.example/orders?page=9#x");
    accepted(&with_claims(&claims), &options());
}

// ------------------------------------------------------------ time

#[test]
fn iat_window_is_max_age_back_and_the_tolerance_either_way() {
    let key = &es256().private_key;
    let at = |iat: i64| proof().issued_at(iat).sign(key).expect("proof");
    // Defaults: 300 s back, 30 s tolerance.
    accepted(&at(NOW - 330), &options());
    accepted(&at(NOW + 30), &options());
    let stale = refused(
        verify_proof(&at(NOW - 331), &options()),
        DpopFailure::IatOutOfWindow,
        "ERR_DPOP_IAT_INVALID",
    );
    assert!(stale.contains("old"), "{stale}");
    let future = refused(
        verify_proof(&at(NOW + 31), &options()),
        DpopFailure::IatOutOfWindow,
        "ERR_DPOP_IAT_INVALID",
    );
    assert!(future.contains("future"), "{future}");

    // Configured: 60 s back, no tolerance.
    let strict = options().max_age("1m").clock_tolerance(0u64);
    accepted(&at(NOW - 60), &strict);
    accepted(&at(NOW), &strict);
    refused(
        verify_proof(&at(NOW - 61), &strict),
        DpopFailure::IatOutOfWindow,
        "ERR_DPOP_IAT_INVALID",
    );
    refused(
        verify_proof(&at(NOW + 1), &strict),
        DpopFailure::IatOutOfWindow,
        "ERR_DPOP_IAT_INVALID",
    );
}

#[test]
fn bad_time_options_are_invalid_arguments() {
    let signed = proof().sign(&es256().private_key).expect("proof");
    for options in [
        options().max_age("5x"),
        options().clock_tolerance("-5s"),
        DpopVerifyOptions::new("GET", HTU).current_time("soon"),
        DpopVerifyOptions::new("GET", "not a uri"),
        DpopVerifyOptions::new("GET / HTTP/1.1", HTU),
    ] {
        assert_eq!(
            verify_proof(&signed, &options).unwrap_err().code(),
            "ERR_JOSE_INVALID_ARGUMENT"
        );
    }
}

// ------------------------------------------------------------ nonce, ath, binding

#[test]
fn a_required_nonce_missing_or_stale_asks_for_a_new_one() {
    let key = &es256().private_key;
    let required = options().nonce("n-2");

    let without = proof().sign(key).expect("proof");
    refused(
        verify_proof(&without, &required),
        DpopFailure::NonceMissing,
        "ERR_DPOP_NONCE_REQUIRED",
    );
    let stale = proof().nonce("n-1").sign(key).expect("proof");
    refused(
        verify_proof(&stale, &required),
        DpopFailure::NonceMismatch,
        "ERR_DPOP_NONCE_INVALID",
    );
    for reason in [DpopFailure::NonceMissing, DpopFailure::NonceMismatch] {
        assert_eq!(reason.oauth_error(), Some("use_dpop_nonce"));
    }

    let fresh = proof().nonce("n-2").sign(key).expect("proof");
    assert_eq!(accepted(&fresh, &required).nonce(), Some("n-2"));
    // No nonce required: one that is present is not checked.
    accepted(&stale, &options());
}

#[test]
fn a_nonce_check_accepts_what_it_returns_true_for() {
    let key = &es256().private_key;
    let rotating = options().nonce_check(|nonce| nonce == "n-2" || nonce == "n-1");
    accepted(&proof().nonce("n-1").sign(key).expect("proof"), &rotating);
    refused(
        verify_proof(&proof().nonce("n-0").sign(key).expect("proof"), &rotating),
        DpopFailure::NonceMismatch,
        "ERR_DPOP_NONCE_INVALID",
    );
    refused(
        verify_proof(&proof().sign(key).expect("proof"), &rotating),
        DpopFailure::NonceMissing,
        "ERR_DPOP_NONCE_REQUIRED",
    );
}

#[test]
fn with_an_access_token_ath_is_required_and_must_match() {
    let key = &es256().private_key;
    let with_token = options().access_token("the-token");

    let without = proof().sign(key).expect("proof");
    let message = refused(
        verify_proof(&without, &with_token),
        DpopFailure::AthMismatch,
        "ERR_DPOP_ATH_MISMATCH",
    );
    assert!(message.contains("missing"), "{message}");
    let other = proof().access_token("another-token").sign(key).expect("proof");
    refused(
        verify_proof(&other, &with_token),
        DpopFailure::AthMismatch,
        "ERR_DPOP_ATH_MISMATCH",
    );

    let bound = proof().access_token("the-token").sign(key).expect("proof");
    accepted(&bound, &with_token);
}

#[test]
fn rejects_a_key_other_than_the_one_the_token_is_bound_to() {
    let signed = proof().sign(&es256().private_key).expect("proof");
    let other_jkt = ed25519().public_key.thumbprint(Digest::Sha256).expect("thumbprint");
    let message = refused(
        verify_proof(&signed, &options().expected_jkt(&other_jkt)),
        DpopFailure::BindingMismatch,
        "ERR_DPOP_BINDING_MISMATCH",
    );
    assert!(message.contains(&other_jkt), "{message}");
    assert_eq!(DpopFailure::BindingMismatch.oauth_error(), Some("invalid_token"));

    let own_jkt = es256().public_key.thumbprint(Digest::Sha256).expect("thumbprint");
    accepted(&signed, &options().expected_jkt(own_jkt));
}

#[test]
fn check_binding_reads_the_tokens_cnf_jkt() {
    let verified = accepted(&proof().sign(&es256().private_key).expect("proof"), &options());
    let bound = json!({ "sub": "u", "cnf": { "jkt": verified.jkt() } });
    verified
        .check_binding(bound.as_object().expect("claims"))
        .expect("bound");
    assert_eq!(
        confirmation_jkt(bound.as_object().expect("claims")),
        Some(verified.jkt())
    );

    for claims in [
        json!({ "sub": "u" }),
        json!({ "sub": "u", "cnf": { "jkt": "someone-else" } }),
        json!({ "sub": "u", "cnf": { "x5t#S256": "a-certificate" } }),
        json!({ "sub": "u", "cnf": "jkt" }),
    ] {
        refused(
            verified.check_binding(claims.as_object().expect("claims")),
            DpopFailure::BindingMismatch,
            "ERR_DPOP_BINDING_MISMATCH",
        );
    }
}

// ------------------------------------------------------------ replay

#[test]
fn a_replayed_proof_is_refused_and_another_jti_accepted() {
    let key = &es256().private_key;
    let store = InMemoryJtiStore::default();
    let first = proof().sign(key).expect("proof");
    accepted(&first, &options()).check_replay(&store).expect("fresh");
    refused(
        accepted(&first, &options()).check_replay(&store),
        DpopFailure::Replayed,
        "ERR_DPOP_REPLAYED",
    );
    let second = proof().sign(key).expect("proof");
    accepted(&second, &options()).check_replay(&store).expect("another jti");
    assert_eq!(store.len(), 2);
}

#[test]
fn the_same_jti_from_another_key_or_for_another_uri_is_not_a_replay() {
    let store = InMemoryJtiStore::default();
    let sign = |key: &Key, htu: &str| {
        DpopProof::new("GET", htu)
            .clock(NOW)
            .jti("same")
            .sign(key)
            .expect("proof")
    };
    let check = |proof: &str, htu: &str| {
        verify_proof(proof, &DpopVerifyOptions::new("GET", htu).current_time(NOW))
            .and_then(|verified| verified.check_replay(&store))
    };
    check(&sign(&es256().private_key, HTU), HTU).expect("first");
    check(&sign(&ed25519().private_key, HTU), HTU).expect("another key");
    let elsewhere = "https://api.example/invoices";
    check(&sign(&es256().private_key, elsewhere), elsewhere).expect("another URI");
    // The same key, URI and jti: a replay even though the proof is new.
    refused(
        check(&sign(&es256().private_key, HTU), HTU),
        DpopFailure::Replayed,
        "ERR_DPOP_REPLAYED",
    );
}

#[test]
fn a_proof_is_remembered_exactly_as_long_as_it_is_accepted() {
    let store = InMemoryJtiStore::default();
    let signed = proof().sign(&es256().private_key).expect("proof");
    let verified = accepted(&signed, &options());
    // iat + max_age + tolerance + 1: the first second it is too old.
    assert_eq!(verified.replay_expires_at(), NOW + 300 + 30 + 1);
    verified.check_replay(&store).expect("fresh");

    let last_second = options().current_time(verified.replay_expires_at() - 1);
    refused(
        accepted(&signed, &last_second).check_replay(&store),
        DpopFailure::Replayed,
        "ERR_DPOP_REPLAYED",
    );
    let expired = options().current_time(verified.replay_expires_at());
    refused(
        verify_proof(&signed, &expired),
        DpopFailure::IatOutOfWindow,
        "ERR_DPOP_IAT_INVALID",
    );
    // By then the store has let the entry go.
    assert_eq!(
        store
            .insert_if_absent(
                "unrelated",
                verified.replay_expires_at() + 10,
                verified.replay_expires_at()
            )
            .expect("insert"),
        JtiStatus::Fresh
    );
    assert_eq!(store.len(), 1);
}

#[test]
fn in_memory_store_expires_entries_with_a_fixed_clock() {
    let store = InMemoryJtiStore::new(10);
    assert_eq!(store.insert_if_absent("a", 100, 0).expect("a"), JtiStatus::Fresh);
    assert_eq!(store.insert_if_absent("b", 200, 0).expect("b"), JtiStatus::Fresh);
    assert_eq!(
        store.insert_if_absent("a", 100, 99).expect("a again"),
        JtiStatus::Replayed
    );
    assert_eq!(
        store.insert_if_absent("a", 300, 100).expect("a expired"),
        JtiStatus::Fresh
    );
    assert_eq!(
        store.insert_if_absent("b", 300, 199).expect("b again"),
        JtiStatus::Replayed
    );
    assert_eq!(store.len(), 2);
    assert_eq!(store.insert_if_absent("c", 400, 300).expect("c"), JtiStatus::Fresh);
    assert_eq!(store.len(), 1, "a and b expired at 300");
    // An entry already past its expiry is not kept.
    assert_eq!(store.insert_if_absent("d", 10, 300).expect("d"), JtiStatus::Fresh);
    assert_eq!(store.len(), 1);
}

#[test]
fn a_full_store_refuses_new_proofs_but_still_catches_replays() {
    let store = InMemoryJtiStore::new(2);
    assert_eq!(store.capacity(), 2);
    store.insert_if_absent("a", 100, 0).expect("a");
    store.insert_if_absent("b", 200, 0).expect("b");
    let full = store.insert_if_absent("c", 300, 50);
    refused(full, DpopFailure::ReplayCacheFull, "ERR_DPOP_REPLAY_CACHE_FULL");
    assert_eq!(DpopFailure::ReplayCacheFull.oauth_error(), None);
    // Nothing was evicted: a replay of "a" is still one.
    assert_eq!(store.insert_if_absent("a", 100, 50).expect("a"), JtiStatus::Replayed);
    // Once "a" expires there is room again.
    assert_eq!(store.insert_if_absent("c", 300, 100).expect("c"), JtiStatus::Fresh);
    assert_eq!(store.len(), 2);
}

#[test]
fn the_store_is_shared_between_threads() {
    let store = std::sync::Arc::new(InMemoryJtiStore::default());
    let fresh: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let store = std::sync::Arc::clone(&store);
                scope.spawn(move || {
                    (0..50)
                        .filter(|i| {
                            store.insert_if_absent(&format!("k{i}"), 100, 0).expect("insert") == JtiStatus::Fresh
                        })
                        .count()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    // Each of the 50 keys was fresh for exactly one thread.
    assert_eq!(fresh, 50);
}

// ------------------------------------------------------------ RFC 9449 examples

struct Example {
    figure: String,
    htm: String,
    htu: String,
    iat: i64,
    access_token: Option<String>,
    proof: String,
}

fn rfc_examples() -> Vec<Example> {
    let text = include_str!("fixtures/dpop/rfc9449-examples.txt");
    text.split("\n\n")
        .filter(|record| record.starts_with("figure:"))
        .map(|record| {
            let field = |name: &str| {
                record
                    .lines()
                    .find_map(|line| line.strip_prefix(name).and_then(|rest| rest.strip_prefix(": ")))
                    .map(str::to_owned)
            };
            Example {
                figure: field("figure").expect("figure"),
                htm: field("htm").expect("htm"),
                htu: field("htu").expect("htu"),
                iat: field("iat").expect("iat").parse().expect("iat"),
                access_token: field("access_token"),
                proof: field("proof").expect("proof"),
            }
        })
        .collect()
}

/// The thumbprint of the examples' key, as RFC 9449 Figures 9 and 11 give it.
const RFC_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

#[test]
fn rfc_9449_example_proofs_verify() {
    let examples = rfc_examples();
    assert_eq!(examples.len(), 3);
    for example in examples {
        let mut options = DpopVerifyOptions::new(example.htm.as_str(), example.htu.as_str())
            .current_time(example.iat + 10)
            .expected_jkt(RFC_JKT);
        if let Some(token) = &example.access_token {
            options = options.access_token(token);
        }
        let verified = verify_proof(&example.proof, &options)
            .unwrap_or_else(|e| panic!("Figure {}: {}: {e}", example.figure, e.code()));
        assert_eq!(verified.jkt(), RFC_JKT, "Figure {}", example.figure);
        assert_eq!(verified.iat(), example.iat);
        assert_eq!(verified.ath().is_some(), example.access_token.is_some());
    }
}

#[test]
fn rfc_9449_example_proofs_are_refused_for_another_request_or_later() {
    for example in rfc_examples() {
        let other_method = if example.htm == "GET" { "POST" } else { "GET" };
        let options = DpopVerifyOptions::new(other_method, example.htu.as_str()).current_time(example.iat);
        refused(
            verify_proof(&example.proof, &options),
            DpopFailure::HtmMismatch,
            "ERR_DPOP_HTM_MISMATCH",
        );
        let options =
            DpopVerifyOptions::new(example.htm.as_str(), "https://server.example.com/other").current_time(example.iat);
        refused(
            verify_proof(&example.proof, &options),
            DpopFailure::HtuMismatch,
            "ERR_DPOP_HTU_MISMATCH",
        );
        // Without a fixed clock: proofs of 2019 are long stale.
        let options = DpopVerifyOptions::new(example.htm.as_str(), example.htu.as_str());
        refused(
            verify_proof(&example.proof, &options),
            DpopFailure::IatOutOfWindow,
            "ERR_DPOP_IAT_INVALID",
        );
    }
}

// ------------------------------------------------------------ codes

#[test]
fn every_failure_has_its_own_code() {
    let all = [
        DpopFailure::Malformed,
        DpopFailure::TypMismatch,
        DpopFailure::AlgNotAllowed,
        DpopFailure::JwkInvalid,
        DpopFailure::SignatureInvalid,
        DpopFailure::ClaimMissing,
        DpopFailure::HtmMismatch,
        DpopFailure::HtuMismatch,
        DpopFailure::IatOutOfWindow,
        DpopFailure::NonceMissing,
        DpopFailure::NonceMismatch,
        DpopFailure::AthMismatch,
        DpopFailure::BindingMismatch,
        DpopFailure::Replayed,
        DpopFailure::ReplayCacheFull,
    ];
    let codes: std::collections::HashSet<&str> = all.iter().map(|r| r.code()).collect();
    assert_eq!(codes.len(), all.len());
    assert!(codes.iter().all(|code| code.starts_with("ERR_DPOP_")));
}

// ------------------------------------------------------------ properties

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// A proof verifies for its own request only: any other method or
    /// path is refused with the check that names it.
    #[test]
    fn a_proof_never_verifies_for_another_method_or_uri(
        methods in (0..5usize, 0..5usize),
        paths in ("[a-z0-9]{1,6}(/[a-z0-9]{1,6}){0,2}", "[a-z0-9]{1,6}(/[a-z0-9]{1,6}){0,2}"),
        host_differs in any::<bool>(),
    ) {
        const METHODS: [&str; 5] = ["GET", "POST", "PUT", "DELETE", "get"];
        let (signed_method, request_method) = (METHODS[methods.0], METHODS[methods.1]);
        let signed_uri = format!("https://api.example/{}", paths.0);
        let host = if host_differs { "api2.example" } else { "api.example" };
        let request_uri = format!("https://{host}/{}", paths.1);
        let signed = DpopProof::new(signed_method, &signed_uri).clock(NOW).sign(&ed25519().private_key).expect("proof");

        let result = verify_proof(&signed, &DpopVerifyOptions::new(request_method, &request_uri).current_time(NOW));
        match result {
            Ok(_) => prop_assert!(signed_method == request_method && signed_uri == request_uri),
            Err(Error::DpopInvalid { reason: DpopFailure::HtmMismatch, .. }) => prop_assert_ne!(signed_method, request_method),
            Err(Error::DpopInvalid { reason: DpopFailure::HtuMismatch, .. }) => {
                prop_assert_eq!(signed_method, request_method);
                prop_assert_ne!(signed_uri, request_uri);
            }
            Err(e) => prop_assert!(false, "unexpected {}: {e}", e.code()),
        }
    }

    /// Whatever arrives in the `DPoP` header, the answer is a refusal with
    /// a DPoP code, never a panic or another error.
    #[test]
    fn any_input_is_refused_with_a_dpop_code(proof in "[A-Za-z0-9_.=-]{0,200}|\\PC{0,80}") {
        match verify_proof(&proof, &options()) {
            Err(Error::DpopInvalid { reason, .. }) => prop_assert!(reason.code().starts_with("ERR_DPOP_")),
            other => prop_assert!(false, "expected a refusal, got {other:?}"),
        }
    }
}
