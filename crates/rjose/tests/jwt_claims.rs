//! Claim validation of `jwt::jwt_verify`, each rule pinned on both sides of
//! its boundary, with and without clock tolerance. The rules mirror the
//! JavaScript `jose` library's `jwtVerify`.
//!
//! The clock is fixed on both sides: `SignJwt::clock` (or explicit
//! timestamps) when building tokens, `VerifyOptions::current_time` when
//! checking them.

use rjose::jwt::{SignJwt, VerifiedJwt, VerifyOptions, decode_jwt_unverified, jwt_verify};
use rjose::{Alg, ClaimReason, Error, JsonObject, Key};
use serde::Deserialize;
use serde_json::{Value, json};

/// The fixed "now" of every test, in Unix seconds.
const NOW: i64 = 1_700_000_000;

fn secret() -> Key {
    Key::from_secret([0x42u8; 32]).expect("a non-empty secret")
}

/// A token builder on the fixed clock, with a subject so that the claims
/// carried by errors can be recognised, and an expiry an hour away.
fn builder() -> SignJwt {
    builder_without_exp().expiration_time(NOW + 3600)
}

fn builder_without_exp() -> SignJwt {
    SignJwt::default()
        .protected_header(Alg::HS256)
        .clock(NOW)
        .subject("alice")
}

fn sign(builder: SignJwt) -> String {
    builder.sign(&secret()).expect("sign")
}

/// Verify options on the fixed clock.
fn options() -> VerifyOptions {
    VerifyOptions::new().algorithms([Alg::HS256]).current_time(NOW)
}

fn with_tolerance(seconds: u64) -> VerifyOptions {
    options().clock_tolerance(seconds)
}

fn verify(token: &str, options: &VerifyOptions) -> rjose::Result<VerifiedJwt<JsonObject>> {
    jwt_verify::<JsonObject>(token, &secret(), options)
}

#[track_caller]
fn assert_passes(token: &str, options: &VerifyOptions) -> VerifiedJwt<JsonObject> {
    match verify(token, options) {
        Ok(verified) => verified,
        Err(e) => panic!("expected the token to verify, got {e:?}"),
    }
}

/// Asserts `JwtExpired` for `claim` and returns the error.
#[track_caller]
fn assert_expired(token: &str, options: &VerifyOptions, claim: &str) -> Error {
    match verify(token, options) {
        Err(e @ Error::JwtExpired { .. }) => {
            let Error::JwtExpired { claim: got, claims, .. } = &e else {
                unreachable!()
            };
            assert_eq!(got, claim);
            assert_eq!(claims["sub"], "alice", "the error keeps the token's claims");
            assert_eq!(e.code(), "ERR_JWT_EXPIRED");
            e
        }
        other => panic!("expected JwtExpired for {claim:?}, got {other:?}"),
    }
}

/// Asserts `JwtClaimValidationFailed` for `claim` with `reason` and returns the error.
#[track_caller]
fn assert_claim_failure(token: &str, options: &VerifyOptions, claim: &str, reason: ClaimReason) -> Error {
    match verify(token, options) {
        Err(e @ Error::JwtClaimValidationFailed { .. }) => {
            let Error::JwtClaimValidationFailed {
                claim: got,
                reason: got_reason,
                ..
            } = &e
            else {
                unreachable!()
            };
            assert_eq!((got.as_str(), *got_reason), (claim, reason), "error: {e}");
            assert_eq!(e.code(), "ERR_JWT_CLAIM_VALIDATION_FAILED");
            assert!(e.claims().is_some());
            e
        }
        other => panic!("expected a {reason:?} failure of {claim:?}, got {other:?}"),
    }
}

// ---------------------------------------------------------------- exp

#[test]
fn accepts_token_expiring_one_second_after_now() {
    let token = sign(builder().expiration_time(NOW + 1));
    let verified = assert_passes(&token, &options());
    assert_eq!(verified.registered().exp, Some(NOW + 1));
}

