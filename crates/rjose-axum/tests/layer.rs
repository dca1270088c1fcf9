//! The layer, the extractors and the guards, in process (`oneshot`).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::routing::get;
use http_body_util::BodyExt;
use rjose::jwt::{SignJwt, VerifyOptions};
use rjose::{Alg, JsonObject, Key, LocalJwkSet};
use rjose_axum::{BoxError, Claims, JwtAuthLayer, Keys, Require, RouteClass, TokenSource, Verifier};
use serde_json::{Value, json};
use tower::ServiceExt;

mod common;
use common::{APP, SECRET, expired_token, options, secret, token, token_with};

async fn whoami(claims: Claims<JsonObject>, headers: HeaderMap) -> String {
    let forwarded = headers.get("x-user-id").map(|v| v.to_str().unwrap_or("?").to_owned());
    json!({
        "sub": claims.registered().sub,
        "role": claims.get("role"),
        "forwarded": forwarded,
    })
    .to_string()
}

async fn maybe(claims: Option<Claims<JsonObject>>, headers: HeaderMap) -> String {
    let forwarded = headers.get("x-user-id").map(|v| v.to_str().unwrap_or("?").to_owned());
    json!({ "sub": claims.and_then(|c| c.registered().sub.clone()), "forwarded": forwarded }).to_string()
}

fn routes() -> Router {
    Router::new()
        .route("/", get(maybe))
        .route("/api/me", get(whoami))
        .route("/api/auth/session", get(maybe))
        .route("/api/public-claims", get(whoami))
        .route("/dashboard", get(whoami))
        .route(
            "/dashboard/admin",
            get(whoami).route_layer(Require::<JsonObject>::role("admin")),
        )
        .route("/feed", get(maybe))
        .route(
            "/api/admin",
            get(whoami).route_layer(Require::<JsonObject>::role("admin")),
        )
        .route(
            "/api/reports",
            get(whoami).route_layer(Require::<JsonObject>::scope("read:reports")),
        )
        .route(
            "/api/verified-only",
            get(whoami).route_layer(Require::claims(|c: &Claims<JsonObject>| {
                c.get("email_verified") == Some(&Value::Bool(true))
            })),
        )
}

fn layer() -> JwtAuthLayer<JsonObject> {
    JwtAuthLayer::<JsonObject>::new(Verifier::new(secret(), options()))
        .token_sources([TokenSource::Bearer, TokenSource::cookie("access_token")])
        .public_paths(["/", "/api/auth/*", "/api/public-claims"])
        .public_if(|parts| parts.method == Method::OPTIONS)
        .optional_paths(["/feed"])
        .route_class("/dashboard*", RouteClass::page("/sign-in"))
        .realm("example")
        .forward_header("x-user-id", |c| c.registered().sub.clone())
}

fn app() -> Router {
    routes().layer(layer())
}

struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .map_or("", |v| v.to_str().expect("ASCII header"))
    }

    fn challenge(&self) -> &str {
        self.header(header::WWW_AUTHENTICATE)
    }

    fn location(&self) -> &str {
        self.header(header::LOCATION)
    }
}

async fn send(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.expect("infallible");
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).expect("UTF-8 body"),
    }
}

fn get_with(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::get(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).expect("request")
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test]
async fn valid_bearer_token_reaches_handler_with_claims() {
    let reply = send(
        app(),
        get_with("/api/me", &[("authorization", &bearer(&token("user")))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"sub": "user-42", "role": "user", "forwarded": "user-42"})
    );
}

#[tokio::test]
async fn valid_cookie_token_reaches_handler() {
    let cookie = format!("theme=dark; access_token={}", token("user"));
    let reply = send(app(), get_with("/api/me", &[("cookie", &cookie)])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["sub"], "user-42");
}

