use rjose::{Alg, jwt::VerifyOptions};
use rjose_remote::{RemoteJwkSet, RemoteJwkSetOptions, jwt_verify};
use serde::Deserialize;

#[derive(Deserialize)]
struct Claims {
    sub: String,
    scope: String,
}

#[tokio::main]
async fn main() -> Result<(), rjose::Error> {
    let issuer = "https://your-tenant.us.auth0.com/";
    // Once, at start-up; clones share one cache. Discovery finds the jwks_uri
    // (or: RemoteJwkSet::new("https://.../.well-known/jwks.json", options)).
    let jwks = RemoteJwkSet::from_issuer(issuer, RemoteJwkSetOptions::new()).await?;

    // Per request: keys are fetched on first use, cached for 10 minutes, and
    // fetched again when a token names a kid the cache does not have.
    let token = std::env::args().nth(1).unwrap_or_default();
    let options = VerifyOptions::new()
        .algorithms([Alg::RS256])
        .issuer(issuer)
        .audience("https://api.example.com");
    match jwt_verify::<Claims>(&token, &jwks, &options).await {
        Ok(verified) => println!("{} may {}", verified.claims.sub, verified.claims.scope),
        Err(e) => println!("{}: {e}", e.code()), // ERR_JWT_EXPIRED, ERR_JWKS_TIMEOUT, ...
    }
    Ok(())
}
