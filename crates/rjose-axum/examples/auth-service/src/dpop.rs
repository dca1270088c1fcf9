//! DPoP (RFC 9449): tokens bound to a key the client holds.
//!
//! A client that sends a `DPoP` proof to `POST /api/auth/sign-in` gets a
//! DPoP-bound pair (`token_type: "DPoP"`, the access token's `cnf.jkt` is
//! the proof key's thumbprint) and a session bound to that key: every
//! refresh needs a proof signed with it. The resource routes take
//! `Authorization: DPoP` with a proof as well as bearer tokens, never a
//! bound token as a bearer one. One [`Dpop`] is shared by the token
//! endpoints and the rjose-axum layers: the same `htu` origin (`APP_URL`),
//! proof age, server nonces and replay store (the `dpop_jti` table, so
//! every instance sharing the database refuses a proof any of them saw).
//!
//! Browsers stay on bearer tokens in cookies: they have no DPoP key, and a
//! DPoP-bound token in a cookie would be refused anyway.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Json;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rjose::dpop::{DpopFailure, DpopVerifyOptions, JtiStatus, VerifiedProof, verify_proof};
use rjose_axum::{AsyncJtiStore, DpopConfig, DpopMode, HmacNonces, JtiFuture, NonceSource};
use serde_json::json;

use crate::store::{Store, StoreError};

/// The request header carrying the proof (RFC 9449 section 4.1).
pub const DPOP: HeaderName = HeaderName::from_static("dpop");
/// The response header carrying the server nonce (RFC 9449 section 8).
pub const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// Seconds between two purges of expired rows of `dpop_jti`, per instance.
const PURGE_INTERVAL: i64 = 60;

/// The replay store over the `dpop_jti` table: an atomic insert decides
/// whether a proof is fresh, and expired rows are purged on the way, at
/// most once a minute per instance (the service has no other periodic
/// task that runs for HS256 too).
#[derive(Clone, Debug)]
pub struct SqlJtiStore {
    store: Store,
    last_purge: Arc<AtomicI64>,
}

impl SqlJtiStore {
    /// The store over `store`'s `dpop_jti` table.
    pub fn new(store: Store) -> Self {
        SqlJtiStore {
            store,
            last_purge: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Records `key` until `expires_at` unless a live record exists.
    pub async fn record(&self, key: &str, expires_at: i64, now: i64) -> Result<JtiStatus, StoreError> {
        let last = self.last_purge.load(Ordering::Relaxed);
        // Whoever wins the exchange purges; the others go on.
        if now.saturating_sub(last) >= PURGE_INTERVAL
            && self
                .last_purge
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            match self.store.purge_dpop_proofs(now).await {
                Ok(purged) => tracing::debug!(purged, "expired DPoP proofs purged"),
                // The rows only take room; the insert below still decides.
                Err(e) => tracing::warn!(error = %e, "expired DPoP proofs not purged"),
            }
        }
        Ok(if self.store.record_dpop_proof(key, expires_at, now).await? {
            JtiStatus::Fresh
        } else {
            JtiStatus::Replayed
        })
    }
}

impl AsyncJtiStore for SqlJtiStore {
    fn insert_if_absent_async<'a>(&'a self, key: &'a str, expires_at: i64, now: i64) -> JtiFuture<'a> {
        Box::pin(async move {
            // rjose has no error for a store out of reach; the layer answers
            // any error that is not a DPoP refusal with 503 and logs it.
            self.record(key, expires_at, now)
                .await
                .map_err(|e| rjose::Error::InvalidArgument(format!("DPoP replay store: {e}")))
        })
    }
}

/// One [`HmacNonces`] shared by the token endpoints and the layers.
#[derive(Clone, Debug)]
struct SharedNonces(Arc<HmacNonces>);

impl NonceSource for SharedNonces {
    fn current(&self) -> String {
        self.0.current()
    }

    fn is_valid(&self, nonce: &str) -> bool {
        self.0.is_valid(nonce)
    }
}

/// The service's DPoP policy; cheap to clone.
#[derive(Clone, Debug)]
pub struct Dpop {
    /// `APP_URL`: what `htu` is checked against, never a request header.
    origin: Arc<str>,
    max_age: u64,
    nonces: Option<SharedNonces>,
    replays: SqlJtiStore,
}

impl Dpop {
    /// Proofs for `origin` (the public `APP_URL`) up to `max_age` seconds
    /// old, with `nonces` if given, recorded in `store`.
    pub fn new(origin: &str, max_age: i64, nonces: Option<HmacNonces>, store: Store) -> Self {
        Dpop {
            origin: origin.trim_end_matches('/').into(),
            max_age: max_age.unsigned_abs(),
            nonces: nonces.map(|n| SharedNonces(Arc::new(n))),
            replays: SqlJtiStore::new(store),
        }
    }

    /// The settings of a resource layer in `mode`: the same origin, age,
    /// nonces and replay store as the token endpoints.
    pub fn layer(&self, mode: DpopMode) -> DpopConfig {
        let config = DpopConfig::new(mode)
            .max_age(self.max_age)
            .async_replay_store(self.replays.clone())
            .public_origin(&self.origin);
        match &self.nonces {
            Some(nonces) => config.nonces(nonces.clone()),
            None => config,
        }
    }

