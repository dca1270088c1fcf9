//! Message digests, for thumbprints and `x5t`.

use aws_lc_rs::digest;

use crate::backend::Sha;

/// Returns the SHA-2 digest of `data`.
pub(crate) fn sha2(sha: Sha, data: &[u8]) -> Vec<u8> {
    let algorithm = match sha {
        Sha::Sha256 => &digest::SHA256,
        Sha::Sha384 => &digest::SHA384,
        Sha::Sha512 => &digest::SHA512,
    };
    digest::digest(algorithm, data).as_ref().to_vec()
}
