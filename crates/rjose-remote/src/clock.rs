//! Where a [`RemoteJwkSet`](crate::RemoteJwkSet) reads the time: cache age,
//! cooldown and staleness are all measured on a [`Clock`], so tests can move
//! time forward instead of sleeping.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime};

/// A monotonic time source, and the wall clock it goes with.
///
/// Cache age, cooldown and staleness are measured on [`now`](Self::now);
/// [`system_time`](Self::system_time) is read only to turn a cache age into
/// a date and back when the cache is exported or seeded
/// ([`JwksCacheEntry`](crate::JwksCacheEntry)).
///
/// ```
/// use std::time::Instant;
/// use rjose_remote::{Clock, SystemClock};
///
/// let before = Instant::now();
/// assert!(SystemClock.now() >= before);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;

    /// The current date. Default [`SystemTime::now`].
    fn system_time(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The real clock, [`Instant::now`]. The default.
///
/// ```
/// use rjose_remote::{Clock, SystemClock};
///
/// let (a, b) = (SystemClock.now(), SystemClock.now());
/// assert!(b >= a);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that only moves when told to, for tests. Clones share one time.
/// Its [`system_time`](Clock::system_time) starts at the real date and
/// moves with it.
///
/// ```
/// use std::time::Duration;
/// use rjose_remote::{Clock, ManualClock};
///
/// let clock = ManualClock::new();
/// let start = clock.now();
/// clock.clone().advance(Duration::from_secs(600));
/// assert_eq!(clock.now() - start, Duration::from_secs(600));
/// ```
#[derive(Debug, Clone)]
pub struct ManualClock {
    start: Instant,
    start_date: SystemTime,
    elapsed: Arc<Mutex<Duration>>,
}

impl ManualClock {
    /// A clock standing at the real current instant.
    pub fn new() -> Self {
        ManualClock {
            start: Instant::now(),
            start_date: SystemTime::now(),
            elapsed: Arc::new(Mutex::new(Duration::ZERO)),
        }
    }

    fn elapsed(&self) -> Duration {
        *self.elapsed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock (and every clone of it) forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut elapsed = self.elapsed.lock().unwrap_or_else(PoisonError::into_inner);
        *elapsed += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }

    fn system_time(&self) -> SystemTime {
        self.start_date + self.elapsed()
    }
}
