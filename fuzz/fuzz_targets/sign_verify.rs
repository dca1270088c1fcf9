//! Sign then verify, driven by fuzz bytes: the first byte picks the
//! algorithm and fixed key, the second the options, the rest is the
//! payload. Oracles: every serialization verifies to the same payload, and
//! a payload that is a JSON object signs as a JWT whose verification
//! accepts exactly the claims signed (or refuses them for one of its claim
//! checks, whatever type it reads them into).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jws::{
    CompactSign, FlattenedSign, GeneralSign, JwsHeader, JwsVerifyOptions, compact_verify, compact_verify_detached,
    flattened_verify, general_verify,
};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
use rjose::{JsonObject, Key};
use rjose_fuzz::{signers, verdict};
use serde::de::IgnoredAny;

fuzz_target!(|data: &[u8]| {
    let [choice, flags, payload @ ..] = data else { return };
    let (alg, key) = &signers()[usize::from(*choice) % signers().len()];
    let mut header = JwsHeader::new(*alg);
    if flags & 1 != 0 {
        let kid = String::from_utf8_lossy(&payload[..payload.len().min(16)]).into_owned();
        header = header.insert("kid", kid).expect("kid is a header parameter");
    }
    let options = JwsVerifyOptions::new().algorithms([*alg]);
    let public = if key.is_symmetric() {
        key.clone()
    } else {
        key.public_key().expect("a private key has a public one")
    };

    if flags & 2 != 0 {
        let token = CompactSign::new(payload)
            .protected_header(header.clone())
            .detached()
            .sign(key)
            .expect("signs");
        let verified = compact_verify_detached(&token, payload, &public, &options).expect("detached JWS verifies");
        assert_eq!(verified.payload, payload, "detached compact round trip");
    } else {
        let token = CompactSign::new(payload)
            .protected_header(header.clone())
            .sign(key)
            .expect("signs");
        let verified = compact_verify(&token, &public, &options).expect("compact JWS verifies");
        assert_eq!(verified.payload, payload, "compact round trip");
    }
    let flattened = FlattenedSign::new(payload)
        .protected_header(header.clone())
        .sign(key)
        .expect("signs");
    let verified = flattened_verify(&flattened, &public, &options).expect("flattened JWS verifies");
    assert_eq!(verified.payload, payload, "flattened round trip");
    let general = GeneralSign::new(payload)
        .add_signature(key, header, None)
        .sign()
        .expect("signs");
    let verified = general_verify(&general, &public, &options).expect("general JWS verifies");
    assert_eq!(verified.payload, payload, "general round trip");

    jwt_round_trip(payload, *alg, key, &public);
});

fn jwt_round_trip(payload: &[u8], alg: rjose::Alg, key: &Key, public: &Key) {
    let Ok(claims) = serde_json::from_slice::<JsonObject>(payload) else {
        return;
    };
    let Ok(token) = SignJwt::from_claims(claims.clone()).protected_header(alg).sign(key) else {
        return;
    };
    // Arbitrary claims rarely carry `exp` or the one audience: the opt-outs
    // let them reach the round trip rather than stop at the defaults.
    let options = VerifyOptions::new()
        .algorithms([alg])
        .current_time(1_700_000_000_i64)
        .allow_missing_exp()
        .allow_any_audience();
    let object = jwt_verify::<JsonObject>(&token, public, &options);
    if let Ok(verified) = &object {
        assert_eq!(verified.claims, claims, "JWT round trip");
    }
    let ignored = jwt_verify::<IgnoredAny>(&token, public, &options);
    assert_eq!(
        verdict(&object, |_| ()),
        verdict(&ignored, |_| ()),
        "JWT verdict depends on the claims type"
    );
}
