//! [`RemoteJwkSet`]: the cache, single flight, cooldown, stale-if-error and
//! the refetch on an unknown `kid`.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};
use std::time::{Duration, Instant, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::Url;
use reqwest::header::{ETAG, HeaderValue, IF_NONE_MATCH};
use rjose::jws::JwsHeader;
use rjose::{AsyncKeySource, Error, KeyCandidates, KeyFuture, KeySource, LocalJwkSet, Result};

use crate::cache_entry::JwksCacheEntry;
use crate::discovery::ProviderMetadata;
use crate::fetch::{self, FetchRequest, JwksFetcher};
use crate::http_policy::parse_url;
use crate::options::{MAX_HONOURED_MAX_AGE, RemoteJwkSetOptions};

/// A JWK Set fetched over HTTPS and cached: the counterpart of the JS
/// library's `createRemoteJWKSet`.
///
/// Keys are selected exactly as [`LocalJwkSet`] selects them (`kid`, `alg`
/// to key type and curve, `use`, `key_ops`), from the last document
/// fetched. A JWK Set is a public document: a remote set never yields a
/// symmetric (`oct`) key, whatever the options, and uses only the public
/// half of a key published with its private members; the cached set
/// ([`key_set`](Self::key_set), [`cached`](Self::cached)) reports how many
/// keys came with them through [`LocalJwkSet::private_members_ignored`]. The set is cheap to clone (clones share one cache) and is meant
/// to be built once and shared by a whole server. It fetches:
///
/// - on first use, and when the document is older than
///   [`cache_max_age`](RemoteJwkSetOptions::cache_max_age) (or the server's
///   `Cache-Control: max-age`, when [honoured](RemoteJwkSetOptions::honor_cache_control));
/// - once more when no key matches a token (a new `kid`: the issuer rotated
///   its keys), unless the last fetch started less than a
///   [`cooldown`](RemoteJwkSetOptions::cooldown) ago;
/// - with `If-None-Match` when the server sent an `ETag`, a `304` counting
///   as a successful refresh;
/// - never twice at once: every verification that needs a fetch waits for
///   the same request.
///
/// A failed fetch (unreachable server, time limit, error status, a body
/// that is too large, not JSON, not a JWK Set, or a set without a usable
/// key) never replaces the cached document: the last good set keeps being
/// used for up to [`max_stale`](RemoteJwkSetOptions::max_stale) past its
/// lifetime, and the failure is reported only when no usable key is left
/// (`ERR_JWKS_TIMEOUT`, `ERR_JWKS_FETCH_FAILED` with the HTTP status when
/// there was one, or `ERR_JWKS_INVALID`).
///
/// Only `https` URLs are accepted unless the
/// [`http_policy`](RemoteJwkSetOptions::http_policy) says otherwise, and
/// redirects are not followed unless [`allow_redirects`](RemoteJwkSetOptions::allow_redirects) is.
///
/// ```no_run
/// use rjose::{Alg, JsonObject, jwt::VerifyOptions};
/// use rjose_remote::{RemoteJwkSet, RemoteJwkSetOptions, jwt_verify};
///
/// # async fn handler(token: &str) -> Result<(), rjose::Error> {
/// // Once, at start-up; clone it into every handler.
/// let jwks = RemoteJwkSet::new("https://issuer.example/.well-known/jwks.json", RemoteJwkSetOptions::new())?;
///
/// let options = VerifyOptions::new().algorithms([Alg::RS256]).issuer("https://issuer.example/").audience("api");
/// let verified = jwt_verify::<JsonObject>(token, &jwks, &options).await?;
/// println!("hello {:?}", verified.registered().sub);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RemoteJwkSet {
    inner: Arc<Inner>,
}

struct Inner {
    url: Url,
    metadata: Option<ProviderMetadata>,
    options: RemoteJwkSetOptions,
    fetcher: Arc<dyn JwksFetcher>,
    state: RwLock<State>,
    /// Held for the whole of a fetch: single flight.
    refresh: tokio::sync::Mutex<()>,
    /// A background refresh task is scheduled or running.
    background: AtomicBool,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    last_attempt: Option<Attempt>,
    /// Completed fetch attempts, successful or not: the generation that
    /// lets a waiter know a fetch happened while it waited.
    attempts: u64,
}

struct Cached {
    set: Arc<LocalJwkSet>,
    /// The last successful fetch or `304`.
    refreshed_at: Stamp,
    /// How long after `refreshed_at` the set is fresh.
    fresh_for: Duration,
    /// The server's `Cache-Control` lifetime, kept for the exported entry.
    server_max_age: Option<Duration>,
    etag: Option<HeaderValue>,
    /// The `attempts` count when this document arrived.
    arrived_at_attempt: u64,
}

struct Attempt {
    started: Stamp,
    error: Option<Error>,
}

