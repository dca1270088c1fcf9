//! DPoP (RFC 9449) at the resource server: which scheme a route takes,
//! the proof policy, the replay store and the server nonces.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use http::header::HOST;
use http::request::Parts;
use http::uri::{Authority, Uri};
use rjose::dpop::{DpopFailure, DpopVerifyOptions, InMemoryJtiStore, JtiStatus, JtiStore, VerifiedProof};
use rjose::jws::{CompactSign, JwsHeader};
use rjose::jwt::SpanInput;
use rjose::{Alg, Key};

use crate::rejection::{AuthContext, AuthRejection, Failure, layer_missing};

/// Which authorization schemes a [`JwtAuthLayer`](crate::JwtAuthLayer)
/// takes.
///
/// Whatever the mode, a DPoP-bound token (one with `cnf.jkt`) is never
/// accepted as a bearer token, from the `Authorization` header or any other
/// [`TokenSource`](crate::TokenSource) (RFC 9449 section 7.2): a thief
/// without the key would otherwise use it as one.
///
/// ```
/// use rjose_axum::{DpopConfig, DpopMode};
///
/// assert_eq!(DpopMode::default(), DpopMode::Refused);
/// assert_eq!(DpopConfig::from(DpopMode::Allowed).mode(), DpopMode::Allowed);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum DpopMode {
    /// Bearer tokens only (the default, as before DPoP support): the
    /// `DPoP` scheme counts as no credentials, and challenges name
    /// `Bearer` only.
    #[default]
    Refused,
    /// `Authorization: DPoP` with a proof, or a token that is not
    /// DPoP-bound from the [token sources](crate::TokenSource); challenges
    /// name both schemes.
    Allowed,
    /// `Authorization: DPoP` with a proof only; a bearer token is refused
    /// with `invalid_token` before it is verified.
    Required,
}

/// A boxed future of [`AsyncJtiStore::insert_if_absent_async`].
pub type JtiFuture<'a> = Pin<Box<dyn Future<Output = rjose::Result<JtiStatus>> + Send + 'a>>;

/// A replay store that waits: a database (`INSERT ... ON CONFLICT DO
/// NOTHING`), Redis (`SET key 1 NX EXAT expires_at`), for several server
/// instances sharing what they have seen.
///
/// Every synchronous [`JtiStore`] that is `Send + Sync` is one. Recording
/// must be atomic with the lookup: two requests racing with the same proof
/// must not both see it fresh. An error refuses the request with `503`
/// (a [`DpopFailure::ReplayCacheFull`] too).
///
/// ```
/// use std::collections::HashSet;
/// use std::sync::Mutex;
/// use rjose::dpop::JtiStatus;
/// use rjose_axum::{AsyncJtiStore, DpopConfig, DpopMode, JtiFuture};
///
/// /// Stands for a table with a unique key on `replay_key`.
/// #[derive(Default)]
/// struct SqlJtis(Mutex<HashSet<String>>);
///
/// impl AsyncJtiStore for SqlJtis {
///     fn insert_if_absent_async<'a>(&'a self, key: &'a str, _expires_at: i64, _now: i64) -> JtiFuture<'a> {
///         Box::pin(async move {
///             // ... `INSERT INTO dpop_jti (replay_key, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING`.await ...
///             let mut seen = self.0.lock().map_err(|_| rjose::Error::InvalidArgument("store poisoned".into()))?;
///             Ok(if seen.insert(key.to_owned()) { JtiStatus::Fresh } else { JtiStatus::Replayed })
///         })
///     }
/// }
///
/// let config = DpopConfig::new(DpopMode::Required).async_replay_store(SqlJtis::default());
/// # let _ = config;
/// ```
pub trait AsyncJtiStore: Send + Sync {
    /// Records `key` until `expires_at` (Unix seconds, exclusive) unless
    /// it is already recorded and unexpired at `now`, as
    /// [`JtiStore::insert_if_absent`] does.
    fn insert_if_absent_async<'a>(&'a self, key: &'a str, expires_at: i64, now: i64) -> JtiFuture<'a>;
}

impl<S: JtiStore + Send + Sync> AsyncJtiStore for S {
    fn insert_if_absent_async<'a>(&'a self, key: &'a str, expires_at: i64, now: i64) -> JtiFuture<'a> {
        Box::pin(std::future::ready(self.insert_if_absent(key, expires_at, now)))
    }
}

