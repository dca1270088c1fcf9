//! A real HTTP/1.1 server on 127.0.0.1 whose answers each test sets, and
//! the keys and tokens the tests verify.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::BodyExt as _;
use http_body_util::combinators::BoxBody;
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rjose::jwt::{SignJwt, VerifyOptions};
use rjose::{Alg, Key, KeyPairOptions, LocalJwkSet, generate_key_pair};
use rjose_remote::{HttpPolicy, ManualClock, RemoteJwkSet, RemoteJwkSetOptions, ReqwestFetcher};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::AbortHandle;

pub const ISSUER: &str = "https://issuer.test";

/// What the server answers on one path.
#[derive(Clone, Debug)]
pub struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    headers: Vec<(HeaderName, HeaderValue)>,
    delay: Duration,
    etag: Option<&'static str>,
    gate: Option<Arc<Semaphore>>,
    chunked: bool,
}

impl Reply {
    /// `200` with a JSON body.
    pub fn json(body: impl Into<String>) -> Self {
        Reply {
            status: StatusCode::OK,
            body: body.into().into_bytes(),
            headers: vec![(
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            delay: Duration::ZERO,
            etag: None,
            gate: None,
            chunked: false,
        }
    }

    /// An empty body with this status.
    pub fn status(status: u16) -> Self {
        let mut reply = Reply::json("");
        reply.status = StatusCode::from_u16(status).expect("a valid status");
        reply.headers.clear();
        reply
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((
            HeaderName::from_static(name),
            HeaderValue::from_str(value).expect("a valid header value"),
        ));
        self
    }

    /// Answers after `delay` (a real sleep of the server's task).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Sends `ETag: tag` and answers `304` to `If-None-Match: tag`.
    pub fn etag(mut self, tag: &'static str) -> Self {
        self.etag = Some(tag);
        self
    }

    /// Answers only once the test adds a permit to `gate`.
    pub fn gate(mut self, gate: Arc<Semaphore>) -> Self {
        self.gate = Some(gate);
        self
    }

    /// Sends the body in chunks, without `Content-Length`.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }
}

#[derive(Default)]
struct Shared {
    routes: Mutex<HashMap<String, Reply>>,
    hits: Mutex<HashMap<String, usize>>,
    last_headers: Mutex<HashMap<String, HeaderMap>>,
    tasks: Mutex<Vec<AbortHandle>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl TestServer {
    /// Starts a server on an ephemeral port of 127.0.0.1; unknown paths
    /// answer 404.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("a local address");
        let shared = Arc::new(Shared::default());
        let accepting = Arc::clone(&shared);
        let accept_loop = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let connection_shared = Arc::clone(&accepting);
                let connection = tokio::spawn(async move {
                    let service = service_fn(move |request| answer(Arc::clone(&connection_shared), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
                lock(&accepting.tasks).push(connection.abort_handle());
            }
        });
        lock(&shared.tasks).push(accept_loop.abort_handle());
        TestServer { addr, shared }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The server's port: `0.0.0.0:port` reaches it too (Linux connects to
    /// a local address), though 0.0.0.0 is no loopback address.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:port`, for discovery.
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn route(&self, path: &str, reply: Reply) {
        lock(&self.shared.routes).insert(path.to_owned(), reply);
    }

    /// How many requests reached `path` (counted before the answer is made).
    pub fn hits(&self, path: &str) -> usize {
        lock(&self.shared.hits).get(path).copied().unwrap_or(0)
    }

    pub fn last_headers(&self, path: &str) -> HeaderMap {
        lock(&self.shared.last_headers).get(path).cloned().unwrap_or_default()
    }

    /// Stops listening and drops every open connection: the server is down
    /// (connections are refused).
    pub fn stop(&self) {
        for task in lock(&self.shared.tasks).drain(..) {
            task.abort();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn answer(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<BoxBody<Bytes, Infallible>>, Infallible> {
    let path = request.uri().path().to_owned();
    *lock(&shared.hits).entry(path.clone()).or_default() += 1;
    lock(&shared.last_headers).insert(path.clone(), request.headers().clone());
    let reply = lock(&shared.routes).get(&path).cloned();
    let Some(reply) = reply else {
        return Ok(respond(StatusCode::NOT_FOUND, &[], Vec::new(), false));
    };
    if let Some(gate) = &reply.gate {
        let _permit = gate.acquire().await;
    }
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut headers = reply.headers.clone();
    if let Some(tag) = reply.etag {
        headers.push((hyper::header::ETAG, HeaderValue::from_static(tag)));
        let matches = request
            .headers()
            .get(hyper::header::IF_NONE_MATCH)
            .is_some_and(|sent| sent.as_bytes() == tag.as_bytes());
        if matches {
            return Ok(respond(StatusCode::NOT_MODIFIED, &headers, Vec::new(), false));
        }
    }
    Ok(respond(reply.status, &headers, reply.body, reply.chunked))
}

fn respond(
    status: StatusCode,
    headers: &[(HeaderName, HeaderValue)],
    body: Vec<u8>,
    chunked: bool,
) -> Response<BoxBody<Bytes, Infallible>> {
    let body = if chunked {
        let chunks = body.chunks(4096).map(Bytes::copy_from_slice).collect();
        Chunks(chunks).boxed()
    } else {
        http_body_util::Full::new(Bytes::from(body)).boxed()
    };
    let mut response = Response::new(body);
    *response.status_mut() = status;
    for (name, value) in headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

/// A body of unknown length, sent with chunked transfer encoding.
struct Chunks(VecDeque<Bytes>);

impl hyper::body::Body for Chunks {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.pop_front().map(|chunk| Ok(Frame::data(chunk))))
    }
}

/// An ES256 signing key and its public half, both with `kid`.
pub struct Signer {
    pub private: Key,
    pub public: Key,
}

impl Signer {
    pub fn new(kid: &str) -> Self {
        let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default()).expect("an ES256 key pair");
        Signer {
            private: pair.private_key.with_kid(kid),
            public: pair.public_key.with_kid(kid),
        }
    }

    /// A token valid for an hour, signed with this key (its `kid` in the header).
    pub fn token(&self) -> String {
        SignJwt::default()
            .protected_header(Alg::ES256)
            .issuer(ISSUER)
            .subject("alice")
            .expiration_time("1h")
            .sign(&self.private)
            .expect("signing")
    }
}

/// The public JWK Set of these keys.
pub fn jwks(signers: &[&Signer]) -> String {
    LocalJwkSet::new(signers.iter().map(|s| s.public.clone()))
        .to_public_json()
        .expect("a public JWK Set")
}

/// Options for the test server: plain http to loopback allowed, time on
/// `clock`.
pub fn options(clock: &ManualClock) -> RemoteJwkSetOptions {
    RemoteJwkSetOptions::new()
        .http_policy(HttpPolicy::LoopbackHttp)
        .clock(clock.clone())
}

/// `options` with the client the set would build for them, less the
/// environment's proxies (`HTTP_PROXY`...): tests only ever talk to
/// 127.0.0.1.
pub fn local(options: RemoteJwkSetOptions) -> RemoteJwkSetOptions {
    let client = ReqwestFetcher::client_builder(&options)
        .no_proxy()
        .build()
        .expect("an HTTP client");
    options.client(client)
}

/// A remote set on the test server, with [`local`] options.
pub fn remote(url: String, options: RemoteJwkSetOptions) -> rjose::Result<RemoteJwkSet> {
    RemoteJwkSet::new(url, local(options))
}

/// A reqwest client of the caller's (following redirects, as reqwest's
/// default does), without proxies.
pub fn callers_client() -> rjose_remote::reqwest::ClientBuilder {
    rjose_remote::reqwest::Client::builder().no_proxy()
}

pub fn verify_options() -> VerifyOptions {
    VerifyOptions::new().algorithms([Alg::ES256]).issuer(ISSUER)
}

pub const MINUTE: Duration = Duration::from_secs(60);
pub const SECOND: Duration = Duration::from_secs(1);
