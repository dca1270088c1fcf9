//! Exporting a set's cache and seeding a new set with it: what a
//! short-lived worker keeps in its KV store between starts.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::UNIX_EPOCH;

use rjose::{Error, Key};
use rjose_remote::{
    Clock, FetchFuture, FetchRequest, JwksCacheEntry, JwksFetcher, ManualClock, RemoteJwkSet, RemoteJwkSetOptions,
};

use crate::caching::verify;
use crate::support::{MINUTE, Reply, SECOND, Signer, TestServer, jwks, options, remote};

/// The current date of `clock`, in Unix seconds.
fn unix_now(clock: &ManualClock) -> u64 {
    clock
        .system_time()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

/// An entry as a worker would read it from its store.
fn entry(url: &str, document: &str, fetched_at: u64, etag: Option<&str>) -> JwksCacheEntry {
    let mut stored = serde_json::json!({ "url": url, "jwks": document, "fetched_at": fetched_at });
    if let Some(etag) = etag {
        stored["etag"] = etag.into();
    }
    serde_json::from_value(stored).expect("an entry")
}

/// A fetcher for sets that must not fetch: every request fails.
#[derive(Debug)]
struct Offline;

impl JwksFetcher for Offline {
    fn fetch(&self, request: FetchRequest) -> FetchFuture<'_> {
        let cause = format!("offline: {}", request.url);
        Box::pin(async move { Err(Error::JwksFetch { status: None, cause }) })
    }
}

fn private_jwk(key: &Key) -> serde_json::Value {
    let json = key.to_jwk().expect("a JWK").to_json();
    serde_json::from_str(&json).expect("JSON")
}

#[tokio::test]
async fn exported_entry_seeds_a_new_set_that_verifies_without_fetching() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])).etag("\"v1\""));
    let clock = ManualClock::new();
    let first = remote(server.url("/jwks"), options(&clock))?;
    assert_eq!(first.export_cache(), None, "nothing fetched yet");
    verify(&first, &signer.token()).await?;
    assert_eq!(server.hits("/jwks"), 1);

    clock.advance(2 * MINUTE);
    let exported = first.export_cache().expect("a fetched set exports");
    assert_eq!(exported.url, server.url("/jwks"));
    assert_eq!(exported.etag.as_deref(), Some("\"v1\""));
    let age = unix_now(&clock) - exported.fetched_at;
    assert!(
        (120..=121).contains(&age),
        "fetched two minutes ago, rounded down: {age}"
    );

    let next = remote(server.url("/jwks"), options(&clock))?;
    next.seed(exported)?;
    assert!(next.is_fresh());
    verify(&next, &signer.token()).await?;
    assert_eq!(server.hits("/jwks"), 1, "the seeded set does not fetch");
    Ok(())
}

#[test]
fn entry_round_trips_through_a_json_string_with_its_documented_field_names() {
    let original = entry(
        "https://issuer.test/jwks",
        r#"{"keys":[]}"#,
        1_764_900_000,
        Some("\"v1\""),
    );
    let text = serde_json::to_string(&original).expect("serializes");
    let object: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let mut names: Vec<_> = object.as_object().expect("an object").keys().cloned().collect();
    names.sort();
    assert_eq!(
        names,
        ["etag", "fetched_at", "jwks", "url"],
        "max_age is left out when absent"
    );
    assert_eq!(object["fetched_at"], 1_764_900_000);
    let read: JwksCacheEntry = serde_json::from_str(&text).expect("deserializes");
    assert_eq!(read, original);

    let with_extra = r#"{"url":"https://issuer.test/jwks","jwks":"{}","fetched_at":1,"written_by":"a later version"}"#;
    let read: JwksCacheEntry = serde_json::from_str(with_extra).expect("unknown fields are ignored");
    assert_eq!((read.etag, read.max_age), (None, None));
}

#[tokio::test]
async fn stale_seed_is_revalidated_with_its_etag_and_a_304_keeps_the_seeded_keys_with_a_fresh_time() -> rjose::Result<()>
{
    let server = TestServer::start().await;
    let (seeded, served) = (Signer::new("seeded"), Signer::new("served"));
    // A 200 would replace the seeded key with another: only a 304 keeps it.
    server.route("/jwks", Reply::json(jwks(&[&served])).etag("\"v1\""));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;
    let fetched_at = unix_now(&clock) - 11 * 60;
    set.seed(entry(
        &server.url("/jwks"),
        &jwks(&[&seeded]),
        fetched_at,
        Some("\"v1\""),
    ))?;
    assert!(!set.is_fresh(), "older than the cache max age");

    verify(&set, &seeded.token()).await?;
    assert_eq!(server.hits("/jwks"), 1);
    assert_eq!(
        server.last_headers("/jwks").get("if-none-match").map(|v| v.as_bytes()),
        Some(&b"\"v1\""[..])
    );
    assert!(set.is_fresh());
    let renewed = set.export_cache().expect("a cached set");
    assert!(renewed.fetched_at >= unix_now(&clock) - 1, "the 304 renewed the time");
    assert_eq!(renewed.etag.as_deref(), Some("\"v1\""));
    verify(&set, &seeded.token()).await?;
    assert_eq!(server.hits("/jwks"), 1);
    Ok(())
}

