//! Every JWE key management and content encryption algorithm of the
//! pure-Rust provider, in WebAssembly: compact JWE (and one JWT) encrypted
//! to freshly generated keys and decrypted, tampered tokens refused, and
//! RSA decryption refused as the provider documents (RUSTSEC-2023-0071).
#![cfg(target_arch = "wasm32")]

mod common;

use rjose::jwe::{
    CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, KeyManagementParameters, compact_decrypt,
};
use rjose::jwt::{DecryptOptions, EncryptJwt, VerifyOptions, jwt_decrypt_json};
use rjose::{Curve, Error, Key, KeyPairOptions, generate_key_pair, generate_secret};
use serde_json::json;
use wasm_bindgen_test::wasm_bindgen_test;

use common::{NOW, TestResult, assert_code, assert_rsa_decryption_refused, rsa_pair, tamper_last_segment, unbound};

const PLAINTEXT: &[u8] = b"encrypted in WebAssembly";
/// A low PBES2 count keeps the unoptimized test build quick; the
/// algorithm is the same at any count.
const P2C: u64 = 1000;

const KEY_WRAP: [JweAlg; 3] = [JweAlg::A128KW, JweAlg::A192KW, JweAlg::A256KW];
const GCM_KEY_WRAP: [JweAlg; 3] = [JweAlg::A128GCMKW, JweAlg::A192GCMKW, JweAlg::A256GCMKW];
const ECDH: [JweAlg; 4] = [
    JweAlg::ECDH_ES,
    JweAlg::ECDH_ES_A128KW,
    JweAlg::ECDH_ES_A192KW,
    JweAlg::ECDH_ES_A256KW,
];
const ECDH_CURVES: [Curve; 4] = [Curve::P256, Curve::P384, Curve::P521, Curve::X25519];
const PBES2: [JweAlg; 3] = [
    JweAlg::PBES2_HS256_A128KW,
    JweAlg::PBES2_HS384_A192KW,
    JweAlg::PBES2_HS512_A256KW,
];
const RSA_OAEP: [JweAlg; 4] = [
    JweAlg::RSA_OAEP,
    JweAlg::RSA_OAEP_256,
    JweAlg::RSA_OAEP_384,
    JweAlg::RSA_OAEP_512,
];

fn encrypt(alg: JweAlg, enc: JweEnc, recipient: &Key) -> Result<String, Error> {
    let mut builder = CompactEncrypt::new(PLAINTEXT).protected_header(JweHeader::new(alg, enc));
    if PBES2.contains(&alg) {
        builder = builder.key_management_parameters(KeyManagementParameters::new().p2c(P2C));
    }
    builder.encrypt(recipient)
}

/// Decryption options naming `alg` (PBES2 and RSA1_5 are tried only when
/// named) and `enc`.
fn only(alg: JweAlg, enc: JweEnc) -> JweDecryptOptions {
    JweDecryptOptions::new()
        .key_management_algorithms([alg])
        .content_encryption_algorithms([enc])
}

/// Encrypts to `recipient`, decrypts with `decryptor`, checks the
/// plaintext, then checks that the token with its tag altered is refused.
fn round_trip(alg: JweAlg, enc: JweEnc, recipient: &Key, decryptor: &Key, case: &str) -> TestResult {
    let token = encrypt(alg, enc, recipient)?;
    let decrypted = compact_decrypt(&token, decryptor, &only(alg, enc))?;
    assert_eq!(decrypted.plaintext, PLAINTEXT, "{case}");
    let header = decrypted.protected_header.unwrap_or_default();
    assert_eq!((header.alg, header.enc), (Some(alg), Some(enc)), "{case}");
    let tampered = tamper_last_segment(&token);
    assert_code(
        compact_decrypt(&tampered, decryptor, &only(alg, enc)),
        "ERR_JWE_DECRYPTION_FAILED",
        &format!("{case}, tag altered"),
    );
    Ok(())
}

