//! AES Key Wrap (RFC 3394) with the default IV, for A128KW, A192KW and
//! A256KW (RFC 7518 section 4.4) and the ECDH-ES+A*KW and PBES2 variants,
//! from RustCrypto's `aes-kw` (built with its `zeroize` feature so the
//! expanded key schedule is wiped on drop).

use aes_kw::KeyInit as _;
use zeroize::Zeroizing;

use crate::backend::Rejected;

/// RFC 3394 works on 64-bit semiblocks; the wrapped form adds one.
const SEMIBLOCK: usize = 8;
/// The smallest key RFC 3394 wraps: two semiblocks.
const MIN_KEY_LEN: usize = 2 * SEMIBLOCK;

/// Wraps `key` under `kek` (16, 24 or 32 bytes). `key` must be a multiple of
/// 8 bytes and at least 16; the result is 8 bytes longer.
pub(crate) fn aes_kw_wrap(kek: &[u8], key: &[u8]) -> Result<Vec<u8>, Rejected> {
    if key.len() < MIN_KEY_LEN || !key.len().is_multiple_of(SEMIBLOCK) {
        return Err(Rejected);
    }
    let mut out = vec![0; key.len().checked_add(SEMIBLOCK).ok_or(Rejected)?];
    let written = match kek.len() {
        16 => aes_kw::KwAes128::new_from_slice(kek)
            .map_err(|_| Rejected)?
            .wrap_key(key, &mut out)
            .map_err(|_| Rejected)?
            .len(),
        24 => aes_kw::KwAes192::new_from_slice(kek)
            .map_err(|_| Rejected)?
            .wrap_key(key, &mut out)
            .map_err(|_| Rejected)?
            .len(),
        32 => aes_kw::KwAes256::new_from_slice(kek)
            .map_err(|_| Rejected)?
            .wrap_key(key, &mut out)
            .map_err(|_| Rejected)?
            .len(),
        _ => return Err(Rejected),
    };
    // The crate always writes exactly `key.len() + 8` bytes; anything else
    // would be a crate bug, refused rather than passed on.
    if written != out.len() {
        return Err(Rejected);
    }
    Ok(out)
}

/// Unwraps `wrapped` under `kek`, checking the RFC 3394 integrity value.
/// Refuses input that is not a multiple of 8 bytes or shorter than 24.
pub(crate) fn aes_kw_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    if wrapped.len() < MIN_KEY_LEN + SEMIBLOCK || !wrapped.len().is_multiple_of(SEMIBLOCK) {
        return Err(Rejected);
    }
    let key_len = wrapped.len() - SEMIBLOCK;
    // The buffer may hold partly unwrapped material if the integrity check
    // fails; it is zeroized on drop and never returned then.
    let mut out = Zeroizing::new(vec![0; key_len]);
    let written = match kek.len() {
        16 => aes_kw::KwAes128::new_from_slice(kek)
            .map_err(|_| Rejected)?
            .unwrap_key(wrapped, &mut out)
            .map_err(|_| Rejected)?
            .len(),
        24 => aes_kw::KwAes192::new_from_slice(kek)
            .map_err(|_| Rejected)?
            .unwrap_key(wrapped, &mut out)
            .map_err(|_| Rejected)?
            .len(),
        32 => aes_kw::KwAes256::new_from_slice(kek)
            .map_err(|_| Rejected)?
            .unwrap_key(wrapped, &mut out)
            .map_err(|_| Rejected)?
            .len(),
        _ => return Err(Rejected),
    };
    if written != key_len {
        return Err(Rejected);
    }
    Ok(out)
}
