//! Conformance with the published JWE examples.
//!
//! Every vector is read from `tests/vectors/` (see its `MANIFEST.md` for
//! sources and licenses):
//!
//! - RFC 7516 appendix A (erlang-jose and hotplace copies),
//! - RFC 7520 section 5 and the nested example of section 6 (the IETF JOSE
//!   cookbook, and latchset-jose's copies of section 5),
//! - RFC 7518 appendix C (ECDH-ES key agreement, hotplace's keys),
//! - RFC 8037 X25519 (the cookbook's `curve25519/` and erlang-jose's A.6, A.7).
//!
//! Every example is decrypted in every serialization it is published in.
//! Then it is encrypted again with the public builders and the values the
//! example fixes (CEK, IV, ephemeral key, PBES2 salt and count, AES-GCM key
//! wrap IV, protected header text, unprotected headers, AAD): where every
//! input is fixed the output must equal the published one byte for byte.
//! RSA-OAEP pads with fresh randomness, so there everything but the
//! encrypted key must match; RSA1_5 is never used to encrypt at all.

mod common;

use std::path::Path;

use rjose::jwe::{
    CompactEncrypt, DEFAULT_MAX_DECOMPRESSED_SIZE, DecryptedJwe, FlattenedEncrypt, FlattenedJwe, GeneralEncrypt,
    GeneralJwe, JweAlg, JweDecryptOptions, JweEnc, JweHeader, KeyManagementParameters, compact_decrypt,
    flattened_decrypt, general_decrypt,
};
use rjose::jws::{JwsVerifyOptions, compact_verify};
use rjose::jwt::{DecryptOptions, VerifyOptions, decrypt_nested_jwt, jwt_decrypt};
use rjose::{Alg, Error, JsonObject, Jwk, Key, KeySource, LocalJwkSet};
use serde_json::{Value, json};

use common::vectors::{TestResult, erlang_bytes, erlang_str, hex, key_from_value, read, read_json, str_at, unb64};
use common::{RSA_DECRYPTS, assert_rsa_decryption_refused, assert_rsa_decryption_refused_in_general, b64};

// ---------------------------------------------------------------------------
// Reading vectors
// ---------------------------------------------------------------------------

fn header_from_value(header: &Value) -> TestResult<JweHeader> {
    Ok(serde_json::from_value(header.clone())?)
}

/// The parts of a compact JWE.
fn parts(compact: &str) -> TestResult<[&str; 5]> {
    let parts: Vec<&str> = compact.split('.').collect();
    parts
        .try_into()
        .map_err(|p: Vec<&str>| format!("a compact JWE has 5 parts, this one {}", p.len()).into())
}

/// The protected header of a compact JWE, parsed.
fn compact_protected_header(compact: &str) -> TestResult<Value> {
    Ok(serde_json::from_slice(&unb64(parts(compact)?[0])?)?)
}

/// The key that encrypts to `key`: its public half, or the secret itself.
fn encryption_key(key: &Key) -> TestResult<Key> {
    if key.is_symmetric() {
        return Ok(key.clone());
    }
    let public = key.public_key()?;
    assert!(!public.is_private(), "public_key() returned a private key");
    Ok(public)
}

fn allowing(alg: JweAlg) -> JweDecryptOptions {
    JweDecryptOptions::new().key_management_algorithms([alg])
}

/// Decrypts one serialization of a published JWE. The outer error is a
/// problem with the vector, the inner result the library's answer.
fn decrypt_serialization<K: KeySource<JweHeader> + ?Sized>(
    form: &str,
    output: &Value,
    keys: &K,
    options: &JweDecryptOptions,
) -> TestResult<rjose::Result<DecryptedJwe>> {
    Ok(match form {
        "compact" => compact_decrypt(output.as_str().ok_or("compact output is not a string")?, keys, options),
        "json" if output.get("recipients").is_none() => {
            // RFC 7520 prints the general JSON of its direct-mode examples
            // (5.5, 5.6, and the cookbook's X25519 one) without "recipients",
            // which RFC 7516 section 7.2.1 requires ("even if ... the empty
            // JSON object"): the general parser refuses it, and the object
            // is in fact a flattened JWE without an encrypted key.
            let text = output.to_string();
            assert!(
                matches!(GeneralJwe::from_json(&text), Err(Error::JweInvalid(_))),
                "a general JWE without \"recipients\" must be refused"
            );
            FlattenedJwe::from_json(&text).and_then(|jwe| flattened_decrypt(&jwe, keys, options))
        }
        "json" => GeneralJwe::from_json(&output.to_string()).and_then(|jwe| general_decrypt(&jwe, keys, options)),
        "json_flat" => {
            FlattenedJwe::from_json(&output.to_string()).and_then(|jwe| flattened_decrypt(&jwe, keys, options))
        }
        other => return Err(format!("unknown serialization {other:?}").into()),
    })
}

/// Each recipient of a general JWE (as JSON) as a flattened JWE of its own.
fn recipients_alone(general: &Value, recipients: &Value) -> TestResult<Vec<Value>> {
    let mut alone = Vec::new();
    for recipient in recipients.as_array().ok_or("recipients is not an array")? {
        let mut flattened = general.clone();
        let object = flattened.as_object_mut().ok_or("not an object")?;
        object.remove("recipients");
        for member in ["header", "encrypted_key"] {
            if let Some(value) = recipient.get(member) {
                object.insert(member.to_owned(), value.clone());
            }
        }
        alone.push(flattened);
    }
    Ok(alone)
}

// ---------------------------------------------------------------------------
// RFC 7520 cookbook examples
// ---------------------------------------------------------------------------

const FORMS: [&str; 3] = ["compact", "json", "json_flat"];

/// How much of a re-encryption can equal the published JWE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Every input is fixed: byte for byte.
    Identical,
    /// RSA-OAEP pads with fresh randomness: all but the encrypted key.
    RandomEncryptedKey,
    /// `zip: "DEF"`: DEFLATE output is not canonical, and this library's
    /// compressor (miniz_oxide) does not emit the stream the cookbook's did,
    /// so the ciphertext and tag differ; all else must match.
    RecompressedContent,
}

/// One recipient of a re-encryption.
struct Recipient {
    /// The key to encrypt to (the public half for RSA and ECDH).
    key: Key,
    /// Its unprotected header, without what key management adds.
    header: Option<JweHeader>,
    /// The fixed ephemeral key, GCM key wrap IV, PBES2 salt and count.
    params: KeyManagementParameters,
}

/// The key management values an example fixes (`encrypting_key`).
fn fixed_params(encrypting_key: &Value) -> TestResult<KeyManagementParameters> {
    let mut params = KeyManagementParameters::new();
    if let Some(epk) = encrypting_key.get("epk") {
        if epk.get("d").is_none() {
            return Err("the ephemeral key has no \"d\": the example cannot be reproduced".into());
        }
        params.ephemeral_key = Some(key_from_value(epk)?);
    }
    if let Some(iv) = encrypting_key.get("iv") {
        params.iv = Some(unb64(iv.as_str().ok_or("encrypting_key.iv is not a string")?)?);
    }
    if let Some(salt) = encrypting_key.get("salt") {
        params.p2s = Some(unb64(salt.as_str().ok_or("encrypting_key.salt is not a string")?)?);
    }
    if let Some(count) = encrypting_key.get("iteration_count") {
        params.p2c = Some(count.as_u64().ok_or("encrypting_key.iteration_count is not a count")?);
    }
    Ok(params)
}

/// A published per-recipient header without the members key management
/// writes itself (`epk`, `iv`, `tag`...): what a sender passes in.
fn sender_recipient_header(header: Option<&Value>) -> TestResult<Option<JweHeader>> {
    let Some(header) = header else { return Ok(None) };
    let mut header = header.as_object().ok_or("recipient header is not an object")?.clone();
    for produced in ["epk", "apu", "apv", "iv", "tag", "p2s", "p2c"] {
        header.remove(produced);
    }
    (!header.is_empty())
        .then(|| header_from_value(&Value::Object(header)))
        .transpose()
}

/// Removes the encrypted keys of a JSON-serialized JWE, flattened or general.
fn take_encrypted_keys(jwe: &mut Value) -> Vec<Value> {
    let mut keys = Vec::new();
    if let Some(key) = jwe.as_object_mut().and_then(|o| o.remove("encrypted_key")) {
        keys.push(key);
    }
    if let Some(recipients) = jwe.get_mut("recipients").and_then(Value::as_array_mut) {
        for recipient in recipients {
            if let Some(key) = recipient.as_object_mut().and_then(|o| o.remove("encrypted_key")) {
                keys.push(key);
            }
        }
    }
    keys
}

