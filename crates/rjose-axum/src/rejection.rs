//! How a request that fails authentication is answered: RFC 6750 for APIs,
//! a redirect to the sign-in page for browser pages, a gRPC status for gRPC
//! services.

use std::fmt;
use std::sync::Arc;

use http::header::{CONTENT_TYPE, LOCATION, WWW_AUTHENTICATE};
use http::{HeaderValue, Response, StatusCode};

use crate::Body;
use crate::dpop::{DpopChallenge, DpopMode};
use rjose::dpop::DpopFailure;

/// How failures on a group of routes are answered.
///
/// ```
/// use rjose_axum::RouteClass;
///
/// let api = RouteClass::Api;
/// let pages = RouteClass::page("/sign-in");
/// let grpc = RouteClass::Grpc;
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RouteClass {
    /// Machine clients. A missing or bad token is `401 Unauthorized` with
    /// `WWW-Authenticate: Bearer error="invalid_token",
    /// error_description="..."` and a JSON body; a failed guard is `403`
    /// with `insufficient_scope`; unreadable credentials are `400` with
    /// `invalid_request` (RFC 6750 section 3.1).
    ///
    /// On a layer that takes DPoP ([`DpopMode`](crate::DpopMode)), the
    /// challenges follow RFC 9449 section 7.1: `DPoP` with the accepted
    /// `algs` (and `Bearer` too in `Allowed` mode), the error on the scheme
    /// the request used (`invalid_dpop_proof`, `use_dpop_nonce` with a
    /// `DPoP-Nonce` header, `invalid_token`). A full or unreachable replay
    /// store is `503` without a challenge.
    #[default]
    Api,
    /// Browser pages. A missing or bad token is `303 See Other` to the
    /// sign-in URL with the reason as `error`:
    /// `?error=session_expired` for an expired token, `sign_in_required`
    /// without one, `session_revoked`, `invalid_session` otherwise. A
    /// failed guard is a plain `403 Forbidden` page. DPoP failures are
    /// `invalid_session` (browsers do not send DPoP proofs).
    Page {
        /// Where to send the browser, e.g. `/sign-in`.
        sign_in: Arc<str>,
    },
    /// gRPC services (tonic and others). Every failure is a trailers-only
    /// gRPC response: HTTP `200`, `content-type: application/grpc`, a
    /// `grpc-status` and a `grpc-message` carrying the code and a generic
    /// description, which clients surface as their status. A missing, bad
    /// or revoked token is `UNAUTHENTICATED` (16), a failed guard
    /// `PERMISSION_DENIED` (7), keys or revocation state out of reach
    /// `UNAVAILABLE` (14). DPoP failures are `UNAUTHENTICATED` (a full
    /// replay store `UNAVAILABLE`), without `WWW-Authenticate` challenges;
    /// a missing or stale nonce still comes with the `DPoP-Nonce` header.
    Grpc,
}

impl RouteClass {
    /// Pages that redirect to `sign_in` when the session is missing or bad.
    pub fn page(sign_in: impl Into<Arc<str>>) -> Self {
        RouteClass::Page {
            sign_in: sign_in.into(),
        }
    }
}

