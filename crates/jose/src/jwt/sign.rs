//! `SignJwt`: the builder that issues signed tokens.

use serde::Serialize;
use serde_json::{Map, Value};

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
        super::builder::claims_object(claims).map(Self::from_claims)
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

    super::builder::claim_setters!();

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

impl From<Alg> for JwsHeader {
    fn from(alg: Alg) -> Self {
        JwsHeader::new(alg)
    }
}
