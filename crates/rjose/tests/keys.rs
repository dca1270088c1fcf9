//! Keys through every import and export format, with fixtures made by
//! `openssl` (see `fixtures/pem/make.sh` for the commands).

use std::error::Error as StdError;
use std::process::Command;

use rjose::jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify};
use rjose::{Alg, Curve, Digest, Error, Key, KeyPairOptions, generate_key_pair, generate_secret};

type TestResult = Result<(), Box<dyn StdError>>;

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/pem/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

const PASSWORD: &str = "correct horse";

/// Signs with `private` and verifies with `public`, which proves the two
/// halves belong together and both work with `alg`.
fn assert_pair_works(private: &Key, public: &Key, alg: Alg) -> TestResult {
    let jws = CompactSign::new(b"payload")
        .protected_header(JwsHeader::new(alg))
        .sign(private)?;
    let verified = compact_verify(&jws, public, &JwsVerifyOptions::new().algorithms([alg]))?;
    assert_eq!(verified.payload, b"payload");
    Ok(())
}

const OPENSSL_PAIRS: [(&str, &str, Alg); 6] = [
    ("rsa2048.pkcs1.pem", "rsa2048.spki.pem", Alg::RS256),
    ("rsa2048.pkcs8.pem", "rsa2048.pkcs1-pub.pem", Alg::PS256),
    ("ec-p256.sec1.pem", "ec-p256.spki.pem", Alg::ES256),
    ("ec-p384.sec1.pem", "ec-p384.spki.pem", Alg::ES384),
    ("ec-p521.pkcs8.pem", "ec-p521.spki.pem", Alg::ES512),
    ("ec-secp256k1.sec1.pem", "ec-secp256k1.spki.pem", Alg::ES256K),
];

#[test]
fn openssl_private_keys_sign_for_their_openssl_public_keys() -> TestResult {
    for (private, public, alg) in OPENSSL_PAIRS {
        let private = Key::from_pem(&fixture(private))?;
        let public = Key::from_pem(&fixture(public))?;
        assert!(private.is_private() && !public.is_private());
        assert_pair_works(&private, &public, alg)?;
    }
    let ed = Key::from_pkcs8_pem(&fixture("ed25519.pkcs8.pem"))?;
    assert_pair_works(&ed, &Key::from_spki_pem(&fixture("ed25519.spki.pem"))?, Alg::EdDSA)
}

#[test]
fn certificates_yield_their_subject_public_key() -> TestResult {
    let rsa = Key::from_x509_pem(&fixture("rsa2048.cert.pem"))?;
    assert_pair_works(&Key::from_pem(&fixture("rsa2048.pkcs1.pem"))?, &rsa, Alg::RS256)?;
    let ec = Key::from_x509_pem(&fixture("ec-p256.cert.pem"))?;
    assert_eq!(
        ec.thumbprint(Digest::Sha256)?,
        Key::from_spki_pem(&fixture("ec-p256.cert-pubkey.pem"))?.thumbprint(Digest::Sha256)?
    );
    Ok(())
}

#[test]
fn encrypted_pkcs8_keys_decrypt_with_the_password() -> TestResult {
    let plain = Key::from_pem(&fixture("ec-p256.sec1.pem"))?;
    for name in [
        "ec-p256.enc-aes256-sha256.pem",
        "ec-p256.enc-aes256-sha512.pem",
        "ec-p256.enc-aes128-sha256.pem",
        "ec-p256.enc-aes192-sha1.pem",
        "ec-p256.enc-aes128-sha384.pem",
        "ec-p256.enc-pkey-aes256.pem",
    ] {
        let key = Key::from_encrypted_pkcs8_pem(&fixture(name), PASSWORD)?;
        assert_eq!(key.to_jwk()?, plain.to_jwk()?, "{name}");
    }
    let rsa = Key::from_encrypted_pkcs8_pem(&fixture("rsa2048.enc-pkey-aes256.pem"), PASSWORD)?;
    assert_eq!(rsa.to_jwk()?, Key::from_pem(&fixture("rsa2048.pkcs1.pem"))?.to_jwk()?);
    Ok(())
}

#[test]
fn encrypted_pkcs8_with_wrong_or_missing_password_is_refused() {
    let pem = fixture("ec-p256.enc-aes256-sha256.pem");
    assert!(matches!(
        Key::from_encrypted_pkcs8_pem(&pem, "wrong"),
        Err(Error::JwkInvalid(_))
    ));
    assert!(matches!(Key::from_pem(&pem), Err(Error::JwkInvalid(_))));
}

