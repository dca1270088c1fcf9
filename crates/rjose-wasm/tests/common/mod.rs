//! Helpers shared by the wasm test files (each file is its own test binary
//! and uses only some of them). Included with `mod common;`.

#![allow(dead_code)]

use std::fmt::Debug;
use std::sync::OnceLock;

use rjose::{Alg, Error, Key, KeyPair, KeyPairOptions, generate_key_pair};

/// The fixed "now" of the tests that do not test the clock itself.
pub const NOW: i64 = 1_700_000_000;

/// What a test returns: `?` on any rjose error fails the test with it.
pub type TestResult = Result<(), Error>;

/// The same key without its JWK `alg`, so that one key can serve every
/// algorithm of its family (RS* and PS*, ECDH-ES and ECDH-ES+A*KW).
pub fn unbound(key: &Key) -> Result<Key, Error> {
    let mut jwk = key.to_jwk()?;
    jwk.alg = None;
    Key::from_jwk(&jwk)
}

/// An RSA-2048 key pair without `alg`, made once per test binary: RSA key
/// generation is the slowest step of the suite in an unoptimized build.
pub fn rsa_pair() -> Result<&'static KeyPair, Error> {
    static PAIR: OnceLock<KeyPair> = OnceLock::new();
    if let Some(pair) = PAIR.get() {
        return Ok(pair);
    }
    let pair = generate_key_pair(Alg::RS256, KeyPairOptions::default())?;
    let pair = KeyPair {
        private_key: unbound(&pair.private_key)?,
        public_key: unbound(&pair.public_key)?,
    };
    Ok(PAIR.get_or_init(|| pair))
}

/// Asserts that `result` failed with the stable error `code`; `case` names
/// the input in the failure message.
#[track_caller]
pub fn assert_code<T: Debug>(result: Result<T, Error>, code: &str, case: &str) -> Error {
    match result {
        Err(e) if e.code() == code => e,
        other => panic!("{case}: expected {code}, got {other:?}"),
    }
}

/// Asserts the pure-Rust provider's refusal of RSA decryption: the stable
/// `ERR_JOSE_NOT_SUPPORTED` code, with a message naming the advisory.
#[track_caller]
pub fn assert_rsa_decryption_refused<T: Debug>(result: Result<T, Error>, case: &str) {
    let error = assert_code(result, "ERR_JOSE_NOT_SUPPORTED", case);
    assert!(error.to_string().contains("RUSTSEC-2023-0071"), "{case}: {error}");
}

/// The token with the first character of its last segment (the JWS
/// signature, the JWE tag) replaced by another base64url character: still
/// well-formed, no longer authentic. The first character is used because
/// it never carries padding bits, so the result stays canonical base64url.
pub fn tamper_last_segment(token: &str) -> String {
    let cut = token.rfind('.').map_or(0, |dot| dot + 1);
    let (head, last) = token.split_at(cut);
    let replacement = if last.starts_with('A') { 'B' } else { 'A' };
    let rest = last.get(1..).unwrap_or_default();
    format!("{head}{replacement}{rest}")
}
