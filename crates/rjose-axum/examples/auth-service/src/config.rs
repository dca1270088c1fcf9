//! Configuration from environment variables.
//!
//! [`Config::from_env`] reads the process environment;
//! [`Config::from_vars`] takes any lookup function, so tests configure the
//! service without touching the (process-global) environment.

use std::net::SocketAddr;
use std::path::PathBuf;

use rjose::jwt::TimeInput;

/// The shortest HS256 secret accepted: the HMAC output length (RFC 7518
/// section 3.2 requires a key at least as long as the hash).
pub const MIN_SECRET_LEN: usize = 32;

/// How the service signs its tokens.
#[derive(Clone)]
pub enum SigningConfig {
    /// HS256 with a shared secret (`JWT_SECRET`): simplest, but every
    /// verifier holds the signing secret, and there is no JWKS to publish.
    Hs256 {
        /// The secret, at least [`MIN_SECRET_LEN`] bytes.
        secret: Vec<u8>,
    },
    /// ES256 with a PKCS#8 PEM private key (`JWT_PRIVATE_KEY_FILE`): the
    /// public keys are published at `/.well-known/jwks.json` and can rotate.
    Es256 {
        /// The PEM text of the first signing key.
        private_key_pem: String,
    },
}

impl std::fmt::Debug for SigningConfig {
    // Never print key material, not even in a debug log of the config.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SigningConfig::Hs256 { secret } => write!(f, "Hs256 {{ secret: <{} bytes> }}", secret.len()),
            SigningConfig::Es256 { .. } => f.write_str("Es256 { private_key_pem: <redacted> }"),
        }
    }
}

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Public URL of the service (`APP_URL`), the `iss` of its tokens. When
    /// `None` it is derived from the bound address (`http://127.0.0.1:PORT`),
    /// which is what tests on port 0 want.
    pub app_url: Option<String>,
    /// Address to listen on (`BIND_ADDR`, default `127.0.0.1:3000`).
    pub bind: SocketAddr,
    /// `DATABASE_URL`: `sqlite://...` (default `sqlite://auth-service.db?mode=rwc`)
    /// or `postgres://...`.
    pub database_url: String,
    /// Signing algorithm and key.
    pub signing: SigningConfig,
    /// Access token lifetime in seconds (`ACCESS_TOKEN_TTL`, default `15m`).
    pub access_token_ttl: i64,
    /// Refresh token lifetime in seconds (`REFRESH_TOKEN_TTL`, default `30d`).
    pub refresh_token_ttl: i64,
    /// Lifetime of email verification and password reset tokens in seconds
    /// (`ONE_TIME_TOKEN_TTL`, default `1h`).
    pub one_time_token_ttl: i64,
    /// How long a retired ES256 key stays in the JWKS after the access
    /// token lifetime, for clock skew and caches (`KEY_RETIRE_MARGIN`,
    /// default `1m`).
    pub key_retire_margin: i64,
    /// Rotate the ES256 signing key on this period (`KEY_ROTATION_INTERVAL`,
    /// e.g. `24h`; unset: only on `POST /api/admin/rotate-key`). Instances
    /// sharing a database rotate once per period between them.
    pub key_rotation_interval: Option<i64>,
    /// How long a new ES256 key is published before it signs
    /// (`KEY_ACTIVATION_DELAY`, default `2m`). Keep it longer than
    /// `KEY_RELOAD_INTERVAL` plus the JWKS cache lifetime (60 s), so that
    /// other instances and third-party verifiers have the key before they
    /// meet a token signed with it; the service warns at start otherwise.
    pub key_activation_delay: i64,
    /// How often the ES256 keys are reloaded from the database, to pick up
    /// rotations made by other instances (`KEY_RELOAD_INTERVAL`, default
    /// `30s`).
    pub key_reload_interval: i64,
    /// Failed sign-ins allowed per email within
    /// [`sign_in_window`](Self::sign_in_window) before sign-in for that
    /// email is refused (`429`) until the window has passed
    /// (`SIGN_IN_MAX_FAILURES`, default 5; 0 turns the throttle off).
    pub sign_in_max_failures: i64,
    /// The window of the sign-in throttle in seconds (`SIGN_IN_WINDOW`,
    /// default `15m`).
    pub sign_in_window: i64,
    /// Development mode (`AUTH_DEV_MODE=1`): the one-time tokens that would
    /// be mailed are returned in the JSON response as well as logged.
    pub dev_mode: bool,
    /// Emails that get the `admin` role on sign-up (`ADMIN_EMAILS`,
    /// comma-separated).
    pub admin_emails: Vec<String>,
    /// How long after its `iat` a DPoP proof is accepted, in seconds
    /// (`DPOP_PROOF_MAX_AGE`, default `5m`; 30 seconds of clock tolerance
    /// come on top, either way).
    pub dpop_proof_max_age: i64,
    /// Require DPoP proofs to carry a server nonce (`DPOP_NONCES=1`, default
    /// off), at the token endpoints and on the resource routes (RFC 9449
    /// section 8). Off, the `iat` window and the replay store bound how
    /// long a proof can be used; on, a proof cannot be made in advance, at
    /// the price of one more round trip per client and nonce rotation.
    pub dpop_nonces: bool,
    /// How often the DPoP nonce changes, in seconds (`DPOP_NONCE_LIFETIME`,
    /// default `5m`); a nonce is accepted for one to two lifetimes.
    pub dpop_nonce_lifetime: i64,
}

