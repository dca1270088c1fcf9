//! [`RemoteJwkSetOptions`]: cache lifetime, cooldown, limits, HTTP client.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use rjose::Result;

use crate::clock::{Clock, SystemClock};
use crate::fetch::{JwksFetcher, ReqwestFetcher};
use crate::http_policy::HttpPolicy;

/// The longest lifetime a server's `Cache-Control` can give a set when the
/// caller honours it: one day.
pub const MAX_HONOURED_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// How a [`RemoteJwkSet`](crate::RemoteJwkSet) fetches and caches.
///
/// The defaults are the JS library's where it has one (`cacheMaxAge` 10
/// minutes, `cooldownDuration` 30 seconds, `timeoutDuration` 5 seconds):
///
/// | option | default |
/// |---|---|
/// | [`cache_max_age`](Self::cache_max_age) | 10 minutes |
/// | [`cooldown`](Self::cooldown) | 30 seconds |
/// | [`timeout`](Self::timeout) | 5 seconds |
/// | [`max_stale`](Self::max_stale) | 1 hour |
/// | [`max_body_bytes`](Self::max_body_bytes) | 512 KiB |
/// | [`honor_cache_control`](Self::honor_cache_control) | off |
/// | [`background_refresh`](Self::background_refresh) | off |
/// | [`http_policy`](Self::http_policy) | [`HttpPolicy::HttpsOnly`] |
/// | [`allow_redirects`](Self::allow_redirects) | off |
///
/// ```
/// use std::time::Duration;
/// use rjose_remote::RemoteJwkSetOptions;
/// use rjose_remote::reqwest::header::{HeaderName, HeaderValue};
///
/// let options = RemoteJwkSetOptions::new()
///     .cache_max_age(Duration::from_secs(300))
///     .cooldown(Duration::from_secs(10))
///     .timeout(Duration::from_secs(2))
///     .max_stale(Duration::from_secs(4 * 3600))
///     .header(HeaderName::from_static("x-api-key"), HeaderValue::from_static("secret"))
///     .honor_cache_control(true)
///     .background_refresh(Duration::from_secs(30));
/// assert_eq!(options.get_cooldown(), Duration::from_secs(10));
/// // Header values are marked sensitive: Debug does not print them.
/// assert!(!format!("{options:?}").contains("secret"));
/// ```
#[derive(Clone)]
pub struct RemoteJwkSetOptions {
    pub(crate) cache_max_age: Duration,
    pub(crate) cooldown: Duration,
    pub(crate) timeout: Duration,
    pub(crate) max_stale: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) headers: HeaderMap,
    pub(crate) honor_cache_control: bool,
    pub(crate) background_refresh: Option<Duration>,
    pub(crate) http_policy: HttpPolicy,
    pub(crate) allow_redirects: bool,
    pub(crate) try_all_matching: bool,
    pub(crate) fetcher: Option<Arc<dyn JwksFetcher>>,
    pub(crate) clock: Arc<dyn Clock>,
}

impl Default for RemoteJwkSetOptions {
    fn default() -> Self {
        RemoteJwkSetOptions {
            cache_max_age: Duration::from_secs(10 * 60),
            cooldown: Duration::from_secs(30),
            timeout: Duration::from_secs(5),
            max_stale: Duration::from_secs(60 * 60),
            max_body_bytes: 512 * 1024,
            headers: HeaderMap::new(),
            honor_cache_control: false,
            background_refresh: None,
            http_policy: HttpPolicy::HttpsOnly,
            allow_redirects: false,
            try_all_matching: false,
            fetcher: None,
            clock: Arc::new(SystemClock),
        }
    }
}

