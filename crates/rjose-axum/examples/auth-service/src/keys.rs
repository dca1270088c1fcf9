//! The signing keys: one HS256 secret, or a rotating set of ES256 keys
//! whose public halves are published as a JWK Set.
//!
//! Rotation (ES256 only): a new key pair is stored in the database, sealed
//! (a compact JWE, `dir` + A256GCM, under a key derived with HKDF from the
//! configured private key, `JWT_PRIVATE_KEY_FILE`), so that every instance
//! sharing the database, and this one after a restart, signs and verifies
//! with the same keys. The seal also authenticates the row: only a holder of
//! the configured key can add a key that instances will sign with, and its
//! `kid`, `created_at` and `signs_from` are bound to it. Its `kid` is its
//! RFC 7638 thumbprint. It is **published first** and signs only from
//! `signs_from` on (`KEY_ACTIVATION_DELAY` later): every instance reloads the
//! keys every `KEY_RELOAD_INTERVAL`, and third parties cache the JWKS, so
//! with a delay longer than both, nobody meets a token whose key they have
//! not seen.
//!
//! The key it replaces is retired, not dropped:
//!
//! - it stays **published** (in `/.well-known/jwks.json`, and accepted for
//!   access tokens) until every access token it signed has expired: the
//!   access token lifetime plus a margin for clock skew and JWKS caches;
//! - it stays **usable internally** (to verify this service's own refresh
//!   and one-time tokens) for the refresh token lifetime, so a rotation
//!   does not sign everybody out. Those tokens are only ever verified by
//!   this service, so they need no publication. After that its row is
//!   deleted.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use rjose::jwe::{CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, compact_decrypt};
use rjose::jws::JwsHeader;
use rjose::{Alg, Digest, Key, KeyPairOptions, LocalJwkSet, generate_key_pair};
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
    /// rjose refused an operation.
    #[error(transparent)]
    Jose(#[from] rjose::Error),
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
    /// When it started or starts to sign; 0 for the configured key.
    signs_from: i64,
}

impl SigningKey {
    fn kid(&self) -> Option<&str> {
        self.public.kid()
    }
}

/// Where a key is in its life, at some instant.
#[derive(Clone, Copy)]
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

/// Seals stored private keys under a key derived from the configured key,
/// and opens them again.
struct Seal {
    /// HKDF-SHA256 of the configured private key (PKCS#8), for `dir`.
    key: Key,
}

const SEAL_ENC: JweEnc = JweEnc::A256GCM;
/// Names this use of the configured key, so the derived key serves only it.
const SEAL_INFO: &[u8] = b"rjose-auth-service: signing keys at rest";

impl Seal {
    fn derive(configured: &Key) -> Result<Seal, KeyError> {
        let ikm = configured.to_pkcs8_der()?;
        Ok(Seal {
            key: derive_secret(&ikm, SEAL_INFO)?,
        })
    }

    /// The row for `private`: its PKCS#8 encrypted, with `kid`,
    /// `created_at` and `signs_from` in the protected header, which the
    /// encryption authenticates.
    fn seal(&self, private: &Key, kid: &str, created_at: i64, signs_from: i64) -> Result<StoredKey, KeyError> {
        let der = private.to_pkcs8_der()?;
        let header = JweHeader::new(JweAlg::Dir, SEAL_ENC)
            .kid(kid)
            .cty("pkcs8")
            .insert("created_at", created_at)?
            .insert("signs_from", signs_from)?;
        let sealed = CompactEncrypt::new(&der).protected_header(header).encrypt(&self.key)?;
        Ok(StoredKey {
            kid: kid.to_owned(),
            sealed,
            created_at,
            signs_from,
        })
    }

    /// The stored key's private and public halves, once the seal and the
    /// row's columns agree.
    fn open(&self, stored: &StoredKey) -> Result<(Key, Key), KeyError> {
        let options = JweDecryptOptions::new()
            .key_management_algorithms([JweAlg::Dir])
            .content_encryption_algorithms([SEAL_ENC]);
        let opened = compact_decrypt(&stored.sealed, &self.key, &options).map_err(|_| {
            KeyError::Unusable(
                "cannot be opened with this JWT_PRIVATE_KEY_FILE: the key file was replaced, or the row was not \
                 written by this service"
                    .into(),
            )
        })?;
        let der = Zeroizing::new(opened.plaintext);
        let header = opened.protected_header.unwrap_or_default();
        let sealed_number = |name: &str| header.other.get(name).and_then(serde_json::Value::as_i64);
        if header.kid.as_deref() != Some(stored.kid.as_str())
            || sealed_number("created_at") != Some(stored.created_at)
            || sealed_number("signs_from") != Some(stored.signs_from)
        {
            return Err(KeyError::Unusable(
                "the row's columns differ from what was sealed".into(),
            ));
        }
        let (private, public) = with_thumbprint_kid(Key::from_pkcs8_der(&der)?)?;
        if public.kid() != Some(stored.kid.as_str()) {
            return Err(KeyError::Unusable("the sealed key does not match its kid".into()));
        }
        Ok((private, public))
    }
}

