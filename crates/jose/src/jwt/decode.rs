//! Reading tokens without verifying them: for routing, logging and
//! debugging only. The names say so on purpose.

use serde_json::{Map, Value};

use crate::b64;
use crate::error::{Error, Result};

/// Decodes the protected header of a compact JWS or JWE **without
/// verifying anything**. Use it to pick a key or route a token, never to
/// trust its contents.
///
/// ```
/// let header = jose::jwt::decode_protected_header("eyJhbGciOiJIUzI1NiJ9.e30.sig")?;
/// assert_eq!(header["alg"], "HS256");
/// # Ok::<(), jose::Error>(())
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
/// use jose::{Alg, Key, jwt::{SignJwt, decode_jwt_unverified}};
///
/// let token = SignJwt::default().protected_header(Alg::HS256).subject("bob")
///     .sign(&Key::from_secret([1u8; 32]))?;
/// assert_eq!(decode_jwt_unverified(&token)?["sub"], "bob");
/// # Ok::<(), jose::Error>(())
/// ```
pub fn decode_jwt_unverified(token: &str) -> Result<Map<String, Value>> {
    let mut parts = token.split('.');
    let (Some(_), Some(payload), Some(_), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(Error::JwtInvalid("a compact JWT has three parts".into()));
    };
    let bytes =
        b64::decode(payload.as_bytes()).ok_or_else(|| Error::JwtInvalid("payload is not valid base64url".into()))?;
    super::verify::parse_claims(&bytes)
}