/// Where the layer records the proofs it has accepted.
#[derive(Clone)]
enum ReplayStore {
    /// Answered without waiting: no boxed future on the way.
    Sync(Arc<dyn JtiStore + Send + Sync>),
    Async(Arc<dyn AsyncJtiStore>),
}

/// The nonces a server hands out and accepts (RFC 9449 section 8).
///
/// With one configured, a proof without a nonce, or with one that
/// [`is_valid`](Self::is_valid) refuses, is answered `401` with
/// `error="use_dpop_nonce"` and a `DPoP-Nonce` header carrying
/// [`current`](Self::current); every request the layer lets through with
/// a proof gets a `DPoP-Nonce` response header too (section 8.2), so
/// clients can follow rotations without a failed request.
///
/// ```
/// use rjose_axum::NonceSource;
///
/// /// One nonce forever: fine for a test, not for a server.
/// struct Fixed;
///
/// impl NonceSource for Fixed {
///     fn current(&self) -> String { "n-1".into() }
///     fn is_valid(&self, nonce: &str) -> bool { nonce == "n-1" }
/// }
/// assert!(Fixed.is_valid(&Fixed.current()));
/// ```
pub trait NonceSource: Send + Sync {
    /// The nonce to hand out now. Must be a valid header value (visible
    /// ASCII) and a `nonce` that [`is_valid`](Self::is_valid) accepts.
    fn current(&self) -> String;
    /// Whether a proof's `nonce` is acceptable: the current one and,
    /// during a rotation, the previous one.
    fn is_valid(&self, nonce: &str) -> bool;
}

/// Stateless time-based nonces: `<window>.<HMAC-SHA256 of window>`,
/// changing every `lifetime` and accepted for the current and the previous
/// window (so between one and two lifetimes).
///
/// Instances that share the secret accept each other's nonces, so a
/// server behind a load balancer needs no shared state for them. The
/// comparison needs no constant time: the current nonce is handed to
/// anyone who asks.
///
/// ```
/// use std::time::Duration;
/// use rjose_axum::{HmacNonces, NonceSource};
///
/// let nonces = HmacNonces::random(Duration::from_secs(300))?;
/// let nonce = nonces.current();
/// assert!(nonces.is_valid(&nonce));
/// assert!(!nonces.is_valid("0.forged"));
/// # Ok::<(), rjose::Error>(())
/// ```
pub struct HmacNonces {
    key: Key,
    lifetime: u64,
}

impl HmacNonces {
    /// Nonces sealed with `secret` (share it between the instances of one
    /// service), rotating every `lifetime` (at least one second).
    pub fn new(secret: Key, lifetime: Duration) -> Self {
        HmacNonces {
            key: secret.with_alg(Alg::HS256),
            lifetime: lifetime.as_secs().max(1),
        }
    }

    /// Nonces sealed with a fresh random secret: for one server process.
    pub fn random(lifetime: Duration) -> rjose::Result<Self> {
        Ok(HmacNonces::new(rjose::generate_secret(Alg::HS256)?, lifetime))
    }

    fn window(&self) -> u64 {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        now / self.lifetime
    }

    fn seal(&self, window: u64) -> Option<String> {
        let payload = window.to_string();
        let jws = CompactSign::new(payload.as_bytes())
            .protected_header(JwsHeader::new(Alg::HS256))
            .sign(&self.key)
            .ok()?;
        let mac = jws.rsplit('.').next()?;
        Some(format!("{payload}.{mac}"))
    }
}

impl NonceSource for HmacNonces {
    fn current(&self) -> String {
        // Signing with an HS256 secret does not fail; an empty nonce would
        // only ever be refused.
        self.seal(self.window()).unwrap_or_default()
    }

    fn is_valid(&self, nonce: &str) -> bool {
        let Some(window) = nonce.split_once('.').and_then(|(w, _)| w.parse::<u64>().ok()) else {
            return false;
        };
        let now = self.window();
        (window == now || window.checked_add(1) == Some(now)) && self.seal(window).as_deref() == Some(nonce)
    }
}

impl fmt::Debug for HmacNonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacNonces")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// Where the request URI a proof's `htu` must match comes from.
#[derive(Clone, Debug)]
enum Origin {
    /// The request URI's scheme and authority, else `http://` and `Host`.
    FromRequest,
    /// `https://api.example`, without a trailing slash.
    Fixed(Arc<str>),
    /// A `public_origin` that is not one: every DPoP request fails (`503`).
    Invalid(Arc<str>),
}

