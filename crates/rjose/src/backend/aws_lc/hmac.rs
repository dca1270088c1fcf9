//! HMAC-SHA2 (HS256/384/512).

use std::sync::OnceLock;

use aws_lc_rs::hmac;
use zeroize::Zeroizing;

use crate::backend::Rejected;
use crate::backend::Sha;

/// A shared secret, with one prepared HMAC key per digest built on first use:
/// building an HMAC key hashes the pads, which would otherwise cost as much
/// as the MAC itself on every short token.
pub(crate) struct HmacSecret {
    bytes: Zeroizing<Vec<u8>>,
    prepared: [OnceLock<hmac::Key>; 3],
}

impl HmacSecret {
    pub(crate) fn new(bytes: Zeroizing<Vec<u8>>) -> Self {
        HmacSecret {
            bytes,
            prepared: Default::default(),
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn prepared(&self, sha: Sha) -> &hmac::Key {
        let (slot, algorithm) = match sha {
            Sha::Sha256 => (&self.prepared[0], hmac::HMAC_SHA256),
            Sha::Sha384 => (&self.prepared[1], hmac::HMAC_SHA384),
            Sha::Sha512 => (&self.prepared[2], hmac::HMAC_SHA512),
        };
        slot.get_or_init(|| hmac::Key::new(algorithm, &self.bytes))
    }

    pub(crate) fn sign(&self, sha: Sha, message: &[u8]) -> Vec<u8> {
        hmac::sign(self.prepared(sha), message).as_ref().to_vec()
    }

    /// Constant-time comparison of the full tag; truncated tags are refused.
    pub(crate) fn verify(&self, sha: Sha, message: &[u8], tag: &[u8]) -> Result<(), Rejected> {
        hmac::verify(self.prepared(sha), message, tag).map_err(Rejected::from)
    }
}
