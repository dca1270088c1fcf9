//! What `benches/jwt.rs`, `benches/jwe.rs` and `benches/providers.rs` share:
//! the token's claims, the throwaway keys of `benches/keys/`, and the
//! criterion configuration. Included with `mod common;`. Nothing here may
//! depend on more than rjose, serde, base64 and criterion: the
//! `--cfg jose_bench_josekit` build of `benches/jwe.rs` leaves jwt-simple
//! out, the `--cfg jose_bench_providers` build of `benches/providers.rs`
//! every peer and aws-lc-rs.

#![allow(dead_code)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use criterion::Criterion;
use serde::{Deserialize, Serialize};

pub const ISSUER: &str = "https://auth.example.com";
pub const AUDIENCE: &str = "https://api.example.com";
/// 2023-11-14T22:13:20Z.
pub const ISSUED_AT: i64 = 1_700_000_000;
/// 2100-01-01T00:00:00Z: far in the future, so tokens never expire here.
pub const EXPIRES_AT: i64 = 4_102_444_800;

pub const RSA_PRIVATE: &str = include_str!("../keys/rsa.pem");
pub const RSA_PUBLIC: &str = include_str!("../keys/rsa.pub.pem");
pub const EC_PRIVATE: &str = include_str!("../keys/ec.pem");
pub const EC_PUBLIC: &str = include_str!("../keys/ec.pub.pem");
pub const ED_PRIVATE: &str = include_str!("../keys/ed25519.pem");
pub const ED_PUBLIC: &str = include_str!("../keys/ed25519.pub.pem");
/// The HMAC secret (also in `bench/jose-node/bench.mjs`).
pub const SECRET: &[u8] = b"jose-benchmark-hs256-secret-0123456789abcdef";

/// A typical access token: seven registered claims and three of the
/// application's own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    pub role: String,
    pub session_id: String,
    pub scope: String,
}

pub fn access_claims() -> AccessClaims {
    AccessClaims {
        iss: ISSUER.into(),
        sub: "user-8f14e45f-ceea-467f-a8c5-9e3d2c1b0a7e".into(),
        aud: AUDIENCE.into(),
        exp: EXPIRES_AT,
        nbf: ISSUED_AT,
        iat: ISSUED_AT,
        jti: "3f2b8c1e-9d4a-4e7b-b6a2-5c1d0e9f8a7b".into(),
        role: "admin".into(),
        session_id: "sess-6c2e1f0a-7b3d-4c5e-9a8b-1d2e3f4a5b6c".into(),
        scope: "openid profile email orders:read orders:write".into(),
    }
}

pub fn pem_to_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    STANDARD.decode(body).expect("PEM body is base64")
}

pub fn b64url_decode(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url")
}

pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(50)
        .configure_from_args()
}
