//! Randomness from the backend's CSPRNG.

use crate::backend::Rejected;

/// Fills `out` with cryptographically secure random bytes.
pub(crate) fn fill(out: &mut [u8]) -> Result<(), Rejected> {
    aws_lc_rs::rand::fill(out).map_err(Rejected::from)
}
