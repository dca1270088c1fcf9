//! DPoP (RFC 9449) over real HTTP, on SQLite and on PostgreSQL: DPoP-bound
//! tokens from the token endpoints, proofs at the resource routes, and
//! every way a proof or a stolen token is refused.

mod common;

use common::{App, Db, PASSWORD, config, es256_config, s};
use reqwest::header::{AUTHORIZATION, SET_COOKIE, WWW_AUTHENTICATE};
use reqwest::{Response, StatusCode};
use rjose::dpop::DpopProof;
use rjose::jwt::decode_jwt_unverified;
use rjose::{Alg, Digest, JsonObject, Key};
use rjose_auth_service::store::Store;
use serde_json::{Value, json};

on_both_databases!(
    a_dpop_sign_in_issues_a_bound_pair_used_with_proofs_and_refreshed_with_the_same_key,
    a_sign_in_without_a_proof_stays_bearer_with_cookies,
    a_bearer_session_stays_bearer_when_refreshed_with_a_proof,
    a_replayed_proof_is_refused_at_the_token_endpoint_and_at_the_resource,
    one_proof_sent_concurrently_is_taken_once,
    concurrent_dpop_refreshes_with_one_token_succeed_once,
    a_proof_for_another_url_is_refused,
    a_proof_for_another_method_is_refused,
    a_proof_with_a_stale_iat_is_refused,
    a_proof_with_a_wrong_or_missing_ath_is_refused,
    a_stolen_bound_token_is_useless_without_its_key,
    a_refresh_with_another_keys_proof_is_refused_and_leaves_the_session_usable,
    a_bound_session_is_not_refreshed_without_a_proof,
    a_malformed_or_doubled_proof_is_refused_at_the_token_endpoint,
    nonce_challenge_and_retry_at_the_token_endpoints,
    nonce_challenge_and_retry_at_the_resource,
    instances_configured_alike_accept_each_others_nonces,
    the_dpop_only_route_refuses_bearer_tokens,
    htu_is_checked_against_app_url_and_a_proof_is_seen_by_every_instance,
    the_replay_table_records_once_and_takes_over_expired_rows,
);

const SIGN_IN: &str = "/api/auth/sign-in";
const REFRESH: &str = "/api/auth/refresh";

/// A client's DPoP key (ES256, as browsers' WebCrypto and most libraries
/// make them).
fn client_key() -> Key {
    rjose::generate_key_pair(Alg::ES256, Default::default())
        .expect("key pair")
        .private_key
}

fn thumbprint(key: &Key) -> String {
    key.thumbprint(Digest::Sha256).expect("thumbprint")
}

fn claims(token: &str) -> JsonObject {
    decode_jwt_unverified(token).expect("decodable")
}

/// The public URL of `path`: what `htu` must be (the app's URL, which is
/// the bound address unless the config names another).
fn htu(app: &App, path: &str) -> String {
    format!("{}{path}", app.server.url)
}

/// A proof for `method` `path` on `app`.
fn proof(app: &App, key: &Key, method: &str, path: &str) -> String {
    DpopProof::new(method, htu(app, path)).sign(key).expect("proof")
}

/// A proof for a call to a resource route with `access_token`.
fn resource_proof(app: &App, key: &Key, method: &str, path: &str, access_token: &str) -> String {
    DpopProof::new(method, htu(app, path))
        .access_token(access_token)
        .sign(key)
        .expect("proof")
}

async fn post_with_proof(app: &App, path: &str, proof: &str, body: Value) -> Response {
    app.api
        .post(app.url(path))
        .header("DPoP", proof)
        .json(&body)
        .send()
        .await
        .expect("request")
}

fn credentials(email: &str) -> Value {
    json!({ "email": email, "password": PASSWORD })
}

/// Signs up `email` and signs in with a proof of `key`; returns the JSON.
async fn dpop_user(app: &App, email: &str, key: &Key) -> Value {
    app.sign_up(email).await;
    let response = post_with_proof(app, SIGN_IN, &proof(app, key, "POST", SIGN_IN), credentials(email)).await;
    assert_eq!(response.status(), StatusCode::OK, "DPoP sign-in of {email}");
    response.json().await.expect("json")
}

