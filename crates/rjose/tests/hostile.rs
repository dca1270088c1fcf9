//! Hostile JSON (issue #10): every object is accepted or refused in time
//! linear in its size, and a claims set's verdict does not depend on the
//! type the caller reads it into.

mod common;

use std::time::{Duration, Instant};

use rjose::jwe::{CompactEncrypt, JweAlg, JweEnc, JweHeader};
use rjose::jws::{FlattenedJws, JwsVerifyOptions, compact_verify, flattened_verify};
use rjose::jwt::{
    DecryptOptions, UnsecuredJwt, VerifyOptions, decode_jwt_claims_unverified, decode_jwt_unverified,
    decode_protected_header, jwt_decrypt, jwt_verify,
};
use rjose::{Error, JsonObject, Jwk, Key, LocalJwkSet};
use serde::de::{DeserializeOwned, IgnoredAny};
use serde_json::Value;

use common::b64;

const SECRET: [u8; 32] = [0x5a; 32];

fn hs_key() -> Key {
    Key::from_secret(SECRET).expect("a non-empty secret")
}

fn hmac(message: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit as _, Mac as _};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&SECRET).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// An HS256 token of exactly this header and payload, correctly signed.
fn signed(header: &str, payload: &str) -> String {
    let input = format!("{}.{}", b64(header.as_bytes()), b64(payload.as_bytes()));
    let signature = b64(&hmac(input.as_bytes()));
    format!("{input}.{signature}")
}

/// An `exp` in 2100, for claims sets that must pass verification.
const FAR_FUTURE: i64 = 4_102_444_800;

