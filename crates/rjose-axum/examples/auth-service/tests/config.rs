//! The service refuses to start without a usable signing key.

use std::process::Command;

use rjose_auth_service::{Config, ConfigError, StartError, serve};

fn vars(pairs: &[(&'static str, String)]) -> impl Fn(&str) -> Option<String> {
    let pairs = pairs.to_vec();
    move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| v.clone())
}

#[test]
fn config_without_a_secret_is_refused_with_a_clear_message() {
    let err = Config::from_vars(vars(&[])).expect_err("refused");
    assert!(matches!(err, ConfigError::MissingSecret));
    let message = err.to_string();
    assert!(
        message.contains("JWT_SECRET") && message.contains("JWT_PRIVATE_KEY_FILE"),
        "{message}"
    );
}

#[test]
fn config_with_a_short_secret_is_refused() {
    let err = Config::from_vars(vars(&[("JWT_SECRET", "x".repeat(31))])).expect_err("refused");
    assert!(matches!(err, ConfigError::SecretTooShort(31)), "{err}");
    assert!(err.to_string().contains("at least 32"), "{err}");
    assert!(Config::from_vars(vars(&[("JWT_SECRET", "x".repeat(32))])).is_ok());
}

#[test]
fn config_with_two_keys_or_a_bad_key_file_is_refused() {
    let both = Config::from_vars(vars(&[
        ("JWT_SECRET", "x".repeat(32)),
        ("JWT_PRIVATE_KEY_FILE", "/k.pem".into()),
    ]));
    assert!(matches!(both, Err(ConfigError::AmbiguousKey)));
    let missing = Config::from_vars(vars(&[("JWT_PRIVATE_KEY_FILE", "/nonexistent/key.pem".into())]));
    assert!(matches!(missing, Err(ConfigError::BadKeyFile { .. })));
}

#[tokio::test]
async fn serve_refuses_a_short_secret_and_a_non_es256_key() {
    let err = serve(Config::with_secret(b"too short".to_vec(), "sqlite::memory:"))
        .await
        .expect_err("refused");
    assert!(
        matches!(err, StartError::Config(ConfigError::SecretTooShort(9))),
        "{err}"
    );

    let rsa = rjose::generate_key_pair(rjose::Alg::RS256, Default::default()).expect("rsa");
    let mut config = Config::with_secret(vec![0; 32], "sqlite::memory:");
    config.signing = rjose_auth_service::SigningConfig::Es256 {
        private_key_pem: rsa.private_key.to_pkcs8_pem().expect("pem").to_string(),
    };
    let err = serve(config).await.expect_err("refused");
    assert!(matches!(err, StartError::Key(_)), "{err}");
}

#[test]
fn the_binary_exits_with_a_message_when_no_secret_is_set() {
    for secret in [None, Some("short")] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rjose-auth-service"));
        command.env_remove("JWT_SECRET").env_remove("JWT_PRIVATE_KEY_FILE");
        if let Some(secret) = secret {
            command.env("JWT_SECRET", secret);
        }
        let output = command.output().expect("run the binary");
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("refusing to start") && stderr.contains("JWT_SECRET"),
            "{stderr}"
        );
    }
}