/// The DPoP policy of a [`JwtAuthLayer`](crate::JwtAuthLayer): the
/// [`DpopMode`], the accepted algorithms and time window, the replay
/// store, the server nonces and the public origin.
///
/// For each request with `Authorization: DPoP <token>` and exactly one
/// `DPoP` header, the layer verifies the token as for a bearer token,
/// requires its `cnf.jkt`, then verifies the proof with `htm` = the
/// request method, `htu` = the request URL (see
/// [`public_origin`](Self::public_origin)), `ath` = the token's hash and
/// the token's `cnf.jkt` as the key's thumbprint, and finally records the
/// proof in the replay store, once every other check (revocation
/// included) has passed. Handlers read the proof with [`VerifiedDpop`].
///
/// ```
/// use std::time::Duration;
/// use rjose::{Alg, JsonObject, Key, dpop::InMemoryJtiStore, jwt::VerifyOptions};
/// use rjose_axum::{DpopConfig, DpopMode, HmacNonces, JwtAuthLayer, Verifier};
///
/// # let issuer_key = rjose::generate_key_pair(Alg::ES256, Default::default())?.public_key;
/// let dpop = DpopConfig::new(DpopMode::Required)
///     .algorithms([Alg::ES256, Alg::EdDSA])
///     .max_age("2m")
///     .clock_tolerance("5s")
///     .replay_store(InMemoryJtiStore::new(50_000))
///     .nonces(HmacNonces::random(Duration::from_secs(120))?)
///     .public_origin("https://api.example");
/// let layer = JwtAuthLayer::<JsonObject>::new(Verifier::new(issuer_key, VerifyOptions::new().audience("https://api.example")))
///     .dpop(dpop);
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Clone)]
pub struct DpopConfig {
    mode: DpopMode,
    template: DpopVerifyOptions,
    store: ReplayStore,
    nonces: Option<Arc<dyn NonceSource>>,
    origin: Origin,
}

impl DpopConfig {
    /// A policy in `mode` with the core's defaults
    /// ([`DEFAULT_DPOP_ALGORITHMS`](rjose::dpop::DEFAULT_DPOP_ALGORITHMS),
    /// 5 minutes of age, 30 seconds of clock tolerance), an
    /// [`InMemoryJtiStore`] of default capacity (shared by every clone of
    /// the layer), no nonces, and the origin taken from the request.
    pub fn new(mode: DpopMode) -> Self {
        DpopConfig {
            mode,
            // htm and htu are set per request.
            template: DpopVerifyOptions::new("GET", "https://localhost/"),
            store: ReplayStore::Sync(Arc::new(InMemoryJtiStore::default())),
            nonces: None,
            origin: Origin::FromRequest,
        }
    }

    /// The mode.
    pub fn mode(&self) -> DpopMode {
        self.mode
    }