#[test]
fn rejects_token_expiring_exactly_now() {
    let token = sign(builder().expiration_time(NOW));
    assert_expired(&token, &options(), "exp");
}

#[test]
fn rejects_expired_token_without_tolerance() {
    let token = sign(builder().expiration_time(NOW - 1));
    assert_expired(&token, &options(), "exp");
}

#[test]
fn rejects_exp_exactly_tolerance_in_the_past() {
    let token = sign(builder().expiration_time(NOW - 10));
    assert_expired(&token, &with_tolerance(10), "exp");
}

#[test]
fn accepts_exp_within_tolerance() {
    let token = sign(builder().expiration_time(NOW - 9));
    assert_passes(&token, &with_tolerance(10));
    // The same token without tolerance is expired.
    assert_expired(&token, &options(), "exp");
}

#[test]
fn clock_tolerance_accepts_span_strings() {
    let token = sign(builder().expiration_time(NOW - 9));
    let options = options().clock_tolerance("10s");
    assert_eq!(options.clock_tolerance, 10);
    assert_passes(&token, &options);
}

#[test]
fn accepts_fractional_exp_just_after_now() {
    let token = sign(builder().claim("exp", NOW as f64 + 0.5));
    assert_passes(&token, &options());
    let token = sign(builder().claim("exp", NOW as f64 - 0.5));
    assert_expired(&token, &options(), "exp");
}

#[test]
fn expired_error_keeps_claims_and_names_the_claim() {
    let token = sign(builder().claim("role", "admin").expiration_time(NOW - 192));
    let error = assert_expired(&token, &options(), "exp");
    let Error::JwtExpired { claims, message, .. } = &error else {
        unreachable!()
    };
    assert_eq!(claims["exp"], NOW - 192);
    assert_eq!(claims["role"], "admin");
    assert!(message.contains("3m12s"), "message: {message}");
    let text = error.to_string();
    assert!(text.contains("\"exp\""), "message: {text}");
    assert!(text.contains("ago"), "message: {text}");
    assert_eq!(error.claims().map(|c| c["sub"].clone()), Some(json!("alice")));
}

#[test]
fn rejects_token_without_exp_by_default() {
    let token = sign(builder_without_exp());
    let error = assert_claim_failure(&token, &options(), "exp", ClaimReason::Missing);
    let Error::JwtClaimValidationFailed { message, .. } = &error else {
        unreachable!()
    };
    assert!(
        message.contains("VerifyOptions::allow_missing_exp()"),
        "message: {message}"
    );
}

#[test]
fn allow_missing_exp_accepts_a_token_that_never_expires() {
    let token = sign(builder_without_exp());
    let options = options().allow_missing_exp().current_time(i64::MAX / 2);
    assert!(options.allow_missing_exp);
    assert_eq!(assert_passes(&token, &options).registered().exp, None);
}

#[test]
fn allow_missing_exp_still_checks_an_exp_that_is_there() {
    let token = sign(builder().expiration_time(NOW - 1));
    assert_expired(&token, &options().allow_missing_exp(), "exp");
}

#[test]
fn default_options_require_exp_and_refuse_an_unconfigured_audience() {
    let options = VerifyOptions::default();
    assert!(!options.allow_missing_exp);
    assert!(!options.allow_any_audience);
    let new = VerifyOptions::new();
    assert_eq!((new.allow_missing_exp, new.allow_any_audience), (false, false));
}

// ---------------------------------------------------------------- nbf

#[test]
fn accepts_nbf_equal_to_now() {
    let token = sign(builder().not_before(NOW));
    let verified = assert_passes(&token, &options());
    assert_eq!(verified.registered().nbf, Some(NOW));
}

#[test]
fn rejects_nbf_one_second_in_the_future() {
    let token = sign(builder().not_before(NOW + 1));
    let error = assert_claim_failure(&token, &options(), "nbf", ClaimReason::CheckFailed);
    assert!(error.to_string().contains("\"nbf\""), "message: {error}");
}

