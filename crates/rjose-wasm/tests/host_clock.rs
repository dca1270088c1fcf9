//! On wasm32-unknown-unknown the standard library has no clock
//! (`SystemTime::now()` panics there): the core reads the time from the JS
//! host instead. These tests use the current time, never a fixed one.
#![cfg(target_arch = "wasm32")]

use rjose::jws::{CompactSign, JwsHeader};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify_json};
use rjose::{Alg, Key};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

const SECRET: &[u8] = b"a secret of at least thirty-two bytes, for HS256";

/// Seconds since the epoch as the JS host sees them.
fn host_now() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

#[wasm_bindgen_test]
fn signs_with_issued_at_now_and_a_relative_expiration() -> Result<(), rjose::Error> {
    let key = Key::from_secret(SECRET)?;
    let before = host_now();
    let token = SignJwt::default()
        .protected_header(Alg::HS256)
        .issued_at_now()
        .expiration_time("15m")
        .sign(&key)?;
    let after = host_now();
    let claims = rjose::jwt::decode_jwt_unverified(&token)?;
    let iat = claims["iat"].as_i64().unwrap_or_default();
    assert!((before..=after).contains(&iat), "iat {iat} not in [{before}, {after}]");
    assert_eq!(claims["exp"].as_i64(), Some(iat + 15 * 60));
    Ok(())
}

/// Signed as a plain JWS, so that only verification reads the clock.
fn hs256_token(key: &Key, claims: &serde_json::Value) -> Result<String, rjose::Error> {
    CompactSign::new(claims.to_string().as_bytes())
        .protected_header(JwsHeader::new(Alg::HS256))
        .sign(key)
}

#[wasm_bindgen_test]
fn verifies_a_fresh_token_against_the_host_clock() -> Result<(), rjose::Error> {
    let key = Key::from_secret(SECRET)?;
    let now = host_now();
    let token = hs256_token(&key, &json!({ "iat": now, "exp": now + 60 }))?;
    let verified = jwt_verify_json(&token, &key, &VerifyOptions::new().algorithms([Alg::HS256]))?;
    assert_eq!(verified.claims["exp"].as_i64(), Some(now + 60));
    Ok(())
}

#[wasm_bindgen_test]
fn refuses_a_token_expired_by_the_host_clock() -> Result<(), rjose::Error> {
    let key = Key::from_secret(SECRET)?;
    let token = hs256_token(&key, &json!({ "exp": host_now() - 3600 }))?;
    let result = jwt_verify_json(&token, &key, &VerifyOptions::new().algorithms([Alg::HS256]));
    assert_eq!(result.err().map(|e| e.code()), Some("ERR_JWT_EXPIRED"));
    Ok(())
}
