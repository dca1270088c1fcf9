//! Every flow of the service over real HTTP, on SQLite and on PostgreSQL.

mod common;

use std::time::Duration;

use common::{App, Db, PASSWORD, SECRET, client, config, error_code, es256_config, s};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use rjose::jwt::{SignJwt, decode_jwt_unverified};
use rjose::{Alg, JsonObject, LocalJwkSet, jwt::VerifyOptions, jwt::jwt_verify};
use serde_json::{Value, json};

on_both_databases!(
    sign_in_returns_access_and_refresh_tokens_as_json_and_cookies,
    me_accepts_a_bearer_token_or_the_access_cookie,
    access_tokens_without_exp_or_sub_are_refused,
    refresh_and_one_time_tokens_are_not_access_tokens,
    admin_routes_need_the_admin_role,
    refresh_rotates_the_refresh_token,
    refresh_token_reuse_revokes_the_family,
    concurrent_refreshes_with_one_token_succeed_once,
    sign_out_revokes_the_session,
    email_verification_token_works_once,
    password_reset_token_works_once_and_ends_every_session,
    expired_access_token_is_401_for_apis_and_a_redirect_for_pages,
    pages_sign_in_show_the_dashboard_and_sign_out_with_forms,
    wrong_password_and_duplicate_sign_up_are_refused,
    repeated_failed_sign_ins_lock_that_email_until_the_window_passes,
    parallel_guesses_get_no_more_tries_than_sequential_ones,
    a_key_row_not_sealed_by_the_service_is_never_used,
    jwks_publishes_rotated_keys_until_their_tokens_expire,
    rotated_keys_survive_a_restart_sealed_in_the_database,
    instances_sharing_a_database_publish_then_sign_with_a_rotated_key,
    timed_rotation_happens_once_across_instances,
    hs256_service_publishes_no_jwks,
);

fn claims(token: &str) -> JsonObject {
    decode_jwt_unverified(token).expect("decodable")
}

