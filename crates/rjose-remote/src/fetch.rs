//! The HTTP GET behind a remote set: the [`JwksFetcher`] trait, its default
//! implementation on [`reqwest`], and the checks every response goes through
//! whoever fetched it (time limit, size limit, status).

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use reqwest::header::{ACCEPT, HeaderMap, HeaderValue, LOCATION};
use reqwest::{StatusCode, Url};
use rjose::{Error, Result};

use crate::http_policy::{HttpPolicy, without_credentials};
use crate::options::RemoteJwkSetOptions;

/// The future a [`JwksFetcher`] returns.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<FetchResponse>> + Send + 'a>>;

/// Performs the HTTP GET requests of a [`RemoteJwkSet`](crate::RemoteJwkSet)
/// (the JWK Set, and the metadata document for discovery).
///
/// The default is [`ReqwestFetcher`]. Implement this to use another HTTP
/// client, such as the host's own `fetch` (JS: `customFetch`), and pass it
/// to [`RemoteJwkSetOptions::fetcher`](crate::RemoteJwkSetOptions::fetcher).
/// The set awaits the future under a Tokio timer (its time limit), so a
/// fetch needs a Tokio runtime, whatever the fetcher (see the crate
/// documentation). The set itself enforces the time limit (it drops the future when
/// [`FetchRequest::timeout`] has passed), checks the status, the size of the
/// body and the document. An implementation must:
///
/// - send `request.headers` with the GET;
/// - return every response, whatever its status (a `304` or a `500` is an
///   `Ok` here: the set decides what it means);
/// - stop reading and fail once the body exceeds `request.max_body_bytes`;
/// - not follow redirects unless `request.follow_redirects`, and then only
///   to URLs `request.http_policy` [permits](HttpPolicy::permits) (the set
///   checks the URL asked for itself);
/// - report a failure to get a response as [`rjose::Error::JwksFetch`] with
///   `status: None` (or [`rjose::Error::JwksTimeout`]), naming the URL.
///
/// ```
/// use rjose_remote::{FetchFuture, FetchRequest, FetchResponse, JwksFetcher};
/// use rjose_remote::reqwest::{StatusCode, header::HeaderMap};
///
/// /// Serves one fixed document: for tests that need no network at all.
/// #[derive(Debug)]
/// struct Fixed(&'static str);
///
/// impl JwksFetcher for Fixed {
///     fn fetch(&self, _request: FetchRequest) -> FetchFuture<'_> {
///         let body = self.0.as_bytes().to_vec();
///         Box::pin(async move { Ok(FetchResponse::new(StatusCode::OK, HeaderMap::new(), body)) })
///     }
/// }
/// ```
pub trait JwksFetcher: Send + Sync + fmt::Debug {
    /// Sends one GET request and reads the whole response.
    fn fetch(&self, request: FetchRequest) -> FetchFuture<'_>;
}

/// One GET request, as the set wants it sent.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchRequest {
    /// Where to send it.
    pub url: Url,
    /// `Accept`, the caller's extra headers, and `If-None-Match` when the
    /// set holds a document with an `ETag`.
    pub headers: HeaderMap,
    /// The largest body to accept, in bytes.
    pub max_body_bytes: usize,
    /// How long the whole exchange may take (the set enforces it too).
    pub timeout: Duration,
    /// Whether redirects may be followed.
    pub follow_redirects: bool,
    /// Which URLs may be fetched, redirect hops included.
    pub http_policy: HttpPolicy,
}

impl FetchRequest {
    /// A GET of `url` under the set's options, with `accept` as the
    /// `Accept` header unless the caller's headers name one: the caller
    /// knows its server better than a default does.
    pub(crate) fn with_options(url: Url, options: &RemoteJwkSetOptions, accept: &'static str) -> Self {
        let mut headers = options.headers.clone();
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static(accept));
        }
        FetchRequest {
            url,
            headers,
            max_body_bytes: options.max_body_bytes,
            timeout: options.timeout,
            follow_redirects: options.allow_redirects,
            http_policy: options.http_policy,
        }
    }
}

