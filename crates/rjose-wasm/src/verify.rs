//! `verify` and `Verifier`: a compact JWT checked against a key or a JWK
//! Set, as npm `jose`'s `jwtVerify` checks it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rjose::Error;
use rjose::jwt::jwt_verify;
use serde::de::IgnoredAny;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::error::to_js;
use crate::keys::{self, Keys};
use crate::{js, options};

/// Keys imported once, to verify many tokens: the form for a request
/// handler or a Worker, which pays for parsing the JWK Set and importing
/// its keys at construction rather than on every token.
///
/// ```js
/// const verifier = new Verifier(jwks) // { keys: [...] }, parsed once
/// const { payload } = verifier.verify(token, { issuer, audience })
/// ```
#[wasm_bindgen]
#[derive(Debug)]
pub struct Verifier {
    keys: Keys,
}

#[wasm_bindgen]
impl Verifier {
    /// Imports `key`: a JWK Set (`{ keys: [...] }`), one JWK (an object or
    /// JSON text), a PEM public key or certificate, or a `Uint8Array`
    /// HMAC secret. `options.allowSymmetric` lets a JWK Set hand out its
    /// `oct` keys, refused by default because a JWK Set is usually public.
    ///
    /// Throws `ERR_JWKS_INVALID`, `ERR_JWK_INVALID` or
    /// `ERR_JOSE_INVALID_ARGUMENT` for a key that cannot be used.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "KeyInput")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifierOptions")] options: Option<JsValue>,
    ) -> Result<Verifier, JsValue> {
        let allow_symmetric = options::allow_symmetric(&options.unwrap_or_default()).map_err(|e| to_js(&e))?;
        let keys = keys::verification_keys(&key, allow_symmetric).map_err(|e| to_js(&e))?;
        Ok(Verifier { keys })
    }

    /// Verifies a compact JWT: its signature with the key (for a JWK Set,
    /// the one its `kid` and `alg` select), then its claims against
    /// `options`. Returns `{ payload, protectedHeader }`; throws an `Error`
    /// whose `code` says why the token was refused.
    #[wasm_bindgen(unchecked_return_type = "VerifyResult")]
    pub fn verify(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        verify_with(&self.keys, &token, &options.unwrap_or_default()).map_err(|e| to_js(&e))
    }
}

/// Verifies a compact JWT with `key`, imported for this call only: what
/// [`Verifier`] does, for a single token. Takes the same key inputs as the
/// `Verifier` constructor (a JWK Set's `oct` keys are refused) and the
/// same options as its `verify`.
#[wasm_bindgen(unchecked_return_type = "VerifyResult")]
pub fn verify(
    #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    #[wasm_bindgen(unchecked_param_type = "KeyInput")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "VerifyOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let keys = keys::verification_keys(&key, false).map_err(|e| to_js(&e))?;
    verify_with(&keys, &token, &options.unwrap_or_default()).map_err(|e| to_js(&e))
}

/// Reads the token and the options, verifies with `keys` and builds the
/// result: the work of both forms of `verify`.
fn verify_with(keys: &Keys, token: &JsValue, options: &JsValue) -> rjose::Result<JsValue> {
    let token = token
        .as_string()
        .ok_or_else(|| Error::JwsInvalid("a compact JWS must be a string".into()))?;
    let options = options::verify_options(options)?;
    // The claims are checked by the core and handed to JavaScript as the
    // token's own JSON text: no Rust map is built only to be converted.
    jwt_verify::<IgnoredAny>(&token, keys, &options)?;
    result(&token)
}

/// `{ payload, protectedHeader }` of a token that verified, through one
/// `JSON.parse` of its two segments.
fn result(token: &str) -> rjose::Result<JsValue> {
    let mut segments = token.split('.');
    let mut decoded = || {
        segments
            .next()
            .and_then(|segment| URL_SAFE_NO_PAD.decode(segment).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            // Unreachable: the core has just decoded and parsed both.
            .ok_or_else(|| Error::JwsInvalid("the token changed while being verified".into()))
    };
    let header = decoded()?;
    let payload = decoded()?;
    js::parse(&format!("{{\"payload\":{payload},\"protectedHeader\":{header}}}"))
}
