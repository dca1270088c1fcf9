//! `jwt_verify`: signature first, then claims.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::check::{ClaimChecks, ClaimError};
use super::claims::{self, RegisteredClaims, ValidatedPayload};
use super::time::{SpanInput, TimeInput, resolved};
use crate::alg::Alg;
use crate::error::{Error, Result};
use crate::json::JsonObject;
use crate::jws::{self, JwsHeader, JwsPolicy, VerifiedJws};
use crate::key::{AsyncKeySource, Key, KeySource};

/// What a token must satisfy besides its signature.
///
/// The defaults are the safe choice, and every relaxation is named: a
/// token must carry `exp` (unless [`allow_missing_exp`](Self::allow_missing_exp)),
/// and a token that names an audience is refused unless the expected
/// audience is configured with [`audience`](Self::audience) (or
/// [`allow_any_audience`](Self::allow_any_audience) says any will do).
///
/// ```
/// use rjose::{Alg, jwt::VerifyOptions};
///
/// let options = VerifyOptions::new()
///     .algorithms([Alg::HS256])
///     .issuer("https://app.example")
///     .audience("api")
///     .clock_tolerance("30s")
///     .max_token_age("1h")
///     .require("jti");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Accepted algorithms; `None` accepts whatever the key can serve.
    pub algorithms: Option<Vec<Alg>>,
    /// Accepted issuers; empty means `iss` is not checked.
    pub issuer: Vec<String>,
    /// Accepted audiences; the token passes if any of its `aud` is here.
    pub audience: Vec<String>,
    /// Expected `sub`.
    pub subject: Option<String>,
    /// Expected `typ` header (case-insensitive, `application/` implied).
    pub typ: Option<String>,
    /// Maximum age since `iat`, in seconds; makes `iat` required.
    pub max_token_age: Option<u64>,
    /// Leeway for `exp`, `nbf` and `iat` checks, in seconds.
    pub clock_tolerance: u64,
    /// The time to check against, Unix seconds; the system clock if unset.
    pub current_time: Option<i64>,
    /// Claims that must be present.
    pub required_claims: Vec<String>,
    /// Critical header extensions the caller understands.
    pub crit: Vec<String>,
    /// Accept tokens without `exp`, which never expire. `false` by default;
    /// see [`allow_missing_exp`](Self::allow_missing_exp).
    pub allow_missing_exp: bool,
    /// Accept a token's `aud` when no audience is configured. `false` by
    /// default; see [`allow_any_audience`](Self::allow_any_audience).
    pub allow_any_audience: bool,
    /// The caller's own checks, run after every other.
    checks: ClaimChecks,
    /// The first setter input that did not resolve, reported by every
    /// verification with these options.
    pending: Option<Error>,
}

impl VerifyOptions {
    /// Options that check the signature, the time claims (with `exp`
    /// required) and that the token names no audience.
    pub fn new() -> Self {
        Self::default()
    }

