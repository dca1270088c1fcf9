//! Guards: per-route requirements on the verified claims.

use std::fmt;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Request, Response};
use rjose::JsonObject;
use tower_layer::Layer;
use tower_service::Service;

use crate::claims::AuthorizationClaims;
use crate::future::AuthFuture;
use crate::rejection::{AuthContext, Failure, layer_missing};
use crate::revocation::BoxError;
use crate::{Body, Claims};

type Check<T> = Arc<dyn Fn(&Claims<T>) -> bool + Send + Sync>;

/// A layer that lets a request through only if its verified claims pass a
/// check: a role, a scope, or any predicate. Put it on routes behind
/// [`JwtAuthLayer`](crate::JwtAuthLayer) (axum: `route_layer`); a request
/// that fails it gets `403` with `error="insufficient_scope"` on API routes
/// (RFC 6750 section 3.1), a plain `403` page on page routes.
///
/// ```
/// use axum::{Router, routing::get};
/// use rjose::JsonObject;
/// use rjose_axum::{Claims, Require};
///
/// let admin: Router = Router::new()
///     .route("/api/admin/users", get(|| async { "..." }))
///     .route_layer(Require::<JsonObject>::role("admin"));
/// let reports: Router = Router::new()
///     .route("/api/reports", get(|| async { "..." }))
///     .route_layer(Require::<JsonObject>::scope("read:reports"));
/// let verified_email: Router = Router::new()
///     .route("/api/billing", get(|| async { "..." }))
///     .route_layer(Require::claims(|c: &Claims<JsonObject>| c.get("email_verified") == Some(&true.into())));
/// ```
pub struct Require<T = JsonObject> {
    check: Check<T>,
    scope: Option<Arc<str>>,
}

impl<T: AuthorizationClaims + 'static> Require<T> {
    /// Requires a role ([`AuthorizationClaims::has_role`]).
    pub fn role(role: impl Into<String>) -> Self {
        let role = role.into();
        Require {
            check: Arc::new(move |claims: &Claims<T>| claims.has_role(&role)),
            scope: None,
        }
    }

    /// Requires a scope ([`AuthorizationClaims::has_scope`]); the
    /// challenge of a refusal names it (`scope="..."`).
    pub fn scope(scope: impl Into<String>) -> Self {
        let scope = scope.into();
        let named: Arc<str> = Arc::from(scope.as_str());
        Require {
            check: Arc::new(move |claims: &Claims<T>| claims.has_scope(&scope)),
            scope: Some(named),
        }
    }
}

impl<T> Require<T> {
    /// Requires `predicate` to hold for the claims.
    pub fn claims(predicate: impl Fn(&Claims<T>) -> bool + Send + Sync + 'static) -> Self {
        Require {
            check: Arc::new(predicate),
            scope: None,
        }
    }
}

impl<T> Clone for Require<T> {
    fn clone(&self) -> Self {
        Require {
            check: Arc::clone(&self.check),
            scope: self.scope.clone(),
        }
    }
}

impl<T> fmt::Debug for Require<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Require")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

impl<S, T> Layer<S> for Require<T> {
    type Service = RequireService<S, T>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireService {
            inner,
            require: self.clone(),
        }
    }
}

/// The service [`Require`] wraps around a route.
pub struct RequireService<S, T = JsonObject> {
    inner: S,
    require: Require<T>,
}

impl<S: Clone, T> Clone for RequireService<S, T> {
    fn clone(&self) -> Self {
        RequireService {
            inner: self.inner.clone(),
            require: self.require.clone(),
        }
    }
}

impl<S: fmt::Debug, T> fmt::Debug for RequireService<S, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequireService")
            .field("inner", &self.inner)
            .field("require", &self.require)
            .finish()
    }
}

impl<S, T, B, ResBody> Service<Request<B>> for RequireService<S, T>
where
    S: Service<Request<B>, Response = Response<ResBody>>,
    ResBody: http_body::Body<Data = Bytes> + Send + 'static,
    ResBody::Error: Into<BoxError>,
    T: Send + Sync + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = AuthFuture<S::Future, S::Error>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let extensions = request.extensions();
        let refusal = match (extensions.get::<Claims<T>>(), extensions.get::<AuthContext>()) {
            (Some(claims), _) if (self.require.check)(claims) => None,
            (Some(claims), _) => Some(claims.context().reject(Failure::Forbidden {
                scope: self.require.scope.clone(),
            })),
            (None, Some(context)) => Some(context.reject(Failure::Missing)),
            (None, None) => Some(layer_missing()),
        };
        match refusal {
            None => AuthFuture::inner(self.inner.call(request), None),
            Some(rejection) => AuthFuture::refused(rejection.into_http()),
        }
    }
}