/// What the layer (or a guard) found wrong with a request.
#[derive(Debug)]
pub(crate) enum Failure {
    /// No token in any source.
    Missing,
    /// The credentials could not be read.
    Malformed(&'static str),
    /// The token did not verify.
    Invalid(rjose::Error),
    /// Its issuer is not one the layer accepts.
    UnknownIssuer,
    /// The revocation check said so.
    Revoked,
    /// Keys or revocation state could not be had; not the client's fault.
    Unavailable(&'static str),
    /// A guard refused the verified claims.
    Forbidden { scope: Option<Arc<str>> },
    /// An extractor ran without the layer in front of it.
    LayerMissing,
    /// The DPoP proof, or the binding of the token to its key, failed;
    /// the detail is for the log only (it may quote the proof).
    Dpop(DpopFailure, String),
    /// A bearer token where the route requires DPoP.
    DpopRequired,
    /// A DPoP-bound token presented as a bearer token (RFC 9449 section 7.2).
    BoundAsBearer,
}

impl Failure {
    pub(crate) fn from_verification(error: rjose::Error) -> Self {
        match error {
            rjose::Error::JwksTimeout(_) | rjose::Error::JwksFetch { .. } | rjose::Error::JwksInvalid(_) => {
                Failure::Unavailable(error.code())
            }
            other => Failure::Invalid(other),
        }
    }

    /// A failure of the proof, of the binding, or of the replay store.
    pub(crate) fn from_dpop(error: rjose::Error) -> Self {
        match error {
            rjose::Error::DpopInvalid {
                reason: DpopFailure::ReplayCacheFull,
                ..
            } => Failure::Unavailable(DpopFailure::ReplayCacheFull.code()),
            rjose::Error::DpopInvalid { reason, message } => Failure::Dpop(reason, message),
            other => {
                // Bad settings (a MAC among the algorithms, a span that
                // does not parse) are reported as invalid arguments.
                tracing::warn!(error = %other, "the DPoP settings are not usable");
                Failure::Unavailable("ERR_AUTH_DPOP_MISCONFIGURED")
            }
        }
    }

    /// A failure of the replay store: a replay, a full store, or a store
    /// that could not answer.
    pub(crate) fn from_replay_store(error: rjose::Error) -> Self {
        match error {
            rjose::Error::DpopInvalid { .. } => Failure::from_dpop(error),
            other => {
                tracing::warn!(error = %other, "the DPoP replay store failed; refusing the request");
                Failure::Unavailable("ERR_AUTH_REPLAY_STORE_UNAVAILABLE")
            }
        }
    }

    /// The OAuth error code the API challenge carries, if any.
    fn oauth_error(&self) -> Option<&'static str> {
        match self {
            Failure::Malformed(_) => Some("invalid_request"),
            Failure::Forbidden { .. } => Some("insufficient_scope"),
            Failure::Unavailable(_) | Failure::LayerMissing => None,
            // RFC 6750 section 3.1: a request with no credentials gets the
            // challenge without an error code.
            Failure::Missing => None,
            Failure::Dpop(reason, _) => reason.oauth_error(),
            _ => Some("invalid_token"),
        }
    }

    /// The stable code: `rjose`'s for token errors, this crate's otherwise.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Failure::Missing => "ERR_JWT_MISSING",
            Failure::Malformed(_) => "ERR_AUTH_INVALID_REQUEST",
            Failure::Invalid(e) => e.code(),
            Failure::UnknownIssuer => "ERR_JWT_CLAIM_VALIDATION_FAILED",
            Failure::Revoked => "ERR_JWT_REVOKED",
            Failure::Unavailable(code) => code,
            Failure::Forbidden { .. } => "ERR_AUTH_INSUFFICIENT_SCOPE",
            Failure::LayerMissing => "ERR_AUTH_LAYER_MISSING",
            Failure::Dpop(reason, _) => reason.code(),
            Failure::DpopRequired => "ERR_AUTH_DPOP_REQUIRED",
            Failure::BoundAsBearer => "ERR_AUTH_DPOP_BOUND_AS_BEARER",
        }
    }

    /// What the client is told. Never the key, the expected values or the
    /// token's claims: only which check failed.
    fn description(&self) -> String {
        match self {
            Failure::Missing => "no access token".into(),
            Failure::Malformed(why) => (*why).into(),
            Failure::Invalid(e) => match e {
                rjose::Error::JwtExpired { claim, .. } if claim == "iat" => "the token is older than allowed".into(),
                rjose::Error::JwtExpired { .. } => "the token has expired".into(),
                rjose::Error::JwtClaimValidationFailed { claim, .. } => {
                    format!("the token's {} check failed", quotable(claim))
                }
                rjose::Error::JwsSignatureVerificationFailed => "signature verification failed".into(),
                rjose::Error::AlgNotAllowed { .. } | rjose::Error::InvalidKeyUse(_) | rjose::Error::NotSupported(_) => {
                    "the token's algorithm is not accepted".into()
                }
                rjose::Error::JwksNoMatchingKey | rjose::Error::JwksMultipleMatchingKeys => {
                    "no key matches the token".into()
                }
                _ => "the token is malformed".into(),
            },
            Failure::UnknownIssuer => "the token's issuer is not accepted".into(),
            Failure::Revoked => "the token has been revoked".into(),
            Failure::Unavailable(_) => "the token cannot be checked right now".into(),
            Failure::Forbidden { .. } => "the token does not grant access to this resource".into(),
            Failure::LayerMissing => "authentication is not configured for this route".into(),
            Failure::Dpop(reason, _) => reason.description().into(),
            Failure::DpopRequired => "this resource requires the DPoP scheme".into(),
            Failure::BoundAsBearer => "a DPoP-bound token must be presented with the DPoP scheme".into(),
        }
    }

    /// The `error` of a sign-in redirect.
    fn page_reason(&self) -> &'static str {
        match self {
            Failure::Missing => "sign_in_required",
            Failure::Invalid(rjose::Error::JwtExpired { .. }) => "session_expired",
            Failure::Revoked => "session_revoked",
            _ => "invalid_session",
        }
    }

    fn log(&self) {
        let code = self.code();
        match self {
            Failure::Unavailable(_) | Failure::LayerMissing => {
                tracing::warn!(code, detail = %self, "request not authenticated");
            }
            _ => tracing::debug!(code, detail = %self, "request not authenticated"),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Missing => f.write_str("no token in any configured source"),
            Failure::Malformed(why) => f.write_str(why),
            Failure::Invalid(e) => write!(f, "{e}"),
            Failure::UnknownIssuer => f.write_str("the token's \"iss\" names no configured issuer"),
            Failure::Revoked => f.write_str("the revocation check reports the token revoked"),
            Failure::Unavailable(what) => write!(f, "verification could not complete: {what}"),
            Failure::Forbidden { scope: Some(scope) } => write!(f, "guard refused the claims (needs {scope})"),
            Failure::Forbidden { scope: None } => f.write_str("guard refused the claims"),
            Failure::LayerMissing => f.write_str(
                "a Claims extractor or guard found no claims of its type: either no JwtAuthLayer runs in front \
                 of it, or the layer verifies into another claims type than the one asked for",
            ),
            Failure::Dpop(reason, detail) => write!(f, "{reason}: {detail}"),
            Failure::DpopRequired => f.write_str("a token came without the DPoP scheme on a route that requires it"),
            Failure::BoundAsBearer => f.write_str("a token with \"cnf\".\"jkt\" came as a bearer token"),
        }
    }
}

