//! Tokens made by one crypto provider verify and decrypt with the other.
//!
//! `tests/fixtures/cross-provider.json` holds fixed keys and, for each
//! provider, tokens that provider made with them. Every run, whichever
//! provider it builds (`aws-lc-rs`, the default, or `rust-crypto`), checks:
//! - the deterministic signatures (HMAC, RSASSA-PKCS1-v1_5, Ed25519) it
//!   makes now are byte for byte the committed ones, which both providers
//!   must give;
//! - the randomized tokens (ECDSA, RSASSA-PSS, ML-DSA and every JWE) that
//!   each provider made verify or decrypt here: the other provider's tokens
//!   as much as its own. The pure-Rust provider refuses RSA decryption, so
//!   under it the RSA-OAEP tokens must meet that refusal instead.
//!
//! `RJOSE_WRITE_CROSS_FIXTURES=1 cargo test -p rjose --test cross_provider`
//! rewrites the running provider's section (and, under aws-lc-rs, the keys
//! and deterministic tokens when the file has none); then run the normal
//! tests under both providers.

mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use rjose::jwe::{
    CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, KeyManagementParameters, compact_decrypt,
};
use rjose::jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify};
use rjose::{Alg, Curve, Key, KeyPairOptions, generate_key_pair, generate_secret};
use serde_json::{Map, Value, json};

use common::{RSA_DECRYPTS, assert_rsa_decryption_refused, is_rsa};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

const PAYLOAD: &[u8] = b"made by one provider, checked by the other";
const PLAINTEXT: &[u8] = b"encrypted by one provider, decrypted by the other";
const P2C: u64 = 1000;

/// The provider this build uses: aws-lc-rs wins when both are enabled.
const PROVIDER: &str = if cfg!(feature = "aws-lc-rs") {
    "aws-lc-rs"
} else {
    "rust-crypto"
};
const PROVIDERS: [&str; 2] = ["aws-lc-rs", "rust-crypto"];

fn fixture_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cross-provider.json")
}

/// Algorithms whose signature is a function of key and message alone.
fn is_deterministic(alg: Alg) -> bool {
    matches!(
        alg,
        Alg::HS256 | Alg::HS384 | Alg::HS512 | Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::EdDSA | Alg::Ed25519
    )
}

/// The fixture key a JWS algorithm signs with.
fn jws_key_name(alg: Alg) -> &'static str {
    match alg {
        Alg::HS256 | Alg::HS384 | Alg::HS512 => "oct",
        Alg::ES256 => "P-256",
        Alg::ES384 => "P-384",
        Alg::ES512 => "P-521",
        Alg::ES256K => "secp256k1",
        Alg::EdDSA | Alg::Ed25519 => "Ed25519",
        Alg::ML_DSA_44 | Alg::ML_DSA_65 | Alg::ML_DSA_87 => alg.name(),
        _ => "RSA",
    }
}

/// Every JWE case: (label, alg, enc, key name). Each `alg` once, cycling
/// through the `enc` values, then `dir` with each `enc` and ECDH-ES on each
/// curve. RSA1_5 is left out: nothing encrypts with it.
fn jwe_cases() -> Vec<(String, JweAlg, JweEnc, String)> {
    let mut cases = Vec::new();
    let encs = JweEnc::ALL;
    let algs = JweAlg::ALL
        .iter()
        .filter(|&&alg| alg != JweAlg::RSA1_5 && alg != JweAlg::Dir);
    for (i, &alg) in algs.enumerate() {
        let enc = encs[i % encs.len()];
        let key = match alg.name() {
            name if name.starts_with("RSA") => "RSA".to_owned(),
            name if name.starts_with("ECDH") => "ECDH P-256".to_owned(),
            name if name.starts_with("PBES2") => "password".to_owned(),
            name => name.to_owned(),
        };
        cases.push((format!("{} {}", alg.name(), enc.name()), alg, enc, key));
    }
    for &enc in encs {
        cases.push((format!("dir {}", enc.name()), JweAlg::Dir, enc, enc.name().to_owned()));
    }
    for crv in ["P-384", "P-521", "X25519"] {
        cases.push((
            format!("ECDH-ES {crv} A128GCM"),
            JweAlg::ECDH_ES,
            JweEnc::A128GCM,
            format!("ECDH {crv}"),
        ));
    }
    cases
}

/// A JWK value without `alg` (where the key type allows it), so that one
/// key serves every algorithm of its family.
fn jwk_value(key: &Key) -> TestResult<Value> {
    let mut value: Value = serde_json::from_str(&key.to_jwk()?.to_json())?;
    if value["kty"] != "AKP"
        && let Some(members) = value.as_object_mut()
    {
        members.remove("alg");
    }
    Ok(value)
}

