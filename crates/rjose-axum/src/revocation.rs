//! The optional revocation check, run after a token verified.

use std::future::Future;
use std::pin::Pin;

use crate::Claims;

/// Any error, as tower and axum carry them.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What [`RevocationCheck::is_revoked`] returns.
pub type RevocationFuture = Pin<Box<dyn Future<Output = Result<bool, BoxError>> + Send>>;

/// Decides whether a verified token has been revoked, typically by looking
/// its `jti` (or a session id claim) up in a store shared by every
/// instance of the service.
///
/// `Ok(true)` rejects the request as `invalid_token` with the code
/// `ERR_JWT_REVOKED`. An `Err` (the store is down) fails closed: the request
/// is answered `503 Service Unavailable`, never let through.
///
/// Implemented for every `Fn(Claims<T>) -> impl Future<Output = Result<bool, BoxError>>`:
///
/// ```
/// use std::{collections::HashSet, sync::{Arc, Mutex}};
/// use rjose::JsonObject;
/// use rjose_axum::{BoxError, Claims, JwtAuthLayer, Verifier};
///
/// let revoked: Arc<Mutex<HashSet<String>>> = Arc::default();
/// # let verifier = Verifier::new(rjose::Key::from_secret([7; 32])?, rjose::jwt::VerifyOptions::new());
/// let layer = JwtAuthLayer::<JsonObject>::new(verifier).revocation(move |claims: Claims<JsonObject>| {
///     let revoked = revoked.clone();
///     async move {
///         let jti = claims.registered().jti.as_deref().ok_or("token without jti")?;
///         Ok::<bool, BoxError>(revoked.lock().map_err(|_| "poisoned")?.contains(jti))
///     }
/// });
/// # Ok::<(), rjose::Error>(())
/// ```
pub trait RevocationCheck<T>: Send + Sync + 'static {
    /// Whether the token behind `claims` is revoked.
    fn is_revoked(&self, claims: Claims<T>) -> RevocationFuture;
}

impl<T, F, Fut> RevocationCheck<T> for F
where
    F: Fn(Claims<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<bool, BoxError>> + Send + 'static,
{
    fn is_revoked(&self, claims: Claims<T>) -> RevocationFuture {
        Box::pin(self(claims))
    }
}
