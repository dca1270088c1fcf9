//! Key import and export in WebAssembly: PEM (SPKI, PKCS#8, X.509), JWK,
//! and RFC 7638 thumbprints, with the pure-Rust provider.
#![cfg(target_arch = "wasm32")]

mod common;

use rjose::jwe::JweAlg;
use rjose::jws::{CompactSign, JwsVerifyOptions, compact_verify};
use rjose::{Alg, Curve, Digest, Jwk, Key, KeyPairOptions, generate_key_pair, generate_secret};
use wasm_bindgen_test::wasm_bindgen_test;

use common::{TestResult, assert_code};

/// Each PEM key pair: (name, PKCS#8 private key, SPKI public key, the
/// algorithm it signs with).
const PEM_PAIRS: [(&str, &str, &str, Alg); 6] = [
    (
        "P-256",
        include_str!("fixtures/pem/ec-p256.pkcs8.pem"),
        include_str!("fixtures/pem/ec-p256.spki.pem"),
        Alg::ES256,
    ),
    (
        "P-384",
        include_str!("fixtures/pem/ec-p384.pkcs8.pem"),
        include_str!("fixtures/pem/ec-p384.spki.pem"),
        Alg::ES384,
    ),
    (
        "P-521",
        include_str!("fixtures/pem/ec-p521.pkcs8.pem"),
        include_str!("fixtures/pem/ec-p521.spki.pem"),
        Alg::ES512,
    ),
    (
        "secp256k1",
        include_str!("fixtures/pem/ec-secp256k1.pkcs8.pem"),
        include_str!("fixtures/pem/ec-secp256k1.spki.pem"),
        Alg::ES256K,
    ),
    (
        "Ed25519",
        include_str!("fixtures/pem/ed25519.pkcs8.pem"),
        include_str!("fixtures/pem/ed25519.spki.pem"),
        Alg::EdDSA,
    ),
    (
        "RSA-2048",
        include_str!("fixtures/pem/rsa2048.pkcs8.pem"),
        include_str!("fixtures/pem/rsa2048.spki.pem"),
        Alg::RS256,
    ),
];

#[wasm_bindgen_test]
fn pkcs8_and_spki_pem_import_as_the_two_halves_of_one_key() -> TestResult {
    for (name, pkcs8, spki, alg) in PEM_PAIRS {
        let private_key = Key::from_pkcs8_pem(pkcs8)?;
        let public_key = Key::from_spki_pem(spki)?;
        assert!(private_key.is_private() && !public_key.is_private(), "{name}");
        assert_eq!(
            private_key.public_key()?.thumbprint(Digest::Sha256)?,
            public_key.thumbprint(Digest::Sha256)?,
            "{name}"
        );
        let token = CompactSign::new(name.as_bytes())
            .protected_header(alg.into())
            .sign(&private_key)?;
        let verified = compact_verify(&token, &public_key, &JwsVerifyOptions::new().algorithms([alg]))?;
        assert_eq!(verified.payload, name.as_bytes());
    }
    Ok(())
}

#[wasm_bindgen_test]
fn pem_export_reimports_as_the_same_key() -> TestResult {
    for (name, pkcs8, spki, _) in PEM_PAIRS {
        let private_key = Key::from_pkcs8_pem(pkcs8)?;
        let public_key = Key::from_spki_pem(spki)?;
        let thumbprint = public_key.thumbprint(Digest::Sha256)?;
        let again = Key::from_pkcs8_pem(&private_key.to_pkcs8_pem()?)?;
        assert_eq!(again.thumbprint(Digest::Sha256)?, thumbprint, "{name} PKCS#8");
        assert!(again.is_private(), "{name}");
        let again = Key::from_spki_pem(&public_key.to_spki_pem()?)?;
        assert_eq!(again.thumbprint(Digest::Sha256)?, thumbprint, "{name} SPKI");
    }
    Ok(())
}

#[wasm_bindgen_test]
fn an_x509_certificate_imports_as_its_subject_public_key() -> TestResult {
    let certified = Key::from_x509_pem(include_str!("fixtures/pem/ec-p256.cert.pem"))?;
    let key = Key::from_pkcs8_pem(include_str!("fixtures/pem/ec-p256.pkcs8.pem"))?;
    assert!(!certified.is_private());
    assert_eq!(certified.crv(), Some(Curve::P256));
    assert_eq!(
        certified.thumbprint(Digest::Sha256)?,
        key.public_key()?.thumbprint(Digest::Sha256)?
    );
    Ok(())
}

#[wasm_bindgen_test]
fn a_public_key_is_refused_as_pkcs8_and_garbage_as_pem() {
    assert_code(
        Key::from_pkcs8_pem(include_str!("fixtures/pem/ec-p256.spki.pem")),
        "ERR_JWK_INVALID",
        "an SPKI PEM passed as PKCS#8",
    );
    assert_code(
        Key::from_spki_pem("-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----\n"),
        "ERR_JWK_INVALID",
        "a PEM block of garbage",
    );
}

#[wasm_bindgen_test]
fn rfc7638_thumbprint_matches_the_published_value() -> TestResult {
    let expected = include_str!("fixtures/latchset-jose/rfc7638_3.1.thp").trim();
    let jwk = Jwk::from_json(include_str!("fixtures/latchset-jose/rfc7638_3.1.jwk"))?;
    assert_eq!(jwk.thumbprint(Digest::Sha256)?, expected);
    let key = Key::from_jwk(&jwk)?;
    assert_eq!(key.thumbprint(Digest::Sha256)?, expected);
    assert_eq!(
        key.thumbprint_uri(Digest::Sha256)?,
        format!("urn:ietf:params:oauth:jwk-thumbprint:sha-256:{expected}")
    );
    Ok(())
}

#[wasm_bindgen_test]
fn generated_keys_of_every_type_round_trip_through_jwk() -> TestResult {
    let mut keys = vec![generate_secret(Alg::HS256)?, generate_secret(JweAlg::A256KW)?];
    for alg in [
        Alg::RS256,
        Alg::ES256,
        Alg::ES384,
        Alg::ES512,
        Alg::ES256K,
        Alg::EdDSA,
        Alg::ML_DSA_44,
    ] {
        keys.push(generate_key_pair(alg, KeyPairOptions::default())?.private_key);
    }
    for crv in [Curve::P256, Curve::X25519] {
        let options = KeyPairOptions::default().crv(crv);
        keys.push(generate_key_pair(JweAlg::ECDH_ES, options)?.private_key);
    }
    for key in keys {
        let case = format!("{} {:?}", key.kty(), key.crv());
        let jwk = key.to_jwk()?;
        let again = Key::from_jwk_json(&jwk.to_json())?;
        assert_eq!(
            again.thumbprint(Digest::Sha256)?,
            key.thumbprint(Digest::Sha256)?,
            "{case}"
        );
        assert_eq!(again.is_private(), key.is_private(), "{case}");
        assert_eq!(again.alg(), key.alg(), "{case}");
        if !key.is_symmetric() {
            let public = key.public_key()?;
            assert!(
                !public.to_jwk()?.is_private(),
                "{case}: public export has private members"
            );
            assert_eq!(
                public.thumbprint(Digest::Sha256)?,
                key.thumbprint(Digest::Sha256)?,
                "{case}"
            );
        }
    }
    Ok(())
}

#[wasm_bindgen_test]
fn a_jwk_with_a_missing_member_is_refused() {
    assert_code(
        Key::from_jwk_json(r#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"}"#),
        "ERR_JWK_INVALID",
        "an EC JWK without y",
    );
}
