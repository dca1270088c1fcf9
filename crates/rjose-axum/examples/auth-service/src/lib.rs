//! # rjose-auth-service
//!
//! The example service of rjose-axum: sign-up and sign-in with Argon2id
//! password hashes, 15-minute access tokens and 30-day refresh tokens in
//! HttpOnly cookies (and JSON), refresh token rotation with reuse
//! detection, one-time tokens for email verification and password reset,
//! role-guarded routes, server-rendered pages that redirect to
//! `/sign-in?error=session_expired`, a JWK Set with key rotation when
//! signing with ES256, and DPoP-bound tokens (RFC 9449) for API clients
//! that hold a key. State lives in SQLite or PostgreSQL.
//!
//! Run it with `cargo run -p rjose-auth-service` (see the README for the
//! environment variables); embed or test it with [`serve`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod config;
pub mod dpop;
pub mod keys;
pub mod pages;
pub mod password;
pub mod store;
pub mod throttle;
pub mod tokens;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{Config, ConfigError, SigningConfig};
pub use tokens::{AppClaims, Verification, safe_verify};

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The configuration is refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The signing key is unusable.
    #[error(transparent)]
    Key(#[from] keys::KeyError),
    /// The database cannot be opened or prepared.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// A running service; [`shutdown`](Server::shutdown) stops it gracefully.
#[derive(Debug)]
pub struct Server {
    /// The bound address (the real port when the config asked for port 0).
    pub addr: SocketAddr,
    /// The app's URL, the `iss` of its tokens.
    pub url: String,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
    key_upkeep: Option<JoinHandle<()>>,
    store: store::Store,
}

impl Server {
    /// Stops accepting connections, lets running requests finish, closes
    /// the database pool.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(tx) = self.shutdown.take() {
            // The receiver is gone only if the server already stopped.
            let _ = tx.send(());
        }
        if let Some(key_upkeep) = self.key_upkeep.take() {
            key_upkeep.abort();
        }
        let result = (&mut self.task).await.unwrap_or_else(|e| Err(std::io::Error::other(e)));
        self.store.close().await;
        result
    }
}

/// Whether cookies may go without `Secure`: only for plain http on a
/// loopback host, where browsers would otherwise drop them (a local
/// browser test, `cargo run` on a laptop). Everything else gets `Secure`.
pub fn loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.rsplit_once(':').map_or(authority, |(host, _)| host),
    };
    matches!(host, "localhost" | "127.0.0.1" | "::1")
}

/// Starts the service: validates the config, opens the database (creating
/// the tables), binds `config.bind` and serves in a background task.
pub async fn serve(config: Config) -> Result<Server, StartError> {
    config.validate()?;
    let listener = TcpListener::bind(config.bind)
        .await
        .map_err(|source| StartError::Bind {
            addr: config.bind,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| StartError::Bind {
        addr: config.bind,
        source,
    })?;
    let url = config.app_url.clone().unwrap_or_else(|| format!("http://{addr}"));

    // A retired key stays published while access tokens it signed may be
    // alive, and usable internally while its refresh tokens may be.
    let keys = keys::KeyStore::new(
        &config.signing,
        config.access_token_ttl.saturating_add(config.key_retire_margin),
        config.refresh_token_ttl,
    )?;
    let store = store::Store::connect(&config.database_url).await?;
    // Keys made by earlier rotations, by this instance or another.
    keys.reload(&store).await?;
    let tokens = tokens::Tokens::new(
        keys.clone(),
        url.clone(),
        config.access_token_ttl,
        config.refresh_token_ttl,
        config.one_time_token_ttl,
    );
    if !dpop_origin_is_bare(&url) {
        tracing::warn!(
            %url,
            "APP_URL has a path: DPoP proofs are checked against APP_URL followed by the request path, \
             and the resource routes refuse every DPoP request (503); set APP_URL to scheme://host[:port]"
        );
    }
    let nonces = if config.dpop_nonces {
        let lifetime = std::time::Duration::from_secs(config.dpop_nonce_lifetime.unsigned_abs());
        Some(rjose_axum::HmacNonces::new(
            keys::nonce_secret(&config.signing)?,
            lifetime,
        ))
    } else {
        None
    };
    let state = web::AppState {
        dpop: dpop::Dpop::new(&url, config.dpop_proof_max_age, nonces, store.clone()),
        store: store.clone(),
        tokens,
        secure_cookies: !loopback_http(&url),
        dev_mode: config.dev_mode,
        admin_emails: Arc::new(config.admin_emails.clone()),
        key_activation_delay: config.key_activation_delay,
        sign_in_throttle: throttle::SignInThrottle::new(config.sign_in_max_failures, config.sign_in_window),
    };
    if keys.alg() == rjose::Alg::ES256 && config.key_activation_delay < config.key_reload_interval + web::JWKS_MAX_AGE {
        tracing::warn!(
            activation_delay = config.key_activation_delay,
            reload_interval = config.key_reload_interval,
            jwks_max_age = web::JWKS_MAX_AGE,
            "KEY_ACTIVATION_DELAY is shorter than KEY_RELOAD_INTERVAL plus the JWKS cache lifetime: after a \
             rotation, other instances or third-party verifiers may meet tokens signed with a key they do not have yet"
        );
    }
    let key_upkeep = (keys.alg() == rjose::Alg::ES256).then(|| {
        tokio::spawn(maintain_keys(
            keys.clone(),
            store.clone(),
            config.key_reload_interval,
            config.key_rotation_interval.filter(|secs| *secs > 0),
            config.key_activation_delay,
        ))
    });

    let app = web::router(state);
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                // A dropped sender also means "stop".
                let _ = rx.await;
            })
            .await
    });
    tracing::info!(%url, alg = ?keys.alg(), database = %redact_url(&config.database_url), "auth service listening");
    Ok(Server {
        addr,
        url,
        shutdown: Some(tx),
        task,
        key_upkeep,
        store,
    })
}

