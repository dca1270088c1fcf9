//! Key rotation, single flight, cooldown, expiry, ETag, Cache-Control and
//! background refresh.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rjose::JsonObject;
use rjose_remote::{ManualClock, RemoteJwkSet, jwt_verify};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::support::{MINUTE, Reply, SECOND, Signer, TestServer, jwks, options, remote, verify_options};

pub async fn verify(set: &RemoteJwkSet, token: &str) -> rjose::Result<()> {
    jwt_verify::<JsonObject>(token, set, &verify_options()).await.map(drop)
}

/// Polls `condition` every few milliseconds for up to two seconds.
pub async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..400 {
        if condition() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn rotated_key_verifies_after_one_refetch_and_old_tokens_verify_until_their_key_leaves_the_set()
-> rjose::Result<()> {
    let server = TestServer::start().await;
    let (old, new) = (Signer::new("2024"), Signer::new("2025"));
    let (old_token, new_token) = (old.token(), new.token());
    server.route("/jwks", Reply::json(jwks(&[&old])));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;

    verify(&set, &old_token).await?;
    assert_eq!(server.hits("/jwks"), 1);

    // The issuer publishes its next key; tokens signed with it start to arrive.
    server.route("/jwks", Reply::json(jwks(&[&old, &new])));
    clock.advance(31 * SECOND);
    verify(&set, &new_token).await?;
    assert_eq!(server.hits("/jwks"), 2, "one refetch for the unknown kid");
    verify(&set, &old_token).await?;
    assert_eq!(server.hits("/jwks"), 2, "the old key is still in the set");

    // The old key is retired; once the cached set expires, its tokens fail.
    server.route("/jwks", Reply::json(jwks(&[&new])));
    clock.advance(10 * MINUTE);
    let error = verify(&set, &old_token).await.expect_err("the old key left the set");
    assert_eq!(error.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert_eq!(
        server.hits("/jwks"),
        3,
        "the expiry fetch; no second one within the cooldown"
    );
    verify(&set, &new_token).await?;
    assert_eq!(server.hits("/jwks"), 3);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_verifications_on_a_cold_cache_share_one_request() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])).delay(Duration::from_millis(50)));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;
    let token: Arc<str> = signer.token().into();

    let mut tasks = JoinSet::new();
    for _ in 0..1000 {
        let (set, token) = (set.clone(), Arc::clone(&token));
        tasks.spawn(async move { verify(&set, &token).await });
    }
    let mut verified = 0;
    while let Some(result) = tasks.join_next().await {
        result.expect("the task did not panic")?;
        verified += 1;
    }
    assert_eq!(verified, 1000);
    assert_eq!(server.hits("/jwks"), 1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burst_of_unknown_kids_after_the_cooldown_causes_one_refetch_and_none_within_it() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let known = Signer::new("known");
    server.route("/jwks", Reply::json(jwks(&[&known])).delay(Duration::from_millis(20)));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;
    verify(&set, &known.token()).await?;
    assert_eq!(server.hits("/jwks"), 1);

    let strangers: Vec<Arc<str>> = (0..50)
        .map(|i| Signer::new(&format!("unknown-{i}")).token().into())
        .collect();
    let burst = |set: &RemoteJwkSet| {
        let mut tasks = JoinSet::new();
        for token in &strangers {
            let (set, token) = (set.clone(), Arc::clone(token));
            tasks.spawn(async move { verify(&set, &token).await });
        }
        tasks
    };

    // Within the cooldown of the first fetch: no refetch at all.
    let mut tasks = burst(&set);
    while let Some(result) = tasks.join_next().await {
        let error = result.expect("the task did not panic").expect_err("unknown kid");
        assert_eq!(error.code(), "ERR_JWKS_NO_MATCHING_KEY");
    }
    assert_eq!(server.hits("/jwks"), 1);

    // After it: one refetch for the whole burst, then none again.
    clock.advance(31 * SECOND);
    for expected_hits in [2, 2] {
        let mut tasks = burst(&set);
        while let Some(result) = tasks.join_next().await {
            let error = result.expect("the task did not panic").expect_err("unknown kid");
            assert_eq!(error.code(), "ERR_JWKS_NO_MATCHING_KEY");
        }
        assert_eq!(server.hits("/jwks"), expected_hits);
        clock.advance(10 * SECOND);
    }
    assert!(set.is_cooling_down());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_cooldown_concurrent_callers_still_share_one_fetch() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let known = Signer::new("known");
    server.route("/jwks", Reply::json(jwks(&[&known])).delay(Duration::from_millis(50)));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock).cooldown(Duration::ZERO))?;
    let known_token: Arc<str> = known.token().into();
    let stranger_token: Arc<str> = Signer::new("stranger").token().into();

    // Cold cache: one fetch for 200 verifications.
    let mut tasks = JoinSet::new();
    for _ in 0..200 {
        let (set, token) = (set.clone(), Arc::clone(&known_token));
        tasks.spawn(async move { verify(&set, &token).await });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("the task did not panic")?;
    }
    assert_eq!(server.hits("/jwks"), 1);

    // Unknown kid: 200 verifications fail against the same set; the server
    // holds the refetch until all of them have tried it, so all of them
    // need it: one refetch.
    let gate = Arc::new(Semaphore::new(0));
    server.route("/jwks", Reply::json(jwks(&[&known])).gate(Arc::clone(&gate)));
    let attempts = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..200 {
        let (set, token, attempts) = (set.clone(), Arc::clone(&stranger_token), Arc::clone(&attempts));
        tasks.spawn(async move {
            set.with_keys(|keys| {
                attempts.fetch_add(1, Ordering::SeqCst);
                rjose::jwt::jwt_verify::<JsonObject>(&token, keys, &verify_options()).map(drop)
            })
            .await
        });
    }
    wait_until("every task tried the cached set", || {
        attempts.load(Ordering::SeqCst) >= 200
    })
    .await;
    gate.add_permits(1);
    while let Some(result) = tasks.join_next().await {
        let error = result.expect("the task did not panic").expect_err("unknown kid");
        assert_eq!(error.code(), "ERR_JWKS_NO_MATCHING_KEY");
    }
    assert_eq!(server.hits("/jwks"), 2);
    assert_eq!(
        attempts.load(Ordering::SeqCst),
        400,
        "each task retried once, with the refetched set"
    );
    Ok(())
}