/// A moment on the set's clock. A seed's fetch time can precede the
/// monotonic clock's origin (a machine booted a second ago, a document
/// fetched a minute ago), which no [`Instant`] can stand for: so a stamp is
/// an instant and how long before it the moment was.
#[derive(Clone, Copy)]
struct Stamp {
    at: Instant,
    earlier_by: Duration,
}

impl Stamp {
    fn at(now: Instant) -> Self {
        Stamp {
            at: now,
            earlier_by: Duration::ZERO,
        }
    }

    fn elapsed(self, now: Instant) -> Duration {
        now.saturating_duration_since(self.at).saturating_add(self.earlier_by)
    }
}

/// A set to verify with, and the generation it was taken at.
struct Snapshot {
    set: Arc<LocalJwkSet>,
    attempts: u64,
}

/// What the cache can say without fetching.
enum Next<T> {
    Ready(Result<T>),
    Fetch { seen: u64 },
}

/// What a fetch brought.
enum Fetched {
    Document {
        set: LocalJwkSet,
        etag: Option<HeaderValue>,
        server_max_age: Option<Duration>,
    },
    NotModified {
        server_max_age: Option<Duration>,
    },
}

impl RemoteJwkSet {
    /// A set served at `url` (`&str`, `String` or [`Url`]). Nothing is
    /// fetched until the first verification (or [`reload`](Self::reload)).
    ///
    /// Fails with `ERR_JWKS_FETCH_FAILED` when `url` is not a URL, is not
    /// one the [`http_policy`](RemoteJwkSetOptions::http_policy) permits,
    /// or the HTTP client cannot be built.
    ///
    /// ```
    /// use rjose_remote::{RemoteJwkSet, RemoteJwkSetOptions};
    ///
    /// let jwks = RemoteJwkSet::new("https://issuer.example/jwks.json", RemoteJwkSetOptions::new())?;
    /// assert_eq!(jwks.url().as_str(), "https://issuer.example/jwks.json");
    ///
    /// let refused = RemoteJwkSet::new("http://issuer.example/jwks.json", RemoteJwkSetOptions::new());
    /// assert_eq!(refused.map(|_| ()).unwrap_err().code(), "ERR_JWKS_FETCH_FAILED");
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn new(url: impl AsRef<str>, options: RemoteJwkSetOptions) -> Result<Self> {
        let url = parse_url(url.as_ref(), options.http_policy, "JWK Set URL")?;
        let fetcher = options.resolve_fetcher()?;
        Ok(Self::build(url, None, options, fetcher))
    }

