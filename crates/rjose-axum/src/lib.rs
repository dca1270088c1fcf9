//! # rjose-axum
//!
//! JWT authentication for tower and axum, on top of [`rjose`]: what
//! `jwtVerify` inside a `middleware.ts` does for a JavaScript server, for
//! the Rust server stack.
//!
//! [`JwtAuthLayer`] finds the token of each request (an `Authorization:
//! Bearer` header, a cookie, or a header of your choice), verifies its
//! signature and claims with a [`Verifier`] (a key, a
//! [`LocalJwkSet`](rjose::LocalJwkSet), a remote JWK Set, any
//! [`AsyncKeySource`](rjose::AsyncKeySource) such as per-tenant keys in a
//! database, or one verifier per issuer), and either hands the claims to the handler or answers for it:
//! `401` with a `WWW-Authenticate` header as RFC 6750 says for APIs, a
//! redirect to the sign-in page for browser pages, a gRPC status for gRPC
//! services.
//!
//! ```
//! use axum::{Router, routing::get};
//! use rjose::{Alg, JsonObject, Key, jwt::VerifyOptions};
//! use rjose_axum::{Claims, JwtAuthLayer, Require, RouteClass, TokenSource, Verifier};
//!
//! async fn me(claims: Claims<JsonObject>) -> String {
//!     format!("hello {}", claims.registered().sub.as_deref().unwrap_or("?"))
//! }
//!
//! let secret = Key::from_secret(b"at least thirty-two bytes of secret!")?;
//! let options = VerifyOptions::new()
//!     .algorithms([Alg::HS256])
//!     .issuer("https://app.example")
//!     .audience("api");
//! let auth = JwtAuthLayer::<JsonObject>::new(Verifier::new(secret, options))
//!     .token_sources([TokenSource::Bearer, TokenSource::cookie("access_token")])
//!     .public_paths(["/", "/sign-in", "/api/auth/*"])
//!     .route_class("/dashboard*", RouteClass::page("/sign-in"))
//!     .forward_header("x-user-id", |claims| claims.registered().sub.clone());
//!
//! let app: Router = Router::new()
//!     .route("/api/me", get(me))
//!     .route("/api/admin", get(|| async { "admin only" }).route_layer(Require::<JsonObject>::role("admin")))
//!     .layer(auth);
//! # Ok::<(), rjose::Error>(())
//! ```
//!
//! In front of a tonic gRPC server, failures are answered as gRPC
//! statuses (`UNAUTHENTICATED`, `PERMISSION_DENIED`...), and tonic
//! handlers find the claims in `request.extensions()`:
//!
//! ```
//! use rjose::{Alg, JsonObject, Key, jwt::VerifyOptions};
//! use rjose_axum::{JwtAuthLayer, RouteClass, Verifier};
//!
//! let secret = Key::from_secret(b"at least thirty-two bytes of secret!")?;
//! let auth = JwtAuthLayer::<JsonObject>::new(Verifier::new(secret, VerifyOptions::new().algorithms([Alg::HS256])))
//!     .default_class(RouteClass::Grpc);
//! let (_, health_service) = tonic_health::server::health_reporter();
//! let router = tonic::transport::Server::builder().layer(auth).add_service(health_service);
//! # drop(router);
//! # Ok::<(), rjose::Error>(())
//! ```
//!
//! Tokens bound to the client's key with DPoP (RFC 9449) are taken with
//! [`JwtAuthLayer::dpop`] and a [`DpopConfig`]: [`DpopMode::Allowed`]
//! alongside bearer tokens or [`DpopMode::Required`], a replay store
//! (in memory, or any [`AsyncJtiStore`]), server nonces
//! ([`NonceSource`], [`HmacNonces`]); handlers read the proof with
//! [`VerifiedDpop`]. A DPoP-bound token is never accepted as a bearer
//! token, whatever the mode.
//!
//! Tokens are checked with the [`VerifyOptions`](rjose::jwt::VerifyOptions)
//! each [`Verifier`] is given, defaults included: a token without `exp`
//! is refused unless the options say
//! [`allow_missing_exp`](rjose::jwt::VerifyOptions::allow_missing_exp), and
//! one that names an audience is refused unless the options name it with
//! [`audience`](rjose::jwt::VerifyOptions::audience) (or say
//! [`allow_any_audience`](rjose::jwt::VerifyOptions::allow_any_audience)).
//!
//! Every rejection is logged (with [`tracing`]) with its `rjose` error code
//! and full message; the client sees the code and a generic description,
//! never the key or the values the server expected.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod claims;
mod dpop;
mod future;
mod guard;
mod layer;
mod paths;
mod rejection;
mod revocation;
mod token;
mod verifier;

pub use claims::{AuthorizationClaims, Claims};
pub use dpop::{AsyncJtiStore, DpopConfig, DpopMode, HmacNonces, JtiFuture, NonceSource, VerifiedDpop};
pub use future::AuthFuture;
pub use guard::{Require, RequireService};
pub use layer::{JwtAuthLayer, JwtAuthService};
pub use paths::PathPattern;
pub use rejection::{AuthRejection, RouteClass};
pub use revocation::{BoxError, RevocationCheck, RevocationFuture};
pub use token::TokenSource;
pub use verifier::{Keys, Verifier};

/// The body of responses from [`JwtAuthService`] and [`RequireService`]:
/// axum's body type, whatever the inner service's body is. An inner axum
/// service's body passes through as it is (no extra box); another body
/// type is boxed once, as axum itself would box it.
pub use axum_core::body::Body;
