//! Claim validation apart from signature verification: the rules of
//! [`jwt_verify`](super::jwt_verify), for claims whose signature was
//! checked elsewhere, or not at all when only the claims' state is wanted.

use serde::de::DeserializeOwned;

use super::claims::{RegisteredClaims, ValidatedPayload};
use super::decode::unverified_parts;
use super::verify::{VerifyOptions, check_claims, refuse_unencoded};
use crate::b64;
use crate::error::{Error, Result};
use crate::jws::JwsHeader;

/// Claims that passed validation: by themselves, this proves nothing about
/// who wrote them.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ValidatedClaims<T> {
    /// The claims, deserialized into the caller's type.
    pub claims: T,
    payload: ValidatedPayload,
}

impl<T> ValidatedClaims<T> {
    /// The registered claims, checked by the validation; read from the
    /// claims set the first time they are asked for, as
    /// [`VerifiedJwt::registered`](super::VerifiedJwt::registered) does.
    pub fn registered(&self) -> &RegisteredClaims {
        self.payload.registered()
    }
}

/// Validates a JWT Claims Set (the JSON of a token's payload) against
/// `options`, with the rules, errors and custom checks of
/// [`jwt_verify`](super::jwt_verify), **but no signature**: for claims
/// whose signature was verified elsewhere, such as the payload of a JWS in
/// JSON serialization or of a token a gateway has already checked.
///
/// `options.algorithms` and `options.crit` concern a signature and are not
/// used; `options.typ` checks a header, which a claims set does not have,
/// so setting it is an [`Error::InvalidArgument`] here (use
/// [`validate_claims_unverified`] or `jwt_verify`).
///
/// ```
/// use rjose::jwt::{VerifyOptions, validate_claims};
///
/// let payload = br#"{"sub":"ada","aud":"api","exp":4102444800}"#;
/// let validated = validate_claims::<rjose::JsonObject>(payload, &VerifyOptions::new().audience("api"))?;
/// assert_eq!(validated.registered().sub.as_deref(), Some("ada"));
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn validate_claims<T: DeserializeOwned>(claims_json: &[u8], options: &VerifyOptions) -> Result<ValidatedClaims<T>> {
    options.ready()?;
    if options.typ.is_some() {
        return Err(Error::InvalidArgument(
            "VerifyOptions::typ checks a header, and validate_claims has none: \
             use validate_claims_unverified or jwt_verify"
                .into(),
        ));
    }
    validated(None, claims_json.to_vec(), options)
}

/// Validates the claims of a compact JWT against `options`, with the
/// rules, errors and custom checks of [`jwt_verify`](super::jwt_verify),
/// **WITHOUT VERIFYING ITS SIGNATURE.**
///
/// # Warning
///
/// Anyone can write a token that passes this function: it says that the
/// claims are in order, never that they are true. Never grant access,
/// trust an identity or make any security decision on its result. Use it
/// only when the signature is checked elsewhere, or when the answer
/// matters to nobody but the token's holder: typically a client that
/// wants to tell an expired token, to refresh, from one it should not
/// use at all, without holding the issuer's key.
///
/// The header is decoded for `typ` (checked as `options.typ` says) and
/// `b64`; `options.algorithms` and `options.crit` concern the signature
/// and are not used.
///
/// ```
/// use rjose::{Alg, Error, Key, jwt::{SignJwt, VerifyOptions, validate_claims_unverified}};
///
/// # let issuer_key = Key::from_secret(b"at least thirty-two bytes of secret!")?;
/// # let access_token = SignJwt::default().subject("ada").audience("api")
/// #     .expiration_time(1).protected_header(Alg::HS256).sign(&issuer_key)?;
/// // A client holding its access token, but not the issuer's key, checks
/// // it before a call: an expired one is refreshed, anything else wrong
/// // with it is a bug to report.
/// let options = VerifyOptions::new().audience("api").clock_tolerance("30s");
/// let refresh = match validate_claims_unverified::<rjose::JsonObject>(&access_token, &options) {
///     Ok(_) => false,
///     Err(Error::JwtExpired { .. }) => true,
///     Err(other) => return Err(other),
/// };
/// assert!(refresh);
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn validate_claims_unverified<T: DeserializeOwned>(
    token: &str,
    options: &VerifyOptions,
) -> Result<ValidatedClaims<T>> {
    options.ready()?;
    let (header, payload) = unverified_parts(token)?;
    let header =
        b64::decode(header.as_bytes()).ok_or_else(|| Error::JwtInvalid("header is not valid base64url".into()))?;
    let header = crate::json::parse_object(&header).map_err(|e| Error::JwtInvalid(format!("header is {e}")))?;
    let header = JwsHeader::from_map(header)?;
    refuse_unencoded(&header)?;
    validated(header.typ.as_deref(), payload, options)
}

fn validated<T: DeserializeOwned>(
    typ: Option<&str>,
    payload: Vec<u8>,
    options: &VerifyOptions,
) -> Result<ValidatedClaims<T>> {
    let (claims, payload) = check_claims(typ, payload, options)?;
    Ok(ValidatedClaims { claims, payload })
}