async fn get_dpop(app: &App, path: &str, access_token: &str, proof: &str) -> Response {
    app.api
        .get(app.url(path))
        .header(AUTHORIZATION, format!("DPoP {access_token}"))
        .header("DPoP", proof)
        .send()
        .await
        .expect("request")
}

fn challenges(response: &Response) -> Vec<String> {
    response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect()
}

/// The one `WWW-Authenticate` challenge of `scheme`.
fn challenge(response: &Response, scheme: &str) -> String {
    let prefix = format!("{scheme} ");
    challenges(response)
        .into_iter()
        .find(|c| c.starts_with(&prefix) || c == scheme)
        .unwrap_or_else(|| panic!("no {scheme} challenge in {:?}", challenges(response)))
}

/// Status, `error` and `code` of a JSON error answer.
async fn refusal(response: Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
        body["code"].as_str().unwrap_or_default().to_owned(),
    )
}

fn refused(error: &str, code: &str) -> (StatusCode, String, String) {
    (StatusCode::BAD_REQUEST, error.to_owned(), code.to_owned())
}

fn unauthorized(error: &str, code: &str) -> (StatusCode, String, String) {
    (StatusCode::UNAUTHORIZED, error.to_owned(), code.to_owned())
}

/// Of six requests raced with one credential, exactly one went through
/// and the five others were refused as reuses.
fn one_won_the_race(statuses: &[StatusCode]) {
    let count = |status| statuses.iter().filter(|s| **s == status).count();
    assert_eq!(count(StatusCode::OK), 1, "exactly one wins: {statuses:?}");
    assert_eq!(
        count(StatusCode::UNAUTHORIZED),
        5,
        "the others are reuses: {statuses:?}"
    );
}

/// Checks a resource's answer to a refused proof: `401`, a `DPoP`
/// challenge with `invalid_dpop_proof`, and `code`.
async fn proof_refused_at_resource(response: Response, code: &str) {
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response, "DPoP").starts_with("DPoP error=\"invalid_dpop_proof\""));
    assert_eq!(refusal(response).await, unauthorized("invalid_dpop_proof", code));
}

