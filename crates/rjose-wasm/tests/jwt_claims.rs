//! The JWT claim rules of `jwt_verify` in WebAssembly, on a fixed clock
//! (`SignJwt::clock` and explicit timestamps when signing,
//! `VerifyOptions::current_time` when verifying): each rule with its exact
//! error code, claim and reason.
#![cfg(target_arch = "wasm32")]

mod common;

use rjose::jwt::{SignJwt, VerifiedJwt, VerifyOptions, decode_jwt_unverified, jwt_verify_json};
use rjose::{Alg, ClaimReason, Error, Key};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use common::{NOW, assert_code};

fn secret() -> Key {
    Key::from_secret([0x42u8; 32]).unwrap_or_else(|e| panic!("a non-empty secret: {e}"))
}

/// A builder on the fixed clock, with a subject and an expiry an hour away.
fn builder() -> SignJwt {
    SignJwt::default()
        .protected_header(Alg::HS256)
        .clock(NOW)
        .subject("alice")
        .expiration_time(NOW + 3600)
}

fn sign(builder: SignJwt) -> String {
    builder.sign(&secret()).unwrap_or_else(|e| panic!("sign: {e}"))
}

/// Verify options on the fixed clock.
fn options() -> VerifyOptions {
    VerifyOptions::new().algorithms([Alg::HS256]).current_time(NOW)
}

fn verify(token: &str, options: &VerifyOptions) -> Result<VerifiedJwt, Error> {
    jwt_verify_json(token, &secret(), options)
}

#[track_caller]
fn assert_passes(token: &str, options: &VerifyOptions) {
    if let Err(e) = verify(token, options) {
        panic!("expected the token to verify, got {e:?}");
    }
}

/// Asserts `ERR_JWT_EXPIRED` naming `claim`, with the claims kept.
#[track_caller]
fn assert_expired(token: &str, options: &VerifyOptions, claim: &str) {
    match assert_code(verify(token, options), "ERR_JWT_EXPIRED", claim) {
        Error::JwtExpired {
            claim: named, claims, ..
        } => {
            assert_eq!(named, claim);
            assert_eq!(claims["sub"], "alice", "the expired token's claims are kept");
        }
        other => panic!("expected JwtExpired, got {other:?}"),
    }
}

/// Asserts `ERR_JWT_CLAIM_VALIDATION_FAILED` for `claim` with `reason`.
#[track_caller]
fn assert_claim_failure(token: &str, options: &VerifyOptions, claim: &str, reason: ClaimReason) {
    match assert_code(verify(token, options), "ERR_JWT_CLAIM_VALIDATION_FAILED", claim) {
        Error::JwtClaimValidationFailed {
            claim: named,
            reason: got,
            ..
        } => assert_eq!((named.as_str(), got), (claim, reason)),
        other => panic!("expected JwtClaimValidationFailed, got {other:?}"),
    }
}

#[wasm_bindgen_test]
fn accepts_a_token_within_its_lifetime() {
    assert_passes(&sign(builder().issued_at(NOW).not_before(NOW)), &options());
}

#[wasm_bindgen_test]
fn relative_times_resolve_against_the_signing_clock() -> Result<(), Error> {
    let token = sign(builder().issued_at_now().expiration_time("15m").not_before("1m ago"));
    let claims = decode_jwt_unverified(&token)?;
    assert_eq!(
        (&claims["iat"], &claims["exp"], &claims["nbf"]),
        (&json!(NOW), &json!(NOW + 900), &json!(NOW - 60))
    );
    Ok(())
}

#[wasm_bindgen_test]
fn rejects_a_token_expiring_exactly_now() {
    assert_expired(&sign(builder().expiration_time(NOW)), &options(), "exp");
}

#[wasm_bindgen_test]
fn rejects_an_expired_token_without_tolerance() {
    assert_expired(&sign(builder().expiration_time(NOW - 10)), &options(), "exp");
}

#[wasm_bindgen_test]
fn accepts_an_expired_token_within_the_clock_tolerance() {
    let token = sign(builder().expiration_time(NOW - 10));
    assert_passes(&token, &options().clock_tolerance("30s"));
    assert_expired(&token, &options().clock_tolerance(10u64), "exp");
}

