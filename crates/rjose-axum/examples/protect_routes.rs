use axum::{Router, routing::get};
use rjose::{Alg, JsonObject, Key, jwt::VerifyOptions};
use rjose_axum::{Claims, JwtAuthLayer, Require, RouteClass, TokenSource, Verifier};

async fn me(claims: Claims<JsonObject>) -> String {
    format!("hello {}", claims.registered().sub.as_deref().unwrap_or("?"))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = Key::from_secret(std::env::var("JWT_SECRET")?.as_bytes())?;
    let options = VerifyOptions::new()
        .algorithms([Alg::HS256])
        .issuer("https://app.example")
        .audience("api");

    // What jwtVerify in middleware.ts does, for every route below.
    let auth = JwtAuthLayer::<JsonObject>::new(Verifier::new(secret, options))
        .token_sources([TokenSource::Bearer, TokenSource::cookie("access_token")])
        .public_paths(["/", "/sign-in", "/api/auth/*"])
        // Pages redirect to /sign-in?error=session_expired; APIs answer 401.
        .route_class("/dashboard*", RouteClass::page("/sign-in"))
        // Removed from every incoming request first, so never forged.
        .forward_header("x-user-id", |claims| claims.registered().sub.clone());

    let app = Router::new()
        .route("/", get(|| async { "public" }))
        .route("/api/me", get(me))
        .route(
            "/api/admin",
            get(|| async { "admins only" }).route_layer(Require::<JsonObject>::role("admin")),
        )
        .layer(auth);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
