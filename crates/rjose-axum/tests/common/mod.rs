//! What the layer's test files share: the first-party app's issuer and
//! secret, the options that verify its tokens, and tokens as it issues them.

#![allow(dead_code)] // each test file uses a different part

use rjose::jwt::{SignJwt, VerifyOptions};
use rjose::{Alg, Key};

pub const APP: &str = "https://app.example";
pub const SECRET: &[u8] = b"a first-party secret of 32+ bytes!!";

pub fn secret() -> Key {
    Key::from_secret(SECRET).expect("a non-empty secret")
}

/// HS256, issuer [`APP`], audience `api`.
pub fn options() -> VerifyOptions {
    VerifyOptions::new()
        .algorithms([Alg::HS256])
        .issuer(APP)
        .audience("api")
}

/// A token as the app issues it (15 minutes, `sub` `user-42`, `jti`), with
/// `role` and any changes `edit` makes.
pub fn token_with(role: &str, edit: impl FnOnce(SignJwt) -> SignJwt) -> String {
    let builder = SignJwt::default()
        .claim("role", role)
        .protected_header(Alg::HS256)
        .issued_at_now()
        .issuer(APP)
        .audience("api")
        .subject("user-42")
        .jwt_id("jti-1");
    let builder = edit(builder.expiration_time("15m"));
    builder.sign(&secret()).expect("sign")
}

pub fn token(role: &str) -> String {
    token_with(role, |b| b)
}

/// A token of the app that expired an hour ago.
pub fn expired_token() -> String {
    token_with("user", |b| b.expiration_time("-1h"))
}
