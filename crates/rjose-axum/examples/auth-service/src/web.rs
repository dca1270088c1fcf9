//! HTTP: the router, the rjose-axum layer in front of it, and the handlers.
//!
//! Every `/api/auth/*` endpoint takes JSON (API clients) or an HTML form
//! post (the pages). JSON gets JSON back; a form gets a `303` redirect to
//! the next page, so the pages work without JavaScript.
//!
//! DPoP (RFC 9449, see [`crate::dpop`]): sign-in and refresh with a `DPoP`
//! proof issue tokens bound to its key; the API routes take them with
//! `Authorization: DPoP` and a proof, next to bearer tokens; `/api/dpop/*`
//! takes nothing else.

use std::sync::Arc;

use axum::extract::{FromRequest, Query, Request, State};
use axum::http::header::{CONTENT_TYPE, COOKIE, RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rjose::jws::JwsHeader;
use rjose_axum::{
    AuthorizationClaims, BoxError, Claims, DpopMode, JwtAuthLayer, Keys, Require, RouteClass, TokenSource,
    VerifiedDpop, Verifier,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::dpop::{DPOP_NONCE, Dpop, DpopError, TokenRefusal};
use crate::keys::now;
use crate::pages;
use crate::password;
use crate::store::{RefreshUse, Store, StoreError, User};
use crate::throttle::{Attempt, SignInThrottle, ThrottleError};
use crate::tokens::{AppClaims, Purpose, Tokens, Verification};

/// Name of the access token cookie (path `/`).
pub const ACCESS_COOKIE: &str = "access_token";
/// Name of the refresh token cookie (path `/api/auth`, so it only travels
/// to the endpoints that use it).
pub const REFRESH_COOKIE: &str = "refresh_token";
const REFRESH_COOKIE_PATH: &str = "/api/auth";

impl AuthorizationClaims for AppClaims {
    fn has_role(&self, role: &str) -> bool {
        self.role == role
    }

    // The service grants roles, not OAuth scopes.
    fn has_scope(&self, _scope: &str) -> bool {
        false
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// Token signing and verification.
    pub tokens: Tokens,
    /// Whether cookies get the `Secure` attribute (not on plain-http loopback).
    pub secure_cookies: bool,
    /// Return one-time tokens in responses (there is no mail in this example).
    pub dev_mode: bool,
    /// Emails that become admins on sign-up.
    pub admin_emails: Arc<Vec<String>>,
    /// Seconds a rotated key is published before it signs.
    pub key_activation_delay: i64,
    /// Failed sign-ins allowed per email.
    pub sign_in_throttle: SignInThrottle,
    /// The DPoP policy of the token endpoints and the API routes.
    pub dpop: Dpop,
}

/// The layer every protected route shares: the service's verifier, and the
/// revocation check against the database.
fn auth_layer(state: &AppState) -> JwtAuthLayer<AppClaims> {
    let keys = state.tokens.keys().clone();
    let verifier = Verifier::new(
        // The resolver reads the current key set on every request, so a
        // rotation takes effect at once.
        Keys::resolver(move |header: &JwsHeader| keys.resolve_published(header)),
        state.tokens.access_options(),
    );
    let store = state.store.clone();
    JwtAuthLayer::<AppClaims>::new(verifier)
        // Signing out or a refresh token reuse revokes the session; its
        // access tokens stop working at the next request, not at expiry.
        .revocation(move |claims: Claims<AppClaims>| {
            let store = store.clone();
            async move { Ok::<bool, BoxError>(!store.family_active(&claims.session_id).await?) }
        })
}

/// The router with the authentication layer: everything but the public
/// paths needs a valid, unrevoked access token, from the `Authorization:
/// Bearer` header or the `access_token` cookie, or a DPoP-bound one with
/// `Authorization: DPoP` and a proof.
///
/// Per-route DPoP policy: the API routes accept both schemes
/// ([`DpopMode::Allowed`]; a DPoP-bound token as a bearer token is
/// refused), `/api/dpop/*` has a layer of its own that requires DPoP
/// ([`DpopMode::Required`]), and a layer without `.dpop(..)` would refuse
/// it (the default, [`DpopMode::Refused`]).
pub fn router(state: AppState) -> Router {
    let auth = auth_layer(&state)
        .token_sources([TokenSource::Bearer, TokenSource::cookie(ACCESS_COOKIE)])
        .dpop(state.dpop.layer(DpopMode::Allowed))
        // `/api/dpop/*` is checked by its own layer below: verified twice,
        // its proof would be recorded twice and refused as a replay.
        .public_paths([
            "/sign-in",
            "/sign-up",
            "/api/auth/*",
            "/api/dpop/*",
            "/.well-known/*",
            "/favicon.ico",
        ])
        // The home page is public too, but greets a signed-in visitor.
        .optional_paths(["/"])
        .route_class("/dashboard*", RouteClass::page("/sign-in"))
        .forward_header("x-user-id", |c| c.registered().sub.clone())
        .forward_header("x-user-role", |c| Some(c.role.clone()));
    // Every route of this router requires DPoP. Merged, not nested: the
    // layer must see whole paths, as the proofs' `htu` names them.
    let dpop_only = Router::new().route("/api/dpop/me", get(me)).route_layer(
        auth_layer(&state)
            .token_sources([TokenSource::Bearer])
            .dpop(state.dpop.layer(DpopMode::Required)),
    );

    let admin = Router::new()
        .route("/stats", get(admin_stats))
        .route("/rotate-key", post(rotate_key))
        .route_layer(Require::<AppClaims>::role("admin"));

    Router::new()
        .route("/", get(home_page))
        .route("/sign-in", get(sign_in_page))
        .route("/sign-up", get(sign_up_page))
        .route("/dashboard", get(dashboard_page))
        .route("/api/auth/sign-up", post(sign_up))
        .route("/api/auth/sign-in", post(sign_in))
        .route("/api/auth/refresh", post(refresh))
        .route("/api/auth/sign-out", post(sign_out))
        .route("/api/auth/verify-email/request", post(request_email_verification))
        .route("/api/auth/verify-email", post(verify_email))
        .route("/api/auth/password-reset/request", post(request_password_reset))
        .route("/api/auth/password-reset", post(reset_password))
        .route("/api/me", get(me))
        .nest("/api/admin", admin)
        .merge(dpop_only)
        .route("/.well-known/jwks.json", get(jwks))
        .layer(auth)
        .with_state(state)
}

// ---------------------------------------------------------------- errors

/// A JSON error answer: `{"error": code, "message": ...}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, message)
    }

    /// A server-side failure: logged in full, reported generically.
    fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "internal error")
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(e)
    }
}