/// One JWE example of the cookbook: the file's root, or `encrypt` of the
/// nesting example.
struct Example {
    name: String,
    doc: Value,
}

impl Example {
    fn load(rel: &str) -> TestResult<Example> {
        Ok(Example {
            name: rel.to_owned(),
            doc: read_json(rel)?,
        })
    }

    fn jwe(rel: &str) -> TestResult<Example> {
        Self::load(&format!("rfc7520-cookbook/jwe/{rel}"))
    }

    fn plaintext(&self) -> TestResult<Vec<u8>> {
        Ok(str_at(&self.doc, "/input/plaintext")?.as_bytes().to_vec())
    }

    /// The additional authenticated data, when the example has some.
    fn aad(&self) -> Option<Vec<u8>> {
        self.doc
            .pointer("/input/aad")
            .and_then(Value::as_str)
            .map(|a| a.as_bytes().to_vec())
    }

    /// The example's (single) key.
    fn key(&self) -> TestResult<Key> {
        key_from_value(&self.doc["input"]["key"])
    }

    fn output(&self, form: &str) -> Option<&Value> {
        self.doc["output"].get(form)
    }

    /// The exact protected header text, when there is a protected header.
    fn protected_text(&self) -> TestResult<Option<String>> {
        match self.doc.pointer("/encrypting_content/protected_b64u") {
            None => Ok(None),
            Some(encoded) => {
                let bytes = unb64(encoded.as_str().ok_or("protected_b64u is not a string")?)?;
                Ok(Some(String::from_utf8(bytes)?))
            }
        }
    }

    /// The shared unprotected header, when there is one.
    fn shared_header(&self) -> TestResult<Option<JweHeader>> {
        self.doc
            .pointer("/encrypting_content/unprotected")
            .map(header_from_value)
            .transpose()
    }

    fn generated(&self, name: &str) -> TestResult<Option<Vec<u8>>> {
        self.doc["generated"]
            .get(name)
            .and_then(Value::as_str)
            .map(unb64)
            .transpose()
    }

    /// The one recipient of a single-recipient example, encrypting to `key`.
    fn single_recipient(&self, key: &Key) -> TestResult<Recipient> {
        let header = self.doc.pointer("/output/json/recipients/0/header");
        Ok(Recipient {
            key: encryption_key(key)?,
            header: sender_recipient_header(header)?,
            params: fixed_params(&self.doc["encrypting_key"])?,
        })
    }

    /// Decrypts every serialization in `output` and checks the plaintext
    /// and AAD. Returns the serializations it decrypted.
    fn decrypt_every_serialization<K: KeySource<JweHeader> + ?Sized>(
        &self,
        keys: &K,
        options: &JweDecryptOptions,
    ) -> TestResult<Vec<&'static str>> {
        let plaintext = self.plaintext()?;
        let mut decrypted_forms = Vec::new();
        for form in FORMS {
            let Some(output) = self.output(form) else { continue };
            let decrypted = decrypt_serialization(form, output, keys, options)?
                .map_err(|e| format!("{}: {form} does not decrypt: {e}", self.name))?;
            assert_eq!(decrypted.plaintext, plaintext, "{}: {form} plaintext", self.name);
            let aad = if form == "compact" { None } else { self.aad() };
            assert_eq!(
                decrypted.additional_authenticated_data, aad,
                "{}: {form} AAD",
                self.name
            );
            decrypted_forms.push(form);
        }
        assert!(
            !decrypted_forms.is_empty(),
            "{}: no serialization to decrypt",
            self.name
        );
        Ok(decrypted_forms)
    }

    /// Shows that every serialization of the example is refused with
    /// `options`, for the `expected` reason. The general serialization, like
    /// the JS library's `generalDecrypt`, tries each recipient and reports
    /// any failure but a malformed JWE as [`Error::JweDecryptionFailed`]:
    /// so each of its recipients is also decrypted alone, as a flattened
    /// JWE, where the reason shows, and the general result must be the one
    /// those reasons add up to.
    fn refused_in_every_serialization<K: KeySource<JweHeader> + ?Sized>(
        &self,
        keys: &K,
        options: &JweDecryptOptions,
        expected: impl Fn(&Error) -> bool,
    ) -> TestResult {
        for form in FORMS {
            let Some(output) = self.output(form) else { continue };
            let result = decrypt_serialization(form, output, keys, options)?;
            let Some(recipients) = output.get("recipients").filter(|_| form == "json") else {
                match result {
                    Err(e) if expected(&e) => {}
                    other => panic!("{}: {form} should have been refused, got {other:?}", self.name),
                }
                continue;
            };
            let mut alone = Vec::new();
            for flattened in recipients_alone(output, recipients)? {
                match decrypt_serialization("json_flat", &flattened, keys, options)? {
                    Err(e) if expected(&e) => alone.push(e),
                    other => panic!(
                        "{}: a recipient alone should have been refused, got {other:?}",
                        self.name
                    ),
                }
            }
            match (result, alone.last()) {
                (Err(Error::JweInvalid(_)), Some(Error::JweInvalid(_))) => {}
                (Err(Error::JweDecryptionFailed), Some(last)) if !matches!(last, Error::JweInvalid(_)) => {}
                (other, last) => panic!(
                    "{}: general form gave {other:?}, its last recipient alone {last:?}",
                    self.name
                ),
            }
        }
        Ok(())
    }

    /// Encrypts the plaintext again in every serialization the example is
    /// published in, with every value it fixes, and compares with the
    /// published output; each of ours must also decrypt with `decryption_key`.
    fn reencrypt_every_serialization(
        &self,
        recipients: &[Recipient],
        expect: Expect,
        decryption_key: &Key,
        options: &JweDecryptOptions,
    ) -> TestResult<Vec<&'static str>> {
        let plaintext = self.plaintext()?;
        let protected = self.protected_text()?;
        let shared = self.shared_header()?;
        let aad = self.aad();
        let cek = self.generated("cek")?;
        let iv = self.generated("iv")?.ok_or("the example fixes no IV")?;
        let mut reproduced = Vec::new();
        // Ours are still made with the pure-Rust provider; only their
        // decryption is refused, which is checked instead.
        let refused = !RSA_DECRYPTS && decryption_key.kty() == "RSA";

        if let Some(published) = self.output("compact") {
            let published = published.as_str().ok_or("compact output is not a string")?;
            let [recipient] = recipients else {
                return Err("compact means one recipient".into());
            };
            let mut builder = CompactEncrypt::new(&plaintext)
                .protected_header_json(protected.as_deref().ok_or("compact means a protected header")?)
                .key_management_parameters(recipient.params.clone())
                .initialization_vector(&iv);
            if let Some(cek) = &cek {
                builder = builder.content_encryption_key(cek);
            }
            let ours = builder.encrypt(&recipient.key)?;
            let (ours_parts, published_parts) = (parts(&ours)?, parts(published)?);
            match expect {
                Expect::Identical => assert_eq!(ours, published, "{}: compact", self.name),
                Expect::RandomEncryptedKey => {
                    for i in [0, 2, 3, 4] {
                        assert_eq!(ours_parts[i], published_parts[i], "{}: compact part {i}", self.name);
                    }
                    assert!(!ours_parts[1].is_empty(), "{}: compact has no encrypted key", self.name);
                    assert_ne!(
                        ours_parts[1], published_parts[1],
                        "{}: the encrypted key is not random",
                        self.name
                    );
                }
                Expect::RecompressedContent => {
                    assert_eq!(
                        ours_parts[..3],
                        published_parts[..3],
                        "{}: compact header, key, IV",
                        self.name
                    );
                }
            }
            if refused {
                assert_rsa_decryption_refused(compact_decrypt(&ours, decryption_key, options));
            } else {
                let decrypted = compact_decrypt(&ours, decryption_key, options)?;
                assert_eq!(
                    decrypted.plaintext, plaintext,
                    "{}: our compact JWE decrypts",
                    self.name
                );
            }
            reproduced.push("compact");
        }

        if let Some(published) = self.output("json") {
            let mut builder = GeneralEncrypt::new(&plaintext).initialization_vector(&iv);
            if let Some(text) = &protected {
                builder = builder.protected_header_json(text);
            }
            if let Some(shared) = &shared {
                builder = builder.shared_unprotected_header(shared.clone());
            }
            if let Some(aad) = &aad {
                builder = builder.aad(aad);
            }
            if let Some(cek) = &cek {
                builder = builder.content_encryption_key(cek);
            }
            for recipient in recipients {
                let header = recipient.header.clone().unwrap_or_default();
                builder = builder.add_recipient_with(&recipient.key, header, recipient.params.clone());
            }
            let ours = builder.encrypt()?;
            let mut ours_value = serde_json::to_value(&ours)?;
            if published.get("recipients").is_none() {
                // The direct-mode examples omit "recipients" (see
                // decrypt_serialization); ours has the one empty recipient
                // RFC 7516 section 7.2.1 asks for.
                let removed = ours_value.as_object_mut().and_then(|o| o.remove("recipients"));
                assert_eq!(
                    removed,
                    Some(json!([{}])),
                    "{}: direct mode has one empty recipient",
                    self.name
                );
            }
            self.compare_json("json", ours_value, published, expect);
            if refused {
                assert_rsa_decryption_refused_in_general(general_decrypt(&ours, decryption_key, options));
            } else {
                let decrypted = general_decrypt(&ours, decryption_key, options)?;
                assert_eq!(
                    decrypted.plaintext, plaintext,
                    "{}: our general JWE decrypts",
                    self.name
                );
            }
            reproduced.push("json");
        }

        if let Some(published) = self.output("json_flat") {
            let [recipient] = recipients else {
                return Err("flattened means one recipient".into());
            };
            let mut builder = FlattenedEncrypt::new(&plaintext)
                .key_management_parameters(recipient.params.clone())
                .initialization_vector(&iv);
            if let Some(text) = &protected {
                builder = builder.protected_header_json(text);
            }
            if let Some(shared) = &shared {
                builder = builder.shared_unprotected_header(shared.clone());
            }
            if let Some(header) = &recipient.header {
                builder = builder.unprotected_header(header.clone());
            }
            if let Some(aad) = &aad {
                builder = builder.aad(aad);
            }
            if let Some(cek) = &cek {
                builder = builder.content_encryption_key(cek);
            }
            let ours = builder.encrypt(&recipient.key)?;
            self.compare_json("json_flat", serde_json::to_value(&ours)?, published, expect);
            if refused {
                assert_rsa_decryption_refused(flattened_decrypt(&ours, decryption_key, options));
            } else {
                let decrypted = flattened_decrypt(&ours, decryption_key, options)?;
                assert_eq!(
                    decrypted.plaintext, plaintext,
                    "{}: our flattened JWE decrypts",
                    self.name
                );
            }
            reproduced.push("json_flat");
        }

        assert!(!reproduced.is_empty(), "{}: no serialization to reproduce", self.name);
        Ok(reproduced)
    }

    /// Compares JSON serializations member by member (JSON member order is
    /// not significant; every base64url value must be identical).
    fn compare_json(&self, form: &str, mut ours: Value, published: &Value, expect: Expect) {
        let mut published = published.clone();
        if expect == Expect::RecompressedContent {
            for jwe in [&mut ours, &mut published] {
                if let Some(members) = jwe.as_object_mut() {
                    members.remove("ciphertext");
                    members.remove("tag");
                }
            }
        }
        if expect == Expect::RandomEncryptedKey {
            let (ours_keys, published_keys) = (take_encrypted_keys(&mut ours), take_encrypted_keys(&mut published));
            assert_eq!(
                ours_keys.len(),
                published_keys.len(),
                "{}: {form} encrypted key count",
                self.name
            );
            for (o, p) in ours_keys.iter().zip(&published_keys) {
                assert_ne!(o, p, "{}: {form} encrypted key is not random", self.name);
            }
        }
        assert_eq!(ours, published, "{}: {form}", self.name);
    }
}

