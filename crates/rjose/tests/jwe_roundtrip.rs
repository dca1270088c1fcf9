//! JWE round trips through the public API: every `alg` x `enc` pair in
//! every serialization (compact, flattened, general), ECDH-ES on every
//! curve, multi-recipient general JWEs, unprotected headers and `aad`,
//! compression, JWK Sets as decryption key sources, and encrypted and
//! nested JWTs.
//!
//! RSA keys are generated once per run (slow in debug builds); PBES2 runs
//! with a small iteration count.

mod common;

use std::sync::OnceLock;

use rjose::jwe::{
    CompactEncrypt, DEFAULT_MAX_DECOMPRESSED_SIZE, DecryptedJwe, FlattenedEncrypt, FlattenedJwe, GeneralEncrypt,
    GeneralJwe, JweAlg, JweDecryptOptions, JweEnc, JweHeader, KeyManagementParameters, compact_decrypt,
    flattened_decrypt, general_decrypt,
};
use rjose::jwt::{
    DecryptOptions, EncryptJwt, SignJwt, VerifyOptions, decrypt_nested_jwt, encrypt_nested_jwt, jwt_decrypt, jwt_verify,
};
use rjose::{
    Alg, Curve, Error, JsonObject, Key, KeyPair, KeyPairOptions, LocalJwkSet, generate_key_pair, generate_secret,
};
use serde_json::{Value, json};

use common::{
    RSA_DECRYPTS, assert_rsa_decryption_refused, assert_rsa_decryption_refused_in_general, b64, is_ecdh, is_pbes2,
    is_rsa, unb64, unbound_pair,
};

// ------------------------------------------------------------ helpers

const CURVES: [Curve; 4] = [Curve::P256, Curve::P384, Curve::P521, Curve::X25519];
const PASSWORD: &[u8] = b"correct horse battery staple";
const PLAINTEXT: &[u8] =
    "You can trust us to stick with you through thick and thin\u{2013}to the bitter end.".as_bytes();

/// One RSA key pair for the whole run, usable with every RSA-OAEP variant.
fn rsa() -> &'static KeyPair {
    static RSA: OnceLock<KeyPair> = OnceLock::new();
    RSA.get_or_init(|| {
        unbound_pair(generate_key_pair(JweAlg::RSA_OAEP_256, KeyPairOptions::default()).expect("RSA key pair"))
    })
}

fn is_direct(alg: JweAlg) -> bool {
    matches!(alg, JweAlg::Dir | JweAlg::ECDH_ES)
}

/// Keys, fixed key management values and decryption options for one pair.
struct Setup {
    encryption_key: Key,
    decryption_key: Key,
    params: KeyManagementParameters,
    options: JweDecryptOptions,
}

fn setup(alg: JweAlg, enc: JweEnc, crv: Curve) -> Setup {
    let mut params = KeyManagementParameters::new();
    let mut options = JweDecryptOptions::new();
    let (encryption_key, decryption_key) = match alg {
        JweAlg::Dir => {
            let key = generate_secret(enc).expect("dir key");
            (key.clone(), key)
        }
        JweAlg::RSA_OAEP | JweAlg::RSA_OAEP_256 | JweAlg::RSA_OAEP_384 | JweAlg::RSA_OAEP_512 | JweAlg::RSA1_5 => {
            (rsa().public_key.clone(), rsa().private_key.clone())
        }
        JweAlg::A128KW
        | JweAlg::A192KW
        | JweAlg::A256KW
        | JweAlg::A128GCMKW
        | JweAlg::A192GCMKW
        | JweAlg::A256GCMKW => {
            let key = generate_secret(alg).expect("key wrap key");
            (key.clone(), key)
        }
        alg if is_ecdh(alg) => {
            let pair = generate_key_pair(alg, KeyPairOptions::default().crv(crv)).expect("ECDH key pair");
            (pair.public_key, pair.private_key)
        }
        alg if is_pbes2(alg) => {
            params = params.p2c(1000);
            options = options.key_management_algorithms([alg]);
            let key = Key::from_secret(PASSWORD).expect("a non-empty secret");
            (key.clone(), key)
        }
        other => panic!("{other} is new: teach this test its keys"),
    };
    Setup {
        encryption_key,
        decryption_key,
        params,
        options,
    }
}

/// Every (alg, enc, crv) to round-trip: ECDH-ES on each curve, the others once.
fn cases() -> Vec<(JweAlg, JweEnc, Curve)> {
    let mut cases = Vec::new();
    for &alg in JweAlg::ALL {
        if alg == JweAlg::RSA1_5 {
            continue;
        }
        for &enc in JweEnc::ALL {
            if is_ecdh(alg) {
                cases.extend(CURVES.iter().map(|&crv| (alg, enc, crv)));
            } else {
                // The curve is unused outside ECDH-ES.
                cases.push((alg, enc, Curve::P256));
            }
        }
    }
    cases
}

fn enc_only(enc: JweEnc) -> JweHeader {
    let mut header = JweHeader::default();
    header.enc = Some(enc);
    header
}

fn alg_only(alg: JweAlg) -> JweHeader {
    let mut header = JweHeader::default();
    header.alg = Some(alg);
    header
}