#[test]
fn accepts_nbf_up_to_tolerance_in_the_future() {
    let token = sign(builder().not_before(NOW + 10));
    assert_passes(&token, &with_tolerance(10));
    assert_claim_failure(&token, &options(), "nbf", ClaimReason::CheckFailed);
}

#[test]
fn rejects_nbf_beyond_tolerance() {
    let token = sign(builder().not_before(NOW + 11));
    assert_claim_failure(&token, &with_tolerance(10), "nbf", ClaimReason::CheckFailed);
}

// ------------------------------------------------- NumericDate types

#[test]
fn rejects_non_numeric_time_claims_as_invalid() {
    let bad_values = [
        json!("1700000000"),
        json!("soon"),
        json!(true),
        json!(false),
        Value::Null,
        json!([NOW]),
        json!({ "t": NOW }),
    ];
    for claim in ["iat", "nbf", "exp"] {
        for value in &bad_values {
            let token = sign(builder().claim(claim, value.clone()));
            let error = assert_claim_failure(&token, &options(), claim, ClaimReason::Invalid);
            assert!(error.to_string().contains(claim), "message: {error}");
        }
    }
}

#[test]
fn rejects_non_numeric_iat_even_with_tolerance_and_max_age() {
    let token = sign(builder().claim("iat", "now"));
    let options = with_tolerance(60).max_token_age("1h");
    assert_claim_failure(&token, &options, "iat", ClaimReason::Invalid);
}

// ---------------------------------------------------------------- aud

#[test]
fn accepts_matching_string_audience() {
    let token = sign(builder().audience("api"));
    let verified = assert_passes(&token, &options().audience("api"));
    assert_eq!(verified.registered().aud, ["api"]);
}

#[test]
fn accepts_array_audience_with_any_overlap() {
    let token = sign(builder().audiences(["web", "api", "cli"]));
    let verified = assert_passes(&token, &options().audience("api"));
    assert_eq!(verified.registered().aud, ["web", "api", "cli"]);
    assert_passes(&token, &options().audience("other").audience("cli"));
}

#[test]
fn accepts_string_audience_matching_any_expected_audience() {
    let token = sign(builder().audience("b"));
    assert_passes(&token, &options().audience("a").audience("b"));
}

#[test]
fn rejects_audience_without_overlap() {
    let token = sign(builder().audience("web"));
    let error = assert_claim_failure(&token, &options().audience("api"), "aud", ClaimReason::CheckFailed);
    assert_eq!(
        error.to_string(),
        "\"aud\" claim check_failed: unexpected \"aud\" claim value: expected \"api\""
    );
    let token = sign(builder().audiences(["web", "cli"]));
    let error = assert_claim_failure(
        &token,
        &options().audience("api").audience("API"),
        "aud",
        ClaimReason::CheckFailed,
    );
    assert!(
        error.to_string().ends_with("expected one of \"api\", \"API\""),
        "message: {error}"
    );
    let token = sign(builder().audiences(Vec::<String>::new()));
    assert_claim_failure(&token, &options().audience("api"), "aud", ClaimReason::CheckFailed);
}

#[test]
fn audience_comparison_is_case_sensitive() {
    let token = sign(builder().audience("API"));
    assert_claim_failure(&token, &options().audience("api"), "aud", ClaimReason::CheckFailed);
}

#[test]
fn rejects_audience_of_wrong_type_as_invalid() {
    for value in [
        json!(1),
        json!(true),
        json!({ "aud": "api" }),
        json!([1]),
        json!(["api", 1]),
        json!([["api"]]),
        Value::Null,
    ] {
        let token = sign(builder().claim("aud", value.clone()));
        assert_claim_failure(&token, &options().audience("api"), "aud", ClaimReason::Invalid);
    }
}

