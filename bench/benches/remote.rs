//! ES256 verification through a warm `RemoteJwkSet` against the same
//! verification with the key directly: what the remote set costs once its
//! document is cached (the issue's target: within 1.05×).
//!
//! ```text
//! cargo bench --manifest-path bench/Cargo.toml --bench remote
//! ```
//!
//! One criterion group, `ES256/verify`, with the functions:
//! - `key`: `rjose::jwt::jwt_verify` with the public key itself;
//! - `local_jwk_set`: `rjose::jwt::jwt_verify` with a `LocalJwkSet` holding
//!   that key and two others (selection by `kid` and `alg`), for reference;
//! - `remote_jwk_set`: `rjose_remote::jwt_verify` with a `RemoteJwkSet`
//!   serving the same three keys, fetched once before measuring, awaited
//!   inside a running Tokio task as a server would.
//!
//! And `remote_jwk_set/cached_lookup`: `RemoteJwkSet::key_set` on the warm
//! cache, the part of `remote_jwk_set` that `key` does not do.
//!
//! All three verify the same token (a typical access token with a `kid`)
//! with the same `VerifyOptions` (the one algorithm, issuer, audience) and
//! deserialize the same claims type. The remote set's document comes from
//! an in-memory fetcher so that nothing but the cache path is measured.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
use rjose::{Alg, Key, KeyPairOptions, LocalJwkSet, generate_key_pair};
use rjose_remote::reqwest::StatusCode;
use rjose_remote::reqwest::header::HeaderMap;
use rjose_remote::{FetchFuture, FetchRequest, FetchResponse, JwksFetcher, RemoteJwkSet, RemoteJwkSetOptions};
use serde::Deserialize;

const ISSUER: &str = "https://auth.example.com";
const AUDIENCE: &str = "https://api.example.com";

#[derive(Debug, Deserialize)]
#[allow(dead_code)] // read by serde, compared by nobody
struct AccessClaims {
    iss: String,
    sub: String,
    aud: String,
    exp: i64,
    iat: i64,
    jti: String,
    scope: String,
}

/// Serves one fixed JWKS document.
#[derive(Debug)]
struct Fixed(String);

impl JwksFetcher for Fixed {
    fn fetch(&self, _request: FetchRequest) -> FetchFuture<'_> {
        let body = self.0.clone().into_bytes();
        Box::pin(async move { Ok(FetchResponse::new(StatusCode::OK, HeaderMap::new(), body)) })
    }
}

fn es256_key(kid: &str) -> (Key, Key) {
    let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default()).expect("an ES256 key pair");
    (pair.private_key.with_kid(kid), pair.public_key.with_kid(kid))
}

fn verify(c: &mut Criterion) {
    let (signing, public) = es256_key("2025-01");
    let others = [es256_key("2024-07").1, es256_key("2024-01").1];
    let token = SignJwt::default()
        .protected_header(Alg::ES256)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("user-8d0f2c")
        .issued_at_now()
        .expiration_time("1h")
        .jwt_id("b7c9e0a4-1f3d-4e5a-9c2b-6d8e7f0a1b2c")
        .claim("scope", "read:orders write:orders")
        .sign(&signing)
        .expect("signing");
    let options = VerifyOptions::new()
        .algorithms([Alg::ES256])
        .issuer(ISSUER)
        .audience(AUDIENCE);

    let keys = [others[0].clone(), public.clone(), others[1].clone()];
    let local = LocalJwkSet::new(keys.clone());
    let document = local.to_public_json().expect("a public JWKS");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    let remote = RemoteJwkSet::new(
        "https://auth.example.com/.well-known/jwks.json",
        RemoteJwkSetOptions::new().fetcher(Fixed(document)),
    )
    .expect("a remote set");
    runtime.block_on(remote.reload()).expect("the first fetch");

    // Every contender accepts the token before anything is timed.
    jwt_verify::<AccessClaims>(&token, &public, &options).expect("the key verifies");
    jwt_verify::<AccessClaims>(&token, &local, &options).expect("the local set verifies");
    runtime
        .block_on(rjose_remote::jwt_verify::<AccessClaims>(&token, &remote, &options))
        .expect("the remote set verifies");

    let mut group = c.benchmark_group("ES256/verify");
    group.bench_function("key", |b| {
        b.iter(|| jwt_verify::<AccessClaims>(black_box(&token), &public, &options).expect("verifies"))
    });
    group.bench_function("local_jwk_set", |b| {
        b.iter(|| jwt_verify::<AccessClaims>(black_box(&token), &local, &options).expect("verifies"))
    });
    group.bench_function("remote_jwk_set", |b| {
        // One `block_on` per sample, not per call: in a server the verify is
        // awaited inside a task that is already running.
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iterations {
                    let verified = rjose_remote::jwt_verify::<AccessClaims>(black_box(&token), &remote, &options).await;
                    black_box(verified.expect("verifies"));
                }
                start.elapsed()
            })
        })
    });
    group.finish();

    // What the remote set adds per call: the cache lookup alone.
    c.bench_function("remote_jwk_set/cached_lookup", |b| {
        b.iter_custom(|iterations| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iterations {
                    black_box(remote.key_set().await.expect("cached"));
                }
                start.elapsed()
            })
        })
    });
    assert_eq!(
        runtime.block_on(remote.key_set()).map(|set| set.keys().len()).ok(),
        Some(3)
    );
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
}

criterion_group! {
    name = benches;
    config = config();
    targets = verify
}
criterion_main!(benches);