#[tokio::test]
async fn cached_set_is_used_until_cache_max_age_then_fetched_again() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    let token = signer.token();
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock).cache_max_age(5 * MINUTE))?;

    verify(&set, &token).await?;
    clock.advance(5 * MINUTE - SECOND);
    verify(&set, &token).await?;
    assert!(set.is_fresh());
    assert_eq!(server.hits("/jwks"), 1);
    clock.advance(SECOND);
    assert!(!set.is_fresh());
    verify(&set, &token).await?;
    assert_eq!(server.hits("/jwks"), 2);
    Ok(())
}

#[tokio::test]
async fn etag_is_sent_back_and_a_304_renews_the_cached_set() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    let token = signer.token();
    server.route("/jwks", Reply::json(jwks(&[&signer])).etag("\"v1\""));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;

    verify(&set, &token).await?;
    assert!(server.last_headers("/jwks").get("if-none-match").is_none());
    clock.advance(11 * MINUTE);
    verify(&set, &token).await?;
    assert_eq!(server.hits("/jwks"), 2);
    assert_eq!(
        server.last_headers("/jwks").get("if-none-match").map(|v| v.as_bytes()),
        Some(&b"\"v1\""[..])
    );
    assert!(set.is_fresh(), "the 304 counts as a refresh");
    assert!(set.last_error().is_none());
    clock.advance(9 * MINUTE);
    verify(&set, &token).await?;
    assert_eq!(server.hits("/jwks"), 2);
    Ok(())
}