#[test]
fn rejects_missing_audience_when_one_is_expected() {
    let token = sign(builder());
    assert_claim_failure(&token, &options().audience("api"), "aud", ClaimReason::Missing);
}

#[test]
fn rejects_token_naming_an_audience_when_none_is_configured() {
    let token = sign(builder().audience("someone-else"));
    let error = assert_claim_failure(&token, &options(), "aud", ClaimReason::CheckFailed);
    let Error::JwtClaimValidationFailed { message, .. } = &error else {
        unreachable!()
    };
    assert!(
        message.starts_with("the token names an audience but none is configured"),
        "message: {message}"
    );
    assert!(message.contains("VerifyOptions::audience(..)"), "message: {message}");
    assert!(
        message.contains("VerifyOptions::allow_any_audience()"),
        "message: {message}"
    );
}

#[test]
fn rejects_an_empty_audience_array_when_none_is_configured() {
    let token = sign(builder().audiences(Vec::<String>::new()));
    assert_claim_failure(&token, &options(), "aud", ClaimReason::CheckFailed);
}

#[test]
fn allow_any_audience_accepts_a_token_naming_an_audience() {
    let token = sign(builder().audience("someone-else"));
    let verified = assert_passes(&token, &options().allow_any_audience());
    assert_eq!(verified.registered().aud, ["someone-else"]);
}

#[test]
fn allow_any_audience_does_not_relax_a_configured_audience() {
    let token = sign(builder().audience("someone-else"));
    assert_claim_failure(
        &token,
        &options().allow_any_audience().audience("api"),
        "aud",
        ClaimReason::CheckFailed,
    );
}

#[test]
fn accepts_token_without_audience_when_none_is_configured() {
    assert_passes(&sign(builder()), &options());
}

// ---------------------------------------------------------------- iss

#[test]
fn accepts_issuer_that_is_one_of_many() {
    let token = sign(builder().issuer("https://b.example"));
    let options = options().issuer("https://a.example").issuer("https://b.example");
    let verified = assert_passes(&token, &options);
    assert_eq!(verified.registered().iss.as_deref(), Some("https://b.example"));
}

#[test]
fn rejects_unlisted_issuer() {
    let token = sign(builder().issuer("https://evil.example"));
    let options = options().issuer("https://a.example").issuer("https://b.example");
    assert_claim_failure(&token, &options, "iss", ClaimReason::CheckFailed);
    let token = sign(builder().issuer("https://A.example"));
    assert_claim_failure(&token, &options, "iss", ClaimReason::CheckFailed);
}

#[test]
fn rejects_missing_issuer_when_one_is_expected() {
    let token = sign(builder());
    assert_claim_failure(
        &token,
        &options().issuer("https://a.example"),
        "iss",
        ClaimReason::Missing,
    );
}

#[test]
fn rejects_non_string_issuer_as_invalid() {
    let token = sign(builder().claim("iss", json!(["https://a.example"])));
    assert_claim_failure(
        &token,
        &options().issuer("https://a.example"),
        "iss",
        ClaimReason::Invalid,
    );
}

// ---------------------------------------------------------------- sub

#[test]
fn accepts_expected_subject() {
    let token = sign(builder());
    let verified = assert_passes(&token, &options().subject("alice"));
    assert_eq!(verified.registered().sub.as_deref(), Some("alice"));
}

#[test]
fn rejects_unexpected_subject() {
    let token = sign(builder());
    assert_claim_failure(&token, &options().subject("bob"), "sub", ClaimReason::CheckFailed);
}

#[test]
fn rejects_missing_subject_when_one_is_expected() {
    let token = sign(SignJwt::default().protected_header(Alg::HS256).claim("role", "x"));
    match verify(&token, &options().subject("alice")) {
        Err(Error::JwtClaimValidationFailed { claim, reason, .. }) => {
            assert_eq!((claim.as_str(), reason), ("sub", ClaimReason::Missing));
        }
        other => panic!("expected a missing sub, got {other:?}"),
    }
}

