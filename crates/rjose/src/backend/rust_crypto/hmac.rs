//! HMAC-SHA2 (HS256/384/512), from `hmac` and `sha2`.

use std::sync::OnceLock;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use crate::backend::Rejected;
use crate::backend::Sha;

/// A shared secret, with the keyed HMAC state for each digest built on
/// first use and cloned per message: keying hashes the pads, which would
/// otherwise cost as much as the MAC itself on every short token.
pub(crate) struct HmacSecret {
    bytes: Zeroizing<Vec<u8>>,
    sha256: OnceLock<Hmac<Sha256>>,
    sha384: OnceLock<Hmac<Sha384>>,
    sha512: OnceLock<Hmac<Sha512>>,
}

impl HmacSecret {
    pub(crate) fn new(bytes: Zeroizing<Vec<u8>>) -> Self {
        HmacSecret {
            bytes,
            sha256: OnceLock::new(),
            sha384: OnceLock::new(),
            sha512: OnceLock::new(),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// HMAC takes keys of any length (longer ones are hashed first), so
    /// keying cannot fail; were it to, the empty tag returned would verify
    /// nothing.
    pub(crate) fn sign(&self, sha: Sha, message: &[u8]) -> Vec<u8> {
        let tag = match sha {
            Sha::Sha256 => keyed(&self.sha256, &self.bytes).map(|keyed| mac(keyed, message)),
            Sha::Sha384 => keyed(&self.sha384, &self.bytes).map(|keyed| mac(keyed, message)),
            Sha::Sha512 => keyed(&self.sha512, &self.bytes).map(|keyed| mac(keyed, message)),
        };
        tag.unwrap_or_default()
    }

    /// Constant-time comparison of the full tag (the `hmac` crate's
    /// `verify_slice`, built on `subtle`); truncated tags are refused.
    pub(crate) fn verify(&self, sha: Sha, message: &[u8], tag: &[u8]) -> Result<(), Rejected> {
        match sha {
            Sha::Sha256 => check(keyed(&self.sha256, &self.bytes).ok_or(Rejected)?, message, tag),
            Sha::Sha384 => check(keyed(&self.sha384, &self.bytes).ok_or(Rejected)?, message, tag),
            Sha::Sha512 => check(keyed(&self.sha512, &self.bytes).ok_or(Rejected)?, message, tag),
        }
    }
}

/// A fresh copy of the keyed state, built once.
fn keyed<M: Mac + KeyInit + Clone>(slot: &OnceLock<M>, key: &[u8]) -> Option<M> {
    if let Some(ready) = slot.get() {
        return Some(ready.clone());
    }
    let fresh = <M as KeyInit>::new_from_slice(key).ok()?;
    Some(slot.get_or_init(|| fresh).clone())
}

fn mac<M: Mac>(mut mac: M, message: &[u8]) -> Vec<u8> {
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn check<M: Mac>(mut mac: M, message: &[u8], tag: &[u8]) -> Result<(), Rejected> {
    mac.update(message);
    mac.verify_slice(tag).map_err(|_| Rejected)
}