/// Why the service refuses to start.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Neither `JWT_SECRET` nor `JWT_PRIVATE_KEY_FILE` is set.
    #[error(
        "no signing key: set JWT_SECRET (HS256, at least {MIN_SECRET_LEN} bytes; e.g. `openssl rand -base64 32`) \
         or JWT_PRIVATE_KEY_FILE (ES256 PKCS#8 PEM; e.g. `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`)"
    )]
    MissingSecret,
    /// `JWT_SECRET` is too short to be an HS256 key.
    #[error("JWT_SECRET is {0} bytes; HS256 needs at least {MIN_SECRET_LEN} (e.g. `openssl rand -base64 32`)")]
    SecretTooShort(usize),
    /// Both key variables are set; the choice would be a guess.
    #[error("both JWT_SECRET and JWT_PRIVATE_KEY_FILE are set; set only one")]
    AmbiguousKey,
    /// The key file cannot be read or is not an ES256 private key.
    #[error("JWT_PRIVATE_KEY_FILE {path}: {reason}")]
    BadKeyFile {
        /// The file named.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A variable has a value that cannot be parsed.
    #[error("{name}={value:?}: {reason}")]
    Invalid {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
        /// What was expected.
        reason: String,
    },
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_vars(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `var`, which returns a variable's
    /// value or `None` when it is unset. Empty values count as unset.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| var(name).filter(|v| !v.is_empty());

        let signing = match (get("JWT_SECRET"), get("JWT_PRIVATE_KEY_FILE")) {
            (Some(_), Some(_)) => return Err(ConfigError::AmbiguousKey),
            (Some(secret), None) => SigningConfig::Hs256 {
                secret: secret.into_bytes(),
            },
            (None, Some(path)) => {
                let path = PathBuf::from(path);
                let pem = std::fs::read_to_string(&path).map_err(|e| ConfigError::BadKeyFile {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
                SigningConfig::Es256 { private_key_pem: pem }
            }
            (None, None) => return Err(ConfigError::MissingSecret),
        };

        let app_url = get("APP_URL").map(|url| url.trim_end_matches('/').to_owned());
        let bind = match get("BIND_ADDR") {
            Some(addr) => addr
                .parse()
                .map_err(|e: std::net::AddrParseError| ConfigError::Invalid {
                    name: "BIND_ADDR",
                    value: addr.clone(),
                    reason: e.to_string(),
                })?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };

        let config = Config {
            app_url,
            bind,
            database_url: get("DATABASE_URL").unwrap_or_else(|| "sqlite://auth-service.db?mode=rwc".into()),
            signing,
            access_token_ttl: span(&get, "ACCESS_TOKEN_TTL", "15m")?,
            refresh_token_ttl: span(&get, "REFRESH_TOKEN_TTL", "30d")?,
            one_time_token_ttl: span(&get, "ONE_TIME_TOKEN_TTL", "1h")?,
            key_retire_margin: span(&get, "KEY_RETIRE_MARGIN", "1m")?,
            key_rotation_interval: match get("KEY_ROTATION_INTERVAL") {
                Some(_) => Some(span(&get, "KEY_ROTATION_INTERVAL", "")?),
                None => None,
            },
            key_activation_delay: span(&get, "KEY_ACTIVATION_DELAY", "2m")?,
            key_reload_interval: span(&get, "KEY_RELOAD_INTERVAL", "30s")?,
            sign_in_max_failures: match get("SIGN_IN_MAX_FAILURES") {
                Some(value) => value.parse().map_err(|_| ConfigError::Invalid {
                    name: "SIGN_IN_MAX_FAILURES",
                    value: value.clone(),
                    reason: "must be a whole number (0: no throttle)".into(),
                })?,
                None => 5,
            },
            sign_in_window: span(&get, "SIGN_IN_WINDOW", "15m")?,
            dev_mode: matches!(get("AUTH_DEV_MODE").as_deref(), Some("1" | "true" | "yes")),
            admin_emails: get("ADMIN_EMAILS")
                .map(|list| {
                    list.split(',')
                        .map(|e| e.trim().to_ascii_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            dpop_proof_max_age: span(&get, "DPOP_PROOF_MAX_AGE", "5m")?,
            dpop_nonces: matches!(get("DPOP_NONCES").as_deref(), Some("1" | "true" | "yes")),
            dpop_nonce_lifetime: span(&get, "DPOP_NONCE_LIFETIME", "5m")?,
        };
        config.validate()?;
        Ok(config)
    }

    /// A configuration for tests and embedding: HS256 with `secret`, an
    /// in-process address on port 0, the other values at their defaults.
    /// Call [`validate`](Config::validate) (or [`serve`](crate::serve),
    /// which does) to check the secret.
    pub fn with_secret(secret: impl Into<Vec<u8>>, database_url: impl Into<String>) -> Config {
        Config {
            app_url: None,
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: database_url.into(),
            signing: SigningConfig::Hs256 { secret: secret.into() },
            access_token_ttl: 15 * 60,
            refresh_token_ttl: 30 * 24 * 3600,
            one_time_token_ttl: 3600,
            key_retire_margin: 60,
            key_rotation_interval: None,
            key_activation_delay: 120,
            key_reload_interval: 30,
            sign_in_max_failures: 5,
            sign_in_window: 15 * 60,
            dev_mode: false,
            admin_emails: Vec::new(),
            dpop_proof_max_age: 300,
            dpop_nonces: false,
            dpop_nonce_lifetime: 300,
        }
    }

    /// Checks what parsing alone cannot: the secret's length and that the
    /// lifetimes are positive.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let SigningConfig::Hs256 { secret } = &self.signing
            && secret.len() < MIN_SECRET_LEN
        {
            return Err(ConfigError::SecretTooShort(secret.len()));
        }
        for (name, value) in [
            ("ACCESS_TOKEN_TTL", self.access_token_ttl),
            ("REFRESH_TOKEN_TTL", self.refresh_token_ttl),
            ("ONE_TIME_TOKEN_TTL", self.one_time_token_ttl),
            ("KEY_RELOAD_INTERVAL", self.key_reload_interval),
            ("SIGN_IN_WINDOW", self.sign_in_window),
            ("DPOP_PROOF_MAX_AGE", self.dpop_proof_max_age),
            ("DPOP_NONCE_LIFETIME", self.dpop_nonce_lifetime),
        ] {
            if value <= 0 {
                return Err(ConfigError::Invalid {
                    name,
                    value: value.to_string(),
                    reason: "must be a positive span such as \"15m\"".into(),
                });
            }
        }
        if self.sign_in_max_failures < 0 {
            return Err(ConfigError::Invalid {
                name: "SIGN_IN_MAX_FAILURES",
                value: self.sign_in_max_failures.to_string(),
                reason: "must not be negative (0: no throttle)".into(),
            });
        }
        Ok(())
    }
}

/// Parses a span variable ("15m", "2s", "30d") with rjose's span grammar,
/// the same one `expiration_time("15m")` uses.
fn span(get: &impl Fn(&str) -> Option<String>, name: &'static str, default: &str) -> Result<i64, ConfigError> {
    let value = get(name).unwrap_or_else(|| default.to_owned());
    value
        .as_str()
        .resolve(0)
        .map_err(|e| ConfigError::Invalid {
            name,
            value: value.clone(),
            reason: e.to_string(),
        })
        .and_then(|secs| {
            if secs < 0 {
                Err(ConfigError::Invalid {
                    name,
                    value: value.clone(),
                    reason: "must not be negative".into(),
                })
            } else {
                Ok(secs)
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn spans_use_the_jose_grammar() {
        let config = Config::from_vars(vars(&[("JWT_SECRET", &"x".repeat(32)), ("ACCESS_TOKEN_TTL", "2s")]));
        let config = config.expect("valid");
        assert_eq!(config.access_token_ttl, 2);
        assert_eq!(config.refresh_token_ttl, 30 * 86400);
    }

    #[test]
    fn dpop_settings_default_to_no_nonces_and_five_minutes() {
        let config = Config::from_vars(vars(&[("JWT_SECRET", &"x".repeat(32))])).expect("valid");
        assert!(!config.dpop_nonces);
        assert_eq!((config.dpop_proof_max_age, config.dpop_nonce_lifetime), (300, 300));
        let config = Config::from_vars(vars(&[
            ("JWT_SECRET", &"x".repeat(32)),
            ("DPOP_NONCES", "1"),
            ("DPOP_PROOF_MAX_AGE", "1m"),
            ("DPOP_NONCE_LIFETIME", "2m"),
        ]))
        .expect("valid");
        assert!(config.dpop_nonces);
        assert_eq!((config.dpop_proof_max_age, config.dpop_nonce_lifetime), (60, 120));
        let err = Config::from_vars(vars(&[("JWT_SECRET", &"x".repeat(32)), ("DPOP_PROOF_MAX_AGE", "0s")]))
            .expect_err("refused");
        assert!(
            matches!(
                err,
                ConfigError::Invalid {
                    name: "DPOP_PROOF_MAX_AGE",
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn a_bad_span_is_refused_with_its_variable_name() {
        let err = Config::from_vars(vars(&[("JWT_SECRET", &"x".repeat(32)), ("ACCESS_TOKEN_TTL", "soon")]))
            .expect_err("refused");
        assert!(err.to_string().contains("ACCESS_TOKEN_TTL"), "{err}");
    }
}