/// The decrypted JWE, or `None` once the refusal of a provider that does not
/// decrypt RSA (the pure-Rust one) has been checked: the case stops there.
fn decrypted_unless_refused(alg: JweAlg, result: Result<DecryptedJwe, Error>) -> Result<Option<DecryptedJwe>, String> {
    if is_rsa(alg) && !RSA_DECRYPTS {
        assert_rsa_decryption_refused(result);
        return Ok(None);
    }
    result.map(Some).map_err(|e| format!("decrypt: {e}"))
}

fn check_decrypted(decrypted: &DecryptedJwe, setup: &Setup) -> Result<(), String> {
    if decrypted.plaintext != PLAINTEXT {
        return Err("plaintext differs".into());
    }
    if decrypted.key.kty() != setup.decryption_key.kty() || !decrypted.key.is_private() {
        return Err("the wrong key was reported".into());
    }
    Ok(())
}

fn compact_case(alg: JweAlg, enc: JweEnc, crv: Curve) -> Result<(), String> {
    let s = setup(alg, enc, crv);
    let jwe = CompactEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(alg, enc).kid("k-1"))
        .key_management_parameters(s.params.clone())
        .encrypt(&s.encryption_key)
        .map_err(|e| format!("encrypt: {e}"))?;
    let parts: Vec<&str> = jwe.split('.').collect();
    if parts.len() != 5 {
        return Err(format!("{} parts", parts.len()));
    }
    if parts[1].is_empty() != is_direct(alg) {
        return Err("encrypted key present iff the mode is not direct".into());
    }
    if unb64(parts[2]).len() != enc.iv_len() {
        return Err("IV length".into());
    }
    let Some(decrypted) = decrypted_unless_refused(alg, compact_decrypt(&jwe, &s.decryption_key, &s.options))? else {
        return Ok(());
    };
    check_decrypted(&decrypted, &s)?;
    let header = decrypted.protected_header.as_ref().ok_or("no protected header")?;
    if header.alg != Some(alg) || header.enc != Some(enc) || header.kid.as_deref() != Some("k-1") {
        return Err(format!("protected header {header:?}"));
    }
    if is_ecdh(alg) && header.epk.as_ref().and_then(|epk| epk.crv.as_deref()) != Some(crv.name()) {
        return Err("no epk on the recipient's curve in the protected header".into());
    }
    if is_pbes2(alg) && (header.p2c != Some(1000) || header.p2s.is_none()) {
        return Err("p2c/p2s missing from the protected header".into());
    }
    if decrypted.shared_unprotected_header.is_some()
        || decrypted.unprotected_header.is_some()
        || decrypted.additional_authenticated_data.is_some()
    {
        return Err("a compact JWE has only a protected header".into());
    }
    Ok(())
}

fn flattened_case(alg: JweAlg, enc: JweEnc, crv: Curve, protected: bool) -> Result<(), String> {
    let s = setup(alg, enc, crv);
    let mut builder = FlattenedEncrypt::new(PLAINTEXT).key_management_parameters(s.params.clone());
    builder = if protected {
        builder.protected_header(JweHeader::new(alg, enc))
    } else {
        // Everything unprotected: key management parameters go to the recipient header.
        builder.unprotected_header(JweHeader::new(alg, enc))
    };
    let jwe = builder
        .encrypt(&s.encryption_key)
        .map_err(|e| format!("encrypt: {e}"))?;
    if jwe.encrypted_key.is_none() != is_direct(alg) || jwe.protected.is_some() != protected {
        return Err(format!("unexpected shape {}", jwe.to_json()));
    }
    let parsed = FlattenedJwe::from_json(&jwe.to_json()).map_err(|e| format!("parse: {e}"))?;
    if parsed != jwe {
        return Err("JSON round trip changed the JWE".into());
    }
    let Some(decrypted) = decrypted_unless_refused(alg, flattened_decrypt(&parsed, &s.decryption_key, &s.options))?
    else {
        return Ok(());
    };
    check_decrypted(&decrypted, &s)?;
    if !protected {
        let header = decrypted.unprotected_header.as_ref().ok_or("no recipient header")?;
        if is_ecdh(alg) && header.epk.is_none() {
            return Err("epk should be in the recipient header".into());
        }
    }
    Ok(())
}

fn general_case(alg: JweAlg, enc: JweEnc, crv: Curve) -> Result<(), String> {
    let s = setup(alg, enc, crv);
    let jwe = GeneralEncrypt::new(PLAINTEXT)
        .protected_header(enc_only(enc))
        .add_recipient_with(&s.encryption_key, alg_only(alg).kid("r-1"), s.params.clone())
        .encrypt()
        .map_err(|e| format!("encrypt: {e}"))?;
    if jwe.recipients.len() != 1 {
        return Err("one recipient expected".into());
    }
    let parsed = GeneralJwe::from_json(&jwe.to_json()).map_err(|e| format!("parse: {e}"))?;
    if parsed != jwe {
        return Err("JSON round trip changed the JWE".into());
    }
    let decrypted = general_decrypt(&parsed, &s.decryption_key, &s.options);
    if is_rsa(alg) && !RSA_DECRYPTS {
        assert_rsa_decryption_refused_in_general(decrypted);
        return Ok(());
    }
    let decrypted = decrypted.map_err(|e| format!("decrypt: {e}"))?;
    check_decrypted(&decrypted, &s)?;
    let header = decrypted.unprotected_header.as_ref().ok_or("no recipient header")?;
    if header.alg != Some(alg) || header.kid.as_deref() != Some("r-1") {
        return Err(format!("recipient header {header:?}"));
    }
    if is_ecdh(alg) && header.epk.is_none() {
        return Err("epk should be in the recipient header".into());
    }
    Ok(())
}

