//! JWE property tests: round trips hold for random plaintexts and
//! additional authenticated data, and every decryption entry point returns
//! an error (never panics) on arbitrary input and on structured garbage.
//!
//! Case counts are modest (256, or 64 where RSA is involved); keys are
//! generated once per run.

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use rjose::jwe::{
    CompactEncrypt, FlattenedEncrypt, FlattenedJwe, GeneralEncrypt, GeneralJwe, JweAlg, JweDecryptOptions, JweEnc,
    JweHeader, compact_decrypt, flattened_decrypt, general_decrypt,
};
use rjose::jwt::{DecryptOptions, jwt_decrypt};
use rjose::{Curve, JsonObject, Key, KeyPair, KeyPairOptions, LocalJwkSet, generate_key_pair, generate_secret};
use serde_json::{Map, Value, json};

use common::{RSA_DECRYPTS, assert_rsa_decryption_refused, b64, is_rsa, unb64, unbound, unbound_pair};

// ------------------------------------------------------------ keys, once per run

fn rsa() -> &'static KeyPair {
    static KEY: OnceLock<KeyPair> = OnceLock::new();
    KEY.get_or_init(|| unbound_pair(generate_key_pair(JweAlg::RSA_OAEP_256, KeyPairOptions::default()).unwrap()))
}

fn x25519() -> &'static KeyPair {
    static KEY: OnceLock<KeyPair> = OnceLock::new();
    KEY.get_or_init(|| {
        unbound_pair(generate_key_pair(JweAlg::ECDH_ES_A256KW, KeyPairOptions::default().crv(Curve::X25519)).unwrap())
    })
}

fn p256() -> &'static KeyPair {
    static KEY: OnceLock<KeyPair> = OnceLock::new();
    KEY.get_or_init(|| {
        unbound_pair(generate_key_pair(JweAlg::ECDH_ES, KeyPairOptions::default().crv(Curve::P256)).unwrap())
    })
}

fn dir_key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| generate_secret(JweEnc::A128GCM).unwrap())
}

fn kw_key() -> &'static Key {
    static KEY: OnceLock<Key> = OnceLock::new();
    KEY.get_or_init(|| generate_secret(JweAlg::A128KW).unwrap())
}

/// Every kind of decryption key, tried in turn for any header.
fn all_keys() -> &'static LocalJwkSet {
    static SET: OnceLock<LocalJwkSet> = OnceLock::new();
    SET.get_or_init(|| {
        LocalJwkSet::new([
            dir_key().clone(),
            kw_key().clone(),
            unbound(&generate_secret(JweAlg::A256GCMKW).unwrap()),
            Key::from_secret(b"a password").expect("a non-empty secret"),
            x25519().private_key.clone(),
            p256().private_key.clone(),
            rsa().private_key.clone(),
        ])
        .try_all_matching(true)
    })
}

/// Everything allowed, so that garbage reaches as deep as it can.
fn permissive() -> JweDecryptOptions {
    JweDecryptOptions::new()
        .key_management_algorithms(JweAlg::ALL.iter().copied())
        .allow_decompression(10_000)
        .understands("x-ext")
}

// ------------------------------------------------------------ round trips

fn round_trip(
    alg: JweAlg,
    enc: JweEnc,
    public: &Key,
    private: &Key,
    plaintext: &[u8],
    aad: Option<&[u8]>,
) -> Result<(), TestCaseError> {
    let options = JweDecryptOptions::new();
    let compact = CompactEncrypt::new(plaintext)
        .protected_header(JweHeader::new(alg, enc))
        .encrypt(public)
        .expect("compact");
    if is_rsa(alg) && !RSA_DECRYPTS {
        // Encryption to the public key works; the pure-Rust provider
        // refuses the decryption.
        assert_rsa_decryption_refused(compact_decrypt(&compact, private, &options));
        return Ok(());
    }
    prop_assert_eq!(
        compact_decrypt(&compact, private, &options)
            .expect("compact decrypt")
            .plaintext,
        plaintext
    );

    let mut flattened = FlattenedEncrypt::new(plaintext).protected_header(JweHeader::new(alg, enc));
    if let Some(aad) = aad {
        flattened = flattened.aad(aad);
    }
    let jwe = FlattenedJwe::from_json(&flattened.encrypt(public).expect("flattened").to_json()).expect("parse");
    let decrypted = flattened_decrypt(&jwe, private, &options).expect("flattened decrypt");
    prop_assert_eq!(&decrypted.plaintext, plaintext);
    prop_assert_eq!(decrypted.additional_authenticated_data.as_deref(), aad);

    let mut general = GeneralEncrypt::new(plaintext).protected_header(JweHeader::new(alg, enc));
    if let Some(aad) = aad {
        general = general.aad(aad);
    }
    let jwe = GeneralJwe::from_json(
        &general
            .add_recipient(public, JweHeader::default())
            .encrypt()
            .expect("general")
            .to_json(),
    )
    .expect("parse");
    let decrypted = general_decrypt(&jwe, private, &options).expect("general decrypt");
    prop_assert_eq!(&decrypted.plaintext, plaintext);
    prop_assert_eq!(decrypted.additional_authenticated_data.as_deref(), aad);
    Ok(())
}