/// A response, read in full.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct FetchResponse {
    /// The HTTP status.
    pub status: StatusCode,
    /// The response headers (`ETag` and `Cache-Control` are read).
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl FetchResponse {
    /// A response with this status, headers and body.
    ///
    /// ```
    /// use rjose_remote::FetchResponse;
    /// use rjose_remote::reqwest::{StatusCode, header::HeaderMap};
    ///
    /// let response = FetchResponse::new(StatusCode::OK, HeaderMap::new(), br#"{"keys":[]}"#.to_vec());
    /// assert_eq!(response.body.len(), 11);
    /// ```
    pub fn new(status: StatusCode, headers: HeaderMap, body: Vec<u8>) -> Self {
        FetchResponse { status, headers, body }
    }
}

/// The default [`JwksFetcher`]: a [`reqwest::Client`] on rustls with the
/// aws-lc-rs provider.
///
/// Without a client of the caller's, the set builds one (see
/// [`client_builder`](Self::client_builder)) that follows no redirects (or,
/// when allowed, at most 10, each checked against the
/// [`HttpPolicy`] before it is followed).
/// A client of the caller's (for a proxy, custom CA roots, mutual TLS) keeps
/// its own redirect policy, so its intermediate hops are not checked; but a
/// response that arrives from another URL than the one asked for is refused
/// unless redirects are allowed and the policy permits that URL.
///
/// ```
/// use rjose_remote::{RemoteJwkSetOptions, ReqwestFetcher};
///
/// let client = rjose_remote::reqwest::Client::builder().build()?;
/// let options = RemoteJwkSetOptions::new().fetcher(ReqwestFetcher::new(client));
/// # Ok::<(), rjose_remote::reqwest::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReqwestFetcher {
    client: reqwest::Client,
}

impl ReqwestFetcher {
    /// Fetches with `client`.
    pub fn new(client: reqwest::Client) -> Self {
        ReqwestFetcher { client }
    }

    /// The client it fetches with.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// The builder of the client the set uses when the caller gives none:
    /// the redirect rule and [`HttpPolicy`] of `options`, and a
    /// `rjose-remote` user agent. Start from it to add CA roots, a client
    /// certificate or a proxy while keeping those rules. Like any reqwest
    /// client, it uses the proxy named by `HTTPS_PROXY` / `HTTP_PROXY` /
    /// `ALL_PROXY` unless `NO_PROXY` excludes the host.
    ///
    /// ```
    /// use rjose_remote::{RemoteJwkSetOptions, ReqwestFetcher};
    ///
    /// let options = RemoteJwkSetOptions::new();
    /// let client = ReqwestFetcher::client_builder(&options)
    ///     // .add_root_certificate(internal_ca)
    ///     .build()?;
    /// let options = options.client(client);
    /// # Ok::<(), rjose_remote::reqwest::Error>(())
    /// ```
    pub fn client_builder(options: &RemoteJwkSetOptions) -> reqwest::ClientBuilder {
        let http_policy = options.http_policy;
        let redirects = if options.allow_redirects {
            reqwest::redirect::Policy::custom(move |attempt| {
                if attempt.previous().len() >= 10 {
                    return attempt.error("more than 10 redirects");
                }
                match http_policy.refusal(attempt.url()) {
                    Some(why) => {
                        let message = format!(
                            "refusing to follow a redirect to {}: {why}",
                            without_credentials(attempt.url())
                        );
                        attempt.error(message)
                    }
                    None => attempt.follow(),
                }
            })
        } else {
            reqwest::redirect::Policy::none()
        };
        reqwest::Client::builder()
            .redirect(redirects)
            .https_only(http_policy == HttpPolicy::HttpsOnly)
            .user_agent(concat!("rjose-remote/", env!("CARGO_PKG_VERSION")))
    }

    /// The fetcher the set uses when the caller gives none.
    pub(crate) fn with_defaults(options: &RemoteJwkSetOptions) -> Result<Self> {
        let client = Self::client_builder(options).build().map_err(|e| Error::JwksFetch {
            status: None,
            cause: format!("cannot build the HTTP client: {}", chain(&e)),
        })?;
        Ok(ReqwestFetcher { client })
    }
}

