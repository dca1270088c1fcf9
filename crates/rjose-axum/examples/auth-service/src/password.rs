//! Password hashing (Argon2id, PHC strings) and random identifiers.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest accepted password, in bytes: hashing is deliberately slow, and
/// unbounded input would make it a denial-of-service lever.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The system random generator failed; nothing sensible can go on.
#[derive(Debug, thiserror::Error)]
#[error("random generation failed")]
pub struct RandomError;

/// `len` random bytes from the system generator (aws-lc-rs, as rjose uses).
fn random_bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut bytes = [0u8; N];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| RandomError)?;
    Ok(bytes)
}

/// A random 128-bit identifier, base64url: user ids, session (family) ids
/// and `jti`s.
pub fn random_id() -> Result<String, RandomError> {
    Ok(URL_SAFE_NO_PAD.encode(random_bytes::<16>()?))
}

/// Why a password was refused or could not be hashed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// Too short or too long.
    #[error("passwords must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_BYTES} bytes long")]
    Policy,
    /// Salt generation failed.
    #[error(transparent)]
    Random(#[from] RandomError),
    /// Argon2 failed.
    #[error("hashing failed: {0}")]
    Hash(String),
}

/// Checks the length policy.
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::Policy);
    }
    Ok(())
}

/// Hashes with Argon2id (the crate's defaults, OWASP's recommended
/// parameters) and a fresh 16-byte salt; returns the PHC string, which
/// records algorithm, parameters and salt so they can change later.
///
/// Slow on purpose: call it from `spawn_blocking`.
pub fn hash(password: &str) -> Result<String, PasswordError> {
    check_policy(password)?;
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(|e| PasswordError::Hash(e.to_string()))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches the PHC string `phc`. A malformed stored
/// hash counts as no match.
pub fn verify(password: &str, phc: &str) -> bool {
    if password.len() > MAX_PASSWORD_BYTES {
        return false;
    }
    PasswordHash::new(phc).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A valid hash of a password nobody knows, verified against when the
/// email is unknown so that sign-in takes as long either way and does not
/// reveal which emails have accounts.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        // If hashing fails here it fails for real sign-ins too; an empty
        // string then simply never verifies.
        random_id()
            .ok()
            .and_then(|pw| hash(&format!("dummy-{pw}")).ok())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_phc_argon2id_and_verify() {
        let phc = hash("correct horse").expect("hash");
        assert!(phc.starts_with("$argon2id$"), "{phc}");
        assert!(verify("correct horse", &phc));
        assert!(!verify("wrong horse", &phc));
        assert!(!verify("correct horse", "not a phc string"));
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(matches!(hash("short"), Err(PasswordError::Policy)));
    }
}