fn plaintexts() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..1500)
}

fn aads() -> impl Strategy<Value = Option<Vec<u8>>> {
    prop::option::of(prop::collection::vec(any::<u8>(), 0..200))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn dir_a128gcm_round_trips(plaintext in plaintexts(), aad in aads()) {
        round_trip(JweAlg::Dir, JweEnc::A128GCM, dir_key(), dir_key(), &plaintext, aad.as_deref())?;
    }

    #[test]
    fn a128kw_a128cbc_hs256_round_trips(plaintext in plaintexts(), aad in aads()) {
        round_trip(JweAlg::A128KW, JweEnc::A128CBC_HS256, kw_key(), kw_key(), &plaintext, aad.as_deref())?;
    }

    #[test]
    fn ecdh_es_a256kw_x25519_round_trips(plaintext in plaintexts(), aad in aads()) {
        let pair = x25519();
        let (public, private) = (&pair.public_key, &pair.private_key);
        round_trip(JweAlg::ECDH_ES_A256KW, JweEnc::A256GCM, public, private, &plaintext, aad.as_deref())?;
    }

    #[test]
    fn compressed_round_trips(text in "[a-c ]{0,3000}") {
        let options = JweDecryptOptions::new().allow_decompression(3000);
        let jwe = CompactEncrypt::new(text.as_bytes())
            .protected_header(JweHeader::new(JweAlg::Dir, JweEnc::A128GCM).deflate())
            .encrypt(dir_key())
            .unwrap();
        prop_assert_eq!(compact_decrypt(&jwe, dir_key(), &options).unwrap().plaintext, text.as_bytes());
    }

    #[test]
    fn random_bit_flips_never_decrypt(
        plaintext in plaintexts(),
        part in 0usize..5,
        bit in any::<prop::sample::Index>(),
    ) {
        let jwe = CompactEncrypt::new(&plaintext)
            .protected_header(JweHeader::new(JweAlg::A128KW, JweEnc::A128CBC_HS256))
            .encrypt(kw_key())
            .unwrap();
        let mut parts: Vec<Vec<u8>> = jwe.split('.').map(unb64).collect();
        let target = &mut parts[part];
        prop_assume!(!target.is_empty());
        let bit = bit.index(target.len() * 8);
        target[bit / 8] ^= 1 << (bit % 8);
        let tampered = parts.iter().map(|p| b64(p)).collect::<Vec<_>>().join(".");
        prop_assert!(compact_decrypt(&tampered, kw_key(), &JweDecryptOptions::new()).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn rsa_oaep_256_round_trips(plaintext in plaintexts(), aad in aads()) {
        let pair = rsa();
        let (public, private) = (&pair.public_key, &pair.private_key);
        round_trip(JweAlg::RSA_OAEP_256, JweEnc::A256CBC_HS512, public, private, &plaintext, aad.as_deref())?;
    }
}

// ------------------------------------------------------------ never panic

/// Runs every decryption entry point on `input`; returns whether any of
/// them accepted it (garbage must not decrypt, and nothing may panic).
fn decrypt_everything(input: &str) -> bool {
    let options = permissive();
    let keys = all_keys();
    let mut accepted = false;
    accepted |= compact_decrypt(input, keys, &options).is_ok();
    accepted |= compact_decrypt(input, dir_key(), &JweDecryptOptions::new()).is_ok();
    if let Ok(jwe) = FlattenedJwe::from_json(input) {
        accepted |= flattened_decrypt(&jwe, keys, &options).is_ok();
        accepted |= flattened_decrypt(&jwe, kw_key(), &JweDecryptOptions::new()).is_ok();
    }
    if let Ok(jwe) = GeneralJwe::from_json(input) {
        accepted |= general_decrypt(&jwe, keys, &options).is_ok();
        accepted |= general_decrypt(&jwe, &rsa().private_key, &JweDecryptOptions::new()).is_ok();
    }
    accepted |= jwt_decrypt::<JsonObject>(input, keys, &DecryptOptions::new().jwe(options.clone())).is_ok();
    accepted
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(any::<u8>(), 0..80).prop_map(|b| b64(&b)),
        // Lengths the algorithms expect, so that more inputs pass the length checks.
        4 => prop::sample::select(vec![12usize, 16, 24, 32, 40, 48, 64, 72, 256])
            .prop_flat_map(|len| prop::collection::vec(any::<u8>(), len))
            .prop_map(|b| b64(&b)),
        1 => "[A-Za-z0-9_=+/*-]{0,20}",
    ]
}

/// Arbitrary JSON, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        segment().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map(member_name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn member_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "alg", "enc", "zip", "kid", "typ", "cty", "crit", "jwk", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
            "kty", "crv", "x", "y", "d", "k", "n", "e", "x-ext", "iss", "sub", "aud",
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,4}",
    ]
}