    /// The proof algorithms accepted, also listed in the challenges'
    /// `algs`. A MAC here makes every DPoP request fail with `503` (and a
    /// warning in the log).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Alg>) -> Self {
        self.template = self.template.algorithms(algorithms);
        self
    }

    /// How long after its `iat` a proof is accepted (`"5m"`, seconds...).
    pub fn max_age(mut self, age: impl SpanInput) -> Self {
        self.template = self.template.max_age(age);
        self
    }

    /// Leeway for the client's clock, either way.
    pub fn clock_tolerance(mut self, tolerance: impl SpanInput) -> Self {
        self.template = self.template.clock_tolerance(tolerance);
        self
    }

    /// A synchronous replay store (an [`InMemoryJtiStore`] of another
    /// capacity, a shared cache reached without waiting).
    pub fn replay_store(mut self, store: impl JtiStore + Send + Sync + 'static) -> Self {
        self.store = ReplayStore::Sync(Arc::new(store));
        self
    }

    /// A replay store that waits (a database shared by several instances).
    pub fn async_replay_store(mut self, store: impl AsyncJtiStore + 'static) -> Self {
        self.store = ReplayStore::Async(Arc::new(store));
        self
    }

    /// Requires proofs to carry a nonce from `nonces`.
    pub fn nonces(mut self, nonces: impl NonceSource + 'static) -> Self {
        self.nonces = Some(Arc::new(nonces));
        self
    }

    /// The scheme and authority clients address this service by, e.g.
    /// `https://api.example` behind a TLS-terminating proxy or load
    /// balancer; the proof's `htu` must be this origin followed by the
    /// request's path.
    ///
    /// Without it the origin is the request URI's own when it has one
    /// (HTTP/2 `:scheme` and `:authority`, absolute-form requests), else
    /// `http://` and the `Host` header. `X-Forwarded-*` headers are never
    /// read: any client can set them. Trusting `Host` lets a client choose
    /// which host the proof is checked against, which gains it nothing
    /// (the proof is signed by the token's own key, and the token's
    /// audience is still checked), but behind a proxy the scheme and host
    /// seen are the proxy's, and honest proofs fail: set the public origin
    /// there. Mount the layer where request paths are whole (not inside
    /// `Router::nest`, which strips the prefix).
    ///
    /// An origin that is not `http(s)://authority` (a path, a query,
    /// userinfo) makes every DPoP request fail with `503` and a warning in
    /// the log.
    pub fn public_origin(mut self, origin: &str) -> Self {
        self.origin = match parse_origin(origin) {
            Some(origin) => Origin::Fixed(origin.into()),
            None => Origin::Invalid(origin.into()),
        };
        self
    }

    /// The `algs` parameter of the DPoP challenge.
    fn algs(&self) -> String {
        let names: Vec<&str> = self.template.algorithms.iter().map(|alg| alg.name()).collect();
        names.join(" ")
    }

    pub(crate) fn challenge(&self) -> Option<Arc<DpopChallenge>> {
        (self.mode != DpopMode::Refused).then(|| {
            Arc::new(DpopChallenge {
                mode: self.mode,
                algs: self.algs(),
                nonces: self.nonces.clone(),
            })
        })
    }

    /// The `htu` the proof must match: the public origin and the path.
    pub(crate) fn htu(&self, parts: &Parts) -> Result<String, Failure> {
        let path = parts.uri.path();
        match &self.origin {
            Origin::Fixed(origin) => Ok(format!("{origin}{path}")),
            Origin::Invalid(origin) => {
                tracing::warn!(origin = %origin, "DPoP public_origin is not http(s)://authority");
                Err(Failure::Unavailable("ERR_AUTH_DPOP_MISCONFIGURED"))
            }
            Origin::FromRequest => match (parts.uri.scheme_str(), parts.uri.authority()) {
                (Some(scheme), Some(authority)) => Ok(format!("{scheme}://{authority}{path}")),
                _ => {
                    let host = parts
                        .headers
                        .get(HOST)
                        .and_then(|h| h.to_str().ok())
                        .and_then(|h| h.parse::<Authority>().ok())
                        .filter(|a| !a.as_str().contains('@'))
                        .ok_or(Failure::Malformed("the request names no valid host"))?;
                    Ok(format!("http://{host}{path}"))
                }
            },
        }
    }

    /// Verifies the proof against the request and the verified token.
    pub(crate) fn verify(
        &self,
        proof: &str,
        htm: &str,
        htu: &str,
        token: &str,
        jkt: &str,
    ) -> Result<VerifiedProof, Failure> {
        let mut options = self.template.clone().access_token(token).expected_jkt(jkt);
        htm.clone_into(&mut options.htm);
        htu.clone_into(&mut options.htu);
        if let Some(nonces) = &self.nonces {
            let nonces = Arc::clone(nonces);
            options = options.nonce_check(move |nonce| nonces.is_valid(nonce));
        }
        rjose::dpop::verify_proof(proof, &options).map_err(Failure::from_dpop)
    }

    /// Records the proof now, or says the store has to be waited for.
    pub(crate) fn record_now(&self, proof: &VerifiedProof) -> Option<Result<(), Failure>> {
        match &self.store {
            ReplayStore::Sync(store) => Some(proof.check_replay(store.as_ref()).map_err(Failure::from_replay_store)),
            ReplayStore::Async(_) => None,
        }
    }

    /// Records the proof, waiting for the store if it waits.
    pub(crate) async fn record(&self, proof: &VerifiedProof) -> Result<(), Failure> {
        let store = match &self.store {
            ReplayStore::Sync(store) => return proof.check_replay(store.as_ref()).map_err(Failure::from_replay_store),
            ReplayStore::Async(store) => store,
        };
        let status = store
            .insert_if_absent_async(proof.replay_key(), proof.replay_expires_at(), proof.verified_at())
            .await
            .map_err(Failure::from_replay_store)?;
        match status {
            JtiStatus::Fresh => Ok(()),
            JtiStatus::Replayed => Err(Failure::Dpop(
                DpopFailure::Replayed,
                "the proof's jti was used before".into(),
            )),
        }
    }

    /// The fresh nonce a successful DPoP response carries, if any.
    pub(crate) fn fresh_nonce(&self) -> Option<http::HeaderValue> {
        let nonces = self.nonces.as_ref()?;
        http::HeaderValue::try_from(nonces.current()).ok()
    }
}

