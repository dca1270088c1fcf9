//! What the fuzz targets share: the fixed keys (so that fuzzed tokens can
//! get past the signature or decryption and reach the claims, headers and
//! plaintext handling behind it), the options that open every code path,
//! and the verdict comparison of the differential oracles.

#![forbid(unsafe_code)]

use std::fmt::Debug;
use std::sync::OnceLock;

use rjose::jwe::{DEFAULT_MAX_DECOMPRESSED_SIZE, JweAlg, JweDecryptOptions, JweEnc};
use rjose::jws::JwsVerifyOptions;
use rjose::{Alg, Key, LocalJwkSet};

/// The signing keys of RFC 7515 appendix A and RFC 7520 sections 3 and 4,
/// so that the published vectors in the seed corpus verify.
pub fn signature_keys() -> &'static LocalJwkSet {
    static KEYS: OnceLock<LocalJwkSet> = OnceLock::new();
    KEYS.get_or_init(|| key_set(include_str!("../keys/sig.jwks")))
}

/// The decryption keys of RFC 7520 section 5 and RFC 7516 appendix A
/// (the PBES2 password of RFC 7520 5.3 among them).
pub fn decryption_keys() -> &'static LocalJwkSet {
    static KEYS: OnceLock<LocalJwkSet> = OnceLock::new();
    KEYS.get_or_init(|| key_set(include_str!("../keys/enc.jwks")))
}

fn key_set(json: &str) -> LocalJwkSet {
    match LocalJwkSet::from_json(json) {
        // Several vectors share a kid: try each matching key.
        Ok(set) => set.try_all_matching(true),
        Err(e) => panic!("a committed key set does not load: {e}"),
    }
}

/// A fixed HS256 secret, for targets that sign fuzz-chosen content.
pub fn hs256_key() -> Key {
    Key::from_secret(b"fuzzing secret, thirty-two bytes+").expect("a non-empty secret")
}

/// Any algorithm the key can serve, every critical extension refused.
pub fn jws_options() -> JwsVerifyOptions {
    JwsVerifyOptions::new()
}

/// Every key management algorithm (PBES2 and RSA1_5 need naming), a PBES2
/// count low enough to keep the executions fast, and decompression on.
pub fn jwe_options() -> JweDecryptOptions {
    JweDecryptOptions::new()
        .key_management_algorithms(JweAlg::ALL.iter().copied())
        .max_pbes2_count(1_000)
        .allow_decompression(DEFAULT_MAX_DECOMPRESSED_SIZE)
}

/// The verdict of a verification or decryption: what it produced, or the
/// stable error code.
pub fn verdict<T, U: PartialEq + Debug>(
    result: &rjose::Result<T>,
    output: impl Fn(&T) -> U,
) -> Result<U, &'static str> {
    match result {
        Ok(value) => Ok(output(value)),
        Err(e) => Err(e.code()),
    }
}

/// Panics unless two serializations of one message got one verdict.
pub fn assert_same_verdict<U: PartialEq + Debug>(what: &str, a: Result<U, &'static str>, b: Result<U, &'static str>) {
    assert_eq!(a, b, "{what}: the two serializations disagree");
}

/// Panics unless both accepted with the same output, or both refused (with
/// whatever code: a general serialization reports "no signature verified"
/// where a flattened one reports the one signature's failure).
pub fn assert_same_acceptance<U: PartialEq + Debug>(
    what: &str,
    a: Result<U, &'static str>,
    b: Result<U, &'static str>,
) {
    match (&a, &b) {
        (Ok(x), Ok(y)) => assert_eq!(x, y, "{what}: both accept, with different output"),
        (Err(_), Err(_)) => {}
        _ => panic!("{what}: one accepts, the other refuses: {a:?} vs {b:?}"),
    }
}

/// Every (algorithm, key) pair the fixed signing keys can sign with.
pub fn signers() -> &'static [(Alg, Key)] {
    static PAIRS: OnceLock<Vec<(Alg, Key)>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut pairs = vec![(Alg::HS256, hs256_key())];
        for key in signature_keys()
            .keys()
            .iter()
            .filter(|k| k.is_private() || k.is_symmetric())
        {
            pairs.extend(key.algorithms().into_iter().map(|alg| (alg, key.clone())));
        }
        pairs
    })
}

/// Every (key management, content encryption, key) triple the fixed
/// decryption keys can encrypt to (RSA1_5 is decryption only).
pub fn recipients() -> &'static [(JweAlg, JweEnc, Key)] {
    static TRIPLES: OnceLock<Vec<(JweAlg, JweEnc, Key)>> = OnceLock::new();
    TRIPLES.get_or_init(|| {
        let mut triples = Vec::new();
        for key in decryption_keys().keys() {
            for &alg in JweAlg::ALL.iter().filter(|&&alg| alg != JweAlg::RSA1_5) {
                for &enc in JweEnc::ALL {
                    if key.supports_jwe(alg, enc) {
                        triples.push((alg, enc, key.clone()));
                    }
                }
            }
        }
        triples
    })
}
