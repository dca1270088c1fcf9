//! The layer with keys that have to be waited for (per-tenant keys behind
//! an async lookup), served over HTTP.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use rjose::jws::JwsHeader;
use rjose::jwt::{SignJwt, VerifyOptions};
use rjose::{Alg, Error, JsonObject, Key};
use rjose_axum::{Claims, JwtAuthLayer, Keys, Verifier};
use rjose_remote::reqwest;
use tokio::net::TcpListener;

const APP: &str = "https://saas.example";

fn tenant_key(tenant: &str) -> Key {
    Key::from_secret(format!("{tenant}: a secret of at least 32 bytes")).expect("secret")
}

fn tenant_token(tenant: &str, expires: &str) -> String {
    SignJwt::default()
        .protected_header(JwsHeader::new(Alg::HS256).kid(tenant))
        .issuer(APP)
        .audience("api")
        .subject(format!("admin@{tenant}"))
        .expiration_time(expires)
        .sign(&tenant_key(tenant))
        .expect("signs")
}

/// Serves `/api/me` behind the layer, with keys from an async lookup that
/// waits (a stand-in for a database query) and counts its calls.
async fn serve() -> (String, Arc<AtomicUsize>) {
    let tenants: Arc<HashMap<String, Key>> = Arc::new(
        ["acme", "globex"]
            .into_iter()
            .map(|tenant| (tenant.to_owned(), tenant_key(tenant)))
            .collect(),
    );
    let lookups = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&lookups);
    let keys = Keys::async_resolver(move |header: JwsHeader| {
        let tenants = Arc::clone(&tenants);
        let counter = Arc::clone(&counter);
        async move {
            counter.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(2)).await;
            let kid = header.kid.ok_or(Error::JwksNoMatchingKey)?;
            tenants.get(&kid).cloned().ok_or(Error::JwksNoMatchingKey)
        }
    });
    let options = VerifyOptions::new()
        .algorithms([Alg::HS256])
        .issuer(APP)
        .audience("api");
    let app = Router::new()
        .route(
            "/api/me",
            get(|claims: Claims<JsonObject>| async move { claims.registered().sub.clone().unwrap_or_default() }),
        )
        .layer(JwtAuthLayer::<JsonObject>::new(Verifier::new(keys, options)));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/api/me"), lookups)
}

async fn get_me(url: &str, token: &str) -> (reqwest::StatusCode, String, String) {
    let client = reqwest::Client::builder().no_proxy().build().expect("client");
    let response = client.get(url).bearer_auth(token).send().await.expect("response");
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, challenge, response.text().await.expect("body"))
}

#[tokio::test]
async fn the_layer_verifies_each_tenants_token_with_an_async_resolver_over_http() {
    let (url, lookups) = serve().await;
    for tenant in ["acme", "globex"] {
        let (status, _, body) = get_me(&url, &tenant_token(tenant, "5m")).await;
        assert_eq!(status, reqwest::StatusCode::OK, "{body}");
        assert_eq!(body, format!("admin@{tenant}"));
    }
    assert_eq!(lookups.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_layer_refuses_an_unknown_tenant_and_an_expired_token_from_an_async_resolver() {
    let (url, _) = serve().await;
    let stranger = SignJwt::default()
        .protected_header(JwsHeader::new(Alg::HS256).kid("initech"))
        .issuer(APP)
        .audience("api")
        .expiration_time("5m")
        .sign(&tenant_key("initech"))
        .expect("signs");
    let (status, challenge, _) = get_me(&url, &stranger).await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("ERR_JWKS_NO_MATCHING_KEY"), "{challenge}");

    let (status, challenge, _) = get_me(&url, &tenant_token("acme", "-1m")).await;
    assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED);
    assert!(challenge.contains("ERR_JWT_EXPIRED"), "{challenge}");
}