impl From<rjose::Error> for ApiError {
    fn from(e: rjose::Error) -> Self {
        ApiError::internal(e)
    }
}

impl From<DpopError> for ApiError {
    fn from(e: DpopError) -> Self {
        ApiError::internal(e)
    }
}

impl From<ThrottleError> for ApiError {
    fn from(e: ThrottleError) -> Self {
        ApiError::internal(e)
    }
}

impl From<password::RandomError> for ApiError {
    fn from(e: password::RandomError) -> Self {
        ApiError::internal(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({ "error": self.code, "message": self.message })),
        )
            .into_response()
    }
}

// ---------------------------------------------------------------- input

/// A request body from JSON or from an HTML form; remembers which, so the
/// answer can be JSON or a redirect. An empty JSON body reads as `{}`
/// (refresh and sign-out may carry the token in a cookie only).
pub struct Input<T> {
    value: T,
    from_form: bool,
}

impl<S, T> FromRequest<S> for Input<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send + 'static,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let from_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if from_form {
            let axum::Form(value) = axum::Form::<T>::from_request(req, state)
                .await
                .map_err(|e| ApiError::bad_request("invalid_input", e.body_text()))?;
            return Ok(Input { value, from_form });
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request("invalid_input", e.body_text()))?;
        let body: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let value = serde_json::from_slice(body).map_err(|e| ApiError::bad_request("invalid_input", e.to_string()))?;
        Ok(Input { value, from_form })
    }
}

