//! Reading tokens without verifying them: for routing, logging and
//! debugging only. The names say so on purpose.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::b64;
use crate::error::{Error, Result};

/// Decodes the protected header of a compact JWS or JWE **without
/// verifying anything**. Use it to pick a key or route a token, never to
/// trust its contents.
///
/// ```
/// let header = rjose::jwt::decode_protected_header("eyJhbGciOiJIUzI1NiJ9.e30.sig")?;
/// assert_eq!(header["alg"], "HS256");
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn decode_protected_header(token: &str) -> Result<Map<String, Value>> {
    let header = token.split('.').next().unwrap_or_default();
    let bytes = b64::decode(header.as_bytes()).ok_or_else(|| Error::jws("protected header is not valid base64url"))?;
    crate::json::parse_object(&bytes).map_err(|e| Error::jws(format!("protected header is {e}")))
}

/// Decodes the claims of a compact JWT **without verifying its
/// signature or its claims**. Anyone can forge what this returns.
///
/// ```
/// use rjose::{Alg, Key, jwt::{SignJwt, decode_jwt_unverified}};
///
/// let token = SignJwt::default().protected_header(Alg::HS256).subject("bob")
///     .sign(&Key::from_secret([1u8; 32])?)?;
/// assert_eq!(decode_jwt_unverified(&token)?["sub"], "bob");
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn decode_jwt_unverified(token: &str) -> Result<Map<String, Value>> {
    super::verify::parse_claims(&unverified_payload(token)?)
}

/// Decodes the claims of a compact JWT into `T` **without verifying its
/// signature or its claims**, for when a few claims are wanted before
/// verification, such as the `iss` that picks which keys verify: members
/// `T` does not name are skipped, not collected, but the whole payload is
/// checked as [`jwt_verify`](super::jwt_verify) checks it, whatever `T`:
/// one JSON object, no member name repeated at any depth, every value one
/// that could be read (no number out of `f64` range, no lone surrogate).
///
/// ```
/// use rjose::{Alg, Key, jwt::{SignJwt, decode_jwt_claims_unverified}};
///
/// #[derive(serde::Deserialize)]
/// struct Issuer { iss: Option<String> }
///
/// let token = SignJwt::default().protected_header(Alg::HS256).issuer("https://idp.example")
///     .sign(&Key::from_secret([1u8; 32])?)?;
/// let Issuer { iss } = decode_jwt_claims_unverified(&token)?;
/// assert_eq!(iss.as_deref(), Some("https://idp.example"));
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn decode_jwt_claims_unverified<T: DeserializeOwned>(token: &str) -> Result<T> {
    crate::json::strict::from_object(&unverified_payload(token)?)
        .map_err(|e| Error::JwtInvalid(format!("JWT Claims Set is {e}")))
}

/// The decoded payload of a three-part compact token.
fn unverified_payload(token: &str) -> Result<Vec<u8>> {
    unverified_parts(token).map(|(_, payload)| payload)
}

/// The encoded header and the decoded payload of a three-part compact
/// token, nothing checked.
pub(super) fn unverified_parts(token: &str) -> Result<(&str, Vec<u8>)> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Error::JwtInvalid("a compact JWT has three parts".into()));
    };
    let payload =
        b64::decode(payload.as_bytes()).ok_or_else(|| Error::JwtInvalid("payload is not valid base64url".into()))?;
    Ok((header, payload))
}
