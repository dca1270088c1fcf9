//! The signing keys: one HS256 secret, or a rotating set of ES256 keys
//! whose public halves are published as a JWK Set.
//!
//! Rotation (ES256 only): a new key pair becomes the current signing key
//! under a new `kid` (its RFC 7638 thumbprint). The previous key is
//! retired, not dropped:
//!
//! - it stays **published** (in `/.well-known/jwks.json`, and accepted for
//!   access tokens) until every access token it signed has expired: the
//!   access token lifetime plus a margin for clock skew and JWKS caches;
//! - it stays **usable internally** (to verify this service's own refresh
//!   and one-time tokens) for the refresh token lifetime, so a rotation
//!   does not sign everybody out. Those tokens are only ever verified by
//!   this service, so they need no publication.

use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use jose::jws::JwsHeader;
use jose::{Alg, Digest, Key, KeyPairOptions, LocalJwkSet, generate_key_pair};

use crate::config::SigningConfig;

/// The current Unix time in seconds.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Why a key operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The configured key cannot be used.
    #[error("signing key: {0}")]
    Unusable(String),
    /// jose refused an operation.
    #[error(transparent)]
    Jose(#[from] jose::Error),
    /// Rotation was asked of an HS256 service.
    #[error("key rotation needs an asymmetric key (JWT_PRIVATE_KEY_FILE); this service signs with HS256")]
    NotRotatable,
}

#[derive(Clone)]
struct Retired {
    public: Key,
    /// Unix time after which the key leaves the JWKS.
    published_until: i64,
    /// Unix time after which the service stops using it at all.
    usable_until: i64,
}

struct State {
    /// The signing key, carrying its `kid` (ES256) or none (HS256).
    current: Key,
    /// The current key's public half (ES256), or the secret again (HS256).
    current_verify: Key,
    retired: Vec<Retired>,
}

/// The service's keys; cheap to clone and shared by every request.
#[derive(Clone)]
pub struct KeyStore {
    alg: Alg,
    state: Arc<RwLock<State>>,
    /// Seconds a retired key stays published (access TTL + margin).
    publish_for: i64,
    /// Seconds a retired key stays usable internally (refresh TTL).
    use_for: i64,
}

impl KeyStore {
    /// Builds the store from the configured key. `publish_for` is how long a
    /// retired key stays in the JWKS, `use_for` how long the service itself
    /// keeps verifying its refresh and one-time tokens with it.
    pub fn new(signing: &SigningConfig, publish_for: i64, use_for: i64) -> Result<KeyStore, KeyError> {
        let (alg, current, current_verify) = match signing {
            SigningConfig::Hs256 { secret } => {
                let key = Key::from_secret(secret);
                (Alg::HS256, key.clone(), key)
            }
            SigningConfig::Es256 { private_key_pem } => {
                let key = Key::from_pem(private_key_pem)?;
                if !key.is_private() || !key.supports(Alg::ES256) {
                    return Err(KeyError::Unusable(
                        "not an ES256 (P-256) private key; expected PKCS#8 or SEC1 PEM".into(),
                    ));
                }
                let (private, public) = with_thumbprint_kid(key)?;
                (Alg::ES256, private, public)
            }
        };
        Ok(KeyStore {
            alg,
            state: Arc::new(RwLock::new(State {
                current,
                current_verify,
                retired: Vec::new(),
            })),
            publish_for,
            use_for,
        })
    }

    /// The signing algorithm: HS256 or ES256.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The key to sign with now.
    pub fn signing_key(&self) -> Key {
        self.read().current.clone()
    }

    /// The `kid` of the current key (ES256), `None` for HS256.
    pub fn current_kid(&self) -> Option<String> {
        self.read().current.kid().map(str::to_owned)
    }

    /// Picks the key for an **access token**: the current key, or a
    /// retired key that is still published. This is exactly the set a
    /// third party would see in the JWKS.
    pub fn resolve_published(&self, header: &JwsHeader) -> jose::Result<Key> {
        self.resolve(header, |r, now| r.published_until > now)
    }

    /// Picks the key for this service's own refresh and one-time tokens:
    /// the current key or any retired key still within its internal use.
    pub fn resolve_internal(&self, header: &JwsHeader) -> jose::Result<Key> {
        self.resolve(header, |r, now| r.usable_until > now)
    }

    fn resolve(&self, header: &JwsHeader, keep: impl Fn(&Retired, i64) -> bool) -> jose::Result<Key> {
        let state = self.read();
        if self.alg == Alg::HS256 {
            return Ok(state.current_verify.clone());
        }
        // ES256 tokens from this service always carry a kid; one without
        // cannot be matched to a key and is refused.
        let kid = header.kid.as_deref().ok_or(jose::Error::JwksNoMatchingKey)?;
        if state.current_verify.kid() == Some(kid) {
            return Ok(state.current_verify.clone());
        }
        let now = now();
        state
            .retired
            .iter()
            .find(|r| r.public.kid() == Some(kid) && keep(r, now))
            .map(|r| r.public.clone())
            .ok_or(jose::Error::JwksNoMatchingKey)
    }

    /// Makes a fresh ES256 key the signing key and retires the current
    /// one. Returns the new `kid`.
    pub fn rotate(&self) -> Result<String, KeyError> {
        if self.alg != Alg::ES256 {
            return Err(KeyError::NotRotatable);
        }
        let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
        let (private, public) = with_thumbprint_kid(pair.private_key)?;
        let kid = private.kid().unwrap_or_default().to_owned();
        let now = now();
        let mut state = self.write();
        let old = std::mem::replace(&mut state.current_verify, public);
        state.current = private;
        state.retired.push(Retired {
            public: old,
            published_until: now.saturating_add(self.publish_for),
            usable_until: now.saturating_add(self.use_for.max(self.publish_for)),
        });
        state.retired.retain(|r| r.usable_until > now);
        Ok(kid)
    }

    /// The public JWK Set (`{"keys": [...]}`): the current key first, then
    /// retired keys still published. `None` for HS256, which has no
    /// public key.
    pub fn jwks(&self) -> Result<Option<serde_json::Value>, KeyError> {
        if self.alg == Alg::HS256 {
            return Ok(None);
        }
        let now = now();
        let state = self.read();
        let keys = std::iter::once(state.current_verify.clone()).chain(
            state
                .retired
                .iter()
                .filter(|r| r.published_until > now)
                .map(|r| r.public.clone()),
        );
        let json = LocalJwkSet::new(keys).to_public_json()?;
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| KeyError::Unusable(format!("JWK Set JSON: {e}")))
    }

    // A poisoned lock only means another request panicked mid-update; the
    // key state itself is always replaced whole, so it is still valid.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Names a private key by its public key's RFC 7638 thumbprint and binds
/// both halves to ES256 and signature use.
fn with_thumbprint_kid(private: Key) -> Result<(Key, Key), KeyError> {
    let public = private.public_key()?;
    let kid = public.thumbprint(Digest::Sha256)?;
    let public = public.with_kid(&kid).with_alg(Alg::ES256).with_use("sig");
    Ok((private.with_kid(&kid).with_alg(Alg::ES256), public))
}
