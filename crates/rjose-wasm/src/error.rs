//! Errors as JavaScript sees them: an `Error` whose `code` is the core's
//! stable code, as npm `jose` throws them.

use js_sys::Reflect;
use rjose::Error;
use serde_json::{Map, Value};
use wasm_bindgen::JsValue;

/// The JavaScript `Error` for a failure: its message is the core's, and
/// `code` is its stable code (`ERR_JWT_EXPIRED`, ...). A claim failure
/// also carries `claim`, `reason` (`missing`, `invalid`, `check_failed`)
/// and `payload`, the claims that were verified by signature, like npm
/// `jose`'s `JWTExpired` and `JWTClaimValidationFailed`.
pub(crate) fn to_js(error: &Error) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    set(&js, "code", &error.code().into());
    match error {
        Error::JwtExpired { claim, claims, .. } => {
            set(&js, "claim", &claim.as_str().into());
            set(&js, "reason", &"check_failed".into());
            set(&js, "payload", &object(claims));
        }
        Error::JwtClaimValidationFailed {
            claim, reason, claims, ..
        } => {
            set(&js, "claim", &claim.as_str().into());
            set(&js, "reason", &reason.as_str().into());
            set(&js, "payload", &object(claims));
        }
        _ => {}
    }
    js.into()
}

/// Sets a property on a fresh `Error`, which cannot refuse it.
fn set(target: &js_sys::Error, name: &str, value: &JsValue) {
    // Defining a data property on an ordinary extensible object does not
    // fail; the result carries nothing to report.
    let _ = Reflect::set(target, &name.into(), value);
}

/// The claims as a JavaScript object (`undefined` in the unreachable case
/// that the map does not serialize).
fn object(claims: &Map<String, Value>) -> JsValue {
    serde_json::to_string(claims)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::UNDEFINED)
}
