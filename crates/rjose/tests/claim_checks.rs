//! Custom claim checks (`VerifyOptions::validate_claim`, `validate`) and
//! claim validation without a signature (`validate_claims`,
//! `validate_claims_unverified`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rjose::jwe::{JweAlg, JweEnc, JweHeader};
use rjose::jwt::{
    ClaimError, DecryptOptions, EncryptJwt, SignJwt, VerifyOptions, decrypt_nested_jwt, encrypt_nested_jwt,
    jwt_decrypt, jwt_verify, validate_claims, validate_claims_unverified,
};
use rjose::{Alg, ClaimReason, Error, JsonObject, Key, generate_secret};
use serde::Deserialize;
use serde_json::Value;

const NOW: i64 = 1_700_000_000;

fn secret() -> Key {
    Key::from_secret([0x42u8; 32]).expect("a non-empty secret")
}

fn builder() -> SignJwt {
    SignJwt::default()
        .protected_header(Alg::HS256)
        .clock(NOW)
        .subject("ada")
        .claim("scope", "read write")
        .claim("tenant", "acme")
        .expiration_time(NOW + 60)
}

fn options() -> VerifyOptions {
    VerifyOptions::new().algorithms([Alg::HS256]).current_time(NOW)
}

fn token() -> String {
    builder().sign(&secret()).expect("sign")
}

fn grants(wanted: &'static str) -> impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static {
    move |scope| match scope.as_str() {
        Some(scope) if scope.split(' ').any(|s| s == wanted) => Ok(()),
        _ => Err(format!("does not grant {wanted:?}")),
    }
}

