//! Flattened and general JSON JWE decryption. Differential oracle: a
//! flattened JWE rewritten as a general one with one recipient is
//! decrypted exactly when the flattened one is, to the same plaintext.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jwe::{FlattenedJwe, GeneralJwe, flattened_decrypt, general_decrypt};
use rjose_fuzz::{assert_same_acceptance, decryption_keys, jwe_options, verdict};
use serde_json::{Map, Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(general) = GeneralJwe::from_json(text) {
        let _ = general_decrypt(&general, decryption_keys(), &jwe_options());
    }
    let Ok(jwe) = FlattenedJwe::from_json(text) else { return };
    let flattened = flattened_decrypt(&jwe, decryption_keys(), &jwe_options());

    let Ok(Value::Object(mut fields)) = serde_json::to_value(&jwe) else {
        return;
    };
    let mut recipient = Map::new();
    for name in ["header", "encrypted_key"] {
        if let Some(value) = fields.remove(name) {
            recipient.insert(name.to_owned(), value);
        }
    }
    fields.insert("recipients".to_owned(), json!([recipient]));
    let general = GeneralJwe::from_json(&Value::Object(fields).to_string())
        .and_then(|general| general_decrypt(&general, decryption_keys(), &jwe_options()));
    assert_same_acceptance(
        "flattened vs general JWE",
        verdict(&flattened, |d| d.plaintext.clone()),
        verdict(&general, |d| d.plaintext.clone()),
    );
});