impl RemoteJwkSetOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long a fetched set is used before it is fetched again (JS:
    /// `cacheMaxAge`). Default 10 minutes.
    pub fn cache_max_age(mut self, age: Duration) -> Self {
        self.cache_max_age = age;
        self
    }

    /// The shortest time between the starts of two fetches (JS:
    /// `cooldownDuration`): tokens with unknown `kid`s, however many, cause
    /// at most one fetch per cooldown. Default 30 seconds.
    pub fn cooldown(mut self, cooldown: Duration) -> Self {
        self.cooldown = cooldown;
        self
    }

    /// How long one request may take, connection to last byte (JS:
    /// `timeoutDuration`); then it fails with `ERR_JWKS_TIMEOUT`. Default 5
    /// seconds.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long past its [`cache_max_age`](Self::cache_max_age) the last
    /// good set keeps being used while fetches fail (HTTP's `max-stale`,
    /// stale-if-error). After that, verification fails with the fetch
    /// error. Default 1 hour; zero turns stale use off.
    pub fn max_stale(mut self, max_stale: Duration) -> Self {
        self.max_stale = max_stale;
        self
    }

    /// The largest response body accepted, in bytes. Default 512 KiB.
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Adds a header to every request (an API key, a tenant id...). Its
    /// value is marked sensitive, so it never shows in `Debug` output.
    pub fn header(mut self, name: HeaderName, mut value: HeaderValue) -> Self {
        value.set_sensitive(true);
        self.headers.append(name, value);
        self
    }

    /// Uses the server's `Cache-Control: max-age` as the set's lifetime
    /// instead of [`cache_max_age`](Self::cache_max_age), when it sends one
    /// (`no-cache` and `no-store` count as zero). It is kept between the
    /// cooldown and [`MAX_HONOURED_MAX_AGE`]. Default off.
    pub fn honor_cache_control(mut self, yes: bool) -> Self {
        self.honor_cache_control = yes;
        self
    }

    /// Refreshes the set in the background once a request finds it within
    /// `before_expiry` of expiring, so that in steady state no request waits
    /// on a fetch. Needs a Tokio runtime (elsewhere the set is refreshed on
    /// expiry as usual). Default off.
    pub fn background_refresh(mut self, before_expiry: Duration) -> Self {
        self.background_refresh = Some(before_expiry);
        self
    }

    /// Which URLs may be fetched: the set's, the issuer's metadata, its
    /// `jwks_uri` and every redirect hop. Default
    /// [`HttpPolicy::HttpsOnly`].
    ///
    /// ```
    /// use rjose_remote::{HttpPolicy, RemoteJwkSet, RemoteJwkSetOptions};
    ///
    /// // A key server on this machine.
    /// let options = RemoteJwkSetOptions::new().http_policy(HttpPolicy::LoopbackHttp);
    /// assert!(RemoteJwkSet::new("http://127.0.0.1:8080/jwks", options.clone()).is_ok());
    /// // The backslash is read as a slash: the host is 10.0.0.1.
    /// assert!(RemoteJwkSet::new("http://10.0.0.1:8080\\@127.0.0.1/jwks", options).is_err());
    /// ```
    pub fn http_policy(mut self, policy: HttpPolicy) -> Self {
        self.http_policy = policy;
        self
    }

    /// Allows redirects (at most 10, each to a URL the
    /// [`http_policy`](Self::http_policy) permits). Default off: a `3xx`
    /// answer is a fetch error.
    pub fn allow_redirects(mut self, yes: bool) -> Self {
        self.allow_redirects = yes;
        self
    }

    /// When several keys of the set match a token, try each instead of
    /// failing with `ERR_JWKS_MULTIPLE_MATCHING_KEYS` (see
    /// [`rjose::LocalJwkSet::try_all_matching`]). Default off.
    pub fn try_all_matching(mut self, yes: bool) -> Self {
        self.try_all_matching = yes;
        self
    }

    /// Fetches with this client (proxies, custom CA roots, mutual TLS):
    /// shorthand for `fetcher(ReqwestFetcher::new(client))`.
    pub fn client(self, client: reqwest::Client) -> Self {
        self.fetcher(ReqwestFetcher::new(client))
    }

    /// Fetches with this [`JwksFetcher`] instead of reqwest.
    pub fn fetcher(mut self, fetcher: impl JwksFetcher + 'static) -> Self {
        self.fetcher = Some(Arc::new(fetcher));
        self
    }

    /// Reads the time from this clock (cache age, cooldown, staleness), for
    /// tests. Default [`SystemClock`].
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// The cache lifetime.
    pub fn get_cache_max_age(&self) -> Duration {
        self.cache_max_age
    }

    /// The cooldown.
    pub fn get_cooldown(&self) -> Duration {
        self.cooldown
    }

    /// The request time limit.
    pub fn get_timeout(&self) -> Duration {
        self.timeout
    }

    /// The maximum staleness.
    pub fn get_max_stale(&self) -> Duration {
        self.max_stale
    }

    /// The response size limit.
    pub fn get_max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// The URLs that may be fetched.
    pub fn get_http_policy(&self) -> HttpPolicy {
        self.http_policy
    }

    /// The fetcher to use: the caller's, or a reqwest client built for
    /// these options.
    pub(crate) fn resolve_fetcher(&self) -> Result<Arc<dyn JwksFetcher>> {
        match &self.fetcher {
            Some(fetcher) => Ok(Arc::clone(fetcher)),
            None => Ok(Arc::new(ReqwestFetcher::with_defaults(self)?)),
        }
    }
}

impl fmt::Debug for RemoteJwkSetOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteJwkSetOptions")
            .field("cache_max_age", &self.cache_max_age)
            .field("cooldown", &self.cooldown)
            .field("timeout", &self.timeout)
            .field("max_stale", &self.max_stale)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("headers", &self.headers)
            .field("honor_cache_control", &self.honor_cache_control)
            .field("background_refresh", &self.background_refresh)
            .field("http_policy", &self.http_policy)
            .field("allow_redirects", &self.allow_redirects)
            .field("try_all_matching", &self.try_all_matching)
            .field("fetcher", &self.fetcher)
            .field("clock", &self.clock)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_js_library_defaults_and_the_issue_limits() {
        let options = RemoteJwkSetOptions::new();
        assert_eq!(options.get_cache_max_age(), Duration::from_secs(600));
        assert_eq!(options.get_cooldown(), Duration::from_secs(30));
        assert_eq!(options.get_timeout(), Duration::from_secs(5));
        assert_eq!(options.get_max_body_bytes(), 512 * 1024);
        assert_eq!(options.get_http_policy(), HttpPolicy::HttpsOnly);
        assert!(!options.allow_redirects && !options.honor_cache_control);
    }
}