/// A 256-bit secret for one use (`info`), derived with HKDF-SHA256 from
/// the configured key material.
fn derive_secret(ikm: &[u8], info: &[u8]) -> Result<Key, KeyError> {
    let mut derived = Zeroizing::new([0u8; 32]);
    Salt::new(HKDF_SHA256, &[])
        .extract(ikm)
        .expand(&[info], HKDF_SHA256)
        .and_then(|okm| okm.fill(derived.as_mut()))
        .map_err(|_| KeyError::Unusable("cannot derive a key from the configured key".into()))?;
    Ok(Key::from_secret(derived.as_ref())?)
}

/// Names the DPoP nonce use of the configured key.
const NONCE_INFO: &[u8] = b"rjose-auth-service: DPoP nonces";

/// The secret that seals DPoP server nonces, derived from the configured
/// key (`JWT_SECRET` or `JWT_PRIVATE_KEY_FILE`): instances configured
/// alike accept each other's nonces, with no shared state and no extra
/// variable.
pub fn nonce_secret(signing: &SigningConfig) -> Result<Key, KeyError> {
    let ikm = match signing {
        SigningConfig::Hs256 { secret } => Zeroizing::new(secret.clone()),
        SigningConfig::Es256 { private_key_pem } => Key::from_pem(private_key_pem)?.to_pkcs8_der()?,
    };
    derive_secret(&ikm, NONCE_INFO)
}

struct State {
    /// Oldest first (by `signs_from`); never empty.
    keys: Vec<SigningKey>,
}

impl State {
    /// The index of the signing key at `now`: the newest that has started.
    fn current_index(&self, now: i64) -> usize {
        self.keys.iter().rposition(|k| k.signs_from <= now).unwrap_or(0)
    }

    /// Each key with its phase at `now`.
    fn phases(&self, now: i64) -> impl Iterator<Item = (&SigningKey, Phase)> {
        let current = self.current_index(now);
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
        &self.keys[self.current_index(now)]
    }
}

