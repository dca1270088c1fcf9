//! Asynchronous key sources: per-tenant lookups that wait, and the async
//! verification and decryption paths, which must agree with the
//! synchronous ones on every outcome.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rjose::jwe::{JweAlg, JweEnc, JweHeader};
use rjose::jws::{JwsHeader, JwsVerifyOptions, compact_verify, compact_verify_async};
use rjose::jwt::{
    DecryptOptions, EncryptJwt, SignJwt, VerifyOptions, jwt_decrypt, jwt_decrypt_async, jwt_verify, jwt_verify_async,
};
use rjose::{
    Alg, AsyncKeySource, Error, JsonObject, Key, KeyCandidates, KeyFuture, KeyPairOptions, LocalJwkSet,
    generate_key_pair, generate_secret, key_fn,
};

const NOW: i64 = 1_700_000_000;

/// Per-tenant keys behind an async lookup that really waits (a stand-in
/// for a database query), counting its calls.
#[derive(Default)]
struct TenantKeys {
    keys: HashMap<String, Key>,
    lookups: AtomicUsize,
}

impl AsyncKeySource for TenantKeys {
    fn candidates_async<'a>(&'a self, header: &'a JwsHeader) -> KeyFuture<'a> {
        Box::pin(async move {
            self.lookups.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(1)).await;
            let kid = header.kid.as_deref().ok_or(Error::JwksNoMatchingKey)?;
            self.keys
                .get(kid)
                .map(KeyCandidates::Borrowed)
                .ok_or(Error::JwksNoMatchingKey)
        })
    }
}

fn tenants() -> TenantKeys {
    let acme = Key::from_secret(b"acme: a secret of thirty-two bytes").expect("secret");
    let globex = generate_key_pair(Alg::ES256, KeyPairOptions::default()).expect("EC key");
    TenantKeys {
        keys: HashMap::from([("acme".to_owned(), acme), ("globex".to_owned(), globex.private_key)]),
        lookups: AtomicUsize::new(0),
    }
}

fn token_for(tenants: &TenantKeys, kid: &str) -> String {
    let key = tenants.keys[kid].with_kid(kid);
    SignJwt::default()
        .subject(format!("user@{kid}"))
        .issued_at(NOW)
        .expiration_time(NOW + 600)
        .sign(&key)
        .expect("signs")
}

fn options() -> VerifyOptions {
    VerifyOptions::new().current_time(NOW)
}