/// A deterministic single-recipient example, decrypted with its own key and
/// the default options: decrypts in exactly the `expected` serializations
/// and is reproduced byte for byte in each of them.
fn decrypt_and_reproduce(rel: &str, expected: &[&str]) -> TestResult<Example> {
    let example = Example::jwe(rel)?;
    let key = example.key()?;
    let options = JweDecryptOptions::new();
    let decrypted = example.decrypt_every_serialization(&key, &options)?;
    assert_eq!(decrypted, expected, "{rel}: the published serializations decrypt");
    let recipient = example.single_recipient(&key)?;
    let reproduced = example.reencrypt_every_serialization(&[recipient], Expect::Identical, &key, &options)?;
    assert_eq!(
        reproduced, expected,
        "{rel}: every published serialization is reproduced"
    );
    Ok(example)
}

/// The serializations the cookbook gives for 5.10-5.12: the compact
/// serialization cannot carry AAD, an unprotected header, or the absence
/// of a protected header.
const JSON_FORMS: [&str; 2] = ["json", "json_flat"];

/// The pure-Rust provider's refusal of RSA decryption: under it, the RSA
/// examples check this instead of their plaintext.
fn is_rsa_refusal(error: &Error) -> bool {
    matches!(error, Error::NotSupported(message) if message.contains("RUSTSEC-2023-0071"))
}

#[test]
fn rfc7520_5_1_rsa1_5_decrypts_in_every_serialization_only_when_allowed() -> TestResult {
    let example = Example::jwe("5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json")?;
    let key = example.key()?;
    example.refused_in_every_serialization(
        &key,
        &JweDecryptOptions::new(),
        |e| matches!(e, Error::AlgNotAllowed { alg, .. } if alg == "RSA1_5"),
    )?;
    if !RSA_DECRYPTS {
        return example.refused_in_every_serialization(&key, &allowing(JweAlg::RSA1_5), is_rsa_refusal);
    }
    let forms = example.decrypt_every_serialization(&key, &allowing(JweAlg::RSA1_5))?;
    assert_eq!(forms, FORMS);
    Ok(())
}

#[test]
fn rfc7520_5_1_cannot_be_reencrypted_because_rsa1_5_never_encrypts() -> TestResult {
    // The cookbook marks 5.1 reproducible (PKCS#1 v1.5 padding is random,
    // but the CEK and IV are fixed); this library refuses to produce RSA1_5.
    let example = Example::jwe("5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json")?;
    let recipient = example.single_recipient(&example.key()?)?;
    let cek = example.generated("cek")?.ok_or("no CEK")?;
    let iv = example.generated("iv")?.ok_or("no IV")?;
    let result = CompactEncrypt::new(&example.plaintext()?)
        .protected_header_json(&example.protected_text()?.ok_or("no protected header")?)
        .content_encryption_key(&cek)
        .initialization_vector(&iv)
        .encrypt(&recipient.key);
    assert!(
        matches!(result, Err(Error::NotSupported(_))),
        "RSA1_5 encryption: {result:?}"
    );
    Ok(())
}

#[test]
fn rfc7520_5_2_rsa_oaep_decrypts_in_every_serialization() -> TestResult {
    let example = Example::jwe("5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json")?;
    if !RSA_DECRYPTS {
        return example.refused_in_every_serialization(&example.key()?, &JweDecryptOptions::new(), is_rsa_refusal);
    }
    let forms = example.decrypt_every_serialization(&example.key()?, &JweDecryptOptions::new())?;
    assert_eq!(forms, FORMS);
    Ok(())
}

#[test]
fn rfc7520_5_2_rsa_oaep_reencryption_reproduces_all_but_the_random_encrypted_key() -> TestResult {
    let example = Example::jwe("5_2.key_encryption_using_rsa-oaep_with_aes-gcm.json")?;
    let key = example.key()?;
    let recipient = example.single_recipient(&key)?;
    let forms = example.reencrypt_every_serialization(
        &[recipient],
        Expect::RandomEncryptedKey,
        &key,
        &JweDecryptOptions::new(),
    )?;
    assert_eq!(forms.len(), 3);
    Ok(())
}

#[test]
fn rfc7520_5_3_pbes2_decrypts_only_when_allowed_and_within_the_iteration_cap() -> TestResult {
    let example = Example::jwe("5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json")?;
    let password = Key::from_secret(str_at(&example.doc, "/input/pwd")?)?;
    let p2c = example.doc["encrypting_key"]["iteration_count"]
        .as_u64()
        .ok_or("no iteration count")?;
    // The example's 8192 iterations are within the default cap of 10,000.
    assert!(p2c <= rjose::jwe::DEFAULT_MAX_PBES2_COUNT);
    example.refused_in_every_serialization(
        &password,
        &JweDecryptOptions::new(),
        |e| matches!(e, Error::AlgNotAllowed { alg, .. } if alg == "PBES2-HS512+A256KW"),
    )?;
    let allowed = allowing(JweAlg::PBES2_HS512_A256KW);
    example.refused_in_every_serialization(&password, &allowed.clone().max_pbes2_count(p2c - 1), |e| {
        matches!(e, Error::JweInvalid(_))
    })?;
    let forms = example.decrypt_every_serialization(&password, &allowed)?;
    assert_eq!(forms, FORMS);
    Ok(())
}

