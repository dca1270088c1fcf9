//! Every way a fetch can fail, what the caller sees, and the last good set
//! that keeps serving meanwhile.

use std::time::{Duration, Instant};

use rjose::Error;
use rjose_remote::{ManualClock, RemoteJwkSet, RemoteJwkSetOptions};

use crate::caching::verify;
use crate::support::{MINUTE, Reply, SECOND, Signer, TestServer, jwks, options, remote};

/// The error of verifying `token` with a fresh set on `path`.
async fn first_use_error(server: &TestServer, path: &str, options: RemoteJwkSetOptions, token: &str) -> Error {
    let set = remote(server.url(path), options).expect("a valid URL");
    let error = verify(&set, token).await.expect_err("the fetch fails");
    assert!(set.cached().is_none(), "nothing is cached after a failed fetch");
    error
}

/// [`first_use_error`] with the test options and a token whose key the
/// set never gets to look for: the failures where only the server's
/// answer matters.
async fn plain_first_use_error(server: &TestServer, path: &str) -> Error {
    first_use_error(server, path, options(&ManualClock::new()), &Signer::new("k").token()).await
}

#[tokio::test]
async fn server_down_on_first_use_is_a_fetch_error_without_status() {
    let server = TestServer::start().await;
    server.stop();
    let error = plain_first_use_error(&server, "/jwks").await;
    assert_eq!(error.code(), "ERR_JWKS_FETCH_FAILED");
    assert!(
        matches!(&error, Error::JwksFetch { status: None, cause } if cause.contains(&server.url("/jwks"))),
        "{error:?}"
    );
}

#[tokio::test]
async fn unreachable_port_is_named_once_with_the_cause_of_the_failure() {
    // Port 1 on loopback: nothing listens there.
    let url = "http://127.0.0.1:1/jwks";
    let set = remote(url.to_owned(), options(&ManualClock::new())).expect("a valid URL");
    let error = verify(&set, &Signer::new("k").token())
        .await
        .expect_err("nothing listens");
    let message = error.to_string();
    assert_eq!(message.matches(url).count(), 1, "{message}");
    assert!(
        message
            .to_lowercase()
            .contains(&format!("{url}: cannot connect: connection refused")),
        "{message}"
    );
}