/// `http(s)://authority` without a trailing slash, or `None`.
fn parse_origin(origin: &str) -> Option<String> {
    let uri: Uri = origin.trim_end_matches('/').parse().ok()?;
    let scheme = uri.scheme_str().filter(|s| matches!(*s, "http" | "https"))?;
    let authority = uri.authority().filter(|a| !a.as_str().contains('@'))?;
    let bare = uri
        .path_and_query()
        .is_none_or(|p| p.as_str().is_empty() || p.as_str() == "/");
    bare.then(|| format!("{scheme}://{authority}"))
}

impl fmt::Debug for DpopConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopConfig")
            .field("mode", &self.mode)
            .field("algorithms", &self.template.algorithms)
            .field("max_age", &self.template.max_age)
            .field("clock_tolerance", &self.template.clock_tolerance)
            .field("nonces", &self.nonces.is_some())
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl From<DpopMode> for DpopConfig {
    fn from(mode: DpopMode) -> Self {
        DpopConfig::new(mode)
    }
}

/// What a rejection needs to challenge for DPoP.
pub(crate) struct DpopChallenge {
    pub(crate) mode: DpopMode,
    pub(crate) algs: String,
    pub(crate) nonces: Option<Arc<dyn NonceSource>>,
}

impl fmt::Debug for DpopChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopChallenge")
            .field("mode", &self.mode)
            .field("algs", &self.algs)
            .finish_non_exhaustive()
    }
}

/// The verified DPoP proof of the request, for handlers: its key's
/// thumbprint ([`jkt`](VerifiedProof::jkt)), `jti`, `iat`... Dereferences
/// to [`VerifiedProof`]; cloning is cheap.
///
/// As an axum extractor it refuses requests that came without a proof
/// (bearer requests in [`DpopMode::Allowed`]) as unauthenticated;
/// `Option<VerifiedDpop>` yields `None` for them instead.
///
/// ```
/// use rjose::JsonObject;
/// use rjose_axum::{Claims, VerifiedDpop};
///
/// async fn orders(claims: Claims<JsonObject>, proof: Option<VerifiedDpop>) -> String {
///     match proof {
///         Some(proof) => format!("{} with key {}", claims.registered().sub.as_deref().unwrap_or("?"), proof.jkt()),
///         None => "bearer".into(),
///     }
/// }
/// ```
#[derive(Clone, Debug)]
pub struct VerifiedDpop(Arc<VerifiedProof>);

impl VerifiedDpop {
    pub(crate) fn new(proof: VerifiedProof) -> Self {
        VerifiedDpop(Arc::new(proof))
    }
}

impl Deref for VerifiedDpop {
    type Target = VerifiedProof;

    fn deref(&self) -> &VerifiedProof {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for VerifiedDpop {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(proof) = parts.extensions.get::<VerifiedDpop>() {
            return Ok(proof.clone());
        }
        Err(match parts.extensions.get::<AuthContext>() {
            Some(context) => context.reject(Failure::Missing),
            None => layer_missing(),
        })
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for VerifiedDpop {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<VerifiedDpop>().cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::parse_origin;

    #[test]
    fn public_origin_is_scheme_and_authority_only() {
        assert_eq!(
            parse_origin("https://api.example").as_deref(),
            Some("https://api.example")
        );
        assert_eq!(
            parse_origin("https://api.example:8443/").as_deref(),
            Some("https://api.example:8443")
        );
        for bad in [
            "api.example",
            "ftp://api.example",
            "https://api.example/v1",
            "https://u@api.example",
            "",
        ] {
            assert_eq!(parse_origin(bad), None, "{bad}");
        }
    }
}