/// `"m0":0,"m1":0,...`: `count` distinct members.
fn members(count: usize) -> String {
    (0..count).map(|i| format!(r#""m{i}":0"#)).collect::<Vec<_>>().join(",")
}

/// The fastest of `runs` runs of `run` on `input`.
fn fastest<I>(runs: usize, input: &I, run: &impl Fn(&I)) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            run(input);
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

/// Ten times the members must cost about ten times the time, not a
/// hundred (quadratic). The bound leaves room for a slow shared machine
/// and for caches that a hundred thousand names overflow (up to about 26
/// times in a debug build on a busy machine); the quadratic code this
/// guards against took over a hundred times as long.
#[track_caller]
fn assert_linear<I>(what: &str, input: impl Fn(usize) -> I, run: impl Fn(&I)) {
    let small = fastest(3, &input(10_000), &run);
    let large = fastest(2, &input(100_000), &run);
    assert!(
        large < small * 50 + Duration::from_millis(100),
        "{what}: 10k members took {small:?}, 100k members {large:?}"
    );
}

// ------------------------------------------------- linear time (defect 1)

#[test]
fn a_protected_header_of_100k_members_is_refused_in_linear_time() {
    let token = |count| {
        let header = format!(r#"{{"alg":"HS256",{}}}"#, members(count));
        (count, format!("{}.e30.{}", b64(header.as_bytes()), b64(&[0; 32])))
    };
    assert_linear("protected header", token, |(count, token)| {
        let verified = jwt_verify::<JsonObject>(token, &hs_key(), &VerifyOptions::new());
        assert!(
            matches!(verified, Err(Error::JwsSignatureVerificationFailed)),
            "{verified:?}"
        );
        let verified = compact_verify(token, &hs_key(), &JwsVerifyOptions::new());
        assert!(
            matches!(verified, Err(Error::JwsSignatureVerificationFailed)),
            "{verified:?}"
        );
        assert_eq!(
            decode_protected_header(token).map(|h| h.to_map().len()).ok(),
            Some(count + 1)
        );
    });
}

#[test]
fn a_protected_header_with_a_late_duplicate_is_refused_in_linear_time() {
    let token = |count| {
        let header = format!(r#"{{"alg":"HS256",{},"m0":1}}"#, members(count));
        format!("{}.e30.{}", b64(header.as_bytes()), b64(&[0; 32]))
    };
    assert_linear("duplicate at the end of a protected header", token, |token| {
        let verified = jwt_verify::<JsonObject>(token, &hs_key(), &VerifyOptions::new());
        assert!(
            matches!(&verified, Err(Error::JwsInvalid(m)) if m.contains(r#"duplicate member "m0""#)),
            "{verified:?}"
        );
    });
}

#[test]
fn protected_and_unprotected_headers_of_50k_members_each_are_compared_in_linear_time() {
    let jws = |count: usize| {
        let half = count / 2;
        let protected = format!(r#"{{"alg":"HS256",{}}}"#, members(half));
        let unprotected: String = (0..half).map(|i| format!(r#""u{i}":0"#)).collect::<Vec<_>>().join(",");
        let jws = format!(
            r#"{{"protected":"{}","header":{{{unprotected}}},"payload":"e30","signature":"{}"}}"#,
            b64(protected.as_bytes()),
            b64(&[0; 32])
        );
        jws
    };
    assert_linear("flattened JWS headers", jws, |jws| {
        let jws = FlattenedJws::from_json(jws).expect("a flattened JWS");
        let verified = flattened_verify(&jws, &hs_key(), &JwsVerifyOptions::new());
        assert!(
            matches!(verified, Err(Error::JwsSignatureVerificationFailed)),
            "{verified:?}"
        );
    });
}

#[test]
fn a_claims_set_of_100k_members_is_read_in_linear_time() {
    let token = |count| {
        let payload = format!(r#"{{"exp":{FAR_FUTURE},{}}}"#, members(count));
        (count, signed(r#"{"alg":"HS256"}"#, &payload))
    };
    assert_linear("claims set", token, |(count, token)| {
        let claims = jwt_verify::<JsonObject>(token, &hs_key(), &VerifyOptions::new()).map(|v| v.claims.len());
        assert_eq!(claims.ok(), Some(*count + 1));
        assert!(jwt_verify::<IgnoredAny>(token, &hs_key(), &VerifyOptions::new()).is_ok());
    });
}

/// A symmetric JWK with `count` members besides its own.
fn oct_jwk(count: usize) -> String {
    format!(r#"{{"kty":"oct","k":"{}",{}}}"#, b64(&SECRET), members(count))
}

#[test]
fn a_jwk_of_100k_members_is_read_in_linear_time() {
    assert_linear(
        "JWK",
        |count| (count, oct_jwk(count)),
        |(count, jwk)| {
            let jwk = Jwk::from_json(jwk).map(|jwk| jwk.other.len());
            assert_eq!(jwk.ok(), Some(*count));
        },
    );
}

#[test]
fn a_jwk_set_of_100k_members_is_read_in_linear_time() {
    let in_a_key = |count| format!(r#"{{"keys":[{}]}}"#, oct_jwk(count));
    assert_linear("JWK Set, members in a key", in_a_key, |set| {
        let set = LocalJwkSet::from_json(set);
        assert_eq!(set.map(|s| s.keys().len()).ok(), Some(1));
    });
    let at_the_top = |count| format!(r#"{{{},"keys":[{}]}}"#, members(count), oct_jwk(1));
    assert_linear("JWK Set, members at the top level", at_the_top, |set| {
        let set = LocalJwkSet::from_json(set);
        assert_eq!(set.map(|s| s.keys().len()).ok(), Some(1));
    });
}

// ------------------------------------------ one verdict for all (defect 7)

#[derive(Debug, serde::Deserialize)]
struct Subject {
    #[allow(dead_code)]
    sub: String,
}

/// Claims sets that hold something no strict reader takes, in a member
/// the caller's type may not name.
fn unreadable_claims() -> Vec<(&'static str, String)> {
    let deep = |depth: usize| format!(r#"{{"sub":"a","x":{}{}}}"#, "[".repeat(depth), "]".repeat(depth));
    vec![
        ("number out of f64 range", r#"{"sub":"a","x":1e309}"#.to_owned()),
        (
            "negative number out of range",
            r#"{"sub":"a","x":[{"y":-1e400}]}"#.to_owned(),
        ),
        ("lone leading surrogate", r#"{"sub":"a","x":"\ud800"}"#.to_owned()),
        (
            "lone trailing surrogate in a name",
            r#"{"sub":"a","x":{"\udc00":1}}"#.to_owned(),
        ),
        ("5,000-deep nesting", deep(5_000)),
        ("nesting just past serde_json's limit", deep(128)),
        (
            "duplicate nested deep",
            r#"{"sub":"a","x":[{"y":{"z":1,"z":2}}]}"#.to_owned(),
        ),
        (
            "duplicate in a registered claim",
            r#"{"sub":"a","aud":{"a":1,"a":1}}"#.to_owned(),
        ),
        ("duplicate at the top level", r#"{"sub":"a","x":1,"x":1}"#.to_owned()),
        ("not an object", r#"[{"sub":"a"}]"#.to_owned()),
    ]
}

#[track_caller]
fn assert_jwt_invalid<T: std::fmt::Debug>(result: rjose::Result<T>, what: &str) {
    match result {
        Err(e @ Error::JwtInvalid(_)) => assert_eq!(e.code(), "ERR_JWT_INVALID"),
        other => panic!("{what}: expected JwtInvalid, got {other:?}"),
    }
}

/// Every way of reading a claims set, with the caller's type `T`.
fn refused_as<T: DeserializeOwned + std::fmt::Debug>(payload: &str, what: &str) {
    let options = VerifyOptions::new();
    let token = signed(r#"{"alg":"HS256"}"#, payload);
    assert_jwt_invalid(jwt_verify::<T>(&token, &hs_key(), &options).map(|v| v.claims), what);
    assert_jwt_invalid(decode_jwt_claims_unverified::<T>(&token), what);
    let unsecured = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(payload.as_bytes()));
    assert_jwt_invalid(UnsecuredJwt::decode::<T>(&unsecured, &options), what);
    let key = Key::from_secret([0x17; 32]).expect("a non-empty secret");
    let encrypted = CompactEncrypt::new(payload.as_bytes())
        .protected_header(JweHeader::new(JweAlg::Dir, JweEnc::A256GCM))
        .encrypt(&key)
        .expect("encrypts");
    let decrypted = jwt_decrypt::<T>(&encrypted, &key, &DecryptOptions::new().claims(options));
    assert_jwt_invalid(decrypted.map(|d| d.claims), what);
}

#[test]
fn unreadable_claims_are_refused_whatever_the_callers_type() {
    for (what, payload) in unreadable_claims() {
        refused_as::<JsonObject>(&payload, what);
        refused_as::<Value>(&payload, what);
        refused_as::<Subject>(&payload, what);
        refused_as::<IgnoredAny>(&payload, what);
        let token = signed(r#"{"alg":"HS256"}"#, &payload);
        assert_jwt_invalid(decode_jwt_unverified(&token), what);
    }
}

/// The same error, message included, whatever the type.
#[test]
fn the_refusal_is_the_same_whatever_the_callers_type() {
    for (what, payload) in unreadable_claims() {
        let token = signed(r#"{"alg":"HS256"}"#, &payload);
        let options = VerifyOptions::new();
        let map = jwt_verify::<JsonObject>(&token, &hs_key(), &options).map(|_| ());
        let subject = jwt_verify::<Subject>(&token, &hs_key(), &options).map(|_| ());
        let ignored = jwt_verify::<IgnoredAny>(&token, &hs_key(), &options).map(|_| ());
        assert_eq!(format!("{map:?}"), format!("{subject:?}"), "{what}");
        assert_eq!(format!("{map:?}"), format!("{ignored:?}"), "{what}");
    }
}

#[test]
fn sound_claims_are_accepted_whatever_the_callers_type() {
    let deep = format!(
        r#"{{"sub":"a","exp":{FAR_FUTURE},"x":{}{}}}"#,
        "[".repeat(126),
        "]".repeat(126)
    );
    for payload in [
        r#"{"sub":"a","exp":4102444800,"x":{"sub":1,"x":{"x":2}},"y":[{"z":1},{"z":1}]}"#,
        r#"{"sub":"a","exp":4102444800,"x":1.7976931348623157e308,"y":"\ud83d\ude00","z":"\u00e9"}"#,
        r#"{"sub":"a","exp":4102444800,"\u0078":1,"y":{"\u0078":1,"x\u0020":2}}"#,
        deep.as_str(),
    ] {
        let token = signed(r#"{"alg":"HS256"}"#, payload);
        let options = VerifyOptions::new();
        assert!(
            jwt_verify::<JsonObject>(&token, &hs_key(), &options).is_ok(),
            "{payload}"
        );
        assert!(jwt_verify::<Subject>(&token, &hs_key(), &options).is_ok(), "{payload}");
        assert!(
            jwt_verify::<IgnoredAny>(&token, &hs_key(), &options).is_ok(),
            "{payload}"
        );
        assert!(decode_jwt_claims_unverified::<Subject>(&token).is_ok(), "{payload}");
        assert!(decode_jwt_unverified(&token).is_ok(), "{payload}");
    }
}

#[test]
fn claims_types_read_member_names_as_serde_json_does() {
    use std::collections::{BTreeMap, HashMap};

    #[derive(Debug, serde::Deserialize)]
    struct Scores {
        scores: HashMap<u32, bool>,
        flags: BTreeMap<bool, i8>,
        raw: Box<serde_json::value::RawValue>,
    }
    let token = signed(
        r#"{"alg":"HS256"}"#,
        r#"{"exp":4102444800,"scores":{"1":true,"20":false},"flags":{"true":1},"raw":{"a":[1, 2]}}"#,
    );
    let claims = jwt_verify::<Scores>(&token, &hs_key(), &VerifyOptions::new()).map(|v| v.claims);
    let claims = claims.expect("verifies");
    assert!(!claims.scores[&20]);
    assert_eq!(claims.flags[&true], 1);
    assert_eq!(claims.raw.get(), r#"{"a":[1, 2]}"#);
    // A raw value is checked too.
    let token = signed(r#"{"alg":"HS256"}"#, r#"{"scores":{},"flags":{},"raw":{"a":1,"a":2}}"#);
    assert_jwt_invalid(jwt_verify::<Scores>(&token, &hs_key(), &VerifyOptions::new()), "raw");
}
