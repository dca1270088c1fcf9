//! `RemoteJwkSet::from_issuer`: OpenID Connect Discovery, the RFC 8414
//! fallback, and the issuer check.

use rjose::Error;
use rjose_remote::{ManualClock, ProviderMetadata, RemoteJwkSet};

use crate::caching::verify;
use crate::support::{Reply, Signer, TestServer, jwks, local, options};

const OPENID: &str = "/.well-known/openid-configuration";
const OAUTH: &str = "/.well-known/oauth-authorization-server";

fn metadata(issuer: &str, jwks_uri: &str) -> Reply {
    Reply::json(
        serde_json::json!({
            "issuer": issuer,
            "jwks_uri": jwks_uri,
            "token_endpoint": format!("{issuer}/oauth/token"),
            "id_token_signing_alg_values_supported": ["ES256"],
        })
        .to_string(),
    )
}

#[tokio::test]
async fn discovery_uses_the_jwks_uri_of_the_openid_configuration() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    let issuer = server.origin();
    server.route(OPENID, metadata(&issuer, &server.url("/keys")));
    server.route("/keys", Reply::json(jwks(&[&signer])));

    let set = RemoteJwkSet::from_issuer(&issuer, local(options(&ManualClock::new()))).await?;
    assert_eq!(set.url().as_str(), server.url("/keys"));
    let found = set.metadata().expect("discovered metadata");
    assert_eq!(found.issuer, issuer);
    assert_eq!(found.source.as_str(), server.url(OPENID));
    assert_eq!(found.token_endpoint(), Some(format!("{issuer}/oauth/token").as_str()));
    assert_eq!(found.document["id_token_signing_alg_values_supported"][0], "ES256");
    assert_eq!(server.hits("/keys"), 0, "the set itself is fetched on first use");

    verify(&set, &signer.token()).await?;
    assert_eq!(
        (server.hits(OPENID), server.hits(OAUTH), server.hits("/keys")),
        (1, 0, 1)
    );
    Ok(())
}

#[tokio::test]
async fn discovery_falls_back_to_rfc8414_authorization_server_metadata() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let signer = Signer::new("k1");
    let issuer = server.origin();
    server.route(OAUTH, metadata(&issuer, &server.url("/keys")));
    server.route("/keys", Reply::json(jwks(&[&signer])));

    let set = RemoteJwkSet::from_issuer(&issuer, local(options(&ManualClock::new()))).await?;
    assert_eq!(
        set.metadata().map(|m| m.source.as_str()),
        Some(server.url(OAUTH).as_str())
    );
    verify(&set, &signer.token()).await?;
    assert_eq!((server.hits(OPENID), server.hits(OAUTH)), (1, 1));
    Ok(())
}

#[tokio::test]
async fn discovery_refuses_metadata_naming_another_issuer() {
    let server = TestServer::start().await;
    server.route(OPENID, metadata("https://attacker.test", &server.url("/keys")));
    server.route(OAUTH, metadata(&server.origin(), &server.url("/keys")));

    let error = RemoteJwkSet::from_issuer(&server.origin(), local(options(&ManualClock::new())))
        .await
        .map(drop)
        .expect_err("wrong issuer");
    assert_eq!(error.code(), "ERR_JWKS_FETCH_FAILED");
    assert!(error.to_string().contains("https://attacker.test"), "{error}");
    assert_eq!(
        server.hits(OAUTH),
        0,
        "a wrong issuer is not a reason to look elsewhere"
    );
    assert_eq!(server.hits("/keys"), 0);
}

#[tokio::test]
async fn discovery_without_any_metadata_reports_the_status() {
    let server = TestServer::start().await;
    let error = ProviderMetadata::discover(&server.origin(), &local(options(&ManualClock::new())))
        .await
        .map(drop)
        .expect_err("no metadata");
    assert!(matches!(error, Error::JwksFetch { status: Some(404), .. }), "{error:?}");
    assert!(
        error.to_string().contains(OPENID) && error.to_string().contains(OAUTH),
        "{error}"
    );
}

#[tokio::test]
async fn discovery_of_an_issuer_with_a_path_appends_the_openid_suffix() -> rjose::Result<()> {
    let server = TestServer::start().await;
    let issuer = format!("{}/tenant-a", server.origin());
    server.route(
        &format!("/tenant-a{OPENID}"),
        metadata(&issuer, &server.url("/tenant-a/keys")),
    );
    let found = ProviderMetadata::discover(&issuer, &local(options(&ManualClock::new()))).await?;
    assert_eq!(found.jwks_uri.as_str(), server.url("/tenant-a/keys"));
    Ok(())
}