/// A check that counts its calls and passes.
fn counting(calls: &Arc<AtomicUsize>) -> impl Fn(&Value) -> Result<(), String> + Send + Sync + 'static {
    let calls = Arc::clone(calls);
    move |_| {
        calls.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[track_caller]
fn assert_claim_failure<T: std::fmt::Debug>(result: rjose::Result<T>, claim: &str, reason: ClaimReason) -> String {
    match result {
        Err(e @ Error::JwtClaimValidationFailed { .. }) => {
            assert_eq!(e.code(), "ERR_JWT_CLAIM_VALIDATION_FAILED");
            let Error::JwtClaimValidationFailed {
                claim: got,
                reason: got_reason,
                message,
                claims,
            } = e
            else {
                unreachable!()
            };
            assert_eq!((got.as_str(), got_reason), (claim, reason), "message: {message}");
            assert_eq!(claims["sub"], "ada", "the error keeps the token's claims");
            message
        }
        other => panic!("expected a {reason:?} failure of {claim:?}, got {other:?}"),
    }
}

// ------------------------------------------------------- validate_claim

#[test]
fn validate_claim_passes_when_the_check_passes() {
    let verified = jwt_verify::<JsonObject>(&token(), &secret(), &options().validate_claim("scope", grants("read")));
    assert_eq!(verified.expect("verifies").claims["tenant"], "acme");
}

#[test]
fn validate_claim_failure_carries_the_checks_reason() {
    let options = options().validate_claim("scope", grants("admin"));
    let message = assert_claim_failure(
        jwt_verify::<JsonObject>(&token(), &secret(), &options),
        "scope",
        ClaimReason::CheckFailed,
    );
    assert_eq!(message, "does not grant \"admin\"");
}

#[test]
fn validate_claim_refuses_a_token_without_the_claim_as_missing() {
    let calls = Arc::new(AtomicUsize::new(0));
    let options = options().validate_claim("roles", counting(&calls));
    let message = assert_claim_failure(
        jwt_verify::<JsonObject>(&token(), &secret(), &options),
        "roles",
        ClaimReason::Missing,
    );
    assert_eq!(message, "missing required \"roles\" claim");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn custom_checks_run_in_order_and_the_first_failure_is_reported() {
    let calls = Arc::new(AtomicUsize::new(0));
    let options = options()
        .validate_claim("scope", grants("read"))
        .validate_claim("tenant", |_| Err("first".into()))
        .validate_claim("sub", counting(&calls));
    let message = assert_claim_failure(
        jwt_verify::<JsonObject>(&token(), &secret(), &options),
        "tenant",
        ClaimReason::CheckFailed,
    );
    assert_eq!(message, "first");
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn custom_checks_do_not_run_when_the_signature_fails() {
    let calls = Arc::new(AtomicUsize::new(0));
    let options = options().validate_claim("scope", counting(&calls));
    let other = Key::from_secret([0x43u8; 32]).expect("a non-empty secret");
    assert!(matches!(
        jwt_verify::<JsonObject>(&token(), &other, &options),
        Err(Error::JwsSignatureVerificationFailed)
    ));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn custom_checks_do_not_run_when_a_registered_claim_fails() {
    let calls = Arc::new(AtomicUsize::new(0));
    let options = options().validate_claim("scope", counting(&calls));
    let expired = builder().expiration_time(NOW - 1).sign(&secret()).expect("sign");
    assert!(matches!(
        jwt_verify::<JsonObject>(&expired, &secret(), &options),
        Err(Error::JwtExpired { .. })
    ));
    let elsewhere = builder().audience("other").sign(&secret()).expect("sign");
    assert_claim_failure(
        jwt_verify::<JsonObject>(&elsewhere, &secret(), &options),
        "aud",
        ClaimReason::CheckFailed,
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    jwt_verify::<JsonObject>(&token(), &secret(), &options).expect("verifies");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

// ------------------------------------------------------------ validate

#[derive(Deserialize)]
struct Tenancy {
    sub: String,
    tenant: String,
}

fn same_tenant(t: &Tenancy) -> Result<(), ClaimError> {
    if t.tenant == "acme" && t.sub == "ada" {
        Ok(())
    } else {
        Err(ClaimError::new(
            "tenant",
            format!("{:?} is not {:?}'s tenant", t.tenant, t.sub),
        ))
    }
}

#[test]
fn typed_check_passes_when_the_check_passes() {
    jwt_verify::<JsonObject>(&token(), &secret(), &options().validate(same_tenant)).expect("verifies");
}

#[test]
fn typed_check_failure_names_the_claim_of_its_claim_error() {
    let token = builder().claim("tenant", "globex").sign(&secret()).expect("sign");
    let message = assert_claim_failure(
        jwt_verify::<JsonObject>(&token, &secret(), &options().validate(same_tenant)),
        "tenant",
        ClaimReason::CheckFailed,
    );
    assert_eq!(message, "\"globex\" is not \"ada\"'s tenant");
}

#[test]
fn typed_check_refuses_claims_that_do_not_fit_its_type_as_invalid_jwt() {
    let token = builder().claim("tenant", 7).sign(&secret()).expect("sign");
    match jwt_verify::<JsonObject>(&token, &secret(), &options().validate(same_tenant)) {
        Err(e @ Error::JwtInvalid(_)) => {
            assert_eq!(e.code(), "ERR_JWT_INVALID");
            assert!(e.to_string().contains("custom check"), "message: {e}");
        }
        other => panic!("expected JwtInvalid, got {other:?}"),
    }
}

#[test]
fn claim_error_displays_claim_and_message() {
    let error = ClaimError::new("tenant", "unknown");
    assert_eq!((error.claim(), error.message()), ("tenant", "unknown"));
    assert_eq!(error.to_string(), "\"tenant\" claim: unknown");
}

#[test]
fn options_with_checks_stay_clone_and_debug() {
    let options = options().validate_claim("scope", grants("read")).validate(same_tenant);
    let cloned = options.clone();
    assert!(format!("{cloned:?}").contains("2 custom check(s)"), "{cloned:?}");
    let cloned = cloned.validate_claim("scope", grants("admin"));
    // Adding to a clone leaves the original alone.
    jwt_verify::<JsonObject>(&token(), &secret(), &options).expect("verifies");
    assert_claim_failure(
        jwt_verify::<JsonObject>(&token(), &secret(), &cloned),
        "scope",
        ClaimReason::CheckFailed,
    );
}

// ------------------------------------------------- encrypted and nested

#[test]
fn custom_checks_apply_to_encrypted_jwts() {
    let key = generate_secret(JweAlg::A256KW).expect("a key");
    let token = EncryptJwt::default()
        .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM))
        .subject("ada")
        .claim("scope", "read")
        .expiration_time("5m")
        .encrypt(&key)
        .expect("encrypts");
    let pass = DecryptOptions::new().claims(VerifyOptions::new().validate_claim("scope", grants("read")));
    jwt_decrypt::<JsonObject>(&token, &key, &pass).expect("decrypts");
    let fail = DecryptOptions::new().claims(VerifyOptions::new().validate_claim("scope", grants("write")));
    assert_claim_failure(
        jwt_decrypt::<JsonObject>(&token, &key, &fail),
        "scope",
        ClaimReason::CheckFailed,
    );
}

#[test]
fn replicated_headers_are_compared_before_custom_checks_run() {
    let key = generate_secret(JweAlg::A256KW).expect("a key");
    let mut header = JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM);
    header.other.insert("sub".into(), "mallory".into());
    let token = rjose::jwe::CompactEncrypt::new(br#"{"sub":"ada","exp":4102444800}"#)
        .protected_header(header)
        .encrypt(&key)
        .expect("encrypts");
    let calls = Arc::new(AtomicUsize::new(0));
    let options = DecryptOptions::new().claims(VerifyOptions::new().validate_claim("sub", counting(&calls)));
    assert_claim_failure(
        jwt_decrypt::<JsonObject>(&token, &key, &options),
        "sub",
        ClaimReason::Invalid,
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[test]
fn custom_checks_apply_to_nested_jwts() {
    let encryption = generate_secret(JweAlg::A256KW).expect("a key");
    // Checked against the system clock: signed on it too.
    let signed = SignJwt::default()
        .protected_header(Alg::HS256)
        .subject("ada")
        .claim("scope", "read")
        .expiration_time("5m")
        .sign(&secret())
        .expect("sign");
    let nested =
        encrypt_nested_jwt(&signed, JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM), &encryption).expect("encrypts");
    let options = DecryptOptions::new().claims(VerifyOptions::new().validate_claim("scope", grants("admin")));
    assert_claim_failure(
        decrypt_nested_jwt::<JsonObject>(&nested, &encryption, &secret(), &options),
        "scope",
        ClaimReason::CheckFailed,
    );
}

// ------------------------------------------------------- validate_claims

#[test]
fn validate_claims_applies_the_rules_of_jwt_verify() {
    let options = options().audience("api");
    let fresh = br#"{"sub":"ada","aud":"api","exp":1700000060}"#;
    let validated = validate_claims::<JsonObject>(fresh, &options).expect("valid");
    assert_eq!(validated.registered().exp, Some(NOW + 60));
    assert_eq!(validated.claims["sub"], "ada");

    let expired = br#"{"sub":"ada","aud":"api","exp":1699999999}"#;
    assert!(matches!(
        validate_claims::<JsonObject>(expired, &options),
        Err(Error::JwtExpired { claim, .. }) if claim == "exp"
    ));
    let forever = br#"{"sub":"ada","aud":"api"}"#;
    assert_claim_failure(
        validate_claims::<JsonObject>(forever, &options),
        "exp",
        ClaimReason::Missing,
    );
    let elsewhere = br#"{"sub":"ada","aud":"web","exp":1700000060}"#;
    let message = assert_claim_failure(
        validate_claims::<JsonObject>(elsewhere, &options),
        "aud",
        ClaimReason::CheckFailed,
    );
    assert!(message.ends_with("expected \"api\""), "message: {message}");
}

#[test]
fn validate_claims_runs_custom_checks() {
    let options = options().validate_claim("scope", grants("admin"));
    let claims = br#"{"sub":"ada","scope":"read","exp":1700000060}"#;
    assert_claim_failure(
        validate_claims::<JsonObject>(claims, &options),
        "scope",
        ClaimReason::CheckFailed,
    );
}

#[test]
fn validate_claims_refuses_a_typ_option_it_cannot_check() {
    let claims = br#"{"sub":"ada","exp":1700000060}"#;
    match validate_claims::<JsonObject>(claims, &options().typ("at+jwt")) {
        Err(e @ Error::InvalidArgument(_)) => assert!(e.to_string().contains("validate_claims_unverified")),
        other => panic!("expected an invalid argument, got {other:?}"),
    }
}

#[test]
fn validate_claims_refuses_a_payload_that_is_not_a_json_object() {
    assert!(matches!(
        validate_claims::<JsonObject>(b"[1]", &options()),
        Err(Error::JwtInvalid(_))
    ));
}

// --------------------------------------------- validate_claims_unverified

#[test]
fn validate_claims_unverified_does_not_check_the_signature() {
    let other = Key::from_secret([0x43u8; 32]).expect("a non-empty secret");
    let token = builder().sign(&other).expect("sign");
    let validated = validate_claims_unverified::<JsonObject>(&token, &options()).expect("claims in order");
    assert_eq!(validated.registered().sub.as_deref(), Some("ada"));
}

#[test]
fn validate_claims_unverified_tells_an_expired_token_from_an_invalid_one() {
    let expired = builder().expiration_time(NOW - 30).sign(&secret()).expect("sign");
    match validate_claims_unverified::<JsonObject>(&expired, &options()) {
        Err(e @ Error::JwtExpired { .. }) => assert_eq!(e.code(), "ERR_JWT_EXPIRED"),
        other => panic!("expected JwtExpired, got {other:?}"),
    }
    let elsewhere = builder().audience("other").sign(&secret()).expect("sign");
    assert_claim_failure(
        validate_claims_unverified::<JsonObject>(&elsewhere, &options()),
        "aud",
        ClaimReason::CheckFailed,
    );
}

#[test]
fn validate_claims_unverified_checks_typ_from_the_header() {
    let token = builder()
        .protected_header(rjose::jws::JwsHeader::new(Alg::HS256).typ("at+jwt"))
        .sign(&secret())
        .expect("sign");
    validate_claims_unverified::<JsonObject>(&token, &options().typ("at+jwt")).expect("typ matches");
    assert_claim_failure(
        validate_claims_unverified::<JsonObject>(&token, &options().typ("JWT")),
        "typ",
        ClaimReason::CheckFailed,
    );
}

#[test]
fn validate_claims_unverified_runs_custom_checks() {
    let options = options().validate(same_tenant);
    let token = builder().claim("tenant", "globex").sign(&secret()).expect("sign");
    assert_claim_failure(
        validate_claims_unverified::<JsonObject>(&token, &options),
        "tenant",
        ClaimReason::CheckFailed,
    );
}

#[test]
fn validate_claims_unverified_refuses_what_is_not_a_compact_jws() {
    for token in ["", "a.b", "a.b.c.d.e", "e30.e30"] {
        assert!(
            matches!(
                validate_claims_unverified::<JsonObject>(token, &options()),
                Err(Error::JwtInvalid(_))
            ),
            "{token:?}"
        );
    }
}