fn run_all(name: &str, mut case: impl FnMut(JweAlg, JweEnc, Curve) -> Result<(), String>) {
    let cases = cases();
    // 14 non-ECDH algorithms x 6 + 4 ECDH algorithms x 4 curves x 6.
    assert_eq!(cases.len(), 14 * 6 + 4 * 4 * 6, "JweAlg::ALL or JweEnc::ALL changed");
    let failures: Vec<String> = cases
        .into_iter()
        .filter_map(|(alg, enc, crv)| case(alg, enc, crv).err().map(|e| format!("{alg} {enc} {crv}: {e}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{name}: {} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

// ------------------------------------------------------------ every pair, every serialization

#[test]
fn every_pair_round_trips_compact() {
    run_all("compact", compact_case);
}

#[test]
fn every_pair_round_trips_flattened() {
    run_all("flattened", |alg, enc, crv| flattened_case(alg, enc, crv, true));
}

#[test]
fn every_pair_round_trips_flattened_without_protected_header() {
    run_all("flattened, unprotected", |alg, enc, crv| {
        flattened_case(alg, enc, crv, false)
    });
}

#[test]
fn every_pair_round_trips_general() {
    run_all("general", general_case);
}

#[test]
fn rsa1_5_encryption_is_refused_in_every_serialization() {
    let public = &rsa().public_key;
    for &enc in JweEnc::ALL {
        let compact = CompactEncrypt::new(PLAINTEXT)
            .protected_header(JweHeader::new(JweAlg::RSA1_5, enc))
            .encrypt(public);
        assert!(
            matches!(compact, Err(Error::NotSupported(_))),
            "compact {enc}: {compact:?}"
        );
        let flattened = FlattenedEncrypt::new(PLAINTEXT)
            .protected_header(JweHeader::new(JweAlg::RSA1_5, enc))
            .encrypt(public);
        assert!(
            matches!(flattened, Err(Error::NotSupported(_))),
            "flattened {enc}: {flattened:?}"
        );
        let general = GeneralEncrypt::new(PLAINTEXT)
            .protected_header(enc_only(enc))
            .add_recipient(public, alg_only(JweAlg::RSA1_5))
            .encrypt();
        assert!(
            matches!(general, Err(Error::NotSupported(_))),
            "general {enc}: {general:?}"
        );
    }
}

#[test]
fn empty_and_large_plaintexts_round_trip() {
    let key = generate_secret(JweAlg::A128KW).unwrap();
    for plaintext in [Vec::new(), vec![0x5a; 1], vec![0xa5; 100_000]] {
        for &enc in JweEnc::ALL {
            let jwe = CompactEncrypt::new(&plaintext)
                .protected_header(JweHeader::new(JweAlg::A128KW, enc))
                .encrypt(&key)
                .unwrap();
            let decrypted = compact_decrypt(&jwe, &key, &JweDecryptOptions::new()).unwrap();
            assert_eq!(decrypted.plaintext, plaintext, "{enc}");
        }
    }
}

// ------------------------------------------------------------ general JWE, several recipients

#[test]
fn general_jwe_with_recipients_of_different_key_types() {
    let rsa = rsa();
    let kek = generate_secret(JweAlg::A256KW).unwrap();
    let x25519 = generate_key_pair(JweAlg::ECDH_ES_A128KW, KeyPairOptions::default().crv(Curve::X25519)).unwrap();
    let password = Key::from_secret(PASSWORD).expect("a non-empty secret");
    let shared = JweHeader::default().insert("x-shared", "for everyone").unwrap();
    for &enc in JweEnc::ALL {
        let jwe = GeneralEncrypt::new(PLAINTEXT)
            .protected_header(enc_only(enc))
            .shared_unprotected_header(shared.clone())
            .aad(b"additional data")
            .add_recipient(&rsa.public_key, alg_only(JweAlg::RSA_OAEP_256).kid("rsa"))
            .add_recipient(&kek, alg_only(JweAlg::A256KW).kid("kw"))
            .add_recipient(&x25519.public_key, alg_only(JweAlg::ECDH_ES_A128KW).kid("x25519"))
            .add_recipient_with(
                &password,
                alg_only(JweAlg::PBES2_HS256_A128KW).kid("pbes2"),
                KeyManagementParameters::new().p2c(1000),
            )
            .encrypt()
            .unwrap();
        assert_eq!(jwe.recipients.len(), 4);
        assert!(jwe.recipients.iter().all(|r| r.encrypted_key.is_some()));
        let jwe = GeneralJwe::from_json(&jwe.to_json()).unwrap();

        let default = JweDecryptOptions::new();
        let pbes2 = JweDecryptOptions::new().key_management_algorithms([JweAlg::PBES2_HS256_A128KW]);
        for (key, options, kid) in [
            (&rsa.private_key, &default, "rsa"),
            (&kek, &default, "kw"),
            (&x25519.private_key, &default, "x25519"),
            (&password, &pbes2, "pbes2"),
        ] {
            if kid == "rsa" && !RSA_DECRYPTS {
                assert_rsa_decryption_refused_in_general(general_decrypt(&jwe, key, options));
                continue;
            }
            let decrypted = general_decrypt(&jwe, key, options).unwrap_or_else(|e| panic!("{enc} {kid}: {e}"));
            assert_eq!(decrypted.plaintext, PLAINTEXT, "{enc} {kid}");
            // The recipient that matched is reported with its own header.
            let header = decrypted.unprotected_header.as_ref().unwrap();
            assert_eq!(header.kid.as_deref(), Some(kid));
            assert_eq!(decrypted.shared_unprotected_header.as_ref(), Some(&shared));
            assert_eq!(
                decrypted.additional_authenticated_data.as_deref(),
                Some(&b"additional data"[..])
            );
            assert_eq!(decrypted.protected_header.as_ref().and_then(|h| h.enc), Some(enc));
        }
        // The password is only tried when PBES2 is allowed: the PBES2
        // recipient is refused before any key is looked up for it.
        let pbes2_looked_up = std::cell::Cell::new(false);
        let watching = |header: &JweHeader| {
            if header.alg == Some(JweAlg::PBES2_HS256_A128KW) {
                pbes2_looked_up.set(true);
            }
            Ok(password.clone())
        };
        assert!(matches!(
            general_decrypt(&jwe, &watching, &default),
            Err(Error::JweDecryptionFailed)
        ));
        assert!(
            !pbes2_looked_up.get(),
            "{enc}: the password was tried without PBES2 allowed"
        );
        // A key for none of the recipients.
        let stranger = generate_secret(JweAlg::A256KW).unwrap();
        assert!(matches!(
            general_decrypt(&jwe, &stranger, &default),
            Err(Error::JweDecryptionFailed)
        ));
    }
}

#[test]
fn general_jwe_recipients_share_one_enc_and_direct_modes_stand_alone() {
    let kek = generate_secret(JweAlg::A128KW).unwrap();
    let dir = generate_secret(JweEnc::A128GCM).unwrap();
    let two_encs = GeneralEncrypt::new(PLAINTEXT)
        .add_recipient(&kek, JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM))
        .add_recipient(&kek, JweHeader::new(JweAlg::A128KW, JweEnc::A256GCM))
        .encrypt();
    assert!(matches!(two_encs, Err(Error::JweInvalid(_))), "{two_encs:?}");
    let dir_and_more = GeneralEncrypt::new(PLAINTEXT)
        .protected_header(enc_only(JweEnc::A128GCM))
        .add_recipient(&dir, alg_only(JweAlg::Dir))
        .add_recipient(&kek, alg_only(JweAlg::A128KW))
        .encrypt();
    assert!(matches!(dir_and_more, Err(Error::JweInvalid(_))), "{dir_and_more:?}");
}

// ------------------------------------------------------------ aad and unprotected headers

#[test]
fn flattened_aad_and_unprotected_headers_come_back() {
    let kek = generate_secret(JweAlg::A256KW).unwrap();
    let shared = JweHeader::default().insert("x-shared", json!({"a": [1, 2]})).unwrap();
    let recipient = alg_only(JweAlg::A256KW).kid("kek-1");
    let jwe = FlattenedEncrypt::new(PLAINTEXT)
        .protected_header(enc_only(JweEnc::A256CBC_HS512).typ("example+jwe"))
        .shared_unprotected_header(shared.clone())
        .unprotected_header(recipient.clone())
        .aad(b"\x00binary\xffaad")
        .encrypt(&kek)
        .unwrap();
    let json: Value = serde_json::from_str(&jwe.to_json()).unwrap();
    assert_eq!(json["aad"], b64(b"\x00binary\xffaad"));
    assert_eq!(json["unprotected"]["x-shared"]["a"][1], 2);
    assert_eq!(json["header"]["kid"], "kek-1");

    let decrypted = flattened_decrypt(
        &FlattenedJwe::from_json(&jwe.to_json()).unwrap(),
        &kek,
        &JweDecryptOptions::new(),
    )
    .unwrap();
    assert_eq!(decrypted.plaintext, PLAINTEXT);
    assert_eq!(
        decrypted.additional_authenticated_data.as_deref(),
        Some(&b"\x00binary\xffaad"[..])
    );
    assert_eq!(decrypted.shared_unprotected_header, Some(shared));
    assert_eq!(decrypted.unprotected_header, Some(recipient));
    let protected = decrypted.protected_header.unwrap();
    assert_eq!(protected.typ.as_deref(), Some("example+jwe"));
    assert_eq!(protected.enc, Some(JweEnc::A256CBC_HS512));
    assert_eq!(protected.alg, None);
}

#[test]
fn empty_aad_is_kept_distinct_from_no_aad() {
    let key = generate_secret(JweEnc::A128GCM).unwrap();
    let jwe = FlattenedEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::Dir, JweEnc::A128GCM))
        .aad(b"")
        .encrypt(&key)
        .unwrap();
    assert_eq!(jwe.aad.as_deref(), Some(""));
    let decrypted = flattened_decrypt(&jwe, &key, &JweDecryptOptions::new()).unwrap();
    assert_eq!(decrypted.additional_authenticated_data.as_deref(), Some(&b""[..]));
}

// ------------------------------------------------------------ compression

#[test]
fn deflate_round_trips_in_every_serialization() {
    let plaintext = "The true sign of intelligence is not knowledge but imagination. ".repeat(200);
    let key = generate_secret(JweAlg::A128GCMKW).unwrap();
    let options = JweDecryptOptions::new().allow_decompression(DEFAULT_MAX_DECOMPRESSED_SIZE);
    let header = JweHeader::new(JweAlg::A128GCMKW, JweEnc::A128CBC_HS256).deflate();

    let compact = CompactEncrypt::new(plaintext.as_bytes())
        .protected_header(header.clone())
        .encrypt(&key)
        .unwrap();
    let ciphertext = compact.split('.').nth(3).unwrap();
    assert!(
        unb64(ciphertext).len() < plaintext.len() / 10,
        "the plaintext was not compressed"
    );
    let decrypted = compact_decrypt(&compact, &key, &options).unwrap();
    assert_eq!(decrypted.plaintext, plaintext.as_bytes());
    assert_eq!(decrypted.protected_header.unwrap().zip.as_deref(), Some("DEF"));

    let flattened = FlattenedEncrypt::new(plaintext.as_bytes())
        .protected_header(header)
        .encrypt(&key)
        .unwrap();
    assert_eq!(
        flattened_decrypt(&flattened, &key, &options).unwrap().plaintext,
        plaintext.as_bytes()
    );

    let general = GeneralEncrypt::new(plaintext.as_bytes())
        .protected_header(enc_only(JweEnc::A128CBC_HS256).deflate())
        .add_recipient(&key, alg_only(JweAlg::A128GCMKW))
        .encrypt()
        .unwrap();
    assert_eq!(
        general_decrypt(&general, &key, &options).unwrap().plaintext,
        plaintext.as_bytes()
    );

    // Empty plaintexts compress and decompress too.
    let empty = CompactEncrypt::new(b"")
        .protected_header(JweHeader::new(JweAlg::A128GCMKW, JweEnc::A128GCM).deflate())
        .encrypt(&key)
        .unwrap();
    assert_eq!(compact_decrypt(&empty, &key, &options).unwrap().plaintext, b"");
}

// ------------------------------------------------------------ JWK Sets as decryption key sources

#[test]
fn local_jwk_set_selects_by_kid() {
    let kek1 = generate_secret(JweAlg::A256KW).unwrap().with_kid("kek-1");
    let kek2 = generate_secret(JweAlg::A256KW).unwrap().with_kid("kek-2");
    let rsa_key = rsa().private_key.with_kid("rsa");
    let x25519 = generate_key_pair(JweAlg::ECDH_ES, KeyPairOptions::default().crv(Curve::X25519)).unwrap();
    let set = LocalJwkSet::new([
        kek1.clone(),
        kek2.clone(),
        rsa_key.clone(),
        x25519.private_key.with_kid("x"),
    ])
    .allow_symmetric(true);

    for (key, alg, kid) in [
        (&kek1, JweAlg::A256KW, "kek-1"),
        (&kek2, JweAlg::A256KW, "kek-2"),
        (&rsa().public_key, JweAlg::RSA_OAEP, "rsa"),
        (&x25519.public_key, JweAlg::ECDH_ES, "x"),
    ] {
        let jwe = CompactEncrypt::new(PLAINTEXT)
            .protected_header(JweHeader::new(alg, JweEnc::A192GCM).kid(kid))
            .encrypt(key)
            .unwrap();
        if is_rsa(alg) && !RSA_DECRYPTS {
            assert_rsa_decryption_refused(compact_decrypt(&jwe, &set, &JweDecryptOptions::new()));
            continue;
        }
        let decrypted = compact_decrypt(&jwe, &set, &JweDecryptOptions::new()).unwrap();
        assert_eq!(decrypted.plaintext, PLAINTEXT);
        assert_eq!(decrypted.key.kid(), Some(kid));
    }

    // Two A256KW keys fit a token without kid: ambiguous unless asked to try each.
    let no_kid = CompactEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A128GCM))
        .encrypt(&kek2)
        .unwrap();
    let ambiguous = compact_decrypt(&no_kid, &set, &JweDecryptOptions::new());
    assert!(
        matches!(ambiguous, Err(Error::JwksMultipleMatchingKeys)),
        "{ambiguous:?}"
    );
    // Trying each does not settle it while the set also holds asymmetric
    // keys: the token's own alg would choose between secrets and key pairs.
    let mixed = compact_decrypt(&no_kid, &set.clone().try_all_matching(true), &JweDecryptOptions::new());
    assert!(matches!(mixed, Err(Error::JwksMultipleMatchingKeys)), "{mixed:?}");
    let keks = LocalJwkSet::new([kek1.clone(), kek2.clone()])
        .allow_symmetric(true)
        .try_all_matching(true);
    let decrypted = compact_decrypt(&no_kid, &keks, &JweDecryptOptions::new()).unwrap();
    assert_eq!(decrypted.key.kid(), Some("kek-2"));

    // An unknown kid matches nothing.
    let unknown = CompactEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A128GCM).kid("kek-3"))
        .encrypt(&kek1)
        .unwrap();
    assert!(matches!(
        compact_decrypt(&unknown, &set, &JweDecryptOptions::new()),
        Err(Error::JwksNoMatchingKey)
    ));
}

