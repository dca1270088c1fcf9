//! What a failed command reports: a stable code, a message with context,
//! and the exit status.
//!
//! The boundary between the two failure statuses:
//!
//! - **1**: the token or message was read, the keys were loaded and fit the
//!   command, and then the token was refused: a bad signature, a failed
//!   decryption, a failed claim check, an algorithm not allowed, no key of
//!   the set matching it, or a malformed token (truncated, not base64url,
//!   not UTF-8).
//! - **2**: the command could not be carried out: bad arguments, an
//!   unreadable or empty input, a malformed key file, an unknown algorithm,
//!   a key that cannot serve the command, a JWK Set that cannot be fetched,
//!   or a failure while signing, encrypting or generating.

use std::fmt::Display;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Mutex;

use rjose::Error;

/// Exit status of a token or message that was refused.
pub const EXIT_REFUSED: u8 = 1;
/// Exit status of bad usage or unreadable input.
pub const EXIT_USAGE: u8 = 2;

/// Code of a usage error that no library error describes (bad or
/// conflicting arguments, empty input).
pub const ERR_USAGE: &str = "ERR_CLI_USAGE";
/// Code of an input that cannot be read or an output that cannot be written.
pub const ERR_IO: &str = "ERR_CLI_IO";

/// A failed command.
#[derive(Debug)]
pub struct Failure {
    code: &'static str,
    message: String,
    exit: u8,
}

impl Failure {
    /// A failure with an explicit code and status.
    pub fn new(code: &'static str, message: impl Into<String>, exit: u8) -> Self {
        Failure {
            code,
            message: message.into(),
            exit,
        }
    }

    /// Bad or conflicting arguments, or an empty input.
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(ERR_USAGE, message, EXIT_USAGE)
    }

    /// An input that cannot be read, or an output that cannot be written.
    pub fn io(context: impl Display, error: &std::io::Error) -> Self {
        Failure::new(ERR_IO, format!("{context}: {error}"), EXIT_USAGE)
    }

    /// Something named on the command line (an algorithm, a curve) that the
    /// library does not implement. The code is taken from the library's
    /// error so that both report the same one.
    pub fn not_supported(message: impl Into<String>) -> Self {
        Failure::new(Error::NotSupported(String::new()).code(), message, EXIT_USAGE)
    }

    /// A key that cannot serve the command (a secret where a public part is
    /// wanted, a public key to decrypt...), under the library's code for it.
    pub fn key_use(message: impl Into<String>) -> Self {
        Failure::new(Error::InvalidKeyUse(String::new()).code(), message, EXIT_USAGE)
    }

    /// A failure nothing more specific describes, under the library's
    /// generic code.
    pub fn generic(message: impl Into<String>) -> Self {
        Failure::new(Error::Crypto("").code(), message, EXIT_USAGE)
    }

    /// A library error while preparing the command (loading a key, parsing
    /// an argument) or producing output (signing, encrypting, generating):
    /// always status 2.
    pub fn setup(context: impl Display, error: Error) -> Self {
        Failure::new(error.code(), format!("{context}: {error}"), EXIT_USAGE)
    }

    /// A library error while checking a token or message: status 1, except
    /// for a JWK Set that could not be fetched or read, which is unreadable
    /// input (2).
    pub fn refused(error: Error) -> Self {
        let exit = match error {
            Error::JwksTimeout(_) | Error::JwksFetch { .. } | Error::JwksInvalid(_) => EXIT_USAGE,
            _ => EXIT_REFUSED,
        };
        Failure::new(error.code(), error.to_string(), exit)
    }

    /// Adds a hint after the message.
    pub fn hint(mut self, hint: impl Display) -> Self {
        self.message = format!("{}; {hint}", self.message);
        self
    }

    /// The stable code, e.g. `ERR_JWT_EXPIRED`.
    #[cfg(test)]
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Writes `CODE: message` as the first line on stderr, then any
    /// warnings, and returns the exit status.
    pub fn report(&self) -> ExitCode {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{}: {}", self.code, self.message);
        drop(stderr);
        flush_warnings();
        ExitCode::from(self.exit)
    }
}

static WARNINGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Queues a note for stderr. Notes are written after the command's
/// outcome, so that on failure the first line on stderr stays the error.
pub fn warn(message: impl Into<String>) {
    if let Ok(mut queue) = WARNINGS.lock() {
        queue.push(message.into());
    }
}

/// Writes the queued notes to stderr, each prefixed with `rjose: `.
pub fn flush_warnings() {
    let notes = match WARNINGS.lock() {
        Ok(mut queue) => std::mem::take(&mut *queue),
        Err(_) => return,
    };
    let mut stderr = std::io::stderr().lock();
    for note in notes {
        let _ = writeln!(stderr, "rjose: {note}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_tokens_exit_one_and_unfetchable_sets_exit_two() {
        assert_eq!(
            Failure::refused(Error::JwsSignatureVerificationFailed).exit,
            EXIT_REFUSED
        );
        assert_eq!(Failure::refused(Error::JwtInvalid("x".into())).exit, EXIT_REFUSED);
        assert_eq!(Failure::refused(Error::JwksNoMatchingKey).exit, EXIT_REFUSED);
        assert_eq!(Failure::refused(Error::JwksTimeout("x".into())).exit, EXIT_USAGE);
        let fetch = Error::JwksFetch {
            status: Some(500),
            cause: "x".into(),
        };
        assert_eq!(Failure::refused(fetch).exit, EXIT_USAGE);
    }

    #[test]
    fn library_codes_are_the_library_errors_own() {
        for (failure, code) in [
            (Failure::not_supported("x"), "ERR_JOSE_NOT_SUPPORTED"),
            (Failure::key_use("x"), "ERR_JOSE_INVALID_KEY_USE"),
            (Failure::generic("x"), "ERR_JOSE_GENERIC"),
        ] {
            assert_eq!(failure.code(), code);
            assert_eq!(failure.message, "x");
            assert_eq!(failure.exit, EXIT_USAGE);
        }
    }

    #[test]
    fn setup_errors_keep_the_library_code_and_add_context() {
        let failure = Failure::setup("key file \"k.pem\"", Error::JwkInvalid("bad".into()));
        assert_eq!(failure.code(), "ERR_JWK_INVALID");
        assert_eq!(failure.message, "key file \"k.pem\": invalid key: bad");
        assert_eq!(failure.exit, EXIT_USAGE);
    }
}
