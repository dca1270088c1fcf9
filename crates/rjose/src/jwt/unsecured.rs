//! Unsecured JWTs (`alg: "none"`, RFC 7519 section 6): kept apart from
//! every verify function, under a name nobody mistakes for security.

use serde::de::DeserializeOwned;

use super::claims::RegisteredClaims;
use super::sign::SignJwt;
use super::verify::{VerifyOptions, check_claims, refuse_unencoded};
use crate::b64;
use crate::error::{Error, Result};
use crate::jws::JwsHeader;

/// Encodes and decodes unsecured JWTs: tokens with no signature, which
/// anyone can forge. Only for contexts where integrity comes from
/// elsewhere (e.g. a token nested inside an encrypted JWE you decrypted).
pub struct UnsecuredJwt;

impl UnsecuredJwt {
    /// Encodes the claims of `builder` with `{"alg":"none"}` and an empty
    /// signature. The builder's header is ignored.
    ///
    /// ```
    /// use rjose::jwt::{SignJwt, UnsecuredJwt, VerifyOptions};
    ///
    /// let token = UnsecuredJwt::encode(&SignJwt::default().subject("alice").expiration_time("5m"));
    /// assert!(token.ends_with('.'));
    /// let (claims, registered) = UnsecuredJwt::decode::<rjose::JsonObject>(&token, &VerifyOptions::new())?;
    /// assert_eq!(registered.sub.as_deref(), Some("alice"));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn encode(builder: &SignJwt) -> String {
        format!(
            "{}.{}.",
            b64::encode(br#"{"alg":"none"}"#),
            b64::encode(&builder.claims_json())
        )
    }

    /// Decodes an unsecured JWT and validates its claims. Refuses tokens
    /// whose `alg` is not `none` or whose signature is not empty, so a
    /// signed token is never accepted here without its signature check.
    pub fn decode<T: DeserializeOwned>(token: &str, options: &VerifyOptions) -> Result<(T, RegisteredClaims)> {
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(""), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(Error::JwtInvalid(
                "an unsecured JWT has three parts and an empty signature".into(),
            ));
        };
        let header_bytes =
            b64::decode(header.as_bytes()).ok_or_else(|| Error::JwtInvalid("header is not valid base64url".into()))?;
        let mut map =
            crate::json::parse_object(&header_bytes).map_err(|e| Error::JwtInvalid(format!("header is {e}")))?;
        if map.remove("alg").as_ref().and_then(|v| v.as_str()) != Some("none") {
            return Err(Error::JwtInvalid("an unsecured JWT must have \"alg\": \"none\"".into()));
        }
        let header = JwsHeader::from_map(map)?;
        if header.crit.is_some() {
            return Err(Error::JwtInvalid(
                "an unsecured JWT cannot carry critical parameters".into(),
            ));
        }
        let payload = b64::decode(payload.as_bytes())
            .ok_or_else(|| Error::JwtInvalid("payload is not valid base64url".into()))?;
        refuse_unencoded(&header)?;
        let (claims, payload) = check_claims(header.typ.as_deref(), payload, options)?;
        Ok((claims, payload.into_registered()))
    }
}