/// A `303 See Other` (the answer to a form post: the browser GETs `to`).
fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

// ---------------------------------------------------------------- cookies

/// The value of cookie `name` in the request, if any.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty())
}

impl AppState {
    /// `Set-Cookie` for a token: HttpOnly (no script can read it),
    /// SameSite=Lax (not sent on cross-site posts, the CSRF defence of the
    /// form endpoints), Secure unless the app runs on plain-http loopback.
    fn set_cookie(&self, name: &str, value: &str, path: &str, max_age: i64) -> Option<HeaderValue> {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
        ))
        .ok()
    }

    /// The cookies of a new session. The access cookie outlives its token
    /// on purpose (it lasts as long as the refresh token): an expired token
    /// still reaches the layer, which can then say `session_expired`
    /// instead of `sign_in_required`.
    fn session_cookies(&self, session: &Session) -> Vec<HeaderValue> {
        let ttl = self.tokens.refresh_ttl();
        [
            self.set_cookie(ACCESS_COOKIE, &session.access_token, "/", ttl),
            self.set_cookie(REFRESH_COOKIE, &session.refresh_token, REFRESH_COOKIE_PATH, ttl),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    fn clear_cookies(&self) -> Vec<HeaderValue> {
        [
            self.set_cookie(ACCESS_COOKIE, "", "/", 0),
            self.set_cookie(REFRESH_COOKIE, "", REFRESH_COOKIE_PATH, 0),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

fn with_cookies(mut response: Response, cookies: Vec<HeaderValue>) -> Response {
    for cookie in cookies {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

// ---------------------------------------------------------------- sessions

/// A freshly issued token pair.
struct Session {
    access_token: String,
    refresh_token: String,
    session_id: String,
    /// The DPoP key both tokens are bound to, if they are.
    jkt: Option<String>,
}

impl Session {
    fn json(&self, state: &AppState) -> Value {
        json!({
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            // RFC 9449 section 5: how the client is to present the token.
            "token_type": if self.jkt.is_some() { "DPoP" } else { "Bearer" },
            "expires_in": state.tokens.access_ttl(),
            "session_id": self.session_id,
        })
    }

    /// The answer of a token endpoint: JSON (or a redirect) with the
    /// cookies of a bearer session, and the next DPoP nonce when nonces
    /// are on. A DPoP-bound session gets no cookies: the browser that would
    /// send them has no key, and the layer refuses a bound token from a
    /// cookie anyway.
    fn respond(&self, state: &AppState, from_form: bool) -> Response {
        let mut response = if from_form {
            see_other("/dashboard")
        } else {
            Json(self.json(state)).into_response()
        };
        if self.jkt.is_none() {
            response = with_cookies(response, state.session_cookies(self));
        }
        if let Some(nonce) = state.dpop.fresh_nonce() {
            response.headers_mut().insert(DPOP_NONCE, nonce);
        }
        response
    }
}

/// Signs in `user`: a new family with its first refresh token, and an
/// access token in that session; both bound to the DPoP key of
/// thumbprint `jkt` if one is given.
async fn start_session(state: &AppState, user: &User, jkt: Option<&str>) -> Result<Session, ApiError> {
    let session_id = password::random_id()?;
    let jti = password::random_id()?;
    let refresh_token = state.tokens.sign_refresh(&user.id, &session_id, &jti)?;
    let now = now();
    state
        .store
        .start_family(&session_id, &user.id, &jti, now + state.tokens.refresh_ttl(), jkt, now)
        .await?;
    let access_token = state.tokens.sign_access(
        &user.id,
        &AppClaims {
            role: user.role.clone(),
            session_id: session_id.clone(),
        },
        jkt,
    )?;
    Ok(Session {
        access_token,
        refresh_token,
        session_id,
        jkt: jkt.map(str::to_owned),
    })
}

/// The verified proof of a token request, if it has one; `Err` is the
/// answer to give instead (`400 invalid_dpop_proof`, `use_dpop_nonce`...).
async fn token_request_proof(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
) -> Result<Option<rjose::dpop::VerifiedProof>, Response> {
    state.dpop.token_request(headers, path).await.map_err(|e| match e {
        DpopError::Refused(refusal) => refusal.into_response(),
        other => ApiError::from(other).into_response(),
    })
}

fn normalize_email(email: &str) -> Option<String> {
    let email = email.trim().to_ascii_lowercase();
    // A deliberately loose check: the verification mail is the real one.
    let (local, domain) = email.split_once('@')?;
    (!local.is_empty() && domain.contains('.') && email.len() <= 254).then_some(email)
}

// ---------------------------------------------------------------- pages

#[derive(Deserialize)]
struct PageQuery {
    error: Option<String>,
    signed_out: Option<String>,
    registered: Option<String>,
}

async fn home_page(claims: Option<Claims<AppClaims>>) -> Html<String> {
    pages::home(claims.as_ref().and_then(|c| c.registered().sub.as_deref()))
}

async fn sign_in_page(Query(q): Query<PageQuery>) -> Html<String> {
    let notice = if q.signed_out.is_some() {
        Some("You have been signed out.")
    } else if q.registered.is_some() {
        Some("Account created. Please sign in.")
    } else {
        None
    };
    pages::sign_in(q.error.as_deref(), notice)
}

async fn sign_up_page(Query(q): Query<PageQuery>) -> Html<String> {
    pages::sign_up(q.error.as_deref())
}

async fn dashboard_page(State(state): State<AppState>, claims: Claims<AppClaims>) -> Result<Response, ApiError> {
    let user_id = claims.registered().sub.clone().unwrap_or_default();
    let Some(user) = state.store.user_by_id(&user_id).await? else {
        return Ok(see_other("/sign-in?error=invalid_session"));
    };
    Ok(pages::dashboard(&pages::DashboardView {
        email: &user.email,
        role: &claims.role,
        session_id: &claims.session_id,
        expires_at: claims.registered().exp,
        email_verified: user.email_verified_at.is_some(),
    })
    .into_response())
}

// ---------------------------------------------------------------- auth API

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

/// Hashing is CPU-bound and slow by design: keep it off the async workers.
async fn blocking<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> Result<R, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(ApiError::internal)
}

async fn sign_up(State(state): State<AppState>, input: Input<Credentials>) -> Result<Response, ApiError> {
    let Input { value, from_form } = input;
    let fail = |code: &'static str, status: StatusCode, message: &str| {
        if from_form {
            see_other(&format!("/sign-up?error={code}"))
        } else {
            ApiError::new(status, code, message).into_response()
        }
    };
    let Some(email) = normalize_email(&value.email) else {
        return Ok(fail("invalid_input", StatusCode::BAD_REQUEST, "invalid email address"));
    };
    let password = value.password;
    let hash = match blocking(move || password::hash(&password)).await? {
        Ok(hash) => hash,
        Err(password::PasswordError::Policy) => {
            return Ok(fail(
                "invalid_input",
                StatusCode::BAD_REQUEST,
                &password::PasswordError::Policy.to_string(),
            ));
        }
        Err(e) => return Err(ApiError::internal(e)),
    };
    let role = if state.admin_emails.contains(&email) {
        "admin"
    } else {
        "user"
    };
    let user = User {
        id: password::random_id()?,
        email,
        password_hash: hash,
        role: role.into(),
        email_verified_at: None,
    };
    match state.store.create_user(&user, now()).await {
        Ok(()) => {}
        Err(StoreError::EmailTaken) => {
            return Ok(fail("email_taken", StatusCode::CONFLICT, "email already registered"));
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(user = %user.id, role, "user signed up");
    let verification = send_one_time(&state, &user, Purpose::EmailVerify).await?;
    if from_form {
        return Ok(see_other("/sign-in?registered=1"));
    }
    let mut body = json!({ "id": user.id, "email": user.email, "role": user.role });
    if let Some(token) = verification {
        body["verification_token"] = token.into();
    }
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    input: Input<Credentials>,
) -> Result<Response, ApiError> {
    let Input { value, from_form } = input;
    // Before the throttle and the password: a bad proof costs no attempt.
    let proof = match token_request_proof(&state, &headers, "/api/auth/sign-in").await {
        Ok(proof) => proof,
        Err(refusal) => return Ok(refusal),
    };
    let email = normalize_email(&value.email);
    let throttle = state.sign_in_throttle;
    if let Some(email) = &email
        && let Attempt::Refused { retry_after } = throttle.attempt(&state.store, email, now()).await?
    {
        tracing::info!(retry_after, "sign-in refused: too many failures for this email");
        return Ok(if from_form {
            see_other("/sign-in?error=too_many_attempts")
        } else {
            let error = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                format!("too many failed sign-ins for this email; retry in {retry_after} s"),
            );
            ([(RETRY_AFTER, retry_after.to_string())], error).into_response()
        });
    }
    let user = match &email {
        Some(email) => state.store.user_by_email(email).await?,
        None => None,
    };
    // Verify against a dummy hash for unknown emails: same work, same time.
    let phc = user
        .as_ref()
        .map_or_else(|| password::dummy_hash().to_owned(), |u| u.password_hash.clone());
    let password = value.password;
    let matches = blocking(move || password::verify(&password, &phc)).await?;
    let Some(user) = user.filter(|_| matches) else {
        // The attempt recorded above stays: it was a failure.
        return Ok(if from_form {
            see_other("/sign-in?error=invalid_credentials")
        } else {
            ApiError::unauthorized("invalid_credentials", "wrong email or password").into_response()
        });
    };
    throttle.succeeded(&state.store, &user.email).await?;
    let jkt = proof.as_ref().map(|p| p.jkt());
    let session = start_session(&state, &user, jkt).await?;
    tracing::info!(user = %user.id, session = %session.session_id, dpop = jkt.is_some(), "signed in");
    Ok(session.respond(&state, from_form))
}

#[derive(Deserialize, Default)]
struct RefreshBody {
    refresh_token: Option<String>,
}

/// Rotation: each refresh token is good for one refresh. A second use of
/// the same token means it was copied; the whole family is revoked.
///
/// A DPoP-bound family is refreshed only with a proof signed by its key,
/// and stays bound to it. A bearer family stays bearer, even when the
/// refresh comes with a proof: binding it now would let whoever copied its
/// refresh token bind the session to their own key.
async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    input: Input<RefreshBody>,
) -> Result<Response, ApiError> {
    let Input { value, from_form } = input;
    // Before the refresh token is used: a bad proof or a nonce challenge
    // leaves it unused for the retry.
    let proof = match token_request_proof(&state, &headers, "/api/auth/refresh").await {
        Ok(proof) => proof,
        Err(refusal) => return Ok(refusal),
    };
    let fail = |error: ApiError| {
        tracing::info!(code = error.code, "refresh refused");
        let response = if from_form {
            see_other("/sign-in?error=refresh_failed")
        } else {
            error.into_response()
        };
        with_cookies(response, state.clear_cookies())
    };
    let token = value
        .refresh_token
        .filter(|t| !t.is_empty())
        .or_else(|| cookie(&headers, REFRESH_COOKIE).map(str::to_owned));
    let Some(token) = token else {
        return Ok(fail(ApiError::unauthorized(
            "missing_refresh_token",
            "no refresh token",
        )));
    };
    let verified = match state.tokens.verify_refresh(&token) {
        Verification::Verified(v) => v,
        Verification::Expired => {
            return Ok(fail(ApiError::unauthorized(
                "refresh_token_expired",
                "the refresh token has expired",
            )));
        }
        Verification::Invalid(e) => {
            tracing::debug!(error = %e, "invalid refresh token");
            return Ok(fail(ApiError::unauthorized(
                "invalid_refresh_token",
                "invalid refresh token",
            )));
        }
    };
    let (Some(jti), Some(sub)) = (verified.registered().jti.clone(), verified.registered().sub.clone()) else {
        return Ok(fail(ApiError::unauthorized(
            "invalid_refresh_token",
            "invalid refresh token",
        )));
    };
    let new_jti = password::random_id()?;
    let now = now();
    let outcome = state
        .store
        .rotate_refresh(
            &jti,
            &new_jti,
            now + state.tokens.refresh_ttl(),
            proof.as_ref().map(|p| p.jkt()),
            now,
        )
        .await?;
    let (family_id, user_id, jkt) = match outcome {
        RefreshUse::Rotated {
            family_id,
            user_id,
            jkt,
        } if user_id == sub => (family_id, user_id, jkt),
        RefreshUse::Rotated { .. } | RefreshUse::Unknown => {
            return Ok(fail(ApiError::unauthorized(
                "invalid_refresh_token",
                "invalid refresh token",
            )));
        }
        RefreshUse::Reused { family_id } => {
            tracing::warn!(session = %family_id, user = %sub, "refresh token reused; session revoked");
            return Ok(fail(ApiError::unauthorized(
                "refresh_token_reused",
                "this refresh token was already used; the session has been revoked",
            )));
        }
        RefreshUse::Revoked => {
            return Ok(fail(ApiError::unauthorized(
                "session_revoked",
                "the session has been revoked",
            )));
        }
        // The token stays valid for its holder, who has the key: no cookie
        // is cleared, nothing is revoked.
        RefreshUse::ProofRequired => {
            tracing::info!(user = %sub, "refresh of a DPoP-bound session without a proof refused");
            return Ok(TokenRefusal::proof_required().into_response());
        }
        RefreshUse::KeyMismatch => {
            tracing::warn!(user = %sub, "refresh of a DPoP-bound session with another key's proof refused");
            return Ok(TokenRefusal::key_mismatch().into_response());
        }
    };
    // The role is read again: a promotion or demotion shows at the next refresh.
    let Some(user) = state.store.user_by_id(&user_id).await? else {
        return Ok(fail(ApiError::unauthorized(
            "invalid_refresh_token",
            "invalid refresh token",
        )));
    };
    let session = Session {
        access_token: state.tokens.sign_access(
            &user.id,
            &AppClaims {
                role: user.role.clone(),
                session_id: family_id.clone(),
            },
            jkt.as_deref(),
        )?,
        refresh_token: state.tokens.sign_refresh(&user.id, &family_id, &new_jti)?,
        session_id: family_id,
        jkt,
    };
    Ok(session.respond(&state, from_form))
}

/// Revokes the current session, found from the refresh token (body or
/// cookie) or else the access token (`Bearer` or `DPoP` scheme, or
/// cookie), and clears the cookies. Expired tokens still name their
/// session: signing out must work after the access token expired. No DPoP
/// proof is asked for: a token can only end its own session here.
async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    input: Input<RefreshBody>,
) -> Result<Response, ApiError> {
    let Input { value, from_form } = input;
    let refresh = value
        .refresh_token
        .filter(|t| !t.is_empty())
        .or_else(|| cookie(&headers, REFRESH_COOKIE).map(str::to_owned));
    let mut family = None;
    if let Some(token) = refresh
        && let Verification::Verified(v) = state.tokens.verify_refresh(&token)
        && let Some(jti) = &v.registered().jti
    {
        family = state.store.family_of(jti).await?;
    }
    if family.is_none() {
        let bearer = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("DPoP ")));
        let access = bearer.or_else(|| cookie(&headers, ACCESS_COOKIE));
        if let Some(Verification::Verified(v)) = access.map(|t| state.tokens.verify_access(t)) {
            family = Some(v.claims.session_id.clone());
        }
    }
    let revoked = match &family {
        Some(id) => state.store.revoke_family(id, "sign_out", now()).await?,
        None => false,
    };
    tracing::info!(session = family.as_deref().unwrap_or("-"), revoked, "signed out");
    let response = if from_form {
        see_other("/sign-in?signed_out=1")
    } else {
        Json(json!({ "signed_out": true, "session_revoked": revoked })).into_response()
    };
    Ok(with_cookies(response, state.clear_cookies()))
}

// ---------------------------------------------------------------- one-time tokens

/// Issues a one-time token and "mails" it: there is no mail here, so it is
/// logged, and in dev mode also returned to the caller.
async fn send_one_time(state: &AppState, user: &User, purpose: Purpose) -> Result<Option<String>, ApiError> {
    let jti = password::random_id()?;
    let token = state.tokens.sign_one_time(purpose, &user.id, &user.email, &jti)?;
    state
        .store
        .insert_one_time(&jti, &user.id, purpose, now() + state.tokens.one_time_ttl())
        .await?;
    if state.dev_mode {
        tracing::info!(to = %user.email, purpose = purpose.as_str(), %token, "mail (dev mode): one-time token");
        Ok(Some(token))
    } else {
        tracing::info!(to = %user.email, purpose = purpose.as_str(), "mail would be sent (no mailer configured)");
        Ok(None)
    }
}

#[derive(Deserialize)]
struct EmailBody {
    email: String,
}

/// The same answer whether or not the email has an account, so the
/// endpoint does not reveal who is registered (except in dev mode, where
/// the token is in the answer).
async fn request_one_time(state: &AppState, email: &str, purpose: Purpose) -> Result<Response, ApiError> {
    let user = match normalize_email(email) {
        Some(email) => state.store.user_by_email(&email).await?,
        None => None,
    };
    let mut body = json!({ "status": "sent" });
    if let Some(user) = user {
        let already_verified = purpose == Purpose::EmailVerify && user.email_verified_at.is_some();
        if !already_verified && let Some(token) = send_one_time(state, &user, purpose).await? {
            body["token"] = token.into();
        }
    }
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

async fn request_email_verification(
    State(state): State<AppState>,
    input: Input<EmailBody>,
) -> Result<Response, ApiError> {
    request_one_time(&state, &input.value.email, Purpose::EmailVerify).await
}

async fn request_password_reset(State(state): State<AppState>, input: Input<EmailBody>) -> Result<Response, ApiError> {
    request_one_time(&state, &input.value.email, Purpose::PasswordReset).await
}

/// Verifies a one-time token and consumes its `jti`; returns the user id.
async fn consume(state: &AppState, token: &str, purpose: Purpose) -> Result<String, ApiError> {
    let verified = match state.tokens.verify_one_time(token, purpose) {
        Verification::Verified(v) => v,
        Verification::Expired => return Err(ApiError::bad_request("token_expired", "the token has expired")),
        Verification::Invalid(e) => {
            tracing::debug!(error = %e, "invalid one-time token");
            return Err(ApiError::bad_request("invalid_token", "invalid token"));
        }
    };
    let (Some(jti), Some(user_id)) = (&verified.registered().jti, &verified.registered().sub) else {
        return Err(ApiError::bad_request("invalid_token", "invalid token"));
    };
    if !state.store.consume_one_time(jti, user_id, purpose, now()).await? {
        return Err(ApiError::bad_request(
            "token_already_used",
            "the token was already used",
        ));
    }
    Ok(user_id.clone())
}

#[derive(Deserialize)]
struct TokenBody {
    token: String,
}

async fn verify_email(State(state): State<AppState>, input: Input<TokenBody>) -> Result<Response, ApiError> {
    let user_id = consume(&state, &input.value.token, Purpose::EmailVerify).await?;
    state.store.mark_email_verified(&user_id, now()).await?;
    Ok(Json(json!({ "status": "verified" })).into_response())
}

#[derive(Deserialize)]
struct ResetBody {
    token: String,
    password: String,
}

/// Sets a new password with a reset token, then revokes every session of
/// the user: whoever knew the old password is signed out.
async fn reset_password(State(state): State<AppState>, input: Input<ResetBody>) -> Result<Response, ApiError> {
    let ResetBody { token, password } = input.value;
    password::check_policy(&password).map_err(|e| ApiError::bad_request("invalid_input", e.to_string()))?;
    let user_id = consume(&state, &token, Purpose::PasswordReset).await?;
    let hash = blocking(move || password::hash(&password))
        .await?
        .map_err(ApiError::internal)?;
    state.store.set_password_hash(&user_id, &hash).await?;
    let revoked = state
        .store
        .revoke_user_families(&user_id, "password_reset", now())
        .await?;
    // Whoever reset the password controls the email: lift the throttle.
    if let Some(user) = state.store.user_by_id(&user_id).await? {
        state.sign_in_throttle.succeeded(&state.store, &user.email).await?;
    }
    tracing::info!(user = %user_id, revoked, "password reset");
    Ok(Json(json!({ "status": "password_changed", "sessions_revoked": revoked })).into_response())
}

// ---------------------------------------------------------------- protected API

/// The user and session; `tokenType` and `jkt` say how the request was
/// authenticated (`GET /api/me` takes both schemes, `/api/dpop/me` DPoP
/// only).
async fn me(
    State(state): State<AppState>,
    claims: Claims<AppClaims>,
    proof: Option<VerifiedDpop>,
) -> Result<Json<Value>, ApiError> {
    let user_id = claims.registered().sub.clone().unwrap_or_default();
    let user = state
        .store
        .user_by_id(&user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "unknown user"))?;
    Ok(Json(json!({
        "id": user.id,
        "email": user.email,
        "role": claims.role,
        "sessionId": claims.session_id,
        "emailVerified": user.email_verified_at.is_some(),
        "kid": claims.header().kid,
        "tokenType": if proof.is_some() { "DPoP" } else { "Bearer" },
        "jkt": proof.as_ref().map(|p| p.jkt()),
    })))
}

async fn admin_stats(State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({
        "users": state.store.count_users().await?,
        "activeSessions": state.store.count_active_sessions().await?,
    })))
}

