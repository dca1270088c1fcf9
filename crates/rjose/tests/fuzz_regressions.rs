//! Inputs found by the fuzz targets under `fuzz/` (minimized), each pinned
//! to the verdict it must get. The fuzz target that found it is named on
//! each test; `fuzz/run.sh` runs them all.

use rjose::jws::{CompactSign, JwsHeader};
use rjose::jwt::{VerifyOptions, decode_jwt_claims_unverified, jwt_verify};
use rjose::{Alg, JsonObject, Key};
use serde::Deserialize;
use serde::de::IgnoredAny;

/// A caller's claims type that reads one claim and ignores the rest.
#[derive(Debug, Deserialize)]
struct SubjectOnly {
    #[allow(dead_code)]
    sub: Option<String>,
}

fn secret() -> Key {
    Key::from_secret([0x42u8; 32]).expect("a non-empty secret")
}

/// A token carrying exactly `claims` as its payload, validly signed.
fn signed_bytes(claims: &[u8]) -> String {
    CompactSign::new(claims)
        .protected_header(JwsHeader::new(Alg::HS256))
        .sign(&secret())
        .expect("HS256 signs any payload")
}

fn options() -> VerifyOptions {
    VerifyOptions::new()
        .algorithms([Alg::HS256])
        .current_time(1_700_000_000_i64)
}

/// The error codes of verifying `claims` into a `JsonObject`, a struct
/// naming one claim and `IgnoredAny`, in that order (`"ok"` for an
/// accepted token).
fn verify_codes(claims: &str) -> [&'static str; 3] {
    verify_codes_of_bytes(claims.as_bytes())
}

fn verify_codes_of_bytes(claims: &[u8]) -> [&'static str; 3] {
    let token = signed_bytes(claims);
    let code = |r: Result<(), rjose::Error>| r.err().map_or("ok", |e| e.code());
    [
        code(jwt_verify::<JsonObject>(&token, &secret(), &options()).map(drop)),
        code(jwt_verify::<SubjectOnly>(&token, &secret(), &options()).map(drop)),
        code(jwt_verify::<IgnoredAny>(&token, &secret(), &options()).map(drop)),
    ]
}

/// The same, through the unverified decoder.
fn decode_codes(claims: &str) -> [&'static str; 3] {
    decode_codes_of_bytes(claims.as_bytes())
}

fn decode_codes_of_bytes(claims: &[u8]) -> [&'static str; 3] {
    let token = signed_bytes(claims);
    let code = |r: Result<(), rjose::Error>| r.err().map_or("ok", |e| e.code());
    [
        code(decode_jwt_claims_unverified::<JsonObject>(&token).map(drop)),
        code(decode_jwt_claims_unverified::<SubjectOnly>(&token).map(drop)),
        code(decode_jwt_claims_unverified::<IgnoredAny>(&token).map(drop)),
    ]
}

const INVALID: [&str; 3] = ["ERR_JWT_INVALID"; 3];

// fuzz target jwt_claims (issue 10, item 7): claims that serde_json refuses
// as a JsonObject were accepted by any type that skips the member.

#[test]
fn refuses_number_out_of_f64_range_for_every_claims_type() {
    assert_eq!(verify_codes(r#"{"x":1e309}"#), INVALID);
    assert_eq!(decode_codes(r#"{"x":1e309}"#), INVALID);
}

#[test]
fn refuses_lone_surrogate_for_every_claims_type() {
    assert_eq!(verify_codes(r#"{"x":"\ud800"}"#), INVALID);
    assert_eq!(decode_codes(r#"{"x":"\ud800"}"#), INVALID);
}

#[test]
fn refuses_nesting_deeper_than_the_parser_limit_for_every_claims_type() {
    let deep = format!(r#"{{"x":{}1{}}}"#, "[".repeat(200), "]".repeat(200));
    assert_eq!(verify_codes(&deep), INVALID);
    assert_eq!(decode_codes(&deep), INVALID);
}

#[test]
fn unverified_decoder_refuses_a_non_object_claims_set_for_every_claims_type() {
    assert_eq!(verify_codes("[]"), INVALID);
    assert_eq!(decode_codes("[]"), INVALID);
}

#[test]
fn refuses_duplicate_members_nested_in_an_ignored_claim_for_every_claims_type() {
    assert_eq!(verify_codes(r#"{"x":{"y":{"y":1,"y":2}}}"#), INVALID);
    assert_eq!(decode_codes(r#"{"x":{"y":{"y":1,"y":2}}}"#), INVALID);
}

#[test]
fn refuses_invalid_utf8_in_an_ignored_claim_for_every_claims_type() {
    assert_eq!(verify_codes_of_bytes(b"{\"x\":{\"y\xff\":1}}"), INVALID);
    assert_eq!(decode_codes_of_bytes(b"{\"x\":{\"y\xff\":1}}"), INVALID);
}
