//! Timing probes for js/bench.mjs (feature `bench-internals`): the layers
//! under `Verifier.verify`, run in a loop inside wasm so that the calls
//! across the JavaScript boundary do not count.

use ed25519_dalek::pkcs8::DecodePublicKey as _;
use hmac::{KeyInit as _, Mac as _};
use p256::ecdsa::signature::Verifier as _;
use rjose::Error;
use rjose::jws::{JwsVerifyOptions, compact_verify};
use rjose::jwt::jwt_verify;
use serde::de::IgnoredAny;
use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::error::to_js;
use crate::keys;

/// Verifies the JWS of `token` (base64url, header, key selection and
/// signature: everything `verify` does but the claims and the result
/// object) `iterations` times with `key`, imported once.
#[wasm_bindgen(js_name = benchJwsVerify)]
pub fn bench_jws_verify(token: &str, key: JsValue, iterations: u32) -> Result<(), JsValue> {
    let keys = keys::verification_keys(&key, false).map_err(|e| to_js(&e))?;
    let options = JwsVerifyOptions::default();
    for _ in 0..iterations {
        compact_verify(token, &keys, &options).map_err(|e| to_js(&e))?;
    }
    Ok(())
}

/// Verifies `token` as `Verifier.verify` does, signature and claims
/// against `options`, `iterations` times, inside wasm: what `verify` costs
/// without reading the options object and building the result for
/// JavaScript on each call.
#[wasm_bindgen(js_name = benchJwtVerify)]
pub fn bench_jwt_verify(token: &str, key: JsValue, options: JsValue, iterations: u32) -> Result<(), JsValue> {
    let keys = keys::verification_keys(&key, false).map_err(|e| to_js(&e))?;
    let options = crate::options::verify_options(&options).map_err(|e| to_js(&e))?;
    for _ in 0..iterations {
        jwt_verify::<IgnoredAny>(token, &keys, &options).map_err(|e| to_js(&e))?;
    }
    Ok(())
}

/// Checks the signature of `token` `iterations` times with the RustCrypto
/// primitive itself (`HS256`: the secret; otherwise an SPKI DER public
/// key): the pure crypto share of `verify`.
#[wasm_bindgen(js_name = benchSignatureVerify)]
pub fn bench_signature_verify(alg: &str, key: &[u8], token: &str, iterations: u32) -> Result<(), JsValue> {
    let fail = |what: &str| to_js(&Error::InvalidArgument(what.into()));
    let (input, signature) = token.rsplit_once('.').ok_or_else(|| fail("not a compact JWS"))?;
    let signature = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, signature)
        .map_err(|_| fail("bad signature encoding"))?;
    let input = input.as_bytes();
    match alg {
        "HS256" => {
            let mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).map_err(|_| fail("bad secret"))?;
            for _ in 0..iterations {
                let mut mac = mac.clone();
                mac.update(input);
                mac.verify_slice(&signature).map_err(|_| fail("signature refused"))?;
            }
        }
        "RS256" => {
            let public = rsa::PublicKey::from_public_key_der(key).map_err(|_| fail("bad RSA key"))?;
            for _ in 0..iterations {
                public
                    .pkcs1v15_verify::<sha2::Sha256>(input, &signature)
                    .map_err(|_| fail("signature refused"))?;
            }
        }
        "ES256" => {
            let public = p256::ecdsa::VerifyingKey::from_public_key_der(key).map_err(|_| fail("bad P-256 key"))?;
            let signature = p256::ecdsa::Signature::from_slice(&signature).map_err(|_| fail("bad signature"))?;
            for _ in 0..iterations {
                public
                    .verify(input, &signature)
                    .map_err(|_| fail("signature refused"))?;
            }
        }
        "EdDSA" => {
            let public = ed25519_dalek::VerifyingKey::from_public_key_der(key).map_err(|_| fail("bad Ed25519 key"))?;
            let signature = ed25519_dalek::Signature::from_slice(&signature).map_err(|_| fail("bad signature"))?;
            for _ in 0..iterations {
                public
                    .verify_strict(input, &signature)
                    .map_err(|_| fail("signature refused"))?;
            }
        }
        _ => return Err(fail("no probe for this algorithm")),
    }
    Ok(())
}
