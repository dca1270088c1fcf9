//! HMAC-SHA2 (HS256/384/512).

use zeroize::Zeroizing;

use crate::backend::Rejected;
use crate::backend::Sha;

/// A shared secret. Unlike the aws-lc-rs provider, nothing is prepared
/// ahead: the `hmac` crate's keyed state is cheap to clone but not to keep
/// per digest without three generic types, and this provider favours
/// portability over the last half-microsecond.
pub(crate) struct HmacSecret {
    bytes: Zeroizing<Vec<u8>>,
}

impl HmacSecret {
    pub(crate) fn new(bytes: Zeroizing<Vec<u8>>) -> Self {
        HmacSecret { bytes }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn sign(&self, sha: Sha, message: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail;
        // an empty tag would then fail every verification, never pass one.
        match sha {
            Sha::Sha256 => mac::<hmac::Hmac<sha2::Sha256>>(&self.bytes, message),
            Sha::Sha384 => mac::<hmac::Hmac<sha2::Sha384>>(&self.bytes, message),
            Sha::Sha512 => mac::<hmac::Hmac<sha2::Sha512>>(&self.bytes, message),
        }
    }

    /// Constant-time comparison of the full tag (the `hmac` crate's
    /// `verify_slice`, built on `subtle`); truncated tags are refused.
    pub(crate) fn verify(&self, sha: Sha, message: &[u8], tag: &[u8]) -> Result<(), Rejected> {
        match sha {
            Sha::Sha256 => check::<hmac::Hmac<sha2::Sha256>>(&self.bytes, message, tag),
            Sha::Sha384 => check::<hmac::Hmac<sha2::Sha384>>(&self.bytes, message, tag),
            Sha::Sha512 => check::<hmac::Hmac<sha2::Sha512>>(&self.bytes, message, tag),
        }
    }
}

fn mac<M: hmac::Mac + hmac::KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    match <M as hmac::KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            mac.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

fn check<M: hmac::Mac + hmac::KeyInit>(key: &[u8], message: &[u8], tag: &[u8]) -> Result<(), Rejected> {
    let mut mac = <M as hmac::KeyInit>::new_from_slice(key).map_err(|_| Rejected)?;
    mac.update(message);
    mac.verify_slice(tag).map_err(|_| Rejected)
}
