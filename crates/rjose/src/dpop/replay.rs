//! `jti` replay protection (RFC 9449 section 11.1): a store of the proofs
//! seen within their lifetime.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

use super::DpopFailure;
use crate::error::{Error, Result};

/// Whether a proof was new to the store.
///
/// ```
/// use rjose::dpop::{InMemoryJtiStore, JtiStatus, JtiStore};
///
/// let store = InMemoryJtiStore::default();
/// assert_eq!(store.insert_if_absent("key", 10, 0)?, JtiStatus::Fresh);
/// assert_eq!(store.insert_if_absent("key", 10, 5)?, JtiStatus::Replayed);
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JtiStatus {
    /// Not seen before; now recorded.
    Fresh,
    /// Already recorded and not yet expired: a replay.
    Replayed,
}

/// Where the proofs seen are remembered until they expire, for
/// [`VerifiedProof::check_replay`](super::VerifiedProof::check_replay).
///
/// Synchronous: an in-memory map, or a shared store reached without
/// waiting. A store that waits (a database) is called by the caller with
/// [`VerifiedProof::replay_key`](super::VerifiedProof::replay_key) and
/// [`replay_expires_at`](super::VerifiedProof::replay_expires_at) the same
/// way. Recording must be atomic with the lookup (one `INSERT` that fails
/// on a duplicate key, `SET NX`...): two requests racing with the same
/// proof must not both see it fresh.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use rjose::dpop::{JtiStatus, JtiStore};
///
/// /// Never forgets: fine for a test, not for a server.
/// #[derive(Default)]
/// struct Forever(Mutex<HashMap<String, i64>>);
///
/// impl JtiStore for Forever {
///     fn insert_if_absent(&self, key: &str, expires_at: i64, _now: i64) -> rjose::Result<JtiStatus> {
///         let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
///         if seen.contains_key(key) { return Ok(JtiStatus::Replayed) }
///         seen.insert(key.to_owned(), expires_at);
///         Ok(JtiStatus::Fresh)
///     }
/// }
/// let store = Forever::default();
/// assert_eq!(store.insert_if_absent("k", 100, 0)?, JtiStatus::Fresh);
/// assert_eq!(store.insert_if_absent("k", 100, 1)?, JtiStatus::Replayed);
/// # Ok::<(), rjose::Error>(())
/// ```
pub trait JtiStore {
    /// Records `key` until `expires_at` (Unix seconds, exclusive) unless
    /// it is already recorded and unexpired at `now`. An error refuses the
    /// proof: a store that cannot record must not let it through.
    fn insert_if_absent(&self, key: &str, expires_at: i64, now: i64) -> Result<JtiStatus>;
}

impl<S: JtiStore + ?Sized> JtiStore for Arc<S> {
    fn insert_if_absent(&self, key: &str, expires_at: i64, now: i64) -> Result<JtiStatus> {
        (**self).insert_if_absent(key, expires_at, now)
    }
}

/// The default capacity of an [`InMemoryJtiStore`].
///
/// ```
/// use rjose::dpop::{DEFAULT_JTI_CAPACITY, InMemoryJtiStore};
///
/// assert_eq!(InMemoryJtiStore::default().capacity(), DEFAULT_JTI_CAPACITY);
/// ```
pub const DEFAULT_JTI_CAPACITY: usize = 100_000;

/// A thread-safe, bounded [`JtiStore`] in memory, for one server process.
///
/// Entries expire at the time each proof stops being accepted, and are
/// dropped as the store is used (each insertion first removes the expired
/// ones, oldest first, in logarithmic time each). When the store is full
/// of unexpired entries a new proof is **refused**
/// ([`DpopFailure::ReplayCacheFull`]) rather than an old entry evicted:
/// evicting would let a replay of the evicted proof through within its
/// lifetime. Size the capacity above the proofs a server accepts in one
/// proof lifetime (`max_age + clock_tolerance`, 5 minutes 30 seconds by
/// default). The default capacity is 100,000 entries, some 15 MB when full.
///
/// Several server instances behind a load balancer need a shared store
/// (a database or a cache) instead: a proof replayed to another instance
/// is not in this one.
///
/// ```
/// use rjose::dpop::{InMemoryJtiStore, JtiStatus, JtiStore};
///
/// let store = InMemoryJtiStore::new(2);
/// assert_eq!(store.insert_if_absent("a", 100, 0)?, JtiStatus::Fresh);
/// assert_eq!(store.insert_if_absent("a", 100, 50)?, JtiStatus::Replayed);
/// assert_eq!(store.insert_if_absent("a", 100, 100)?, JtiStatus::Fresh); // expired, then recorded again
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug)]
pub struct InMemoryJtiStore {
    capacity: usize,
    entries: Mutex<Entries>,
}

#[derive(Debug, Default)]
struct Entries {
    by_key: HashMap<Arc<str>, i64>,
    by_expiry: BTreeSet<(i64, Arc<str>)>,
}

impl Entries {
    fn purge(&mut self, now: i64) {
        while let Some(first) = self.by_expiry.first() {
            if first.0 > now {
                break;
            }
            if let Some((_, key)) = self.by_expiry.pop_first() {
                self.by_key.remove(&key);
            }
        }
    }
}

impl InMemoryJtiStore {
    /// A store of at most `capacity` live entries.
    pub fn new(capacity: usize) -> Self {
        InMemoryJtiStore {
            capacity,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// The most live entries the store holds.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The entries held, expired ones not yet dropped included.
    pub fn len(&self) -> usize {
        self.lock().by_key.len()
    }

    /// True if no entry is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // Every change leaves both maps consistent before it can panic,
        // so a poisoned lock still guards usable data.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for InMemoryJtiStore {
    /// A store of [`DEFAULT_JTI_CAPACITY`] entries.
    fn default() -> Self {
        InMemoryJtiStore::new(DEFAULT_JTI_CAPACITY)
    }
}

impl JtiStore for InMemoryJtiStore {
    fn insert_if_absent(&self, key: &str, expires_at: i64, now: i64) -> Result<JtiStatus> {
        let mut entries = self.lock();
        entries.purge(now);
        if entries.by_key.contains_key(key) {
            return Ok(JtiStatus::Replayed);
        }
        if expires_at <= now {
            // Already past its lifetime: a replay would be refused as too
            // old, so there is nothing to remember.
            return Ok(JtiStatus::Fresh);
        }
        if entries.by_key.len() >= self.capacity {
            return Err(Error::dpop(
                DpopFailure::ReplayCacheFull,
                format!(
                    "the replay store holds {} unexpired proofs, its capacity",
                    self.capacity
                ),
            ));
        }
        let key: Arc<str> = Arc::from(key);
        entries.by_key.insert(Arc::clone(&key), expires_at);
        entries.by_expiry.insert((expires_at, key));
        Ok(JtiStatus::Fresh)
    }
}