// ---------------------------------------------------------------- typ

#[test]
fn typ_comparison_implies_application_prefix_and_ignores_case() {
    for (header, expected) in [
        ("application/jwt", "JWT"),
        ("JWT", "JWT"),
        ("jwt", "JWT"),
        ("JWT", "application/JWT"),
        ("Application/At+JWT", "at+jwt"),
    ] {
        let token = sign(builder().typ(header));
        let verified = assert_passes(&token, &options().typ(expected));
        assert_eq!(verified.protected_header.typ.as_deref(), Some(header));
    }
}

#[test]
fn rejects_different_typ() {
    let token = sign(builder().typ("at+jwt"));
    assert_claim_failure(&token, &options().typ("JWT"), "typ", ClaimReason::CheckFailed);
    let token = sign(builder().typ("application/jwt+other"));
    assert_claim_failure(&token, &options().typ("JWT"), "typ", ClaimReason::CheckFailed);
}

#[test]
fn rejects_missing_typ_when_one_is_expected() {
    let token = sign(builder());
    assert_claim_failure(&token, &options().typ("JWT"), "typ", ClaimReason::CheckFailed);
}

#[test]
fn ignores_typ_when_none_is_expected() {
    let token = sign(builder().typ("anything"));
    assert_passes(&token, &options());
}

// ------------------------------------------------------ max_token_age

fn max_age_options(tolerance: u64) -> VerifyOptions {
    with_tolerance(tolerance).max_token_age("1h")
}

#[test]
fn max_token_age_requires_iat() {
    let token = sign(builder().expiration_time("1h"));
    assert_claim_failure(&token, &max_age_options(0), "iat", ClaimReason::Missing);
}

#[test]
fn accepts_token_exactly_max_age_old() {
    let token = sign(builder().issued_at(NOW - 3600));
    let verified = assert_passes(&token, &max_age_options(0));
    assert_eq!(verified.registered().iat, Some(NOW - 3600));
}

#[test]
fn rejects_token_older_than_max_age() {
    let token = sign(builder().issued_at(NOW - 3601));
    let error = assert_expired(&token, &max_age_options(0), "iat");
    assert!(error.to_string().contains("\"iat\""), "message: {error}");
}

#[test]
fn max_token_age_allows_clock_tolerance() {
    let token = sign(builder().issued_at(NOW - 3610));
    assert_passes(&token, &max_age_options(10));
    let token = sign(builder().issued_at(NOW - 3611));
    assert_expired(&token, &max_age_options(10), "iat");
}

#[test]
fn accepts_iat_issued_now_with_max_token_age() {
    let token = sign(builder().issued_at_now());
    let verified = assert_passes(&token, &max_age_options(0));
    assert_eq!(verified.registered().iat, Some(NOW));
}

#[test]
fn rejects_iat_in_the_future_with_max_token_age() {
    let token = sign(builder().issued_at(NOW + 1));
    assert_claim_failure(&token, &max_age_options(0), "iat", ClaimReason::CheckFailed);
}

#[test]
fn accepts_future_iat_within_tolerance_with_max_token_age() {
    let token = sign(builder().issued_at(NOW + 10));
    assert_passes(&token, &max_age_options(10));
    let token = sign(builder().issued_at(NOW + 11));
    assert_claim_failure(&token, &max_age_options(10), "iat", ClaimReason::CheckFailed);
}

#[test]
fn future_iat_is_accepted_without_max_token_age() {
    let token = sign(builder().issued_at("1h"));
    assert_passes(&token, &options());
}

// ----------------------------------------------------- required claims

#[test]
fn rejects_token_missing_a_required_claim() {
    let token = sign(builder_without_exp().claim("role", "admin"));
    for name in ["jti", "exp", "tenant"] {
        let error = assert_claim_failure(&token, &options().require(name), name, ClaimReason::Missing);
        assert!(error.to_string().contains(name), "message: {error}");
    }
}

