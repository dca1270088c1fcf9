//! Published examples, checked in WebAssembly as the native tests check
//! them: RFC 7515 appendix A.1 and the RFC 7520 (JOSE cookbook) examples,
//! plus its Ed25519 and X25519 ones. Deterministic signatures are made
//! again and must equal the published bytes.
#![cfg(target_arch = "wasm32")]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rjose::jwe::{JweAlg, JweDecryptOptions, compact_decrypt};
use rjose::jws::{CompactSign, JwsVerifyOptions, compact_verify};
use rjose::jwt::{VerifyOptions, jwt_verify_json};
use rjose::{Alg, Key};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

use common::{TestResult, assert_code, assert_rsa_decryption_refused};

/// An RFC 7520 example file.
struct Example {
    doc: Value,
}

impl Example {
    fn parse(json: &str) -> Self {
        Self {
            doc: serde_json::from_str(json).unwrap_or(Value::Null),
        }
    }

    fn text(&self, pointer: &str) -> &str {
        let text = self.doc.pointer(pointer).and_then(Value::as_str);
        text.unwrap_or_else(|| panic!("the example has no string at {pointer}"))
    }

    fn key(&self) -> Result<Key, rjose::Error> {
        let jwk = self.doc.pointer("/input/key").map(Value::to_string).unwrap_or_default();
        Key::from_jwk_json(&jwk)
    }

    fn alg(&self) -> Alg {
        Alg::from_name(self.text("/input/alg")).unwrap_or_else(|| panic!("not a JWS example"))
    }

    fn jwe_alg(&self) -> JweAlg {
        JweAlg::from_name(self.text("/input/alg")).unwrap_or_else(|| panic!("not a JWE example"))
    }

    fn compact(&self) -> &str {
        self.text("/output/compact")
    }
}

/// Verifies a JWS example with the public half of its key, and, when the
/// algorithm is deterministic, signs its payload again under its exact
/// protected header and compares the tokens.
fn check_jws(json: &str, deterministic: bool) -> TestResult {
    let example = Example::parse(json);
    let (alg, key) = (example.alg(), example.key()?);
    let verifier = if key.is_symmetric() {
        key.clone()
    } else {
        key.public_key()?
    };
    let verified = compact_verify(example.compact(), &verifier, &JwsVerifyOptions::new().algorithms([alg]))?;
    assert_eq!(verified.payload, example.text("/input/payload").as_bytes(), "{alg}");
    if deterministic {
        let header = URL_SAFE_NO_PAD
            .decode(example.text("/signing/protected_b64u"))
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .unwrap_or_default();
        let token = CompactSign::new(example.text("/input/payload").as_bytes())
            .protected_header_json(&header)
            .sign(&key)?;
        assert_eq!(token, example.compact(), "{alg}: signed again");
    }
    Ok(())
}

/// Decrypts a JWE example with its key (or password) and checks the
/// plaintext.
fn check_jwe(json: &str) -> TestResult {
    let example = Example::parse(json);
    let alg = example.jwe_alg();
    let key = match example.doc.pointer("/input/pwd").and_then(Value::as_str) {
        Some(password) => Key::from_secret(password)?,
        None => example.key()?,
    };
    let options = JweDecryptOptions::new().key_management_algorithms([alg]);
    let decrypted = compact_decrypt(example.compact(), &key, &options)?;
    assert_eq!(
        decrypted.plaintext,
        example.text("/input/plaintext").as_bytes(),
        "{alg}"
    );
    Ok(())
}

#[wasm_bindgen_test]
fn rfc7515_a1_hs256_verifies_as_a_jwt_and_signs_again_byte_for_byte() -> TestResult {
    let token = include_str!("fixtures/latchset-jose/rfc7515_A.1.jwsc").trim();
    let key = Key::from_jwk_json(include_str!("fixtures/latchset-jose/rfc7515_A.1.jwk"))?;
    // Its exp is 1300819380 (March 2011): verified on a clock just before.
    let options = VerifyOptions::new()
        .algorithms([Alg::HS256])
        .current_time(1_300_819_379);
    let verified = jwt_verify_json(token, &key, &options)?;
    assert_eq!(verified.claims["iss"], "joe");
    assert_eq!(verified.claims["http://example.com/is_root"], true);

    let (header, rest) = token.split_once('.').unwrap_or_default();
    let (payload, _) = rest.split_once('.').unwrap_or_default();
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part).unwrap_or_default();
    let header = String::from_utf8(decode(header)).unwrap_or_default();
    let again = CompactSign::new(&decode(payload))
        .protected_header_json(&header)
        .sign(&key)?;
    assert_eq!(again, token);

    let late = VerifyOptions::new()
        .algorithms([Alg::HS256])
        .current_time(1_300_819_380);
    assert_code(jwt_verify_json(token, &key, &late), "ERR_JWT_EXPIRED", "at its exp");
    Ok(())
}

#[wasm_bindgen_test]
fn rfc7520_4_1_rs256_verifies_and_signs_again_byte_for_byte() -> TestResult {
    check_jws(
        include_str!("fixtures/rfc7520-cookbook/4_1.rsa_v15_signature.json"),
        true,
    )
}

#[wasm_bindgen_test]
fn rfc7520_4_3_es512_verifies() -> TestResult {
    check_jws(
        include_str!("fixtures/rfc7520-cookbook/4_3.ecdsa_signature.json"),
        false,
    )
}

#[wasm_bindgen_test]
fn rfc7520_4_4_hs256_verifies_and_signs_again_byte_for_byte() -> TestResult {
    check_jws(
        include_str!("fixtures/rfc7520-cookbook/4_4.hmac-sha2_integrity_protection.json"),
        true,
    )
}

#[wasm_bindgen_test]
fn rfc8037_eddsa_example_verifies_and_signs_again_byte_for_byte() -> TestResult {
    check_jws(include_str!("fixtures/rfc7520-cookbook/curve25519/jws.json"), true)
}

#[wasm_bindgen_test]
fn rfc7520_jwe_examples_decrypt() -> TestResult {
    for json in [
        include_str!("fixtures/rfc7520-cookbook/5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json"),
        include_str!(
            "fixtures/rfc7520-cookbook/5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json"
        ),
        include_str!("fixtures/rfc7520-cookbook/5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json"),
        include_str!("fixtures/rfc7520-cookbook/5_6.direct_encryption_using_aes-gcm.json"),
        include_str!("fixtures/rfc7520-cookbook/5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json"),
        include_str!("fixtures/rfc7520-cookbook/5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json"),
        include_str!("fixtures/rfc7520-cookbook/curve25519/ecdh-es.json"),
    ] {
        check_jwe(json)?;
    }
    Ok(())
}

#[wasm_bindgen_test]
fn rfc7520_rsa_examples_are_refused_as_not_supported() -> TestResult {
    for json in [
        include_str!("fixtures/rfc7520-cookbook/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json"),
        include_str!("fixtures/rfc7520-cookbook/5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json"),
    ] {
        let example = Example::parse(json);
        let alg = example.jwe_alg();
        let options = JweDecryptOptions::new().key_management_algorithms([alg]);
        let result = compact_decrypt(example.compact(), &example.key()?, &options);
        assert_rsa_decryption_refused(result, alg.name());
    }
    Ok(())
}
