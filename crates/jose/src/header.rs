//! What JWS and JWE headers share: typed extraction of registered
//! parameters from a JSON object, and the `crit` rules of RFC 7515
//! section 4.1.11 (which RFC 7516 adopts).

use serde_json::{Map, Value};

use crate::jwk::Jwk;

/// Removes `name` from `map` and checks it is a string.
pub(crate) fn take_string(map: &mut Map<String, Value>, name: &str) -> Result<Option<String>, String> {
    match map.remove(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("\"{name}\" header parameter must be a string")),
    }
}

/// Removes `crit` and checks it is a non-empty array of strings.
pub(crate) fn take_crit(map: &mut Map<String, Value>) -> Result<Option<Vec<String>>, String> {
    const SHAPE: &str = "\"crit\" must be a non-empty array of strings";
    match map.remove("crit") {
        None => Ok(None),
        Some(Value::Array(items)) if !items.is_empty() => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(SHAPE.to_owned()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(SHAPE.to_owned()),
    }
}

/// Removes a JWK-valued parameter (`jwk`, `epk`). Boxed: a `Jwk` is
/// large and rare in headers, and every header is moved around whole.
pub(crate) fn take_jwk(map: &mut Map<String, Value>, name: &str) -> Result<Option<Box<Jwk>>, String> {
    match map.remove(name) {
        None => Ok(None),
        Some(value @ Value::Object(_)) => serde_json::from_value::<Jwk>(value)
            .map(|jwk| Some(Box::new(jwk)))
            .map_err(|e| format!("\"{name}\" header parameter is not a JWK: {e}")),
        Some(_) => Err(format!("\"{name}\" header parameter must be an object")),
    }
}

/// Why a `crit` list was refused.
#[derive(Debug)]
pub(crate) enum CritFailure {
    /// Not in the protected header.
    Unprotected,
    /// Lists a parameter the base specification defines.
    Registered(String),
    /// Lists an extension neither we nor the caller understand.
    NotUnderstood(String),
    /// Lists an extension the protected header does not carry.
    Missing(String),
}

impl CritFailure {
    pub(crate) fn message(&self) -> String {
        match self {
            CritFailure::Unprotected => "\"crit\" must be integrity protected".to_owned(),
            CritFailure::Registered(name) => format!("\"crit\" must not list the registered parameter {name:?}"),
            CritFailure::NotUnderstood(name) => format!("critical header parameter {name:?} is not understood"),
            CritFailure::Missing(name) => format!("critical header parameter {name:?} is missing"),
        }
    }
}

/// Checks a protected header's `crit` list: no `registered` names, each
/// name either `builtin` (extensions this library implements) or declared
/// `understood` by the caller, and each present in the protected header.
pub(crate) fn check_crit(
    crit: &[String],
    registered: &[&str],
    builtin: &[&str],
    understood: &[String],
    present: impl Fn(&str) -> bool,
) -> Result<(), CritFailure> {
    for name in crit {
        if registered.contains(&name.as_str()) {
            return Err(CritFailure::Registered(name.clone()));
        }
        if !builtin.contains(&name.as_str()) && !understood.iter().any(|u| u == name) {
            return Err(CritFailure::NotUnderstood(name.clone()));
        }
        if !present(name) {
            return Err(CritFailure::Missing(name.clone()));
        }
    }
    Ok(())
}