/// Fresh keys for every case (only when the fixture is first written).
fn generate_keys() -> TestResult<Map<String, Value>> {
    let mut keys = Map::new();
    keys.insert("oct".into(), jwk_value(&generate_secret(Alg::HS512)?)?);
    let pair = |alg: Alg, crv: Option<Curve>| -> TestResult<Value> {
        let options = crv.map_or_else(KeyPairOptions::default, |crv| KeyPairOptions::default().crv(crv));
        jwk_value(&generate_key_pair(alg, options)?.private_key)
    };
    keys.insert("RSA".into(), pair(Alg::RS256, None)?);
    keys.insert("P-256".into(), pair(Alg::ES256, None)?);
    keys.insert("P-384".into(), pair(Alg::ES384, None)?);
    keys.insert("P-521".into(), pair(Alg::ES512, None)?);
    keys.insert("secp256k1".into(), pair(Alg::ES256K, None)?);
    keys.insert("Ed25519".into(), pair(Alg::EdDSA, None)?);
    for alg in [Alg::ML_DSA_44, Alg::ML_DSA_65, Alg::ML_DSA_87] {
        keys.insert(alg.name().into(), pair(alg, None)?);
    }
    for crv in [Curve::P256, Curve::P384, Curve::P521, Curve::X25519] {
        let options = KeyPairOptions::default().crv(crv);
        let key = generate_key_pair(JweAlg::ECDH_ES, options)?.private_key;
        keys.insert(format!("ECDH {}", crv.name()), jwk_value(&key)?);
    }
    for alg in [
        JweAlg::A128KW,
        JweAlg::A192KW,
        JweAlg::A256KW,
        JweAlg::A128GCMKW,
        JweAlg::A192GCMKW,
        JweAlg::A256GCMKW,
    ] {
        keys.insert(alg.name().into(), jwk_value(&generate_secret(alg)?)?);
    }
    for &enc in JweEnc::ALL {
        keys.insert(enc.name().into(), jwk_value(&generate_secret(enc)?)?);
    }
    keys.insert(
        "password".into(),
        jwk_value(&Key::from_secret(b"cross-provider password")?)?,
    );
    Ok(keys)
}

fn key(keys: &Value, name: &str) -> TestResult<Key> {
    let jwk = keys
        .get(name)
        .ok_or_else(|| format!("the fixture has no key {name:?}"))?;
    Ok(Key::from_jwk_json(&jwk.to_string())?)
}

fn sign(keys: &Value, alg: Alg) -> TestResult<String> {
    let signer = key(keys, jws_key_name(alg))?;
    Ok(CompactSign::new(PAYLOAD)
        .protected_header(JwsHeader::new(alg))
        .sign(&signer)?)
}

fn verify(keys: &Value, alg: Alg, token: &str) -> TestResult {
    let verifier = key(keys, jws_key_name(alg))?;
    let verified = compact_verify(token, &verifier, &JwsVerifyOptions::new().algorithms([alg]))?;
    assert_eq!(verified.payload, PAYLOAD, "{alg}");
    Ok(())
}

fn encrypt(keys: &Value, alg: JweAlg, enc: JweEnc, key_name: &str) -> TestResult<String> {
    let recipient = key(keys, key_name)?;
    let recipient = if recipient.kty() == "oct" {
        recipient
    } else {
        recipient.public_key()?
    };
    let mut builder = CompactEncrypt::new(PLAINTEXT).protected_header(JweHeader::new(alg, enc));
    if alg.name().starts_with("PBES2") {
        builder = builder.key_management_parameters(KeyManagementParameters::new().p2c(P2C));
    }
    Ok(builder.encrypt(&recipient)?)
}

fn decrypt(keys: &Value, alg: JweAlg, key_name: &str, token: &str) -> TestResult {
    let options = JweDecryptOptions::new().key_management_algorithms([alg]);
    let result = compact_decrypt(token, &key(keys, key_name)?, &options);
    if is_rsa(alg) && !RSA_DECRYPTS {
        assert_rsa_decryption_refused(result);
        return Ok(());
    }
    assert_eq!(result?.plaintext, PLAINTEXT, "{alg}");
    Ok(())
}