/// Rotates the ES256 signing key (ops endpoint, admins only).
async fn rotate_key(State(state): State<AppState>, claims: Claims<AppClaims>) -> Result<Json<Value>, ApiError> {
    match state
        .tokens
        .keys()
        .rotate(&state.store, state.key_activation_delay)
        .await
    {
        Ok(rotated) => {
            let by = claims.registered().sub.as_deref().unwrap_or("-");
            tracing::info!(kid = %rotated.kid, signs_from = rotated.signs_from, by, "signing key rotated");
            Ok(Json(json!({ "kid": rotated.kid, "signs_from": rotated.signs_from })))
        }
        Err(crate::keys::KeyError::NotRotatable) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_rotatable",
            crate::keys::KeyError::NotRotatable.to_string(),
        )),
        Err(e) => Err(ApiError::internal(e)),
    }
}

/// Seconds verifiers may cache the JWKS (`Cache-Control: max-age`).
pub const JWKS_MAX_AGE: i64 = 60;

/// The public keys, for other services verifying our access tokens
/// (e.g. with rjose-remote). `404` when signing with HS256: a secret is
/// never published.
async fn jwks(State(state): State<AppState>) -> Result<Response, ApiError> {
    match state.tokens.keys().jwks().map_err(ApiError::internal)? {
        Some(set) => {
            let cache = format!("public, max-age={JWKS_MAX_AGE}");
            Ok(([(axum::http::header::CACHE_CONTROL, cache)], Json(set)).into_response())
        }
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_public_keys",
            "this service signs with HS256; there are no public keys",
        )),
    }
}
