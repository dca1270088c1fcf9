//! A request through `JwtAuthLayer` against the same request with no layer,
//! and against a bare `jwt_verify` of its token: what the layer costs
//! beyond verification (the issue's target: the layer's overhead, `layer`
//! minus `no_layer`, within 1.2x of `jwt_verify`).
//!
//! ```text
//! cargo bench --manifest-path bench/Cargo.toml --bench layer
//! ```
//!
//! One criterion group per algorithm (`HS256/request`, `ES256/request`),
//! with the functions:
//! - `jwt_verify`: `rjose::jwt::jwt_verify::<JsonObject>` of the token, with
//!   the options the layer uses (the one algorithm, issuer, audience);
//! - `no_layer`: the request (an `Authorization: Bearer` header carrying the
//!   token) through an axum `Router` whose handler returns a static string;
//! - `layer`: the same request through the same router with
//!   `JwtAuthLayer` as `JwtAuthLayer::new(verifier)` builds it (bearer
//!   tokens, nothing forwarded) and a handler that extracts
//!   `Claims<JsonObject>`;
//! - `layer_configured`: the same with bearer then cookie sources, three
//!   public paths and the `sub` claim forwarded as `x-user-id`: what the
//!   optional work costs on top.
//!
//! Requests are built and sent (`oneshot`) inside a running Tokio
//! current-thread runtime, as a server would.

use std::hint::black_box;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use axum::routing::get;
use criterion::{Criterion, criterion_group, criterion_main};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
use rjose::{Alg, JsonObject, Key, KeyPairOptions, generate_key_pair};
use rjose_axum::{Claims, JwtAuthLayer, TokenSource, Verifier};
use tower::ServiceExt;

const ISSUER: &str = "https://app.example.com";

fn access_token(alg: Alg, key: &Key) -> String {
    SignJwt::default()
        .protected_header(alg)
        .issuer(ISSUER)
        .audience("api")
        .subject("user-8d0f2c")
        .claim("role", "member")
        .claim("sessionId", "s-41c2a9")
        .jwt_id("b7c9e0a4-1f3d-4e5a-9c2b-6d8e7f0a1b2c")
        .issued_at_now()
        .expiration_time("15m")
        .sign(key)
        .expect("a signed access token")
}

fn request(authorization: &str) -> Request<Body> {
    Request::get("/api/me")
        .header("authorization", authorization)
        .body(Body::empty())
        .expect("a request")
}

fn bench_alg(c: &mut Criterion, runtime: &tokio::runtime::Runtime, alg: Alg, signing: Key, verifying: Key) {
    let token = access_token(alg, &signing);
    let authorization = format!("Bearer {token}");
    let options = VerifyOptions::new().algorithms([alg]).issuer(ISSUER).audience("api");

    let bare = Router::new().route("/api/me", get(|| async { "ok" }));
    let handler = get(|claims: Claims<JsonObject>| async move {
        black_box(&claims);
        "ok"
    });
    let layer = JwtAuthLayer::<JsonObject>::new(Verifier::new(verifying.clone(), options.clone()));
    let layered = Router::new().route("/api/me", handler.clone()).layer(layer.clone());
    let configured = Router::new().route("/api/me", handler).layer(
        layer
            .token_sources([TokenSource::Bearer, TokenSource::cookie("access_token")])
            .public_paths(["/", "/sign-in", "/api/auth/*"])
            .forward_header("x-user-id", |claims| claims.registered().sub.clone()),
    );

    // The layered router must really verify: a wrong request would measure
    // a rejection instead.
    runtime.block_on(async {
        let response = layered
            .clone()
            .oneshot(request(&authorization))
            .await
            .expect("infallible");
        assert_eq!(response.status(), 200, "the benchmark token must verify");
    });

    let mut group = c.benchmark_group(format!("{alg}/request"));
    group.bench_function("jwt_verify", |b| {
        b.iter(|| jwt_verify::<JsonObject>(black_box(&token), &verifying, &options).expect("verifies"))
    });
    group.bench_function("no_layer", |b| {
        b.to_async(runtime)
            .iter(|| bare.clone().oneshot(request(black_box(&authorization))))
    });
    group.bench_function("layer", |b| {
        b.to_async(runtime)
            .iter(|| layered.clone().oneshot(request(black_box(&authorization))))
    });
    group.bench_function("layer_configured", |b| {
        b.to_async(runtime)
            .iter(|| configured.clone().oneshot(request(black_box(&authorization))))
    });
    group.finish();
}

fn requests(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a Tokio runtime");
    let secret = Key::from_secret(b"a 32-byte secret for HS256 tokens").expect("a non-empty secret");
    bench_alg(c, &runtime, Alg::HS256, secret.clone(), secret);
    let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default()).expect("an ES256 key pair");
    bench_alg(c, &runtime, Alg::ES256, pair.private_key, pair.public_key);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50);
    targets = requests
}
criterion_main!(benches);
