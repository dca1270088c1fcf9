//! Reading tokens without verifying them: for routing, logging and
//! debugging only. The names say so on purpose.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::b64;
use crate::error::{Error, Result};
use crate::jwe::JweHeader;
use crate::jws::JwsHeader;

/// The protected header of a compact token, typed by the token's form:
/// three parts are a JWS (a signed JWT), five a JWE (an encrypted one).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ProtectedHeader {
    /// The header of a compact JWS.
    Jws(JwsHeader),
    /// The header of a compact JWE.
    Jwe(JweHeader),
}

impl ProtectedHeader {
    /// The registered name of the `alg` parameter, if present.
    pub fn alg_name(&self) -> Option<&'static str> {
        match self {
            ProtectedHeader::Jws(h) => h.alg.map(|a| a.name()),
            ProtectedHeader::Jwe(h) => h.alg.map(|a| a.name()),
        }
    }

    /// The `kid` parameter, if present.
    pub fn kid(&self) -> Option<&str> {
        match self {
            ProtectedHeader::Jws(h) => h.kid.as_deref(),
            ProtectedHeader::Jwe(h) => h.kid.as_deref(),
        }
    }

    /// The `typ` parameter, if present.
    pub fn typ(&self) -> Option<&str> {
        match self {
            ProtectedHeader::Jws(h) => h.typ.as_deref(),
            ProtectedHeader::Jwe(h) => h.typ.as_deref(),
        }
    }

    /// The header as a JSON object, every parameter included.
    pub fn to_map(&self) -> Map<String, Value> {
        match self {
            ProtectedHeader::Jws(h) => h.to_map(),
            ProtectedHeader::Jwe(h) => h.to_map(),
        }
    }
}

/// Decodes the protected header of a compact JWS or JWE **without
/// verifying anything**, into the typed header of its form. Use it to
/// pick a key or route a token, never to trust its contents.
///
/// The header is held to the rules verification applies to it (one JSON
/// object, no repeated member, registered parameters of the right type,
/// an `alg` this library implements), so that what routing sees is what
/// verification will see. A token of neither three nor five parts is
/// [`Error::JwtInvalid`]; a header that breaks the rules is
/// [`Error::JwsInvalid`] or [`Error::JweInvalid`] as verification would
/// report it (`"alg": "none"` is [`Error::AlgNotAllowed`]).
///
/// ```
/// use rjose::{Alg, Key, jwt::{ProtectedHeader, SignJwt, decode_protected_header}};
///
/// let key = Key::from_secret([1u8; 32])?.with_kid("2024-07");
/// let token = SignJwt::default().protected_header(Alg::HS256).expiration_time("1h").sign(&key)?;
/// let header = decode_protected_header(&token)?;
/// assert_eq!(header.kid(), Some("2024-07"));
/// let ProtectedHeader::Jws(jws) = header else { panic!("a signed token") };
/// assert_eq!(jws.alg, Some(Alg::HS256));
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn decode_protected_header(token: &str) -> Result<ProtectedHeader> {
    let (header, dots) = match token.split_once('.') {
        Some((header, rest)) => (header, 1 + rest.bytes().filter(|&b| b == b'.').count()),
        None => (token, 0),
    };
    match dots {
        2 => {
            let bytes =
                b64::decode(header.as_bytes()).ok_or_else(|| Error::jws("protected header is not valid base64url"))?;
            JwsHeader::parse(&bytes).map(ProtectedHeader::Jws)
        }
        4 => {
            let bytes = b64::decode(header.as_bytes())
                .ok_or_else(|| Error::JweInvalid("protected header is not valid base64url".into()))?;
            JweHeader::parse(&bytes).map(ProtectedHeader::Jwe)
        }
        _ => Err(Error::JwtInvalid(
            "a compact token has three parts (JWS) or five (JWE) separated by dots".into(),
        )),
    }
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
