//! Flattened and general JSON JWS verification. Differential oracles: a
//! flattened JWS rewritten as a general one with one signature is accepted
//! exactly when the flattened one is, and one with only a protected header
//! gets the verdict of its compact form.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jws::{FlattenedJws, GeneralJws, compact_verify, flattened_verify, general_verify};
use rjose_fuzz::{assert_same_acceptance, assert_same_verdict, jws_options, signature_keys, verdict};
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(general) = GeneralJws::from_json(text) {
        let _ = general_verify(&general, signature_keys(), &jws_options());
    }
    let Ok(jws) = FlattenedJws::from_json(text) else { return };
    let flattened = flattened_verify(&jws, signature_keys(), &jws_options());

    let Ok(Value::Object(mut fields)) = serde_json::to_value(&jws) else {
        return;
    };
    let mut signature = serde_json::Map::new();
    for name in ["protected", "header", "signature"] {
        if let Some(value) = fields.remove(name) {
            signature.insert(name.to_owned(), value);
        }
    }
    fields.insert("signatures".to_owned(), json!([signature]));
    let general = GeneralJws::from_json(&Value::Object(fields).to_string())
        .and_then(|general| general_verify(&general, signature_keys(), &jws_options()));
    assert_same_acceptance(
        "flattened vs general JWS",
        verdict(&flattened, |v| v.payload.clone()),
        verdict(&general, |v| v.payload.clone()),
    );

    // A dot in any member would split differently in the compact form.
    if let (Some(protected), None, Some(payload)) = (&jws.protected, &jws.header, &jws.payload)
        && ![protected, payload, &jws.signature]
            .iter()
            .any(|part| part.contains('.'))
    {
        let compact = compact_verify(
            &format!("{protected}.{payload}.{}", jws.signature),
            signature_keys(),
            &jws_options(),
        );
        assert_same_verdict(
            "flattened vs compact JWS",
            verdict(&flattened, |v| v.payload.clone()),
            verdict(&compact, |v| v.payload.clone()),
        );
    }
});