    /// Restricts the accepted algorithms.
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Alg>) -> Self {
        self.algorithms = Some(algorithms.into_iter().collect());
        self
    }

    /// Adds an accepted issuer.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.issuer.push(iss.into());
        self
    }

    /// Adds an accepted audience.
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.audience.push(aud.into());
        self
    }

    /// Sets the expected subject.
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.subject = Some(sub.into());
        self
    }

    /// Sets the expected `typ` header.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Sets the maximum token age (`"1h"`, a `Duration`, or seconds).
    ///
    /// A span that does not parse makes every verification with these
    /// options fail with [`Error::InvalidArgument`]: options never fail
    /// while being built, and a mistake in them must not pass tokens.
    pub fn max_token_age(mut self, age: impl SpanInput) -> Self {
        match resolved("max_token_age", age.seconds()) {
            Ok(age) => self.max_token_age = Some(age),
            Err(e) => self.defer(e),
        }
        self
    }

    /// Sets the clock tolerance (`"30s"`, a `Duration`, or seconds); an
    /// input that does not parse is reported as for
    /// [`max_token_age`](Self::max_token_age).
    pub fn clock_tolerance(mut self, tolerance: impl SpanInput) -> Self {
        match resolved("clock_tolerance", tolerance.seconds()) {
            Ok(tolerance) => self.clock_tolerance = tolerance,
            Err(e) => self.defer(e),
        }
        self
    }

    /// Checks time claims against this time instead of the system clock; an
    /// input that does not resolve is reported as for
    /// [`max_token_age`](Self::max_token_age).
    pub fn current_time(mut self, time: impl TimeInput) -> Self {
        match resolved("current_time", time.resolve(super::time::now())) {
            Ok(now) => self.current_time = Some(now),
            Err(e) => self.defer(e),
        }
        self
    }

    fn defer(&mut self, error: Error) {
        self.pending.get_or_insert(error);
    }

    /// Fails with the first setter input that did not resolve, if any.
    pub(crate) fn ready(&self) -> Result<()> {
        match &self.pending {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Requires a claim to be present.
    pub fn require(mut self, claim: impl Into<String>) -> Self {
        self.required_claims.push(claim.into());
        self
    }

    /// Accepts tokens without an `exp` claim. Such a token never expires:
    /// a leaked one works forever. Only for issuers that bound a token's
    /// life some other way (for instance with `iat` and
    /// [`max_token_age`](Self::max_token_age)).
    pub fn allow_missing_exp(mut self) -> Self {
        self.allow_missing_exp = true;
        self
    }

    /// Accepts a token that names an audience (`aud`) although none is
    /// configured. RFC 7519 section 4.1.3 says a recipient that is not in
    /// `aud` must refuse the token: a token minted for another service
    /// would otherwise work here too. Prefer naming the expected audience
    /// with [`audience`](Self::audience); this has no effect once one is.
    pub fn allow_any_audience(mut self) -> Self {
        self.allow_any_audience = true;
        self
    }

    /// Adds a check of claim `name`, which must then be present (else the
    /// token fails with [`ClaimReason::Missing`](crate::ClaimReason::Missing)).
    /// The check sees the claim's JSON value; its `Err(reason)` fails the
    /// token with [`Error::JwtClaimValidationFailed`], reason
    /// [`ClaimReason::CheckFailed`](crate::ClaimReason::CheckFailed) and
    /// `reason` as the message.
    ///
    /// Custom checks run in the order they were added, after the signature
    /// and every registered-claim rule have passed.
    ///
    /// ```
    /// use rjose::{Alg, ClaimReason, Error, Key, jwt::{SignJwt, VerifyOptions, jwt_verify}};
    ///
    /// let key = Key::from_secret(b"at least thirty-two bytes of secret!")?;
    /// let token = SignJwt::default().claim("scope", "write").expiration_time("5m")
    ///     .protected_header(Alg::HS256).sign(&key)?;
    /// let options = VerifyOptions::new().validate_claim("scope", |scope| match scope.as_str() {
    ///     Some(scope) if scope.split(' ').any(|s| s == "read") => Ok(()),
    ///     _ => Err("does not grant \"read\"".into()),
    /// });
    /// match jwt_verify::<rjose::JsonObject>(&token, &key, &options) {
    ///     Err(Error::JwtClaimValidationFailed { claim, reason: ClaimReason::CheckFailed, message, .. }) => {
    ///         assert_eq!((claim.as_str(), message.as_str()), ("scope", "does not grant \"read\""));
    ///     }
    ///     other => panic!("expected a failed check, got {other:?}"),
    /// }
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn validate_claim(
        mut self,
        name: impl Into<String>,
        check: impl Fn(&serde_json::Value) -> std::result::Result<(), String> + Send + Sync + 'static,
    ) -> Self {
        self.checks.push_claim(name.into(), check);
        self
    }

    /// Adds a check of the whole claims set, read as `T`. The check's
    /// [`ClaimError`] fails the token with
    /// [`Error::JwtClaimValidationFailed`] naming its claim, reason
    /// [`ClaimReason::CheckFailed`](crate::ClaimReason::CheckFailed); claims
    /// that do not deserialize into `T` fail it with [`Error::JwtInvalid`].
    /// Runs as [`validate_claim`](Self::validate_claim) checks do.
    ///
    /// ```
    /// use rjose::{Alg, Key, jwt::{ClaimError, SignJwt, VerifyOptions, jwt_verify}};
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Tenant { tenant: String, sub: String }
    ///
    /// let key = Key::from_secret(b"at least thirty-two bytes of secret!")?;
    /// let token = SignJwt::default().claim("tenant", "acme").subject("acme:ada")
    ///     .expiration_time("5m").protected_header(Alg::HS256).sign(&key)?;
    /// let options = VerifyOptions::new().validate(|t: &Tenant| {
    ///     if t.sub.starts_with(&format!("{}:", t.tenant)) {
    ///         Ok(())
    ///     } else {
    ///         Err(ClaimError::new("sub", "belongs to another tenant"))
    ///     }
    /// });
    /// jwt_verify::<rjose::JsonObject>(&token, &key, &options)?;
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn validate<T: DeserializeOwned + 'static>(
        mut self,
        check: impl Fn(&T) -> std::result::Result<(), ClaimError> + Send + Sync + 'static,
    ) -> Self {
        self.checks.push_typed(check);
        self
    }

    /// Runs the custom checks over a claims set that passed every other rule.
    pub(crate) fn run_checks(&self, payload: &[u8]) -> Result<()> {
        self.checks.run(payload)
    }

    /// Declares a critical header extension as understood.
    pub fn understands(mut self, name: impl Into<String>) -> Self {
        self.crit.push(name.into());
        self
    }

    pub(crate) fn jws_policy(&self) -> JwsPolicy<'_> {
        JwsPolicy {
            algorithms: self.algorithms.as_deref(),
            crit: &self.crit,
        }
    }
}