#[wasm_bindgen_test]
fn rejects_a_token_without_exp_by_default() {
    let token = sign(SignJwt::default().protected_header(Alg::HS256).subject("alice"));
    assert_claim_failure(&token, &options(), "exp", ClaimReason::Missing);
    assert_passes(&token, &options().allow_missing_exp());
}

#[wasm_bindgen_test]
fn rejects_a_non_numeric_exp_as_invalid() {
    let token = sign(builder().claim("exp", "tomorrow"));
    assert_claim_failure(&token, &options(), "exp", ClaimReason::Invalid);
}

#[wasm_bindgen_test]
fn rejects_nbf_in_the_future_unless_within_tolerance() {
    let token = sign(builder().not_before(NOW + 20));
    assert_claim_failure(&token, &options(), "nbf", ClaimReason::CheckFailed);
    assert_passes(&token, &options().clock_tolerance(20u64));
    assert_claim_failure(
        &token,
        &options().clock_tolerance(19u64),
        "nbf",
        ClaimReason::CheckFailed,
    );
}

#[wasm_bindgen_test]
fn rejects_a_token_older_than_the_maximum_age() {
    let token = sign(builder().issued_at(NOW - 3600));
    assert_expired(&token, &options().max_token_age("30m"), "iat");
    assert_passes(&token, &options().max_token_age("1h"));
}

#[wasm_bindgen_test]
fn rejects_iat_in_the_future_when_a_maximum_age_is_set() {
    let token = sign(builder().issued_at(NOW + 60));
    assert_claim_failure(&token, &options().max_token_age("1h"), "iat", ClaimReason::CheckFailed);
    assert_passes(&token, &options().max_token_age("1h").clock_tolerance("1m"));
}

#[wasm_bindgen_test]
fn a_maximum_age_requires_iat() {
    let token = sign(builder());
    assert_claim_failure(&token, &options().max_token_age("1h"), "iat", ClaimReason::Missing);
}

#[wasm_bindgen_test]
fn checks_the_issuer() {
    let token = sign(builder().issuer("https://issuer.example"));
    assert_passes(&token, &options().issuer("https://issuer.example"));
    assert_claim_failure(
        &token,
        &options().issuer("https://other.example"),
        "iss",
        ClaimReason::CheckFailed,
    );
    let without = sign(builder());
    assert_claim_failure(
        &without,
        &options().issuer("https://issuer.example"),
        "iss",
        ClaimReason::Missing,
    );
}

#[wasm_bindgen_test]
fn checks_the_audience() {
    let token = sign(builder().audiences(["api", "admin"]));
    assert_passes(&token, &options().audience("admin"));
    assert_claim_failure(&token, &options().audience("billing"), "aud", ClaimReason::CheckFailed);
    // A token naming an audience, checked by a verifier that names none.
    assert_claim_failure(&token, &options(), "aud", ClaimReason::CheckFailed);
    assert_passes(&token, &options().allow_any_audience());
}

#[wasm_bindgen_test]
fn checks_the_typ_header() {
    let token = sign(builder().typ("at+jwt"));
    assert_passes(&token, &options().typ("application/at+jwt"));
    assert_claim_failure(&token, &options().typ("JWT"), "typ", ClaimReason::CheckFailed);
}

#[wasm_bindgen_test]
fn checks_the_subject_and_required_claims() {
    let token = sign(builder());
    assert_passes(&token, &options().subject("alice"));
    assert_claim_failure(&token, &options().subject("bob"), "sub", ClaimReason::CheckFailed);
    assert_claim_failure(&token, &options().require("jti"), "jti", ClaimReason::Missing);
}

#[wasm_bindgen_test]
fn a_bad_span_is_an_invalid_argument_when_verifying() {
    let token = sign(builder());
    assert_code(
        verify(&token, &options().max_token_age("1 fortnight")),
        "ERR_JOSE_INVALID_ARGUMENT",
        "max_token_age(\"1 fortnight\")",
    );
}