#[test]
fn local_jwk_set_selects_by_epk_curve() {
    let pairs: Vec<KeyPair> = CURVES
        .iter()
        .map(|crv| generate_key_pair(JweAlg::ECDH_ES_A256KW, KeyPairOptions::default().crv(*crv)).unwrap())
        .collect();
    // No kids: the curve of the sender's ephemeral key is what tells them apart.
    let keys: Vec<Value> = pairs
        .iter()
        .map(|p| serde_json::to_value(p.private_key.to_jwk().unwrap()).unwrap())
        .collect();
    let set = LocalJwkSet::from_json(&json!({ "keys": keys }).to_string()).unwrap();
    assert_eq!(set.keys().len(), CURVES.len());
    for (pair, crv) in pairs.iter().zip(CURVES) {
        let jwe = FlattenedEncrypt::new(PLAINTEXT)
            .protected_header(JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A128CBC_HS256))
            .encrypt(&pair.public_key)
            .unwrap();
        let decrypted = flattened_decrypt(&jwe, &set, &JweDecryptOptions::new()).unwrap();
        assert_eq!(decrypted.plaintext, PLAINTEXT, "{crv}");
        assert_eq!(decrypted.key.crv(), Some(crv));
    }
    // The public keys alone cannot decrypt: they are never selected.
    let public = LocalJwkSet::new(pairs.iter().map(|p| p.public_key.clone()));
    let jwe = CompactEncrypt::new(PLAINTEXT)
        .protected_header(JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A128GCM))
        .encrypt(&pairs[0].public_key)
        .unwrap();
    assert!(matches!(
        compact_decrypt(&jwe, &public, &JweDecryptOptions::new()),
        Err(Error::JwksNoMatchingKey)
    ));
}

