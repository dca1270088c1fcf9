//! The key embedded in the `jwk` header parameter, as a key source.

use crate::error::{Error, Result};
use crate::jws::JwsHeader;
use crate::key::{Key, KeyCandidates, KeySource};

/// Verifies with the public key in the token's own `jwk` header parameter
/// (the JS library's `EmbeddedJWK`).
///
/// This proves only that the token was signed by *some* holder of that
/// key: the caller must still decide whether that key is trusted, e.g. by
/// its thumbprint. A `jwk` carrying private members, or a symmetric key,
/// is refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct EmbeddedJwk;

impl KeySource for EmbeddedJwk {
    fn candidates(&self, header: &JwsHeader) -> Result<KeyCandidates<'_>> {
        let jwk = header
            .jwk
            .as_ref()
            .ok_or_else(|| Error::jws("\"jwk\" header parameter is missing"))?;
        if jwk.is_private() || jwk.kty == "oct" {
            return Err(Error::jws("\"jwk\" header parameter must be a public key"));
        }
        Key::from_jwk(jwk).map(KeyCandidates::Owned)
    }
}