    /// Discovers the set of an OAuth 2.0 / OpenID Connect issuer: fetches
    /// `{issuer}/.well-known/openid-configuration`, falling back to the
    /// RFC 8414 `/.well-known/oauth-authorization-server` when that answers
    /// with an error status, checks that the document's `issuer` is exactly
    /// `issuer`, and uses its `jwks_uri`. The document stays available as
    /// [`metadata`](Self::metadata).
    ///
    /// ```no_run
    /// use rjose_remote::{RemoteJwkSet, RemoteJwkSetOptions};
    ///
    /// # async fn start() -> Result<(), rjose::Error> {
    /// let jwks = RemoteJwkSet::from_issuer("https://issuer.example", RemoteJwkSetOptions::new()).await?;
    /// let token_endpoint = jwks.metadata().and_then(|m| m.token_endpoint());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn from_issuer(issuer: &str, options: RemoteJwkSetOptions) -> Result<Self> {
        let fetcher = options.resolve_fetcher()?;
        let metadata = crate::discovery::discover(&*fetcher, issuer, &options).await?;
        Ok(Self::build(metadata.jwks_uri.clone(), Some(metadata), options, fetcher))
    }

    /// The set named by already discovered metadata.
    ///
    /// ```no_run
    /// use rjose_remote::{ProviderMetadata, RemoteJwkSet, RemoteJwkSetOptions};
    ///
    /// # async fn start() -> Result<(), rjose::Error> {
    /// let options = RemoteJwkSetOptions::new();
    /// let metadata = ProviderMetadata::discover("https://issuer.example", &options).await?;
    /// let jwks = RemoteJwkSet::from_metadata(metadata, options)?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn from_metadata(metadata: ProviderMetadata, options: RemoteJwkSetOptions) -> Result<Self> {
        let url = parse_url(metadata.jwks_uri.as_str(), options.http_policy, "jwks_uri")?;
        let fetcher = options.resolve_fetcher()?;
        Ok(Self::build(url, Some(metadata), options, fetcher))
    }

    fn build(
        url: Url,
        metadata: Option<ProviderMetadata>,
        options: RemoteJwkSetOptions,
        fetcher: Arc<dyn JwksFetcher>,
    ) -> Self {
        RemoteJwkSet {
            inner: Arc::new(Inner {
                url,
                metadata,
                options,
                fetcher,
                state: RwLock::new(State::default()),
                refresh: tokio::sync::Mutex::new(()),
                background: AtomicBool::new(false),
            }),
        }
    }

    /// Where the set is fetched from.
    pub fn url(&self) -> &Url {
        &self.inner.url
    }

    /// The issuer's metadata, when the set was made by discovery.
    pub fn metadata(&self) -> Option<&ProviderMetadata> {
        self.inner.metadata.as_ref()
    }

    /// Runs `f` (typically a synchronous verification of the core crate) with the current key set, fetching it first when the cache is
    /// empty or expired. When `f` fails with `ERR_JWKS_NO_MATCHING_KEY`, the
    /// set is fetched once more (unless cooling down) and `f` runs again
    /// with the new document: that is how a rotated key is picked up. If
    /// that fetch fails, its error is returned.
    ///
    /// The set is also an [`AsyncKeySource`] (the same selection and
    /// refetch), which the core's async functions take directly
    /// ([`jwt_verify_async`](rjose::jwt::jwt_verify_async),
    /// [`compact_verify_async`](rjose::jws::compact_verify_async)); use
    /// this for the serializations they do not cover (flattened, general).
    ///
    /// ```no_run
    /// use rjose::jws::{JwsVerifyOptions, compact_verify};
    /// use rjose_remote::{RemoteJwkSet, RemoteJwkSetOptions};
    ///
    /// # async fn run(jwks: RemoteJwkSet, jws: &str) -> Result<(), rjose::Error> {
    /// let options = JwsVerifyOptions::new();
    /// let verified = jwks.with_keys(|keys| compact_verify(jws, keys, &options)).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn with_keys<R>(&self, mut f: impl FnMut(&LocalJwkSet) -> Result<R>) -> Result<R> {
        let snapshot = self.current().await?;
        match f(&snapshot.set) {
            Err(Error::JwksNoMatchingKey) => {}
            done => return done,
        }
        match self.refetch(&snapshot).await? {
            Some(newer) => f(&newer.set),
            None => Err(Error::JwksNoMatchingKey),
        }
    }

    /// The current key set, fetched first if the cache is empty or
    /// expired (as for a verification).
    ///
    /// ```no_run
    /// # async fn run(jwks: rjose_remote::RemoteJwkSet) -> Result<(), rjose::Error> {
    /// let keys = jwks.key_set().await?;
    /// println!("{} keys", keys.keys().len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn key_set(&self) -> Result<Arc<LocalJwkSet>> {
        Ok(self.current().await?.set)
    }

    /// Fetches the set now, whether or not the cached one is fresh or the
    /// cooldown has passed (JS: `reload()`), e.g. to warm the cache at
    /// start-up. If a fetch is already under way, waits for it instead of
    /// sending another. Fails with the fetch error; the cached set is kept.
    ///
    /// ```no_run
    /// # async fn run(jwks: rjose_remote::RemoteJwkSet) -> Result<(), rjose::Error> {
    /// jwks.reload().await?;
    /// assert!(jwks.is_fresh());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn reload(&self) -> Result<()> {
        let seen = self.read().attempts;
        let _flight = self.inner.refresh.lock().await;
        let done_meanwhile = {
            let state = self.read();
            (state.attempts != seen).then(|| match state.last_attempt.as_ref().and_then(|a| a.error.as_ref()) {
                Some(error) => Err(duplicate(error)),
                None => Ok(()),
            })
        };
        match done_meanwhile {
            Some(result) => result,
            None => self.fetch_and_store().await.map(drop),
        }
    }

    /// The cached set, without fetching; `None` before the first successful
    /// fetch or [seed](Self::seed).
    ///
    /// ```
    /// # let jwks = rjose_remote::RemoteJwkSet::new("https://issuer.example/jwks", Default::default())?;
    /// assert!(jwks.cached().is_none());
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn cached(&self) -> Option<Arc<LocalJwkSet>> {
        self.read().cached.as_ref().map(|c| Arc::clone(&c.set))
    }

    /// Whether the cached set is within its lifetime (JS: `fresh`).
    ///
    /// ```
    /// # let jwks = rjose_remote::RemoteJwkSet::new("https://issuer.example/jwks", Default::default())?;
    /// assert!(!jwks.is_fresh());
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn is_fresh(&self) -> bool {
        let now = self.now();
        self.read().cached.as_ref().is_some_and(|c| c.is_fresh(now))
    }

    /// Whether the last fetch started less than a cooldown ago, so that an
    /// unknown `kid` would not cause another (JS: `coolingDown`).
    ///
    /// ```
    /// # let jwks = rjose_remote::RemoteJwkSet::new("https://issuer.example/jwks", Default::default())?;
    /// assert!(!jwks.is_cooling_down());
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn is_cooling_down(&self) -> bool {
        let now = self.now();
        self.cooling_down(&self.read(), now)
    }

    /// The error of the last fetch, if it failed (`None` once a fetch
    /// succeeds again).
    ///
    /// ```
    /// # let jwks = rjose_remote::RemoteJwkSet::new("https://issuer.example/jwks", Default::default())?;
    /// assert!(jwks.last_error().is_none());
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn last_error(&self) -> Option<Error> {
        self.read()
            .last_attempt
            .as_ref()
            .and_then(|a| a.error.as_ref())
            .map(duplicate)
    }

    /// The cached document as a [`JwksCacheEntry`], to be stored outside
    /// the process (a worker's KV store, a file) and
    /// [seeded](Self::seed) into the next one; `None` before the first
    /// successful fetch or seed (JS: the `jwksCache` object the set keeps
    /// up to date).
    ///
    /// The entry holds the set's public keys (keys published with private
    /// members are exported without them, symmetric keys not at all), the
    /// time of the last successful fetch or `304`, rounded down to the
    /// second, the `ETag` and the server's `Cache-Control` lifetime.
    /// Export after verifying: a refresh makes the entry newer.
    ///
    /// ```
    /// # let jwks = rjose_remote::RemoteJwkSet::new("https://issuer.example/jwks", Default::default())?;
    /// // Nothing fetched yet: nothing to store.
    /// assert!(jwks.export_cache().is_none());
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn export_cache(&self) -> Option<JwksCacheEntry> {
        let now = self.now();
        let date = self.inner.options.clock.system_time();
        let state = self.read();
        let cached = state.cached.as_ref()?;
        // Rounded down: the entry reads as a little older, never younger.
        let fetched_at = date
            .checked_sub(cached.age(now))
            .and_then(|fetched| fetched.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |since_epoch| since_epoch.as_secs());
        // A set parsed from a document has a public form for each of its
        // keys; should one ever lack it, there is nothing safe to store.
        let jwks = cached.set.to_public_json().ok()?;
        Some(JwksCacheEntry {
            url: self.inner.url.to_string(),
            jwks,
            fetched_at,
            // An ETag that is not text cannot be stored as a string; the
            // next process then fetches without revalidating.
            etag: cached
                .etag
                .as_ref()
                .and_then(|tag| tag.to_str().ok())
                .map(str::to_owned),
            max_age: cached.server_max_age.map(|age| age.as_secs()),
        })
    }

    /// Uses a stored [`JwksCacheEntry`] (from [`export_cache`](Self::export_cache))
    /// as if the set had fetched its document at its `fetched_at`, so that a
    /// process that starts often does not fetch on every start (JS: the
    /// `jwksCache` option).
    ///
    /// From then on the set behaves as after that fetch: the document is
    /// fresh until [`cache_max_age`](RemoteJwkSetOptions::cache_max_age)
    /// (or the entry's `max_age`, when
    /// [honoured](RemoteJwkSetOptions::honor_cache_control)) after
    /// `fetched_at`, and then fetched again with `If-None-Match` set to the
    /// entry's `etag`, a `304` renewing the seeded keys; a token with an
    /// unknown `kid` causes a fetch unless `fetched_at` is less than a
    /// [`cooldown`](RemoteJwkSetOptions::cooldown) ago; a stale document
    /// serves for [`max_stale`](RemoteJwkSetOptions::max_stale) while
    /// fetches fail. A `fetched_at` ahead of the clock counts as now.
    ///
    /// The document is checked exactly as a fetched one: same parser
    /// (repeated member names refused), symmetric keys dropped, private
    /// keys used by their public half, at least one usable key. When the
    /// set already holds a document as recent as the entry's, it keeps it.
    ///
    /// Fails with `ERR_JWKS_INVALID`, the set unchanged, when the entry's
    /// `url` is not this set's URL (an entry stored under the wrong key, or
    /// for another issuer, is not silently trusted), its document is not a
    /// usable JWK Set, its `etag` is not a header value or its `fetched_at`
    /// is out of range.
    ///
    /// ```
    /// use std::time::{SystemTime, UNIX_EPOCH};
    /// use rjose::{Alg, JsonObject, KeyPairOptions, LocalJwkSet, generate_key_pair, jwt::{SignJwt, VerifyOptions}};
    /// use rjose_remote::{FetchFuture, FetchRequest, JwksFetcher, RemoteJwkSet, RemoteJwkSetOptions, jwt_verify};
    ///
    /// /// The network of this example: every fetch fails.
    /// #[derive(Debug)]
    /// struct Offline;
    ///
    /// impl JwksFetcher for Offline {
    ///     fn fetch(&self, request: FetchRequest) -> FetchFuture<'_> {
    ///         let cause = format!("offline: {}", request.url);
    ///         Box::pin(async move { Err(rjose::Error::JwksFetch { status: None, cause }) })
    ///     }
    /// }
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // The issuer's key, and a token it signed.
    /// let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
    /// let token = SignJwt::default()
    ///     .protected_header(Alg::ES256)
    ///     .issuer("https://issuer.example")
    ///     .expiration_time("5m")
    ///     .sign(&pair.private_key.with_kid("k1"))?;
    ///
    /// // What the previous process stored (`serde_json::to_string(&jwks.export_cache())`).
    /// let stored = serde_json::json!({
    ///     "url": "https://issuer.example/jwks.json",
    ///     "jwks": LocalJwkSet::new([pair.public_key.with_kid("k1")]).to_public_json()?,
    ///     "fetched_at": SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() - 60,
    ///     "etag": "\"v1\"",
    /// })
    /// .to_string();
    ///
    /// let options = RemoteJwkSetOptions::new().fetcher(Offline);
    /// let jwks = RemoteJwkSet::new("https://issuer.example/jwks.json", options)?;
    /// jwks.seed(serde_json::from_str(&stored)?)?;
    /// assert!(jwks.is_fresh());
    ///
    /// let verify = VerifyOptions::new().algorithms([Alg::ES256]).issuer("https://issuer.example");
    /// let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    /// let verified = runtime.block_on(jwt_verify::<JsonObject>(&token, &jwks, &verify))?;
    /// assert_eq!(verified.registered().iss.as_deref(), Some("https://issuer.example"));
    ///
    /// // An entry for another URL is refused.
    /// let other = RemoteJwkSet::new("https://other.example/jwks.json", RemoteJwkSetOptions::new().fetcher(Offline))?;
    /// let refused = other.seed(serde_json::from_str(&stored)?).unwrap_err();
    /// assert_eq!(refused.code(), "ERR_JWKS_INVALID");
    /// # Ok(())
    /// # }
    /// ```
    pub fn seed(&self, entry: JwksCacheEntry) -> Result<()> {
        let url = &self.inner.url;
        let refuse = |why: String| Error::JwksInvalid(format!("the cached JWK Set entry is refused: {why}"));
        let entry_url =
            Url::parse(&entry.url).map_err(|e| refuse(format!("its url {:?} is not a URL: {e}", entry.url)))?;
        if entry_url != *url {
            return Err(refuse(format!("it was fetched from {entry_url}, not from {url}")));
        }
        let fetched_at = UNIX_EPOCH
            .checked_add(Duration::from_secs(entry.fetched_at))
            .ok_or_else(|| refuse(format!("its fetched_at {} is out of range", entry.fetched_at)))?;
        let etag = entry
            .etag
            .map(|tag| {
                HeaderValue::from_str(&tag).map_err(|_| refuse(format!("its etag {tag:?} is not a header value")))
            })
            .transpose()?;
        let set = parse_jwks(url, entry.jwks.as_bytes(), self.inner.options.try_all_matching).map_err(|e| match e {
            Error::JwksInvalid(detail) => refuse(detail),
            other => other,
        })?;
        let age = self
            .inner
            .options
            .clock
            .system_time()
            .duration_since(fetched_at)
            .unwrap_or(Duration::ZERO);
        let now = self.now();
        let fetched = Stamp {
            at: now,
            earlier_by: age,
        };
        let server_max_age = entry.max_age.map(Duration::from_secs);
        let fresh_for = self.lifetime(server_max_age);
        let mut state = self.inner.state.write().unwrap_or_else(PoisonError::into_inner);
        if state.cached.as_ref().is_some_and(|cached| cached.age(now) <= age) {
            return Ok(());
        }
        state.cached = Some(Cached {
            set: Arc::new(set),
            refreshed_at: fetched,
            fresh_for,
            server_max_age,
            etag,
            arrived_at_attempt: state.attempts,
        });
        // The cooldown runs from the seeded fetch, as from a real one.
        if state.last_attempt.as_ref().is_none_or(|a| a.started.elapsed(now) > age) {
            state.last_attempt = Some(Attempt {
                started: fetched,
                error: None,
            });
        }
        Ok(())
    }

    fn now(&self) -> Instant {
        self.inner.options.clock.now()
    }

    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.inner.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn cooling_down(&self, state: &State, now: Instant) -> bool {
        state
            .last_attempt
            .as_ref()
            .is_some_and(|a| a.started.elapsed(now) < self.inner.options.cooldown)
    }

    /// A fresh enough set: from the cache, or after a fetch (shared with
    /// every caller that needs one at the same time).
    async fn current(&self) -> Result<Snapshot> {
        let seen = match self.current_without_fetch(None) {
            Next::Ready(result) => return result,
            Next::Fetch { seen } => seen,
        };
        let _flight = self.inner.refresh.lock().await;
        if let Next::Ready(result) = self.current_without_fetch(Some(seen)) {
            return result;
        }
        match self.fetch_and_store().await {
            Ok(snapshot) => Ok(snapshot),
            Err(error) => {
                let now = self.now();
                let state = self.read();
                match &state.cached {
                    Some(cached) if cached.within_max_stale(now, self.inner.options.max_stale) => {
                        Ok(cached.snapshot(state.attempts))
                    }
                    _ => Err(error),
                }
            }
        }
    }

    /// The answer the cache gives without a fetch, or the generation to
    /// fetch after. `waited_since` is the generation seen before waiting
    /// for another caller's fetch.
    fn current_without_fetch(&self, waited_since: Option<u64>) -> Next<Snapshot> {
        let now = self.now();
        let state = self.read();
        if let Some(cached) = state.cached.as_ref().filter(|c| c.is_fresh(now)) {
            let snapshot = cached.snapshot(state.attempts);
            let refresh_soon = self
                .inner
                .options
                .background_refresh
                .is_some_and(|ahead| cached.expires_within(now, ahead) && !self.cooling_down(&state, now));
            drop(state);
            if refresh_soon {
                self.spawn_background_refresh();
            }
            return Next::Ready(Ok(snapshot));
        }
        let fetched_meanwhile = waited_since.is_some_and(|seen| seen != state.attempts);
        if !fetched_meanwhile && !self.cooling_down(&state, now) {
            return Next::Fetch { seen: state.attempts };
        }
        // No fetch now: the last good set while it may still be used, or
        // the reason there is none.
        let last_error = state.last_attempt.as_ref().and_then(|a| a.error.as_ref());
        Next::Ready(match &state.cached {
            Some(cached) if last_error.is_none() || cached.within_max_stale(now, self.inner.options.max_stale) => {
                Ok(cached.snapshot(state.attempts))
            }
            _ => Err(match last_error {
                Some(error) => duplicate(error),
                None => fetch::fetch_error(None, format!("no usable JWK Set from {}", self.inner.url)),
            }),
        })
    }

    /// After no key matched a token verified with the set of `tried`: a
    /// newer set (fetched now, or by another caller since), or `None` when
    /// there is none to be had (cooling down, or the server says nothing
    /// changed). A failed fetch is its error.
    async fn refetch(&self, tried: &Snapshot) -> Result<Option<Snapshot>> {
        let seen = tried.attempts;
        if let Next::Ready(result) = self.refetch_without_fetch(seen) {
            return result;
        }
        let _flight = self.inner.refresh.lock().await;
        if let Next::Ready(result) = self.refetch_without_fetch(seen) {
            return result;
        }
        let fetched = self.fetch_and_store().await?;
        // A 304 renews the cached set but hands back the very set that was
        // just tried: running the caller's closure on it again could only
        // repeat the same answer.
        if Arc::ptr_eq(&fetched.set, &tried.set) {
            return Ok(None);
        }
        Ok(Some(fetched))
    }

    fn refetch_without_fetch(&self, seen: u64) -> Next<Option<Snapshot>> {
        let now = self.now();
        let state = self.read();
        let last_error = state.last_attempt.as_ref().and_then(|a| a.error.as_ref());
        if state.attempts != seen {
            // Another caller fetched since this token's set was taken.
            return Next::Ready(match (&state.cached, last_error) {
                (Some(cached), _) if cached.arrived_at_attempt > seen => Ok(Some(cached.snapshot(state.attempts))),
                (_, Some(error)) => Err(duplicate(error)),
                _ => Ok(None),
            });
        }
        if self.cooling_down(&state, now) {
            return Next::Ready(match last_error {
                Some(error) => Err(duplicate(error)),
                None => Ok(None),
            });
        }
        Next::Fetch { seen }
    }

    /// Starts a refresh task unless one is running or there is no Tokio
    /// runtime to run it on.
    fn spawn_background_refresh(&self) {
        if self.inner.background.swap(true, Ordering::AcqRel) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.inner.background.store(false, Ordering::Release);
            return;
        };
        // Made outside the task, so the flag is cleared even if the task is
        // dropped before it first runs (a runtime shutting down).
        let running = BackgroundFlag(self.clone());
        runtime.spawn(async move {
            let set = &running.0;
            // A foreground fetch under way does the job.
            let Ok(_flight) = set.inner.refresh.try_lock() else {
                return;
            };
            let now = set.now();
            let due = {
                let state = set.read();
                let ahead = set.inner.options.background_refresh.unwrap_or_default();
                !set.cooling_down(&state, now) && state.cached.as_ref().is_some_and(|c| c.expires_within(now, ahead))
            };
            if due {
                // A failure is recorded in the state, where the next
                // foreground fetch or `last_error` finds it.
                let _ = set.fetch_and_store().await;
            }
        });
    }

    /// One fetch, with the result stored: a new document replaces the
    /// cached one, a `304` renews it, a failure leaves it alone. Called
    /// with the `refresh` lock held.
    async fn fetch_and_store(&self) -> Result<Snapshot> {
        let started = Stamp::at(self.now());
        let sent_etag = self.read().cached.as_ref().and_then(|c| c.etag.clone());
        let result = self.fetch_document(sent_etag.clone()).await;
        let finished = self.now();
        let mut state = self.inner.state.write().unwrap_or_else(PoisonError::into_inner);
        state.attempts += 1;
        let attempts = state.attempts;
        let result = match (result, state.cached.as_mut()) {
            (
                Ok(Fetched::Document {
                    set,
                    etag,
                    server_max_age,
                }),
                _,
            ) => {
                let cached = Cached {
                    set: Arc::new(set),
                    refreshed_at: Stamp::at(finished),
                    fresh_for: self.lifetime(server_max_age),
                    server_max_age,
                    etag,
                    arrived_at_attempt: attempts,
                };
                let snapshot = cached.snapshot(attempts);
                state.cached = Some(cached);
                Ok(snapshot)
            }
            (Ok(Fetched::NotModified { server_max_age }), Some(cached)) => {
                // A seed may have replaced the document while the request
                // was out: the 304 vouches only for the one whose ETag was
                // sent.
                if cached.etag == sent_etag {
                    cached.refreshed_at = Stamp::at(finished);
                    cached.fresh_for = self.lifetime(server_max_age);
                    cached.server_max_age = server_max_age;
                }
                Ok(cached.snapshot(attempts))
            }
            (Ok(Fetched::NotModified { .. }), None) => Err(fetch::fetch_error(
                Some(StatusCode::NOT_MODIFIED.as_u16()),
                format!(
                    "{} answered 304 Not Modified to a request that was not conditional",
                    self.inner.url
                ),
            )),
            (Err(error), _) => Err(error),
        };
        state.last_attempt = Some(Attempt {
            started,
            error: result.as_ref().err().map(duplicate),
        });
        result
    }

    async fn fetch_document(&self, etag: Option<HeaderValue>) -> Result<Fetched> {
        let options = &self.inner.options;
        let url = &self.inner.url;
        let mut request =
            FetchRequest::with_options(url.clone(), options, "application/jwk-set+json, application/json");
        let conditional = etag.is_some();
        if let Some(etag) = etag {
            request.headers.insert(IF_NONE_MATCH, etag);
        }
        let response = fetch::get(&*self.inner.fetcher, request).await?;
        let server_max_age = fetch::cache_control_max_age(&response.headers);
        if response.status == StatusCode::NOT_MODIFIED && conditional {
            return Ok(Fetched::NotModified { server_max_age });
        }
        if !response.status.is_success() {
            return Err(fetch::status_error(url, &response));
        }
        let set = parse_jwks(url, &response.body, options.try_all_matching)?;
        Ok(Fetched::Document {
            set,
            etag: response.headers.get(ETAG).cloned(),
            server_max_age,
        })
    }

    /// How long a response stays fresh, given the lifetime its
    /// `Cache-Control` gave it.
    fn lifetime(&self, server_max_age: Option<Duration>) -> Duration {
        let options = &self.inner.options;
        match server_max_age {
            Some(max_age) if options.honor_cache_control => {
                max_age.clamp(options.cooldown.min(MAX_HONOURED_MAX_AGE), MAX_HONOURED_MAX_AGE)
            }
            _ => options.cache_max_age,
        }
    }
}

