//! `SignJwt`: the builder that issues signed tokens.

use serde::Serialize;
use serde_json::{Map, Value};

use super::time::{TimeInput, now};
use crate::alg::Alg;
use crate::error::{Error, Result};
use crate::jws::{CompactSign, JwsHeader};
use crate::key::Key;

/// Builds and signs a JWT, in the spirit of the JS library's `SignJWT`.
///
/// ```
/// use jose::{Alg, Key, jwt::SignJwt};
/// use serde::Serialize;
///
/// #[derive(Serialize)]
/// struct Access<'a> { role: &'a str, session_id: &'a str }
///
/// let secret = Key::from_secret(b"at least thirty-two bytes of secret!");
/// let token = SignJwt::new(&Access { role: "admin", session_id: "s-42" })?
///     .protected_header(Alg::HS256)
///     .issued_at_now()
///     .expiration_time("15m")?
///     .subject("user-1")
///     .audience("api")
///     .issuer("https://app.example")
///     .sign(&secret)?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok::<(), jose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct SignJwt {
    claims: Map<String, Value>,
    header: JwsHeader,
    now: Option<i64>,
}

impl SignJwt {
    /// Starts a token with the custom claims of `claims`, which must
    /// serialize to a JSON object.
    pub fn new<T: Serialize + ?Sized>(claims: &T) -> Result<Self> {
        match serde_json::to_value(claims) {
            Ok(Value::Object(claims)) => Ok(Self::from_claims(claims)),
            Ok(_) => Err(Error::JwtInvalid("JWT claims must serialize to a JSON object".into())),
            Err(e) => Err(Error::JwtInvalid(format!("JWT claims do not serialize: {e}"))),
        }
    }

    /// Starts a token from a JSON object of claims.
    pub fn from_claims(claims: Map<String, Value>) -> Self {
        SignJwt {
            claims,
            ..Self::default()
        }
    }

    /// Sets the protected header: an [`Alg`] or a full [`JwsHeader`].
    pub fn protected_header(mut self, header: impl Into<JwsHeader>) -> Self {
        self.header = header.into();
        self
    }

    /// Fixes the clock used for `issued_at_now` and relative times (tests,
    /// replays). Defaults to the system clock at the time of each call.
    pub fn clock(mut self, now: impl TimeInput) -> Result<Self> {
        self.now = Some(now.resolve(now_or_system(None))?);
        Ok(self)
    }

    fn now(&self) -> i64 {
        now_or_system(self.now)
    }

    fn set_time(mut self, claim: &str, time: impl TimeInput) -> Result<Self> {
        let at = time.resolve(self.now())?;
        self.claims.insert(claim.to_owned(), at.into());
        Ok(self)
    }

    /// Sets `iat` to the current time.
    pub fn issued_at_now(mut self) -> Self {
        let now = self.now();
        self.claims.insert("iat".into(), now.into());
        self
    }

    /// Sets `iat`: Unix seconds, a `SystemTime`, or a span relative to now.
    pub fn issued_at(self, time: impl TimeInput) -> Result<Self> {
        self.set_time("iat", time)
    }

    /// Sets `exp`: Unix seconds, a `SystemTime`, a `Duration` from now, or
    /// a span such as `"15m"`, `"7d"`, `"2 hours"`.
    pub fn expiration_time(self, time: impl TimeInput) -> Result<Self> {
        self.set_time("exp", time)
    }

    /// Sets `nbf`, with the same inputs as `expiration_time`.
    pub fn not_before(self, time: impl TimeInput) -> Result<Self> {
        self.set_time("nbf", time)
    }

    /// Sets `sub`.
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.claims.insert("sub".into(), Value::String(sub.into()));
        self
    }

    /// Sets `iss`.
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.claims.insert("iss".into(), Value::String(iss.into()));
        self
    }

    /// Sets `aud` to one audience (a JSON string).
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.claims.insert("aud".into(), Value::String(aud.into()));
        self
    }

    /// Sets `aud` to several audiences (a JSON array).
    pub fn audiences<I: IntoIterator<Item = S>, S: Into<String>>(mut self, auds: I) -> Self {
        let list = auds.into_iter().map(|a| Value::String(a.into())).collect();
        self.claims.insert("aud".into(), Value::Array(list));
        self
    }

    /// Sets `jti`, the token ID revocation lists key on.
    pub fn jwt_id(mut self, jti: impl Into<String>) -> Self {
        self.claims.insert("jti".into(), Value::String(jti.into()));
        self
    }

    /// Sets any claim.
    pub fn claim(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Sets the `typ` header parameter (e.g. `JWT`, `at+jwt`).
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.header.typ = Some(typ.into());
        self
    }

    /// Sets the `kid` header parameter.
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.header.kid = Some(kid.into());
        self
    }

    /// The claims set so far.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The JSON text of the claims.
    pub(crate) fn claims_json(&self) -> Vec<u8> {
        Value::Object(self.claims.clone()).to_string().into_bytes()
    }

    /// Signs with `key`. The header must name `alg`; when it has no `kid`
    /// and the key has one, the key's `kid` is added so that verifiers
    /// holding a key set can find the key.
    pub fn sign(&self, key: &Key) -> Result<String> {
        if self.header.alg.is_none() {
            return Err(Error::JwtInvalid("the protected header must name \"alg\"".into()));
        }
        if self.header.b64 == Some(false) {
            return Err(Error::JwtInvalid(
                "JWTs cannot use unencoded payloads (\"b64\": false)".into(),
            ));
        }
        let mut header = self.header.clone();
        if header.kid.is_none() {
            header.kid = key.kid().map(str::to_owned);
        }
        CompactSign::new(&self.claims_json()).protected_header(header).sign(key)
    }
}

fn now_or_system(fixed: Option<i64>) -> i64 {
    fixed.unwrap_or_else(now)
}

impl From<Alg> for JwsHeader {
    fn from(alg: Alg) -> Self {
        JwsHeader::new(alg)
    }
}