#[tokio::test]
async fn slow_server_fails_with_err_jwks_timeout_once_the_timeout_passes() {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])).delay(Duration::from_secs(30)));
    let options = options(&ManualClock::new()).timeout(Duration::from_millis(100));
    let started = Instant::now();
    let error = first_use_error(&server, "/jwks", options, &signer.token()).await;
    assert_eq!(error.code(), "ERR_JWKS_TIMEOUT");
    assert!(error.to_string().contains("100ms"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn server_error_is_a_fetch_error_carrying_status_500() {
    let server = TestServer::start().await;
    server.route("/jwks", Reply::status(500));
    let error = plain_first_use_error(&server, "/jwks").await;
    assert!(matches!(error, Error::JwksFetch { status: Some(500), .. }), "{error:?}");
    assert_eq!(error.code(), "ERR_JWKS_FETCH_FAILED");
}

#[tokio::test]
async fn missing_document_is_a_fetch_error_carrying_status_404() {
    let server = TestServer::start().await;
    let error = plain_first_use_error(&server, "/nowhere").await;
    assert!(matches!(error, Error::JwksFetch { status: Some(404), .. }), "{error:?}");
    let message = error.to_string();
    assert_eq!(message.matches(&server.url("/nowhere")).count(), 1, "{message}");
    assert!(message.contains("answered HTTP 404 Not Found"), "{message}");
}

#[tokio::test]
async fn invalid_json_is_err_jwks_invalid() {
    let server = TestServer::start().await;
    server.route("/jwks", Reply::json("{\"keys\": [").header("x-note", "truncated"));
    let error = plain_first_use_error(&server, "/jwks").await;
    assert_eq!(error.code(), "ERR_JWKS_INVALID");
    assert!(error.to_string().contains("not JSON"), "{error}");
}

#[tokio::test]
async fn json_that_is_not_a_jwk_set_is_err_jwks_invalid() {
    let server = TestServer::start().await;
    server.route("/jwks", Reply::json("{\"issuer\":\"https://issuer.test\"}"));
    let error = plain_first_use_error(&server, "/jwks").await;
    assert_eq!(error.code(), "ERR_JWKS_INVALID");
}

#[tokio::test]
async fn set_without_a_usable_key_is_err_jwks_invalid_and_not_cached() {
    let server = TestServer::start().await;
    server.route("/jwks", Reply::json("{\"keys\":[]}"));
    let error = plain_first_use_error(&server, "/jwks").await;
    assert_eq!(error.code(), "ERR_JWKS_INVALID");
}

#[tokio::test]
async fn malformed_key_next_to_good_ones_leaves_the_good_ones_usable() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let (first, second) = (Signer::new("first"), Signer::new("second"));
    let good: serde_json::Value = serde_json::from_str(&jwks(&[&first, &second])).expect("JSON");
    let document = serde_json::json!({ "keys": [
        good["keys"][0],
        { "kty": "EC", "kid": "broken", "crv": "P-256", "x": "not base64url!", "y": 7 },
        { "kty": "quantum-2030", "kid": "future" },
        good["keys"][1],
    ]});
    server.route("/jwks", Reply::json(document.to_string()));
    let set = remote(server.url("/jwks"), options(&ManualClock::new()))?;

    verify(&set, &first.token()).await?;
    verify(&set, &second.token()).await?;
    let keys = set.cached().expect("a cached set");
    assert_eq!((keys.keys().len(), keys.skipped()), (2, 2));
    let error = verify(&set, &Signer::new("broken").token())
        .await
        .expect_err("that key was skipped");
    assert_eq!(error.code(), "ERR_JWKS_NO_MATCHING_KEY");
    Ok(())
}

#[tokio::test]
async fn body_over_the_default_size_limit_is_refused() {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    let padded = format!("{{\"padding\":\"{}\",\"keys\":{}}}", "x".repeat(600 * 1024), {
        let set: serde_json::Value = serde_json::from_str(&jwks(&[&signer])).expect("JSON");
        set["keys"].to_string()
    });
    server.route("/jwks", Reply::json(padded));
    let error = first_use_error(&server, "/jwks", options(&ManualClock::new()), &signer.token()).await;
    assert_eq!(error.code(), "ERR_JWKS_FETCH_FAILED");
    assert!(error.to_string().contains("524288 bytes"), "{error}");
}

#[tokio::test]
async fn chunked_body_over_the_size_limit_is_refused_while_reading() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    let document = jwks(&[&signer]);
    server.route("/jwks", Reply::json(document.clone()).chunked());
    let clock = ManualClock::new();
    let error = first_use_error(
        &server,
        "/jwks",
        options(&clock).max_body_bytes(document.len() - 1),
        &signer.token(),
    )
    .await;
    assert!(error.to_string().contains("larger than the limit"), "{error}");
    // At the exact size it is accepted.
    let set = remote(server.url("/jwks"), options(&clock).max_body_bytes(document.len()))?;
    verify(&set, &signer.token()).await
}