#[test]
fn accepts_token_with_all_required_claims() {
    let token = sign(builder().claim("role", "admin").jwt_id("id-1").expiration_time("1h"));
    let options = options().require("role").require("jti").require("exp").require("sub");
    let verified = assert_passes(&token, &options);
    assert_eq!(verified.registered().jti.as_deref(), Some("id-1"));
}

// ------------------------------------------------------- typed claims

#[derive(Debug, Deserialize, PartialEq)]
struct Access {
    sub: String,
    role: String,
    level: u8,
    exp: i64,
    #[serde(default)]
    scopes: Vec<String>,
}

#[test]
fn deserializes_claims_into_user_struct() {
    let token = sign(
        builder()
            .claim("role", "admin")
            .claim("level", 3)
            .claim("scopes", json!(["read", "write"]))
            .expiration_time("15m"),
    );
    let verified = jwt_verify::<Access>(&token, &secret(), &options()).expect("verifies");
    assert_eq!(
        verified.claims,
        Access {
            sub: "alice".into(),
            role: "admin".into(),
            level: 3,
            exp: NOW + 900,
            scopes: vec!["read".into(), "write".into()],
        }
    );
    assert_eq!(verified.registered().exp, Some(NOW + 900));
}

#[test]
fn rejects_claims_that_do_not_match_the_user_struct() {
    let wrong_type = sign(
        builder()
            .claim("role", "admin")
            .claim("level", "high")
            .expiration_time("15m"),
    );
    let missing_field = sign(builder().claim("level", 1).expiration_time("15m"));
    let out_of_range = sign(builder().claim("role", "x").claim("level", 300).expiration_time("15m"));
    for token in [wrong_type, missing_field, out_of_range] {
        match jwt_verify::<Access>(&token, &secret(), &options()) {
            Err(e @ Error::JwtInvalid(_)) => assert_eq!(e.code(), "ERR_JWT_INVALID"),
            other => panic!("expected JwtInvalid, got {other:?}"),
        }
    }
}

#[test]
fn claim_checks_run_before_typed_deserialization() {
    // An expired token whose claims do not fit the type still reports expiry.
    let token = sign(builder().claim("level", "high").expiration_time(NOW - 1));
    match jwt_verify::<Access>(&token, &secret(), &options()) {
        Err(Error::JwtExpired { claim, .. }) => assert_eq!(claim, "exp"),
        other => panic!("expected JwtExpired, got {other:?}"),
    }
}

// ------------------------------------------------------- span strings

#[test]
fn builder_resolves_span_strings_relative_to_the_clock() {
    let cases: [(&str, i64); 9] = [
        ("15m", 900),
        ("7d", 7 * 86_400),
        ("2 hours", 7_200),
        ("1.5h", 5_400),
        ("-1h", -3_600),
        ("2h ago", -7_200),
        ("2h from now", 7_200),
        ("2h AGO", -7_200),
        ("30s", 30),
    ];
    for (span, offset) in cases {
        let builder = builder().expiration_time(span).not_before(span).issued_at(span);
        for claim in ["exp", "nbf", "iat"] {
            assert_eq!(builder.claims()[claim], NOW + offset, "{claim} from {span:?}");
        }
        // And the signed token carries the same value.
        let claims = decode_jwt_unverified(&sign(builder)).unwrap();
        assert_eq!(claims["exp"], NOW + offset, "{span:?}");
    }
}

#[test]
fn builder_takes_absolute_times_and_durations() {
    let builder = builder()
        .expiration_time(std::time::Duration::from_secs(60))
        .not_before(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000))
        .issued_at(1_234i64);
    assert_eq!(builder.claims()["exp"], NOW + 60);
    assert_eq!(builder.claims()["nbf"], 1_000);
    assert_eq!(builder.claims()["iat"], 1_234);
}