#[test]
fn closure_key_source_sees_the_joint_header() {
    let kek = generate_secret(JweAlg::A128KW).unwrap();
    let jwe = FlattenedEncrypt::new(PLAINTEXT)
        .protected_header(enc_only(JweEnc::A128GCM))
        .unprotected_header(alg_only(JweAlg::A128KW).kid("from-the-recipient-header"))
        .encrypt(&kek)
        .unwrap();
    let resolver = |header: &JweHeader| -> rjose::Result<Key> {
        assert_eq!(header.alg, Some(JweAlg::A128KW));
        assert_eq!(header.enc, Some(JweEnc::A128GCM));
        match header.kid.as_deref() {
            Some("from-the-recipient-header") => Ok(kek.clone()),
            _ => Err(Error::JwksNoMatchingKey),
        }
    };
    assert_eq!(
        flattened_decrypt(&jwe, &resolver, &JweDecryptOptions::new())
            .unwrap()
            .plaintext,
        PLAINTEXT
    );
}

// ------------------------------------------------------------ encrypted JWTs

#[test]
fn encrypted_jwt_round_trips_with_claim_validation() {
    let pair = generate_key_pair(JweAlg::ECDH_ES_A128KW, KeyPairOptions::default().crv(Curve::P384)).unwrap();
    let token = EncryptJwt::default()
        .claim("email", "ada@example.com")
        .protected_header(JweHeader::new(JweAlg::ECDH_ES_A128KW, JweEnc::A128CBC_HS256))
        .issuer("https://issuer.example")
        .subject("ada")
        .audience("https://api.example")
        .issued_at_now()
        .expiration_time("1h")
        .replicate_issuer_as_header()
        .replicate_subject_as_header()
        .replicate_audience_as_header()
        .encrypt(&pair.public_key)
        .unwrap();
    assert_eq!(token.split('.').count(), 5);
    let options = DecryptOptions::new().claims(
        VerifyOptions::new()
            .issuer("https://issuer.example")
            .audience("https://api.example")
            .subject("ada"),
    );
    let decrypted = jwt_decrypt::<JsonObject>(&token, &pair.private_key, &options).unwrap();
    assert_eq!(decrypted.claims["email"], "ada@example.com");
    assert_eq!(decrypted.registered().iss.as_deref(), Some("https://issuer.example"));
    assert_eq!(decrypted.registered().aud, ["https://api.example"]);
    let header = &decrypted.protected_header;
    assert_eq!(header.other["iss"], "https://issuer.example");
    assert_eq!(header.other["sub"], "ada");
    assert_eq!(header.other["aud"], "https://api.example");

    // Claim checks apply.
    let wrong_issuer = DecryptOptions::new().claims(VerifyOptions::new().issuer("https://other.example"));
    assert!(matches!(
        jwt_decrypt::<JsonObject>(&token, &pair.private_key, &wrong_issuer),
        Err(Error::JwtClaimValidationFailed { claim, .. }) if claim == "iss"
    ));
    // So do the JWE options.
    let only_rsa =
        DecryptOptions::new().jwe(JweDecryptOptions::new().key_management_algorithms([JweAlg::RSA_OAEP_256]));
    assert!(matches!(
        jwt_decrypt::<JsonObject>(&token, &pair.private_key, &only_rsa),
        Err(Error::AlgNotAllowed { .. })
    ));
}

