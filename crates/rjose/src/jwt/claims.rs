//! Registered claims (RFC 7519 section 4.1) and their validation.

use serde_json::{Map, Value};

use super::VerifyOptions;
use super::scan::ScannedClaims;
use super::time::human;
use crate::error::{ClaimReason, Error};

/// The registered claims of a verified token.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegisteredClaims {
    /// `iss`: who issued the token.
    pub iss: Option<String>,
    /// `sub`: whom the token is about.
    pub sub: Option<String>,
    /// `aud`: the intended recipients (a single string becomes one entry).
    pub aud: Vec<String>,
    /// `exp`: expiry, Unix seconds (fractions truncated).
    pub exp: Option<i64>,
    /// `nbf`: not before, Unix seconds.
    pub nbf: Option<i64>,
    /// `iat`: issued at, Unix seconds.
    pub iat: Option<i64>,
    /// `jti`: the token's unique ID.
    pub jti: Option<String>,
}

/// A failed claim check, before the claims are attached.
pub(crate) struct ClaimFailure {
    claim: String,
    reason: ClaimReason,
    message: String,
    expired: bool,
}

impl ClaimFailure {
    pub(crate) fn new(claim: impl Into<String>, reason: ClaimReason, message: impl Into<String>) -> Self {
        ClaimFailure {
            claim: claim.into(),
            reason,
            message: message.into(),
            expired: false,
        }
    }

    fn expired(claim: &'static str, message: String) -> Self {
        ClaimFailure {
            claim: claim.to_owned(),
            reason: ClaimReason::CheckFailed,
            message,
            expired: true,
        }
    }

    pub(crate) fn into_error(self, claims: Map<String, Value>) -> Error {
        let claims = Box::new(claims);
        if self.expired {
            Error::JwtExpired {
                claim: self.claim,
                message: self.message,
                claims,
            }
        } else {
            Error::JwtClaimValidationFailed {
                claim: self.claim,
                reason: self.reason,
                message: self.message,
                claims,
            }
        }
    }
}

/// `typ` compared case-insensitively, with `application/` implied
/// (RFC 7515 section 4.1.9).
fn normalize_typ(typ: &str) -> String {
    let lower = typ.to_ascii_lowercase();
    match lower.strip_prefix("application/") {
        Some(rest) => rest.to_owned(),
        None => lower,
    }
}

fn optional_string(claims: &mut ScannedClaims<'_>, name: &'static str) -> Result<Option<String>, ClaimFailure> {
    match claims.take(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ClaimFailure::new(
            name,
            ClaimReason::Invalid,
            format!("\"{name}\" claim must be a string"),
        )),
    }
}

/// A NumericDate, which must be a JSON number (RFC 7519 section 2).
fn numeric_date(claims: &ScannedClaims<'_>, name: &'static str) -> Result<Option<f64>, ClaimFailure> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(ClaimFailure::new(
                name,
                ClaimReason::Invalid,
                format!("\"{name}\" claim must be a number"),
            )),
        },
        Some(_) => Err(ClaimFailure::new(
            name,
            ClaimReason::Invalid,
            format!("\"{name}\" claim must be a number"),
        )),
    }
}

fn audience(claims: &mut ScannedClaims<'_>) -> Result<Vec<String>, ClaimFailure> {
    let invalid = || {
        ClaimFailure::new(
            "aud",
            ClaimReason::Invalid,
            "\"aud\" claim must be a string or an array of strings",
        )
    };
    match claims.take("aud") {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s]),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(invalid()),
            })
            .collect(),
        Some(_) => Err(invalid()),
    }
}

/// `"a"`, or `one of "a", "b"`.
fn quoted_list(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        _ => format!("one of {}", quoted.join(", ")),
    }
}

fn whole_seconds(v: f64) -> i64 {
    // Saturating float-to-int conversion; dates beyond i64 are nonsense anyway.
    v.floor() as i64
}