#[tokio::test]
async fn unknown_kid_answered_by_a_304_fails_without_trying_the_same_keys_twice() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])).etag("\"v1\""));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;
    verify(&set, &signer.token()).await?;
    assert_eq!(server.hits("/jwks"), 1);

    // Past the cooldown, an unknown kid asks again; the server says the
    // set has not changed.
    clock.advance(31 * SECOND);
    let stranger = Signer::new("stranger").token();
    let calls = AtomicUsize::new(0);
    let error = set
        .with_keys(|keys| {
            calls.fetch_add(1, Ordering::SeqCst);
            rjose::jwt::jwt_verify::<JsonObject>(&stranger, keys, &verify_options()).map(drop)
        })
        .await
        .expect_err("unknown kid");
    assert_eq!(error.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert_eq!(server.hits("/jwks"), 2, "one conditional refetch");
    assert_eq!(
        server.last_headers("/jwks").get("if-none-match").map(|v| v.as_bytes()),
        Some(&b"\"v1\""[..])
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1, "the 304 brought no new keys to try");
    assert!(set.is_fresh(), "the 304 still renews the cached set");
    assert!(set.last_error().is_none());
    Ok(())
}

#[tokio::test]
async fn cache_control_max_age_sets_the_lifetime_only_when_honoured() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    let token = signer.token();
    server.route(
        "/short",
        Reply::json(jwks(&[&signer])).header("cache-control", "public, max-age=120"),
    );
    server.route(
        "/long",
        Reply::json(jwks(&[&signer])).header("cache-control", "max-age=3600"),
    );
    let clock = ManualClock::new();
    let honoured = remote(server.url("/short"), options(&clock).honor_cache_control(true))?;
    let ignored = remote(server.url("/short"), options(&clock))?;
    let long = remote(server.url("/long"), options(&clock).honor_cache_control(true))?;

    for set in [&honoured, &ignored, &long] {
        verify(set, &token).await?;
    }
    clock.advance(121 * SECOND);
    assert!(!honoured.is_fresh());
    assert!(
        ignored.is_fresh(),
        "without opting in, cache_max_age (10 minutes) applies"
    );
    clock.advance(10 * MINUTE);
    assert!(long.is_fresh(), "the server's hour is longer than cache_max_age");
    verify(&honoured, &token).await?;
    assert_eq!(
        server.hits("/short"),
        3,
        "two first fetches, one refetch of the honouring set"
    );
    Ok(())
}

#[tokio::test]
async fn background_refresh_renews_the_set_before_expiry_without_making_requests_wait() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let (current, next) = (Signer::new("current"), Signer::new("next"));
    server.route("/jwks", Reply::json(jwks(&[&current])));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock).background_refresh(MINUTE))?;
    verify(&set, &current.token()).await?;
    assert_eq!(server.hits("/jwks"), 1);

    // Thirty seconds before expiry, with the server holding its answer: the
    // verification is served from the cache and starts a refresh behind it.
    let gate = Arc::new(Semaphore::new(0));
    server.route("/jwks", Reply::json(jwks(&[&current, &next])).gate(Arc::clone(&gate)));
    clock.advance(9 * MINUTE + 30 * SECOND);
    tokio::time::timeout(Duration::from_secs(5), verify(&set, &current.token()))
        .await
        .expect("the verification did not wait on the refresh")?;
    wait_until("the background request arrives", || server.hits("/jwks") == 2).await;
    verify(&set, &current.token()).await?;
    gate.add_permits(1);
    wait_until("the refreshed set is stored", || {
        set.cached().is_some_and(|keys| keys.keys().len() == 2)
    })
    .await;

    // Past the first set's expiry: the refreshed one is fresh, no fetch.
    clock.advance(MINUTE);
    verify(&set, &next.token()).await?;
    assert!(set.is_fresh());
    assert_eq!(server.hits("/jwks"), 2);
    Ok(())
}
