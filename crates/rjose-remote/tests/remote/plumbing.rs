//! Headers, the caller's client, a custom fetcher, and what a remote set
//! refuses to hand out: symmetric keys and private halves.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use rjose::jws::JwsHeader;
use rjose::jwt::{SignJwt, VerifyOptions};
use rjose::{Alg, ClaimReason, Error, JsonObject, Key, KeyPairOptions, generate_key_pair};
use rjose_remote::reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use rjose_remote::{FetchFuture, FetchRequest, JwksFetcher, ManualClock, RemoteJwkSet, ReqwestFetcher};

use crate::caching::verify;
use crate::support::{Reply, SECOND, Signer, TestServer, callers_client, jwks, options, remote, verify_options};

#[tokio::test]
async fn accept_and_the_callers_extra_headers_are_sent() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    let options =
        options(&ManualClock::new()).header(HeaderName::from_static("x-api-key"), HeaderValue::from_static("s3cret"));
    assert!(!format!("{options:?}").contains("s3cret"));
    let set = remote(server.url("/jwks"), options)?;
    verify(&set, &signer.token()).await?;

    let sent = server.last_headers("/jwks");
    assert_eq!(sent.get("x-api-key").map(HeaderValue::as_bytes), Some(&b"s3cret"[..]));
    assert_eq!(
        sent.get("accept").map(HeaderValue::as_bytes),
        Some(&b"application/jwk-set+json, application/json"[..])
    );
    assert!(
        sent.get("user-agent")
            .is_some_and(|ua| ua.as_bytes().starts_with(b"rjose-remote/"))
    );
    Ok(())
}

#[tokio::test]
async fn callers_client_is_used() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    let mut defaults = HeaderMap::new();
    defaults.insert("x-client", HeaderValue::from_static("mine"));
    let client = callers_client().default_headers(defaults).build().expect("a client");
    let set = RemoteJwkSet::new(server.url("/jwks"), options(&ManualClock::new()).client(client))?;
    verify(&set, &signer.token()).await?;
    assert_eq!(
        server.last_headers("/jwks").get("x-client").map(HeaderValue::as_bytes),
        Some(&b"mine"[..])
    );
    Ok(())
}

#[tokio::test]
async fn callers_client_that_follows_redirects_is_refused_unless_redirects_are_allowed() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    server.route("/moved", Reply::status(301).header("location", &server.url("/jwks")));
    let following = callers_client().build().expect("a client");

    let set = RemoteJwkSet::new(
        server.url("/moved"),
        options(&ManualClock::new()).client(following.clone()),
    )?;
    let error = verify(&set, &signer.token()).await.expect_err("redirected");
    assert_eq!(error.code(), "ERR_JWKS_FETCH_FAILED");
    assert!(error.to_string().contains("redirects are not allowed"), "{error}");

    let options = options(&ManualClock::new()).client(following).allow_redirects(true);
    verify(&RemoteJwkSet::new(server.url("/moved"), options)?, &signer.token()).await
}

/// Counts the requests, then lets reqwest do them.
#[derive(Debug)]
struct Counting {
    inner: ReqwestFetcher,
    calls: Arc<AtomicUsize>,
}

impl JwksFetcher for Counting {
    fn fetch(&self, request: FetchRequest) -> FetchFuture<'_> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.fetch(request)
    }
}

#[tokio::test]
async fn custom_fetcher_does_the_requests() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    let calls = Arc::new(AtomicUsize::new(0));
    let fetcher = Counting {
        inner: ReqwestFetcher::new(callers_client().build().expect("a client")),
        calls: Arc::clone(&calls),
    };
    let set = RemoteJwkSet::new(server.url("/jwks"), options(&ManualClock::new()).fetcher(fetcher))?;
    verify(&set, &signer.token()).await?;
    verify(&set, &signer.token()).await?;
    assert_eq!((calls.load(Ordering::SeqCst), server.hits("/jwks")), (1, 1));
    Ok(())
}

#[tokio::test]
async fn reload_fetches_now_and_refreshes_the_cache() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let (first, second) = (Signer::new("first"), Signer::new("second"));
    server.route("/jwks", Reply::json(jwks(&[&first])));
    let set = remote(server.url("/jwks"), options(&ManualClock::new()))?;
    set.reload().await?;
    assert!(set.is_fresh() && set.is_cooling_down());
    server.route("/jwks", Reply::json(jwks(&[&first, &second])));
    set.reload().await?;
    assert_eq!(set.key_set().await?.keys().len(), 2);
    assert_eq!(server.hits("/jwks"), 2);
    Ok(())
}

#[tokio::test]
async fn remote_set_uses_only_the_public_half_of_a_leaked_private_key_and_reports_it() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
    let private = pair.private_key.with_kid("leaked");
    let document = serde_json::json!({ "keys": [serde_json::from_str::<serde_json::Value>(&private.to_jwk()?.to_json()).expect("JSON")] });
    server.route("/keys", Reply::json(document.to_string()));
    let token = SignJwt::default()
        .protected_header(Alg::ES256)
        .expiration_time("5m")
        .sign(&private)?;

    let set = remote(server.url("/keys"), options(&ManualClock::new()))?;
    let verified = rjose_remote::jwt_verify::<JsonObject>(&token, &set, &VerifyOptions::new()).await?;
    assert_eq!(verified.protected_header.kid.as_deref(), Some("leaked"));
    let keys = set.key_set().await?;
    assert_eq!(keys.private_members_ignored(), 1);
    assert!(keys.keys().iter().all(|key| !key.is_private()));
    Ok(())
}