#[test]
fn rfc7520_5_3_pbes2_is_reproduced_byte_for_byte_with_the_fixed_salt_and_count() -> TestResult {
    let example = Example::jwe("5_3.key_wrap_using_pbes2-aes-keywrap_with-aes-cbc-hmac-sha2.json")?;
    let password = Key::from_secret(str_at(&example.doc, "/input/pwd")?)?;
    let options = allowing(JweAlg::PBES2_HS512_A256KW);
    let recipient = example.single_recipient(&password)?;
    assert_eq!(recipient.params.p2c, Some(8192));
    let forms = example.reencrypt_every_serialization(&[recipient], Expect::Identical, &password, &options)?;
    assert_eq!(forms.len(), 3);
    Ok(())
}

#[test]
fn rfc7520_5_4_ecdh_es_a128kw_p384_decrypts_and_is_reproduced_with_the_fixed_ephemeral_key() -> TestResult {
    let rel = "5_4.key_agreement_with_key_wrapping_using_ecdh-es_and_aes-keywrap_with_aes-gcm.json";
    let example = decrypt_and_reproduce(rel, &FORMS)?;
    assert!(example.doc.pointer("/encrypting_key/epk/d").is_some());
    Ok(())
}

#[test]
fn rfc7520_5_5_ecdh_es_direct_p256_decrypts_and_is_reproduced_with_the_fixed_ephemeral_key() -> TestResult {
    let rel = "5_5.key_agreement_using_ecdh-es_with_aes-cbc-hmac-sha2.json";
    let example = decrypt_and_reproduce(rel, &FORMS)?;
    // The derived key is the CEK: the example gives it but it is not an input.
    assert!(example.generated("cek")?.is_none());
    assert!(example.doc["encrypting_key"].get("cek").is_some());
    Ok(())
}

#[test]
fn rfc7520_5_6_dir_a128gcm_decrypts_and_is_reproduced_byte_for_byte() -> TestResult {
    let rel = "5_6.direct_encryption_using_aes-gcm.json";
    decrypt_and_reproduce(rel, &FORMS)?;
    Ok(())
}

#[test]
fn rfc7520_5_7_a256gcmkw_decrypts_and_is_reproduced_with_the_fixed_key_wrap_iv() -> TestResult {
    let rel = "5_7.key_wrap_using_aes-gcm_keywrap_with_aes-cbc-hmac-sha2.json";
    decrypt_and_reproduce(rel, &FORMS)?;
    Ok(())
}

#[test]
fn rfc7520_5_8_a128kw_a128gcm_decrypts_and_is_reproduced_byte_for_byte() -> TestResult {
    let rel = "5_8.key_wrap_using_aes-keywrap_with_aes-gcm.json";
    decrypt_and_reproduce(rel, &FORMS)?;
    Ok(())
}

#[test]
fn rfc7520_5_9_compressed_content_decrypts_only_when_decompression_is_allowed() -> TestResult {
    let example = Example::jwe("5_9.compressed_content.json")?;
    let key = example.key()?;
    example.refused_in_every_serialization(&key, &JweDecryptOptions::new(), |e| matches!(e, Error::NotSupported(_)))?;
    let options = JweDecryptOptions::new().allow_decompression(DEFAULT_MAX_DECOMPRESSED_SIZE);
    let forms = example.decrypt_every_serialization(&key, &options)?;
    assert_eq!(forms, FORMS);
    // A limit below the plaintext's size refuses it.
    let too_small = JweDecryptOptions::new().allow_decompression(example.plaintext()?.len() - 1);
    example.refused_in_every_serialization(&key, &too_small, |e| matches!(e, Error::JweInvalid(_)))?;
    Ok(())
}

#[test]
fn rfc7520_5_9_compressed_content_reencryption_matches_all_but_the_recompressed_ciphertext() -> TestResult {
    let example = Example::jwe("5_9.compressed_content.json")?;
    let key = example.key()?;
    let options = JweDecryptOptions::new().allow_decompression(DEFAULT_MAX_DECOMPRESSED_SIZE);
    let recipient = example.single_recipient(&key)?;
    let forms = example.reencrypt_every_serialization(&[recipient], Expect::RecompressedContent, &key, &options)?;
    assert_eq!(forms, FORMS);
    Ok(())
}

#[test]
fn rfc7520_5_10_additional_authenticated_data_decrypts_and_is_reproduced_byte_for_byte() -> TestResult {
    let rel = "5_10.including_additional_authentication_data.json";
    let example = decrypt_and_reproduce(rel, &JSON_FORMS)?;
    let aad = example.aad().ok_or("5.10 has AAD")?;
    assert_eq!(b64(&aad), str_at(&example.doc, "/generated/aad_b64u")?);
    Ok(())
}

#[test]
fn rfc7520_5_10_tampered_aad_fails_to_decrypt() -> TestResult {
    let example = Example::jwe("5_10.including_additional_authentication_data.json")?;
    let mut jwe = FlattenedJwe::from_json(&example.output("json_flat").ok_or("no json_flat")?.to_string())?;
    jwe.aad = Some(b64(b"[\"vcard\",[]]"));
    let result = flattened_decrypt(&jwe, &example.key()?, &JweDecryptOptions::new());
    assert!(matches!(result, Err(Error::JweDecryptionFailed)), "{result:?}");
    Ok(())
}

#[test]
fn rfc7520_5_11_unprotected_alg_and_kid_decrypt_and_are_reproduced_byte_for_byte() -> TestResult {
    let rel = "5_11.protecting_specific_header_fields.json";
    let example = decrypt_and_reproduce(rel, &JSON_FORMS)?;
    assert!(example.shared_header()?.is_some_and(|h| h.alg == Some(JweAlg::A128KW)));
    Ok(())
}

#[test]
fn rfc7520_5_12_without_protected_header_decrypts_and_is_reproduced_byte_for_byte() -> TestResult {
    let rel = "5_12.protecting_content_only.json";
    let example = decrypt_and_reproduce(rel, &JSON_FORMS)?;
    assert!(example.protected_text()?.is_none());
    Ok(())
}

const MULTIPLE: &str = "5_13.encrypting_to_multiple_recipients.json";