async fn a_dpop_sign_in_issues_a_bound_pair_used_with_proofs_and_refreshed_with_the_same_key(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    app.sign_up("dora@example.com").await;
    let response = post_with_proof(
        &app,
        SIGN_IN,
        &proof(&app, &key, "POST", SIGN_IN),
        credentials("dora@example.com"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    // No cookies: a browser sending them would have no key.
    assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 0);
    assert!(!response.headers().contains_key("dpop-nonce"), "nonces are off");
    let pair: Value = response.json().await.expect("json");
    assert_eq!(pair["token_type"], "DPoP");
    let access = s(&pair, "access_token").to_owned();
    assert_eq!(claims(&access)["cnf"], json!({ "jkt": thumbprint(&key) }));

    let response = get_dpop(
        &app,
        "/api/me",
        &access,
        &resource_proof(&app, &key, "GET", "/api/me", &access),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: Value = response.json().await.expect("json");
    assert_eq!(me["email"], "dora@example.com");
    assert_eq!(me["tokenType"], "DPoP");
    assert_eq!(me["jkt"], thumbprint(&key).as_str());
    // The DPoP-only route takes it too.
    let path = "/api/dpop/me";
    let response = get_dpop(&app, path, &access, &resource_proof(&app, &key, "GET", path, &access)).await;
    assert_eq!(response.status(), StatusCode::OK);

    let response = post_with_proof(
        &app,
        REFRESH,
        &proof(&app, &key, "POST", REFRESH),
        json!({ "refresh_token": s(&pair, "refresh_token") }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 0);
    let next: Value = response.json().await.expect("json");
    assert_eq!(next["token_type"], "DPoP");
    assert_eq!(next["session_id"], pair["session_id"]);
    // Rotated (the access token has no jti: within one second it is the same).
    assert_ne!(next["refresh_token"], pair["refresh_token"]);
    let next_access = s(&next, "access_token").to_owned();
    assert_eq!(claims(&next_access)["cnf"], json!({ "jkt": thumbprint(&key) }));
    let response = get_dpop(
        &app,
        "/api/me",
        &next_access,
        &resource_proof(&app, &key, "GET", "/api/me", &next_access),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

async fn a_sign_in_without_a_proof_stays_bearer_with_cookies(db: &Db) {
    let app = App::start(config(db)).await;
    let pair = app.user("bert@example.com").await;
    assert_eq!(pair["token_type"], "Bearer");
    let access = s(&pair, "access_token");
    assert!(claims(access).get("cnf").is_none());
    let response = app.get_bearer("/api/me", access).await;
    assert_eq!(response.status(), StatusCode::OK);
    let me: Value = response.json().await.expect("json");
    assert_eq!(me["tokenType"], "Bearer");
    assert_eq!(me["jkt"], Value::Null);

    let response = app.post(&app.browser, SIGN_IN, credentials("bert@example.com")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 2);
    app.stop().await;
}

/// RFC 9449 section 5: a refresh token is bound at issuance or never. A
/// bearer session refreshed with a proof gets bearer tokens again
/// (`token_type: "Bearer"`, no `cnf`), so whoever copied its refresh
/// token cannot bind the session to their own key.
async fn a_bearer_session_stays_bearer_when_refreshed_with_a_proof(db: &Db) {
    let app = App::start(config(db)).await;
    let pair = app.user("bess@example.com").await;
    let key = client_key();
    let response = post_with_proof(
        &app,
        REFRESH,
        &proof(&app, &key, "POST", REFRESH),
        json!({ "refresh_token": s(&pair, "refresh_token") }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let next: Value = response.json().await.expect("json");
    assert_eq!(next["token_type"], "Bearer");
    assert!(claims(s(&next, "access_token")).get("cnf").is_none());
    // And the next refresh needs no proof.
    let response = app.refresh(s(&next, "refresh_token")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let last: Value = response.json().await.expect("json");
    assert_eq!(last["token_type"], "Bearer");
    app.stop().await;
}

async fn a_replayed_proof_is_refused_at_the_token_endpoint_and_at_the_resource(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    app.sign_up("rita@example.com").await;
    let sign_in_proof = proof(&app, &key, "POST", SIGN_IN);
    let first = post_with_proof(&app, SIGN_IN, &sign_in_proof, credentials("rita@example.com")).await;
    assert_eq!(first.status(), StatusCode::OK);
    let pair: Value = first.json().await.expect("json");
    let again = post_with_proof(&app, SIGN_IN, &sign_in_proof, credentials("rita@example.com")).await;
    assert_eq!(refusal(again).await, refused("invalid_dpop_proof", "ERR_DPOP_REPLAYED"));

    let access = s(&pair, "access_token");
    let me_proof = resource_proof(&app, &key, "GET", "/api/me", access);
    assert_eq!(
        get_dpop(&app, "/api/me", access, &me_proof).await.status(),
        StatusCode::OK
    );
    let replayed = get_dpop(&app, "/api/me", access, &me_proof).await;
    assert_eq!(replayed.status(), StatusCode::UNAUTHORIZED);
    let dpop = challenge(&replayed, "DPoP");
    assert!(dpop.starts_with("DPoP error=\"invalid_dpop_proof\""), "{dpop}");
    // The error goes on the scheme the request used, not on Bearer.
    assert_eq!(challenge(&replayed, "Bearer"), "Bearer");
    assert_eq!(
        refusal(replayed).await,
        unauthorized("invalid_dpop_proof", "ERR_DPOP_REPLAYED")
    );
    app.stop().await;
}

/// Sends the requests at once; their statuses, in order.
async fn concurrently(requests: Vec<reqwest::RequestBuilder>) -> Vec<StatusCode> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|request| tokio::spawn(async move { request.send().await.expect("request").status() }))
        .collect();
    let mut statuses = Vec::with_capacity(tasks.len());
    for task in tasks {
        statuses.push(task.await.expect("task"));
    }
    statuses
}

/// The replay table decides atomically: of six requests racing with one
/// proof, exactly one gets through.
async fn one_proof_sent_concurrently_is_taken_once(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    let pair = dpop_user(&app, "cora@example.com", &key).await;
    let access = s(&pair, "access_token");
    let proof = resource_proof(&app, &key, "GET", "/api/me", access);
    let requests = (0..6)
        .map(|_| {
            app.api
                .get(app.url("/api/me"))
                .header(AUTHORIZATION, format!("DPoP {access}"))
                .header("DPoP", &proof)
        })
        .collect();
    one_won_the_race(&concurrently(requests).await);
    app.stop().await;
}

/// Each with a proof of its own: the refresh token still rotates once.
async fn concurrent_dpop_refreshes_with_one_token_succeed_once(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    let pair = dpop_user(&app, "cleo@example.com", &key).await;
    let body = json!({ "refresh_token": s(&pair, "refresh_token") });
    let requests = (0..6)
        .map(|_| {
            app.api
                .post(app.url(REFRESH))
                .header("DPoP", proof(&app, &key, "POST", REFRESH))
                .json(&body)
        })
        .collect();
    one_won_the_race(&concurrently(requests).await);
    app.stop().await;
}

async fn a_proof_for_another_url_is_refused(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    app.sign_up("uma@example.com").await;
    let for_refresh = proof(&app, &key, "POST", REFRESH);
    let response = post_with_proof(&app, SIGN_IN, &for_refresh, credentials("uma@example.com")).await;
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_DPOP_HTU_MISMATCH")
    );
    let other_host = DpopProof::new("POST", format!("http://evil.example{SIGN_IN}"))
        .sign(&key)
        .expect("proof");
    let response = post_with_proof(&app, SIGN_IN, &other_host, credentials("uma@example.com")).await;
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_DPOP_HTU_MISMATCH")
    );

    let pair = dpop_signed_in(&app, "uma@example.com", &key).await;
    let access = s(&pair, "access_token");
    let for_stats = resource_proof(&app, &key, "GET", "/api/admin/stats", access);
    let response = get_dpop(&app, "/api/me", access, &for_stats).await;
    proof_refused_at_resource(response, "ERR_DPOP_HTU_MISMATCH").await;
    app.stop().await;
}

/// Signs in (the account exists) with a fresh proof of `key`.
async fn dpop_signed_in(app: &App, email: &str, key: &Key) -> Value {
    let response = post_with_proof(app, SIGN_IN, &proof(app, key, "POST", SIGN_IN), credentials(email)).await;
    assert_eq!(response.status(), StatusCode::OK, "DPoP sign-in of {email}");
    response.json().await.expect("json")
}

async fn a_proof_for_another_method_is_refused(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    app.sign_up("mia@example.com").await;
    let get_proof = proof(&app, &key, "GET", SIGN_IN);
    let response = post_with_proof(&app, SIGN_IN, &get_proof, credentials("mia@example.com")).await;
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_DPOP_HTM_MISMATCH")
    );

    let pair = dpop_signed_in(&app, "mia@example.com", &key).await;
    let access = s(&pair, "access_token");
    let post_proof = resource_proof(&app, &key, "POST", "/api/me", access);
    let response = get_dpop(&app, "/api/me", access, &post_proof).await;
    proof_refused_at_resource(response, "ERR_DPOP_HTM_MISMATCH").await;
    app.stop().await;
}

/// The service takes proofs up to `DPOP_PROOF_MAX_AGE` (5 minutes) plus
/// 30 seconds of clock tolerance after their `iat`.
async fn a_proof_with_a_stale_iat_is_refused(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    app.sign_up("stan@example.com").await;
    let stale = DpopProof::new("POST", htu(&app, SIGN_IN))
        .issued_at("6m ago")
        .sign(&key)
        .expect("proof");
    let response = post_with_proof(&app, SIGN_IN, &stale, credentials("stan@example.com")).await;
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_DPOP_IAT_INVALID")
    );
    let recent = DpopProof::new("POST", htu(&app, SIGN_IN))
        .issued_at("4m ago")
        .sign(&key)
        .expect("proof");
    let response = post_with_proof(&app, SIGN_IN, &recent, credentials("stan@example.com")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let pair: Value = response.json().await.expect("json");

    let access = s(&pair, "access_token");
    let stale = DpopProof::new("GET", htu(&app, "/api/me"))
        .access_token(access)
        .issued_at("6m ago")
        .sign(&key)
        .expect("proof");
    let response = get_dpop(&app, "/api/me", access, &stale).await;
    proof_refused_at_resource(response, "ERR_DPOP_IAT_INVALID").await;
    app.stop().await;
}

async fn a_proof_with_a_wrong_or_missing_ath_is_refused(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    let pair = dpop_user(&app, "ada@example.com", &key).await;
    let access = s(&pair, "access_token");
    let other_pair = dpop_signed_in(&app, "ada@example.com", &key).await;
    // Same key, same user, but made for another access token.
    let wrong = resource_proof(&app, &key, "GET", "/api/me", s(&other_pair, "access_token"));
    let without = proof(&app, &key, "GET", "/api/me");
    for bad in [wrong, without] {
        let response = get_dpop(&app, "/api/me", access, &bad).await;
        proof_refused_at_resource(response, "ERR_DPOP_ATH_MISMATCH").await;
    }
    app.stop().await;
}

/// RFC 9449 section 7.2: a bound token is never a bearer token, and a
/// proof from another key does not make it the thief's.
async fn a_stolen_bound_token_is_useless_without_its_key(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    let pair = dpop_user(&app, "vic@example.com", &key).await;
    let stolen = s(&pair, "access_token");

    let response = app.get_bearer("/api/me", stolen).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response, "Bearer").starts_with("Bearer error=\"invalid_token\""));
    assert_eq!(
        refusal(response).await,
        unauthorized("invalid_token", "ERR_AUTH_DPOP_BOUND_AS_BEARER")
    );
    // From the access cookie: the same.
    let response = app
        .api
        .get(app.url("/api/me"))
        .header("Cookie", format!("access_token={stolen}"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        refusal(response).await,
        unauthorized("invalid_token", "ERR_AUTH_DPOP_BOUND_AS_BEARER")
    );

    let thief = client_key();
    let forged = resource_proof(&app, &thief, "GET", "/api/me", stolen);
    let response = get_dpop(&app, "/api/me", stolen, &forged).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(challenge(&response, "DPoP").starts_with("DPoP error=\"invalid_token\""));
    assert_eq!(
        refusal(response).await,
        unauthorized("invalid_token", "ERR_DPOP_BINDING_MISMATCH")
    );
    app.stop().await;
}

async fn a_refresh_with_another_keys_proof_is_refused_and_leaves_the_session_usable(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    let pair = dpop_user(&app, "kim@example.com", &key).await;
    let refresh_token = json!({ "refresh_token": s(&pair, "refresh_token") });
    let thief = client_key();
    let response = post_with_proof(
        &app,
        REFRESH,
        &proof(&app, &thief, "POST", REFRESH),
        refresh_token.clone(),
    )
    .await;
    assert_eq!(response.headers().get_all(SET_COOKIE).iter().count(), 0);
    assert_eq!(
        refusal(response).await,
        refused("invalid_grant", "ERR_DPOP_BINDING_MISMATCH")
    );
    // The attempt neither used the refresh token nor revoked the session.
    let response = post_with_proof(&app, REFRESH, &proof(&app, &key, "POST", REFRESH), refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let next: Value = response.json().await.expect("json");
    assert_eq!(next["token_type"], "DPoP");
    app.stop().await;
}

async fn a_bound_session_is_not_refreshed_without_a_proof(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    let pair = dpop_user(&app, "nina@example.com", &key).await;
    let response = app.refresh(s(&pair, "refresh_token")).await;
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_AUTH_DPOP_REQUIRED")
    );
    // Nor from the cookie jar of a browser that got hold of it.
    let response = app
        .api
        .post(app.url(REFRESH))
        .header("Cookie", format!("refresh_token={}", s(&pair, "refresh_token")))
        .send()
        .await
        .expect("request");
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_AUTH_DPOP_REQUIRED")
    );
    let response = post_with_proof(
        &app,
        REFRESH,
        &proof(&app, &key, "POST", REFRESH),
        json!({ "refresh_token": s(&pair, "refresh_token") }),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

async fn a_malformed_or_doubled_proof_is_refused_at_the_token_endpoint(db: &Db) {
    let app = App::start(config(db)).await;
    let key = client_key();
    app.sign_up("max@example.com").await;
    let response = post_with_proof(&app, SIGN_IN, "not-a-proof", credentials("max@example.com")).await;
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_DPOP_PROOF_INVALID")
    );
    let response = app
        .api
        .post(app.url(SIGN_IN))
        .header("DPoP", proof(&app, &key, "POST", SIGN_IN))
        .header("DPoP", proof(&app, &key, "POST", SIGN_IN))
        .json(&credentials("max@example.com"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_DPOP_PROOF_INVALID")
    );
    // A refused proof costs no sign-in attempt and signs nobody in; the
    // error body is the RFC's.
    let response = post_with_proof(&app, SIGN_IN, "x.y.z", credentials("max@example.com")).await;
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"], "invalid_dpop_proof");
    assert!(
        body["error_description"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    app.stop().await;
}

fn nonce_of(response: &Response) -> String {
    response
        .headers()
        .get("dpop-nonce")
        .unwrap_or_else(|| panic!("no DPoP-Nonce header (status {})", response.status()))
        .to_str()
        .expect("ascii")
        .to_owned()
}

/// RFC 9449 section 8: `400 use_dpop_nonce` with a `DPoP-Nonce` header,
/// then the same request with a proof carrying the nonce succeeds. The
/// refused refresh leaves its refresh token unused.
async fn nonce_challenge_and_retry_at_the_token_endpoints(db: &Db) {
    let mut config = config(db);
    config.dpop_nonces = true;
    let app = App::start(config).await;
    let key = client_key();
    app.sign_up("noa@example.com").await;
    let response = post_with_proof(
        &app,
        SIGN_IN,
        &proof(&app, &key, "POST", SIGN_IN),
        credentials("noa@example.com"),
    )
    .await;
    let nonce = nonce_of(&response);
    assert_eq!(
        refusal(response).await,
        refused("use_dpop_nonce", "ERR_DPOP_NONCE_REQUIRED")
    );
    let wrong = DpopProof::new("POST", htu(&app, SIGN_IN))
        .nonce("0.forged")
        .sign(&key)
        .expect("proof");
    let response = post_with_proof(&app, SIGN_IN, &wrong, credentials("noa@example.com")).await;
    assert_eq!(nonce_of(&response), nonce);
    assert_eq!(
        refusal(response).await,
        refused("use_dpop_nonce", "ERR_DPOP_NONCE_INVALID")
    );
    let retry = DpopProof::new("POST", htu(&app, SIGN_IN))
        .nonce(&nonce)
        .sign(&key)
        .expect("proof");
    let response = post_with_proof(&app, SIGN_IN, &retry, credentials("noa@example.com")).await;
    assert_eq!(response.status(), StatusCode::OK);
    // Section 8.2: the next nonce comes with every answer.
    let nonce = nonce_of(&response);
    let pair: Value = response.json().await.expect("json");
    assert_eq!(pair["token_type"], "DPoP");

    let refresh_token = json!({ "refresh_token": s(&pair, "refresh_token") });
    let response = post_with_proof(
        &app,
        REFRESH,
        &proof(&app, &key, "POST", REFRESH),
        refresh_token.clone(),
    )
    .await;
    assert_eq!(
        refusal(response).await,
        refused("use_dpop_nonce", "ERR_DPOP_NONCE_REQUIRED")
    );
    let retry = DpopProof::new("POST", htu(&app, REFRESH))
        .nonce(&nonce)
        .sign(&key)
        .expect("proof");
    let response = post_with_proof(&app, REFRESH, &retry, refresh_token).await;
    assert_eq!(response.status(), StatusCode::OK);
    app.stop().await;
}

/// The resource routes share the token endpoints' nonces: `401` with
/// `WWW-Authenticate: DPoP error="use_dpop_nonce"` and `DPoP-Nonce`.
async fn nonce_challenge_and_retry_at_the_resource(db: &Db) {
    let mut config = config(db);
    config.dpop_nonces = true;
    let app = App::start(config).await;
    let key = client_key();
    app.sign_up("nils@example.com").await;
    let first = post_with_proof(
        &app,
        SIGN_IN,
        &proof(&app, &key, "POST", SIGN_IN),
        credentials("nils@example.com"),
    )
    .await;
    let nonce = nonce_of(&first);
    let with_nonce = DpopProof::new("POST", htu(&app, SIGN_IN))
        .nonce(&nonce)
        .sign(&key)
        .expect("proof");
    let response = post_with_proof(&app, SIGN_IN, &with_nonce, credentials("nils@example.com")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let pair: Value = response.json().await.expect("json");
    let access = s(&pair, "access_token");

    let response = get_dpop(
        &app,
        "/api/me",
        access,
        &resource_proof(&app, &key, "GET", "/api/me", access),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let dpop = challenge(&response, "DPoP");
    assert!(dpop.starts_with("DPoP error=\"use_dpop_nonce\""), "{dpop}");
    let nonce = nonce_of(&response);
    assert_eq!(
        refusal(response).await,
        unauthorized("use_dpop_nonce", "ERR_DPOP_NONCE_REQUIRED")
    );
    let retry = DpopProof::new("GET", htu(&app, "/api/me"))
        .access_token(access)
        .nonce(&nonce)
        .sign(&key)
        .expect("proof");
    let response = get_dpop(&app, "/api/me", access, &retry).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(!nonce_of(&response).is_empty());
    // Bearer requests are not asked for nonces.
    let bearer = app.user("nils2@example.com").await;
    assert_eq!(
        app.get_bearer("/api/me", s(&bearer, "access_token")).await.status(),
        StatusCode::OK
    );
    app.stop().await;
}

/// The nonce key is derived from the signing key (ES256 here): instances
/// configured alike accept each other's nonces, others do not.
async fn instances_configured_alike_accept_each_others_nonces(db: &Db) {
    let public = |mut config: rjose_auth_service::Config| {
        config.dpop_nonces = true;
        config.app_url = Some("https://auth.example".into());
        config
    };
    let config = public(es256_config(db));
    let one = App::start(config.clone()).await;
    let two = App::start(config).await;
    let stranger = App::start(public(es256_config(db))).await;
    let key = client_key();
    one.sign_up("olga@example.com").await;
    let at = format!("https://auth.example{SIGN_IN}");

    let response = post_with_proof(
        &one,
        SIGN_IN,
        &DpopProof::new("POST", &at).sign(&key).expect("proof"),
        credentials("olga@example.com"),
    )
    .await;
    let nonce = nonce_of(&response);
    assert_eq!(
        refusal(response).await,
        refused("use_dpop_nonce", "ERR_DPOP_NONCE_REQUIRED")
    );
    let with_nonce = || DpopProof::new("POST", &at).nonce(&nonce).sign(&key).expect("proof");
    let response = post_with_proof(&two, SIGN_IN, &with_nonce(), credentials("olga@example.com")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = post_with_proof(&stranger, SIGN_IN, &with_nonce(), credentials("olga@example.com")).await;
    assert_ne!(nonce_of(&response), nonce);
    assert_eq!(
        refusal(response).await,
        refused("use_dpop_nonce", "ERR_DPOP_NONCE_INVALID")
    );
    one.stop().await;
    two.stop().await;
    stranger.stop().await;
}

/// Per-route policy: `/api/dpop/*` requires DPoP (its own layer in
/// `DpopMode::Required`), `/api/me` takes both.
async fn the_dpop_only_route_refuses_bearer_tokens(db: &Db) {
    let app = App::start(config(db)).await;
    let pair = app.user("ben@example.com").await;
    let bearer = s(&pair, "access_token");
    assert_eq!(app.get_bearer("/api/me", bearer).await.status(), StatusCode::OK);
    let response = app.get_bearer("/api/dpop/me", bearer).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let all = challenges(&response);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].starts_with("DPoP error=\"invalid_token\""), "{all:?}");
    assert!(all[0].contains("algs=\""), "{all:?}");
    assert_eq!(
        refusal(response).await,
        unauthorized("invalid_token", "ERR_AUTH_DPOP_REQUIRED")
    );
    // Without credentials: the DPoP challenge alone, without an error.
    let response = app.api.get(app.url("/api/dpop/me")).send().await.expect("request");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let all = challenges(&response);
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0].starts_with("DPoP algs=\""), "{all:?}");
    app.stop().await;
}

/// `htu` is `APP_URL` + path whatever the request's `Host` or
/// `X-Forwarded-*` say, and two instances sharing the database share the
/// replay table: a proof one of them took is refused by the other.
async fn htu_is_checked_against_app_url_and_a_proof_is_seen_by_every_instance(db: &Db) {
    let mut config = config(db);
    config.app_url = Some("https://auth.example".into());
    let one = App::start(config.clone()).await;
    let two = App::start(config).await;
    let key = client_key();
    one.sign_up("ivy@example.com").await;

    // A proof for the address the client really connected to is refused,
    // even when the forwarding headers agree with it.
    let local = DpopProof::new("POST", one.url(SIGN_IN)).sign(&key).expect("proof");
    let response = one
        .api
        .post(one.url(SIGN_IN))
        .header("DPoP", &local)
        .header("X-Forwarded-Host", one.server.addr.to_string())
        .header("X-Forwarded-Proto", "http")
        .json(&credentials("ivy@example.com"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_DPOP_HTU_MISMATCH")
    );

    let public = DpopProof::new("POST", format!("https://auth.example{SIGN_IN}"))
        .sign(&key)
        .expect("proof");
    let response = post_with_proof(&one, SIGN_IN, &public, credentials("ivy@example.com")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let pair: Value = response.json().await.expect("json");
    let response = post_with_proof(&two, SIGN_IN, &public, credentials("ivy@example.com")).await;
    assert_eq!(
        refusal(response).await,
        refused("invalid_dpop_proof", "ERR_DPOP_REPLAYED")
    );

    let access = s(&pair, "access_token");
    let me = DpopProof::new("GET", "https://auth.example/api/me")
        .access_token(access)
        .sign(&key)
        .expect("proof");
    assert_eq!(get_dpop(&two, "/api/me", access, &me).await.status(), StatusCode::OK);
    let response = get_dpop(&one, "/api/me", access, &me).await;
    assert_eq!(
        refusal(response).await,
        unauthorized("invalid_dpop_proof", "ERR_DPOP_REPLAYED")
    );
    let local = DpopProof::new("GET", one.url("/api/me"))
        .access_token(access)
        .sign(&key)
        .expect("proof");
    let response = get_dpop(&one, "/api/me", access, &local).await;
    assert_eq!(
        refusal(response).await,
        unauthorized("invalid_dpop_proof", "ERR_DPOP_HTU_MISMATCH")
    );
    one.stop().await;
    two.stop().await;
}

/// The table behind the replay store: the insert decides (fresh once,
/// replayed after), a row past its expiry counts as absent, and the purge
/// removes exactly the expired rows.
async fn the_replay_table_records_once_and_takes_over_expired_rows(db: &Db) {
    let store = Store::connect(&db.url).await.expect("connect");
    let now = 1_000_000;
    assert!(store.record_dpop_proof("k1", now + 10, now).await.expect("insert"));
    assert!(!store.record_dpop_proof("k1", now + 10, now + 5).await.expect("insert"));
    assert!(!store.record_dpop_proof("k1", now + 20, now + 9).await.expect("insert"));
    // Expired at now + 10 (exclusive): taken over, and live again.
    assert!(store.record_dpop_proof("k1", now + 40, now + 10).await.expect("insert"));
    assert!(!store.record_dpop_proof("k1", now + 40, now + 30).await.expect("insert"));
    assert!(store.record_dpop_proof("k2", now + 15, now).await.expect("insert"));
    assert_eq!(store.purge_dpop_proofs(now + 20).await.expect("purge"), 1);
    assert!(!store.record_dpop_proof("k1", now + 50, now + 20).await.expect("insert"));
    assert!(store.record_dpop_proof("k2", now + 50, now + 20).await.expect("insert"));
    store.close().await;
}
