//! `sign` and `generateKeyPair`: issuing tokens, for tests, tools and the
//! direction "made here, verified by npm `jose`".

use rjose::jwt::{SignJwt, TimeInput};
use rjose::{Alg, Error, KeyPairOptions};
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::error::to_js;
use crate::{clock, js, keys};

/// Signs `payload` (an object of claims) with `key` as a compact JWT (a
/// JWS with the claims as its payload), as npm `jose`'s `SignJWT` does.
///
/// `key` is a private JWK (an object or JSON text), a PKCS#8 PEM private
/// key, or a `Uint8Array` HMAC secret. `options` names the algorithm
/// (`alg`, by default the key's own), the header's `kid` (by default the
/// JWK's) and `typ`, and the registered claims: `expirationTime`,
/// `notBefore` and `issuedAt` (Unix seconds, a span from now such as
/// `"15m"`, or `true` for now as `issuedAt`), `issuer`, `audience` (a
/// string or an array), `subject` and `jti`; they win over the same
/// claims in `payload`.
///
/// Nothing sets `exp` unless asked: `verify` refuses a token without one
/// by default.
#[wasm_bindgen]
pub fn sign(
    #[wasm_bindgen(unchecked_param_type = "Record<string, unknown>")] payload: JsValue,
    #[wasm_bindgen(unchecked_param_type = "object | string | Uint8Array")] key: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "SignOptions")] options: Option<JsValue>,
) -> Result<String, JsValue> {
    sign_with(&payload, &key, &options.unwrap_or_default()).map_err(|e| to_js(&e))
}

/// [`sign`] with the core's error, turned into a JavaScript one by the caller.
fn sign_with(payload: &JsValue, key: &JsValue, options: &JsValue) -> rjose::Result<String> {
    let claims: Map<String, Value> = serde_json::from_str(&js::json_text(payload, "the payload")?)
        .map_err(|_| js::invalid("the payload", "an object of claims"))?;
    let key = keys::signing_key(key)?;
    let mut jwt = SignJwt::from_claims(claims);
    if let Some(object) = js::options_object(options, "the sign options")? {
        // Relative times are resolved here, from `Date.now()`: the
        // builder's own clock would read the system clock, absent on
        // wasm32-unknown-unknown.
        let now = clock::now();
        let entries = js::entries(object)?;
        // First: the header it sets replaces the whole header, `kid` and
        // `typ` included, whichever came first in the object.
        if let Some((_, alg)) = entries.iter().find(|(name, _)| name == "alg") {
            jwt = jwt.protected_header(js::string(alg, "alg")?.parse::<Alg>()?);
        }
        for (name, value) in entries {
            jwt = match name.as_str() {
                "alg" => jwt,
                "kid" => jwt.kid(js::string(&value, "kid")?),
                "typ" => jwt.typ(js::string(&value, "typ")?),
                "expirationTime" => jwt.claim("exp", time(&value, now, "expirationTime")?),
                "notBefore" => jwt.claim("nbf", time(&value, now, "notBefore")?),
                "issuedAt" if value.as_bool() == Some(true) => jwt.claim("iat", now),
                "issuedAt" => jwt.claim("iat", time(&value, now, "issuedAt")?),
                "issuer" => jwt.issuer(js::string(&value, "issuer")?),
                "audience" => match value.as_string() {
                    Some(one) => jwt.audience(one),
                    None => jwt.audiences(js::strings(&value, "audience")?),
                },
                "subject" => jwt.subject(js::string(&value, "subject")?),
                "jti" => jwt.jwt_id(js::string(&value, "jti")?),
                other => return Err(Error::InvalidArgument(format!("unknown option {other:?}"))),
            };
        }
    }
    jwt.sign(&key)
}

/// A time claim: Unix seconds, or a span from `now` (`"15m"`, `"1h ago"`).
fn time(value: &JsValue, now: i64, what: &str) -> rjose::Result<i64> {
    match value.as_f64() {
        Some(seconds) => js::unix_seconds(seconds, what),
        None => js::string(value, what)?
            .as_str()
            .resolve(now)
            .map_err(|e| Error::InvalidArgument(format!("{what}: {e}"))),
    }
}

/// Generates a key pair for `alg` (`ES256`, `EdDSA`, `RS256`, ...) and
/// returns it as `{ privateKey, publicKey }` JWKs carrying `alg`, ready
/// for [`sign`] and for a JWK Set. RSA keys are 2048 bits.
#[wasm_bindgen(js_name = generateKeyPair, unchecked_return_type = "GeneratedKeyPair")]
pub fn generate_key_pair(alg: &str) -> Result<JsValue, JsValue> {
    key_pair(alg).map_err(|e| to_js(&e))
}

/// [`generate_key_pair`] with the core's error.
fn key_pair(alg: &str) -> rjose::Result<JsValue> {
    let alg: Alg = alg.parse()?;
    let pair = rjose::generate_key_pair(alg, KeyPairOptions::default())?;
    let private = pair.private_key.with_alg(alg).to_jwk()?;
    let public = pair.public_key.with_alg(alg).to_public_jwk()?;
    let text = serde_json::json!({ "privateKey": private, "publicKey": public }).to_string();
    js::parse(&text)
}