#[test]
fn unsupported_encryption_schemes_are_refused_with_a_clear_error() {
    for name in [
        "ec-p256.enc-des3.pem",
        "ec-p256.enc-scrypt.pem",
        "ec-p256.enc-pbes1.pem",
        "ec-p256.sec1-legacy-enc.pem",
    ] {
        let result = Key::from_encrypted_pkcs8_pem(&fixture(name), PASSWORD);
        assert!(matches!(result, Err(Error::JwkInvalid(_))), "{name}: {result:?}");
    }
}

#[test]
fn rsa_keys_under_2048_bits_are_refused() {
    let err = Key::from_pem(&fixture("rsa1024.pkcs8.pem")).expect_err("1024-bit RSA must be refused");
    assert_eq!(err.code(), "ERR_JWK_INVALID");
    assert!(err.to_string().contains("2048"), "{err}");
}

#[test]
fn label_specific_importers_refuse_other_labels() {
    let spki = fixture("ec-p256.spki.pem");
    for (result, expected) in [
        (
            Key::from_pkcs8_pem(&spki),
            "expected PKCS#8 \"PRIVATE KEY\" PEM, found \"PUBLIC KEY\"",
        ),
        (
            Key::from_x509_pem(&spki),
            "expected X.509 \"CERTIFICATE\" PEM, found \"PUBLIC KEY\"",
        ),
        (
            Key::from_spki_pem(&fixture("ec-p256.pkcs8.pem")),
            "expected SPKI \"PUBLIC KEY\" PEM, found \"PRIVATE KEY\"",
        ),
    ] {
        match result {
            Err(Error::JwkInvalid(detail)) => assert_eq!(detail, expected),
            other => panic!("expected JwkInvalid({expected:?}), got {other:?}"),
        }
    }
}

/// Every algorithm's generated key, exported to every format and imported
/// back, is still the same key and still works.
#[test]
fn generated_keys_round_trip_through_every_format() -> TestResult {
    for alg in Alg::ALL.into_iter().filter(|a| !a.is_symmetric()) {
        let pair = generate_key_pair(alg, KeyPairOptions::default())?;
        let thumbprint = pair.public_key.thumbprint(Digest::Sha256)?;

        let from_jwk = Key::from_jwk(&pair.private_key.to_jwk()?)?;
        let from_pkcs8_pem = Key::from_pkcs8_pem(&pair.private_key.to_pkcs8_pem()?)?;
        let from_pkcs8_der = Key::from_pkcs8_der(&pair.private_key.to_pkcs8_der()?)?;
        let from_encrypted =
            Key::from_encrypted_pkcs8_pem(&pair.private_key.to_encrypted_pkcs8_pem(PASSWORD)?, PASSWORD)?;
        for private in [&from_jwk, &from_pkcs8_pem, &from_pkcs8_der, &from_encrypted] {
            assert_eq!(private.thumbprint(Digest::Sha256)?, thumbprint, "{alg}");
            assert_pair_works(private, &pair.public_key, alg)?;
        }

        let from_public_jwk = Key::from_jwk(&pair.private_key.to_public_jwk()?)?;
        let from_spki_pem = Key::from_spki_pem(&pair.private_key.to_spki_pem()?)?;
        let from_spki_der = Key::from_spki_der(&pair.public_key.to_spki_der()?)?;
        for public in [&from_public_jwk, &from_spki_pem, &from_spki_der] {
            assert!(!public.is_private());
            assert_eq!(public.thumbprint(Digest::Sha256)?, thumbprint, "{alg}");
            assert_pair_works(&pair.private_key, public, alg)?;
        }
    }
    Ok(())
}

#[test]
fn generated_rsa_keys_honour_the_modulus_length() -> TestResult {
    let pair = generate_key_pair(Alg::PS384, KeyPairOptions::default().modulus_length(3072))?;
    assert_eq!(pair.public_key.bits(), 3072);
    match generate_key_pair(Alg::RS256, KeyPairOptions::default().modulus_length(1024)) {
        Err(Error::NotSupported(detail)) => {
            assert_eq!(detail, "RSA modulus length 1024 (use 2048, 3072, 4096 or 8192)")
        }
        other => panic!("expected NotSupported, got {other:?}"),
    }
    Ok(())
}

