//! Generates a key pair, signs an access token with it and verifies the
//! token, as a service and its API gateway would.
//!
//! Run with `cargo run -p rjose --example quickstart`.

use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
use rjose::{Alg, Digest, JsonObject, KeyPairOptions, generate_key_pair};

fn main() -> Result<(), rjose::Error> {
    let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
    let kid = pair.public_key.thumbprint(Digest::Sha256)?;
    let signing_key = pair.private_key.with_kid(&kid);
    println!(
        "public key (JWK): {}",
        pair.public_key.with_kid(&kid).to_public_jwk()?.to_json()
    );

    let token = SignJwt::default()
        .claim("role", "admin")
        .protected_header(Alg::ES256)
        .issued_at_now()
        .expiration_time("15m")
        .subject("user-42")
        .audience("api")
        .issuer("https://app.example")
        .sign(&signing_key)?;
    println!("token: {token}");

    let options = VerifyOptions::new()
        .algorithms([Alg::ES256])
        .issuer("https://app.example")
        .audience("api");
    let verified = jwt_verify::<JsonObject>(&token, &pair.public_key, &options)?;
    println!(
        "verified: sub={} role={} kid={}",
        verified.registered().sub.as_deref().unwrap_or("-"),
        verified.claims["role"],
        verified.protected_header.kid.as_deref().unwrap_or("-"),
    );
    Ok(())
}
