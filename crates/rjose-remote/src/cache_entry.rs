//! [`JwksCacheEntry`]: the state of a remote set as plain data, to be kept
//! outside the process and handed to the next one.

use serde::{Deserialize, Serialize};

/// What a [`RemoteJwkSet`](crate::RemoteJwkSet) knows after a fetch, as
/// plain serde data: [exported](crate::RemoteJwkSet::export_cache) by one
/// process and [seeded](crate::RemoteJwkSet::seed) into the next, so that
/// a short-lived worker (a Lambda cold start, a container scaled from
/// zero) does not fetch the set on every start (JS: the `jwksCache`
/// option of `createRemoteJWKSet`).
///
/// # Storage format
///
/// The field names are a stable storage format; with `serde_json`:
///
/// ```json
/// {
///   "url": "https://issuer.example/.well-known/jwks.json",
///   "jwks": "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"k1\",\"x\":\"...\",\"y\":\"...\"}]}",
///   "fetched_at": 1764900000,
///   "etag": "\"v42\"",
///   "max_age": 3600
/// }
/// ```
///
/// | field | meaning |
/// |---|---|
/// | `url` | the URL the set was fetched from; a seed for another URL is refused |
/// | `jwks` | the JWK Set document, as JSON text: the public keys of the set (private members and symmetric keys are never exported) |
/// | `fetched_at` | when the document was fetched or last revalidated (a `304`), in seconds since the Unix epoch (JS: `uat`, in milliseconds) |
/// | `etag` | the response's `ETag`, sent back as `If-None-Match`; absent when there was none |
/// | `max_age` | the response's `Cache-Control` lifetime in seconds (used only when [honoured](crate::RemoteJwkSetOptions::honor_cache_control)); absent when there was none |
///
/// Unknown fields are ignored, so that an entry written by a later version
/// can be read by this one.
///
/// The document is kept as text, not as a JSON object, for two reasons: a
/// seed is parsed exactly as a fetched body is, which refuses a JWK Set
/// with a repeated member name (an object would have merged them already),
/// and the entry stays plain strings and numbers, which any serde format
/// (JSON, CBOR, bincode...) stores.
///
/// An entry is read back by deserializing it; nothing is checked until it
/// is [seeded](crate::RemoteJwkSet::seed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct JwksCacheEntry {
    /// The URL the set was fetched from.
    pub url: String,
    /// The JWK Set document, as JSON text.
    pub jwks: String,
    /// When it was fetched or last revalidated, in seconds since the Unix
    /// epoch.
    pub fetched_at: u64,
    /// The response's `ETag`, if it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The response's `Cache-Control` lifetime in seconds, if it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u64>,
}