/// Plausible values for the registered members, so headers often parse.
fn member_value(name: &str) -> BoxedStrategy<Value> {
    let names = |list: &'static [&'static str]| prop::sample::select(list.to_vec()).prop_map(Value::from).boxed();
    match name {
        "alg" => {
            let algs: Vec<&'static str> = JweAlg::ALL.iter().map(|a| a.name()).chain(["none", "HS256"]).collect();
            prop::sample::select(algs).prop_map(Value::from).boxed()
        }
        "enc" => {
            let encs: Vec<&'static str> = JweEnc::ALL.iter().map(|e| e.name()).chain(["A512GCM"]).collect();
            prop::sample::select(encs).prop_map(Value::from).boxed()
        }
        "zip" => names(&["DEF", "GZIP"]),
        "p2c" => prop_oneof![1u64..3000, Just(0u64), Just(u64::MAX), any::<u64>()]
            .prop_map(Value::from)
            .boxed(),
        "crit" => prop_oneof![Just(json!(["x-ext"])), Just(json!(["alg"])), json_value()].boxed(),
        "epk" => prop_oneof![
            epk_from(&x25519().public_key),
            epk_from(&p256().public_key),
            (segment(), segment()).prop_map(|(x, y)| json!({"kty": "EC", "crv": "P-256", "x": x, "y": y})),
            segment().prop_map(|x| json!({"kty": "OKP", "crv": "X25519", "x": x})),
            json_value(),
        ]
        .boxed(),
        "apu" | "apv" | "iv" | "tag" | "p2s" => segment().prop_map(Value::from).boxed(),
        _ => json_value().boxed(),
    }
}

fn epk_from(key: &Key) -> impl Strategy<Value = Value> + use<> {
    Just(serde_json::to_value(key.to_public_jwk().unwrap()).unwrap())
}

/// A header object: mostly registered members with plausible values.
fn header() -> impl Strategy<Value = Map<String, Value>> {
    let member = member_name().prop_flat_map(|name| member_value(&name).prop_map(move |value| (name.clone(), value)));
    (
        member_value("alg"),
        member_value("enc"),
        prop::collection::vec(member, 0..6),
    )
        .prop_map(|(alg, enc, rest)| {
            let mut map = Map::new();
            map.insert("alg".into(), alg);
            map.insert("enc".into(), enc);
            map.extend(rest);
            map
        })
}

