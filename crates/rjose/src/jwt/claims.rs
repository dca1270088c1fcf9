//! Registered claims (RFC 7519 section 4.1) and their validation.

use std::fmt;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::VerifyOptions;
use super::scan::{self, Claim, ScannedClaims};
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

/// Whether two `typ` values are the same media type: compared
/// case-insensitively, with `application/` implied (RFC 7515 section
/// 4.1.9).
fn same_typ(a: &str, b: &str) -> bool {
    fn subtype(typ: &str) -> &str {
        const PREFIX: &str = "application/";
        match typ.get(..PREFIX.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(PREFIX) => &typ[PREFIX.len()..],
            _ => typ,
        }
    }
    subtype(a).eq_ignore_ascii_case(subtype(b))
}

fn optional_string<'c, 'a>(claims: &'c ScannedClaims<'a>, name: &'static str) -> Result<Option<&'c str>, ClaimFailure> {
    match claims.get(name) {
        None => Ok(None),
        Some(Claim::Str(s)) => Ok(Some(s)),
        Some(_) => Err(ClaimFailure::new(
            name,
            ClaimReason::Invalid,
            format!("\"{name}\" claim must be a string"),
        )),
    }
}

/// A NumericDate, which must be a JSON number (RFC 7519 section 2).
fn numeric_date(claims: &ScannedClaims<'_>, name: &'static str) -> Result<Option<f64>, ClaimFailure> {
    let date = match claims.get(name) {
        None => return Ok(None),
        Some(Claim::PosInt(n)) => *n as f64,
        Some(Claim::NegInt(n)) => *n as f64,
        Some(Claim::Float(n)) => *n,
        Some(_) => f64::NAN,
    };
    if !date.is_finite() {
        return Err(ClaimFailure::new(
            name,
            ClaimReason::Invalid,
            format!("\"{name}\" claim must be a number"),
        ));
    }
    Ok(Some(date))
}

/// `aud`: one string or an array of strings, borrowed from the scan.
fn audience<'c>(claims: &'c ScannedClaims<'_>) -> Result<Option<&'c [Claim<'c>]>, ClaimFailure> {
    match claims.get("aud") {
        None => Ok(None),
        Some(one @ Claim::Str(_)) => Ok(Some(std::slice::from_ref(one))),
        Some(Claim::Strs(many)) => Ok(Some(many)),
        Some(_) => Err(ClaimFailure::new(
            "aud",
            ClaimReason::Invalid,
            "\"aud\" claim must be a string or an array of strings",
        )),
    }
}

/// The strings of an `aud` (every item of [`audience`] is one).
fn audience_strings<'c>(aud: Option<&'c [Claim<'_>]>) -> impl Iterator<Item = &'c str> {
    aud.unwrap_or_default().iter().filter_map(|claim| match claim {
        Claim::Str(s) => Some(s.as_ref()),
        _ => None,
    })
}

impl RegisteredClaims {
    /// The registered claims of a claims set that has passed validation
    /// (so every one present has its registered type).
    fn from_scanned(claims: &ScannedClaims<'_>) -> Self {
        let owned = |name| optional_string(claims, name).ok().flatten().map(str::to_owned);
        let date = |name| numeric_date(claims, name).ok().flatten().map(whole_seconds);
        RegisteredClaims {
            iss: owned("iss"),
            sub: owned("sub"),
            aud: audience_strings(audience(claims).ok().flatten())
                .map(str::to_owned)
                .collect(),
            exp: date("exp"),
            nbf: date("nbf"),
            iat: date("iat"),
            jti: owned("jti"),
        }
    }

    /// The registered claims of a claims set that has passed validation.
    pub(crate) fn from_validated(payload: &[u8]) -> Self {
        scan::scan(payload)
            .map(|claims| Self::from_scanned(&claims))
            .unwrap_or_default()
    }
}

/// A validated claims set as it was signed or encrypted, with its
/// registered claims read from it the first time they are asked for: most
/// callers read their own claims type and never pay for them.
#[derive(Clone)]
pub(crate) struct ValidatedPayload {
    pub(crate) bytes: Vec<u8>,
    registered: OnceLock<RegisteredClaims>,
}

impl ValidatedPayload {
    pub(crate) fn new(bytes: Vec<u8>) -> Self {
        ValidatedPayload {
            bytes,
            registered: OnceLock::new(),
        }
    }

    pub(crate) fn registered(&self) -> &RegisteredClaims {
        self.registered
            .get_or_init(|| RegisteredClaims::from_validated(&self.bytes))
    }

    pub(crate) fn into_registered(self) -> RegisteredClaims {
        match self.registered.into_inner() {
            Some(registered) => registered,
            None => RegisteredClaims::from_validated(&self.bytes),
        }
    }
}

impl fmt::Debug for ValidatedPayload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.registered().fmt(f)
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
    claims: &ScannedClaims<'_>,
    options: &VerifyOptions,
) -> Result<(), ClaimFailure> {
    if let Some(expected) = &options.typ {
        let matches = typ.is_some_and(|typ| same_typ(typ, expected));
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

    let iss = optional_string(claims, "iss")?;
    if !options.issuer.is_empty() && !iss.is_some_and(|iss| options.issuer.iter().any(|i| i == iss)) {
        return Err(ClaimFailure::new(
            "iss",
            ClaimReason::CheckFailed,
            format!(
                "unexpected \"iss\" claim value: expected {}",
                quoted_list(&options.issuer)
            ),
        ));
    }
    let sub = optional_string(claims, "sub")?;
    if let Some(expected) = &options.subject
        && sub != Some(expected.as_str())
    {
        return Err(ClaimFailure::new(
            "sub",
            ClaimReason::CheckFailed,
            format!("unexpected \"sub\" claim value: expected {expected:?}"),
        ));
    }
    let aud = audience(claims)?;
    if !options.audience.is_empty()
        && !audience_strings(aud).any(|a| options.audience.iter().any(|expected| expected == a))
    {
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
    if options.audience.is_empty() && aud.is_some() && !options.allow_any_audience {
        return Err(ClaimFailure::new(
            "aud",
            ClaimReason::CheckFailed,
            "the token names an audience but none is configured: name the expected one with \
             VerifyOptions::audience(..), or accept any with VerifyOptions::allow_any_audience()",
        ));
    }
    optional_string(claims, "jti")?;

    let now = options.current_time.unwrap_or_else(super::time::now) as f64;
    let tolerance = options.clock_tolerance as f64;

    // The type of `iat` is checked first, its age last (after `nbf` and
    // `exp`), as in the JS library: an expired token reports `exp` even
    // when it is also older than `max_token_age`.
    let iat = numeric_date(claims, "iat")?;

    let nbf = numeric_date(claims, "nbf")?;
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

    let exp = numeric_date(claims, "exp")?;
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

    Ok(())
}

#[cfg(test)]
mod tests {
    use super::same_typ;

    #[test]
    fn typ_comparison_implies_application_prefix() {
        assert!(same_typ("application/JWT", "jwt"));
        assert!(same_typ("at+JWT", "Application/AT+jwt"));
        assert!(!same_typ("at+jwt", "jwt"));
        assert!(!same_typ("application/jwt", "application/at+jwt"));
        assert!(!same_typ("applicatio\u{e9}/jwt", "jwt"));
    }
}