impl JwksFetcher for ReqwestFetcher {
    fn fetch(&self, request: FetchRequest) -> FetchFuture<'_> {
        Box::pin(async move {
            let FetchRequest {
                url,
                headers,
                max_body_bytes,
                timeout,
                follow_redirects,
                http_policy,
            } = request;
            let mut response = self
                .client
                .get(url.clone())
                .headers(headers)
                .timeout(timeout)
                .send()
                .await
                .map_err(|e| transport_error(&url, e, timeout))?;
            let final_url = response.url();
            if final_url != &url {
                if !follow_redirects {
                    return Err(fetch_error(
                        None,
                        format!("{url} redirected to {final_url}, and redirects are not allowed"),
                    ));
                }
                if let Some(why) = http_policy.refusal(final_url) {
                    return Err(fetch_error(
                        None,
                        format!(
                            "{url} redirected to {}, which is refused: {why}",
                            without_credentials(final_url)
                        ),
                    ));
                }
            }
            if response.content_length().is_some_and(|len| len > max_body_bytes as u64) {
                return Err(too_large(&url, max_body_bytes));
            }
            let status = response.status();
            let headers = response.headers().clone();
            let mut body = Vec::new();
            while let Some(chunk) = response.chunk().await.map_err(|e| transport_error(&url, e, timeout))? {
                if body.len() + chunk.len() > max_body_bytes {
                    return Err(too_large(&url, max_body_bytes));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(FetchResponse { status, headers, body })
        })
    }
}

/// Runs one request through `fetcher` with the set's own time and size
/// limits, so that every fetcher gets them.
pub(crate) async fn get(fetcher: &dyn JwksFetcher, request: FetchRequest) -> Result<FetchResponse> {
    let url = request.url.clone();
    if let Some(why) = request.http_policy.refusal(&url) {
        return Err(fetch_error(
            None,
            format!("{} is refused: {why}", without_credentials(&url)),
        ));
    }
    // The time limit is a Tokio timer, which panics outside a runtime: say
    // so instead. (Within a runtime built without its timer it still
    // panics; Tokio offers no way to tell.)
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(fetch_error(
            None,
            format!(
                "cannot fetch {}: fetching needs a Tokio runtime (for the time limit); a fresh seeded set verifies without one",
                without_credentials(&url)
            ),
        ));
    }
    let timeout = request.timeout;
    let max_body_bytes = request.max_body_bytes;
    let response = tokio::time::timeout(timeout, fetcher.fetch(request))
        .await
        .map_err(|_| timed_out(&url, timeout))??;
    if response.body.len() > max_body_bytes {
        return Err(too_large(&url, max_body_bytes));
    }
    Ok(response)
}

/// The error for a response whose status is not the one wanted.
pub(crate) fn status_error(url: &Url, response: &FetchResponse) -> Error {
    let status = response.status;
    let mut cause = format!("{url} answered HTTP {status}");
    if status.is_redirection() {
        match response.headers.get(LOCATION).and_then(|l| l.to_str().ok()) {
            Some(location) => cause.push_str(&format!(", redirecting to {location}, and redirects are not allowed")),
            None => cause.push_str(", a redirect, and redirects are not allowed"),
        }
    }
    fetch_error(Some(status.as_u16()), cause)
}

pub(crate) fn fetch_error(status: Option<u16>, cause: String) -> Error {
    Error::JwksFetch { status, cause }
}

fn timed_out(url: &Url, timeout: Duration) -> Error {
    Error::JwksTimeout(format!("no complete response from {url} within {timeout:?}"))
}

fn too_large(url: &Url, max_body_bytes: usize) -> Error {
    fetch_error(
        None,
        format!("the response from {url} is larger than the limit of {max_body_bytes} bytes"),
    )
}

/// A request that got no (complete) response. The URL is named once, here:
/// reqwest's own message would repeat it, so it is left out of that. A
/// failed connection is told by its innermost cause ("Connection
/// refused", a DNS or certificate failure), the layers above it adding
/// nothing.
fn transport_error(url: &Url, error: reqwest::Error, timeout: Duration) -> Error {
    if error.is_timeout() {
        return timed_out(url, timeout);
    }
    let error = error.without_url();
    let cause = if error.is_connect() {
        format!("cannot connect: {}", innermost(&error))
    } else {
        chain(&error)
    };
    fetch_error(None, format!("{url}: {cause}"))
}