async fn sign_in_returns_access_and_refresh_tokens_as_json_and_cookies(db: &Db) {
    let app = App::start(config(db)).await;
    let user = app.sign_up("alice@example.com").await;
    let response = app
        .post(
            &app.browser,
            "/api/auth/sign-in",
            json!({ "email": "Alice@Example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let cookies: Vec<String> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    let body: Value = response.json().await.expect("json");

    // The access token: 15 minutes, aud "api", iss = the app's URL.
    let access = claims(s(&body, "access_token"));
    assert_eq!(access["aud"], "api");
    assert_eq!(access["iss"], app.server.url.as_str());
    assert_eq!(access["sub"], user["id"]);
    assert_eq!(access["role"], "user");
    assert_eq!(access["sessionId"], body["session_id"]);
    assert_eq!(
        access["exp"].as_i64().expect("exp") - access["iat"].as_i64().expect("iat"),
        15 * 60
    );
    // The refresh token: 30 days, type "refresh", a jti, no audience.
    let refresh = claims(s(&body, "refresh_token"));
    assert_eq!(refresh["type"], "refresh");
    assert!(refresh["jti"].as_str().is_some_and(|j| j.len() >= 16));
    assert!(refresh.get("aud").is_none());
    assert_eq!(
        refresh["exp"].as_i64().expect("exp") - refresh["iat"].as_i64().expect("iat"),
        30 * 86400
    );

    // Both as HttpOnly, SameSite=Lax cookies; no Secure on http loopback.
    for name in ["access_token=", "refresh_token="] {
        let cookie = cookies
            .iter()
            .find(|c| c.starts_with(name))
            .unwrap_or_else(|| panic!("{name} cookie in {cookies:?}"));
        assert!(cookie.contains("; HttpOnly"), "{cookie}");
        assert!(cookie.contains("; SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "{cookie}");
    }
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("refresh_token=") && c.contains("Path=/api/auth"))
    );
    app.stop().await;
}

async fn me_accepts_a_bearer_token_or_the_access_cookie(db: &Db) {
    let app = App::start(config(db)).await;
    let session = app.user("bob@example.com").await;
    let me: Value = app
        .get_bearer("/api/me", s(&session, "access_token"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["email"], "bob@example.com");
    assert_eq!(me["role"], "user");
    assert_eq!(me["sessionId"], session["session_id"]);

    app.sign_in_with(&app.browser, "bob@example.com").await;
    let response = app.browser.get(app.url("/api/me")).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::OK);

    let anonymous = app.api.get(app.url("/api/me")).send().await.expect("request");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(anonymous.headers().contains_key(WWW_AUTHENTICATE));
    app.stop().await;
}

/// Tokens signed with the service's own key, with every claim of a
/// genuine access token but one: only the claim rules can refuse them.
async fn access_tokens_without_exp_or_sub_are_refused(db: &Db) {
    let app = App::start(config(db)).await;
    let session = app.user("oscar@example.com").await;
    let genuine = claims(s(&session, "access_token"));
    let key = rjose::Key::from_secret(SECRET).expect("a non-empty secret");
    let resign = |claims: JsonObject| {
        SignJwt::from_claims(claims)
            .protected_header(Alg::HS256)
            .sign(&key)
            .expect("sign")
    };
    for missing in ["exp", "sub"] {
        let mut claims = genuine.clone();
        claims.remove(missing);
        let response = app.get_bearer("/api/me", &resign(claims)).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "without {missing}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(
            body["error_description"],
            format!("ERR_JWT_CLAIM_VALIDATION_FAILED: the token's {missing} check failed")
        );
    }
    // The same claims, complete, pass: the refusals above are the rules'.
    let response = app.get_bearer("/api/me", &resign(genuine)).await;
    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

async fn refresh_and_one_time_tokens_are_not_access_tokens(db: &Db) {
    let app = App::start(config(db)).await;
    let signed_up = app.sign_up("carol@example.com").await;
    let session = app.sign_in_with(&app.api, "carol@example.com").await;
    for token in [s(&session, "refresh_token"), s(&signed_up, "verification_token")] {
        let response = app.get_bearer("/api/me", token).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // Nor is an access token a refresh token.
    let response = app.refresh(s(&session, "access_token")).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(response).await, "invalid_refresh_token");
    app.stop().await;
}

async fn admin_routes_need_the_admin_role(db: &Db) {
    let app = App::start(config(db)).await;
    let user = app.user("dave@example.com").await;
    let admin = app.user("admin@example.com").await;
    assert_eq!(claims(s(&admin, "access_token"))["role"], "admin");

    let response = app.get_bearer("/api/admin/stats", s(&user, "access_token")).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app.get_bearer("/api/admin/stats", s(&admin, "access_token")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let stats: Value = response.json().await.expect("json");
    assert_eq!(stats["users"], 2);
    assert_eq!(stats["activeSessions"], 2);
    app.stop().await;
}

async fn refresh_rotates_the_refresh_token(db: &Db) {
    let app = App::start(config(db)).await;
    let first = app.user("erin@example.com").await;

    // From the JSON body (API clients).
    let response = app.refresh(s(&first, "refresh_token")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let second: Value = response.json().await.expect("json");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_ne!(
        claims(s(&second, "refresh_token"))["jti"],
        claims(s(&first, "refresh_token"))["jti"]
    );
    assert_eq!(second["session_id"], first["session_id"], "rotation keeps the session");
    assert_eq!(
        app.get_bearer("/api/me", s(&second, "access_token")).await.status(),
        StatusCode::OK
    );

    // From the cookie (browsers): the jar gets the rotated pair.
    app.sign_in_with(&app.browser, "erin@example.com").await;
    for _ in 0..2 {
        let response = app
            .browser
            .post(app.url("/api/auth/refresh"))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 2);
    }
    let me = app.browser.get(app.url("/api/me")).send().await.expect("request");
    assert_eq!(me.status(), StatusCode::OK);
    app.stop().await;
}

async fn refresh_token_reuse_revokes_the_family(db: &Db) {
    let app = App::start(config(db)).await;
    let first = app.user("frank@example.com").await;
    let other_session = app.sign_in_with(&app.api, "frank@example.com").await;
    let second: Value = app
        .refresh(s(&first, "refresh_token"))
        .await
        .json()
        .await
        .expect("json");

    // The first token again: someone kept a copy.
    let reuse = app.refresh(s(&first, "refresh_token")).await;
    assert_eq!(reuse.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(reuse).await, "refresh_token_reused");

    // The whole family is dead: the legitimate successor and its access token too.
    let successor = app.refresh(s(&second, "refresh_token")).await;
    assert_eq!(successor.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(error_code(successor).await, "session_revoked");
    let me = app.get_bearer("/api/me", s(&second, "access_token")).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let me = app.get_bearer("/api/me", s(&first, "access_token")).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);

    // Other sessions of the same user are untouched.
    let me = app.get_bearer("/api/me", s(&other_session, "access_token")).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        app.refresh(s(&other_session, "refresh_token")).await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

async fn concurrent_refreshes_with_one_token_succeed_once(db: &Db) {
    let app = App::start(config(db)).await;
    let session = app.user("grace@example.com").await;
    let token = s(&session, "refresh_token");
    let attempts: Vec<_> = (0..6).map(|_| app.refresh(token)).collect();
    let statuses: Vec<StatusCode> = futures_join_all(attempts).await.iter().map(|r| r.status()).collect();
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(ok, 1, "exactly one refresh wins: {statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::OK || *s == StatusCode::UNAUTHORIZED)
    );
    app.stop().await;
}

/// Runs the futures concurrently (on separate tasks) and returns their outputs in order.
async fn futures_join_all<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future,
{
    // Polled together in one task: the requests are in flight at once,
    // and the server handles them on its own workers.
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("ready")).collect()
}

async fn sign_out_revokes_the_session(db: &Db) {
    let app = App::start(config(db)).await;
    app.sign_up("heidi@example.com").await;
    let session = app.sign_in_with(&app.browser, "heidi@example.com").await;
    let other = app.sign_in_with(&app.api, "heidi@example.com").await;

    let response = app
        .browser
        .post(app.url("/api/auth/sign-out"))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), StatusCode::OK);
    let cleared: Vec<_> = response.headers().get_all(SET_COOKIE).iter().collect();
    assert!(
        cleared
            .iter()
            .all(|c| c.to_str().is_ok_and(|c| c.contains("Max-Age=0")))
    );
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["session_revoked"], true);

    // The access token is refused at once, not at its expiry.
    let me = app.get_bearer("/api/me", s(&session, "access_token")).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let refresh = app.refresh(s(&session, "refresh_token")).await;
    assert_eq!(error_code(refresh).await, "session_revoked");
    // The cookie jar is empty now.
    let me = app.browser.get(app.url("/api/me")).send().await.expect("request");
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    // The other session goes on.
    let me = app.get_bearer("/api/me", s(&other, "access_token")).await;
    assert_eq!(me.status(), StatusCode::OK);

    // Signing out with a bearer access token (no refresh token) works too.
    let response = app
        .api
        .post(app.url("/api/auth/sign-out"))
        .bearer_auth(s(&other, "access_token"))
        .send()
        .await
        .expect("request");
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["session_revoked"], true);
    assert_eq!(
        app.get_bearer("/api/me", s(&other, "access_token")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

async fn email_verification_token_works_once(db: &Db) {
    let app = App::start(config(db)).await;
    let signed_up = app.sign_up("ivan@example.com").await;
    let session = app.sign_in_with(&app.api, "ivan@example.com").await;
    let me: Value = app
        .get_bearer("/api/me", s(&session, "access_token"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["emailVerified"], false);

    let token = s(&signed_up, "verification_token");
    let one_time = claims(token);
    assert_eq!(one_time["type"], "email_verify");
    assert_eq!(one_time["email"], "ivan@example.com");
    assert_eq!(
        one_time["exp"].as_i64().expect("exp") - one_time["iat"].as_i64().expect("iat"),
        3600
    );

    let verify = |token: String| {
        let app = &app;
        async move { app.api_post("/api/auth/verify-email", json!({ "token": token })).await }
    };
    assert_eq!(verify(token.to_owned()).await.status(), StatusCode::OK);
    let replay = verify(token.to_owned()).await;
    assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(replay).await, "token_already_used");
    let me: Value = app
        .get_bearer("/api/me", s(&session, "access_token"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(me["emailVerified"], true);

    // A password reset token is not an email verification token.
    let reset: Value = app
        .api_post(
            "/api/auth/password-reset/request",
            json!({ "email": "ivan@example.com" }),
        )
        .await
        .json()
        .await
        .expect("json");
    let wrong = verify(s(&reset, "token").to_owned()).await;
    assert_eq!(error_code(wrong).await, "invalid_token");
    // Unknown emails get the same answer, and no token.
    let unknown = app
        .api_post(
            "/api/auth/verify-email/request",
            json!({ "email": "nobody@example.com" }),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::ACCEPTED);
    let body: Value = unknown.json().await.expect("json");
    assert_eq!(body, json!({ "status": "sent" }));
    app.stop().await;
}

async fn password_reset_token_works_once_and_ends_every_session(db: &Db) {
    let app = App::start(config(db)).await;
    let session = app.user("judy@example.com").await;
    let reset: Value = app
        .api_post(
            "/api/auth/password-reset/request",
            json!({ "email": "judy@example.com" }),
        )
        .await
        .json()
        .await
        .expect("json");
    let token = s(&reset, "token");
    assert_eq!(claims(token)["type"], "password_reset");

    let new_password = "a brand new passphrase";
    let body = json!({ "token": token, "password": new_password });
    let response = app.api_post("/api/auth/password-reset", body.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let replay = app.api_post("/api/auth/password-reset", body).await;
    assert_eq!(error_code(replay).await, "token_already_used");

    // Old sessions are over; the old password is refused, the new one works.
    assert_eq!(
        app.get_bearer("/api/me", s(&session, "access_token")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.refresh(s(&session, "refresh_token")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let old = app.try_sign_in("judy@example.com", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let new = app.try_sign_in("judy@example.com", new_password).await;
    assert_eq!(new.status(), StatusCode::OK);
    app.stop().await;
}

async fn expired_access_token_is_401_for_apis_and_a_redirect_for_pages(db: &Db) {
    let mut config = config(db);
    // exp = iat + 2 with whole seconds: valid for at least one second after
    // sign-in, which the first dashboard request needs.
    config.access_token_ttl = 2;
    let app = App::start(config).await;
    app.sign_up("mallory@example.com").await;
    let session = app.sign_in_with(&app.browser, "mallory@example.com").await;
    assert_eq!(
        app.browser
            .get(app.url("/dashboard"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::OK
    );

    // Three seconds later exp has passed, whatever the rounding.
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let api = app.get_bearer("/api/me", s(&session, "access_token")).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    let challenge = api.headers()[WWW_AUTHENTICATE].to_str().expect("ascii").to_owned();
    assert!(challenge.contains("invalid_token"), "{challenge}");

    let page = app.browser.get(app.url("/dashboard")).send().await.expect("get");
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[LOCATION], "/sign-in?error=session_expired");

    // The refresh cookie brings the session back.
    let refreshed = app
        .browser
        .post(app.url("/api/auth/refresh"))
        .send()
        .await
        .expect("post");
    assert_eq!(refreshed.status(), StatusCode::OK);
    assert_eq!(
        app.browser
            .get(app.url("/dashboard"))
            .send()
            .await
            .expect("get")
            .status(),
        StatusCode::OK
    );

    // Without any token, a page asks to sign in.
    let anonymous = client(true).get(app.url("/dashboard")).send().await.expect("get");
    assert_eq!(anonymous.headers()[LOCATION], "/sign-in?error=sign_in_required");
    app.stop().await;
}

async fn pages_sign_in_show_the_dashboard_and_sign_out_with_forms(db: &Db) {
    let app = App::start(config(db)).await;
    let form = [("email", "peggy@example.com"), ("password", PASSWORD)];
    let signed_up = app
        .browser
        .post(app.url("/api/auth/sign-up"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(signed_up.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_up.headers()[LOCATION], "/sign-in?registered=1");

    for page in ["/", "/sign-in", "/sign-up"] {
        let response = app.browser.get(app.url(page)).send().await.expect("get");
        assert_eq!(response.status(), StatusCode::OK, "{page}");
    }
    let signed_in = app
        .browser
        .post(app.url("/api/auth/sign-in"))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()[LOCATION], "/dashboard");
    let dashboard = app.browser.get(app.url("/dashboard")).send().await.expect("get");
    assert_eq!(dashboard.status(), StatusCode::OK);
    assert!(dashboard.text().await.expect("text").contains("peggy@example.com"));
    let home = app
        .browser
        .get(app.url("/"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert!(home.contains("Signed in"), "{home}");

    let signed_out = app
        .browser
        .post(app.url("/api/auth/sign-out"))
        .form(&[("", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_out.headers()[LOCATION], "/sign-in?signed_out=1");
    let dashboard = app.browser.get(app.url("/dashboard")).send().await.expect("get");
    assert_eq!(dashboard.status(), StatusCode::SEE_OTHER);

    let wrong = [("email", "peggy@example.com"), ("password", "not the password")];
    let refused = app
        .browser
        .post(app.url("/api/auth/sign-in"))
        .form(&wrong)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.headers()[LOCATION], "/sign-in?error=invalid_credentials");
    app.stop().await;
}

async fn wrong_password_and_duplicate_sign_up_are_refused(db: &Db) {
    let app = App::start(config(db)).await;
    app.sign_up("oscar@example.com").await;
    let again = app
        .api_post(
            "/api/auth/sign-up",
            json!({ "email": "OSCAR@example.com", "password": PASSWORD }),
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let short = app
        .api_post(
            "/api/auth/sign-up",
            json!({ "email": "trent@example.com", "password": "short" }),
        )
        .await;
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
    for (email, password) in [
        ("oscar@example.com", "wrong password"),
        ("nobody@example.com", PASSWORD),
    ] {
        let response = app.try_sign_in(email, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(error_code(response).await, "invalid_credentials");
    }
    app.stop().await;
}

async fn fetch_jwks(app: &App) -> Value {
    let response = app
        .api
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// Rotates the signing key as `admin`; returns the new kid and when it
/// signs.
async fn rotate(app: &App, admin_token: &str) -> (String, i64) {
    let response = app
        .api
        .post(app.url("/api/admin/rotate-key"))
        .bearer_auth(admin_token)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    (
        s(&body, "kid").to_owned(),
        body["signs_from"].as_i64().expect("signs_from"),
    )
}

fn kid_of(token: &str) -> String {
    let header = rjose::jwt::decode_protected_header(token).expect("header");
    header.kid().expect("kid").to_owned()
}

fn unix_now() -> i64 {
    let elapsed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock");
    i64::try_from(elapsed.as_secs()).expect("seconds")
}

fn kids(jwks: &Value) -> Vec<String> {
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

/// Verifies an access token as a third party would: with the published
/// JWK Set only.
fn verify_with_jwks(app: &App, jwks: &Value, token: &str) -> rjose::Result<()> {
    let set = LocalJwkSet::from_value(jwks.clone())?;
    let options = VerifyOptions::new()
        .algorithms([Alg::ES256])
        .audience("api")
        .issuer(app.server.url.clone());
    jwt_verify::<JsonObject>(token, &set, &options).map(|_| ())
}

async fn jwks_publishes_rotated_keys_until_their_tokens_expire(db: &Db) {
    let mut config = es256_config(db);
    // Short enough to wait out, long enough that the first token is still
    // valid through the rotation steps on a loaded machine.
    config.access_token_ttl = 4;
    config.key_retire_margin = 1;
    config.key_activation_delay = 0;
    let app = App::start(config).await;
    let admin = app.user("admin@example.com").await;
    let old_token = s(&admin, "access_token");

    let before = fetch_jwks(&app).await;
    assert_eq!(before["keys"].as_array().map(Vec::len), Some(1));
    assert!(before["keys"][0].get("d").is_none(), "only public keys are published");
    let old_kid = kids(&before)[0].clone();
    assert_eq!(
        rjose::jwt::decode_protected_header(old_token).expect("header").kid(),
        Some(old_kid.as_str())
    );
    verify_with_jwks(&app, &before, old_token).expect("verifies with the JWKS");

    let rotated = app
        .api
        .post(app.url("/api/admin/rotate-key"))
        .bearer_auth(old_token)
        .send()
        .await
        .expect("post");
    assert_eq!(rotated.status(), StatusCode::OK);
    let new_kid = s(&rotated.json::<Value>().await.expect("json"), "kid").to_owned();
    assert_ne!(new_kid, old_kid);

    // Both keys are published; old tokens still verify; new ones use the new kid.
    let during = fetch_jwks(&app).await;
    assert_eq!(kids(&during), [new_kid.clone(), old_kid.clone()]);
    assert_eq!(app.get_bearer("/api/me", old_token).await.status(), StatusCode::OK);
    let fresh = app.sign_in_with(&app.api, "admin@example.com").await;
    let fresh_token = s(&fresh, "access_token");
    assert_eq!(
        rjose::jwt::decode_protected_header(fresh_token).expect("header").kid(),
        Some(new_kid.as_str())
    );
    verify_with_jwks(&app, &during, fresh_token).expect("new token verifies with the JWKS");
    verify_with_jwks(&app, &during, old_token).expect("old token verifies with the JWKS");

    // A user may not rotate keys.
    let user = app.user("user@example.com").await;
    let refused = app
        .api
        .post(app.url("/api/admin/rotate-key"))
        .bearer_auth(s(&user, "access_token"))
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // After access lifetime + margin (5 s) the old key is gone from the set...
    tokio::time::sleep(Duration::from_millis(5200)).await;
    let after = fetch_jwks(&app).await;
    assert_eq!(kids(&after), [new_kid]);
    // ...but refresh tokens it signed still work here: the service keeps it
    // internally for the refresh token lifetime.
    let refreshed = app.refresh(s(&admin, "refresh_token")).await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    let body: Value = refreshed.json().await.expect("json");
    assert_eq!(
        app.get_bearer("/api/me", s(&body, "access_token")).await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

async fn rotated_keys_survive_a_restart_sealed_in_the_database(db: &Db) {
    let mut config = es256_config(db);
    config.key_activation_delay = 0;
    let app = App::start(config.clone()).await;
    let admin = app.user("admin@example.com").await;
    let old_kid = kid_of(s(&admin, "access_token"));
    let (new_kid, _) = rotate(&app, s(&admin, "access_token")).await;
    let fresh = app.sign_in_with(&app.api, "admin@example.com").await;
    assert_eq!(kid_of(s(&fresh, "access_token")), new_kid);
    let issuer = app.server.url.clone();
    app.stop().await;

    // The same key file and database: the rotated key is still the
    // signing key, and both keys are still published.
    let app = App::start(config).await;
    let jwks = fetch_jwks(&app).await;
    assert_eq!(kids(&jwks), [new_kid.clone(), old_kid]);
    let again = app.sign_in_with(&app.api, "admin@example.com").await;
    assert_eq!(kid_of(s(&again, "access_token")), new_kid);
    // A token from before the restart verifies with the JWKS after it.
    let set = LocalJwkSet::from_value(jwks).expect("set");
    let options = VerifyOptions::new()
        .algorithms([Alg::ES256])
        .audience("api")
        .issuer(issuer);
    jwt_verify::<JsonObject>(s(&fresh, "access_token"), &set, &options).expect("verifies");
    app.stop().await;

    // At rest the private key is a JWE sealed under a key derived from the
    // configured key, not a key anyone reading the database could sign with.
    let store = rjose_auth_service::store::Store::connect(&db.url).await.expect("store");
    let stored = store.signing_keys().await.expect("keys");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].kid, new_kid);
    assert_eq!(stored[0].sealed.split('.').count(), 5, "compact JWE");
    let header = rjose::jwt::decode_protected_header(&stored[0].sealed).expect("header");
    assert_eq!(header.alg_name(), Some("dir"));
    assert_eq!(header.kid(), Some(new_kid.as_str()));
    assert!(!stored[0].sealed.contains("\"d\""));
    store.close().await;
}

async fn instances_sharing_a_database_publish_then_sign_with_a_rotated_key(db: &Db) {
    let mut config = es256_config(db);
    // Two instances behind one public URL, reloading keys every second; a
    // new key is published 8 s before it signs (room for the checks below
    // on a loaded machine).
    config.app_url = Some("https://auth.example".into());
    config.key_reload_interval = 1;
    config.key_activation_delay = 8;
    let one = App::start(config.clone()).await;
    let two = App::start(config).await;
    let admin = one.user("admin@example.com").await;
    let old_kid = kid_of(s(&admin, "access_token"));
    assert_eq!(
        two.get_bearer("/api/me", s(&admin, "access_token")).await.status(),
        StatusCode::OK
    );

    let (new_kid, signs_from) = rotate(&one, s(&admin, "access_token")).await;
    // Published at once by the instance that rotated, not signing yet.
    assert_eq!(kids(&fetch_jwks(&one).await), [old_kid.clone(), new_kid.clone()]);
    let before = one.sign_in_with(&one.api, "admin@example.com").await;
    assert_eq!(kid_of(s(&before, "access_token")), old_kid);
    // The other instance publishes it after its next reload.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !kids(&fetch_jwks(&two).await).contains(&new_kid) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "instance two never loaded {new_kid}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // From signs_from on, both sign with it and accept each other's tokens.
    while unix_now() <= signs_from {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let from_two = two.sign_in_with(&two.api, "admin@example.com").await;
    assert_eq!(kid_of(s(&from_two, "access_token")), new_kid);
    assert_eq!(
        one.get_bearer("/api/me", s(&from_two, "access_token")).await.status(),
        StatusCode::OK
    );
    let from_one = one.refresh(s(&before, "refresh_token")).await;
    assert_eq!(from_one.status(), StatusCode::OK);
    let from_one: Value = from_one.json().await.expect("json");
    assert_eq!(kid_of(s(&from_one, "access_token")), new_kid);
    assert_eq!(
        two.get_bearer("/api/me", s(&from_one, "access_token")).await.status(),
        StatusCode::OK
    );
    assert_eq!(kids(&fetch_jwks(&two).await), [new_kid, old_kid]);
    one.stop().await;
    two.stop().await;
}

async fn timed_rotation_happens_once_across_instances(db: &Db) {
    use rjose_auth_service::keys::KeyStore;
    let config = es256_config(db);
    let store = rjose_auth_service::store::Store::connect(&db.url).await.expect("store");
    let one = KeyStore::new(&config.signing, 60, 3600).expect("keys");
    let two = KeyStore::new(&config.signing, 60, 3600).expect("keys");
    // The first instance started on this database less than an interval ago.
    assert_eq!(one.rotate_if_due(&store, 2, 0).await.expect("rotation"), None);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let rotated = one
        .rotate_if_due(&store, 2, 0)
        .await
        .expect("rotation")
        .expect("due after an interval");
    // The other instance's timer fires too: the key just made by the first
    // counts, so it only loads that key.
    assert_eq!(two.rotate_if_due(&store, 2, 0).await.expect("rotation"), None);
    two.reload(&store).await.expect("reload");
    assert_eq!(two.current_kid(), Some(rotated.kid.clone()));
    assert_eq!(one.current_kid(), Some(rotated.kid));
    assert_eq!(store.signing_keys().await.expect("keys").len(), 1);

    // A restart does not postpone the next rotation: an instance started
    // now rotates as soon as the newest key in the database is an interval
    // old, not an interval after its own start.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let restarted = KeyStore::new(&config.signing, 60, 3600).expect("keys");
    let next = restarted
        .rotate_if_due(&store, 2, 0)
        .await
        .expect("rotation")
        .expect("due: the newest key is an interval old");
    assert_eq!(restarted.current_kid(), Some(next.kid));
    store.close().await;
}

async fn a_key_row_not_sealed_by_the_service_is_never_used(db: &Db) {
    use rjose_auth_service::store::StoredKey;
    let config = es256_config(db);
    let app = App::start(config).await;
    let admin = app.user("admin@example.com").await;
    let configured_kid = kid_of(s(&admin, "access_token"));
    let store = rjose_auth_service::store::Store::connect(&db.url).await.expect("store");

    // Someone with write access to the database adds a key of their own,
    // encrypted as a service-written row would be but without the
    // configured key, which only the service holds.
    let intruder = rjose::generate_key_pair(Alg::ES256, Default::default()).expect("pair");
    let intruder_kid = intruder
        .public_key
        .thumbprint(rjose::Digest::Sha256)
        .expect("thumbprint");
    let guess = rjose::generate_secret(rjose::jwe::JweEnc::A256GCM).expect("secret");
    let pkcs8 = intruder.private_key.to_pkcs8_der().expect("der");
    let now = unix_now();
    let header = rjose::jwe::JweHeader::new(rjose::jwe::JweAlg::Dir, rjose::jwe::JweEnc::A256GCM)
        .kid(&intruder_kid)
        .insert("created_at", now)
        .and_then(|h| h.insert("signs_from", now))
        .expect("header");
    let sealed = rjose::jwe::CompactEncrypt::new(&pkcs8)
        .protected_header(header)
        .encrypt(&guess)
        .expect("encrypt");
    let row = StoredKey {
        kid: intruder_kid.clone(),
        sealed,
        created_at: now,
        signs_from: now,
    };
    assert!(store.insert_signing_key(&row, None).await.expect("insert"));

    // A rotation reloads the keys: the intruder's is skipped, neither
    // published nor used to sign.
    let (new_kid, _) = rotate(&app, s(&admin, "access_token")).await;
    let published = kids(&fetch_jwks(&app).await);
    assert!(!published.contains(&intruder_kid), "{published:?}");
    assert!(published.contains(&configured_kid) && published.contains(&new_kid));
    store.close().await;
    app.stop().await;
}

/// The service with three failed sign-ins allowed per `window` seconds,
/// and alice@example.com signed up.
async fn throttled_app(db: &Db, window: i64) -> App {
    let mut config = config(db);
    config.sign_in_max_failures = 3;
    config.sign_in_window = window;
    let app = App::start(config).await;
    app.sign_up("alice@example.com").await;
    app
}

async fn repeated_failed_sign_ins_lock_that_email_until_the_window_passes(db: &Db) {
    // Long enough for the failures and checks below on a loaded machine.
    let app = throttled_app(db, 8).await;
    for _ in 0..3 {
        assert_eq!(
            app.try_sign_in("alice@example.com", "wrong password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let window_start = unix_now();

    // Locked: even the right password is refused, with a Retry-After.
    let locked = app.try_sign_in("Alice@Example.com", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: i64 = locked
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After seconds");
    assert!((1..=8).contains(&retry_after), "Retry-After {retry_after}");
    assert_eq!(error_code(locked).await, "too_many_attempts");
    // The sign-in form is sent back to the page with the reason.
    let form = app
        .api
        .post(app.url("/api/auth/sign-in"))
        .form(&[("email", "alice@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(form.status(), StatusCode::SEE_OTHER);
    assert_eq!(form.headers()[LOCATION], "/sign-in?error=too_many_attempts");
    // Other emails, with or without an account, are not affected.
    assert_eq!(
        app.try_sign_in("nobody@example.com", "wrong password").await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Once the window has passed, the right password works, and the
    // success clears the count.
    while unix_now() <= window_start + 8 {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.try_sign_in("alice@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
    for _ in 0..2 {
        app.try_sign_in("alice@example.com", "wrong password").await;
    }
    assert_eq!(
        app.try_sign_in("alice@example.com", PASSWORD).await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

async fn parallel_guesses_get_no_more_tries_than_sequential_ones(db: &Db) {
    let app = throttled_app(db, 60).await;
    // Twelve wrong guesses at once: the password check is slow, so all of
    // them are in flight before any has failed. At most three may be tried.
    let guesses = (0..12).map(|_| {
        let client = app.api.clone();
        let url = app.url("/api/auth/sign-in");
        tokio::spawn(async move {
            let body = json!({ "email": "alice@example.com", "password": "wrong password" });
            client.post(url).json(&body).send().await.expect("post").status()
        })
    });
    let mut tried = 0;
    for guess in guesses.collect::<Vec<_>>() {
        match guess.await.expect("task") {
            StatusCode::UNAUTHORIZED => tried += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert!(tried <= 3, "{tried} guesses were checked");
    // Guesses sent one by one afterwards get the rest of the three tries,
    // and no more. (A burst may get fewer than three: attempts that all
    // see each other are all refused.)
    loop {
        let response = app.try_sign_in("alice@example.com", "wrong password").await;
        match response.status() {
            StatusCode::UNAUTHORIZED => tried += 1,
            StatusCode::TOO_MANY_REQUESTS => break,
            other => panic!("unexpected {other}"),
        }
        assert!(tried <= 3, "{tried} guesses were checked");
    }
    assert_eq!(tried, 3);
    let locked = app.try_sign_in("alice@example.com", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    app.stop().await;
}

async fn hs256_service_publishes_no_jwks(db: &Db) {
    let app = App::start(config(db)).await;
    let response = app
        .api
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let admin = app.user("admin@example.com").await;
    let rotate = app
        .api
        .post(app.url("/api/admin/rotate-key"))
        .bearer_auth(s(&admin, "access_token"))
        .send()
        .await
        .expect("post");
    assert_eq!(rotate.status(), StatusCode::CONFLICT);
    app.stop().await;
}

/// A `DATABASE_URL` asking for TLS gets it: the service's own pool
/// connections are encrypted (ci-setup.sh's cluster has TLS on, with
/// Debian's snakeoil certificate, hence `require` rather than
/// `verify-full`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_is_reached_over_tls_when_the_url_asks_for_it() {
    use sqlx::{Connection, Row};
    let Some(db) = Db::postgres("postgres_is_reached_over_tls_when_the_url_asks_for_it").await else {
        return;
    };
    let separator = if db.url.contains('?') { '&' } else { '?' };
    let mut config = config(&db);
    config.database_url = format!("{}{separator}sslmode=require", db.url);
    let app = App::start(config).await;
    let user = app.user("tls@example.com").await;
    assert_eq!(
        app.get_bearer("/api/me", s(&user, "access_token")).await.status(),
        StatusCode::OK
    );

    // While the service runs, its pool keeps connections to this test's
    // database: look at them from a plain connection of the test's own.
    let mut observer = sqlx::postgres::PgConnection::connect(&db.url).await.expect("connect");
    let rows = sqlx::query(
        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid
         WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()",
    )
    .fetch_all(&mut observer)
    .await
    .expect("query");
    let encrypted: Vec<bool> = rows.iter().map(|row| row.try_get("ssl").expect("ssl")).collect();
    assert!(!encrypted.is_empty(), "the service holds no connection to its database");
    assert!(
        encrypted.iter().all(|&ssl| ssl),
        "unencrypted service connections: {encrypted:?}"
    );
    observer.close().await.ok();
    app.stop().await;
    db.cleanup().await;
}