/// A verified JWT, its claims as `T` (a JSON object unless named).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct VerifiedJwt<T = JsonObject> {
    /// The claims, deserialized into the caller's type.
    pub claims: T,
    /// The protected header.
    pub protected_header: JwsHeader,
    /// The key that verified the signature.
    pub key: Key,
    payload: ValidatedPayload,
}

impl<T> VerifiedJwt<T> {
    /// The registered claims (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`,
    /// `jti`), checked by the verification. Read from the claims set the
    /// first time they are asked for, so a caller whose own type holds
    /// them pays nothing.
    ///
    /// ```
    /// use rjose::{Alg, Key, jwt::{SignJwt, VerifyOptions, jwt_verify_json}};
    ///
    /// let secret = Key::from_secret(b"at least thirty-two bytes of secret!")?;
    /// let token = SignJwt::default().protected_header(Alg::HS256).subject("ada").expiration_time("5m").sign(&secret)?;
    /// let verified = jwt_verify_json(&token, &secret, &VerifyOptions::new().algorithms([Alg::HS256]))?;
    /// assert_eq!(verified.registered().sub.as_deref(), Some("ada"));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn registered(&self) -> &RegisteredClaims {
        self.payload.registered()
    }
}

/// Verifies a compact JWT: its signature with a key from `keys`, then its
/// claims against `options`. Returns the claims as `T` (any
/// `DeserializeOwned`, or [`JsonObject`](crate::JsonObject) for a map).
///
/// ```
/// use rjose::{Alg, Key, JsonObject, jwt::{SignJwt, VerifyOptions, jwt_verify}};
///
/// let secret = Key::from_secret(b"at least thirty-two bytes of secret!")?;
/// let token = SignJwt::default()
///     .protected_header(Alg::HS256)
///     .issued_at_now()
///     .expiration_time("7d")
///     .audience("api")
///     .sign(&secret)?;
/// let options = VerifyOptions::new().algorithms([Alg::HS256]).audience("api");
/// let verified = jwt_verify::<JsonObject>(&token, &secret, &options)?;
/// assert_eq!(verified.registered().aud, ["api"]);
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn jwt_verify<T: DeserializeOwned>(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    options: &VerifyOptions,
) -> Result<VerifiedJwt<T>> {
    options.ready()?;
    let verified = jws::compact_verify_with(token, keys, options.jws_policy())?;
    check_verified(verified, options)
}

/// [`jwt_verify`] with the claims as a JSON object: the common case, with
/// no type to name.
///
/// ```
/// use rjose::{Alg, Key, jwt::{SignJwt, VerifyOptions, jwt_verify_json}};
///
/// let secret = Key::from_secret(b"at least thirty-two bytes of secret!")?;
/// let token = SignJwt::default()
///     .protected_header(Alg::HS256)
///     .expiration_time("15m")
///     .claim("role", "admin")
///     .sign(&secret)?;
/// let verified = jwt_verify_json(&token, &secret, &VerifyOptions::new().algorithms([Alg::HS256]))?;
/// assert_eq!(verified.claims["role"], "admin");
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn jwt_verify_json(token: &str, keys: &(impl KeySource + ?Sized), options: &VerifyOptions) -> Result<VerifiedJwt> {
    jwt_verify(token, keys, options)
}

/// A JWS whose payload is not base64url-encoded cannot be a JWT.
pub(crate) fn refuse_unencoded(header: &JwsHeader) -> Result<()> {
    if header.b64 == Some(false) {
        return Err(Error::JwtInvalid(
            "JWTs cannot use unencoded payloads (\"b64\": false)".into(),
        ));
    }
    Ok(())
}