#[tokio::test]
async fn stale_set_keeps_verifying_while_the_server_is_down_until_max_stale_then_fails_with_the_fetch_error()
-> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    let token = signer.token();
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock).max_stale(30 * MINUTE))?;
    verify(&set, &token).await?;

    server.stop();
    for _ in 0..3 {
        // 11, 21 and 31 minutes old: expired, refetch fails, stale set used.
        clock.advance(if set.is_fresh() { 11 * MINUTE } else { 10 * MINUTE });
        verify(&set, &token).await?;
        assert_eq!(set.last_error().map(|e| e.code()), Some("ERR_JWKS_FETCH_FAILED"));
    }
    // Within the cooldown after a failure, no fetch and the stale set again.
    clock.advance(10 * SECOND);
    verify(&set, &token).await?;

    // 41 minutes old: past cache_max_age + max_stale.
    clock.advance(10 * MINUTE - 10 * SECOND);
    let error = verify(&set, &token).await.expect_err("too stale");
    assert!(
        matches!(&error, Error::JwksFetch { status: None, cause } if cause.contains(&server.url("/jwks"))),
        "{error:?}"
    );
    // And within the following cooldown, the same error without a fetch.
    clock.advance(SECOND);
    assert_eq!(
        verify(&set, &token).await.expect_err("still too stale").code(),
        "ERR_JWKS_FETCH_FAILED"
    );
    Ok(())
}

#[tokio::test]
async fn failed_refetches_never_replace_the_last_good_set() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let (first, second) = (Signer::new("first"), Signer::new("second"));
    server.route("/jwks", Reply::json(jwks(&[&first])));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;
    verify(&set, &first.token()).await?;

    let bad_answers = [
        (Reply::json("<html>maintenance</html>"), "ERR_JWKS_INVALID"),
        (Reply::json("{\"keys\":[{\"kty\":\"EC\"}]}"), "ERR_JWKS_INVALID"),
        (Reply::status(503), "ERR_JWKS_FETCH_FAILED"),
    ];
    clock.advance(10 * MINUTE);
    for (reply, code) in bad_answers {
        server.route("/jwks", reply);
        clock.advance(MINUTE);
        verify(&set, &first.token()).await?;
        assert_eq!(set.last_error().map(|e| e.code()), Some(code));
        assert_eq!(set.cached().map(|keys| keys.keys().len()), Some(1));
    }

    // The server recovers with a rotated set: picked up at the next fetch.
    server.route("/jwks", Reply::json(jwks(&[&first, &second])));
    clock.advance(MINUTE);
    verify(&set, &second.token()).await?;
    assert!(set.last_error().is_none());
    assert!(set.is_fresh());
    Ok(())
}

#[tokio::test]
async fn unknown_kid_while_the_server_is_down_reports_the_fetch_error_and_known_kids_still_verify() -> rjose::Result<()>
{
    let server = TestServer::start().await;
    let known = Signer::new("known");
    server.route("/jwks", Reply::json(jwks(&[&known])));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;
    verify(&set, &known.token()).await?;

    server.stop();
    clock.advance(31 * SECOND);
    let error = verify(&set, &Signer::new("rotated").token())
        .await
        .expect_err("cannot fetch the new key");
    assert_eq!(error.code(), "ERR_JWKS_FETCH_FAILED");
    verify(&set, &known.token()).await?;
    Ok(())
}

#[tokio::test]
async fn redirect_is_not_followed_unless_allowed() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    server.route("/moved", Reply::status(302).header("location", &server.url("/jwks")));
    let clock = ManualClock::new();

    let error = first_use_error(&server, "/moved", options(&clock), &signer.token()).await;
    assert!(matches!(error, Error::JwksFetch { status: Some(302), .. }), "{error:?}");
    assert!(error.to_string().contains(&server.url("/jwks")), "{error}");
    assert_eq!(server.hits("/jwks"), 0);

    let set = remote(server.url("/moved"), options(&clock).allow_redirects(true))?;
    verify(&set, &signer.token()).await?;
    assert_eq!(server.hits("/jwks"), 1);
    Ok(())
}

#[tokio::test]
async fn plain_http_url_is_refused_unless_allowed() {
    let server = TestServer::start().await;
    let error = RemoteJwkSet::new(server.url("/jwks"), RemoteJwkSetOptions::new())
        .map(drop)
        .expect_err("http is refused");
    assert_eq!(error.code(), "ERR_JWKS_FETCH_FAILED");
    assert!(error.to_string().contains("HttpPolicy::LoopbackHttp"), "{error}");
    assert_eq!(server.hits("/jwks"), 0);
}
