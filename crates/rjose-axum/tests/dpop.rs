//! DPoP (RFC 9449) through the layer, in process (`oneshot`), as
//! `layer.rs` exercises it: schemes per mode, proof checks, replay,
//! nonces, and the challenges of RFC 9449 section 7.1.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use rjose::dpop::{DpopProof, InMemoryJtiStore, JtiStatus};
use rjose::{Alg, Digest, JsonObject, Key, generate_key_pair};
use rjose_axum::{
    AsyncJtiStore, Claims, DpopConfig, DpopMode, HmacNonces, JtiFuture, JwtAuthLayer, NonceSource, TokenSource,
    VerifiedDpop, Verifier,
};
use serde_json::{Value, json};
use tower::ServiceExt;

mod common;
use common::{options, secret, token, token_with};

const ORIGIN: &str = "https://api.example";
const ALGS: &str = "algs=\"ES256 EdDSA\"";

async fn orders(claims: Claims<JsonObject>, proof: Option<VerifiedDpop>) -> String {
    json!({
        "sub": claims.registered().sub,
        "jkt": proof.map(|p| p.jkt().to_owned()),
    })
    .to_string()
}

fn config(mode: DpopMode) -> DpopConfig {
    DpopConfig::new(mode)
        .algorithms([Alg::ES256, Alg::EdDSA])
        .public_origin(ORIGIN)
}

fn app(config: DpopConfig) -> Router {
    let layer = JwtAuthLayer::<JsonObject>::new(Verifier::new(secret(), options()))
        .token_sources([TokenSource::Bearer, TokenSource::cookie("access_token")])
        .realm("example")
        .dpop(config);
    Router::new()
        .route("/api/orders", get(orders))
        .route("/api/orders", post(orders))
        .layer(layer)
}

/// The client's key and an access token bound to it.
struct Client {
    key: Key,
    jkt: String,
    token: String,
}

fn client() -> Client {
    let pair = generate_key_pair(Alg::ES256, Default::default()).expect("key pair");
    let jkt = pair.public_key.thumbprint(Digest::Sha256).expect("thumbprint");
    let token = token_with("user", |b| b.claim("cnf", json!({ "jkt": jkt })));
    Client {
        key: pair.private_key,
        jkt,
        token,
    }
}

impl Client {
    fn proof(&self, method: &str, url: &str) -> String {
        self.proof_with(method, url, |p| p)
    }

    fn proof_with(&self, method: &str, url: &str, edit: impl FnOnce(DpopProof) -> DpopProof) -> String {
        edit(DpopProof::new(method, url).access_token(&self.token))
            .sign(&self.key)
            .expect("proof")
    }

    fn auth(&self) -> String {
        format!("DPoP {}", self.token)
    }
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Every `WWW-Authenticate` header, in order.
    fn challenges(&self) -> Vec<&str> {
        self.headers
            .get_all(header::WWW_AUTHENTICATE)
            .iter()
            .map(|v| v.to_str().expect("ASCII header"))
            .collect()
    }

    fn nonce(&self) -> Option<&str> {
        self.headers
            .get("dpop-nonce")
            .map(|v| v.to_str().expect("ASCII header"))
    }
}

async fn send(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
    }
}

fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).expect("request")
}

/// `GET /api/orders` with the client's token and `proof`.
fn dpop_get(client: &Client, proof: &str) -> Request<Body> {
    request(
        "GET",
        "/api/orders",
        &[("authorization", &client.auth()), ("dpop", proof)],
    )
}

fn dpop_error(error: &str, description: &str) -> String {
    format!("DPoP realm=\"example\", error=\"{error}\", error_description=\"{description}\", {ALGS}")
}

#[tokio::test]
async fn valid_dpop_request_reaches_handler_with_jkt() {
    let client = client();
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders"));
    let reply = send(app(config(DpopMode::Required)), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json(), json!({ "sub": "user-42", "jkt": client.jkt }));
    assert_eq!(reply.nonce(), None);
}

#[tokio::test]
async fn query_string_is_not_part_of_htu() {
    let client = client();
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders?page=2"));
    let request = request(
        "GET",
        "/api/orders?page=3",
        &[("authorization", &client.auth()), ("dpop", &proof)],
    );
    assert_eq!(
        send(app(config(DpopMode::Required)), request).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn replayed_proof_is_invalid_dpop_proof() {
    let client = client();
    let app = app(config(DpopMode::Required));
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders"));
    assert_eq!(
        send(app.clone(), dpop_get(&client, &proof)).await.status,
        StatusCode::OK
    );
    let reply = send(app, dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_dpop_proof",
            "ERR_DPOP_REPLAYED: the DPoP proof was used before"
        )]
    );
    assert_eq!(reply.json()["code"], "ERR_DPOP_REPLAYED");
}

