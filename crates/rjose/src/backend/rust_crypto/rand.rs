//! Randomness from the operating system's CSPRNG, through `getrandom`.

use crate::backend::Rejected;

/// Fills `out` with cryptographically secure random bytes.
pub(crate) fn fill(out: &mut [u8]) -> Result<(), Rejected> {
    getrandom::fill(out).map_err(|_| Rejected)
}

/// The CSPRNG handed to the RustCrypto crates that take one (RSA blinding
/// and padding, key generation). It reports failure instead of panicking.
pub(crate) fn rng() -> getrandom::SysRng {
    getrandom::SysRng
}