/// Keeps only what an RFC 7230 quoted-string can carry without escapes.
fn quotable(text: &str) -> String {
    text.chars()
        .filter(|c| (c.is_ascii_graphic() && *c != '"' && *c != '\\') || *c == ' ')
        .collect()
}

/// `grpc-message` is percent-encoded: every byte outside printable ASCII,
/// and `%` itself, as `%XX` (gRPC over HTTP/2, "Responses").
fn grpc_percent_encode(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (0x20..=0x7e).contains(&byte) && byte != b'%' {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// The response that refuses a request, and why.
///
/// Returned by the [`Claims`](crate::Claims) extractor; the layer and the
/// guards answer with the same responses.
pub struct AuthRejection {
    failure: Failure,
    context: AuthContext,
}

impl AuthRejection {
    pub(crate) fn new(failure: Failure, context: AuthContext) -> Self {
        AuthRejection { failure, context }
    }

    /// The stable error code: `rjose`'s (`ERR_JWT_EXPIRED`,
    /// `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`...) when the token failed,
    /// or one of this crate's: `ERR_JWT_MISSING`, `ERR_JWT_REVOKED`,
    /// `ERR_AUTH_INVALID_REQUEST`, `ERR_AUTH_INSUFFICIENT_SCOPE`,
    /// `ERR_AUTH_LAYER_MISSING`; for DPoP, the core's `ERR_DPOP_...` codes
    /// (one per [`DpopFailure`]) and `ERR_AUTH_DPOP_REQUIRED`,
    /// `ERR_AUTH_DPOP_BOUND_AS_BEARER`, `ERR_AUTH_DPOP_MISCONFIGURED`,
    /// `ERR_AUTH_REPLAY_STORE_UNAVAILABLE`.
    pub fn code(&self) -> &'static str {
        self.failure.code()
    }

    /// The HTTP status the rejection answers with: always `200 OK` on
    /// [`RouteClass::Grpc`] routes, whose status is in
    /// [`grpc_status`](Self::grpc_status).
    pub fn status(&self) -> StatusCode {
        match (&self.failure, &self.context.class) {
            (_, RouteClass::Grpc) => StatusCode::OK,
            (Failure::Unavailable(_), _) => StatusCode::SERVICE_UNAVAILABLE,
            (Failure::LayerMissing, _) => StatusCode::INTERNAL_SERVER_ERROR,
            (Failure::Forbidden { .. }, _) => StatusCode::FORBIDDEN,
            (_, RouteClass::Page { .. }) => StatusCode::SEE_OTHER,
            (Failure::Malformed(_), RouteClass::Api) => StatusCode::BAD_REQUEST,
            (_, RouteClass::Api) => StatusCode::UNAUTHORIZED,
        }
    }

    /// The gRPC status code that answers this failure on
    /// [`RouteClass::Grpc`] routes: `16` UNAUTHENTICATED, `7`
    /// PERMISSION_DENIED, `14` UNAVAILABLE, or `13` INTERNAL for an
    /// extractor or guard with no layer in front of it. That last one
    /// cannot know its route's class (the layer sets it), so it is answered
    /// as an API `500`.
    pub fn grpc_status(&self) -> u8 {
        match self.failure {
            Failure::Forbidden { .. } => 7,
            Failure::Unavailable(_) => 14,
            Failure::LayerMissing => 13,
            Failure::Missing
            | Failure::Malformed(_)
            | Failure::Invalid(_)
            | Failure::UnknownIssuer
            | Failure::Revoked
            | Failure::Dpop(..)
            | Failure::DpopRequired
            | Failure::BoundAsBearer => 16,
        }
    }

    /// The response, with a body any `http_body::Body` user can take.
    pub(crate) fn into_http(self) -> Response<Body> {
        self.failure.log();
        let status = self.status();
        let mut response = Response::new(Body::empty());
        *response.status_mut() = status;
        match (&self.context.class, status) {
            (RouteClass::Page { sign_in }, StatusCode::SEE_OTHER) => {
                let separator = if sign_in.contains('?') { '&' } else { '?' };
                let query = form_urlencoded::Serializer::new(String::new())
                    .append_pair("error", self.failure.page_reason())
                    .finish();
                if let Ok(location) = HeaderValue::from_str(&format!("{sign_in}{separator}{query}")) {
                    response.headers_mut().insert(LOCATION, location);
                }
            }
            (RouteClass::Page { .. }, _) => {
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
                *response.body_mut() = Body::from(status.canonical_reason().unwrap_or("Error"));
            }
            (RouteClass::Api, _) => self.api_response(&mut response),
            (RouteClass::Grpc, _) => self.grpc_response(&mut response),
        }
        // RFC 9449 section 8: the nonce to sign the next proof with, for
        // gRPC clients too.
        if self.failure.oauth_error() == Some("use_dpop_nonce") {
            let nonce = self.context.dpop.as_ref().and_then(|d| d.nonces.as_ref());
            if let Some(Ok(nonce)) = nonce.map(|n| HeaderValue::try_from(n.current())) {
                response.headers_mut().insert(DPOP_NONCE, nonce);
            }
        }
        response
    }

    /// A trailers-only response: the status travels in the headers and
    /// there is no message, so no body either.
    fn grpc_response(&self, response: &mut Response<Body>) {
        let message = format!("{}: {}", self.failure.code(), self.failure.description());
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/grpc"));
        headers.insert("grpc-status", HeaderValue::from(u16::from(self.grpc_status())));
        if let Ok(message) = HeaderValue::from_str(&grpc_percent_encode(&message)) {
            headers.insert("grpc-message", message);
        }
    }

    fn api_response(&self, response: &mut Response<Body>) {
        let code = self.failure.code();
        let description = format!("{code}: {}", self.failure.description());
        let error = self.failure.oauth_error();
        let headers = response.headers_mut();
        // A server-side failure is not a challenge to the client.
        if !matches!(self.failure, Failure::Unavailable(_) | Failure::LayerMissing) {
            for challenge in self.challenges(error, &description) {
                if let Ok(value) = HeaderValue::from_str(&challenge) {
                    headers.append(WWW_AUTHENTICATE, value);
                }
            }
        }
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let body = serde_json::json!({
            "error": error.unwrap_or(match self.failure {
                Failure::LayerMissing => "server_error",
                Failure::Missing => "unauthorized",
                _ => "temporarily_unavailable",
            }),
            "error_description": description,
            "code": code,
        });
        *response.body_mut() = Body::from(body.to_string());
    }
}

impl AuthRejection {
    /// The `WWW-Authenticate` challenges: `Bearer` as RFC 6750 says, and
    /// `DPoP` with the accepted `algs` when the route takes DPoP (RFC 9449
    /// section 7.1). The error goes on the scheme the request used.
    fn challenges(&self, error: Option<&str>, description: &str) -> Vec<String> {
        let dpop = self.context.dpop.as_deref();
        let on_dpop = self.context.via_dpop || matches!(self.failure, Failure::DpopRequired);
        let mut challenges = Vec::with_capacity(2);
        if dpop.is_none_or(|d| d.mode == DpopMode::Allowed) {
            let error = if on_dpop { None } else { error };
            challenges.push(self.challenge("Bearer", error, description, None));
        }
        if let Some(dpop) = dpop {
            let error = if on_dpop || dpop.mode == DpopMode::Required {
                error
            } else {
                None
            };
            challenges.push(self.challenge("DPoP", error, description, Some(&dpop.algs)));
        }
        challenges
    }

    fn challenge(&self, scheme: &str, error: Option<&str>, description: &str, algs: Option<&str>) -> String {
        let mut params = Vec::new();
        if let Some(realm) = &self.context.realm {
            params.push(format!("realm=\"{}\"", quotable(realm)));
        }
        if let Some(error) = error {
            params.push(format!("error=\"{error}\""));
            params.push(format!("error_description=\"{}\"", quotable(description)));
        }
        if let (Failure::Forbidden { scope: Some(scope) }, Some(_)) = (&self.failure, error) {
            params.push(format!("scope=\"{}\"", quotable(scope)));
        }
        if let Some(algs) = algs {
            params.push(format!("algs=\"{algs}\""));
        }
        if params.is_empty() {
            scheme.to_owned()
        } else {
            format!("{scheme} {}", params.join(", "))
        }
    }
}

impl fmt::Debug for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRejection")
            .field("code", &self.code())
            .field("detail", &self.failure.to_string())
            .field("class", &self.context.class)
            .finish()
    }
}

