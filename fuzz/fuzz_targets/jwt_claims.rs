//! JWT claims: the fuzz input is a claims set, signed with a fixed HS256
//! key so that verification reaches the claims. Oracle (issue 10, item 7):
//! the verdict (accepted, or the error code) must not depend on the type
//! the caller reads the claims into: a `JsonObject`, a struct that names
//! only some claims, or `IgnoredAny`. The unverified decoder is held to the
//! same rule.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jws::{CompactSign, JwsHeader};
use rjose::jwt::{VerifyOptions, decode_jwt_claims_unverified, jwt_verify};
use rjose::{Alg, JsonObject};
use rjose_fuzz::{hs256_key, verdict};
use serde::Deserialize;
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

/// A caller's type that reads two claims, of any JSON type, and ignores
/// the rest.
#[derive(Deserialize)]
#[allow(dead_code)]
struct SomeClaims {
    sub: Option<Value>,
    role: Option<Value>,
}

fn verified<T: DeserializeOwned>(token: &str, options: &VerifyOptions) -> Result<(), &'static str> {
    verdict(&jwt_verify::<T>(token, &hs256_key(), options), |_| ())
}

fn decoded<T: DeserializeOwned>(token: &str) -> Result<(), &'static str> {
    verdict(&decode_jwt_claims_unverified::<T>(token), |_| ())
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = CompactSign::new(data)
        .protected_header(JwsHeader::new(Alg::HS256))
        .sign(&hs256_key())
    else {
        return;
    };
    // A fixed clock, so that the verdict on exp, nbf and iat is the same
    // on every run. Arbitrary claims rarely carry `exp` or the one
    // audience: the opt-outs let them reach every claim rule and the
    // caller's type rather than stop at the defaults.
    let options = VerifyOptions::new()
        .algorithms([Alg::HS256])
        .current_time(1_700_000_000_i64)
        .allow_missing_exp()
        .allow_any_audience();
    let object = verified::<JsonObject>(&token, &options);
    assert_eq!(
        object,
        verified::<SomeClaims>(&token, &options),
        "JsonObject vs a struct"
    );
    assert_eq!(
        object,
        verified::<IgnoredAny>(&token, &options),
        "JsonObject vs IgnoredAny"
    );

    let object = decoded::<JsonObject>(&token);
    assert_eq!(
        object,
        decoded::<SomeClaims>(&token),
        "unverified: JsonObject vs a struct"
    );
    assert_eq!(
        object,
        decoded::<IgnoredAny>(&token),
        "unverified: JsonObject vs IgnoredAny"
    );
});
