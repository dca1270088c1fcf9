//! `HttpPolicy`: which hosts plain http may reach, judged on the URL the
//! client fetches, for the set's URL, discovery and every redirect hop.

use rjose::Error;
use rjose_remote::{HttpPolicy, ManualClock, RemoteJwkSet};

use crate::caching::verify;
use crate::support::{Reply, Signer, TestServer, callers_client, jwks, local, options, remote};

/// The cause of a `JwksFetch` error without status; anything else fails
/// the test.
fn fetch_cause(error: &Error) -> &str {
    match error {
        Error::JwksFetch { status: None, cause } => cause,
        other => panic!("not a fetch error without status: {other:?}"),
    }
}

#[tokio::test]
async fn backslash_in_the_authority_is_judged_on_the_host_actually_fetched() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    // The client reads `\` as `/`: this URL is http://0.0.0.0:port/@127.0.0.1/jwks.
    let url = format!("http://0.0.0.0:{}\\@127.0.0.1/jwks", server.port());
    server.route("/@127.0.0.1/jwks", Reply::json(jwks(&[&signer])));

    let error = remote(url.clone(), options(&ManualClock::new()))
        .map(drop)
        .expect_err("not loopback");
    assert!(fetch_cause(&error).contains("0.0.0.0 is not one"), "{error}");
    assert_eq!(server.hits("/@127.0.0.1/jwks"), 0);

    // Where the client goes, when a policy lets it.
    let insecure = options(&ManualClock::new()).http_policy(HttpPolicy::InsecureAnyHttp);
    verify(&remote(url, insecure)?, &signer.token()).await?;
    assert_eq!(server.hits("/@127.0.0.1/jwks"), 1);
    Ok(())
}

#[tokio::test]
async fn every_redirect_hop_is_checked_before_it_is_followed() {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    let outside = format!("http://0.0.0.0:{}/jwks", server.port());
    let with_credentials = format!("http://user:hunter2@127.0.0.1:{}/jwks", server.port());
    server.route("/outside", Reply::status(302).header("location", &outside));
    server.route("/credentials", Reply::status(302).header("location", &with_credentials));

    for (path, why) in [
        ("/outside", "0.0.0.0 is not one"),
        ("/credentials", "carries credentials"),
    ] {
        let set = remote(server.url(path), options(&ManualClock::new()).allow_redirects(true)).expect("a loopback URL");
        let error = verify(&set, &signer.token())
            .await
            .expect_err("the redirect is refused");
        let cause = fetch_cause(&error);
        assert!(
            cause.contains("refusing to follow a redirect") && cause.contains(why),
            "{cause}"
        );
        assert!(!cause.contains("hunter2"), "{cause}");
    }
    assert_eq!(server.hits("/jwks"), 0);
}

#[tokio::test]
async fn callers_client_landing_outside_the_policy_is_refused() {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    server.route("/jwks", Reply::json(jwks(&[&signer])));
    let outside = format!("http://0.0.0.0:{}/jwks", server.port());
    server.route("/moved", Reply::status(302).header("location", &outside));
    let following = callers_client().build().expect("a client");

    let options = options(&ManualClock::new()).client(following).allow_redirects(true);
    let set = RemoteJwkSet::new(server.url("/moved"), options).expect("a loopback URL");
    let error = verify(&set, &signer.token())
        .await
        .expect_err("the final URL is refused");
    let cause = fetch_cause(&error);
    assert!(
        cause.contains("which is refused") && cause.contains("0.0.0.0 is not one"),
        "{cause}"
    );
    assert!(set.cached().is_none());
}

#[tokio::test]
async fn discovery_refuses_a_jwks_uri_outside_the_policy() {
    let server = TestServer::start().await;
    let issuer = server.origin();
    let jwks_uri = format!("http://localhost.:{}/jwks", server.port());
    let document = serde_json::json!({ "issuer": issuer, "jwks_uri": jwks_uri }).to_string();
    server.route("/.well-known/openid-configuration", Reply::json(document));

    let error = RemoteJwkSet::from_issuer(&issuer, local(options(&ManualClock::new())))
        .await
        .map(drop)
        .expect_err("localhost. is not loopback");
    assert!(fetch_cause(&error).contains("localhost. is not one"), "{error}");
    assert_eq!(server.hits("/jwks"), 0);
}

#[tokio::test]
async fn credentials_in_the_set_url_are_refused_without_repeating_them() {
    let server = TestServer::start().await;
    let url = format!("http://admin:hunter2@127.0.0.1:{}/jwks", server.port());
    for policy in [HttpPolicy::LoopbackHttp, HttpPolicy::InsecureAnyHttp] {
        let error = remote(url.clone(), options(&ManualClock::new()).http_policy(policy))
            .map(drop)
            .expect_err("credentials are refused");
        let cause = fetch_cause(&error);
        assert!(
            cause.contains("carries credentials") && !cause.contains("hunter2"),
            "{cause}"
        );
    }
    assert_eq!(server.hits("/jwks"), 0);
}
