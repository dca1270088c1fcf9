//! Reading JavaScript values: the few shapes the API accepts, each turned
//! into a Rust value or an `ERR_JOSE_INVALID_ARGUMENT` naming the input.

use js_sys::{Array, JSON, Object, Reflect};
use rjose::Error;
use wasm_bindgen::{JsCast, JsValue};

use crate::clock;

/// `Error::InvalidArgument` about `what`.
pub(crate) fn invalid(what: &str, expected: &str) -> Error {
    Error::InvalidArgument(format!("{what} must be {expected}"))
}

/// The value as a plain object to read options from; `None` for
/// `undefined` and `null` (no options).
pub(crate) fn options_object<'a>(value: &'a JsValue, what: &str) -> rjose::Result<Option<&'a Object>> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_ref::<Object>()
        .filter(|_| !value.is_function() && !Array::is_array(value))
        .map(Some)
        .ok_or_else(|| invalid(what, "an object"))
}

/// The own enumerable properties of an options object whose value is not
/// `undefined` (JavaScript's way of leaving an option out), by name.
pub(crate) fn entries(object: &Object) -> rjose::Result<Vec<(String, JsValue)>> {
    let mut out = Vec::new();
    for name in Object::keys(object).iter() {
        let value = Reflect::get(object, &name).map_err(|e| thrown("reading an option", &e))?;
        if value.is_undefined() {
            continue;
        }
        // `Object.keys` yields strings only.
        out.push((name.as_string().unwrap_or_default(), value));
    }
    Ok(out)
}

/// A string.
pub(crate) fn string(value: &JsValue, what: &str) -> rjose::Result<String> {
    value.as_string().ok_or_else(|| invalid(what, "a string"))
}

/// A boolean.
pub(crate) fn boolean(value: &JsValue, what: &str) -> rjose::Result<bool> {
    value.as_bool().ok_or_else(|| invalid(what, "a boolean"))
}

/// A string or an array of strings.
pub(crate) fn strings(value: &JsValue, what: &str) -> rjose::Result<Vec<String>> {
    if let Some(one) = value.as_string() {
        return Ok(vec![one]);
    }
    string_array(value, what, "a string or an array of strings")
}

/// An array of strings.
pub(crate) fn string_array(value: &JsValue, what: &str, expected: &str) -> rjose::Result<Vec<String>> {
    let array = value.dyn_ref::<Array>().ok_or_else(|| invalid(what, expected))?;
    array
        .iter()
        .map(|item| item.as_string().ok_or_else(|| invalid(what, expected)))
        .collect()
}

/// A whole, non-negative number (of seconds).
pub(crate) fn seconds(value: f64, what: &str) -> rjose::Result<u64> {
    // 2^53: above it a JavaScript number no longer counts every second.
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value <= MAX_SAFE {
        // Whole and within range by the test above: the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        return Ok(value as u64);
    }
    Err(invalid(
        what,
        "a whole, non-negative number of seconds or a span such as \"30s\"",
    ))
}

/// A point in time given as Unix seconds (a finite number).
pub(crate) fn unix_seconds(value: f64, what: &str) -> rjose::Result<i64> {
    // Within ±2^53 a number is a whole count of seconds at full precision.
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    if value.is_finite() && value.abs() <= MAX_SAFE {
        return Ok(clock::unix_seconds(value));
    }
    Err(invalid(what, "a finite number of Unix seconds"))
}

/// The text of a JSON input: a string as it is, anything else through
/// `JSON.stringify`.
pub(crate) fn json_text(value: &JsValue, what: &str) -> rjose::Result<String> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    JSON::stringify(value)
        .map_err(|e| thrown(what, &e))?
        .as_string()
        .ok_or_else(|| invalid(what, "a JSON object"))
}

/// `JSON.parse` of text this crate made or verified.
pub(crate) fn parse(text: &str) -> rjose::Result<JsValue> {
    JSON::parse(text).map_err(|e| thrown("parsing JSON", &e))
}

/// An exception thrown by JavaScript while reading an input (a throwing
/// getter, `JSON.stringify` of a `BigInt` or of a cycle).
fn thrown(what: &str, exception: &JsValue) -> Error {
    let message = exception
        .dyn_ref::<js_sys::Error>()
        .and_then(|e| e.message().as_string())
        .or_else(|| exception.as_string())
        .unwrap_or_else(|| "an exception".into());
    Error::InvalidArgument(format!("{what}: {message}"))
}