/// This provider's tokens for every randomized JWS and every JWE case.
fn make_tokens(keys: &Value) -> TestResult<Value> {
    let mut jws = Map::new();
    for alg in Alg::ALL.into_iter().filter(|&alg| !is_deterministic(alg)) {
        jws.insert(alg.name().into(), sign(keys, alg)?.into());
    }
    let mut jwe = Map::new();
    for (label, alg, enc, key_name) in jwe_cases() {
        jwe.insert(label, encrypt(keys, alg, enc, &key_name)?.into());
    }
    Ok(json!({"jws": jws, "jwe": jwe}))
}

fn write_fixture() -> TestResult {
    let path = fixture_path();
    let mut doc: Value = match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)?,
        Err(_) => json!({}),
    };
    if doc.get("keys").is_none() {
        assert_eq!(
            PROVIDER, "aws-lc-rs",
            "write the fixture under aws-lc-rs first: it fixes the keys and the deterministic signatures"
        );
        doc["keys"] = Value::Object(generate_keys()?);
        let mut deterministic = Map::new();
        for alg in Alg::ALL.into_iter().filter(|&alg| is_deterministic(alg)) {
            deterministic.insert(alg.name().into(), sign(&doc["keys"], alg)?.into());
        }
        doc["deterministic"] = Value::Object(deterministic);
    }
    doc[PROVIDER] = make_tokens(&doc["keys"])?;
    std::fs::write(&path, serde_json::to_string_pretty(&doc)? + "\n")?;
    Ok(())
}

fn fixture() -> TestResult<Value> {
    // Written once per run, before any test reads it.
    static WRITTEN: OnceLock<Result<(), String>> = OnceLock::new();
    if std::env::var_os("RJOSE_WRITE_CROSS_FIXTURES").is_some() {
        WRITTEN
            .get_or_init(|| write_fixture().map_err(|e| e.to_string()))
            .clone()?;
    }
    Ok(serde_json::from_str(&std::fs::read_to_string(fixture_path())?)?)
}

#[test]
fn deterministic_signatures_are_byte_identical_under_both_providers() -> TestResult {
    let doc = fixture()?;
    let committed = doc["deterministic"].as_object().ok_or("no deterministic tokens")?;
    let algs: Vec<Alg> = Alg::ALL.into_iter().filter(|&alg| is_deterministic(alg)).collect();
    assert_eq!(committed.len(), algs.len());
    for alg in algs {
        let expected = committed[alg.name()].as_str().ok_or("a token is a string")?;
        assert_eq!(sign(&doc["keys"], alg)?, expected, "{alg} under {PROVIDER}");
        verify(&doc["keys"], alg, expected)?;
    }
    Ok(())
}

#[test]
fn randomized_signatures_of_either_provider_verify_here() -> TestResult {
    let doc = fixture()?;
    for maker in PROVIDERS {
        let tokens = doc[maker]["jws"].as_object().ok_or("no JWS tokens")?;
        let algs: Vec<Alg> = Alg::ALL.into_iter().filter(|&alg| !is_deterministic(alg)).collect();
        assert_eq!(tokens.len(), algs.len(), "{maker}");
        for alg in algs {
            let token = tokens[alg.name()].as_str().ok_or("a token is a string")?;
            verify(&doc["keys"], alg, token).map_err(|e| format!("{alg} by {maker}, under {PROVIDER}: {e}"))?;
        }
    }
    Ok(())
}

#[test]
fn jwes_of_either_provider_decrypt_here() -> TestResult {
    let doc = fixture()?;
    for maker in PROVIDERS {
        let tokens = doc[maker]["jwe"].as_object().ok_or("no JWE tokens")?;
        let cases = jwe_cases();
        assert_eq!(tokens.len(), cases.len(), "{maker}");
        for (label, alg, _, key_name) in cases {
            let token = tokens[&label].as_str().ok_or("a token is a string")?;
            decrypt(&doc["keys"], alg, &key_name, token)
                .map_err(|e| format!("{label} by {maker}, under {PROVIDER}: {e}"))?;
        }
    }
    Ok(())
}

#[test]
fn this_provider_round_trips_every_case_with_the_fixture_keys() -> TestResult {
    let doc = fixture()?;
    let ours = make_tokens(&doc["keys"])?;
    for alg in Alg::ALL.into_iter().filter(|&alg| !is_deterministic(alg)) {
        verify(&doc["keys"], alg, ours["jws"][alg.name()].as_str().ok_or("a token")?)?;
    }
    for (label, alg, _, key_name) in jwe_cases() {
        decrypt(
            &doc["keys"],
            alg,
            &key_name,
            ours["jwe"][&label].as_str().ok_or("a token")?,
        )?;
    }
    Ok(())
}