#[tokio::test]
async fn remote_jwt_verify_keeps_the_default_claim_rules() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
    let private = pair.private_key.with_kid("k");
    let public = pair.public_key.with_kid("k").to_public_jwk()?.to_json();
    server.route("/keys", Reply::json(format!(r#"{{"keys":[{public}]}}"#)));
    let set = remote(server.url("/keys"), options(&ManualClock::new()))?;

    let forever = SignJwt::default().protected_header(Alg::ES256).sign(&private)?;
    match rjose_remote::jwt_verify::<JsonObject>(&forever, &set, &VerifyOptions::new()).await {
        Err(Error::JwtClaimValidationFailed { claim, reason, .. }) => {
            assert_eq!((claim.as_str(), reason), ("exp", ClaimReason::Missing));
        }
        other => panic!("expected a missing exp, got {other:?}"),
    }
    rjose_remote::jwt_verify::<JsonObject>(&forever, &set, &VerifyOptions::new().allow_missing_exp()).await?;

    let elsewhere = SignJwt::default()
        .protected_header(Alg::ES256)
        .audience("other")
        .expiration_time("5m")
        .sign(&private)?;
    match rjose_remote::jwt_verify::<JsonObject>(&elsewhere, &set, &VerifyOptions::new()).await {
        Err(Error::JwtClaimValidationFailed { claim, reason, .. }) => {
            assert_eq!((claim.as_str(), reason), ("aud", ClaimReason::CheckFailed));
        }
        other => panic!("expected an unexpected audience, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn remote_set_never_yields_a_symmetric_key() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let secret = Key::from_secret([7u8; 32])?.with_kid("hmac");
    let signer = Signer::new("k1");
    let document = format!(
        r#"{{"keys":[{},{}]}}"#,
        secret.to_jwk()?.to_json(),
        jwks(&[&signer])
            .trim_start_matches(r#"{"keys":["#)
            .trim_end_matches("]}")
    );
    server.route("/jwks", Reply::json(document));
    let token = SignJwt::default()
        .protected_header(JwsHeader::new(Alg::HS256).kid("hmac"))
        .sign(&secret)?;

    let options = options(&ManualClock::new()).try_all_matching(true);
    let set = remote(server.url("/jwks"), options)?;
    let refused = rjose_remote::jwt_verify::<JsonObject>(&token, &set, &VerifyOptions::new().algorithms([Alg::HS256]))
        .await
        .map(drop);
    assert!(matches!(refused, Err(Error::JwksNoMatchingKey)), "{refused:?}");
    let keys = set.key_set().await?;
    assert_eq!((keys.keys().len(), keys.skipped()), (1, 1));
    verify(&set, &signer.token()).await?;
    Ok(())
}

#[test]
fn remote_set_is_shareable_and_its_futures_can_move_between_threads() {
    fn shareable<T: Clone + Send + Sync + 'static>() {}
    fn sendable<T: Send>(_: &T) {}
    shareable::<RemoteJwkSet>();
    let set = RemoteJwkSet::new("https://issuer.example/jwks", rjose_remote::RemoteJwkSetOptions::new())
        .expect("a valid URL");
    let options = rjose::jwt::VerifyOptions::new();
    sendable(&rjose_remote::jwt_verify::<JsonObject>("token", &set, &options));
    sendable(&set.reload());
    sendable(&RemoteJwkSet::from_issuer(
        "https://issuer.example",
        rjose_remote::RemoteJwkSetOptions::new(),
    ));
}

#[tokio::test]
async fn remote_set_is_an_async_key_source_for_the_core_and_refetches_for_an_unknown_kid() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let (old, new) = (Signer::new("2024"), Signer::new("2025"));
    server.route("/jwks", Reply::json(jwks(&[&old])));
    let clock = ManualClock::new();
    let set: Arc<dyn rjose::AsyncKeySource> = Arc::new(remote(server.url("/jwks"), options(&clock))?);

    let verified = rjose::jwt::jwt_verify_async::<JsonObject>(&old.token(), set.as_ref(), &verify_options()).await?;
    assert_eq!(verified.protected_header.kid.as_deref(), Some("2024"));
    assert_eq!(server.hits("/jwks"), 1);

    server.route("/jwks", Reply::json(jwks(&[&old, &new])));
    clock.advance(31 * SECOND);
    let jws_options = rjose::jws::JwsVerifyOptions::new().algorithms([Alg::ES256]);
    let verified = rjose::jws::compact_verify_async(&new.token(), set.as_ref(), &jws_options).await?;
    assert_eq!(verified.key.kid(), Some("2025"));
    assert_eq!(server.hits("/jwks"), 2, "one refetch for the unknown kid");

    let stranger = Signer::new("2026");
    let error = rjose::jwt::jwt_verify_async::<JsonObject>(&stranger.token(), set.as_ref(), &verify_options())
        .await
        .expect_err("not in the set");
    assert!(matches!(error, Error::JwksNoMatchingKey), "{error:?}");
    assert_eq!(server.hits("/jwks"), 2, "cooling down: no refetch");
    Ok(())
}
