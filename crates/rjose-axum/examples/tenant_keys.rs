use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::{Router, routing::get};
use rjose::{Alg, Error, JsonObject, Key, jws::JwsHeader, jwt::VerifyOptions};
use rjose_axum::{Claims, JwtAuthLayer, Keys, Verifier};

/// Each tenant's signing key by `kid`; in a real service, a database
/// table, and `find` a query.
#[derive(Clone, Default)]
struct TenantKeys(Arc<RwLock<HashMap<String, Key>>>);

impl TenantKeys {
    async fn find(&self, kid: &str) -> rjose::Result<Key> {
        let keys = self.0.read().map_err(|_| Error::JwksNoMatchingKey)?;
        keys.get(kid).cloned().ok_or(Error::JwksNoMatchingKey)
    }

    fn insert(&self, kid: &str, key: Key) {
        if let Ok(mut keys) = self.0.write() {
            keys.insert(kid.to_owned(), key);
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tenants = TenantKeys::default();
    let acme = Key::from_secret(std::env::var("ACME_SECRET")?.as_bytes())?;
    tenants.insert("acme", acme);

    // Looked up per token, by the kid in its header; an unknown kid is
    // answered with 401 ERR_JWKS_NO_MATCHING_KEY.
    let keys = Keys::async_resolver(move |header: JwsHeader| {
        let tenants = tenants.clone();
        async move { tenants.find(header.kid.as_deref().unwrap_or_default()).await }
    });
    let options = VerifyOptions::new().algorithms([Alg::HS256]).audience("api");
    let auth = JwtAuthLayer::<JsonObject>::new(Verifier::new(keys, options));

    let app = Router::new()
        .route(
            "/api/me",
            get(|claims: Claims<JsonObject>| async move { format!("{:?}", claims.registered().sub) }),
        )
        .layer(auth);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