impl Cached {
    fn age(&self, now: Instant) -> Duration {
        self.refreshed_at.elapsed(now)
    }

    fn is_fresh(&self, now: Instant) -> bool {
        self.age(now) < self.fresh_for
    }

    fn expires_within(&self, now: Instant, window: Duration) -> bool {
        self.fresh_for.saturating_sub(self.age(now)) <= window
    }

    fn within_max_stale(&self, now: Instant, max_stale: Duration) -> bool {
        self.age(now) <= self.fresh_for.saturating_add(max_stale)
    }

    fn snapshot(&self, attempts: u64) -> Snapshot {
        Snapshot {
            set: Arc::clone(&self.set),
            attempts,
        }
    }
}

/// Clears the background flag when the task ends, however it ends.
struct BackgroundFlag(RemoteJwkSet);

impl Drop for BackgroundFlag {
    fn drop(&mut self) {
        self.0.inner.background.store(false, Ordering::Release);
    }
}

/// The remote set is a key source for the core's async functions
/// ([`jwt_verify_async`](rjose::jwt::jwt_verify_async),
/// [`compact_verify_async`](rjose::jws::compact_verify_async)) and for
/// anything else that takes an [`AsyncKeySource`]: keys are selected from
/// the current set (fetched first if the cache is empty or expired) as
/// [`LocalJwkSet`] selects them, and when none matches the token, the set
/// is fetched once more (unless cooling down) and asked again, as
/// [`with_keys`](Self::with_keys) does.
///
/// ```no_run
/// use rjose::{JsonObject, jwt::{VerifyOptions, jwt_verify_async}};
/// use rjose_remote::{RemoteJwkSet, RemoteJwkSetOptions};
///
/// # async fn run(token: &str) -> Result<(), rjose::Error> {
/// let jwks = RemoteJwkSet::new("https://issuer.example/jwks.json", RemoteJwkSetOptions::new())?;
/// let verified = jwt_verify_async::<JsonObject>(token, &jwks, &VerifyOptions::new().audience("api")).await?;
/// # Ok(())
/// # }
/// ```
impl AsyncKeySource for RemoteJwkSet {
    fn candidates_async<'a>(&'a self, header: &'a JwsHeader) -> KeyFuture<'a> {
        Box::pin(async move {
            let snapshot = self.current().await?;
            // The keys are copied out of the snapshot (cheaply: a key's
            // material is shared), which a refresh may replace meanwhile.
            match snapshot.set.candidates(header) {
                Err(Error::JwksNoMatchingKey) => {}
                found => return found.map(KeyCandidates::into_owned),
            }
            match self.refetch(&snapshot).await? {
                Some(newer) => newer.set.candidates(header).map(KeyCandidates::into_owned),
                None => Err(Error::JwksNoMatchingKey),
            }
        })
    }
}