    /// The nonce to hand out with a response, when nonces are on.
    pub fn fresh_nonce(&self) -> Option<HeaderValue> {
        let nonces = self.nonces.as_ref()?;
        HeaderValue::try_from(nonces.current()).ok()
    }

    /// The proof of a `POST` to the token endpoint at `path`, if the request
    /// has one: verified against `APP_URL` + `path` (no `ath`: there is no
    /// access token yet), then recorded, so it works once.
    pub async fn token_request(&self, headers: &HeaderMap, path: &str) -> Result<Option<VerifiedProof>, DpopError> {
        let mut proofs = headers.get_all(DPOP).iter();
        let proof = match (proofs.next(), proofs.next()) {
            (None, _) => return Ok(None),
            (Some(_), Some(_)) => return Err(self.refuse(DpopFailure::Malformed, "more than one DPoP header")),
            (Some(proof), None) => proof
                .to_str()
                .map_err(|_| self.refuse(DpopFailure::Malformed, "the DPoP header is not one proof"))?,
        };
        let mut options = DpopVerifyOptions::new("POST", format!("{}{path}", self.origin)).max_age(self.max_age);
        if let Some(nonces) = &self.nonces {
            let nonces = nonces.clone();
            options = options.nonce_check(move |nonce| nonces.is_valid(nonce));
        }
        let verified = match verify_proof(proof.trim(), &options) {
            Ok(verified) => verified,
            Err(rjose::Error::DpopInvalid { reason, message }) => return Err(self.refuse(reason, &message)),
            // Bad options: the service's fault, not the client's.
            Err(other) => return Err(DpopError::Unavailable(other.to_string())),
        };
        match self
            .replays
            .record(
                verified.replay_key(),
                verified.replay_expires_at(),
                verified.verified_at(),
            )
            .await?
        {
            JtiStatus::Fresh => Ok(Some(verified)),
            JtiStatus::Replayed => Err(self.refuse(DpopFailure::Replayed, "the proof's jti was used before")),
        }
    }

    fn refuse(&self, reason: DpopFailure, detail: &str) -> DpopError {
        tracing::info!(code = reason.code(), detail, "DPoP proof refused at the token endpoint");
        DpopError::Refused(TokenRefusal::proof(reason, self))
    }
}

/// Why a token request's proof was not taken.
#[derive(Debug, thiserror::Error)]
pub enum DpopError {
    /// The client's fault: answered `400` (see [`TokenRefusal`]).
    #[error("DPoP proof refused: {}", .0.code)]
    Refused(TokenRefusal),
    /// The replay store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The DPoP settings are unusable.
    #[error("DPoP settings unusable: {0}")]
    Unavailable(String),
}

/// A token endpoint's answer to a refused DPoP request (RFC 9449
/// sections 5 and 8): `400 {"error", "error_description", "code"}`, and a
/// `DPoP-Nonce` header with `use_dpop_nonce`.
#[derive(Debug)]
pub struct TokenRefusal {
    error: &'static str,
    code: &'static str,
    description: &'static str,
    nonce: Option<HeaderValue>,
}

impl TokenRefusal {
    fn proof(reason: DpopFailure, dpop: &Dpop) -> Self {
        let error = match reason {
            DpopFailure::NonceMissing | DpopFailure::NonceMismatch => "use_dpop_nonce",
            // At the token endpoint every other failure is the proof's,
            // whatever the core would answer at a resource server.
            _ => "invalid_dpop_proof",
        };
        TokenRefusal {
            error,
            code: reason.code(),
            description: reason.description(),
            nonce: (error == "use_dpop_nonce").then(|| dpop.fresh_nonce()).flatten(),
        }
    }

    /// The refusal of a refresh of a DPoP-bound session without a proof.
    pub fn proof_required() -> TokenRefusal {
        TokenRefusal {
            error: "invalid_dpop_proof",
            code: "ERR_AUTH_DPOP_REQUIRED",
            description: "the session is DPoP-bound: a refresh needs a DPoP proof signed with its key",
            nonce: None,
        }
    }

    /// The refusal of a refresh with a proof signed by another key than
    /// the session's (RFC 9449 section 5: the refresh token is bound to
    /// the key, so the grant is invalid).
    pub fn key_mismatch() -> TokenRefusal {
        TokenRefusal {
            error: "invalid_grant",
            code: DpopFailure::BindingMismatch.code(),
            description: "the refresh token is bound to another DPoP key",
            nonce: None,
        }
    }
}

impl IntoResponse for TokenRefusal {
    fn into_response(self) -> Response {
        let body = Json(json!({
            "error": self.error,
            "error_description": self.description,
            "code": self.code,
        }));
        let mut response = (StatusCode::BAD_REQUEST, body).into_response();
        if let Some(nonce) = self.nonce {
            response.headers_mut().insert(DPOP_NONCE, nonce);
        }
        response
    }
}