impl fmt::Display for AuthRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.failure)
    }
}

impl axum_core::response::IntoResponse for AuthRejection {
    fn into_response(self) -> axum_core::response::Response {
        self.into_http()
    }
}

/// The per-request context the layer leaves for extractors and guards:
/// how to answer if they refuse the request.
#[derive(Debug, Clone)]
pub(crate) struct AuthContext {
    pub(crate) class: RouteClass,
    pub(crate) realm: Option<Arc<str>>,
    /// Set when the route takes DPoP: what its challenges need.
    pub(crate) dpop: Option<Arc<DpopChallenge>>,
    /// The request used the `DPoP` scheme: errors go on its challenge.
    pub(crate) via_dpop: bool,
}

impl AuthContext {
    pub(crate) fn reject(&self, failure: Failure) -> AuthRejection {
        AuthRejection::new(failure, self.clone())
    }
}

/// The `DPoP-Nonce` response header (RFC 9449 section 8.1).
pub(crate) const DPOP_NONCE: http::HeaderName = http::HeaderName::from_static("dpop-nonce");

/// The rejection when no layer left a context: a server misconfiguration.
pub(crate) fn layer_missing() -> AuthRejection {
    AuthRejection::new(
        Failure::LayerMissing,
        AuthContext {
            class: RouteClass::Api,
            realm: None,
            dpop: None,
            via_dpop: false,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::grpc_percent_encode;

    #[test]
    fn grpc_message_keeps_printable_ascii_and_escapes_the_rest() {
        assert_eq!(
            grpc_percent_encode("ERR_JWT_EXPIRED: the token"),
            "ERR_JWT_EXPIRED: the token"
        );
        assert_eq!(grpc_percent_encode("100% sûr\n"), "100%25 s%C3%BBr%0A");
    }
}
