//! Compact JWS verification, with a differential oracle: the same three
//! parts as a flattened JSON JWS must get the same verdict (payload or
//! error code).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jws::{FlattenedJws, compact_verify, flattened_verify};
use rjose_fuzz::{assert_same_verdict, jws_options, signature_keys, verdict};

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let compact = compact_verify(token, signature_keys(), &jws_options());
    let mut parts = token.split('.');
    let (Some(protected), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return;
    };
    // An empty payload part is a detached payload in both serializations
    // only when the caller supplies it; compact reads it as empty bytes.
    let json = serde_json::json!({ "protected": protected, "payload": payload, "signature": signature }).to_string();
    let flattened =
        FlattenedJws::from_json(&json).and_then(|jws| flattened_verify(&jws, signature_keys(), &jws_options()));
    assert_same_verdict(
        "compact vs flattened JWS",
        verdict(&compact, |v| v.payload.clone()),
        verdict(&flattened, |v| v.payload.clone()),
    );
});
