//! Wycheproof's JOSE vectors, every case run through the public API.
//!
//! The four `testvectors_v1/json_web_*.json` files of C2SP/wycheproof are
//! in `tests/vectors/wycheproof/` (source, commit and license in
//! `tests/vectors/MANIFEST.md`). Each case is run as a user would run it:
//!
//! - a JWS (`json_web_signature`, `json_web_key`, `json_web_crypto`) is
//!   verified with the group's public key (the secret for HMAC), imported
//!   with [`Key::from_jwk_json`], or with its JWK Set, imported with
//!   [`LocalJwkSet::from_json`]; a string is a compact JWS
//!   ([`compact_verify`]), an object a JSON serialization
//!   ([`general_verify`] or [`flattened_verify`]); default options;
//! - a JWE (`json_web_encryption`, `json_web_crypto`) is decrypted with the
//!   group's private key, the same way, with default options, except that
//!   RSA1_5 is named in the allow-list when the key's own `alg` is RSA1_5
//!   (the library tries RSA1_5 only when named); a valid case must give
//!   back the expected plaintext and `enc`.
//!
//! Every case gets a verdict (accepted, or refused with an error code),
//! compared with its label. A key the library refuses to import refuses
//! every case of its group, with the import error's code. The cases whose
//! label contradicts an RFC or the library's documented behaviour are
//! listed in [`DEVIATIONS`] (and, for the pure-Rust provider, which refuses
//! RSA decryption, [`RUST_CRYPTO_DEVIATIONS`]) with our verdict and the
//! reason; the test fails
//! when a case disagrees without being listed, and when a listed case no
//! longer gives the listed verdict, so the table stays honest. Wycheproof's
//! `acceptable` label (none in these files today) records what we do.
//! `cargo test -p rjose --test wycheproof -- --nocapture` prints the summary.

mod common;

use std::collections::BTreeMap;
use std::fmt;

use rjose::jwe::{
    FlattenedJwe, GeneralJwe, JweAlg, JweDecryptOptions, compact_decrypt, flattened_decrypt, general_decrypt,
};
use rjose::jws::{FlattenedJws, GeneralJws, JwsVerifyOptions, compact_verify, flattened_verify, general_verify};
use rjose::{Error, Key, LocalJwkSet};
use serde::Deserialize;
use serde_json::{Map, Value};

use Label::{Invalid, Valid};
use Verdict::Refused;
use common::RSA_DECRYPTS;
use common::vectors::{TestResult, hex, read};

/// The vector files, in `tests/vectors/wycheproof/`.
const FILES: [&str; 4] = [
    "json_web_crypto_test.json",
    "json_web_encryption_test.json",
    "json_web_key_test.json",
    "json_web_signature_test.json",
];

// ---------------------------------------------------------------------------
// The documented deviations
// ---------------------------------------------------------------------------

/// A case where our verdict is not the label's.
struct Deviation {
    file: &'static str,
    tc_id: u32,
    label: Label,
    ours: Verdict,
    reason: &'static str,
}

const fn deviation(file: &'static str, tc_id: u32, label: Label, ours: Verdict, reason: &'static str) -> Deviation {
    Deviation {
        file,
        tc_id,
        label,
        ours,
        reason,
    }
}

const CRYPTO: &str = "json_web_crypto_test.json";
const ENCRYPTION: &str = "json_web_encryption_test.json";
const KEY: &str = "json_web_key_test.json";
const SIGNATURE: &str = "json_web_signature_test.json";

const JSON_SERIALIZATION: &str = "a JSON-serialized message with a valid signature or tag and an extra unprotected \
     member: RFC 7515 and RFC 7516 section 7.2 define the JSON serialization and the README lists it as supported; \
     the unprotected member is returned apart from the protected header, never merged into it";
const MIXED_SET: &str = "RFC 7517 section 5 puts no rule on the kinds of keys in one set; in the verifier's own set \
     (LocalJwkSet::allow_symmetric) the token's kid and alg select the oct key alone (an EC key never serves HS256), and to_public_json never publishes oct keys";
const KEY_ALG: &str = "the JWK's alg (RFC 7517 section 4.4) restricts the key to that algorithm, as the README \
     documents and Wycheproof's own doc/json_web_crypto.md asks: a PS256 key does not verify PS384";
