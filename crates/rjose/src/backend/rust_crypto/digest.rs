//! Message digests, for thumbprints and `x5t`.

use sha2::Digest as _;

use crate::backend::Sha;

/// Returns the SHA-2 digest of `data`.
pub(crate) fn sha2(sha: Sha, data: &[u8]) -> Vec<u8> {
    match sha {
        Sha::Sha256 => sha2::Sha256::digest(data).to_vec(),
        Sha::Sha384 => sha2::Sha384::digest(data).to_vec(),
        Sha::Sha512 => sha2::Sha512::digest(data).to_vec(),
    }
}
