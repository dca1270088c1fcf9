//! `SignJwt`: the builder that issues signed tokens.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::{Map, Value};

use super::builder::ClaimSet;
use crate::alg::Alg;
use crate::error::{Error, Result};
use crate::jws::{JwsHeader, sign_parts, sign_parts_async};
use crate::signer::{AsyncSigner, Signer};

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

    /// Signs with `signer`: a [`Key`](crate::Key), or a key held
    /// elsewhere, such as an HSM (see [`Signer`] for the contract and what
    /// is checked). Without an `alg` in the header, the signer's own is
    /// used ([`Key::default_jws_alg`](crate::Key::default_jws_alg) for a
    /// key); an `alg` that is not the signer's is refused. When the header
    /// has no `kid` and the signer has one, the signer's `kid` is added so
    /// that verifiers holding a key set can find the key.
    ///
    /// Fails with [`Error::InvalidArgument`] if a setter was given an input
    /// that did not resolve (a time span such as `"15x"`).
    pub fn sign(&self, signer: &(impl Signer + ?Sized)) -> Result<String> {
        let header = self.header_for(signer.kid())?;
        sign_parts(&self.claims_json(), Some(&header), None, None, signer)?.into_compact(false)
    }

    /// [`sign`](Self::sign) with a signer that waits (a cloud KMS), or any
    /// thread-safe [`Signer`]; see [`AsyncSigner`] for an example.
    ///
    /// ```
    /// use rjose::{Key, JsonObject, jwt::{SignJwt, VerifyOptions, jwt_verify}};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> rjose::Result<()> {
    /// let key = Key::from_secret([5u8; 32])?.with_kid("k1");
    /// let token = SignJwt::default().subject("ada").expiration_time("5m").sign_async(&key).await?;
    /// let verified = jwt_verify::<JsonObject>(&token, &key, &VerifyOptions::new())?;
    /// assert_eq!(verified.protected_header.kid.as_deref(), Some("k1"));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sign_async(&self, signer: &(impl AsyncSigner + ?Sized)) -> Result<String> {
        let header = self.header_for(signer.kid())?;
        sign_parts_async(&self.claims_json(), Some(&header), None, None, signer)
            .await?
            .into_compact(false)
    }

    /// The header to sign under, with the signer's `kid` when it names
    /// none, once the builder's inputs are known to be good.
    fn header_for(&self, kid: Option<&str>) -> Result<Cow<'_, JwsHeader>> {
        self.claims.ready()?;
        if self.header.b64 == Some(false) {
            return Err(Error::JwtInvalid(
                "JWTs cannot use unencoded payloads (\"b64\": false)".into(),
            ));
        }
        Ok(match (&self.header.kid, kid) {
            (None, Some(kid)) => Cow::Owned(self.header.clone().kid(kid)),
            _ => Cow::Borrowed(&self.header),
        })
    }
}

impl From<Alg> for JwsHeader {
    fn from(alg: Alg) -> Self {
        JwsHeader::new(alg)
    }
}
