//! The sign-in throttle: after too many failed sign-ins for one email
//! within a window, sign-in for that email is refused until the window has
//! passed, the right password included. Counted in the database, so every
//! instance sees the same attempts; keyed by email whether or not it has an
//! account, so the throttle tells nothing about which emails exist.

use crate::store::{Store, StoreError};

/// The limits; cheap to copy.
#[derive(Debug, Clone, Copy)]
pub struct SignInThrottle {
    /// Failures allowed within `window`; 0 turns the throttle off.
    max_failures: i64,
    /// Seconds.
    window: i64,
}

impl SignInThrottle {
    /// `max_failures` failed sign-ins per email within `window` seconds.
    pub fn new(max_failures: i64, window: i64) -> SignInThrottle {
        SignInThrottle { max_failures, window }
    }

    /// `Some(seconds)` to wait when `email` may not try now.
    pub async fn retry_after(&self, store: &Store, email: &str, now: i64) -> Result<Option<i64>, StoreError> {
        if self.max_failures == 0 {
            return Ok(None);
        }
        let (failures, oldest) = store.sign_in_failures(email, now.saturating_sub(self.window)).await?;
        if failures < self.max_failures {
            return Ok(None);
        }
        // The oldest failure in the window leaves it first; waiting that
        // long brings the count under the limit again.
        let wait = oldest.map_or(self.window, |oldest| {
            oldest.saturating_add(self.window).saturating_sub(now)
        });
        Ok(Some(wait.max(1)))
    }

    /// Counts a failed sign-in for `email`.
    pub async fn failed(&self, store: &Store, email: &str, now: i64) -> Result<(), StoreError> {
        if self.max_failures == 0 {
            return Ok(());
        }
        store
            .record_sign_in_failure(email, now, now.saturating_sub(self.window))
            .await
    }

    /// Forgets the failures of `email`: it signed in, or reset its password.
    pub async fn succeeded(&self, store: &Store, email: &str) -> Result<(), StoreError> {
        store.clear_sign_in_failures(email).await
    }
}
