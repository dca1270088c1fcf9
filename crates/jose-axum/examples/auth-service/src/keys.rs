//! The signing keys: one HS256 secret, or a rotating set of ES256 keys
//! whose public halves are published as a JWK Set.
//!
//! Rotation (ES256 only): a new key pair is stored in the database, sealed
//! (a compact JWE, ECDH-ES+A256KW) to the public half of the configured key
//! (`JWT_PRIVATE_KEY_FILE`), so that every instance sharing the database,
//! and this one after a restart, signs and verifies with the same keys. Its
//! `kid` is its RFC 7638 thumbprint. It is **published first** and signs
//! only from `signs_from` on (`KEY_ACTIVATION_DELAY` later): every instance
//! reloads the keys every `KEY_RELOAD_INTERVAL`, so with a delay at least
//! that long, no instance meets a token whose key it has not loaded yet.
//!
//! The key it replaces is retired, not dropped:
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

use jose::jwe::{CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, compact_decrypt};
use jose::jws::JwsHeader;
use jose::{Alg, Digest, Key, KeyPairOptions, LocalJwkSet, generate_key_pair};
use zeroize::Zeroizing;

use crate::config::SigningConfig;
use crate::store::{Store, StoreError, StoredKey};

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
    /// The stored keys cannot be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Rotation was asked of an HS256 service.
    #[error("key rotation needs an asymmetric key (JWT_PRIVATE_KEY_FILE); this service signs with HS256")]
    NotRotatable,
}

/// A key this service signs or signed with.
#[derive(Clone)]
struct SigningKey {
    /// Bound to the algorithm, with its `kid` (none for HS256).
    private: Key,
    /// The public half (ES256), or the secret again (HS256).
    public: Key,
    /// When it was made (for the configured key: when this instance started).
    created_at: i64,
    /// When it started or starts to sign; 0 for the configured key.
    signs_from: i64,
}

impl SigningKey {
    fn kid(&self) -> Option<&str> {
        self.public.kid()
    }
}

/// Where a key is in its life, at some instant.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Published, not signing yet.
    Upcoming,
    /// The signing key.
    Current,
    /// Replaced `for_secs` seconds ago.
    Retired { for_secs: i64 },
}

/// A new key and when it starts to sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    /// The new key's `kid`.
    pub kid: String,
    /// Unix time from which it signs.
    pub signs_from: i64,
}

/// Seals stored private keys to the configured key and opens them again.
struct Seal {
    /// The configured key, unbound, so it may serve ECDH-ES.
    private: Key,
    public: Key,
    /// Its thumbprint, written in the JWE header: a stored key sealed to
    /// another configured key is recognised without trying to decrypt it.
    kid: String,
}

const SEAL_ALG: JweAlg = JweAlg::EcdhEsA256Kw;
const SEAL_ENC: JweEnc = JweEnc::A256Gcm;

impl Seal {
    fn seal(&self, private: &Key) -> Result<String, KeyError> {
        let der = private.to_pkcs8_der()?;
        let header = JweHeader::new(SEAL_ALG, SEAL_ENC).kid(&self.kid).cty("pkcs8");
        Ok(CompactEncrypt::new(&der)
            .protected_header(header)
            .encrypt(&self.public)?)
    }

    /// The stored key's private and public halves, checked against its kid.
    fn open(&self, stored: &StoredKey) -> Result<(Key, Key), KeyError> {
        let options = JweDecryptOptions::new()
            .key_management_algorithms([SEAL_ALG])
            .content_encryption_algorithms([SEAL_ENC]);
        let sealed_to = |header: &JweHeader| match header.kid.as_deref() {
            Some(kid) if kid == self.kid => Ok(self.private.clone()),
            _ => Err(jose::Error::JwksNoMatchingKey),
        };
        let der = match compact_decrypt(&stored.sealed, &sealed_to, &options) {
            Ok(opened) => Zeroizing::new(opened.plaintext),
            Err(jose::Error::JwksNoMatchingKey) => {
                return Err(KeyError::Unusable(format!(
                    "sealed to another JWT_PRIVATE_KEY_FILE than this one ({}); was the key file replaced?",
                    self.kid
                )));
            }
            Err(e) => return Err(e.into()),
        };
        let (private, public) = with_thumbprint_kid(Key::from_pkcs8_der(&der)?)?;
        if public.kid() != Some(stored.kid.as_str()) {
            return Err(KeyError::Unusable("the sealed key does not match its kid".into()));
        }
        Ok((private, public))
    }
}

struct State {
    /// Oldest first (by `signs_from`); never empty.
    keys: Vec<SigningKey>,
}