const UNREGISTERED_ALG: &str = "the JWK's alg is \"ES521\", which RFC 7518 does not register (P-521 is ES512); \
     a JWK bound to an algorithm this library does not know is refused when imported (Key::alg is typed)";
const SAME_AS_357: &str = "the JWS is byte for byte tcId 357, labelled valid (the padding the name speaks of is \
     not in the file): no verdict can agree with both";
const BAD_CHARACTER: &str = "a '?' inside a base64url segment: RFC 7515 section 2 allows only the base64url \
     alphabet and the README documents strict decoding";

const ACCEPTED: Verdict = Verdict::Accepted;
const NOT_SUPPORTED: Verdict = Verdict::Refused("ERR_JOSE_NOT_SUPPORTED");

const RUST_CRYPTO_RSA: &str = "the pure-Rust `rust-crypto` provider refuses RSA decryption (RSA-OAEP*, RSA1_5): \
     the `rsa` crate is still listed under RUSTSEC-2023-0071 (Marvin timing attack) with no patched version; \
     its invalid RSA cases are refused too, which agrees with their label";

/// The deviations of the pure-Rust provider alone, added to [`DEVIATIONS`]
/// when it is the provider under test (aws-lc-rs decrypts these).
const RUST_CRYPTO_DEVIATIONS: &[Deviation] = &[
    deviation(ENCRYPTION, 82, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 83, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 84, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 85, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 86, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 87, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 88, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 89, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 90, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 91, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 92, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 93, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 100, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 101, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 102, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 103, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 104, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 105, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 112, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 121, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 128, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
    deviation(ENCRYPTION, 129, Valid, NOT_SUPPORTED, RUST_CRYPTO_RSA),
];

/// Every case whose verdict is not its label: (file, tcId, label, our
/// verdict, reason): each label contradicts an RFC or the library's
/// documented behaviour. A defect is fixed, not listed.
const DEVIATIONS: &[Deviation] = &[
    deviation(CRYPTO, 17, Invalid, ACCEPTED, JSON_SERIALIZATION),
    deviation(CRYPTO, 47, Invalid, ACCEPTED, MIXED_SET),
    deviation(CRYPTO, 66, Invalid, ACCEPTED, JSON_SERIALIZATION),
    deviation(
        ENCRYPTION,
        135,
        Valid,
        Refused("ERR_JOSE_NOT_SUPPORTED"),
        "zip: DEF is refused unless JweDecryptOptions::allow_decompression is set (README, safe by default: \
         decompression is a resource hazard); with it the case decrypts to its plaintext \
         (compressed_case_decrypts_when_decompression_is_allowed)",
    ),
    deviation(KEY, 1, Invalid, ACCEPTED, MIXED_SET),
    deviation(
        KEY,
        4,
        Invalid,
        ACCEPTED,
        "the second key's k ends in a non-canonical base64url character, so LocalJwkSet skips it as unusable \
         (documented) and one key remains; two usable keys with one kid are refused with \
         ERR_JWKS_MULTIPLE_MATCHING_KEYS (duplicate_kid_is_refused_when_both_keys_are_usable)",
    ),
    deviation(SIGNATURE, 346, Valid, Refused("ERR_JOSE_ALG_NOT_ALLOWED"), KEY_ALG),
    deviation(
        SIGNATURE,
        347,
        Valid,
        Refused("ERR_JOSE_NOT_SUPPORTED"),
        UNREGISTERED_ALG,
    ),
    deviation(SIGNATURE, 350, Valid, Refused("ERR_JOSE_ALG_NOT_ALLOWED"), KEY_ALG),
    deviation(
        SIGNATURE,
        351,
        Valid,
        Refused("ERR_JOSE_NOT_SUPPORTED"),
        UNREGISTERED_ALG,
    ),
    deviation(SIGNATURE, 367, Invalid, ACCEPTED, SAME_AS_357),
    deviation(SIGNATURE, 370, Invalid, ACCEPTED, SAME_AS_357),
    deviation(SIGNATURE, 372, Valid, Refused("ERR_JWS_INVALID"), BAD_CHARACTER),
    deviation(
        SIGNATURE,
        373,
        Valid,
        Refused("ERR_JWS_SIGNATURE_VERIFICATION_FAILED"),
        BAD_CHARACTER,
    ),
];

// ---------------------------------------------------------------------------
// The schema (schemas/json_web_*_schema_v1.json upstream)
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct VectorFile {
    schema: String,
    number_of_tests: usize,
    #[serde(rename = "header")]
    _header: Vec<String>,
    #[serde(rename = "notes")]
    _notes: Value,
    test_groups: Vec<TestGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestGroup {
    #[serde(rename = "type")]
    _kind: String,
    #[serde(rename = "source")]
    _source: Value,
    #[serde(default)]
    comment: String,
    private: Option<KeyMaterial>,
    public: Option<KeyMaterial>,
    tests: Vec<TestCase>,
}

/// A group's key: one JWK, or a JWK Set (`json_web_key`, and two groups
/// of `json_web_crypto`). Kept as JSON text for the library to import.
#[derive(Deserialize)]
#[serde(untagged)]
enum KeyMaterial {
    Set(JwkSetDocument),
    Jwk(Map<String, Value>),
}

#[derive(Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct JwkSetDocument {
    keys: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TestCase {
    tc_id: u32,
    comment: String,
    jws: Option<Serialized>,
    jwe: Option<Serialized>,
    /// Expected plaintext, hex.
    pt: Option<String>,
    /// Expected content encryption algorithm.
    enc: Option<String>,
    result: Label,
    flags: Vec<String>,
}

/// A JWS or JWE: a string is the compact serialization, an object a JSON
/// serialization (RFC 7515 and RFC 7516 section 7.2).
#[derive(Deserialize)]
#[serde(untagged)]
enum Serialized {
    Compact(String),
    Json(Map<String, Value>),
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
enum Label {
    Valid,
    Invalid,
    Acceptable,
}

// ---------------------------------------------------------------------------
// Verdicts
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accepted,
    /// Decrypted, but not to the expected plaintext or `enc`.
    AcceptedWrongly,
    Refused(&'static str),
}

impl Verdict {
    fn of<T>(result: Result<T, Error>) -> (Verdict, Option<T>) {
        match result {
            Ok(value) => (Verdict::Accepted, Some(value)),
            Err(e) => (Verdict::Refused(e.code()), None),
        }
    }

    fn agrees_with(self, label: Label) -> bool {
        matches!(
            (self, label),
            (_, Label::Acceptable) | (Verdict::Accepted, Label::Valid) | (Verdict::Refused(_), Label::Invalid)
        )
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Accepted => f.write_str("accepted"),
            Verdict::AcceptedWrongly => f.write_str("accepted with the wrong plaintext"),
            Verdict::Refused(code) => write!(f, "refused ({code})"),
        }
    }
}

/// What a group's key turned into when imported.
enum Keys {
    One(Key),
    Set(LocalJwkSet),
    /// The import failed: every case of the group is refused with this.
    Refused(&'static str),
}

impl Keys {
    fn import(material: Option<&KeyMaterial>) -> TestResult<Keys> {
        let imported = match material.ok_or("group without a key")? {
            KeyMaterial::Jwk(jwk) => Key::from_jwk_json(&Value::Object(jwk.clone()).to_string()).map(Keys::One),
            // The verifier's own set, secrets included: it opts in to them,
            // as a caller holding its own HMAC keys in a set does.
            KeyMaterial::Set(set) => {
                LocalJwkSet::from_json(&serde_json::to_string(set)?).map(|set| Keys::Set(set.allow_symmetric(true)))
            }
        };
        Ok(imported.unwrap_or_else(|e| Keys::Refused(e.code())))
    }
}

fn verify(jws: &Serialized, keys: &Keys) -> TestResult<Verdict> {
    let options = JwsVerifyOptions::new();
    let result = match keys {
        Keys::Refused(code) => return Ok(Verdict::Refused(code)),
        Keys::One(key) => verify_with(jws, key, &options),
        Keys::Set(set) => verify_with(jws, set, &options),
    };
    Ok(Verdict::of(result).0)
}

fn verify_with<K: rjose::KeySource + ?Sized>(
    jws: &Serialized,
    keys: &K,
    options: &JwsVerifyOptions,
) -> rjose::Result<()> {
    match jws {
        Serialized::Compact(token) => compact_verify(token, keys, options).map(drop),
        Serialized::Json(json) if json.contains_key("signatures") => general_verify(
            &GeneralJws::from_json(&Value::Object(json.clone()).to_string())?,
            keys,
            options,
        )
        .map(drop),
        Serialized::Json(json) => flattened_verify(
            &FlattenedJws::from_json(&Value::Object(json.clone()).to_string())?,
            keys,
            options,
        )
        .map(drop),
    }
}

fn decrypt(case: &TestCase, jwe: &Serialized, keys: &Keys) -> TestResult<Verdict> {
    let key = match keys {
        Keys::Refused(code) => return Ok(Verdict::Refused(code)),
        Keys::Set(_) => return Err("a JWE group with a JWK Set: not in the schema".into()),
        Keys::One(key) => key,
    };
    let mut options = JweDecryptOptions::new();
    if key.alg() == Some(rjose::Algorithm::Jwe(JweAlg::RSA1_5)) {
        options = options.key_management_algorithms([JweAlg::RSA1_5]);
    }
    let result = match jwe {
        Serialized::Compact(token) => compact_decrypt(token, key, &options),
        Serialized::Json(json) => {
            let text = Value::Object(json.clone()).to_string();
            if json.contains_key("recipients") {
                GeneralJwe::from_json(&text).and_then(|jwe| general_decrypt(&jwe, key, &options))
            } else {
                FlattenedJwe::from_json(&text).and_then(|jwe| flattened_decrypt(&jwe, key, &options))
            }
        }
    };
    let (verdict, decrypted) = Verdict::of(result);
    let Some(decrypted) = decrypted else {
        return Ok(verdict);
    };
    let plaintext_ok = match &case.pt {
        Some(pt) => decrypted.plaintext == hex(pt)?,
        None => true,
    };
    let enc = decrypted
        .protected_header
        .as_ref()
        .map(|h| h.enc.map(|enc| enc.to_string()));
    let enc_ok = match &case.enc {
        Some(expected) => enc.flatten().as_deref() == Some(expected.as_str()),
        None => true,
    };
    Ok(if plaintext_ok && enc_ok {
        Verdict::Accepted
    } else {
        Verdict::AcceptedWrongly
    })
}

/// Runs one case.
fn run(case: &TestCase, group: &TestGroup, verifier: &Keys, decrypter: &Keys) -> TestResult<Verdict> {
    match (&case.jws, &case.jwe) {
        (Some(jws), None) => verify(jws, verifier),
        (None, Some(jwe)) => decrypt(case, jwe, decrypter),
        _ => Err(format!(
            "group {:?} tcId {}: not exactly one of jws and jwe",
            group.comment, case.tc_id
        )
        .into()),
    }
}

fn load(file: &str) -> TestResult<VectorFile> {
    serde_json::from_str(&read(&format!("wycheproof/{file}"))?)
        .map_err(|e| format!("{file}: does not follow the schema: {e}").into())
}

/// The group holding case `tc_id` of `file`, and the case.
fn find(vectors: &VectorFile, tc_id: u32) -> TestResult<(&TestGroup, &TestCase)> {
    vectors
        .test_groups
        .iter()
        .find_map(|group| {
            group
                .tests
                .iter()
                .find(|case| case.tc_id == tc_id)
                .map(|case| (group, case))
        })
        .ok_or_else(|| format!("no tcId {tc_id}").into())
}

// ---------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------

#[derive(Default)]
struct Tally {
    cases: usize,
    agree: usize,
    documented: usize,
    acceptable: BTreeMap<String, usize>,
}

#[test]
fn every_wycheproof_case_agrees_with_its_label_or_is_a_documented_deviation() -> TestResult {
    let mut failures = Vec::new();
    let mut seen = Vec::new();
    let mut tallies = BTreeMap::new();
    let provider_deviations = if RSA_DECRYPTS { &[][..] } else { RUST_CRYPTO_DEVIATIONS };
    let deviations: Vec<&Deviation> = DEVIATIONS.iter().chain(provider_deviations).collect();

    for file in FILES {
        let vectors = load(file)?;
        assert!(
            vectors.schema.starts_with("json_web_"),
            "{file}: unexpected schema {}",
            vectors.schema
        );
        let tally: &mut Tally = tallies.entry(file).or_default();
        for group in &vectors.test_groups {
            // Verification needs only the public key; HMAC has only the secret.
            let verifier = Keys::import(group.public.as_ref().or(group.private.as_ref()))?;
            let decrypter = Keys::import(group.private.as_ref())?;
            for case in &group.tests {
                tally.cases += 1;
                let ours = run(case, group, &verifier, &decrypter)?;
                let listed = deviations.iter().find(|d| d.file == file && d.tc_id == case.tc_id);
                if let Some(listed) = listed {
                    seen.push((file, case.tc_id));
                    if listed.label != case.result || listed.ours != ours || ours.agrees_with(case.result) {
                        failures.push(format!(
                            "{file} tcId {} ({}): listed as {:?} / {}, now {:?} / {ours}: update DEVIATIONS",
                            case.tc_id, case.comment, listed.label, listed.ours, case.result
                        ));
                    } else {
                        tally.documented += 1;
                    }
                } else if case.result == Label::Acceptable {
                    tally.agree += 1;
                    *tally.acceptable.entry(ours.to_string()).or_default() += 1;
                } else if ours.agrees_with(case.result) {
                    tally.agree += 1;
                } else {
                    failures.push(format!(
                        "{file} tcId {} ({}, group {:?}, flags {:?}): labelled {:?}, {ours}",
                        case.tc_id, case.comment, group.comment, case.flags, case.result
                    ));
                }
            }
        }
        assert_eq!(
            tally.cases, vectors.number_of_tests,
            "{file}: numberOfTests disagrees with the cases read"
        );
    }

    for listed in &deviations {
        if !seen.contains(&(listed.file, listed.tc_id)) {
            failures.push(format!(
                "DEVIATIONS lists {} tcId {}, which no file has",
                listed.file, listed.tc_id
            ));
        }
    }

    println!("Wycheproof JOSE vectors (tests/vectors/wycheproof):");
    println!("{:<32} {:>6} {:>6} {:>11}", "file", "cases", "agree", "documented");
    for (file, tally) in &tallies {
        println!(
            "{file:<32} {:>6} {:>6} {:>11}",
            tally.cases, tally.agree, tally.documented
        );
        for (verdict, count) in &tally.acceptable {
            println!("    acceptable, {verdict}: {count}");
        }
    }
    println!("documented deviations: {}", deviations.len());
    for d in &deviations {
        println!(
            "  {} tcId {}: labelled {:?}, {}: {}",
            d.file, d.tc_id, d.label, d.ours, d.reason
        );
    }

    assert!(
        failures.is_empty(),
        "{} case(s) disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}

#[test]
fn duplicate_kid_is_refused_when_both_keys_are_usable() -> TestResult {
    let vectors = load(KEY)?;
    let (group, case) = find(&vectors, 4)?;
    let (Some(KeyMaterial::Set(set)), Some(Serialized::Compact(token))) = (&group.private, &case.jws) else {
        return Err("tcId 4 is not a JWK Set and a compact JWS".into());
    };
    let as_published = LocalJwkSet::from_json(&serde_json::to_string(set)?)?;
    assert_eq!((as_published.keys().len(), as_published.skipped()), (1, 1));

    // The last character of the second key's "k" with its unused low bits
    // cleared ('e' is 011110, 'c' is 011100): the same 32 bytes, canonical.
    let mut keys = set.keys.clone();
    let k = keys[1]["k"].as_str().ok_or("no k")?.to_owned();
    let canonical = format!("{}c", k.strip_suffix('e').ok_or("k does not end in 'e'")?);
    keys[1]["k"] = Value::String(canonical);
    let both = LocalJwkSet::from_json(&serde_json::to_string(&JwkSetDocument { keys })?)?.allow_symmetric(true);
    assert_eq!(both.keys().len(), 2);
    let refused = compact_verify(token, &both, &JwsVerifyOptions::new()).map(drop);
    assert!(matches!(refused, Err(Error::JwksMultipleMatchingKeys)), "{refused:?}");
    Ok(())
}

#[test]
fn compressed_case_decrypts_when_decompression_is_allowed() -> TestResult {
    let vectors = load(ENCRYPTION)?;
    let (group, case) = find(&vectors, 135)?;
    let (Keys::One(key), Some(Serialized::Compact(token)), Some(pt)) =
        (Keys::import(group.private.as_ref())?, &case.jwe, &case.pt)
    else {
        return Err("tcId 135 is not a JWK, a compact JWE and a plaintext".into());
    };
    let options = JweDecryptOptions::new().allow_decompression(rjose::jwe::DEFAULT_MAX_DECOMPRESSED_SIZE);
    let decrypted = compact_decrypt(token, &key, &options)?;
    assert_eq!(decrypted.plaintext, hex(pt)?);
    Ok(())
}