#[tokio::test]
async fn unknown_kid_on_a_fresh_seed_refetches_once_the_cooldown_from_fetched_at_has_passed() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let (old, new) = (Signer::new("old"), Signer::new("new"));
    server.route("/jwks", Reply::json(jwks(&[&old, &new])));
    let clock = ManualClock::new();
    let set = remote(server.url("/jwks"), options(&clock))?;
    set.seed(entry(&server.url("/jwks"), &jwks(&[&old]), unix_now(&clock) - 10, None))?;
    assert!(set.is_cooling_down(), "fetched 10 s ago, cooldown 30 s");

    let error = verify(&set, &new.token())
        .await
        .expect_err("the seed lacks the new key");
    assert_eq!(error.code(), "ERR_JWKS_NO_MATCHING_KEY");
    assert_eq!(server.hits("/jwks"), 0, "no fetch within the cooldown");

    clock.advance(25 * SECOND);
    verify(&set, &new.token()).await?;
    assert_eq!(server.hits("/jwks"), 1, "one refetch for the unknown kid");
    verify(&set, &old.token()).await?;
    assert_eq!(server.hits("/jwks"), 1);
    Ok(())
}

#[tokio::test]
async fn seed_is_reduced_to_public_keys_as_a_fetched_document_is() -> rjose::Result<()> {
    let signer = Signer::new("leaked");
    let secret =
        serde_json::json!({ "kty": "oct", "kid": "hmac", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA" });
    let document = serde_json::json!({ "keys": [private_jwk(&signer.private), secret] }).to_string();
    let clock = ManualClock::new();
    let url = "https://issuer.test/jwks";
    let set = RemoteJwkSet::new(url, options(&clock).fetcher(Offline))?;
    set.seed(entry(url, &document, unix_now(&clock), None))?;

    let keys = set.cached().expect("seeded");
    assert_eq!(keys.keys().len(), 1);
    assert_eq!(keys.skipped(), 1, "the oct key is dropped");
    assert_eq!(keys.private_members_ignored(), 1);
    assert!(keys.keys().iter().all(|key| !key.is_private()));
    verify(&set, &signer.token()).await?;

    let exported = set.export_cache().expect("a cached set").jwks;
    assert!(!exported.contains("\"d\"") && !exported.contains("oct"), "{exported}");
    Ok(())
}

#[test]
fn malformed_seed_is_refused_with_jwks_invalid_and_leaves_the_set_unseeded() -> rjose::Result<()> {
    let clock = ManualClock::new();
    let url = "https://issuer.test/jwks";
    let set = RemoteJwkSet::new(url, options(&clock).fetcher(Offline))?;
    let now = unix_now(&clock);
    let good = jwks(&[&Signer::new("k1")]);
    let only_symmetric = r#"{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA"}]}"#;
    let cases = [
        ("not JSON", entry(url, "{\"keys\":", now, None), "not JSON"),
        ("no keys array", entry(url, r#"{"keys":{}}"#, now, None), "keys"),
        (
            "a repeated member",
            entry(url, r#"{"keys":[],"keys":[]}"#, now, None),
            "duplicate member \"keys\"",
        ),
        (
            "only a symmetric key",
            entry(url, only_symmetric, now, None),
            "no usable key",
        ),
        (
            "an etag with a newline",
            entry(url, &good, now, Some("\"v1\"\n")),
            "etag",
        ),
        (
            "a fetched_at out of range",
            entry(url, &good, u64::MAX, None),
            "fetched_at",
        ),
        ("a url that is no URL", entry("jwks", &good, now, None), "not a URL"),
    ];
    for (what, seed, detail) in cases {
        let error = set.seed(seed).expect_err(what);
        assert!(matches!(error, Error::JwksInvalid(_)), "{what}: {error:?}");
        assert_eq!(error.code(), "ERR_JWKS_INVALID");
        assert!(error.to_string().contains(detail), "{what}: {error}");
        assert!(
            set.cached().is_none() && !set.is_cooling_down(),
            "{what}: the set is unchanged"
        );
    }
    Ok(())
}

#[test]
fn seed_for_another_url_is_refused() -> rjose::Result<()> {
    let clock = ManualClock::new();
    let set = RemoteJwkSet::new("https://issuer.test/jwks", options(&clock).fetcher(Offline))?;
    let stored = entry(
        "https://attacker.test/jwks",
        &jwks(&[&Signer::new("k1")]),
        unix_now(&clock),
        None,
    );
    let error = set.seed(stored).expect_err("another issuer's keys");
    assert_eq!(error.code(), "ERR_JWKS_INVALID");
    assert!(
        error.to_string().contains("https://attacker.test/jwks")
            && error.to_string().contains("https://issuer.test/jwks"),
        "{error}"
    );
    assert!(set.cached().is_none());
    Ok(())
}

#[tokio::test]
async fn stale_seed_beyond_max_stale_reports_the_fetch_error_but_within_it_still_verifies() -> rjose::Result<()> {
    let signer = Signer::new("k1");
    let clock = ManualClock::new();
    let url = "https://issuer.test/jwks";
    let options = || options(&clock).fetcher(Offline).max_stale(30 * MINUTE);

    let within = RemoteJwkSet::new(url, options())?;
    within.seed(entry(url, &jwks(&[&signer]), unix_now(&clock) - 20 * 60, None))?;
    verify(&within, &signer.token()).await?;

    let beyond = RemoteJwkSet::new(url, options())?;
    beyond.seed(entry(url, &jwks(&[&signer]), unix_now(&clock) - 50 * 60, None))?;
    let error = verify(&beyond, &signer.token())
        .await
        .expect_err("too old, and offline");
    assert!(matches!(error, Error::JwksFetch { status: None, .. }), "{error:?}");
    Ok(())
}

#[test]
fn seed_keeps_a_newer_cached_document() -> rjose::Result<()> {
    let clock = ManualClock::new();
    let url = "https://issuer.test/jwks";
    let set = RemoteJwkSet::new(url, options(&clock).fetcher(Offline))?;
    let (newer, older) = (Signer::new("newer"), Signer::new("older"));
    set.seed(entry(url, &jwks(&[&newer]), unix_now(&clock) - 60, None))?;
    set.seed(entry(url, &jwks(&[&older]), unix_now(&clock) - 120, None))?;
    let kids: Vec<_> = set
        .cached()
        .expect("seeded")
        .keys()
        .iter()
        .map(|k| k.kid().map(str::to_owned))
        .collect();
    assert_eq!(kids, [Some("newer".to_owned())]);
    Ok(())
}

/// Polls a future on this thread with no runtime at all, as a host's own
/// executor would.
fn block_on_without_a_runtime<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    for _ in 0..1000 {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
    }
    panic!("the future never completed");
}

#[test]
fn fresh_seed_verifies_without_a_tokio_runtime() -> rjose::Result<()> {
    assert!(tokio::runtime::Handle::try_current().is_err());
    let signer = Signer::new("k1");
    let url = "https://issuer.test/jwks";
    let set = RemoteJwkSet::new(url, RemoteJwkSetOptions::new().fetcher(Offline))?;
    let now = rjose_remote::SystemClock
        .system_time()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    set.seed(entry(url, &jwks(&[&signer]), now, None))?;
    block_on_without_a_runtime(verify(&set, &signer.token()))
}

#[test]
fn fetch_without_a_tokio_runtime_is_a_fetch_error_not_a_panic() -> rjose::Result<()> {
    let signer = Signer::new("k1");
    let url = "https://issuer.test/jwks";
    let set = RemoteJwkSet::new(url, RemoteJwkSetOptions::new().fetcher(Offline))?;
    let error = block_on_without_a_runtime(verify(&set, &signer.token())).expect_err("nothing cached, no runtime");
    assert!(matches!(error, Error::JwksFetch { status: None, .. }), "{error:?}");
    assert!(error.to_string().contains("needs a Tokio runtime"), "{error}");
    Ok(())
}

#[tokio::test]
async fn servers_max_age_is_exported_and_a_seed_keeps_it_when_cache_control_is_honoured() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route(
        "/jwks",
        Reply::json(jwks(&[&signer])).header("cache-control", "public, max-age=3600"),
    );
    let clock = ManualClock::new();
    let first = remote(server.url("/jwks"), options(&clock))?;
    verify(&first, &signer.token()).await?;
    let exported = first.export_cache().expect("a fetched set");
    assert_eq!(exported.max_age, Some(3600));

    clock.advance(20 * MINUTE);
    let honouring = remote(server.url("/jwks"), options(&clock).honor_cache_control(true))?;
    honouring.seed(exported.clone())?;
    assert!(honouring.is_fresh(), "20 minutes into the server's hour");
    let default = remote(server.url("/jwks"), options(&clock))?;
    default.seed(exported)?;
    assert!(!default.is_fresh(), "past the 10 minute cache max age");
    assert_eq!(server.hits("/jwks"), 1);
    Ok(())
}
