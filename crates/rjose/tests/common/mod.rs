//! Helpers shared by the integration tests (each test file is its own crate
//! and uses only some of them). Included with `mod common;`.

#![allow(dead_code)]

pub mod vectors;

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rjose::jwe::JweAlg;
use rjose::{Alg, Key, KeyPair, KeyPairOptions, generate_key_pair};

// ------------------------------------------------------------ base64url

/// Unpadded base64url.
pub fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url (test inputs only: panics on bad input).
pub fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).expect("base64url")
}

// ------------------------------------------------------------ keys

/// The same key without its JWK `alg`, so that one key can serve several
/// algorithms of its family.
pub fn unbound(key: &Key) -> Key {
    let mut jwk = key.to_jwk().expect("export");
    jwk.alg = None;
    Key::from_jwk(&jwk).expect("import")
}

/// Both halves of `pair`, [`unbound`].
pub fn unbound_pair(pair: KeyPair) -> KeyPair {
    KeyPair {
        private_key: unbound(&pair.private_key),
        public_key: unbound(&pair.public_key),
    }
}

/// The key pair in `slot`, generated for `alg` on first use (generation is
/// slow in debug builds, so each is made once per test binary).
pub fn pair(slot: &'static OnceLock<KeyPair>, alg: Alg) -> &'static KeyPair {
    slot.get_or_init(|| generate_key_pair(alg, KeyPairOptions::default()).expect("key pair"))
}

/// An RS256 key pair, once per test binary.
pub fn rsa() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    pair(&SLOT, Alg::RS256)
}

/// An ES256 key pair, once per test binary.
pub fn ec() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    pair(&SLOT, Alg::ES256)
}

/// An EdDSA key pair, once per test binary.
pub fn ed() -> &'static KeyPair {
    static SLOT: OnceLock<KeyPair> = OnceLock::new();
    pair(&SLOT, Alg::EdDSA)
}

// ------------------------------------------------------------ JWE algorithms

pub fn is_ecdh(alg: JweAlg) -> bool {
    matches!(
        alg,
        JweAlg::ECDH_ES | JweAlg::ECDH_ES_A128KW | JweAlg::ECDH_ES_A192KW | JweAlg::ECDH_ES_A256KW
    )
}

pub fn is_pbes2(alg: JweAlg) -> bool {
    matches!(
        alg,
        JweAlg::PBES2_HS256_A128KW | JweAlg::PBES2_HS384_A192KW | JweAlg::PBES2_HS512_A256KW
    )
}

// ------------------------------------------------------------ providers

/// Whether the crypto provider under test decrypts RSA-wrapped JWEs
/// (RSA-OAEP*, RSA1_5). aws-lc-rs does; the pure-Rust `rust-crypto`
/// provider refuses (RUSTSEC-2023-0071), and with both features on,
/// aws-lc-rs is the one used.
pub const RSA_DECRYPTS: bool = cfg!(feature = "aws-lc-rs");

/// The RSA key-management algorithms, whose decryption a provider may refuse.
pub fn is_rsa(alg: JweAlg) -> bool {
    matches!(
        alg,
        JweAlg::RSA_OAEP | JweAlg::RSA_OAEP_256 | JweAlg::RSA_OAEP_384 | JweAlg::RSA_OAEP_512 | JweAlg::RSA1_5
    )
}

/// Asserts the pure-Rust provider's refusal of an RSA decryption: the
/// stable `ERR_JOSE_NOT_SUPPORTED` code and a message naming the advisory.
pub fn assert_rsa_decryption_refused<T: std::fmt::Debug>(result: Result<T, rjose::Error>) {
    match result {
        Err(rjose::Error::NotSupported(message)) => {
            assert!(message.contains("RUSTSEC-2023-0071"), "{message}");
        }
        other => panic!("expected the rust-crypto provider's RSA decryption refusal, got {other:?}"),
    }
}

/// The same refusal through `general_decrypt`, which reports any failure of
/// every recipient as `JweDecryptionFailed` (so that recipients cannot be
/// told apart); the refusal itself is pinned by the compact and flattened
/// paths.
pub fn assert_rsa_decryption_refused_in_general<T: std::fmt::Debug>(result: Result<T, rjose::Error>) {
    assert!(
        matches!(result, Err(rjose::Error::JweDecryptionFailed)),
        "expected JweDecryptionFailed from general_decrypt, got {result:?}"
    );
}
