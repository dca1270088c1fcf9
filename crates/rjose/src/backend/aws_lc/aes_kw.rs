//! AES Key Wrap (RFC 3394) with the default IV, for A128KW, A192KW and
//! A256KW (RFC 7518 section 4.4) and the ECDH-ES+A*KW and PBES2 variants.
//!
//! AES-128 and AES-256 come from aws-lc-rs. Its key wrap API offers no
//! 192-bit KEK (`aws_lc_rs::key_wrap` exports only `AES_128` and `AES_256`),
//! yet A192KW is a registered JOSE algorithm, so AES-192 alone goes through
//! RustCrypto's `aes-kw` crate: a pure-Rust, `forbid(unsafe_code)`
//! implementation of the same RFC 3394 algorithm, built with its `zeroize`
//! feature so the expanded key schedule is wiped on drop. Should aws-lc-rs
//! gain a 192-bit wrap, that branch should move to it.

use aes_kw::KeyInit as _;
use aws_lc_rs::key_wrap::{AES_128, AES_256, AesKek, KeyWrap as _};
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
    match kek.len() {
        16 | 32 => {
            let cipher = if kek.len() == 16 { &AES_128 } else { &AES_256 };
            let written = AesKek::new(cipher, kek)?.wrap(key, &mut out)?.len();
            out.truncate(written);
        }
        24 => {
            let kw = aes_kw::KwAes192::new_from_slice(kek).map_err(|_| Rejected)?;
            let written = kw.wrap_key(key, &mut out).map_err(|_| Rejected)?.len();
            out.truncate(written);
        }
        _ => return Err(Rejected),
    }
    // Both backends always write exactly `key.len() + 8` bytes; anything else
    // would be a backend bug, refused rather than passed on.
    if out.len() != key.len() + SEMIBLOCK {
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
        16 | 32 => {
            let cipher = if kek.len() == 16 { &AES_128 } else { &AES_256 };
            AesKek::new(cipher, kek)?.unwrap(wrapped, &mut out)?.len()
        }
        24 => {
            let kw = aes_kw::KwAes192::new_from_slice(kek).map_err(|_| Rejected)?;
            kw.unwrap_key(wrapped, &mut out).map_err(|_| Rejected)?.len()
        }
        _ => return Err(Rejected),
    };
    if written != key_len {
        return Err(Rejected);
    }
    Ok(out)
}