#[tokio::test]
async fn proof_for_another_url_is_refused() {
    let client = client();
    let proof = client.proof("GET", &format!("{ORIGIN}/api/other"));
    let reply = send(app(config(DpopMode::Required)), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_dpop_proof",
            "ERR_DPOP_HTU_MISMATCH: the DPoP proof was made for another URL"
        )]
    );
}

#[tokio::test]
async fn proof_for_another_origin_is_refused() {
    let client = client();
    let proof = client.proof("GET", "https://other.example/api/orders");
    let reply = send(app(config(DpopMode::Required)), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_DPOP_HTU_MISMATCH");
}

#[tokio::test]
async fn proof_for_another_method_is_refused() {
    let client = client();
    let proof = client.proof("POST", &format!("{ORIGIN}/api/orders"));
    let reply = send(app(config(DpopMode::Required)), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_dpop_proof",
            "ERR_DPOP_HTM_MISMATCH: the DPoP proof was made for another method"
        )]
    );
}

#[tokio::test]
async fn stale_proof_is_refused() {
    let client = client();
    let proof = client.proof_with("GET", &format!("{ORIGIN}/api/orders"), |p| p.issued_at("-10m"));
    let reply = send(app(config(DpopMode::Required)), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_dpop_proof",
            "ERR_DPOP_IAT_INVALID: the DPoP proof is too old or from the future"
        )]
    );
}

#[tokio::test]
async fn max_age_setting_narrows_the_window() {
    let client = client();
    let proof = client.proof_with("GET", &format!("{ORIGIN}/api/orders"), |p| p.issued_at("-2m"));
    let strict = config(DpopMode::Required).max_age("1m").clock_tolerance("0s");
    assert_eq!(
        send(app(strict), dpop_get(&client, &proof)).await.json()["code"],
        "ERR_DPOP_IAT_INVALID"
    );
    let proof = client.proof_with("GET", &format!("{ORIGIN}/api/orders"), |p| p.issued_at("-2m"));
    assert_eq!(
        send(app(config(DpopMode::Required)), dpop_get(&client, &proof))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn proof_made_for_another_token_is_refused() {
    let client = client();
    let proof = DpopProof::new("GET", format!("{ORIGIN}/api/orders"))
        .access_token("another.access.token")
        .sign(&client.key)
        .expect("proof");
    let reply = send(app(config(DpopMode::Required)), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_dpop_proof",
            "ERR_DPOP_ATH_MISMATCH: the DPoP proof was made for another access token"
        )]
    );
}

#[tokio::test]
async fn stolen_token_with_the_thiefs_own_key_is_invalid_token() {
    let victim = client();
    let thief = Client {
        token: victim.token.clone(),
        ..client()
    };
    let proof = thief.proof("GET", &format!("{ORIGIN}/api/orders"));
    let reply = send(app(config(DpopMode::Required)), dpop_get(&thief, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_token",
            "ERR_DPOP_BINDING_MISMATCH: the access token is not bound to the DPoP proof's key"
        )]
    );
}

#[tokio::test]
async fn dpop_scheme_token_without_cnf_jkt_is_invalid_token() {
    let client = Client {
        token: token("user"),
        ..client()
    };
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders"));
    let reply = send(app(config(DpopMode::Allowed)), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [
            "Bearer realm=\"example\"".to_owned(),
            dpop_error(
                "invalid_token",
                "ERR_DPOP_BINDING_MISMATCH: the access token is not bound to the DPoP proof's key"
            )
        ]
    );
}