#[test]
fn encrypted_jwt_adds_the_key_kid() {
    let key = generate_secret(JweAlg::A128KW).unwrap().with_kid("kek-7");
    let token = EncryptJwt::new(&json!({"n": 1}))
        .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128GCM))
        .expiration_time("1h")
        .encrypt(&key)
        .unwrap();
    let set = LocalJwkSet::new([key.clone(), generate_secret(JweAlg::A128KW).unwrap().with_kid("other")])
        .allow_symmetric(true);
    let decrypted = jwt_decrypt::<JsonObject>(&token, &set, &DecryptOptions::new()).unwrap();
    assert_eq!(decrypted.protected_header.kid.as_deref(), Some("kek-7"));
    assert_eq!(decrypted.claims["n"], 1);
}

#[test]
fn expired_encrypted_jwt_is_jwt_expired() {
    let key = generate_secret(JweAlg::A256GCMKW).unwrap();
    let token = EncryptJwt::default()
        .protected_header(JweHeader::new(JweAlg::A256GCMKW, JweEnc::A256GCM))
        .subject("ada")
        .expiration_time(1)
        .encrypt(&key)
        .unwrap();
    match jwt_decrypt::<JsonObject>(&token, &key, &DecryptOptions::new()) {
        Err(Error::JwtExpired { claims, .. }) => {
            assert_eq!(claims["exp"], 1);
            assert_eq!(claims["sub"], "ada");
        }
        other => panic!("expected JwtExpired, got {other:?}"),
    }
}

