//! The sign-in throttle: after too many failed sign-ins for one email
//! within a window, sign-in for that email is refused until enough of them
//! have left the window, the right password included. Counted in the
//! database, so every instance sees the same attempts; keyed by email
//! whether or not it has an account, so the throttle tells nothing about
//! which emails exist.
//!
//! An attempt is recorded *before* its password is checked, then forgotten
//! if the password was right: parallel guesses each see the others, so
//! sending them at once does not get more guesses through than sending
//! them one by one. The price of a per-email throttle: anyone can lock an
//! email out for a window by failing on purpose; the window bounds that.

use crate::password::{RandomError, random_id};
use crate::store::{Store, StoreError};

/// Why the throttle could not decide.
#[derive(Debug, thiserror::Error)]
pub enum ThrottleError {
    /// The attempts could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No id for the attempt.
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// The limits; cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct SignInThrottle {
    /// Failures allowed within `window`; 0 turns the throttle off.
    max_failures: i64,
    /// Seconds.
    window: i64,
}

/// What the throttle says of one sign-in attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Go on and check the password.
    Allowed,
    /// Refused without checking; try again in this many seconds.
    Refused {
        /// Seconds until the attempt would be allowed.
        retry_after: i64,
    },
}

impl SignInThrottle {
    /// `max_failures` failed sign-ins per email within `window` seconds.
    pub fn new(max_failures: i64, window: i64) -> SignInThrottle {
        SignInThrottle { max_failures, window }
    }

    /// Records an attempt for `email` and says whether it may go on. An
    /// allowed attempt counts as a failure until [`succeeded`](Self::succeeded)
    /// forgets it; a refused one is not counted.
    pub async fn attempt(&self, store: &Store, email: &str, now: i64) -> Result<Attempt, ThrottleError> {
        if self.max_failures == 0 {
            return Ok(Attempt::Allowed);
        }
        let id = random_id()?;
        let since = now.saturating_sub(self.window);
        store.record_sign_in_attempt(&id, email, now, since).await?;
        let attempts = store.sign_in_attempts(email, since).await?;
        let earlier: Vec<i64> = attempts
            .iter()
            .filter(|(other, _)| *other != id)
            .map(|(_, at)| *at)
            .collect();
        let allowed = usize::try_from(self.max_failures).unwrap_or(usize::MAX);
        if earlier.len() < allowed {
            return Ok(Attempt::Allowed);
        }
        store.delete_sign_in_attempt(&id).await?;
        // The count falls under the limit once the oldest
        // `earlier.len() - allowed + 1` attempts have left the window.
        let leaving = earlier[earlier.len() - allowed];
        let retry_after = leaving.saturating_add(self.window).saturating_sub(now).max(1);
        Ok(Attempt::Refused { retry_after })
    }

    /// Forgets the attempts of `email`: it signed in, or reset its
    /// password.
    pub async fn succeeded(&self, store: &Store, email: &str) -> Result<(), StoreError> {
        store.clear_sign_in_failures(email).await
    }
}