#[tokio::test]
async fn missing_token_is_a_challenge_without_error_code() {
    let reply = send(app(), get_with("/api/me", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.challenge(), r#"Bearer realm="example""#);
    assert_eq!(reply.json()["code"], "ERR_JWT_MISSING");
    assert_eq!(reply.header(header::CONTENT_TYPE), "application/json");
}

#[tokio::test]
async fn rejects_expired_token_with_invalid_token_challenge() {
    let reply = send(
        app(),
        get_with("/api/me", &[("authorization", &bearer(&expired_token()))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.challenge(),
        r#"Bearer realm="example", error="invalid_token", error_description="ERR_JWT_EXPIRED: the token has expired""#
    );
    let body = reply.json();
    assert_eq!(body["error"], "invalid_token");
    assert_eq!(body["code"], "ERR_JWT_EXPIRED");
}

#[tokio::test]
async fn rejects_bad_signature_as_invalid_token() {
    let other_key = Key::from_secret(b"somebody else's thirty-two bytes!!").expect("a non-empty secret");
    let forged_by_other = SignJwt::default()
        .claim("role", "admin")
        .protected_header(Alg::HS256)
        .issuer(APP)
        .audience("api")
        .sign(&other_key)
        .expect("sign");
    let reply = send(
        app(),
        get_with("/api/me", &[("authorization", &bearer(&forged_by_other))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
    assert!(reply.challenge().contains(r#"error="invalid_token""#));
}

#[tokio::test]
async fn rejects_unsecured_token() {
    let claims = SignJwt::default().subject("user-42").issuer(APP).audience("api");
    let unsecured = rjose::jwt::UnsecuredJwt::encode(&claims);
    let reply = send(app(), get_with("/api/me", &[("authorization", &bearer(&unsecured))])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[tokio::test]
async fn failure_description_does_not_leak_expected_values() {
    let wrong_audience = token_with("user", |b| b.audience("billing"));
    let reply = send(
        app(),
        get_with("/api/me", &[("authorization", &bearer(&wrong_audience))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JWT_CLAIM_VALIDATION_FAILED");
    assert_eq!(
        reply.json()["error_description"],
        "ERR_JWT_CLAIM_VALIDATION_FAILED: the token's aud check failed"
    );
    for secret_ish in [
        "\"api\"",
        "billing",
        "user-42",
        std::str::from_utf8(SECRET).expect("ASCII"),
    ] {
        assert!(
            !reply.body.contains(secret_ish),
            "body leaks {secret_ish}: {}",
            reply.body
        );
        assert!(!reply.challenge().contains(secret_ish), "challenge leaks {secret_ish}");
    }
}

/// A token of the app, signed with its key, without `exp`.
fn token_without_exp() -> String {
    SignJwt::default()
        .claim("role", "user")
        .protected_header(Alg::HS256)
        .issuer(APP)
        .audience("api")
        .subject("user-42")
        .sign(&secret())
        .expect("sign")
}

#[tokio::test]
async fn rejects_token_without_exp_by_default() {
    let reply = send(
        app(),
        get_with("/api/me", &[("authorization", &bearer(&token_without_exp()))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.json()["error_description"],
        "ERR_JWT_CLAIM_VALIDATION_FAILED: the token's exp check failed"
    );
}

#[tokio::test]
async fn verifier_with_allow_missing_exp_accepts_token_without_exp() {
    let app = routes().layer(JwtAuthLayer::<JsonObject>::new(Verifier::new(
        secret(),
        options().allow_missing_exp(),
    )));
    let reply = send(
        app,
        get_with("/api/me", &[("authorization", &bearer(&token_without_exp()))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn verifier_without_audience_refuses_token_naming_one() {
    let options = VerifyOptions::new().algorithms([Alg::HS256]).issuer(APP);
    let app = routes().layer(JwtAuthLayer::<JsonObject>::new(Verifier::new(
        secret(),
        options.clone(),
    )));
    let reply = send(app, get_with("/api/me", &[("authorization", &bearer(&token("user")))])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.json()["error_description"],
        "ERR_JWT_CLAIM_VALIDATION_FAILED: the token's aud check failed"
    );
    let app = routes().layer(JwtAuthLayer::<JsonObject>::new(Verifier::new(
        secret(),
        options.allow_any_audience(),
    )));
    let reply = send(app, get_with("/api/me", &[("authorization", &bearer(&token("user")))])).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn rejects_duplicate_authorization_headers_as_invalid_request() {
    let t = bearer(&token("user"));
    let reply = send(
        app(),
        get_with("/api/me", &[("authorization", &t), ("authorization", &t)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.challenge().contains(r#"error="invalid_request""#));
    assert_eq!(reply.json()["code"], "ERR_AUTH_INVALID_REQUEST");
}

#[tokio::test]
async fn rejects_garbled_authorization_as_invalid_request() {
    for garbled in ["Bearer", "Bearer a.b.c extra", "Bearer \"quoted\"", "bearer a.b.c,d"] {
        let reply = send(app(), get_with("/api/me", &[("authorization", garbled)])).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{garbled}");
    }
    let mut request = get_with("/api/me", &[]);
    request.headers_mut().insert(
        header::AUTHORIZATION,
        header::HeaderValue::from_bytes(b"Bearer \xff\xfe").expect("opaque bytes"),
    );
    assert_eq!(send(app(), request).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn garbage_bearer_token_is_invalid_token() {
    let reply = send(app(), get_with("/api/me", &[("authorization", "Bearer not-a-jwt")])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JWS_INVALID");
}

#[tokio::test]
async fn basic_credentials_count_as_no_token() {
    let reply = send(app(), get_with("/api/me", &[("authorization", "Basic dXNlcjpwYXNz")])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JWT_MISSING");
}

#[tokio::test]
async fn bearer_wins_over_cookie_in_configured_order() {
    let cookie = format!("access_token={}", expired_token());
    let both = [("authorization", bearer(&token("user"))), ("cookie", cookie)];
    let both: Vec<(&str, &str)> = both.iter().map(|(n, v)| (*n, v.as_str())).collect();
    assert_eq!(send(app(), get_with("/api/me", &both)).await.status, StatusCode::OK);

    // Cookie first: the expired cookie is what counts, with no fallback.
    let cookie_first =
        routes().layer(layer().token_sources([TokenSource::cookie("access_token"), TokenSource::Bearer]));
    let reply = send(cookie_first, get_with("/api/me", &both)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JWT_EXPIRED");
}

#[tokio::test]
async fn custom_header_source() {
    let app = routes().layer(layer().token_sources([TokenSource::header(header::HeaderName::from_static("x-token"))]));
    let reply = send(app.clone(), get_with("/api/me", &[("x-token", &token("user"))])).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = send(app, get_with("/api/me", &[("authorization", &bearer(&token("user")))])).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "bearer is not a source of this layer"
    );
}

#[tokio::test]
async fn forged_forward_headers_are_removed_on_protected_paths() {
    let reply = send(
        app(),
        get_with(
            "/api/me",
            &[("authorization", &bearer(&token("user"))), ("x-user-id", "admin")],
        ),
    )
    .await;
    assert_eq!(reply.json()["forwarded"], "user-42");
}

#[tokio::test]
async fn forged_forward_headers_are_removed_on_public_and_anonymous_requests() {
    let reply = send(app(), get_with("/", &[("x-user-id", "admin")])).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), json!({"sub": null, "forwarded": null}));
    let reply = send(
        app(),
        get_with("/feed", &[("x-user-id", "admin"), ("x-user-id", "root")]),
    )
    .await;
    assert_eq!(reply.json(), json!({"sub": null, "forwarded": null}));
}

#[tokio::test]
async fn forged_forward_headers_are_removed_before_a_rejection_too() {
    // The inner service never runs, so nothing to see; what matters is that
    // an invalid token with a forged header does not get through.
    let reply = send(
        app(),
        get_with("/api/me", &[("authorization", "Bearer a.b.c"), ("x-user-id", "admin")]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn public_paths_skip_verification_even_with_a_bad_token() {
    for path in ["/", "/api/auth/session"] {
        let reply = send(app(), get_with(path, &[("authorization", "Bearer garbage")])).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(reply.json()["sub"], Value::Null);
    }
}

#[tokio::test]
async fn claims_extractor_on_public_path_refuses_as_missing() {
    let reply = send(
        app(),
        get_with("/api/public-claims", &[("authorization", &bearer(&token("user")))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JWT_MISSING");
}

#[tokio::test]
async fn public_predicate_lets_preflight_through() {
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/feed")
        .body(Body::empty())
        .expect("request");
    let app = Router::new()
        .route("/feed", axum::routing::options(|| async { "preflight ok" }))
        .layer(layer());
    let reply = send(app, request).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body, "preflight ok");
}

#[tokio::test]
async fn optional_path_greets_signed_in_user_and_accepts_anonymous() {
    let signed_in = send(app(), get_with("/feed", &[("authorization", &bearer(&token("user")))])).await;
    assert_eq!(signed_in.json(), json!({"sub": "user-42", "forwarded": "user-42"}));
    let anonymous = send(app(), get_with("/feed", &[])).await;
    assert_eq!(anonymous.json(), json!({"sub": null, "forwarded": null}));
    let expired = send(
        app(),
        get_with("/feed", &[("authorization", &bearer(&expired_token()))]),
    )
    .await;
    assert_eq!(expired.status, StatusCode::OK);
    assert_eq!(expired.json()["sub"], Value::Null);
}

#[tokio::test]
async fn page_without_session_redirects_to_sign_in() {
    let reply = send(app(), get_with("/dashboard", &[])).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/sign-in?error=sign_in_required");
}

#[tokio::test]
async fn page_with_expired_session_redirects_with_session_expired() {
    let cookie = format!("access_token={}", expired_token());
    let reply = send(app(), get_with("/dashboard", &[("cookie", &cookie)])).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/sign-in?error=session_expired");
    assert_eq!(reply.challenge(), "", "pages get no bearer challenge");
}

#[tokio::test]
async fn page_with_invalid_session_redirects_with_invalid_session() {
    let reply = send(app(), get_with("/dashboard", &[("cookie", "access_token=a.b.c")])).await;
    assert_eq!(reply.location(), "/sign-in?error=invalid_session");
}

#[tokio::test]
async fn first_matching_route_class_wins() {
    let app = routes().layer(layer().route_class("/dashboard*", RouteClass::page("/elsewhere")));
    assert_eq!(
        send(app, get_with("/dashboard", &[])).await.location(),
        "/sign-in?error=sign_in_required"
    );
}

#[tokio::test]
async fn sign_in_url_with_a_query_gets_the_reason_appended() {
    let app = routes().layer(layer().default_class(RouteClass::page("/login?from=app")));
    assert_eq!(
        send(app, get_with("/api/me", &[])).await.location(),
        "/login?from=app&error=sign_in_required"
    );
}

#[tokio::test]
async fn role_guard_refuses_with_insufficient_scope() {
    let reply = send(
        app(),
        get_with("/api/admin", &[("authorization", &bearer(&token("user")))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.challenge().contains(r#"error="insufficient_scope""#),
        "{}",
        reply.challenge()
    );
    assert_eq!(reply.json()["error"], "insufficient_scope");
    let reply = send(
        app(),
        get_with("/api/admin", &[("authorization", &bearer(&token("admin")))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn role_guard_needs_a_token_first() {
    let reply = send(app(), get_with("/api/admin", &[])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn scope_guard_names_the_scope_in_the_challenge() {
    let without = token_with("user", |b| b.claim("scope", "read:users"));
    let reply = send(app(), get_with("/api/reports", &[("authorization", &bearer(&without))])).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert!(
        reply.challenge().contains(r#"scope="read:reports""#),
        "{}",
        reply.challenge()
    );
    let with = token_with("user", |b| b.claim("scope", "read:users read:reports"));
    let reply = send(app(), get_with("/api/reports", &[("authorization", &bearer(&with))])).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn predicate_guard() {
    let unverified = token("user");
    let verified = token_with("user", |b| b.claim("email_verified", true));
    let refused = send(
        app(),
        get_with("/api/verified-only", &[("authorization", &bearer(&unverified))]),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let allowed = send(
        app(),
        get_with("/api/verified-only", &[("authorization", &bearer(&verified))]),
    )
    .await;
    assert_eq!(allowed.status, StatusCode::OK);
}

#[tokio::test]
async fn guard_on_a_page_answers_forbidden_page() {
    let cookie = format!("access_token={}", token("user"));
    let reply = send(app(), get_with("/dashboard/admin", &[("cookie", &cookie)])).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.body, "Forbidden");
}

fn revocation_app(revoked: Arc<Mutex<HashSet<String>>>, store_up: bool) -> Router {
    routes().layer(layer().revocation(move |claims: Claims<JsonObject>| {
        let revoked = revoked.clone();
        async move {
            if !store_up {
                return Err::<bool, BoxError>("connection refused".into());
            }
            let jti = claims.registered().jti.clone().ok_or("no jti")?;
            Ok(revoked.lock().map_err(|_| "poisoned")?.contains(&jti))
        }
    }))
}

#[tokio::test]
async fn revoked_token_is_refused() {
    let revoked: Arc<Mutex<HashSet<String>>> = Arc::default();
    let t = bearer(&token("user"));
    let reply = send(
        revocation_app(revoked.clone(), true),
        get_with("/api/me", &[("authorization", &t)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    revoked.lock().expect("lock").insert("jti-1".into());
    let reply = send(
        revocation_app(revoked.clone(), true),
        get_with("/api/me", &[("authorization", &t)]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JWT_REVOKED");
    let cookie = format!("access_token={}", token("user"));
    let reply = send(
        revocation_app(revoked, true),
        get_with("/dashboard", &[("cookie", &cookie)]),
    )
    .await;
    assert_eq!(reply.location(), "/sign-in?error=session_revoked");
}

#[tokio::test]
async fn revocation_store_failure_fails_closed() {
    let reply = send(
        revocation_app(Arc::default(), false),
        get_with("/api/me", &[("authorization", &bearer(&token("user")))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.json()["code"], "ERR_AUTH_REVOCATION_UNAVAILABLE");
    assert!(!reply.body.contains("connection refused"));
}

#[tokio::test]
async fn extractor_without_layer_is_a_server_error() {
    let reply = send(
        routes(),
        get_with("/api/me", &[("authorization", &bearer(&token("user")))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.json()["code"], "ERR_AUTH_LAYER_MISSING");
    let reply = send(routes(), get_with("/feed", &[])).await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR, "Option<Claims> too");
}

fn rsa_pair() -> (Key, Key) {
    let pair = rjose::generate_key_pair(Alg::RS256, Default::default()).expect("RSA key");
    (pair.private_key.with_kid("idp-1"), pair.public_key.with_kid("idp-1"))
}

const IDP: &str = "https://tenant.idp.example/";

fn idp_token(private: &Key, iss: &str) -> String {
    SignJwt::default()
        .protected_header(Alg::RS256)
        .kid("idp-1")
        .issuer(iss)
        .audience("my-api")
        .subject("idp-user")
        .issued_at_now()
        .expiration_time("5m")
        .sign(private)
        .expect("sign")
}

fn multi_issuer_app(idp_keys: impl Into<Keys>) -> Router {
    let first_party = Verifier::new(secret(), options());
    let idp = Verifier::new(
        idp_keys,
        VerifyOptions::new().algorithms([Alg::RS256]).audience("my-api"),
    );
    routes().layer(JwtAuthLayer::<JsonObject>::by_issuer([(APP, first_party), (IDP, idp)]))
}

#[tokio::test]
async fn first_and_third_party_tokens_side_by_side() {
    let (private, public) = rsa_pair();
    let app = multi_issuer_app(LocalJwkSet::new([public]));
    let ours = send(
        app.clone(),
        get_with("/api/me", &[("authorization", &bearer(&token("user")))]),
    )
    .await;
    assert_eq!(ours.json()["sub"], "user-42");
    let theirs = send(
        app,
        get_with("/api/me", &[("authorization", &bearer(&idp_token(&private, IDP)))]),
    )
    .await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.body);
    assert_eq!(theirs.json()["sub"], "idp-user");
}

#[tokio::test]
async fn unknown_issuer_is_refused() {
    let (private, public) = rsa_pair();
    let app = multi_issuer_app(public);
    let reply = send(
        app.clone(),
        get_with(
            "/api/me",
            &[("authorization", &bearer(&idp_token(&private, "https://evil.example/")))],
        ),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        reply.json()["error_description"],
        "ERR_JWT_CLAIM_VALIDATION_FAILED: the token's issuer is not accepted"
    );
    let no_iss = SignJwt::default()
        .protected_header(Alg::HS256)
        .sign(&secret())
        .expect("sign");
    let reply = send(app, get_with("/api/me", &[("authorization", &bearer(&no_iss))])).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn token_claiming_another_issuer_is_checked_with_that_issuers_keys() {
    // HS256 with the first-party secret but claiming the IdP's iss: the
    // IdP verifier (RS256 only) must refuse it, not fall back to the secret.
    let (_, public) = rsa_pair();
    let confused = SignJwt::default()
        .protected_header(Alg::HS256)
        .issuer(IDP)
        .audience("my-api")
        .sign(&secret())
        .expect("sign");
    let reply = send(
        multi_issuer_app(public),
        get_with("/api/me", &[("authorization", &bearer(&confused))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["code"], "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[tokio::test]
async fn resolver_key_source_follows_rotation() {
    let current = Arc::new(Mutex::new(secret().with_kid("k1")));
    let source = current.clone();
    let keys = Keys::resolver(move |_header| Ok(source.lock().map_err(|_| rjose::Error::JwksNoMatchingKey)?.clone()));
    let app = routes().layer(JwtAuthLayer::<JsonObject>::new(Verifier::new(keys, options())));
    let t = bearer(&token("user"));
    assert_eq!(
        send(app.clone(), get_with("/api/me", &[("authorization", &t)]))
            .await
            .status,
        StatusCode::OK
    );
    *current.lock().expect("lock") =
        Key::from_secret(b"the next secret, also 32+ bytes long").expect("a non-empty secret");
    assert_eq!(
        send(app, get_with("/api/me", &[("authorization", &t)])).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn works_in_a_plain_tower_stack() {
    use tower::{Layer, service_fn};
    let inner = service_fn(|request: Request<String>| async move {
        let sub = request
            .extensions()
            .get::<Claims<JsonObject>>()
            .and_then(|c| c.registered().sub.clone())
            .unwrap_or_default();
        Ok::<_, std::convert::Infallible>(axum::http::Response::new(http_body_util::Full::new(
            bytes::Bytes::from(sub),
        )))
    });
    let service = layer().layer(inner);
    let request = Request::get("/api/me")
        .header("authorization", bearer(&token("user")))
        .body(String::new())
        .expect("request");
    let response = service.clone().oneshot(request).await.expect("infallible");
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(&body[..], b"user-42");
    let anonymous = Request::get("/api/me").body(String::new()).expect("request");
    assert_eq!(
        service.oneshot(anonymous).await.expect("infallible").status(),
        StatusCode::UNAUTHORIZED
    );
}

#[cfg(feature = "remote")]
mod remote_sets {
    use super::*;
    use rjose_remote::reqwest::StatusCode as RemoteStatus;
    use rjose_remote::reqwest::header::HeaderMap as RemoteHeaderMap;
    use rjose_remote::{FetchFuture, FetchRequest, FetchResponse, JwksFetcher, RemoteJwkSet, RemoteJwkSetOptions};

    /// Serves one JWK Set document, or fails, without a network.
    #[derive(Debug)]
    struct FixedJwks(Option<String>);

    impl JwksFetcher for FixedJwks {
        fn fetch(&self, _request: FetchRequest) -> FetchFuture<'_> {
            let response = match &self.0 {
                Some(doc) => FetchResponse::new(RemoteStatus::OK, RemoteHeaderMap::new(), doc.clone().into_bytes()),
                None => FetchResponse::new(RemoteStatus::INTERNAL_SERVER_ERROR, RemoteHeaderMap::new(), Vec::new()),
            };
            Box::pin(async move { Ok(response) })
        }
    }

    fn remote_set(doc: Option<String>) -> RemoteJwkSet {
        RemoteJwkSet::new(
            "https://tenant.idp.example/.well-known/jwks.json",
            RemoteJwkSetOptions::new().fetcher(FixedJwks(doc)),
        )
        .expect("remote set")
    }

    #[tokio::test]
    async fn remote_jwk_set_key_source() {
        let (private, public) = rsa_pair();
        let doc = LocalJwkSet::new([public]).to_public_json().expect("JWKS");
        let reply = send(
            multi_issuer_app(remote_set(Some(doc))),
            get_with("/api/me", &[("authorization", &bearer(&idp_token(&private, IDP)))]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    #[tokio::test]
    async fn unreachable_jwk_set_is_service_unavailable_not_invalid_token() {
        let (private, _) = rsa_pair();
        let reply = send(
            multi_issuer_app(remote_set(None)),
            get_with("/api/me", &[("authorization", &bearer(&idp_token(&private, IDP)))]),
        )
        .await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.json()["code"], "ERR_JWKS_FETCH_FAILED");
        assert_eq!(reply.challenge(), "");
    }
}

#[tokio::test]
async fn extractor_of_another_claims_type_is_a_server_error_not_a_401() {
    #[derive(serde::Deserialize)]
    struct Other {}
    let app = Router::new()
        .route("/api/other", get(|_: Claims<Other>| async { "unreachable" }))
        .layer(layer());
    let reply = send(
        app,
        get_with("/api/other", &[("authorization", &bearer(&token("user")))]),
    )
    .await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(reply.json()["code"], "ERR_AUTH_LAYER_MISSING");
}