/// A symmetric key serves as its own recipient and decryptor.
fn symmetric_round_trips(algs: &[JweAlg]) -> TestResult {
    for &alg in algs {
        let key = generate_secret(alg)?;
        for &enc in JweEnc::ALL {
            round_trip(alg, enc, &key, &key, &format!("{alg} {enc}"))?;
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
fn dir_encrypts_and_decrypts_with_every_content_encryption_algorithm() -> TestResult {
    for &enc in JweEnc::ALL {
        let key = generate_secret(enc)?;
        round_trip(JweAlg::Dir, enc, &key, &key, &format!("dir {enc}"))?;
    }
    Ok(())
}

#[wasm_bindgen_test]
fn aes_key_wrap_encrypts_and_decrypts_with_every_content_encryption_algorithm() -> TestResult {
    symmetric_round_trips(&KEY_WRAP)
}

#[wasm_bindgen_test]
fn aes_gcm_key_wrap_encrypts_and_decrypts_with_every_content_encryption_algorithm() -> TestResult {
    symmetric_round_trips(&GCM_KEY_WRAP)
}

#[wasm_bindgen_test]
fn ecdh_es_encrypts_and_decrypts_on_every_curve_with_every_content_encryption_algorithm() -> TestResult {
    for crv in ECDH_CURVES {
        let pair = generate_key_pair(JweAlg::ECDH_ES, KeyPairOptions::default().crv(crv))?;
        // One key pair for ECDH-ES and the three ECDH-ES+A*KW.
        let (private_key, public_key) = (unbound(&pair.private_key)?, unbound(&pair.public_key)?);
        for alg in ECDH {
            for &enc in JweEnc::ALL {
                let case = format!("{alg} {} {enc}", crv.name());
                round_trip(alg, enc, &public_key, &private_key, &case)?;
            }
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
fn pbes2_encrypts_and_decrypts_with_every_content_encryption_algorithm() -> TestResult {
    let password = Key::from_secret(b"correct horse battery staple")?;
    for alg in PBES2 {
        for &enc in JweEnc::ALL {
            round_trip(alg, enc, &password, &password, &format!("{alg} {enc}"))?;
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
fn rsa_oaep_encrypts_but_its_decryption_is_refused_as_not_supported() -> TestResult {
    let pair = rsa_pair()?;
    for alg in RSA_OAEP {
        for &enc in JweEnc::ALL {
            let case = format!("{alg} {enc}");
            let token = encrypt(alg, enc, &pair.public_key)?;
            assert_eq!(token.split('.').count(), 5, "{case}");
            assert_rsa_decryption_refused(compact_decrypt(&token, &pair.private_key, &only(alg, enc)), &case);
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
fn every_key_management_algorithm_is_exercised() {
    let tested: Vec<JweAlg> = [JweAlg::Dir, JweAlg::RSA1_5]
        .into_iter()
        .chain(KEY_WRAP)
        .chain(GCM_KEY_WRAP)
        .chain(ECDH)
        .chain(PBES2)
        .chain(RSA_OAEP)
        .collect();
    // RSA1_5 has no encryption here: its decryption refusal is pinned on
    // the RFC 7520 5.1 vector in tests/vectors.rs.
    for alg in JweAlg::ALL {
        assert!(tested.contains(alg), "{alg} is not covered by the wasm suite");
    }
    assert_eq!(tested.len(), JweAlg::ALL.len());
}

#[wasm_bindgen_test]
fn an_encrypted_jwt_decrypts_with_its_claims_checked_on_a_fixed_clock() -> TestResult {
    let key = generate_secret(JweEnc::A256GCM)?;
    let token = EncryptJwt::new(&json!({ "sub": "alice" }))
        .protected_header(JweHeader::new(JweAlg::Dir, JweEnc::A256GCM))
        .issued_at(NOW)
        .expiration_time(NOW + 600)
        .encrypt(&key)?;
    let options = DecryptOptions::new().claims(VerifyOptions::new().current_time(NOW));
    let decrypted = jwt_decrypt_json(&token, &key, &options)?;
    assert_eq!(decrypted.claims["sub"], "alice");

    let later = DecryptOptions::new().claims(VerifyOptions::new().current_time(NOW + 600));
    assert_code(
        jwt_decrypt_json(&token, &key, &later),
        "ERR_JWT_EXPIRED",
        "decrypted at its exp",
    );
    Ok(())
}
