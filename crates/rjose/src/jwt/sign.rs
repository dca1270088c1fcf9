//! `SignJwt`: the builder that issues signed tokens.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Map, Value};

use super::builder::ClaimSet;
use crate::alg::Alg;
use crate::error::{Error, Result};
use crate::jws::{JwsHeader, sign_parts};
use crate::key::Key;

/// Builds and signs a JWT, in the spirit of the JS library's `SignJWT`.
///
/// ```
/// use rjose::{Alg, Key, jwt::SignJwt};
/// use serde::Serialize;
///
/// #[derive(Serialize)]
/// struct Access<'a> { role: &'a str, session_id: &'a str }
///
/// let secret = Key::from_secret(b"at least thirty-two bytes of secret!")?;
/// let token = SignJwt::new(&Access { role: "admin", session_id: "s-42" })
///     .protected_header(Alg::HS256)
///     .issued_at_now()
///     .expiration_time("15m")
///     .subject("user-1")
///     .audience("api")
///     .issuer("https://app.example")
///     .sign(&secret)?;
/// assert_eq!(token.split('.').count(), 3);
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct SignJwt {
    claims: ClaimSet,
    header: JwsHeader,
    now: Option<i64>,
}

impl SignJwt {
    /// Starts a token with the custom claims of `claims`, which must
    /// serialize to a JSON object (a struct or a map); anything else is
    /// reported as [`Error::InvalidArgument`] by the call that finishes
    /// the token.
    pub fn new<T: Serialize + ?Sized>(claims: &T) -> Self {
        SignJwt {
            claims: ClaimSet::from_serialize(claims),
            ..Self::default()
        }
    }

    /// Starts a token from a JSON object of claims.
    pub fn from_claims(claims: Map<String, Value>) -> Self {
        SignJwt {
            claims: ClaimSet::from_map(claims),
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
    pub fn claims(&self) -> Map<String, Value> {
        self.claims.to_map()
    }

    /// The JSON text of the claims.
    pub(crate) fn claims_json(&self) -> Cow<'_, [u8]> {
        self.claims.to_json()
    }

    /// Signs with `key`. Without an `alg` in the header, the key's own is
    /// used when it has exactly one ([`Key::default_jws_alg`]); when the
    /// header has no `kid` and the key has one, the key's `kid` is added so
    /// that verifiers holding a key set can find the key.
    ///
    /// Fails with [`Error::InvalidArgument`] if a setter was given an input
    /// that did not resolve (a time span such as `"15x"`).
    pub fn sign(&self, key: &Key) -> Result<String> {
        self.claims.ready()?;
        if self.header.b64 == Some(false) {
            return Err(Error::JwtInvalid(
                "JWTs cannot use unencoded payloads (\"b64\": false)".into(),
            ));
        }
        let header = match (&self.header.kid, key.kid()) {
            (None, Some(kid)) => Cow::Owned(self.header.clone().kid(kid)),
            _ => Cow::Borrowed(&self.header),
        };
        sign_parts(&self.claims_json(), Some(&header), None, None, key)?.into_compact(false)
    }
}

impl From<Alg> for JwsHeader {
    fn from(alg: Alg) -> Self {
        JwsHeader::new(alg)
    }
}
