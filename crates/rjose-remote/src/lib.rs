//! # rjose-remote
//!
//! Remote JWK Sets for [`rjose`]: the Rust counterpart of the JS library's
//! `createRemoteJWKSet(new URL(...), { cacheMaxAge })`, for verifying tokens
//! issued by a third party (Auth0, Okta, Clerk, Keycloak, Google...).
//!
//! A [`RemoteJwkSet`] fetches the issuer's JWK Set over HTTPS (reqwest on
//! rustls with aws-lc-rs, the crypto `rjose` uses), caches it, picks up
//! rotated keys by fetching again when a token names an unknown `kid`,
//! shares one request among all the verifications that need it, and keeps
//! serving the last good set for a while when the issuer is down. It is
//! an [`rjose::AsyncKeySource`], so the core's async functions
//! ([`rjose::jwt::jwt_verify_async`], [`rjose::jws::compact_verify_async`])
//! take it directly; [`jwt_verify`] is the first of them. A JWK Set is a public document: a remote set
//! never yields a symmetric key and uses private keys by their public half
//! only, so it verifies signatures but does not decrypt.
//!
//! ```no_run
//! use rjose::{Alg, jwt::VerifyOptions};
//! use rjose_remote::{RemoteJwkSet, RemoteJwkSetOptions, jwt_verify};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Claims { sub: String, scope: String }
//!
//! # async fn run(token: &str) -> Result<(), rjose::Error> {
//! // const JWKS = createRemoteJWKSet(new URL("https://tenant.example.auth0.com/.well-known/jwks.json"))
//! let jwks = RemoteJwkSet::from_issuer("https://tenant.example.auth0.com/", RemoteJwkSetOptions::new()).await?;
//!
//! // await jwtVerify(token, JWKS, { issuer, audience, algorithms: ["RS256"] })
//! let options = VerifyOptions::new()
//!     .algorithms([Alg::RS256])
//!     .issuer("https://tenant.example.auth0.com/")
//!     .audience("https://api.example.com");
//! let verified = jwt_verify::<Claims>(token, &jwks, &options).await?;
//! println!("{} may {}", verified.claims.sub, verified.claims.scope);
//! # Ok(())
//! # }
//! ```
//!
//! ## Short-lived processes: keeping the cache between starts
//!
//! A process that lives for one request or a few (a Lambda cold start, a
//! container scaled from zero, a CLI run) would fetch the set on every
//! start. Instead, store [`RemoteJwkSet::export_cache`] (a
//! [`JwksCacheEntry`]: serde data with a documented, stable format) in the
//! host's key-value store when done, and [`RemoteJwkSet::seed`] the next
//! start with it: the seeded set behaves as if it had fetched the document
//! at the entry's `fetched_at` (cache max age, `ETag` revalidation,
//! cooldown, refetch on an unknown `kid`), and refuses an entry for another
//! URL or a document a fetch would have refused (JS: the `jwksCache`
//! option).
//!
//! ```no_run
//! use rjose_remote::{JwksCacheEntry, RemoteJwkSet, RemoteJwkSetOptions};
//!
//! # fn kv_get(key: &str) -> Option<String> { None }
//! # fn kv_put(key: &str, value: String) {}
//! # fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let jwks = RemoteJwkSet::new("https://issuer.example/jwks.json", RemoteJwkSetOptions::new())?;
//! if let Some(stored) = kv_get("jwks") {
//!     // A bad entry is no reason to fail: the set fetches as usual.
//!     let seeded = serde_json::from_str::<JwksCacheEntry>(&stored).map_err(|e| e.to_string())
//!         .and_then(|entry| jwks.seed(entry).map_err(|e| e.to_string()));
//!     if let Err(why) = seeded {
//!         eprintln!("ignoring the stored JWK Set: {why}");
//!     }
//! }
//! // ... verify tokens ...
//! if let Some(entry) = jwks.export_cache() {
//!     kv_put("jwks", serde_json::to_string(&entry)?);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## The host's own HTTP client, and what needs Tokio
//!
//! Fetches go through a [`JwksFetcher`] ([`RemoteJwkSetOptions::fetcher`]):
//! [`ReqwestFetcher`] by default, or any type that turns a
//! [`FetchRequest`] into a [`FetchResponse`], such as a wrapper of the
//! host's own `fetch` (JS: the `customFetch` option). The set still
//! applies its URL policy, time and size limits and document checks to
//! whatever the fetcher returns. Tokio is a required dependency (the crate
//! has no cargo features); at run time:
//!
//! - verifying with a cached or freshly [seeded](RemoteJwkSet::seed) set
//!   needs no runtime at all: any executor can poll it;
//! - a fetch needs a Tokio runtime with its timer, for the time limit;
//!   polled outside one, it fails with `ERR_JWKS_FETCH_FAILED` (and
//!   [`ReqwestFetcher`] itself runs on Tokio);
//! - [`background_refresh`](RemoteJwkSetOptions::background_refresh) spawns
//!   on the current Tokio runtime, and is skipped without one.
//!
//! Errors are [`rjose::Error`]s with the core's stable codes: a fetch adds
//! `ERR_JWKS_TIMEOUT`, `ERR_JWKS_FETCH_FAILED` (with the HTTP status, if
//! any) and `ERR_JWKS_INVALID`; a token whose key is not in the set, even
//! after fetching it again, is `ERR_JWKS_NO_MATCHING_KEY`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod cache_entry;
mod clock;
mod discovery;
mod fetch;
mod http_policy;
mod options;
mod set;