#[tokio::test]
async fn verifies_each_tenants_token_with_an_async_lookup() {
    let tenants = tenants();
    for kid in ["acme", "globex"] {
        let token = token_for(&tenants, kid);
        let verified = jwt_verify_async::<JsonObject>(&token, &tenants, &options())
            .await
            .expect("verifies");
        assert_eq!(
            verified.registered().sub.as_deref(),
            Some(format!("user@{kid}").as_str())
        );
    }
    assert_eq!(tenants.lookups.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn refuses_an_unknown_tenant_with_no_matching_key() {
    let tenants = tenants();
    let stranger = Key::from_secret(b"initech: a secret of thirty-two bytes").expect("secret");
    let token = SignJwt::default()
        .expiration_time(NOW + 600)
        .sign(&stranger.with_kid("initech"))
        .expect("signs");
    let error = jwt_verify_async::<JsonObject>(&token, &tenants, &options())
        .await
        .expect_err("unknown tenant");
    assert!(matches!(error, Error::JwksNoMatchingKey), "{error:?}");
    assert_eq!(error.code(), "ERR_JWKS_NO_MATCHING_KEY");
}

#[tokio::test]
async fn an_async_closure_is_a_key_source_through_key_fn() {
    let tenants = Arc::new(tenants());
    let token = token_for(&tenants, "globex");
    let shared = Arc::clone(&tenants);
    let keys = key_fn(move |header: JwsHeader| {
        let tenants = Arc::clone(&shared);
        async move {
            tokio::task::yield_now().await;
            let kid = header.kid.ok_or(Error::JwksNoMatchingKey)?;
            tenants.keys.get(&kid).cloned().ok_or(Error::JwksNoMatchingKey)
        }
    });
    let verified = jwt_verify_async::<JsonObject>(&token, &keys, &options())
        .await
        .expect("verifies");
    assert_eq!(verified.protected_header.kid.as_deref(), Some("globex"));
    let stranger = SignJwt::default()
        .expiration_time(NOW + 600)
        .sign(&tenants.keys["acme"].with_kid("initech"))
        .expect("signs");
    let error = compact_verify_async(&stranger, &keys, &JwsVerifyOptions::new())
        .await
        .expect_err("unknown kid");
    assert!(matches!(error, Error::JwksNoMatchingKey), "{error:?}");
}

#[tokio::test]
async fn sync_sources_and_shared_dyn_sources_work_on_the_async_path() {
    let tenants = tenants();
    let token = token_for(&tenants, "globex");
    let key = tenants.keys["globex"].public_key().expect("public half");
    let set = LocalJwkSet::new([key.with_kid("globex")]);
    jwt_verify_async::<JsonObject>(&token, &key, &options())
        .await
        .expect("a key");
    jwt_verify_async::<JsonObject>(&token, &set, &options())
        .await
        .expect("a local set");
    let shared: Arc<dyn AsyncKeySource> = Arc::new(tenants);
    jwt_verify_async::<JsonObject>(&token, shared.as_ref(), &options())
        .await
        .expect("a dyn source");
}

/// Both paths, on one token: they must give the same outcome.
async fn both(token: &str, key: &Key, options: &VerifyOptions) -> (Result<String, Error>, Result<String, Error>) {
    let sub = |v: rjose::jwt::VerifiedJwt<JsonObject>| v.registered().sub.clone().unwrap_or_default();
    let sync = jwt_verify::<JsonObject>(token, key, options).map(sub);
    let source = key_fn({
        let key = key.clone();
        move |_: JwsHeader| std::future::ready(Ok(key.clone()))
    });
    let unsync = jwt_verify_async::<JsonObject>(token, &source, options).await.map(sub);
    (sync, unsync)
}

#[tokio::test]
async fn async_and_sync_verification_fail_alike() {
    let key = Key::from_secret([0x42; 32]).expect("secret");
    let good = SignJwt::default()
        .subject("ada")
        .expiration_time(NOW + 60)
        .sign(&key)
        .expect("signs");
    let (a, b) = both(&good, &key, &options()).await;
    assert_eq!(a.expect("sync"), b.expect("async"));

    let mut tampered = good.clone();
    tampered.replace_range(tampered.len() - 2.., "AA");
    let expired = SignJwt::default()
        .subject("ada")
        .expiration_time(NOW - 60)
        .sign(&key)
        .expect("signs");
    let cases: [(&str, &str, VerifyOptions); 5] = [
        (&tampered, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", options()),
        (&good, "ERR_JOSE_ALG_NOT_ALLOWED", options().algorithms([Alg::ES256])),
        (&expired, "ERR_JWT_EXPIRED", options()),
        ("not.a token", "ERR_JWS_INVALID", options()),
        (&good, "ERR_JOSE_INVALID_ARGUMENT", options().clock_tolerance("soon")),
    ];
    for (token, code, options) in cases {
        let (sync, unsync) = both(token, &key, &options).await;
        let (sync, unsync) = (sync.expect_err(code), unsync.expect_err(code));
        assert_eq!(sync.code(), code, "{sync:?}");
        assert_eq!(format!("{sync:?}"), format!("{unsync:?}"));
    }
}

#[tokio::test]
async fn a_bad_signature_is_refused_before_the_claims_on_both_paths() {
    let key = Key::from_secret([0x42; 32]).expect("secret");
    let other = Key::from_secret([0x43; 32]).expect("secret");
    let expired_and_forged = SignJwt::default()
        .expiration_time(NOW - 60)
        .sign(&other)
        .expect("signs");
    let (sync, unsync) = both(&expired_and_forged, &key, &options()).await;
    assert!(matches!(sync, Err(Error::JwsSignatureVerificationFailed)), "{sync:?}");
    assert!(
        matches!(unsync, Err(Error::JwsSignatureVerificationFailed)),
        "{unsync:?}"
    );
}

#[tokio::test]
async fn async_decryption_agrees_with_sync_decryption() {
    let key = generate_secret(JweAlg::A256KW).expect("kek").with_kid("kek-1");
    let wrong = generate_secret(JweAlg::A256KW).expect("kek").with_kid("kek-1");
    let encrypt = |exp: i64| {
        EncryptJwt::default()
            .subject("ada")
            .expiration_time(exp)
            .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM))
            .encrypt(&key)
            .expect("encrypts")
    };
    let options = DecryptOptions::new().claims(options());
    let good = encrypt(NOW + 60);
    let decrypted = jwt_decrypt_async::<JsonObject>(&good, &key, &options)
        .await
        .expect("decrypts");
    assert_eq!(decrypted.registered().sub.as_deref(), Some("ada"));
    let tenants = key_fn({
        let key = key.clone();
        move |header: JweHeader| {
            let key = key.clone();
            async move {
                tokio::task::yield_now().await;
                match header.kid.as_deref() {
                    Some("kek-1") => Ok(key),
                    _ => Err(Error::JwksNoMatchingKey),
                }
            }
        }
    });
    jwt_decrypt_async::<JsonObject>(&good, &tenants, &options)
        .await
        .expect("decrypts with a looked-up key");

    let expired = encrypt(NOW - 60);
    for (token, decryption_key, code) in [
        (&good, &wrong, "ERR_JWE_DECRYPTION_FAILED"),
        (&expired, &key, "ERR_JWT_EXPIRED"),
    ] {
        let sync = jwt_decrypt::<JsonObject>(token, decryption_key, &options).expect_err(code);
        let unsync = jwt_decrypt_async::<JsonObject>(token, decryption_key, &options)
            .await
            .expect_err(code);
        assert_eq!(sync.code(), code, "{sync:?}");
        assert_eq!(format!("{sync:?}"), format!("{unsync:?}"));
    }
}

#[test]
fn async_verification_and_decryption_futures_are_send() {
    fn send<F: std::future::Future + Send>(_: F) {}
    let key = Key::from_secret([1u8; 32]).expect("secret");
    let source: Arc<dyn AsyncKeySource> = Arc::new(key.clone());
    let options = VerifyOptions::new();
    send(jwt_verify_async::<JsonObject>("t", source.as_ref(), &options));
    send(compact_verify_async("t", &key, &JwsVerifyOptions::new()));
    send(jwt_decrypt_async::<JsonObject>("t", &key, &DecryptOptions::new()));
    send(SignJwt::default().sign_async(&key));
    // The synchronous path is untouched: still callable with the same source.
    assert!(compact_verify("t", &key, &JwsVerifyOptions::new()).is_err());
}