#[test]
fn tampered_replicated_claim_headers_are_refused() {
    let key = generate_secret(JweEnc::A256GCM).unwrap();
    let claims = json!({"iss": "https://good.example", "sub": "ada", "aud": ["api"], "exp": 4_102_444_800_i64});
    let options = DecryptOptions::new().claims(VerifyOptions::new().audience("api"));
    for (name, forged) in [
        ("iss", json!("https://evil.example")),
        ("sub", json!("mallory")),
        ("aud", json!("api")),
    ] {
        // Built by hand: the header replicates a value the claims do not carry.
        let header = JweHeader::new(JweAlg::Dir, JweEnc::A256GCM)
            .insert(name, forged)
            .unwrap();
        let token = CompactEncrypt::new(claims.to_string().as_bytes())
            .protected_header(header)
            .encrypt(&key)
            .unwrap();
        match jwt_decrypt::<JsonObject>(&token, &key, &options) {
            Err(Error::JwtClaimValidationFailed { claim, .. }) => assert_eq!(claim, name),
            other => panic!("{name}: expected a claim validation failure, got {other:?}"),
        }
    }
    // A replicated header for a claim that is absent is as wrong.
    let header = JweHeader::new(JweAlg::Dir, JweEnc::A256GCM)
        .insert("iss", "https://good.example")
        .unwrap();
    let token = CompactEncrypt::new(br#"{"sub":"ada","aud":"api","exp":4102444800}"#)
        .protected_header(header)
        .encrypt(&key)
        .unwrap();
    match jwt_decrypt::<JsonObject>(&token, &key, &options) {
        Err(Error::JwtClaimValidationFailed { claim, reason, .. }) => {
            assert_eq!((claim.as_str(), reason), ("iss", rjose::ClaimReason::Invalid));
        }
        other => panic!("expected a claim validation failure for iss, got {other:?}"),
    }
    // A faithful replica passes.
    let header = JweHeader::new(JweAlg::Dir, JweEnc::A256GCM)
        .insert("aud", json!(["api"]))
        .unwrap();
    let token = CompactEncrypt::new(claims.to_string().as_bytes())
        .protected_header(header)
        .encrypt(&key)
        .unwrap();
    assert!(jwt_decrypt::<JsonObject>(&token, &key, &options).is_ok());
}

#[test]
fn nested_jwt_both_ways() {
    let signing = generate_key_pair(Alg::ES256, KeyPairOptions::default()).unwrap();
    let encryption = generate_key_pair(JweAlg::ECDH_ES_A256KW, KeyPairOptions::default().crv(Curve::X25519)).unwrap();
    let signed = SignJwt::default()
        .subject("ada")
        .issuer("https://issuer.example")
        .expiration_time("5m")
        .protected_header(Alg::ES256)
        .sign(&signing.private_key)
        .unwrap();

    // Library encrypts, library decrypts.
    let nested = encrypt_nested_jwt(
        &signed,
        JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A256GCM),
        &encryption.public_key,
    )
    .unwrap();
    let options = DecryptOptions::new().claims(VerifyOptions::new().issuer("https://issuer.example"));
    let verified =
        decrypt_nested_jwt::<JsonObject>(&nested, &encryption.private_key, &signing.public_key, &options).unwrap();
    assert_eq!(verified.registered().sub.as_deref(), Some("ada"));
    assert_eq!(verified.protected_header.alg, Some(Alg::ES256));

    // The outer JWE is an ordinary compact JWE with cty JWT around the signed token.
    let outer = compact_decrypt(&nested, &encryption.private_key, &JweDecryptOptions::new()).unwrap();
    assert_eq!(outer.protected_header.as_ref().unwrap().cty.as_deref(), Some("JWT"));
    assert_eq!(outer.plaintext, signed.as_bytes());
    let inner = jwt_verify::<JsonObject>(
        std::str::from_utf8(&outer.plaintext).unwrap(),
        &signing.public_key,
        &VerifyOptions::new(),
    )
    .unwrap();
    assert_eq!(inner.claims["sub"], "ada");

    // Built by hand, decrypted by the library.
    let by_hand = CompactEncrypt::new(signed.as_bytes())
        .protected_header(JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A128CBC_HS256).cty("JWT"))
        .encrypt(&encryption.public_key)
        .unwrap();
    let verified =
        decrypt_nested_jwt::<JsonObject>(&by_hand, &encryption.private_key, &signing.public_key, &options).unwrap();
    assert_eq!(verified.claims["iss"], "https://issuer.example");

    // The inner signature still matters.
    let other_signer = generate_key_pair(Alg::ES256, KeyPairOptions::default()).unwrap();
    assert!(matches!(
        decrypt_nested_jwt::<JsonObject>(&nested, &encryption.private_key, &other_signer.public_key, &options),
        Err(Error::JwsSignatureVerificationFailed)
    ));
    // And so do the inner claims.
    let wrong_issuer = DecryptOptions::new().claims(VerifyOptions::new().issuer("https://other.example"));
    assert!(matches!(
        decrypt_nested_jwt::<JsonObject>(&nested, &encryption.private_key, &signing.public_key, &wrong_issuer),
        Err(Error::JwtClaimValidationFailed { .. })
    ));

    // jwt_decrypt refuses a nested token instead of returning a JWS as claims.
    assert!(matches!(
        jwt_decrypt::<JsonObject>(&nested, &encryption.private_key, &DecryptOptions::new()),
        Err(Error::JwtInvalid(_))
    ));

    // decrypt_nested_jwt refuses a token that is not nested.
    let plain = EncryptJwt::default()
        .subject("ada")
        .protected_header(JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A256GCM))
        .encrypt(&encryption.public_key)
        .unwrap();
    assert!(matches!(
        decrypt_nested_jwt::<JsonObject>(
            &plain,
            &encryption.private_key,
            &signing.public_key,
            &DecryptOptions::new()
        ),
        Err(Error::JwtInvalid(_))
    ));
    // Even when its plaintext happens to be a signed JWT, without cty JWT it is not nested.
    let no_cty = CompactEncrypt::new(signed.as_bytes())
        .protected_header(JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A256GCM))
        .encrypt(&encryption.public_key)
        .unwrap();
    assert!(matches!(
        decrypt_nested_jwt::<JsonObject>(
            &no_cty,
            &encryption.private_key,
            &signing.public_key,
            &DecryptOptions::new()
        ),
        Err(Error::JwtInvalid(_))
    ));
}