impl fmt::Debug for RemoteJwkSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.read();
        f.debug_struct("RemoteJwkSet")
            .field("url", &self.inner.url.as_str())
            .field("cached_keys", &state.cached.as_ref().map(|c| c.set.keys().len()))
            .field("fetch_attempts", &state.attempts)
            .field("options", &self.inner.options)
            .finish_non_exhaustive()
    }
}

/// Parses a fetched document into a set with at least one usable key.
///
/// A fetched set is a public document: its symmetric keys are dropped
/// (counted as skipped) and private keys serve by their public half only,
/// counted by [`LocalJwkSet::private_members_ignored`].
fn parse_jwks(url: &Url, body: &[u8], try_all_matching: bool) -> Result<LocalJwkSet> {
    // From the text, not through serde_json::Value: from_json refuses
    // repeated member names, which a Value would silently merge.
    let text = std::str::from_utf8(body)
        .map_err(|_| Error::JwksInvalid(format!("the response from {url} is not JSON: it is not UTF-8")))?;
    let set = LocalJwkSet::from_json(text)
        .map_err(|e| match e {
            Error::JwksInvalid(detail) => Error::JwksInvalid(format!("{detail} (from {url})")),
            other => other,
        })?
        .into_public();
    if set.keys().is_empty() {
        let why = match set.skipped() {
            0 => "its \"keys\" array is empty".to_owned(),
            1 => "its only key is not usable".to_owned(),
            n => format!("none of its {n} keys is usable"),
        };
        return Err(Error::JwksInvalid(format!(
            "the JWK Set from {url} has no usable key: {why}"
        )));
    }
    Ok(set.try_all_matching(try_all_matching))
}