/// The service's keys; cheap to clone and shared by every request.
#[derive(Clone)]
pub struct KeyStore {
    alg: Alg,
    state: Arc<RwLock<State>>,
    /// ES256 only.
    seal: Option<Arc<Seal>>,
    /// Stored keys already reported as unusable: warned about once, not at
    /// every reload.
    unusable: Arc<Mutex<HashSet<String>>>,
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
        let (alg, key, seal) = match signing {
            SigningConfig::Hs256 { secret } => {
                let secret = Key::from_secret(secret)?;
                let key = SigningKey {
                    private: secret.clone(),
                    public: secret,
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
                let seal = Seal::derive(&configured)?;
                let (private, public) = with_thumbprint_kid(configured)?;
                let key = SigningKey {
                    private,
                    public,
                    signs_from: 0,
                };
                (Alg::ES256, key, Some(Arc::new(seal)))
            }
        };
        Ok(KeyStore {
            alg,
            state: Arc::new(RwLock::new(State { keys: vec![key] })),
            seal,
            unusable: Arc::default(),
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

    /// What tokens are signed with now: the current key, as an
    /// [`rjose::Signer`] (its `alg`, and its `kid` for the header). Callers
    /// see only the trait, so a key held by an HSM or a KMS would replace
    /// it here alone.
    pub fn signer(&self) -> impl rjose::Signer + Send + Sync + use<> {
        self.signing_key()
    }

    /// The `kid` of the current key (ES256), `None` for HS256.
    pub fn current_kid(&self) -> Option<String> {
        self.read().current(now()).kid().map(str::to_owned)
    }

    /// Picks the key for an **access token**: a key in the JWKS (current,
    /// upcoming, or retired and still published). This is exactly the set
    /// a third party would see.
    pub fn resolve_published(&self, header: &JwsHeader) -> rjose::Result<Key> {
        let publish_for = self.publish_for;
        self.resolve(header, |phase| match phase {
            Phase::Retired { for_secs } => for_secs < publish_for,
            Phase::Upcoming | Phase::Current => true,
        })
    }

    /// Picks the key for this service's own refresh and one-time tokens:
    /// any key still within its internal use.
    pub fn resolve_internal(&self, header: &JwsHeader) -> rjose::Result<Key> {
        let use_for = self.use_for;
        self.resolve(header, |phase| match phase {
            Phase::Retired { for_secs } => for_secs < use_for,
            Phase::Upcoming | Phase::Current => true,
        })
    }

    fn resolve(&self, header: &JwsHeader, keep: impl Fn(Phase) -> bool) -> rjose::Result<Key> {
        let state = self.read();
        if self.alg == Alg::HS256 {
            return Ok(state.keys[0].public.clone());
        }
        // ES256 tokens from this service always carry a kid; one without
        // cannot be matched to a key and is refused.
        let kid = header.kid.as_deref().ok_or(rjose::Error::JwksNoMatchingKey)?;
        state
            .phases(now())
            .find(|(key, phase)| key.kid() == Some(kid) && keep(*phase))
            .map(|(key, _)| key.public.clone())
            .ok_or(rjose::Error::JwksNoMatchingKey)
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

    /// Timed rotation: rotates as [`rotate`](Self::rotate) does when no key
    /// was made, by any instance, within the last `interval` seconds. The
    /// database decides (the newest stored key, or for the configured key
    /// the time the first instance started with this database), so restarts
    /// do not postpone rotation and instances with the same timer rotate
    /// once between them.
    pub async fn rotate_if_due(
        &self,
        store: &Store,
        interval: i64,
        activation_delay: i64,
    ) -> Result<Option<Rotated>, KeyError> {
        let (stored, rotated) = self.new_key(activation_delay)?;
        let due_before = stored.created_at.saturating_sub(interval);
        let inserted = store.insert_signing_key(&stored, Some(due_before)).await?;
        if inserted {
            self.reload(store).await?;
        }
        Ok(inserted.then_some(rotated))
    }

    fn new_key(&self, activation_delay: i64) -> Result<(StoredKey, Rotated), KeyError> {
        let seal = self.seal.as_ref().ok_or(KeyError::NotRotatable)?;
        let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
        let (private, public) = with_thumbprint_kid(pair.private_key)?;
        let kid = public.kid().unwrap_or_default().to_owned();
        let now = now();
        let stored = seal.seal(&private, &kid, now, now.saturating_add(activation_delay.max(0)))?;
        let rotated = Rotated {
            kid,
            signs_from: stored.signs_from,
        };
        Ok((stored, rotated))
    }

    /// Loads the keys stored by rotation (by this instance or another): new
    /// ones are opened and added; keys past their internal use are dropped,
    /// and their rows deleted. A stored key that cannot be opened (sealed
    /// under another configured key, or not written by this service) is
    /// skipped, with one warning. Does nothing for HS256.
    pub async fn reload(&self, store: &Store) -> Result<(), KeyError> {
        let Some(seal) = &self.seal else {
            return Ok(());
        };
        let now = now();
        let stored = store.signing_keys().await?;
        // Rows are oldest first; one is spent once its successor has been
        // signing for longer than the internal use of a retired key.
        let spent: Vec<&str> = stored
            .windows(2)
            .filter(|pair| pair[1].signs_from <= now && now.saturating_sub(pair[1].signs_from) >= self.use_for)
            .map(|pair| pair[0].kid.as_str())
            .collect();
        if !spent.is_empty() {
            store.delete_signing_keys(&spent).await?;
        }
        let known: HashSet<String> = self
            .read()
            .keys
            .iter()
            .filter_map(|k| k.kid().map(str::to_owned))
            .collect();
        let mut opened = Vec::new();
        for row in stored
            .iter()
            .filter(|row| !known.contains(&row.kid) && !spent.contains(&row.kid.as_str()))
        {
            match seal.open(row) {
                Ok((private, public)) => opened.push(SigningKey {
                    private,
                    public,
                    signs_from: row.signs_from,
                }),
                Err(e) => {
                    let first_time = self
                        .unusable
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .insert(row.kid.clone());
                    if first_time {
                        tracing::warn!(kid = %row.kid, error = %e, "stored signing key skipped");
                    }
                }
            }
        }
        let mut state = self.write();
        // Another reload (a rotation's, the timer's) may have added the
        // same keys since `known` was read: a kid listed twice would make
        // the JWKS ambiguous.
        for key in opened {
            if !state.keys.iter().any(|k| k.kid() == key.kid()) {
                state.keys.push(key);
            }
        }
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