#[tokio::test]
async fn dpop_bound_token_as_bearer_is_invalid_token_even_when_bearer_is_allowed() {
    let client = client();
    let bearer = format!("Bearer {}", client.token);
    let cookie = format!("access_token={}", client.token);
    for headers in [[("authorization", bearer.as_str())], [("cookie", cookie.as_str())]] {
        let reply = send(app(config(DpopMode::Allowed)), request("GET", "/api/orders", &headers)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(
            reply.challenges(),
            [
                "Bearer realm=\"example\", error=\"invalid_token\", error_description=\"ERR_AUTH_DPOP_BOUND_AS_BEARER: a DPoP-bound token must be presented with the DPoP scheme\"".to_owned(),
                format!("DPoP realm=\"example\", {ALGS}"),
            ]
        );
    }
}

#[tokio::test]
async fn dpop_bound_token_as_bearer_is_refused_without_dpop_support_too() {
    let client = client();
    let bearer = format!("Bearer {}", client.token);
    let reply = send(
        app(DpopConfig::new(DpopMode::Refused)),
        request("GET", "/api/orders", &[("authorization", &bearer)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [
            "Bearer realm=\"example\", error=\"invalid_token\", error_description=\"ERR_AUTH_DPOP_BOUND_AS_BEARER: a DPoP-bound token must be presented with the DPoP scheme\""
        ]
    );
}

#[tokio::test]
async fn allowed_mode_accepts_unbound_bearer_tokens() {
    let bearer = format!("Bearer {}", token("user"));
    let reply = send(
        app(config(DpopMode::Allowed)),
        request("GET", "/api/orders", &[("authorization", &bearer)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({ "sub": "user-42", "jkt": null }));
}

#[tokio::test]
async fn allowed_mode_without_credentials_challenges_both_schemes() {
    let reply = send(app(config(DpopMode::Allowed)), request("GET", "/api/orders", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [
            "Bearer realm=\"example\"".to_owned(),
            format!("DPoP realm=\"example\", {ALGS}")
        ]
    );
}

#[tokio::test]
async fn required_mode_refuses_bearer_with_dpop_challenge() {
    let bearer = format!("Bearer {}", token("user"));
    let reply = send(
        app(config(DpopMode::Required)),
        request("GET", "/api/orders", &[("authorization", &bearer)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_token",
            "ERR_AUTH_DPOP_REQUIRED: this resource requires the DPoP scheme"
        )]
    );
    let reply = send(app(config(DpopMode::Required)), request("GET", "/api/orders", &[])).await;
    assert_eq!(reply.challenges(), [format!("DPoP realm=\"example\", {ALGS}")]);
}

#[tokio::test]
async fn default_algs_are_the_cores_defaults() {
    let reply = send(
        app(DpopConfig::new(DpopMode::Required)),
        request("GET", "/api/orders", &[]),
    )
    .await;
    assert_eq!(
        reply.challenges(),
        [
            "DPoP realm=\"example\", algs=\"RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 ES256K EdDSA Ed25519 ML-DSA-44 ML-DSA-65 ML-DSA-87\""
        ]
    );
}

#[tokio::test]
async fn refused_mode_treats_dpop_scheme_as_no_credentials() {
    let client = client();
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders"));
    let reply = send(app(config(DpopMode::Refused)), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenges(), ["Bearer realm=\"example\""]);
    assert_eq!(reply.json()["code"], "ERR_JWT_MISSING");
}

#[tokio::test]
async fn nonce_challenge_then_retry_with_the_nonce_succeeds() {
    let nonces = Arc::new(HmacNonces::random(Duration::from_secs(300)).expect("nonces"));
    let app = app(config(DpopMode::Required).nonces(Shared(Arc::clone(&nonces))));
    let client = client();
    let url = format!("{ORIGIN}/api/orders");

    let reply = send(app.clone(), dpop_get(&client, &client.proof("GET", &url))).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "use_dpop_nonce",
            "ERR_DPOP_NONCE_REQUIRED: the DPoP proof must carry the server's nonce"
        )]
    );
    let nonce = reply.nonce().expect("a DPoP-Nonce header").to_owned();
    assert_eq!(nonce, nonces.current());

    let stale = client.proof_with("GET", &url, |p| p.nonce("0.stale"));
    let reply = send(app.clone(), dpop_get(&client, &stale)).await;
    assert_eq!(reply.json()["code"], "ERR_DPOP_NONCE_INVALID");
    assert_eq!(reply.nonce(), Some(nonce.as_str()));

    let retry = client.proof_with("GET", &url, |p| p.nonce(nonce.clone()));
    let reply = send(app, dpop_get(&client, &retry)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.nonce(), Some(nonce.as_str()));
}

/// One nonce source shared by the app and the test.
struct Shared(Arc<HmacNonces>);

impl NonceSource for Shared {
    fn current(&self) -> String {
        self.0.current()
    }
    fn is_valid(&self, nonce: &str) -> bool {
        self.0.is_valid(nonce)
    }
}

#[tokio::test]
async fn two_dpop_headers_are_invalid_dpop_proof() {
    let client = client();
    let url = format!("{ORIGIN}/api/orders");
    let (first, second) = (client.proof("GET", &url), client.proof("GET", &url));
    let request = request(
        "GET",
        "/api/orders",
        &[("authorization", &client.auth()), ("dpop", &first), ("dpop", &second)],
    );
    let reply = send(app(config(DpopMode::Required)), request).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_dpop_proof",
            "ERR_DPOP_PROOF_INVALID: the DPoP proof is malformed"
        )]
    );
}