#[test]
fn rfc7520_5_13_each_recipient_decrypts_with_its_own_key() -> TestResult {
    let example = Example::jwe(MULTIPLE)?;
    let keys: Vec<Key> = example.doc["input"]["key"]
        .as_array()
        .ok_or("5.13 has a list of keys")?
        .iter()
        .map(key_from_value)
        .collect::<TestResult<_>>()?;
    let [rsa, ec, oct] = keys.as_slice() else {
        return Err("5.13 has three keys".into());
    };
    // input.enc is "A128CBC-H256" upstream (a typo, not an algorithm); the
    // protected header, which is what counts, says A128CBC-HS256.
    assert_eq!(JweEnc::from_name(str_at(&example.doc, "/input/enc")?), None);
    let protected = example.protected_text()?.ok_or("no protected header")?;
    assert_eq!(
        header_from_value(&serde_json::from_str::<Value>(&protected)?)?.enc,
        Some(JweEnc::A128CBC_HS256)
    );

    // The RSA1_5 recipient is skipped unless RSA1_5 is allowed, and the
    // RSA key serves neither of the others: the general form, having tried
    // them all, reports a plain decryption failure.
    let default = JweDecryptOptions::new();
    let general = example.output("json").ok_or("5.13 is published as general JSON")?;
    assert!(matches!(
        decrypt_serialization("json", general, rsa, &default)?,
        Err(Error::JweDecryptionFailed)
    ));
    let alone = recipients_alone(general, &general["recipients"])?;
    let reasons: Vec<String> = alone
        .iter()
        .map(|flattened| {
            Ok(format!(
                "{:?}",
                decrypt_serialization("json_flat", flattened, rsa, &default)?
            ))
        })
        .collect::<TestResult<_>>()?;
    assert_eq!(
        reasons,
        [
            r#"Err(AlgNotAllowed { alg: "RSA1_5", reason: Some("PBES2 and RSA1_5 are accepted only when named in the key management algorithms") })"#,
            r#"Err(InvalidKeyUse("the key is RSA; the token is ECDH-ES+A256KW"))"#,
            r#"Err(InvalidKeyUse("the key is RSA; the token is A256GCMKW"))"#,
        ]
    );
    if !RSA_DECRYPTS {
        // Allowed, the RSA1_5 recipient alone shows the pure-Rust
        // provider's refusal; the other two still decrypt below.
        let refused = decrypt_serialization("json_flat", &alone[0], rsa, &allowing(JweAlg::RSA1_5))?;
        assert!(refused.as_ref().is_err_and(is_rsa_refusal), "{refused:?}");
    }
    for (key, options, kid) in [
        (rsa, allowing(JweAlg::RSA1_5), "frodo.baggins@hobbiton.example"),
        (ec, JweDecryptOptions::new(), "peregrin.took@tuckborough.example"),
        (oct, JweDecryptOptions::new(), "18ec08e1-bfa9-4d95-b205-2b4dd1d4321d"),
    ] {
        if key.kty() == "RSA" && !RSA_DECRYPTS {
            continue;
        }
        example.decrypt_every_serialization(key, &options)?;
        let decrypted = decrypt_serialization("json", example.output("json").ok_or("no json")?, key, &options)??;
        let recipient = decrypted.unprotected_header.ok_or("no recipient header")?;
        assert_eq!(recipient.kid.as_deref(), Some(kid));
        assert_eq!(
            decrypted.shared_unprotected_header.and_then(|h| h.cty).as_deref(),
            Some("text/plain")
        );
    }

    // A key set picks the recipient by kid: the first allowed one decrypts.
    let set = LocalJwkSet::new(keys.clone()).allow_symmetric(true);
    for (options, kid) in [
        (JweDecryptOptions::new(), "peregrin.took@tuckborough.example"),
        (allowing(JweAlg::RSA1_5), "frodo.baggins@hobbiton.example"),
        (allowing(JweAlg::A256GCMKW), "18ec08e1-bfa9-4d95-b205-2b4dd1d4321d"),
    ] {
        if kid.starts_with("frodo") && !RSA_DECRYPTS {
            continue;
        }
        example.decrypt_every_serialization(&set, &options)?;
        let decrypted = decrypt_serialization("json", example.output("json").ok_or("no json")?, &set, &options)??;
        assert_eq!(decrypted.unprotected_header.and_then(|h| h.kid).as_deref(), Some(kid));
    }
    Ok(())
}

#[test]
fn rfc7520_5_13_ecdh_es_and_gcm_key_wrap_recipients_are_reproduced_byte_for_byte() -> TestResult {
    // The RSA1_5 recipient cannot be produced (RSA1_5 never encrypts), but
    // the content does not depend on the recipients: with the fixed CEK and
    // IV, the protected header, the shared header, IV, ciphertext and tag
    // must match, and the other two recipients too.
    let example = Example::jwe(MULTIPLE)?;
    let published = example.output("json").ok_or("5.13 has a general JWE")?;
    let keys = example.doc["input"]["key"]
        .as_array()
        .ok_or("5.13 has a list of keys")?;
    let encrypting = example.doc["encrypting_key"]
        .as_array()
        .ok_or("5.13 has a list of recipients")?;
    let published_recipients = published["recipients"].as_array().ok_or("no recipients")?;
    assert_eq!((keys.len(), encrypting.len(), published_recipients.len()), (3, 3, 3));

    let mut recipients = Vec::new();
    for (jwk, fixed) in keys.iter().zip(encrypting).skip(1) {
        recipients.push(Recipient {
            key: encryption_key(&key_from_value(jwk)?)?,
            header: sender_recipient_header(fixed.get("header"))?,
            params: fixed_params(fixed)?,
        });
    }
    let plaintext = example.plaintext()?;
    let mut builder = GeneralEncrypt::new(&plaintext)
        .protected_header_json(&example.protected_text()?.ok_or("no protected header")?)
        .shared_unprotected_header(example.shared_header()?.ok_or("no shared header")?)
        .content_encryption_key(&example.generated("cek")?.ok_or("no CEK")?)
        .initialization_vector(&example.generated("iv")?.ok_or("no IV")?);
    for recipient in &recipients {
        let header = recipient.header.clone().unwrap_or_default();
        builder = builder.add_recipient_with(&recipient.key, header, recipient.params.clone());
    }
    let ours = builder.encrypt()?;

    let mut ours_value = serde_json::to_value(&ours)?;
    let mut expected = published.clone();
    let expected_recipients = expected["recipients"].as_array_mut().ok_or("no recipients")?;
    expected_recipients.remove(0);
    assert_eq!(ours_value, expected);

    // Each reproduced recipient decrypts, and so does the RSA1_5 one when the
    // published RSA1_5 recipient is put back in front of ours.
    for jwk in &keys[1..] {
        assert_eq!(
            general_decrypt(&ours, &key_from_value(jwk)?, &JweDecryptOptions::new())?.plaintext,
            plaintext
        );
    }
    let recipients_value = ours_value["recipients"].as_array_mut().ok_or("no recipients")?;
    recipients_value.insert(0, published_recipients[0].clone());
    let with_rsa = GeneralJwe::from_json(&ours_value.to_string())?;
    let decrypted = general_decrypt(&with_rsa, &key_from_value(&keys[0])?, &allowing(JweAlg::RSA1_5));
    if RSA_DECRYPTS {
        assert_eq!(decrypted?.plaintext, plaintext);
    } else {
        assert_rsa_decryption_refused_in_general(decrypted);
    }
    Ok(())
}

