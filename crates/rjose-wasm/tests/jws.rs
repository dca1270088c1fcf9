//! Every JWS algorithm of the pure-Rust provider, in WebAssembly: compact
//! JWS and JWT, signed with freshly generated keys and verified with their
//! public half, and refused once tampered with.
#![cfg(target_arch = "wasm32")]

mod common;

use rjose::jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify_json};
use rjose::{Alg, Error, Key, KeyPairOptions, generate_key_pair, generate_secret};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use common::{NOW, TestResult, assert_code, rsa_pair, tamper_last_segment};

const PAYLOAD: &[u8] = b"signed in WebAssembly";

/// A signing key and the key that verifies, for `alg`: fresh for each
/// algorithm, except one RSA pair shared by RS* and PS*.
fn keys(alg: Alg) -> Result<(Key, Key), Error> {
    if alg.is_symmetric() {
        let secret = generate_secret(alg)?;
        return Ok((secret.clone(), secret));
    }
    if matches!(
        alg,
        Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512
    ) {
        let pair = rsa_pair()?;
        return Ok((pair.private_key.clone(), pair.public_key.clone()));
    }
    let pair = generate_key_pair(alg, KeyPairOptions::default())?;
    Ok((pair.private_key, pair.public_key))
}

fn only(alg: Alg) -> JwsVerifyOptions {
    JwsVerifyOptions::new().algorithms([alg])
}

fn jwt_options(alg: Alg) -> VerifyOptions {
    VerifyOptions::new()
        .algorithms([alg])
        .current_time(NOW)
        .issuer("https://issuer.example")
        .audience("wasm-tests")
}

fn sign_jwt(alg: Alg, key: &Key, sub: &str) -> Result<String, Error> {
    SignJwt::new(&json!({ "sub": sub }))
        .protected_header(alg)
        .issuer("https://issuer.example")
        .audience("wasm-tests")
        .issued_at(NOW)
        .expiration_time(NOW + 600)
        .sign(key)
}

#[wasm_bindgen_test]
fn every_algorithm_signs_and_verifies_a_compact_jws() -> TestResult {
    for alg in Alg::ALL {
        let (signer, verifier) = keys(alg)?;
        let token = CompactSign::new(PAYLOAD)
            .protected_header(JwsHeader::new(alg))
            .sign(&signer)?;
        let verified = compact_verify(&token, &verifier, &only(alg))?;
        assert_eq!(verified.payload, PAYLOAD, "{alg}");
        assert_eq!(verified.protected_header.and_then(|h| h.alg), Some(alg), "{alg}");
    }
    Ok(())
}

#[wasm_bindgen_test]
fn every_algorithm_signs_and_verifies_a_jwt() -> TestResult {
    for alg in Alg::ALL {
        let (signer, verifier) = keys(alg)?;
        let token = sign_jwt(alg, &signer, "alice")?;
        let verified = jwt_verify_json(&token, &verifier, &jwt_options(alg))?;
        assert_eq!(verified.claims["sub"], "alice", "{alg}");
        assert_eq!(verified.claims["exp"], NOW + 600, "{alg}");
    }
    Ok(())
}

#[wasm_bindgen_test]
fn a_tampered_signature_is_refused_for_every_algorithm() -> TestResult {
    for alg in Alg::ALL {
        let (signer, verifier) = keys(alg)?;
        let token = sign_jwt(alg, &signer, "alice")?;
        let tampered = tamper_last_segment(&token);
        let result = jwt_verify_json(&tampered, &verifier, &jwt_options(alg));
        assert_code(result, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", alg.name());
    }
    Ok(())
}

#[wasm_bindgen_test]
fn a_signature_moved_onto_another_payload_is_refused_for_every_algorithm() -> TestResult {
    for alg in Alg::ALL {
        let (signer, verifier) = keys(alg)?;
        let alice = sign_jwt(alg, &signer, "alice")?;
        let mallory = sign_jwt(alg, &signer, "mallory")?;
        let alice_parts: Vec<&str> = alice.split('.').collect();
        let mallory_parts: Vec<&str> = mallory.split('.').collect();
        let spliced = format!("{}.{}.{}", alice_parts[0], mallory_parts[1], alice_parts[2]);
        let result = jwt_verify_json(&spliced, &verifier, &jwt_options(alg));
        assert_code(result, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED", alg.name());
    }
    Ok(())
}

#[wasm_bindgen_test]
fn an_algorithm_outside_the_allow_list_is_refused() -> TestResult {
    let (signer, verifier) = keys(Alg::HS256)?;
    let token = sign_jwt(Alg::HS256, &signer, "alice")?;
    let options = jwt_options(Alg::HS256).algorithms([Alg::HS512]);
    assert_code(
        jwt_verify_json(&token, &verifier, &options),
        "ERR_JOSE_ALG_NOT_ALLOWED",
        "HS256 token, HS512 allowed",
    );
    Ok(())
}