#[test]
fn generated_secrets_have_the_digest_length() -> TestResult {
    for (alg, bytes) in [(Alg::HS256, 32), (Alg::HS384, 48), (Alg::HS512, 64)] {
        let secret = generate_secret(alg)?;
        assert_eq!(secret.bits(), bytes * 8);
        assert_eq!(secret.alg(), Some(alg.into()));
    }
    match generate_secret(Alg::ES256) {
        Err(Error::NotSupported(detail)) => assert_eq!(detail, "ES256 uses a key pair; call generate_key_pair"),
        other => panic!("expected NotSupported, got {other:?}"),
    }
    Ok(())
}

#[test]
fn public_jwk_of_a_private_key_has_no_private_members() -> TestResult {
    for alg in [Alg::RS256, Alg::ES384, Alg::EdDSA, Alg::ML_DSA_44] {
        let pair = generate_key_pair(alg, KeyPairOptions::default())?;
        let public = pair.private_key.to_public_jwk()?;
        assert!(!public.is_private(), "{alg}");
        let json = public.to_json();
        for member in ["\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"", "\"priv\""] {
            assert!(!json.contains(member), "{alg}: {json}");
        }
        assert!(!pair.private_key.public_key()?.is_private());
    }
    Ok(())
}

#[test]
fn hmac_secrets_have_no_public_export() {
    let secret = Key::from_secret([9u8; 32]).expect("a non-empty secret");
    let refused = |result: Result<String, Error>| match result {
        Err(Error::InvalidKeyUse(detail)) => detail,
        other => panic!("expected InvalidKeyUse, got {other:?}"),
    };
    assert_eq!(
        refused(secret.to_public_jwk().map(|jwk| jwk.to_json())),
        "an HMAC secret has no public part"
    );
    assert_eq!(refused(secret.to_spki_pem()), "an HMAC secret has no public key");
    assert_eq!(
        refused(secret.to_pkcs8_pem().map(|pem| pem.to_string())),
        "an HMAC secret has no PKCS#8 form"
    );
}

#[test]
fn debug_output_never_shows_secret_material() -> TestResult {
    let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
    let jwk = pair.private_key.to_jwk()?;
    let d = jwk.d.clone().ok_or("EC private JWK has d")?;
    assert!(!format!("{:?}", pair.private_key).contains(&d));
    assert!(!format!("{jwk:?}").contains(&d));
    let secret = Key::from_secret(b"super-secret-value-of-32-bytes!!")?;
    assert!(!format!("{secret:?}").contains("super-secret"));
    Ok(())
}

/// Our PEM exports are read by OpenSSL itself, and describe the same key.
#[test]
fn openssl_reads_our_pem_exports() -> TestResult {
    let dir = std::env::temp_dir().join(format!("rjose-openssl-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    for alg in [Alg::RS256, Alg::ES256, Alg::ES512, Alg::EdDSA] {
        let pair = generate_key_pair(alg, KeyPairOptions::default())?;
        let encrypted = dir.join(format!("{alg}.enc.pem"));
        std::fs::write(
            &encrypted,
            pair.private_key.to_encrypted_pkcs8_pem(PASSWORD)?.as_bytes(),
        )?;
        let output = Command::new("openssl")
            .args(["pkey", "-pubout", "-passin", &format!("pass:{PASSWORD}"), "-in"])
            .arg(&encrypted)
            .output()?;
        assert!(
            output.status.success(),
            "{alg}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8(output.stdout)?,
            pair.public_key.to_spki_pem()?,
            "{alg}"
        );
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

#[test]
fn key_pair_curve_option_is_checked_against_the_algorithm() -> TestResult {
    let ed = generate_key_pair(Alg::EdDSA, KeyPairOptions::default().crv(Curve::Ed25519))?;
    assert_eq!(ed.public_key.crv().map(rjose::Curve::name), Some("Ed25519"));
    let p384 = generate_key_pair(Alg::ES384, KeyPairOptions::default().crv(Curve::P384))?;
    assert_eq!(p384.public_key.crv().map(rjose::Curve::name), Some("P-384"));
    for (alg, crv) in [
        (Alg::EdDSA, Curve::X25519),
        (Alg::ES256, Curve::P384),
        (Alg::RS256, Curve::P256),
        (Alg::ES256K, Curve::P256),
    ] {
        let err = generate_key_pair(alg, KeyPairOptions::default().crv(crv)).expect_err("curve must fit");
        assert_eq!(err.code(), "ERR_JOSE_NOT_SUPPORTED", "{alg} {crv}");
    }
    Ok(())
}