#[tokio::test]
async fn dpop_scheme_without_proof_is_invalid_dpop_proof() {
    let client = client();
    let reply = send(
        app(config(DpopMode::Required)),
        request("GET", "/api/orders", &[("authorization", &client.auth())]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_DPOP_PROOF_INVALID");
}

#[tokio::test]
async fn full_replay_cache_is_503_without_challenge() {
    let client = client();
    let app = app(config(DpopMode::Required).replay_store(InMemoryJtiStore::new(1)));
    let url = format!("{ORIGIN}/api/orders");
    assert_eq!(
        send(app.clone(), dpop_get(&client, &client.proof("GET", &url)))
            .await
            .status,
        StatusCode::OK
    );
    let reply = send(app, dpop_get(&client, &client.proof("GET", &url))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(reply.challenges().is_empty());
    assert_eq!(
        reply.json(),
        json!({
            "error": "temporarily_unavailable",
            "error_description": "ERR_DPOP_REPLAY_CACHE_FULL: the token cannot be checked right now",
            "code": "ERR_DPOP_REPLAY_CACHE_FULL",
        })
    );
}

/// An async store, as a database would be; `up: false` fails every call.
#[derive(Default)]
struct AsyncSet {
    seen: Mutex<HashSet<String>>,
    down: bool,
}

impl AsyncJtiStore for AsyncSet {
    fn insert_if_absent_async<'a>(&'a self, key: &'a str, _expires_at: i64, _now: i64) -> JtiFuture<'a> {
        Box::pin(async move {
            tokio::task::yield_now().await;
            if self.down {
                return Err(rjose::Error::InvalidArgument("database unreachable".into()));
            }
            let mut seen = self.seen.lock().expect("test lock");
            Ok(if seen.insert(key.to_owned()) {
                JtiStatus::Fresh
            } else {
                JtiStatus::Replayed
            })
        })
    }
}

#[tokio::test]
async fn async_replay_store_refuses_replays() {
    let client = client();
    let app = app(config(DpopMode::Required).async_replay_store(AsyncSet::default()));
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders"));
    let reply = send(app.clone(), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["jkt"], client.jkt.as_str());
    assert_eq!(
        send(app, dpop_get(&client, &proof)).await.json()["code"],
        "ERR_DPOP_REPLAYED"
    );
}

#[tokio::test]
async fn async_replay_store_failure_fails_closed() {
    let client = client();
    let store = AsyncSet {
        down: true,
        ..AsyncSet::default()
    };
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders"));
    let reply = send(
        app(config(DpopMode::Required).async_replay_store(store)),
        dpop_get(&client, &proof),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["code"], "ERR_AUTH_REPLAY_STORE_UNAVAILABLE");
}

#[tokio::test]
async fn without_public_origin_htu_is_http_and_the_host_header() {
    let client = client();
    let dpop = DpopConfig::new(DpopMode::Required);
    let proof = client.proof("POST", "http://localhost:8080/api/orders");
    let headers = [
        ("authorization", client.auth()),
        ("dpop", proof),
        ("host", "localhost:8080".to_owned()),
    ];
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let reply = send(app(dpop.clone()), request("POST", "/api/orders", &headers)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let proof = client.proof("POST", "https://localhost:8080/api/orders");
    let reply = send(
        app(dpop),
        request(
            "POST",
            "/api/orders",
            &[
                ("authorization", &client.auth()),
                ("dpop", &proof),
                ("host", "localhost:8080"),
            ],
        ),
    )
    .await;
    assert_eq!(reply.json()["code"], "ERR_DPOP_HTU_MISMATCH");
}

#[tokio::test]
async fn invalid_public_origin_fails_closed() {
    let client = client();
    let proof = client.proof("GET", "https://api.example/v1/api/orders");
    let dpop = DpopConfig::new(DpopMode::Required).public_origin("https://api.example/v1");
    let reply = send(app(dpop), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["code"], "ERR_AUTH_DPOP_MISCONFIGURED");
}

#[tokio::test]
async fn over_real_http_htu_follows_the_host_the_client_addressed() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("address");
    let server = tokio::spawn(async move {
        axum::serve(listener, app(DpopConfig::new(DpopMode::Required)))
            .await
            .expect("serve");
    });
    let client = client();
    let proof = client.proof("GET", &format!("http://{addr}/api/orders"));
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET /api/orders?page=1 HTTP/1.1\r\nHost: {addr}\r\nAuthorization: {}\r\nDPoP: {proof}\r\nConnection: close\r\n\r\n",
        client.auth()
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("read");
    server.abort();
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.contains(&client.jkt), "{response}");
}

#[tokio::test]
async fn grpc_routes_answer_nonce_failures_unauthenticated_with_the_nonce() {
    let nonces = Arc::new(HmacNonces::random(Duration::from_secs(300)).expect("nonces"));
    let layer = JwtAuthLayer::<JsonObject>::new(Verifier::new(secret(), options()))
        .default_class(rjose_axum::RouteClass::Grpc)
        .dpop(config(DpopMode::Required).nonces(Shared(Arc::clone(&nonces))));
    let app = Router::new().route("/api/orders", post(orders)).layer(layer);
    let client = client();
    let proof = client.proof("POST", &format!("{ORIGIN}/api/orders"));
    let request = request(
        "POST",
        "/api/orders",
        &[("authorization", &client.auth()), ("dpop", &proof)],
    );
    let reply = send(app, request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["grpc-status"], "16");
    assert_eq!(
        reply.headers["grpc-message"],
        "ERR_DPOP_NONCE_REQUIRED: the DPoP proof must carry the server's nonce"
    );
    assert!(reply.challenges().is_empty());
    assert_eq!(reply.nonce(), Some(nonces.current().as_str()));
}

#[tokio::test]
async fn unreadable_dpop_credentials_are_invalid_request_on_the_dpop_challenge() {
    let reply = send(
        app(config(DpopMode::Allowed)),
        request("GET", "/api/orders", &[("authorization", "DPoP a.b.c, d.e.f")]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        reply.challenges(),
        [
            "Bearer realm=\"example\"".to_owned(),
            dpop_error(
                "invalid_request",
                "ERR_AUTH_INVALID_REQUEST: the credentials are not exactly one token"
            ),
        ]
    );
}

#[tokio::test]
async fn proof_of_a_refused_request_is_not_recorded() {
    use std::sync::atomic::{AtomicBool, Ordering};

    let revoked = Arc::new(AtomicBool::new(true));
    let flag = Arc::clone(&revoked);
    let layer = JwtAuthLayer::<JsonObject>::new(Verifier::new(secret(), options()))
        .realm("example")
        .dpop(config(DpopMode::Required))
        .revocation(move |_claims: Claims<JsonObject>| {
            let revoked = flag.load(Ordering::SeqCst);
            async move { Ok::<bool, rjose_axum::BoxError>(revoked) }
        });
    let app = Router::new().route("/api/orders", get(orders)).layer(layer);
    let client = client();
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders"));
    let reply = send(app.clone(), dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JWT_REVOKED");
    assert_eq!(
        reply.challenges(),
        [dpop_error(
            "invalid_token",
            "ERR_JWT_REVOKED: the token has been revoked"
        )]
    );
    // Refused before the replay check: the same proof still counts once.
    revoked.store(false, Ordering::SeqCst);
    assert_eq!(
        send(app.clone(), dpop_get(&client, &proof)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        send(app, dpop_get(&client, &proof)).await.json()["code"],
        "ERR_DPOP_REPLAYED"
    );
}

#[tokio::test]
async fn failed_guard_on_a_dpop_request_challenges_with_dpop() {
    let layer = JwtAuthLayer::<JsonObject>::new(Verifier::new(secret(), options())).dpop(config(DpopMode::Allowed));
    let app = Router::new()
        .route(
            "/api/orders",
            get(orders).route_layer(rjose_axum::Require::<JsonObject>::scope("read:orders")),
        )
        .layer(layer);
    let client = client();
    let proof = client.proof("GET", &format!("{ORIGIN}/api/orders"));
    let reply = send(app, dpop_get(&client, &proof)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        reply.challenges(),
        [
            "Bearer".to_owned(),
            format!(
                "DPoP error=\"insufficient_scope\", error_description=\"ERR_AUTH_INSUFFICIENT_SCOPE: the token does not grant access to this resource\", scope=\"read:orders\", {ALGS}"
            ),
        ]
    );
}