/// A copy of a stored fetch error (`rjose::Error` is not `Clone`).
pub(crate) fn duplicate(error: &Error) -> Error {
    match error {
        Error::JwksTimeout(detail) => Error::JwksTimeout(detail.clone()),
        Error::JwksFetch { status, cause } => Error::JwksFetch {
            status: *status,
            cause: cause.clone(),
        },
        Error::JwksInvalid(detail) => Error::JwksInvalid(detail.clone()),
        other => fetch::fetch_error(None, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_without_usable_key_is_invalid() {
        let url = Url::parse("https://issuer.example/jwks").expect("a literal URL");
        let error = parse_jwks(&url, br#"{"keys":[{"kty":"EC","crv":"P-256","x":"bad"}]}"#, false)
            .map(drop)
            .expect_err("no usable key");
        assert_eq!(error.code(), "ERR_JWKS_INVALID");
        assert!(error.to_string().contains("its only key is not usable"), "{error}");
    }

    #[test]
    fn non_json_document_is_invalid_and_names_the_url() {
        let url = Url::parse("https://issuer.example/jwks").expect("a literal URL");
        let error = parse_jwks(&url, b"<html>", false).map(drop).expect_err("not JSON");
        assert_eq!(error.code(), "ERR_JWKS_INVALID");
        assert!(error.to_string().contains("https://issuer.example/jwks"), "{error}");
    }

    #[test]
    fn a_set_with_a_repeated_member_is_invalid() {
        let url = Url::parse("https://issuer.example/jwks").expect("a literal URL");
        let key = r#"{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA","k":"b3RoZXI"}"#;
        let body = format!(r#"{{"keys":[{key}]}}"#);
        let error = parse_jwks(&url, body.as_bytes(), false).map(drop).expect_err("refused");
        assert_eq!(error.code(), "ERR_JWKS_INVALID");
        assert!(error.to_string().contains("duplicate member \"k\""), "{error}");
        assert!(error.to_string().contains("https://issuer.example/jwks"), "{error}");
    }

    #[test]
    fn duplicated_errors_keep_code_and_status() {
        let original = Error::JwksFetch {
            status: Some(500),
            cause: "boom".into(),
        };
        assert!(matches!(duplicate(&original), Error::JwksFetch { status: Some(500), cause } if cause == "boom"));
        assert_eq!(duplicate(&Error::JwksTimeout("t".into())).code(), "ERR_JWKS_TIMEOUT");
    }
}
