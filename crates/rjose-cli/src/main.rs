//! `rjose`: the command-line tool of the [`rjose`] library.
//!
//! Sign, verify, decode, encrypt and decrypt JWTs; sign and verify JWS and
//! encrypt and decrypt JWE in the compact and JSON serializations; generate,
//! convert and thumbprint JWKs and build JWK Sets; make and check DPoP
//! proofs. `rjose --help` lists the
//! commands, and each one's `--help` shows an example.
//!
//! Exit status: 0 on success, 1 when a token or message is refused
//! (signature, decryption or claim check failed, algorithm not allowed, no
//! matching key, malformed token), 2 when the command cannot run (bad usage,
//! unreadable or empty input, malformed key, unknown algorithm). On failure
//! the first line on stderr is `CODE: message`; see `rjose_cli::failure`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::process::ExitCode;

use rjose_cli::{cli, cmd, failure};

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(status) => return status,
    };
    match cmd::run(cli) {
        Ok(()) => {
            failure::flush_warnings();
            ExitCode::SUCCESS
        }
        Err(failure) => failure.report(),
    }
}