#[test]
fn rfc7520_section_5_latchset_copies_decrypt_to_their_plaintext() -> TestResult {
    let dir = "rfc-appendix/latchset-jose";
    let mut decrypted = 0;
    let mut refused = 0;
    for section in 1..=13 {
        let stem = format!("{dir}/rfc7520_5.{section}");
        let plaintext = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/vectors/{stem}.pt")))?;
        let keys = if section == 3 {
            let pwd: String = serde_json::from_str(&read(&format!("{stem}.pwd"))?)?;
            LocalJwkSet::new([Key::from_secret(pwd)?]).allow_symmetric(true)
        } else if section == 13 {
            let keys = (1..=3)
                .map(|i| -> TestResult<Key> { Ok(Key::from_jwk_json(&read(&format!("{stem}.{i}.jwk"))?)?) })
                .collect::<TestResult<Vec<_>>>()?;
            LocalJwkSet::new(keys).allow_symmetric(true)
        } else {
            LocalJwkSet::new([Key::from_jwk_json(&read(&format!("{stem}.jwk"))?)?]).allow_symmetric(true)
        };
        let options = JweDecryptOptions::new()
            .key_management_algorithms(JweAlg::ALL.iter().copied())
            .allow_decompression(DEFAULT_MAX_DECOMPRESSED_SIZE);
        for (ext, form) in [("jwec", "compact"), ("jweg", "json"), ("jwef", "json_flat")] {
            let Ok(text) = read(&format!("{stem}.{ext}")) else {
                continue;
            };
            let output = if form == "compact" {
                Value::String(text.trim().to_owned())
            } else {
                serde_json::from_str(&text)?
            };
            let result = decrypt_serialization(form, &output, &keys, &options)?;
            // 5.1 (RSA1_5) and 5.2 (RSA-OAEP): the pure-Rust provider's
            // refusal, which the general form reports as a plain failure.
            if !RSA_DECRYPTS && matches!(section, 1 | 2) {
                match (form, &result) {
                    ("json", Err(Error::JweDecryptionFailed)) => {}
                    (_, Err(e)) if is_rsa_refusal(e) => {}
                    (_, other) => panic!("{stem}.{ext}: expected the RSA refusal, got {other:?}"),
                }
                refused += 1;
                continue;
            }
            let result = result.map_err(|e| format!("{stem}.{ext} does not decrypt: {e}"))?;
            assert_eq!(result.plaintext, plaintext, "{stem}.{ext}");
            decrypted += 1;
        }
    }
    // 5.1-5.4 and 5.7-5.9 in three serializations, 5.5 and 5.6 (compact and
    // "general" without recipients) and 5.10-5.12 (JSON only) in two, 5.13
    // (general only) in one.
    // Under the pure-Rust provider, 5.1 (RSA1_5) and 5.2 (RSA-OAEP), three
    // serializations each, are refused instead.
    assert_eq!(refused, if RSA_DECRYPTS { 0 } else { 2 * 3 });
    assert_eq!(decrypted + refused, 7 * 3 + 5 * 2 + 1);
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 7520 section 6: a JWS nested in a JWE
// ---------------------------------------------------------------------------

const NESTING: &str = "rfc7520-cookbook/6.nesting_signatures_and_encryption.json";

fn nesting() -> TestResult<(Example, Value)> {
    let doc = read_json(NESTING)?;
    let example = Example {
        name: NESTING.to_owned(),
        doc: doc["encrypt"].clone(),
    };
    Ok((example, doc["sign"].clone()))
}

#[test]
fn rfc7520_6_outer_jwe_decrypts_in_every_serialization_to_the_signed_jws() -> TestResult {
    let (example, sign) = nesting()?;
    assert_eq!(example.plaintext()?, str_at(&sign, "/output/compact")?.as_bytes());
    if !RSA_DECRYPTS {
        return example.refused_in_every_serialization(&example.key()?, &JweDecryptOptions::new(), is_rsa_refusal);
    }
    let forms = example.decrypt_every_serialization(&example.key()?, &JweDecryptOptions::new())?;
    assert_eq!(forms, FORMS);

    let inner = String::from_utf8(
        compact_decrypt(
            str_at(&example.doc, "/output/compact")?,
            &example.key()?,
            &JweDecryptOptions::new(),
        )?
        .plaintext,
    )?;
    let signer = key_from_value(&sign["input"]["key"])?.public_key()?;
    let verified = compact_verify(&inner, &signer, &JwsVerifyOptions::new().algorithms([Alg::PS256]))?;
    assert_eq!(verified.payload, str_at(&sign, "/input/payload")?.as_bytes());
    assert_eq!(verified.protected_header.and_then(|h| h.typ).as_deref(), Some("JWT"));
    Ok(())
}

#[test]
fn rfc7520_6_nested_jwt_decrypts_and_verifies_through_decrypt_nested_jwt() -> TestResult {
    let (example, sign) = nesting()?;
    let token = str_at(&example.doc, "/output/compact")?;
    let decryption_key = example.key()?;
    let signer = key_from_value(&sign["input"]["key"])?.public_key()?;
    // The inner payload is a JWT claims set: {"iss", "exp": 1300819380, ...}.
    let payload: Value = serde_json::from_str(str_at(&sign, "/input/payload")?)?;
    let exp = payload["exp"].as_i64().ok_or("the inner JWT has an exp")?;
    if !RSA_DECRYPTS {
        let refused = decrypt_nested_jwt::<JsonObject>(token, &decryption_key, &signer, &DecryptOptions::new());
        assert_rsa_decryption_refused(refused);
        return Ok(());
    }

    let before_expiry = VerifyOptions::new()
        .algorithms([Alg::PS256])
        .issuer("hobbiton.example")
        .current_time(exp - 60);
    let verified = decrypt_nested_jwt::<JsonObject>(
        token,
        &decryption_key,
        &signer,
        &DecryptOptions::new().claims(before_expiry),
    )?;
    assert_eq!(verified.registered().iss.as_deref(), Some("hobbiton.example"));
    assert_eq!(verified.registered().exp, Some(exp));
    assert_eq!(verified.claims["http://example.com/is_root"], true);

    // Checked against today, the 2011 token has expired.
    let today = decrypt_nested_jwt::<JsonObject>(token, &decryption_key, &signer, &DecryptOptions::new());
    assert!(matches!(today, Err(Error::JwtExpired { .. })), "{today:?}");
    // `cty: "JWT"` marks it nested: the plain JWT decryption refuses it.
    let plain = jwt_decrypt::<JsonObject>(token, &decryption_key, &DecryptOptions::new());
    assert!(matches!(plain, Err(Error::JwtInvalid(_))), "{plain:?}");
    Ok(())
}

#[test]
fn rfc7520_6_reencryption_reproduces_all_but_the_random_encrypted_key() -> TestResult {
    let (example, _) = nesting()?;
    let key = example.key()?;
    let recipient = example.single_recipient(&key)?;
    let forms = example.reencrypt_every_serialization(
        &[recipient],
        Expect::RandomEncryptedKey,
        &key,
        &JweDecryptOptions::new(),
    )?;
    assert_eq!(forms.len(), 3);
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 7516 appendix A
// ---------------------------------------------------------------------------

fn rfc7516(appendix: u8) -> TestResult<Value> {
    read_json(&format!("rfc-appendix/erlang-jose/rfc7516/A.{appendix}.json"))
}

fn hotplace(name: &str) -> TestResult<String> {
    read(&format!("rfc-appendix/hotplace/{name}"))
}

/// The erlang-jose copy of RFC 7516 A.`n`: key, compact JWE, plaintext.
fn rfc7516_erlang(n: u8) -> TestResult<(Value, Key, String, Vec<u8>)> {
    let doc = rfc7516(n)?;
    let key = Key::from_jwk_json(erlang_str(&doc, &format!("a.{n}.3.jwk+json"))?)?;
    let compact = erlang_str(&doc, &format!("a.{n}.7.jwe+compact"))?.to_owned();
    let plaintext = erlang_bytes(&doc, &format!("a.{n}.txt"))?;
    Ok((doc, key, compact, plaintext))
}

/// Both published copies of RFC 7516 A.`n` (erlang-jose and hotplace's
/// `.jws`, which holds the JWE) decrypt to the plaintext.
fn rfc7516_both_copies_decrypt(n: u8, options: &JweDecryptOptions) -> TestResult {
    let (_, key, compact, plaintext) = rfc7516_erlang(n)?;
    assert_eq!(
        compact_decrypt(&compact, &key, options)?.plaintext,
        plaintext,
        "erlang-jose A.{n}"
    );
    let hotplace_key = Key::from_jwk_json(&hotplace(&format!("rfc7516_A{n}.jwk"))?)?;
    let hotplace_jwe = hotplace(&format!("rfc7516_A{n}.jws"))?;
    assert_eq!(hotplace_jwe.trim(), compact, "the two copies of A.{n} are the same JWE");
    assert_eq!(
        compact_decrypt(hotplace_jwe.trim(), &hotplace_key, options)?.plaintext,
        plaintext,
        "hotplace A.{n}"
    );
    Ok(())
}

#[test]
fn rfc7516_a1_rsa_oaep_a256gcm_decrypts_to_the_published_plaintext() -> TestResult {
    if !RSA_DECRYPTS {
        let (_, key, compact, _) = rfc7516_erlang(1)?;
        assert_rsa_decryption_refused(compact_decrypt(&compact, &key, &JweDecryptOptions::new()));
        return Ok(());
    }
    rfc7516_both_copies_decrypt(1, &JweDecryptOptions::new())?;
    let (_, _, _, plaintext) = rfc7516_erlang(1)?;
    assert_eq!(
        plaintext,
        b"The true sign of intelligence is not knowledge but imagination."
    );
    Ok(())
}

#[test]
fn rfc7516_a1_reencryption_with_the_fixed_cek_and_iv_reproduces_ciphertext_and_tag() -> TestResult {
    let (doc, key, published, plaintext) = rfc7516_erlang(1)?;
    let ours = CompactEncrypt::new(&plaintext)
        .protected_header_json(erlang_str(&doc, "a.1.1.jwe+json")?)
        .content_encryption_key(&erlang_bytes(&doc, "a.1.2.cek")?)
        .initialization_vector(&erlang_bytes(&doc, "a.1.4.iv")?)
        .encrypt(&encryption_key(&key)?)?;
    let (ours_parts, published_parts) = (parts(&ours)?, parts(&published)?);
    assert_eq!(ours_parts[0], erlang_str(&doc, "a.1.1.jwe+json.b64")?);
    assert_eq!(ours_parts[2], erlang_str(&doc, "a.1.4.iv.b64")?);
    assert_eq!(ours_parts[3], erlang_str(&doc, "a.1.6.txt.cipher.b64")?);
    assert_eq!(ours_parts[4], erlang_str(&doc, "a.1.6.txt.tag.b64")?);
    for i in [0, 2, 3, 4] {
        assert_eq!(ours_parts[i], published_parts[i], "part {i}");
    }
    // RSA-OAEP is randomized: a fresh encrypted key, which still decrypts.
    assert_ne!(ours_parts[1], published_parts[1]);
    if !RSA_DECRYPTS {
        assert_rsa_decryption_refused(compact_decrypt(&ours, &key, &JweDecryptOptions::new()));
        return Ok(());
    }
    assert_eq!(
        compact_decrypt(&ours, &key, &JweDecryptOptions::new())?.plaintext,
        plaintext
    );
    Ok(())
}

#[test]
fn rfc7516_a2_rsa1_5_is_refused_by_default_and_decrypts_when_allowed() -> TestResult {
    let (_, key, compact, plaintext) = rfc7516_erlang(2)?;
    let refused = compact_decrypt(&compact, &key, &JweDecryptOptions::new());
    assert!(
        matches!(&refused, Err(Error::AlgNotAllowed { alg, .. }) if alg == "RSA1_5"),
        "{refused:?}"
    );
    // Naming another algorithm does not let RSA1_5 in either.
    let refused = compact_decrypt(&compact, &key, &allowing(JweAlg::RSA_OAEP));
    assert!(
        matches!(&refused, Err(Error::AlgNotAllowed { alg, .. }) if alg == "RSA1_5"),
        "{refused:?}"
    );
    if RSA_DECRYPTS {
        rfc7516_both_copies_decrypt(2, &allowing(JweAlg::RSA1_5))?;
    } else {
        assert_rsa_decryption_refused(compact_decrypt(&compact, &key, &allowing(JweAlg::RSA1_5)));
    }
    assert_eq!(plaintext, b"Live long and prosper.");
    Ok(())
}

#[test]
fn rfc7516_a2_rsa1_5_with_a_wrong_key_fails_like_any_other_decryption() -> TestResult {
    // RFC 7516 section 11.5: a PKCS#1 v1.5 failure must look like a tag
    // failure (no padding oracle). A.1's RSA key is not A.2's.
    let (_, _, compact, _) = rfc7516_erlang(2)?;
    let (_, other_key, _, _) = rfc7516_erlang(1)?;
    let result = compact_decrypt(&compact, &other_key, &allowing(JweAlg::RSA1_5));
    if !RSA_DECRYPTS {
        assert_rsa_decryption_refused(result);
        return Ok(());
    }
    assert!(matches!(result, Err(Error::JweDecryptionFailed)), "{result:?}");
    Ok(())
}

#[test]
fn rfc7516_a3_a128kw_a128cbc_hs256_decrypts_to_the_published_plaintext() -> TestResult {
    rfc7516_both_copies_decrypt(3, &JweDecryptOptions::new())?;
    let (_, _, _, plaintext) = rfc7516_erlang(3)?;
    assert_eq!(plaintext, b"Live long and prosper.");
    Ok(())
}

#[test]
fn rfc7516_a3_a128kw_a128cbc_hs256_is_reproduced_byte_for_byte() -> TestResult {
    let (doc, key, published, plaintext) = rfc7516_erlang(3)?;
    let ours = CompactEncrypt::new(&plaintext)
        .protected_header_json(erlang_str(&doc, "a.3.1.jwe+json")?)
        .content_encryption_key(&erlang_bytes(&doc, "a.3.2.cek")?)
        .initialization_vector(&erlang_bytes(&doc, "a.3.4.iv")?)
        .encrypt(&key)?;
    assert_eq!(parts(&ours)?[1], erlang_str(&doc, "a.3.3.cek.encrypted.b64")?);
    assert_eq!(ours, published);
    Ok(())
}

#[test]
fn rfc7516_a4_general_jwe_decrypts_for_each_recipient() -> TestResult {
    let jwe = GeneralJwe::from_json(&hotplace("rfc7516_A4.jws")?)?;
    let set = LocalJwkSet::from_json(&hotplace("rfc7516_A4.jwk")?)?.allow_symmetric(true);
    let [rsa, oct] = set.keys() else {
        return Err("A.4 has two keys".into());
    };
    let (_, _, _, plaintext) = rfc7516_erlang(3)?;

    // By default the RSA1_5 recipient is skipped: the set's oct key opens
    // the A128KW one, and the RSA key alone opens nothing.
    let decrypted = general_decrypt(&jwe, &set, &JweDecryptOptions::new())?;
    assert_eq!(decrypted.plaintext, plaintext);
    assert_eq!(decrypted.unprotected_header.and_then(|h| h.kid).as_deref(), Some("7"));
    assert_eq!(
        decrypted
            .shared_unprotected_header
            .and_then(|h| h.other.get("jku").cloned()),
        Some(json!("https://server.example.com/keys.jwks"))
    );
    let refused = general_decrypt(&jwe, rsa, &JweDecryptOptions::new());
    assert!(matches!(refused, Err(Error::JweDecryptionFailed)), "{refused:?}");

    if !RSA_DECRYPTS {
        // The RSA1_5 recipient, even when allowed, is refused by the
        // pure-Rust provider; through the set, the A128KW one still opens.
        assert_rsa_decryption_refused_in_general(general_decrypt(&jwe, rsa, &allowing(JweAlg::RSA1_5)));
        return Ok(());
    }
    for (key, options, kid) in [
        (rsa, allowing(JweAlg::RSA1_5), "2011-04-29"),
        (oct, JweDecryptOptions::new(), "7"),
    ] {
        let decrypted = general_decrypt(&jwe, key, &options)?;
        assert_eq!(decrypted.plaintext, plaintext);
        assert_eq!(decrypted.unprotected_header.and_then(|h| h.kid).as_deref(), Some(kid));
    }
    let decrypted = general_decrypt(&jwe, &set, &allowing(JweAlg::RSA1_5))?;
    assert_eq!(
        decrypted.unprotected_header.and_then(|h| h.kid).as_deref(),
        Some("2011-04-29")
    );
    Ok(())
}

#[test]
fn rfc7516_a4_a128kw_recipient_and_content_are_reproduced_byte_for_byte() -> TestResult {
    // A.4 reuses A.3's plaintext, CEK and IV; only the RSA1_5 recipient
    // cannot be produced (RSA1_5 never encrypts).
    let published: Value = serde_json::from_str(&hotplace("rfc7516_A4.jws")?)?;
    let set = LocalJwkSet::from_json(&hotplace("rfc7516_A4.jwk")?)?;
    let [_, oct] = set.keys() else {
        return Err("A.4 has two keys".into());
    };
    let (doc, _, _, plaintext) = rfc7516_erlang(3)?;
    let protected = String::from_utf8(unb64(str_at(&published, "/protected")?)?)?;
    let ours = GeneralEncrypt::new(&plaintext)
        .protected_header_json(&protected)
        .shared_unprotected_header(header_from_value(&published["unprotected"])?)
        .add_recipient(oct, header_from_value(&published["recipients"][1]["header"])?)
        .content_encryption_key(&erlang_bytes(&doc, "a.3.2.cek")?)
        .initialization_vector(&erlang_bytes(&doc, "a.3.4.iv")?)
        .encrypt()?;
    let mut expected = published.clone();
    expected["recipients"].as_array_mut().ok_or("no recipients")?.remove(0);
    assert_eq!(serde_json::to_value(&ours)?, expected);
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 7518 appendix C: ECDH-ES key agreement
// ---------------------------------------------------------------------------

/// The key RFC 7518 appendix C derives for A128GCM (printed in the RFC only).
const RFC7518_C_DERIVED_KEY: &str = "VqqN6vgjbSBcIijNcacQGg";

#[test]
fn rfc7518_c_ecdh_es_from_alice_to_bob_derives_the_published_key() -> TestResult {
    let alice_jwk: Value = serde_json::from_str(&hotplace("rfc7518_C_alice.jwk")?)?;
    let alice = key_from_value(&alice_jwk)?;
    let bob = Key::from_jwk_json(&hotplace("rfc7518_C_bob.jwk")?)?;
    let derived = Key::from_secret(unb64(RFC7518_C_DERIVED_KEY)?)?;
    let plaintext = b"Live long and prosper.";
    let iv = [7u8; 12];
    let mut params = KeyManagementParameters::new().agreement_info(b"Alice", b"Bob");
    params.ephemeral_key = Some(alice.clone());

    // With no protected header the AAD is empty, so a JWE made with the
    // derived key as a "dir" key must have the same ciphertext AND tag.
    let ecdh = FlattenedEncrypt::new(plaintext)
        .shared_unprotected_header(JweHeader::new(JweAlg::ECDH_ES, JweEnc::A128GCM))
        .key_management_parameters(params.clone())
        .initialization_vector(&iv)
        .encrypt(&bob.public_key()?)?;
    let direct = FlattenedEncrypt::new(plaintext)
        .shared_unprotected_header(JweHeader::new(JweAlg::Dir, JweEnc::A128GCM))
        .initialization_vector(&iv)
        .encrypt(&derived)?;
    assert_eq!(ecdh.ciphertext, direct.ciphertext);
    assert_eq!(ecdh.tag, direct.tag);
    assert_eq!(ecdh.encrypted_key, None);

    // The recipient header carries Alice's public key and "Alice"/"Bob".
    let header = ecdh.header.clone().ok_or("no recipient header")?;
    assert_eq!(header.apu.as_deref(), Some("QWxpY2U"));
    assert_eq!(header.apv.as_deref(), Some("Qm9i"));
    let mut alice_public = alice_jwk.clone();
    alice_public.as_object_mut().ok_or("not an object")?.remove("d");
    assert_eq!(serde_json::to_value(header.epk.ok_or("no epk")?)?, alice_public);
    assert_eq!(
        flattened_decrypt(&ecdh, &bob, &JweDecryptOptions::new())?.plaintext,
        plaintext
    );
    assert_eq!(
        flattened_decrypt(&direct, &derived, &JweDecryptOptions::new())?.plaintext,
        plaintext
    );

    // The compact form with RFC 7518 C's header: the epk in it is Alice's
    // public key, and the content is the one the derived key encrypts.
    let header_text = format!(
        r#"{{"alg":"ECDH-ES","enc":"A128GCM","apu":"QWxpY2U","apv":"Qm9i","epk":{{"kty":"EC","crv":"P-256","x":"{}","y":"{}"}}}}"#,
        str_at(&alice_jwk, "/x")?,
        str_at(&alice_jwk, "/y")?
    );
    let compact = CompactEncrypt::new(plaintext)
        .protected_header_json(&header_text)
        .key_management_parameters(params)
        .initialization_vector(&iv)
        .encrypt(&bob.public_key()?)?;
    assert_eq!(compact_protected_header(&compact)?["epk"], alice_public);
    assert_eq!(parts(&compact)?[1], "", "ECDH-ES has no encrypted key");
    // GCM's ciphertext does not depend on the AAD: same key, same ciphertext.
    assert_eq!(parts(&compact)?[3], direct.ciphertext);
    assert_eq!(
        compact_decrypt(&compact, &bob, &JweDecryptOptions::new())?.plaintext,
        plaintext
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 8037: X25519 (and X448, which is not supported)
// ---------------------------------------------------------------------------

const X25519_COOKBOOK: &str = "rfc7520-cookbook/curve25519/ecdh-es.json";

#[test]
fn rfc8037_x25519_cookbook_ecdh_es_decrypts_in_every_serialization() -> TestResult {
    let example = Example::load(X25519_COOKBOOK)?;
    let key = example.key()?;
    assert_eq!(key.crv().map(rjose::Curve::name), Some("X25519"));
    let forms = example.decrypt_every_serialization(&key, &JweDecryptOptions::new())?;
    assert_eq!(forms, FORMS);
    let set = LocalJwkSet::new([key]);
    example.decrypt_every_serialization(&set, &JweDecryptOptions::new())?;
    Ok(())
}

#[test]
fn rfc8037_x25519_cookbook_ecdh_es_is_reproduced_byte_for_byte_with_its_ephemeral_secret() -> TestResult {
    let mut example = Example::load(X25519_COOKBOOK)?;
    // The file's `encrypting_key.epk` pairs the ephemeral secret "d" with
    // the public "x" of RFC 8037 A.6's ephemeral key, not with its own: an
    // inconsistent key, which import refuses. The header's epk holds the
    // public key that "d" does belong to.
    let file_epk: Jwk = serde_json::from_value(example.doc["encrypting_key"]["epk"].clone())?;
    let result = Key::from_jwk(&file_epk);
    assert!(matches!(result, Err(Error::JwkInvalid(_))), "{result:?}");
    let header_x = example.doc["encrypting_content"]["protected"]["epk"]["x"].clone();
    example.doc["encrypting_key"]["epk"]["x"] = header_x;
    let key = example.key()?;
    let recipient = example.single_recipient(&key)?;
    let forms =
        example.reencrypt_every_serialization(&[recipient], Expect::Identical, &key, &JweDecryptOptions::new())?;
    assert_eq!(forms.len(), 3);
    Ok(())
}

/// Concat KDF (NIST SP 800-56A, RFC 7518 section 4.6.2) for up to 256 bits,
/// with empty PartyUInfo and PartyVInfo.
fn concat_kdf_sha256(z: &[u8], algorithm_id: &str, bits: u32) -> Vec<u8> {
    let mut input = Vec::new();
    input.extend_from_slice(&1u32.to_be_bytes());
    input.extend_from_slice(z);
    for field in [algorithm_id.as_bytes(), b"", b""] {
        input.extend_from_slice(&u32::try_from(field.len()).unwrap_or(u32::MAX).to_be_bytes());
        input.extend_from_slice(field);
    }
    input.extend_from_slice(&bits.to_be_bytes());
    use sha2::Digest as _;
    sha2::Sha256::digest(&input)[..(bits / 8) as usize].to_vec()
}

#[test]
fn rfc8037_a6_x25519_ecdh_es_a128kw_agrees_on_the_published_shared_secret() -> TestResult {
    let doc = read_json("rfc-appendix/erlang-jose/rfc8037/A.6.json")?;
    let with_d = |jwk_name: &str, secret_name: &str| -> TestResult<Key> {
        let mut jwk: Value = serde_json::from_str(erlang_str(&doc, jwk_name)?)?;
        jwk["d"] = Value::String(b64(&hex(erlang_str(&doc, secret_name)?)?));
        key_from_value(&jwk)
    };
    // Importing a private key checks that "d" gives "x".
    let bob = with_d("a.6.bob-jwk+json", "a.6.bob-secret+hex")?;
    let ephemeral = with_d("a.6.epk-jwk+json", "a.6.epk-secret+hex")?;
    // hotplace's copy of Bob's public key is the same key.
    let hotplace_set = LocalJwkSet::from_json(&hotplace("rfc8037_A_X25519.jwk")?)?;
    let [bob_public] = hotplace_set.keys() else {
        return Err("one key expected".into());
    };
    assert_eq!(bob_public.to_public_jwk()?, bob.to_public_jwk()?);

    let header_text = erlang_str(&doc, "a.6.jwe+json")?;
    let cek = [0x5au8; 16];
    let iv = [0x0fu8; 12];
    let plaintext = b"RFC 8037 A.6";
    let mut params = KeyManagementParameters::new();
    params.ephemeral_key = Some(ephemeral);
    let ours = CompactEncrypt::new(plaintext)
        .protected_header_json(header_text)
        .key_management_parameters(params)
        .content_encryption_key(&cek)
        .initialization_vector(&iv)
        .encrypt(bob_public)?;
    assert_eq!(parts(&ours)?[0], b64(header_text.as_bytes()));
    let epk: Value = serde_json::from_str(erlang_str(&doc, "a.6.epk-jwk+json")?)?;
    assert_eq!(compact_protected_header(&ours)?["epk"], epk);
    assert_eq!(
        compact_decrypt(&ours, &bob, &JweDecryptOptions::new())?.plaintext,
        plaintext
    );

    // The key wrapped with the KEK the published Z gives is our encrypted key.
    let kek = concat_kdf_sha256(&hex(erlang_str(&doc, "a.6.z+hex")?)?, "ECDH-ES+A128KW", 128);
    let reference = CompactEncrypt::new(plaintext)
        .protected_header_json(r#"{"alg":"A128KW","enc":"A128GCM"}"#)
        .content_encryption_key(&cek)
        .initialization_vector(&iv)
        .encrypt(&Key::from_secret(kek)?)?;
    assert_eq!(parts(&ours)?[1], parts(&reference)?[1]);
    Ok(())
}

#[test]
fn rfc8037_a7_x448_keys_are_not_supported() -> TestResult {
    let doc = read_json("rfc-appendix/erlang-jose/rfc8037/A.7.json")?;
    for text in [
        erlang_str(&doc, "a.7.bob-jwk+json")?.to_owned(),
        erlang_str(&doc, "a.7.epk-jwk+json")?.to_owned(),
        hotplace("rfc8037_A_X448.jwk")?,
    ] {
        let result = Key::from_jwk_json(&text);
        assert!(matches!(result, Err(Error::NotSupported(_))), "{text}: {result:?}");
    }
    // A JWE whose epk is on X448 (A.7's header) is refused even by an X25519
    // key: an ephemeral key on another curve than the recipient's is invalid.
    let header = erlang_str(&doc, "a.7.jwe+json")?;
    let forged = format!(
        "{}.AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA",
        b64(header.as_bytes())
    );
    let x25519 = Example::load(X25519_COOKBOOK)?.key()?;
    let result = compact_decrypt(&forged, &x25519, &JweDecryptOptions::new());
    assert!(matches!(result, Err(Error::JweInvalid(_))), "{result:?}");
    Ok(())
}