#[test]
fn a_key_set_picks_the_secret_of_the_length_the_algorithm_needs() {
    // Two secrets without kid or alg: only the length tells them apart.
    let kek_128 = Key::from_secret([1u8; 16]).expect("a non-empty secret");
    let kek_256 = Key::from_secret([2u8; 32]).expect("a non-empty secret");
    let set = LocalJwkSet::new([kek_128.clone(), kek_256.clone()]).allow_symmetric(true);
    for (alg, kek) in [
        (JweAlg::A128KW, &kek_128),
        (JweAlg::A256KW, &kek_256),
        (JweAlg::A256GCMKW, &kek_256),
    ] {
        let token = CompactEncrypt::new(b"for one of two keys")
            .protected_header(JweHeader::new(alg, JweEnc::A128GCM))
            .encrypt(kek)
            .expect("encrypt");
        let decrypted = compact_decrypt(&token, &set, &JweDecryptOptions::new()).expect("one key fits");
        assert_eq!(decrypted.plaintext, b"for one of two keys");
        assert_eq!(decrypted.key.bits(), kek.bits(), "{alg}");
    }
    // dir: the secret whose length is the content key's.
    let token = CompactEncrypt::new(b"direct")
        .protected_header(JweHeader::new(JweAlg::Dir, JweEnc::A128CBC_HS256))
        .encrypt(&kek_256)
        .expect("encrypt");
    let decrypted = compact_decrypt(&token, &set, &JweDecryptOptions::new()).expect("one key fits");
    assert_eq!(decrypted.key.bits(), 256);
}