use rjose::Result;
use rjose::jwt::{VerifiedJwt, VerifyOptions};
use serde::de::DeserializeOwned;

pub use cache_entry::JwksCacheEntry;
pub use clock::{Clock, ManualClock, SystemClock};
pub use discovery::ProviderMetadata;
pub use fetch::{FetchFuture, FetchRequest, FetchResponse, JwksFetcher, ReqwestFetcher};
pub use http_policy::HttpPolicy;
pub use options::{MAX_HONOURED_MAX_AGE, RemoteJwkSetOptions};
/// The HTTP client, re-exported so callers build a [`reqwest::Client`] (or
/// name header types) of the version this crate uses.
pub use reqwest;
pub use set::RemoteJwkSet;

/// Verifies a compact JWT with a key of the remote set: the core's
/// [`jwt_verify_async`](rjose::jwt::jwt_verify_async), for which a
/// [`RemoteJwkSet`] is an [`AsyncKeySource`](rjose::AsyncKeySource). The
/// set is fetched if needed, and once more if no key matches the token.
///
/// ```no_run
/// use rjose::{Alg, JsonObject, jwt::VerifyOptions};
/// use rjose_remote::{RemoteJwkSet, RemoteJwkSetOptions, jwt_verify};
///
/// # async fn run(token: &str) -> Result<(), rjose::Error> {
/// let jwks = RemoteJwkSet::new("https://issuer.example/jwks.json", RemoteJwkSetOptions::new())?;
/// let options = VerifyOptions::new().algorithms([Alg::ES256]).issuer("https://issuer.example");
/// match jwt_verify::<JsonObject>(token, &jwks, &options).await {
///     Ok(verified) => println!("{:?}", verified.registered().sub),
///     Err(e) => println!("{}: {e}", e.code()), // e.g. ERR_JWKS_NO_MATCHING_KEY, ERR_JWKS_TIMEOUT
/// }
/// # Ok(())
/// # }
/// ```
pub async fn jwt_verify<T: DeserializeOwned>(
    token: &str,
    keys: &RemoteJwkSet,
    options: &VerifyOptions,
) -> Result<VerifiedJwt<T>> {
    rjose::jwt::jwt_verify_async(token, keys, options).await
}
