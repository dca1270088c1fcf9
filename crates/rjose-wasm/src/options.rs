//! The options objects of `verify` and of the `Verifier` constructor,
//! named as npm `jose` names them.
//!
//! An option this crate does not know is refused rather than ignored: a
//! misspelt `issuer` would otherwise turn a check off without a word.

use js_sys::{Date, Object};
use rjose::jwt::VerifyOptions;
use rjose::{Alg, Error};
use wasm_bindgen::{JsCast, JsValue};

use crate::{clock, js};

/// `VerifyOptions` from a JavaScript options object (`undefined` for the
/// defaults). The time to check against is always set: the option's, or
/// `Date.now()`.
pub(crate) fn verify_options(input: &JsValue) -> rjose::Result<VerifyOptions> {
    let mut options = VerifyOptions::new();
    let mut now = None;
    if let Some(object) = js::options_object(input, "the verify options")? {
        for (name, value) in js::entries(object)? {
            options = match name.as_str() {
                "issuer" => js::strings(&value, "issuer")?
                    .into_iter()
                    .fold(options, VerifyOptions::issuer),
                "audience" => js::strings(&value, "audience")?
                    .into_iter()
                    .fold(options, VerifyOptions::audience),
                "algorithms" => options.algorithms(algorithms(&value)?),
                "subject" => options.subject(js::string(&value, "subject")?),
                "typ" => options.typ(js::string(&value, "typ")?),
                "clockTolerance" => match value.as_f64() {
                    Some(n) => options.clock_tolerance(js::seconds(n, "clockTolerance")?),
                    None => options.clock_tolerance(js::string(&value, "clockTolerance")?.as_str()),
                },
                "maxTokenAge" => match value.as_f64() {
                    Some(n) => options.max_token_age(js::seconds(n, "maxTokenAge")?),
                    None => options.max_token_age(js::string(&value, "maxTokenAge")?.as_str()),
                },
                "currentDate" => {
                    now = Some(current_date(&value)?);
                    options
                }
                "requiredClaims" => js::string_array(&value, "requiredClaims", "an array of strings")?
                    .into_iter()
                    .fold(options, VerifyOptions::require),
                "crit" => understood(&value)?
                    .into_iter()
                    .fold(options, VerifyOptions::understands),
                "allowMissingExp" if js::boolean(&value, "allowMissingExp")? => options.allow_missing_exp(),
                "allowAnyAudience" if js::boolean(&value, "allowAnyAudience")? => options.allow_any_audience(),
                "allowMissingExp" | "allowAnyAudience" => options,
                other => return Err(unknown(other)),
            };
        }
    }
    // Set directly, not through `current_time`: that setter reads the
    // system clock, which wasm32-unknown-unknown does not have.
    options.current_time = Some(now.unwrap_or_else(clock::now));
    Ok(options)
}

/// Whether a `Verifier` may hand out the `oct` keys of a JWK Set.
pub(crate) fn allow_symmetric(input: &JsValue) -> rjose::Result<bool> {
    let mut allow = false;
    if let Some(object) = js::options_object(input, "the Verifier options")? {
        for (name, value) in js::entries(object)? {
            match name.as_str() {
                "allowSymmetric" => allow = js::boolean(&value, "allowSymmetric")?,
                other => return Err(unknown(other)),
            }
        }
    }
    Ok(allow)
}

/// The error for an option this crate does not know.
fn unknown(name: &str) -> Error {
    Error::InvalidArgument(format!("unknown option {name:?}"))
}

/// The `algorithms` allow-list; a name the core does not implement is an
/// error, not an entry that can never match.
fn algorithms(value: &JsValue) -> rjose::Result<Vec<Alg>> {
    js::string_array(value, "algorithms", "an array of algorithm names")?
        .iter()
        .map(|name| name.parse())
        .collect()
}

/// `currentDate`: a `Date`, or Unix seconds.
fn current_date(value: &JsValue) -> rjose::Result<i64> {
    let seconds = match value.dyn_ref::<Date>() {
        Some(date) => date.get_time() / 1000.0,
        None => value
            .as_f64()
            .ok_or_else(|| js::invalid("currentDate", "a Date or a number of Unix seconds"))?,
    };
    js::unix_seconds(seconds, "currentDate")
}

/// The names in `crit: { name: true }`, as npm `jose` takes them.
fn understood(value: &JsValue) -> rjose::Result<Vec<String>> {
    let object = value
        .dyn_ref::<Object>()
        .ok_or_else(|| js::invalid("crit", "an object of booleans"))?;
    let mut names = Vec::new();
    for (name, flag) in js::entries(object)? {
        if flag
            .as_bool()
            .ok_or_else(|| js::invalid("crit", "an object of booleans"))?
        {
            names.push(name);
        }
    }
    Ok(names)
}