/// Real headers for each algorithm, with what key management needs.
fn valid_header() -> impl Strategy<Value = Map<String, Value>> {
    let alg = prop::sample::select(JweAlg::ALL.to_vec());
    let enc = prop::sample::select(JweEnc::ALL.to_vec());
    (alg, enc, any::<bool>(), any::<bool>(), segment(), segment()).prop_map(|(alg, enc, epk_x25519, zip, a, b)| {
        let mut map = Map::new();
        map.insert("alg".into(), alg.name().into());
        map.insert("enc".into(), enc.name().into());
        if zip {
            map.insert("zip".into(), "DEF".into());
        }
        let name = alg.name();
        if name.starts_with("ECDH-ES") {
            let key = if epk_x25519 {
                &x25519().public_key
            } else {
                &p256().public_key
            };
            map.insert(
                "epk".into(),
                serde_json::to_value(key.to_public_jwk().unwrap()).unwrap(),
            );
        } else if name.starts_with("PBES2") {
            map.insert("p2s".into(), b64(&[7u8; 16]).into());
            map.insert("p2c".into(), 100.into());
        } else if name.contains("GCMKW") {
            map.insert("iv".into(), a.into());
            map.insert("tag".into(), b.into());
        }
        map
    })
}

fn encode_header(map: &Map<String, Value>) -> String {
    b64(Value::Object(map.clone()).to_string().as_bytes())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_strings_never_panic(input in ".{0,400}") {
        prop_assert!(!decrypt_everything(&input));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        prop_assert!(!decrypt_everything(&String::from_utf8_lossy(&bytes)));
    }

    #[test]
    fn token_alphabet_never_panics(input in "[A-Za-z0-9_.-]{0,400}") {
        prop_assert!(!decrypt_everything(&input));
    }

    #[test]
    fn five_random_segments_never_panic(parts in prop::collection::vec(segment(), 5)) {
        let token = parts.join(".");
        prop_assert!(!decrypt_everything(&token));
        prop_assert!(compact_decrypt(&token, all_keys(), &permissive()).is_err());
    }

    #[test]
    fn valid_header_and_random_parts_never_decrypt(
        header in valid_header(),
        parts in prop::collection::vec(segment(), 4),
    ) {
        let token = format!("{}.{}", encode_header(&header), parts.join("."));
        prop_assert!(!decrypt_everything(&token));
        prop_assert!(compact_decrypt(&token, all_keys(), &permissive()).is_err());
        for key in all_keys().keys() {
            prop_assert!(compact_decrypt(&token, key, &permissive()).is_err());
        }
    }

    #[test]
    fn fuzzed_headers_never_panic(header in header(), parts in prop::collection::vec(segment(), 4)) {
        let token = format!("{}.{}", encode_header(&header), parts.join("."));
        prop_assert!(!decrypt_everything(&token));
        prop_assert!(compact_decrypt(&token, all_keys(), &permissive()).is_err());
    }

    #[test]
    fn fuzzed_json_serializations_never_panic(
        protected in prop::option::of(header()),
        shared in prop::option::of(header()),
        recipient in prop::option::of(header()),
        recipients in prop::collection::vec((prop::option::of(header()), prop::option::of(segment())), 0..3),
        encrypted_key in prop::option::of(segment()),
        aad in prop::option::of(segment()),
        iv in segment(),
        ciphertext in segment(),
        tag in segment(),
    ) {
        let mut flattened = Map::new();
        if let Some(protected) = &protected {
            flattened.insert("protected".into(), encode_header(protected).into());
        }
        if let Some(shared) = shared {
            flattened.insert("unprotected".into(), Value::Object(shared));
        }
        if let Some(aad) = aad {
            flattened.insert("aad".into(), aad.into());
        }
        flattened.insert("iv".into(), iv.into());
        flattened.insert("ciphertext".into(), ciphertext.into());
        flattened.insert("tag".into(), tag.into());
        let mut general = flattened.clone();
        general.insert(
            "recipients".into(),
            recipients
                .into_iter()
                .map(|(header, key)| {
                    let mut r = Map::new();
                    if let Some(header) = header {
                        r.insert("header".into(), Value::Object(header));
                    }
                    if let Some(key) = key {
                        r.insert("encrypted_key".into(), key.into());
                    }
                    Value::Object(r)
                })
                .collect(),
        );
        if let Some(recipient) = recipient {
            flattened.insert("header".into(), Value::Object(recipient));
        }
        if let Some(key) = encrypted_key {
            flattened.insert("encrypted_key".into(), key.into());
        }
        prop_assert!(!decrypt_everything(&Value::Object(flattened).to_string()));
        prop_assert!(!decrypt_everything(&Value::Object(general).to_string()));
    }
}