/// Validates the claims and header against `options` in the JS library's
/// order, and returns the registered claims.
pub(crate) fn validate(
    typ: Option<&str>,
    mut claims: ScannedClaims<'_>,
    options: &VerifyOptions,
) -> Result<RegisteredClaims, ClaimFailure> {
    if let Some(expected) = &options.typ {
        let matches = typ.is_some_and(|typ| normalize_typ(typ) == normalize_typ(expected));
        if !matches {
            return Err(ClaimFailure::new(
                "typ",
                ClaimReason::CheckFailed,
                format!("unexpected \"typ\" JWT header value: expected {expected:?}"),
            ));
        }
    }

    let implied: [(&'static str, bool); 4] = [
        ("iss", !options.issuer.is_empty()),
        ("sub", options.subject.is_some()),
        ("aud", !options.audience.is_empty()),
        ("iat", options.max_token_age.is_some()),
    ];
    for (name, required) in implied {
        if required && !claims.contains(name) {
            return Err(ClaimFailure::new(
                name,
                ClaimReason::Missing,
                format!("missing required \"{name}\" claim"),
            ));
        }
    }
    for name in &options.required_claims {
        if !claims.contains(name) {
            return Err(ClaimFailure::new(
                name.as_str(),
                ClaimReason::Missing,
                format!("missing required \"{name}\" claim"),
            ));
        }
    }

    // A token without `exp` is valid forever: refused unless the caller
    // says, by name, that such tokens are expected.
    if !options.allow_missing_exp && claims.get("exp").is_none() {
        return Err(ClaimFailure::new(
            "exp",
            ClaimReason::Missing,
            "missing required \"exp\" claim: a token without an expiry never expires; \
             accept such tokens with VerifyOptions::allow_missing_exp()",
        ));
    }

    let iss = optional_string(&mut claims, "iss")?;
    if !options.issuer.is_empty() && !iss.as_ref().is_some_and(|iss| options.issuer.contains(iss)) {
        return Err(ClaimFailure::new(
            "iss",
            ClaimReason::CheckFailed,
            format!(
                "unexpected \"iss\" claim value: expected {}",
                quoted_list(&options.issuer)
            ),
        ));
    }
    let sub = optional_string(&mut claims, "sub")?;
    if let Some(expected) = &options.subject
        && sub.as_ref() != Some(expected)
    {
        return Err(ClaimFailure::new(
            "sub",
            ClaimReason::CheckFailed,
            format!("unexpected \"sub\" claim value: expected {expected:?}"),
        ));
    }
    let aud_present = claims.get("aud").is_some();
    let aud = audience(&mut claims)?;
    if !options.audience.is_empty() && !aud.iter().any(|a| options.audience.contains(a)) {
        return Err(ClaimFailure::new(
            "aud",
            ClaimReason::CheckFailed,
            format!(
                "unexpected \"aud\" claim value: expected {}",
                quoted_list(&options.audience)
            ),
        ));
    }
    // RFC 7519 section 4.1.3: a recipient that cannot find itself in `aud`
    // must refuse the token, and one that names no audience finds itself
    // nowhere.
    if options.audience.is_empty() && aud_present && !options.allow_any_audience {
        return Err(ClaimFailure::new(
            "aud",
            ClaimReason::CheckFailed,
            "the token names an audience but none is configured: name the expected one with \
             VerifyOptions::audience(..), or accept any with VerifyOptions::allow_any_audience()",
        ));
    }
    let jti = optional_string(&mut claims, "jti")?;

    let now = options.current_time.unwrap_or_else(super::time::now) as f64;
    let tolerance = options.clock_tolerance as f64;

    // The type of `iat` is checked first, its age last (after `nbf` and
    // `exp`), as in the JS library: an expired token reports `exp` even
    // when it is also older than `max_token_age`.
    let iat = numeric_date(&claims, "iat")?;

    let nbf = numeric_date(&claims, "nbf")?;
    if let Some(nbf) = nbf
        && nbf > now + tolerance
    {
        return Err(ClaimFailure::new(
            "nbf",
            ClaimReason::CheckFailed,
            format!(
                "\"nbf\" claim timestamp check failed: not valid for another {}",
                human((nbf - now) as i64)
            ),
        ));
    }

    let exp = numeric_date(&claims, "exp")?;
    if let Some(exp) = exp
        && exp <= now - tolerance
    {
        return Err(ClaimFailure::expired(
            "exp",
            format!("expired {} ago", human((now - exp) as i64)),
        ));
    }

    if let (Some(max_age), Some(iat)) = (options.max_token_age, iat) {
        let age = now - iat;
        if age - tolerance > max_age as f64 {
            return Err(ClaimFailure::expired(
                "iat",
                format!(
                    "too far in the past: issued {} ago, maximum age is {}",
                    human(age as i64),
                    human(max_age as i64)
                ),
            ));
        }
        if age < -tolerance {
            return Err(ClaimFailure::new(
                "iat",
                ClaimReason::CheckFailed,
                format!(
                    "\"iat\" claim timestamp check failed: issued {} in the future",
                    human(-age as i64)
                ),
            ));
        }
    }

    Ok(RegisteredClaims {
        iss,
        sub,
        aud,
        exp: exp.map(whole_seconds),
        nbf: nbf.map(whole_seconds),
        iat: iat.map(whole_seconds),
        jti,
    })
}

#[cfg(test)]
mod tests {
    use super::normalize_typ;

    #[test]
    fn typ_comparison_implies_application_prefix() {
        assert_eq!(normalize_typ("application/JWT"), normalize_typ("jwt"));
        assert_eq!(normalize_typ("at+JWT"), "at+jwt");
    }
}
