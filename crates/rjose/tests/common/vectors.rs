//! Reading the published test vectors under `tests/vectors`: helpers shared
//! by `vectors_jws.rs` and `vectors_jwe.rs`. Unlike the helpers of
//! `common`, these return errors rather than panic.

use std::error::Error as StdError;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rjose::{Jwk, Key};
use serde_json::Value;

pub type TestResult<T = ()> = Result<T, Box<dyn StdError>>;

/// The text of `tests/vectors/<rel>`.
pub fn read(rel: &str) -> TestResult<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors").join(rel);
    std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// `tests/vectors/<rel>` parsed as JSON.
pub fn read_json(rel: &str) -> TestResult<Value> {
    Ok(serde_json::from_str(&read(rel)?)?)
}

/// The string at a JSON pointer.
pub fn str_at<'a>(doc: &'a Value, pointer: &str) -> TestResult<&'a str> {
    doc.pointer(pointer)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("vector has no string at {pointer}").into())
}

/// A string value of an erlang-jose example (`{"values": {name: value}}`).
pub fn erlang_str<'a>(doc: &'a Value, name: &str) -> TestResult<&'a str> {
    doc["values"][name]
        .as_str()
        .ok_or_else(|| format!("erlang-jose vector has no string value {name:?}").into())
}

/// A byte value of an erlang-jose example: an array of bytes, or a string
/// standing for its own ASCII bytes.
pub fn erlang_bytes(doc: &Value, name: &str) -> TestResult<Vec<u8>> {
    match &doc["values"][name] {
        Value::String(text) => Ok(text.as_bytes().to_vec()),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_u64()
                    .and_then(|b| u8::try_from(b).ok())
                    .ok_or_else(|| format!("{name:?} holds a non-byte {item}").into())
            })
            .collect(),
        _ => Err(format!("erlang-jose vector has no value {name:?}").into()),
    }
}

pub fn hex(text: &str) -> TestResult<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return Err(format!("odd-length hex string of {} digits", text.len()).into());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| Ok(u8::from_str_radix(&text[i..i + 2], 16)?))
        .collect()
}

/// Decodes unpadded base64url, as an error on bad input.
pub fn unb64(text: &str) -> TestResult<Vec<u8>> {
    Ok(URL_SAFE_NO_PAD.decode(text)?)
}

pub fn key_from_value(jwk: &Value) -> TestResult<Key> {
    Ok(Key::from_jwk(&serde_json::from_value::<Jwk>(jwk.clone())?)?)
}