/// Parses a verified payload as a claims set and validates it, with the
/// token's `typ` header (of a JWS or a JWE): the registered claims, then
/// the caller's custom checks.
pub(crate) fn check_claims<T: DeserializeOwned>(
    typ: Option<&str>,
    payload: Vec<u8>,
    options: &VerifyOptions,
) -> Result<(T, ValidatedPayload)> {
    let checked = check_registered(typ, payload, options)?;
    options.run_checks(&checked.1.bytes)?;
    Ok(checked)
}

/// [`check_claims`] without the custom checks, for callers with rules of
/// their own to apply first.
pub(crate) fn check_registered<T: DeserializeOwned>(
    typ: Option<&str>,
    payload: Vec<u8>,
    options: &VerifyOptions,
) -> Result<(T, ValidatedPayload)> {
    let claims = parse_and_validate(typ, &payload, options)?;
    Ok((claims, ValidatedPayload::new(payload)))
}

fn parse_and_validate<T: DeserializeOwned>(typ: Option<&str>, payload: &[u8], options: &VerifyOptions) -> Result<T> {
    // The fast path: one parse yields the caller's type and the claims
    // to check.
    let mut scanned = super::scan::ScannedClaims::empty();
    if let Some(claims) = super::scan::scan_into::<T>(payload, &mut scanned) {
        return match claims::validate(typ, &scanned, options) {
            Ok(()) => Ok(claims),
            Err(failure) => Err(failure.into_error(parse_claims(payload)?)),
        };
    }
    // Something is off: find out what, in the order the errors rank.
    let scanned = super::scan::scan(payload)
        .map_err(|e| Error::JwtInvalid(format!("JWT Claims Set must be a top-level JSON object: {e}")))?;
    if let Err(failure) = claims::validate(typ, &scanned, options) {
        // The error carries every claim, so build the full map now.
        return Err(failure.into_error(parse_claims(payload)?));
    }
    // The scan has found the document sound, so what is left is `T`'s.
    serde_json::from_slice(payload)
        .map_err(|e| Error::JwtInvalid(format!("JWT claims do not match the expected type: {e}")))
}

/// The claims set as a map, checked as [`check_claims`] checks it.
pub(crate) fn parse_claims(payload: &[u8]) -> Result<Map<String, Value>> {
    crate::json::strict::parse_object(payload)
        .map_err(|e| Error::JwtInvalid(format!("JWT Claims Set must be a top-level JSON object: {e}")))
}

/// [`jwt_verify`] with a key source that waits: per-tenant keys in a
/// database, a secrets manager, a KMS, a remote JWK Set (any
/// [`AsyncKeySource`], and so any thread-safe [`KeySource`]). Only the key
/// lookup differs from [`jwt_verify`]: the same checks run in the same
/// order (signature before claims) with the same errors.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Arc;
/// use rjose::{Alg, Error, JsonObject, Key, jws::JwsHeader, key_fn};
/// use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify_async};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> rjose::Result<()> {
/// let acme = Key::from_secret(b"acme's secret of thirty-two bytes")?.with_kid("acme");
/// let tenants = Arc::new(HashMap::from([("acme".to_owned(), acme.clone())]));
/// let keys = key_fn(move |header: JwsHeader| {
///     let tenants = Arc::clone(&tenants);
///     async move {
///         // ... a database query here ...
///         tenants.get(header.kid.as_deref().unwrap_or_default()).cloned().ok_or(Error::JwksNoMatchingKey)
///     }
/// });
///
/// let token = SignJwt::default().protected_header(Alg::HS256).expiration_time("5m").sign(&acme)?;
/// let options = VerifyOptions::new().algorithms([Alg::HS256]);
/// let verified = jwt_verify_async::<JsonObject>(&token, &keys, &options).await?;
/// assert_eq!(verified.protected_header.kid.as_deref(), Some("acme"));
/// # Ok(())
/// # }
/// ```
pub async fn jwt_verify_async<T: DeserializeOwned>(
    token: &str,
    keys: &(impl AsyncKeySource + ?Sized),
    options: &VerifyOptions,
) -> Result<VerifiedJwt<T>> {
    options.ready()?;
    let verified = jws::compact_verify_async_with(token, keys, options.jws_policy()).await?;
    check_verified(verified, options)
}

/// The claims of a JWS whose signature has verified, checked.
fn check_verified<T: DeserializeOwned>(verified: VerifiedJws, options: &VerifyOptions) -> Result<VerifiedJwt<T>> {
    let header = verified.protected_header.unwrap_or_default();
    refuse_unencoded(&header)?;
    let (claims, payload) = check_claims(header.typ.as_deref(), verified.payload, options)?;
    Ok(VerifiedJwt {
        claims,
        protected_header: header,
        key: verified.key,
        payload,
    })
}
