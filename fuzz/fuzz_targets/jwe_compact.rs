//! Compact JWE decryption, with a differential oracle: the same five parts
//! as a flattened JSON JWE must get the same verdict (plaintext or error
//! code).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jwe::{FlattenedJwe, compact_decrypt, flattened_decrypt};
use rjose_fuzz::{assert_same_verdict, decryption_keys, jwe_options, verdict};
use serde_json::{Map, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let compact = compact_decrypt(token, decryption_keys(), &jwe_options());
    let parts: Vec<&str> = token.split('.').collect();
    let [protected, encrypted_key, iv, ciphertext, tag] = parts[..] else {
        return;
    };
    let mut fields = Map::new();
    fields.insert("protected".into(), protected.into());
    // The compact form's empty encrypted key (direct modes) is an absent one
    // in JSON.
    if !encrypted_key.is_empty() {
        fields.insert("encrypted_key".into(), encrypted_key.into());
    }
    fields.insert("iv".into(), iv.into());
    fields.insert("ciphertext".into(), ciphertext.into());
    fields.insert("tag".into(), tag.into());
    let flattened = FlattenedJwe::from_json(&Value::Object(fields).to_string())
        .and_then(|jwe| flattened_decrypt(&jwe, decryption_keys(), &jwe_options()));
    assert_same_verdict(
        "compact vs flattened JWE",
        verdict(&compact, |d| d.plaintext.clone()),
        verdict(&flattened, |d| d.plaintext.clone()),
    );
});