impl State {
    /// Each key with its phase at `now`.
    fn phases(&self, now: i64) -> impl Iterator<Item = (&SigningKey, Phase)> {
        let current = self.keys.iter().rposition(|k| k.signs_from <= now).unwrap_or(0);
        self.keys.iter().enumerate().map(move |(i, key)| {
            let phase = match i.cmp(&current) {
                std::cmp::Ordering::Greater => Phase::Upcoming,
                std::cmp::Ordering::Equal => Phase::Current,
                // Retired when the next key started to sign.
                std::cmp::Ordering::Less => Phase::Retired {
                    for_secs: now.saturating_sub(self.keys[i + 1].signs_from),
                },
            };
            (key, phase)
        })
    }

    fn current(&self, now: i64) -> &SigningKey {
        self.phases(now)
            .find(|(_, phase)| *phase == Phase::Current)
            .map_or(&self.keys[0], |(key, _)| key)
    }
}

/// The service's keys; cheap to clone and shared by every request.
#[derive(Clone)]
pub struct KeyStore {
    alg: Alg,
    state: Arc<RwLock<State>>,
    /// ES256 only.
    seal: Option<Arc<Seal>>,
    /// Seconds a retired key stays published (access TTL + margin).
    publish_for: i64,
    /// Seconds a retired key stays usable internally (refresh TTL).
    use_for: i64,
}

impl KeyStore {
    /// Builds the store from the configured key. `publish_for` is how long a
    /// retired key stays in the JWKS, `use_for` how long the service itself
    /// keeps verifying its refresh and one-time tokens with it. Keys made by
    /// rotation come in with [`reload`](Self::reload).
    pub fn new(signing: &SigningConfig, publish_for: i64, use_for: i64) -> Result<KeyStore, KeyError> {
        let created_at = now();
        let (alg, key, seal) = match signing {
            SigningConfig::Hs256 { secret } => {
                let secret = Key::from_secret(secret);
                let key = SigningKey {
                    private: secret.clone(),
                    public: secret,
                    created_at,
                    signs_from: 0,
                };
                (Alg::HS256, key, None)
            }
            SigningConfig::Es256 { private_key_pem } => {
                let configured = Key::from_pem(private_key_pem)?;
                if !configured.is_private() || !configured.supports(Alg::ES256) {
                    return Err(KeyError::Unusable(
                        "not an ES256 (P-256) private key; expected PKCS#8 or SEC1 PEM".into(),
                    ));
                }
                let (private, public) = with_thumbprint_kid(configured.clone())?;
                let seal = Seal {
                    public: configured.public_key()?,
                    kid: public.kid().unwrap_or_default().to_owned(),
                    private: configured,
                };
                let key = SigningKey {
                    private,
                    public,
                    created_at,
                    signs_from: 0,
                };
                (Alg::ES256, key, Some(Arc::new(seal)))
            }
        };
        Ok(KeyStore {
            alg,
            state: Arc::new(RwLock::new(State { keys: vec![key] })),
            seal,
            publish_for,
            use_for: use_for.max(publish_for),
        })
    }

    /// The signing algorithm: HS256 or ES256.
    pub fn alg(&self) -> Alg {
        self.alg
    }

    /// The key to sign with now.
    pub fn signing_key(&self) -> Key {
        self.read().current(now()).private.clone()
    }

    /// The `kid` of the current key (ES256), `None` for HS256.
    pub fn current_kid(&self) -> Option<String> {
        self.read().current(now()).kid().map(str::to_owned)
    }

    /// Picks the key for an **access token**: a key in the JWKS (current,
    /// upcoming, or retired and still published). This is exactly the set
    /// a third party would see.
    pub fn resolve_published(&self, header: &JwsHeader) -> jose::Result<Key> {
        let publish_for = self.publish_for;
        self.resolve(header, |phase| match phase {
            Phase::Retired { for_secs } => for_secs < publish_for,
            Phase::Upcoming | Phase::Current => true,
        })
    }

    /// Picks the key for this service's own refresh and one-time tokens:
    /// any key still within its internal use.
    pub fn resolve_internal(&self, header: &JwsHeader) -> jose::Result<Key> {
        let use_for = self.use_for;
        self.resolve(header, |phase| match phase {
            Phase::Retired { for_secs } => for_secs < use_for,
            Phase::Upcoming | Phase::Current => true,
        })
    }

    fn resolve(&self, header: &JwsHeader, keep: impl Fn(Phase) -> bool) -> jose::Result<Key> {
        let state = self.read();
        if self.alg == Alg::HS256 {
            return Ok(state.keys[0].public.clone());
        }
        // ES256 tokens from this service always carry a kid; one without
        // cannot be matched to a key and is refused.
        let kid = header.kid.as_deref().ok_or(jose::Error::JwksNoMatchingKey)?;
        state
            .phases(now())
            .find(|(key, phase)| key.kid() == Some(kid) && keep(*phase))
            .map(|(key, _)| key.public.clone())
            .ok_or(jose::Error::JwksNoMatchingKey)
    }