#[test]
fn sign_reports_a_malformed_span_string_given_to_the_builder() {
    let key = secret();
    for span in [
        "in 2h", "1 month", ".5h", "-1h ago", "", "2h later", " 2h", "1e3s", "15", "15x",
    ] {
        for (claim, builder) in [
            ("exp", builder_without_exp().expiration_time(span)),
            ("nbf", builder_without_exp().not_before(span)),
            ("iat", builder_without_exp().issued_at(span)),
        ] {
            assert!(!builder.claims().contains_key(claim), "{span:?} set {claim}");
            match builder.sign(&key) {
                Err(e @ Error::InvalidArgument(_)) => {
                    assert_eq!(e.code(), "ERR_JOSE_INVALID_ARGUMENT");
                    let message = e.to_string();
                    assert!(message.contains(&format!("\"{claim}\"")), "{message}");
                    assert!(message.contains("time span"), "{message}");
                }
                other => panic!("{span:?}: expected an invalid argument, got {other:?}"),
            }
        }
    }
}

#[test]
fn a_number_without_a_unit_is_refused_with_a_hint() {
    let err = builder().expiration_time("15").sign(&secret()).expect_err("no unit");
    assert!(err.to_string().contains("15s, 15m, 15h, 15d"), "{err}");
}

#[test]
fn the_first_bad_argument_is_the_one_reported() {
    let err = builder()
        .not_before("soon")
        .expiration_time("later")
        .sign(&secret())
        .expect_err("two bad spans");
    assert!(err.to_string().contains("\"nbf\""), "{err}");
}

#[test]
fn verify_options_with_a_malformed_or_negative_span_refuse_every_token() {
    let token = builder().expiration_time("1h").sign(&secret()).expect("signed");
    for options in [
        options().clock_tolerance("-5s"),
        options().max_token_age("1 month"),
        options().current_time("yesterday"),
    ] {
        match jwt_verify::<JsonObject>(&token, &secret(), &options) {
            Err(Error::InvalidArgument(message)) => assert!(message.contains("time span"), "{message}"),
            other => panic!("expected an invalid argument, got {:?}", other.map(|v| v.claims)),
        }
    }
    assert_eq!(VerifyOptions::new().max_token_age("2 hours").max_token_age, Some(7_200));
}

// ------------------------------------------------------ ordering rules

#[test]
fn typ_is_checked_before_claims() {
    let token = sign(builder().typ("at+jwt").expiration_time(NOW - 100));
    assert_claim_failure(&token, &options().typ("JWT"), "typ", ClaimReason::CheckFailed);
}

// As in the JS library, `iat` must be a number before anything else is
// looked at, then `nbf` and `exp` are checked, and the maximum age last.

#[test]
fn iat_type_is_checked_before_nbf_and_exp() {
    let token = sign(builder().claim("iat", "yesterday").expiration_time(NOW - 1));
    assert_claim_failure(&token, &options(), "iat", ClaimReason::Invalid);
}

#[test]
fn expired_exp_is_reported_before_too_old_iat() {
    let token = sign(builder().issued_at(NOW - 7_200).expiration_time(NOW - 1));
    assert_expired(&token, &max_age_options(0), "exp");
}

#[test]
fn future_nbf_is_reported_before_too_old_iat() {
    let token = sign(builder().issued_at(NOW - 7_200).not_before(NOW + 60));
    assert_claim_failure(&token, &max_age_options(0), "nbf", ClaimReason::CheckFailed);
}

#[test]
fn expired_exp_is_reported_before_future_iat() {
    let token = sign(builder().issued_at(NOW + 60).expiration_time(NOW - 1));
    assert_expired(&token, &max_age_options(0), "exp");
}

#[test]
fn signature_is_checked_before_claims() {
    let token = sign(builder().expiration_time(NOW - 100));
    let other = Key::from_secret([0x24u8; 32]).expect("a non-empty secret");
    assert!(matches!(
        jwt_verify::<JsonObject>(&token, &other, &options()),
        Err(Error::JwsSignatureVerificationFailed)
    ));
}