/// ES256 only: reloads the keys every `reload_interval` seconds (other
/// instances may have rotated) and, with a rotation interval, rotates when
/// the database says the newest key is that old (see
/// [`KeyStore::rotate_if_due`](keys::KeyStore::rotate_if_due)).
async fn maintain_keys(
    keys: keys::KeyStore,
    store: store::Store,
    reload_interval: i64,
    rotation_interval: Option<i64>,
    activation_delay: i64,
) {
    let period = std::time::Duration::from_secs(reload_interval.max(1).unsigned_abs());
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        ticks.tick().await;
        if let Some(interval) = rotation_interval {
            match keys.rotate_if_due(&store, interval, activation_delay).await {
                Ok(Some(rotated)) => {
                    tracing::info!(kid = %rotated.kid, signs_from = rotated.signs_from, "signing key rotated (timed)");
                }
                Ok(None) => {}
                Err(e) => tracing::error!(error = %e, "timed key rotation failed"),
            }
        }
        if let Err(e) = keys.reload(&store).await {
            tracing::warn!(error = %e, "signing keys not reloaded; keeping the ones loaded");
        }
    }
}

/// Whether `url` is `scheme://authority` only, as a DPoP `htu` origin must be.
fn dpop_origin_is_bare(url: &str) -> bool {
    url.split_once("://")
        .is_some_and(|(_, rest)| !rest.trim_end_matches('/').contains(['/', '?', '#']))
}

/// The URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_loopback_drops_secure() {
        assert!(loopback_http("http://127.0.0.1:3000"));
        assert!(loopback_http("http://localhost"));
        assert!(loopback_http("http://[::1]:8080/"));
        assert!(!loopback_http("https://localhost:3000"));
        assert!(!loopback_http("http://example.com"));
        assert!(!loopback_http("http://localhost.example.com"));
    }

    #[test]
    fn dpop_origin_is_scheme_and_authority() {
        assert!(dpop_origin_is_bare("https://auth.example"));
        assert!(dpop_origin_is_bare("http://127.0.0.1:3000/"));
        assert!(!dpop_origin_is_bare("https://example.com/auth"));
        assert!(!dpop_origin_is_bare("example.com"));
    }

    #[test]
    fn database_passwords_stay_out_of_logs() {
        assert_eq!(
            redact_url("postgres://me:pw@127.0.0.1/db"),
            "postgres://me:***@127.0.0.1/db"
        );
        assert_eq!(redact_url("sqlite://a.db?mode=rwc"), "sqlite://a.db?mode=rwc");
    }
}