    /// Makes a fresh ES256 key, stores it (sealed) for every instance, and
    /// has it sign from `activation_delay` seconds on; until then it is
    /// only published. Returns the new `kid` and when it signs.
    pub async fn rotate(&self, store: &Store, activation_delay: i64) -> Result<Rotated, KeyError> {
        let (stored, rotated) = self.new_key(activation_delay)?;
        store.insert_signing_key(&stored, None).await?;
        self.reload(store).await?;
        Ok(rotated)
    }

    /// Timed rotation: rotates as [`rotate`](Self::rotate) does unless a key
    /// was made (by any instance) less than `interval` seconds ago. Several
    /// instances with the same timer thus rotate once, not once each.
    pub async fn rotate_if_due(
        &self,
        store: &Store,
        interval: i64,
        activation_delay: i64,
    ) -> Result<Option<Rotated>, KeyError> {
        // A tenth of the interval of slack, so that a timer firing a little
        // early does not skip a whole period.
        let since = now().saturating_sub(interval.saturating_sub(interval / 10).max(1));
        let newest = self.read().keys.iter().map(|k| k.created_at).max().unwrap_or(0);
        if newest > since {
            return Ok(None);
        }
        let (stored, rotated) = self.new_key(activation_delay)?;
        let inserted = store.insert_signing_key(&stored, Some(since)).await?;
        self.reload(store).await?;
        Ok(inserted.then_some(rotated))
    }

    fn new_key(&self, activation_delay: i64) -> Result<(StoredKey, Rotated), KeyError> {
        let seal = self.seal.as_ref().ok_or(KeyError::NotRotatable)?;
        let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
        let (private, public) = with_thumbprint_kid(pair.private_key)?;
        let kid = public.kid().unwrap_or_default().to_owned();
        let now = now();
        let stored = StoredKey {
            sealed: seal.seal(&private)?,
            kid: kid.clone(),
            created_at: now,
            signs_from: now.saturating_add(activation_delay.max(0)),
        };
        let rotated = Rotated {
            kid,
            signs_from: stored.signs_from,
        };
        Ok((stored, rotated))
    }

    /// Loads the keys stored by rotation (by this instance or another):
    /// new ones are opened and added, keys past their internal use dropped.
    /// A stored key that cannot be opened (sealed to another configured
    /// key) is skipped with a warning. Does nothing for HS256.
    pub async fn reload(&self, store: &Store) -> Result<(), KeyError> {
        let Some(seal) = &self.seal else {
            return Ok(());
        };
        let stored = store.signing_keys().await?;
        let known: Vec<String> = self
            .read()
            .keys
            .iter()
            .filter_map(|k| k.kid().map(str::to_owned))
            .collect();
        let mut opened = Vec::new();
        for row in stored.iter().filter(|row| !known.contains(&row.kid)) {
            match seal.open(row) {
                Ok((private, public)) => opened.push(SigningKey {
                    private,
                    public,
                    created_at: row.created_at,
                    signs_from: row.signs_from,
                }),
                Err(e) => tracing::warn!(kid = %row.kid, error = %e, "stored signing key skipped"),
            }
        }
        let now = now();
        let mut state = self.write();
        state.keys.extend(opened);
        state
            .keys
            .sort_by(|a, b| (a.signs_from, a.kid()).cmp(&(b.signs_from, b.kid())));
        // Retired keys come first and the oldest has been retired longest,
        // so the ones past their internal use are a prefix.
        let use_for = self.use_for;
        let spent = state
            .phases(now)
            .take_while(|(_, phase)| matches!(phase, Phase::Retired { for_secs } if *for_secs >= use_for))
            .count();
        state.keys.drain(..spent);
        Ok(())
    }

    /// The public JWK Set (`{"keys": [...]}`): the current key first, then
    /// upcoming keys, then retired keys still published. `None` for HS256,
    /// which has no public key.
    pub fn jwks(&self) -> Result<Option<serde_json::Value>, KeyError> {
        if self.alg == Alg::HS256 {
            return Ok(None);
        }
        let state = self.read();
        let now = now();
        let mut published: Vec<(u8, i64, Key)> = state
            .phases(now)
            .filter_map(|(key, phase)| {
                let rank = match phase {
                    Phase::Current => 0,
                    Phase::Upcoming => 1,
                    Phase::Retired { for_secs } if for_secs < self.publish_for => 2,
                    Phase::Retired { .. } => return None,
                };
                Some((rank, key.signs_from, key.public.clone()))
            })
            .collect();
        // Newest first within a rank.
        published.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let json = LocalJwkSet::new(published.into_iter().map(|(_, _, key)| key)).to_public_json()?;
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
