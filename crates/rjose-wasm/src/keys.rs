//! The keys a caller hands over: a JWK Set, one JWK, a PEM key or the
//! bytes of an HMAC secret, imported once.

use js_sys::Uint8Array;
use rjose::jws::JwsHeader;
use rjose::{Key, KeyCandidates, KeySource, LocalJwkSet};
use serde::Deserialize;
use serde::de::IgnoredAny;
use wasm_bindgen::{JsCast, JsValue};
use zeroize::Zeroizing;

use crate::js;

/// Keys to verify with, imported.
#[derive(Debug)]
pub(crate) enum Keys {
    /// A JWK Set: the key is chosen by the token's `kid` and `alg`, by the
    /// core's rules (no guessing between several candidates).
    Set(LocalJwkSet),
    /// One key, for every token.
    One(Key),
}

impl KeySource for Keys {
    fn candidates(&self, header: &JwsHeader) -> rjose::Result<KeyCandidates<'_>> {
        match self {
            Keys::Set(set) => set.candidates(header),
            Keys::One(key) => KeySource::<JwsHeader>::candidates(key, header),
        }
    }
}

/// Imports the keys to verify with. `allow_symmetric` lets a JWK Set hand
/// out its `oct` keys (a secret given directly is always usable).
pub(crate) fn verification_keys(input: &JsValue, allow_symmetric: bool) -> rjose::Result<Keys> {
    if let Some(key) = secret_or_pem(input)? {
        return Ok(Keys::One(key));
    }
    // The text may hold secrets (an `oct` key, a private key's members).
    let text = Zeroizing::new(js::json_text(input, "the key")?);
    if names_a_set(&text) {
        Ok(Keys::Set(
            LocalJwkSet::from_json(&text)?.allow_symmetric(allow_symmetric),
        ))
    } else {
        Ok(Keys::One(Key::from_jwk_json(&text)?))
    }
}

/// Imports the one key to sign with.
pub(crate) fn signing_key(input: &JsValue) -> rjose::Result<Key> {
    if let Some(key) = secret_or_pem(input)? {
        return Ok(key);
    }
    let text = Zeroizing::new(js::json_text(input, "the key")?);
    if names_a_set(&text) {
        return Err(js::invalid("the key to sign with", "one JWK, not a JWK Set"));
    }
    Key::from_jwk_json(&text)
}

/// The key of a `Uint8Array` (an HMAC secret) or of a PEM string; `None`
/// for any other input, read as JSON.
fn secret_or_pem(input: &JsValue) -> rjose::Result<Option<Key>> {
    if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
        return Key::from_secret(Zeroizing::new(bytes.to_vec())).map(Some);
    }
    match input.as_string().map(Zeroizing::new) {
        Some(text) if text.trim_start().starts_with("-----BEGIN") => Key::from_pem(&text).map(Some),
        _ => Ok(None),
    }
}

/// Whether a JSON document is a JWK Set (has a `keys` member) rather than
/// one JWK; the importer then reports whatever else is wrong with it.
/// Nothing is kept from the look: a private key's members are not copied
/// into values that would not be wiped.
fn names_a_set(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Members {
        keys: Option<IgnoredAny>,
    }
    serde_json::from_str::<Members>(text).is_ok_and(|members| members.keys.is_some())
}