/// The deepest source of an error.
fn innermost(error: &dyn StdError) -> String {
    let mut deepest = error;
    while let Some(inner) = deepest.source() {
        deepest = inner;
    }
    deepest.to_string()
}

/// An error and its sources, `outer: inner: innermost`.
fn chain(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let inner_text = inner.to_string();
        // Some errors repeat their source in their own message.
        if !text.ends_with(&inner_text) {
            text.push_str(": ");
            text.push_str(&inner_text);
        }
        source = inner.source();
    }
    text
}

/// The lifetime a response's `Cache-Control` gives it: `max-age`, or zero
/// for `no-cache` and `no-store`; `None` when it says neither.
pub(crate) fn cache_control_max_age(headers: &HeaderMap) -> Option<Duration> {
    let mut lifetime: Option<u64> = None;
    let mut shorten = |seconds: u64| lifetime = Some(lifetime.map_or(seconds, |l| l.min(seconds)));
    let directives = headers
        .get_all(reqwest::header::CACHE_CONTROL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','));
    for directive in directives {
        let (name, argument) = match directive.split_once('=') {
            Some((name, argument)) => (name.trim(), Some(argument.trim().trim_matches('"'))),
            None => (directive.trim(), None),
        };
        if name.eq_ignore_ascii_case("no-cache") || name.eq_ignore_ascii_case("no-store") {
            shorten(0);
        } else if name.eq_ignore_ascii_case("max-age")
            && let Some(seconds) = argument.and_then(|a| a.parse::<u64>().ok())
        {
            shorten(seconds);
        }
    }
    lifetime.map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use reqwest::header::{CACHE_CONTROL, HeaderValue};

    use super::*;

    fn cache_control(values: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(CACHE_CONTROL, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn request_takes_the_default_accept_unless_the_caller_names_one() {
        let url = Url::parse("https://issuer.test/jwks").expect("a URL");
        let accept = |options: &RemoteJwkSetOptions| {
            let request = FetchRequest::with_options(url.clone(), options, "application/json");
            let values: Vec<_> = request.headers.get_all(ACCEPT).iter().cloned().collect();
            values
        };
        let plain = RemoteJwkSetOptions::new();
        assert_eq!(accept(&plain), [HeaderValue::from_static("application/json")]);
        let callers = RemoteJwkSetOptions::new().header(ACCEPT, HeaderValue::from_static("text/plain"));
        assert_eq!(accept(&callers), [HeaderValue::from_static("text/plain")]);
    }

    #[test]
    fn max_age_is_read_among_other_directives() {
        let headers = cache_control(&["public, max-age=3600, must-revalidate"]);
        assert_eq!(cache_control_max_age(&headers), Some(Duration::from_secs(3600)));
    }

    #[test]
    fn quoted_and_uppercase_max_age_is_read() {
        let headers = cache_control(&["MAX-AGE=\"60\""]);
        assert_eq!(cache_control_max_age(&headers), Some(Duration::from_secs(60)));
    }

    #[test]
    fn no_cache_and_no_store_mean_zero_lifetime() {
        assert_eq!(
            cache_control_max_age(&cache_control(&["no-cache"])),
            Some(Duration::ZERO)
        );
        assert_eq!(
            cache_control_max_age(&cache_control(&["max-age=600", "no-store"])),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn no_directive_or_a_malformed_max_age_gives_no_lifetime() {
        assert_eq!(cache_control_max_age(&HeaderMap::new()), None);
        assert_eq!(cache_control_max_age(&cache_control(&["max-age=soon, public"])), None);
    }

    #[test]
    fn redirect_status_error_names_the_location() {
        let url = Url::parse("https://issuer.example/jwks").expect("a literal URL");
        let mut headers = HeaderMap::new();
        headers.insert(LOCATION, HeaderValue::from_static("https://elsewhere.example/jwks"));
        let error = status_error(&url, &FetchResponse::new(StatusCode::FOUND, headers, Vec::new()));
        assert!(matches!(error, Error::JwksFetch { status: Some(302), .. }));
        assert!(error.to_string().contains("https://elsewhere.example/jwks"), "{error}");
    }
}
