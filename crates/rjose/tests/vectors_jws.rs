//! Conformance with the published JWS and JWK examples.
//!
//! Every vector is read from `tests/vectors/` (see its `MANIFEST.md` for
//! sources and licenses):
//!
//! - RFC 7515 appendix A (latchset-jose and erlang-jose copies),
//! - RFC 7520 sections 3 and 4 (the IETF JOSE cookbook),
//! - RFC 7797 (`b64: false`) and RFC 8037 (Ed25519) from the cookbook and
//!   erlang-jose,
//! - RFC 7517 appendices A and B, RFC 7638 section 3.1 (and RFC 9278),
//! - the ML-DSA `AKP` examples of draft-ietf-cose-dilithium (hotplace).
//!
//! Deterministic algorithms (HMAC, RSASSA-PKCS1-v1_5, Ed25519) are not only
//! verified but re-signed with the public builders, and the output must
//! equal the published one byte for byte.

mod common;

use rjose::jws::{
    CompactSign, FlattenedJws, FlattenedSign, GeneralJws, GeneralSign, JwsHeader, JwsVerifyOptions, VerifiedJws,
    compact_verify, compact_verify_detached, flattened_verify, general_verify,
};
use rjose::jwt::{self, UnsecuredJwt, VerifyOptions};
use rjose::{Alg, Digest, Error, JsonObject, Jwk, Key, LocalJwkSet};
use serde_json::{Map, Value};

use common::b64;
use common::vectors::{TestResult, erlang_str, hex, key_from_value, read, read_json, str_at, unb64};

// ---------------------------------------------------------------------------
// Reading vectors
// ---------------------------------------------------------------------------

/// The object at a JSON pointer, if there is one.
fn object_at(doc: &Value, pointer: &str) -> TestResult<Option<Map<String, Value>>> {
    match doc.pointer(pointer) {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(format!("vector member {pointer} is not an object").into()),
    }
}

fn header_from_value(header: Map<String, Value>) -> TestResult<JwsHeader> {
    Ok(JwsHeader::from_map(header)?)
}

/// A JSON document as a JSON value, for comparisons that ignore member order.
fn as_value(json: &str) -> TestResult<Value> {
    Ok(serde_json::from_str(json)?)
}

/// The key that verifies: the public half of a key pair (so that
/// verification is shown not to need the private key), or the secret.
fn verifier(key: &Key) -> TestResult<Key> {
    if key.is_symmetric() {
        return Ok(key.clone());
    }
    let public = key.public_key()?;
    assert!(!public.is_private(), "public_key() returned a private key");
    Ok(public)
}

fn only(alg: Alg) -> JwsVerifyOptions {
    JwsVerifyOptions::new().algorithms([alg])
}

/// The first algorithm that is not `alg`, to show the allow-list is enforced.
fn other_alg(alg: Alg) -> Alg {
    if alg == Alg::HS256 { Alg::HS512 } else { Alg::HS256 }
}

// ---------------------------------------------------------------------------
// RFC 7520 cookbook examples
// ---------------------------------------------------------------------------

/// One signature of a cookbook example: its headers as the file gives them.
struct Signing {
    protected: Option<JwsHeader>,
    unprotected: Option<JwsHeader>,
}

impl Signing {
    fn from_value(signing: &Value) -> TestResult<Signing> {
        Ok(Signing {
            protected: object_at(signing, "/protected")?.map(header_from_value).transpose()?,
            unprotected: object_at(signing, "/unprotected")?.map(header_from_value).transpose()?,
        })
    }

    /// Checks the headers a verification reports against the example's.
    fn check(&self, verified: &VerifiedJws, what: &str) {
        assert_eq!(verified.protected_header, self.protected, "{what}: protected header");
        assert_eq!(
            verified.unprotected_header, self.unprotected,
            "{what}: unprotected header"
        );
    }
}

/// A cookbook file (`{title, reproducible, input, signing, output}`).
struct Cookbook {
    name: String,
    doc: Value,
}

impl Cookbook {
    fn load(rel: &str) -> TestResult<Cookbook> {
        Ok(Cookbook {
            name: rel.to_owned(),
            doc: read_json(&format!("rfc7520-cookbook/{rel}"))?,
        })
    }

    fn payload(&self) -> TestResult<&[u8]> {
        Ok(str_at(&self.doc, "/input/payload")?.as_bytes())
    }

    fn reproducible(&self) -> bool {
        self.doc["reproducible"] == Value::Bool(true)
    }

    /// The signing key of a single-signature example.
    fn key(&self) -> TestResult<Key> {
        key_from_value(&self.doc["input"]["key"])
    }

    /// The algorithm of a single-signature example.
    fn alg(&self) -> TestResult<Alg> {
        Ok(str_at(&self.doc, "/input/alg")?.parse()?)
    }

    /// The headers of a single-signature example.
    fn signing(&self) -> TestResult<Signing> {
        Signing::from_value(&self.doc["signing"])
    }

    fn output(&self) -> TestResult<&Map<String, Value>> {
        self.doc["output"]
            .as_object()
            .ok_or_else(|| format!("{}: no output object", self.name).into())
    }

    /// The payload member a detached JSON serialization leaves out.
    fn encoded_payload(&self, signing: &Signing) -> TestResult<String> {
        let raw = signing.protected.as_ref().and_then(|p| p.b64) == Some(false);
        let payload = self.payload()?;
        Ok(if raw {
            String::from_utf8(payload.to_vec())?
        } else {
            b64(payload)
        })
    }

    /// Verifies every serialization in `output` with `key` restricted to
    /// the example's algorithm, checking payload and headers. Returns the
    /// serializations verified, so callers can pin that none was skipped.
    fn verify_every_serialization(&self, key: &Key) -> TestResult<Vec<String>> {
        let alg = self.alg()?;
        let signing = self.signing()?;
        let options = only(alg);
        let payload = self.payload()?;
        let mut done = Vec::new();
        for (serialization, expected) in self.output()? {
            let what = format!("{} {serialization}", self.name);
            let verified = match serialization.as_str() {
                "compact" => {
                    let token = expected.as_str().ok_or("compact output is not a string")?;
                    let detached = token.split('.').nth(1) == Some("");
                    if detached {
                        compact_verify_detached(token, payload, key, &options)?
                    } else {
                        compact_verify(token, key, &options)?
                    }
                }
                "json" => {
                    let mut jws = GeneralJws::from_json(&expected.to_string())?;
                    if jws.payload.is_none() {
                        jws.payload = Some(self.encoded_payload(&signing)?);
                    }
                    general_verify(&jws, key, &options)?
                }
                "json_flat" => {
                    let mut jws = FlattenedJws::from_json(&expected.to_string())?;
                    if jws.payload.is_none() {
                        jws.payload = Some(self.encoded_payload(&signing)?);
                    }
                    flattened_verify(&jws, key, &options)?
                }
                other => return Err(format!("{}: unknown serialization {other:?}", self.name).into()),
            };
            assert_eq!(verified.payload, payload, "{what}: payload");
            signing.check(&verified, &what);
            done.push(serialization.clone());
        }
        Ok(done)
    }

    /// Signs the example's payload with its headers in every serialization
    /// of `output` and compares with the published output: compact as a
    /// string, JSON as JSON values (every member string byte for byte).
    /// Returns the serializations reproduced.
    fn reproduce_every_serialization(&self, key: &Key) -> TestResult<Vec<String>> {
        assert!(
            self.reproducible(),
            "{}: upstream does not mark it reproducible",
            self.name
        );
        let signing = self.signing()?;
        let payload = self.payload()?;
        let mut done = Vec::new();
        for (serialization, expected) in self.output()? {
            let what = format!("{} {serialization}", self.name);
            match serialization.as_str() {
                "compact" => {
                    let token = expected.as_str().ok_or("compact output is not a string")?;
                    let protected = signing.protected.clone().ok_or("compact needs a protected header")?;
                    assert!(
                        signing.unprotected.is_none(),
                        "{what}: compact has no unprotected header"
                    );
                    let mut builder = CompactSign::new(payload).protected_header(protected);
                    if token.split('.').nth(1) == Some("") {
                        builder = builder.detached();
                    }
                    assert_eq!(builder.sign(key)?, token, "{what}");
                }
                "json" => {
                    let mut jws = GeneralSign::new(payload)
                        .add_signature(
                            key,
                            signing.protected.clone().unwrap_or_default(),
                            signing.unprotected.clone(),
                        )
                        .sign()?;
                    if expected.get("payload").is_none() {
                        // GeneralSign has no detached mode: drop the payload
                        // as RFC 7515 appendix F describes.
                        jws.payload = None;
                    }
                    assert_eq!(as_value(&jws.to_json())?, *expected, "{what}");
                }
                "json_flat" => {
                    let mut builder = FlattenedSign::new(payload);
                    if let Some(protected) = &signing.protected {
                        builder = builder.protected_header(protected.clone());
                    }
                    if let Some(unprotected) = &signing.unprotected {
                        builder = builder.unprotected_header(unprotected.clone());
                    }
                    if expected.get("payload").is_none() {
                        builder = builder.detached();
                    }
                    assert_eq!(as_value(&builder.sign(key)?.to_json())?, *expected, "{what}");
                }
                other => return Err(format!("{}: unknown serialization {other:?}", self.name).into()),
            }
            done.push(serialization.clone());
        }
        Ok(done)
    }
}

const ALL_THREE: [&str; 3] = ["compact", "json", "json_flat"];
const JSON_ONLY: [&str; 2] = ["json", "json_flat"];

// ---------------------------------------------------------------------------
// RFC 7515 appendix A
// ---------------------------------------------------------------------------

/// Verifies the compact JWS of RFC 7515 appendix A.`n` with its JWK, with
/// only `alg` allowed, and checks the payload against erlang-jose's copy.
fn verify_rfc7515_compact(n: u8, alg: Alg) -> TestResult {
    let key = Key::from_jwk_json(&read(&format!("rfc-appendix/latchset-jose/rfc7515_A.{n}.jwk"))?)?;
    let token = read(&format!("rfc-appendix/latchset-jose/rfc7515_A.{n}.jwsc"))?;
    let token = token.trim_end();
    let erlang = read_json(&format!("rfc-appendix/erlang-jose/rfc7515/A.{n}.json"))?;
    // The two copies of the RFC example agree.
    assert_eq!(token, erlang_str(&erlang, &format!("a.{n}.1.compact"))?);

    let verified = compact_verify(token, &verifier(&key)?, &only(alg))?;
    assert_eq!(
        verified.payload,
        erlang_str(&erlang, &format!("a.{n}.1.payload"))?.as_bytes()
    );
    let header = verified.protected_header.ok_or("no protected header")?;
    assert_eq!(header.alg, Some(alg));

    // The allow-list is honoured even though the signature is valid.
    let refused = compact_verify(token, &key, &only(other_alg(alg)));
    assert!(
        matches!(&refused, Err(Error::AlgNotAllowed { alg: name, .. }) if name == alg.name()),
        "{refused:?}"
    );
    Ok(())
}

#[test]
fn rfc7515_a1_hs256_compact_jws_verifies_and_yields_the_payload() -> TestResult {
    verify_rfc7515_compact(1, Alg::HS256)
}

#[test]
fn rfc7515_a2_rs256_compact_jws_verifies_and_yields_the_payload() -> TestResult {
    verify_rfc7515_compact(2, Alg::RS256)
}

#[test]
fn rfc7515_a3_es256_compact_jws_verifies_and_yields_the_payload() -> TestResult {
    verify_rfc7515_compact(3, Alg::ES256)
}

#[test]
fn rfc7515_a4_es512_compact_jws_verifies_and_yields_the_payload() -> TestResult {
    verify_rfc7515_compact(4, Alg::ES512)
}

#[test]
fn rfc7515_a5_unsecured_jws_is_rejected_by_compact_verify_and_jwt_verify() -> TestResult {
    let token = read("rfc-appendix/latchset-jose/rfc7515_A.5.jwsc")?;
    let token = token.trim_end();
    let erlang = read_json("rfc-appendix/erlang-jose/rfc7515/A.5.json")?;
    assert_eq!(token, erlang_str(&erlang, "a.5.compact")?);
    // Any key at all: the A.1 HMAC secret.
    let key = Key::from_jwk_json(&read("rfc-appendix/latchset-jose/rfc7515_A.1.jwk")?)?;

    for options in [JwsVerifyOptions::new(), only(Alg::HS256)] {
        let result = compact_verify(token, &key, &options);
        assert!(
            matches!(&result, Err(Error::AlgNotAllowed { alg: name, .. }) if name == "none"),
            "compact_verify with {options:?}: {result:?}"
        );
    }
    let late_2011 = VerifyOptions::new().current_time(1_300_819_370_i64);
    for options in [late_2011.clone(), late_2011.algorithms([Alg::HS256])] {
        let result = jwt::jwt_verify::<JsonObject>(token, &key, &options);
        assert!(
            matches!(&result, Err(Error::AlgNotAllowed { alg: name, .. }) if name == "none"),
            "jwt_verify with {options:?}: {result:?}"
        );
    }
    Ok(())
}

#[test]
fn rfc7515_a5_unsecured_jws_is_accepted_only_by_unsecured_jwt_decode() -> TestResult {
    let token = read("rfc-appendix/latchset-jose/rfc7515_A.5.jwsc")?;
    let token = token.trim_end();
    // exp is 1300819380 (2011-03-22T18:43:00Z): check ten seconds before.
    let before_exp = VerifyOptions::new().current_time(1_300_819_370_i64);
    let (claims, registered) = UnsecuredJwt::decode::<JsonObject>(token, &before_exp)?;
    assert_eq!(claims["iss"], "joe");
    assert_eq!(claims["http://example.com/is_root"], true);
    assert_eq!(registered.iss.as_deref(), Some("joe"));
    assert_eq!(registered.exp, Some(1_300_819_380));

    // The claims are still checked: the token has expired since.
    let after_exp = VerifyOptions::new().current_time(1_300_819_381_i64);
    let expired = UnsecuredJwt::decode::<JsonObject>(token, &after_exp);
    assert!(matches!(&expired, Err(Error::JwtExpired { .. })), "{expired:?}");

    // And the unsecured path accepts nothing else: A.1 is signed (HS256).
    let signed = read("rfc-appendix/latchset-jose/rfc7515_A.1.jwsc")?;
    let refused = UnsecuredJwt::decode::<JsonObject>(signed.trim_end(), &before_exp);
    assert!(matches!(&refused, Err(Error::JwtInvalid(_))), "{refused:?}");
    Ok(())
}

#[test]
fn rfc7515_a6_general_jws_verifies_each_signature_with_its_own_key_of_the_set() -> TestResult {
    let jws = GeneralJws::from_json(&read("rfc-appendix/latchset-jose/rfc7515_A.6.jwsg")?)?;
    let set = LocalJwkSet::from_json(&read("rfc-appendix/latchset-jose/rfc7515_A.6.jwkset")?)?;
    assert_eq!((set.keys().len(), set.skipped()), (2, 0));
    assert_eq!(jws.signatures.len(), 2);
    let payload = read_json("rfc-appendix/erlang-jose/rfc7515/A.2.json")?;
    let payload = erlang_str(&payload, "a.2.1.payload")?;

    // Signature i was made with key i: RS256 (kid 2010-12-29), ES256
    // (kid e9bc097a-...).
    let expected = [
        (Alg::RS256, "2010-12-29"),
        (Alg::ES256, "e9bc097a-ce51-4036-9562-d2ade882db0d"),
    ];
    for (i, (key, (alg, kid))) in set.keys().iter().zip(expected).enumerate() {
        // Only this signature, so that nothing else can verify.
        let mut single = jws.clone();
        single.signatures.retain(|s| s == &jws.signatures[i]);
        assert_eq!(single.signatures.len(), 1);
        let verified = general_verify(&single, &verifier(key)?, &only(alg))?;
        assert_eq!(verified.payload, payload.as_bytes());
        assert_eq!(verified.protected_header.and_then(|h| h.alg), Some(alg));
        assert_eq!(verified.unprotected_header.and_then(|h| h.kid).as_deref(), Some(kid));

        // With both signatures present, this key still finds its own.
        let verified = general_verify(&jws, &verifier(key)?, &only(alg))?;
        assert_eq!(verified.payload, payload.as_bytes());
    }
    Ok(())
}

#[test]
fn rfc7515_a7_flattened_jws_verifies_with_its_key() -> TestResult {
    let jws = FlattenedJws::from_json(&read("rfc-appendix/latchset-jose/rfc7515_A.7.jwsf")?)?;
    let key = Key::from_jwk_json(&read("rfc-appendix/latchset-jose/rfc7515_A.7.jwk")?)?;
    let verified = flattened_verify(&jws, &verifier(&key)?, &only(Alg::ES256))?;
    let erlang = read_json("rfc-appendix/erlang-jose/rfc7515/A.3.json")?;
    assert_eq!(verified.payload, erlang_str(&erlang, "a.3.1.payload")?.as_bytes());
    assert_eq!(verified.protected_header.and_then(|h| h.alg), Some(Alg::ES256));
    assert_eq!(
        verified.unprotected_header.and_then(|h| h.kid).as_deref(),
        Some("e9bc097a-ce51-4036-9562-d2ade882db0d")
    );
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 7520 section 4
// ---------------------------------------------------------------------------

#[test]
fn rfc7520_4_1_rs256_verifies_in_every_serialization() -> TestResult {
    let example = Cookbook::load("jws/4_1.rsa_v15_signature.json")?;
    assert_eq!(
        example.verify_every_serialization(&verifier(&example.key()?)?)?,
        ALL_THREE
    );
    Ok(())
}

#[test]
fn rfc7520_4_1_rs256_signature_is_reproduced_byte_for_byte() -> TestResult {
    let example = Cookbook::load("jws/4_1.rsa_v15_signature.json")?;
    assert_eq!(example.reproduce_every_serialization(&example.key()?)?, ALL_THREE);
    Ok(())
}

#[test]
fn rfc7520_4_2_ps384_verifies_in_every_serialization() -> TestResult {
    let example = Cookbook::load("jws/4_2.rsa-pss_signature.json")?;
    assert!(!example.reproducible(), "RSA-PSS is randomized");
    assert_eq!(
        example.verify_every_serialization(&verifier(&example.key()?)?)?,
        ALL_THREE
    );
    Ok(())
}

#[test]
fn rfc7520_4_3_es512_verifies_in_every_serialization() -> TestResult {
    let example = Cookbook::load("jws/4_3.ecdsa_signature.json")?;
    assert!(!example.reproducible(), "ECDSA is randomized");
    assert_eq!(
        example.verify_every_serialization(&verifier(&example.key()?)?)?,
        ALL_THREE
    );
    Ok(())
}

#[test]
fn rfc7520_4_4_hs256_verifies_in_every_serialization() -> TestResult {
    let example = Cookbook::load("jws/4_4.hmac-sha2_integrity_protection.json")?;
    assert_eq!(example.verify_every_serialization(&example.key()?)?, ALL_THREE);
    Ok(())
}

#[test]
fn rfc7520_4_4_hs256_signature_is_reproduced_byte_for_byte() -> TestResult {
    let example = Cookbook::load("jws/4_4.hmac-sha2_integrity_protection.json")?;
    assert_eq!(example.reproduce_every_serialization(&example.key()?)?, ALL_THREE);
    Ok(())
}

#[test]
fn rfc7520_4_5_detached_hs256_verifies_in_every_serialization_once_the_payload_is_supplied() -> TestResult {
    let example = Cookbook::load("jws/4_5.signature_with_detached_content.json")?;
    let key = example.key()?;
    assert_eq!(example.verify_every_serialization(&key)?, ALL_THREE);

    // The detached token carries no payload of its own to verify.
    let token = str_at(&example.doc, "/output/compact")?;
    let attached = compact_verify(token, &key, &only(Alg::HS256));
    assert!(
        matches!(attached, Err(Error::JwsSignatureVerificationFailed)),
        "a detached JWS verified over an empty payload: {attached:?}"
    );
    // And the payload matters.
    let wrong = compact_verify_detached(token, b"another payload", &key, &only(Alg::HS256));
    assert!(
        matches!(&wrong, Err(Error::JwsSignatureVerificationFailed)),
        "{wrong:?}"
    );
    Ok(())
}

#[test]
fn rfc7520_4_5_detached_hs256_signature_is_reproduced_byte_for_byte() -> TestResult {
    let example = Cookbook::load("jws/4_5.signature_with_detached_content.json")?;
    assert_eq!(example.reproduce_every_serialization(&example.key()?)?, ALL_THREE);
    Ok(())
}

#[test]
fn rfc7520_4_6_hs256_with_unprotected_kid_verifies_in_every_serialization() -> TestResult {
    let example = Cookbook::load("jws/4_6.protecting_specific_header_fields.json")?;
    assert_eq!(example.verify_every_serialization(&example.key()?)?, JSON_ONLY);
    Ok(())
}

#[test]
fn rfc7520_4_6_hs256_with_unprotected_kid_is_reproduced_byte_for_byte() -> TestResult {
    let example = Cookbook::load("jws/4_6.protecting_specific_header_fields.json")?;
    assert_eq!(example.reproduce_every_serialization(&example.key()?)?, JSON_ONLY);
    Ok(())
}

#[test]
fn rfc7520_4_7_hs256_without_protected_header_verifies_in_every_serialization() -> TestResult {
    let example = Cookbook::load("jws/4_7.protecting_content_only.json")?;
    assert!(example.signing()?.protected.is_none());
    assert_eq!(example.verify_every_serialization(&example.key()?)?, JSON_ONLY);
    Ok(())
}

#[test]
fn rfc7520_4_7_hs256_without_protected_header_is_reproduced_byte_for_byte() -> TestResult {
    let example = Cookbook::load("jws/4_7.protecting_content_only.json")?;
    assert_eq!(example.reproduce_every_serialization(&example.key()?)?, JSON_ONLY);
    Ok(())
}

/// The three signers of RFC 7520 section 4.8: (key, alg, headers).
fn rfc7520_4_8_signers(example: &Cookbook) -> TestResult<Vec<(Key, Alg, Signing)>> {
    let keys = example.doc["input"]["key"].as_array().ok_or("4.8 has a list of keys")?;
    let algs = example.doc["input"]["alg"].as_array().ok_or("4.8 has a list of algs")?;
    let signings = example.doc["signing"].as_array().ok_or("4.8 has a list of signings")?;
    assert_eq!((keys.len(), algs.len(), signings.len()), (3, 3, 3));
    keys.iter()
        .zip(algs)
        .zip(signings)
        .map(|((key, alg), signing)| {
            let alg: Alg = alg.as_str().ok_or("alg is not a string")?.parse()?;
            Ok((key_from_value(key)?, alg, Signing::from_value(signing)?))
        })
        .collect()
}

#[test]
fn rfc7520_4_8_each_of_the_multiple_signatures_verifies_with_its_own_key() -> TestResult {
    let example = Cookbook::load("jws/4_8.multiple_signatures.json")?;
    let signers = rfc7520_4_8_signers(&example)?;
    assert_eq!(example.output()?.keys().collect::<Vec<_>>(), ["json"]);
    let jws = GeneralJws::from_json(&example.doc["output"]["json"].to_string())?;
    assert_eq!(jws.signatures.len(), signers.len());
    let payload = example.payload()?;

    for (i, (key, alg, signing)) in signers.iter().enumerate() {
        let what = format!("4.8 signature {i} ({alg})");
        let mut single = jws.clone();
        single.signatures.retain(|s| s == &jws.signatures[i]);
        let verified = general_verify(&single, &verifier(key)?, &only(*alg))?;
        assert_eq!(verified.payload, payload, "{what}");
        signing.check(&verified, &what);
        // Each signature's own `json` member, with the shared payload,
        // is its flattened form.
        let mut flat = example.doc["signing"][i]["json"].clone();
        flat["payload"] = example.doc["output"]["json"]["payload"].clone();
        let flat = FlattenedJws::from_json(&flat.to_string())?;
        let verified = flattened_verify(&flat, &verifier(key)?, &only(*alg))?;
        assert_eq!(verified.payload, payload, "{what} (flattened)");
    }

    // The keys as a set. The RSA and EC keys share a kid: the set refuses
    // to let each signature's own alg choose between them, unless asked
    // to try every key of that kid.
    let public = signers
        .iter()
        .map(|(key, _, _)| verifier(key))
        .collect::<TestResult<Vec<_>>>()?;
    let strict = LocalJwkSet::new(public.clone()).allow_symmetric(true);
    let set = LocalJwkSet::new(public).allow_symmetric(true).try_all_matching(true);
    for (i, (_, alg, _)) in signers.iter().enumerate() {
        let mut single = jws.clone();
        single.signatures.retain(|s| s == &jws.signatures[i]);
        if alg.key_type() != "oct" {
            // Flattened, whose errors are the signature's own (the general
            // form reports any failure of all its signatures as one).
            let mut flat = example.doc["signing"][i]["json"].clone();
            flat["payload"] = example.doc["output"]["json"]["payload"].clone();
            let flat = FlattenedJws::from_json(&flat.to_string())?;
            let refused = flattened_verify(&flat, &strict, &only(*alg)).map(drop);
            assert!(matches!(refused, Err(Error::JwksMultipleMatchingKeys)), "{refused:?}");
            let refused = general_verify(&single, &strict, &only(*alg)).map(drop);
            assert!(
                matches!(refused, Err(Error::JwsSignatureVerificationFailed)),
                "{refused:?}"
            );
        }
        let verified = general_verify(&single, &set, &only(*alg))?;
        assert_eq!(verified.payload, payload, "4.8 signature {i} with the key set");
    }
    Ok(())
}

#[test]
fn rfc7520_4_8_deterministic_signatures_are_reproduced_byte_for_byte() -> TestResult {
    let example = Cookbook::load("jws/4_8.multiple_signatures.json")?;
    let signers = rfc7520_4_8_signers(&example)?;
    let expected = &example.doc["output"]["json"];
    let mut builder = GeneralSign::new(example.payload()?);
    for (key, _, signing) in &signers {
        builder = builder.add_signature(
            key,
            signing.protected.clone().unwrap_or_default(),
            signing.unprotected.clone(),
        );
    }
    let ours = as_value(&builder.sign()?.to_json())?;
    assert_eq!(ours["payload"], expected["payload"]);
    let (ours, theirs) = (
        ours["signatures"].as_array().ok_or("no signatures")?,
        expected["signatures"].as_array().ok_or("no signatures")?,
    );
    assert_eq!(ours.len(), theirs.len());
    let mut reproduced = Vec::new();
    for (i, (key, alg, _)) in signers.iter().enumerate() {
        match alg {
            // RSASSA-PKCS1-v1_5 and HMAC: the whole entry, byte for byte.
            Alg::RS256 | Alg::HS256 => {
                assert_eq!(ours[i], theirs[i], "4.8 signature {i} ({alg})");
                reproduced.push(*alg);
            }
            // ECDSA is randomized: same headers, and our signature verifies.
            _ => {
                assert_eq!(ours[i].get("protected"), theirs[i].get("protected"));
                assert_eq!(ours[i]["header"], theirs[i]["header"]);
                let mut flat = ours[i].clone();
                flat["payload"] = expected["payload"].clone();
                let flat = FlattenedJws::from_json(&flat.to_string())?;
                flattened_verify(&flat, &verifier(key)?, &only(*alg))?;
            }
        }
    }
    assert_eq!(reproduced, [Alg::RS256, Alg::HS256]);
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 7797: unencoded payload
// ---------------------------------------------------------------------------

#[test]
fn rfc7797_b64_false_hs256_verifies_in_every_serialization() -> TestResult {
    let example = Cookbook::load("rfc7797/hmac-sha2_b64_false.json")?;
    let verified = example.verify_every_serialization(&example.key()?)?;
    assert_eq!(verified, ALL_THREE);
    // The compact form carries the payload as is, not base64url-encoded.
    let token = str_at(&example.doc, "/output/compact")?;
    assert_eq!(token.split('.').nth(1), Some("This is the payload string!"));
    Ok(())
}

#[test]
fn rfc7797_b64_false_hs256_is_reproduced_byte_for_byte() -> TestResult {
    // Upstream quirk: this file's `signing` block (protected_b64u,
    // sig-input, sig) is stale and not even valid JSON once decoded; the
    // `output` block is the consistent RFC 7797 example and is what we
    // compare with.
    let example = Cookbook::load("rfc7797/hmac-sha2_b64_false.json")?;
    assert_eq!(example.reproduce_every_serialization(&example.key()?)?, ALL_THREE);
    Ok(())
}

#[test]
fn rfc7797_4_2_draft_output_without_crit_is_rejected_and_resigning_adds_crit() -> TestResult {
    // This cookbook file predates RFC 7797: its output's protected header
    // is {"alg":"HS256","b64":false}, without the "crit":["b64"] that
    // RFC 7797 section 6 makes mandatory, so it must not verify. (Its
    // `signing.protected` does list crit, as the RFC's section 4.2 does.)
    let example = Cookbook::load("rfc7797/4.2.hmac-sha2_b64_false.json")?;
    let key = example.key()?;
    let flat = FlattenedJws::from_json(&example.doc["output"]["json_flat"].to_string())?;
    let header = unb64(flat.protected.as_deref().ok_or("no protected header")?)?;
    assert_eq!(header, br#"{"alg":"HS256","b64":false}"#);
    let refused = flattened_verify(&flat, &key, &only(Alg::HS256));
    assert!(
        matches!(&refused, Err(Error::JwsInvalid(m)) if m.contains("crit")),
        "{refused:?}"
    );
    let general = GeneralJws::from_json(&example.doc["output"]["json"].to_string())?;
    let refused = general_verify(&general, &key, &only(Alg::HS256));
    assert!(
        matches!(&refused, Err(Error::JwsInvalid(m)) if m.contains("crit")),
        "{refused:?}"
    );

    // Signed with the header the file names, the output lists crit, and
    // its protected header is the one of the RFC 7797 example above.
    let payload = example.payload()?;
    assert_eq!(payload, b"$.02");
    let protected = example.signing()?.protected.ok_or("no protected header")?;
    let ours = FlattenedSign::new(payload)
        .protected_header(protected.clone())
        .sign(&key)?;
    let rfc = Cookbook::load("rfc7797/hmac-sha2_b64_false.json")?;
    assert_eq!(
        ours.protected.as_deref(),
        Some(str_at(&rfc.doc, "/output/json_flat/protected")?)
    );
    assert_eq!(ours.payload.as_deref(), Some("$.02"));
    let verified = flattened_verify(&ours, &key, &only(Alg::HS256))?;
    assert_eq!(verified.payload, payload);

    // RFC 7797 section 5.2: a payload containing '.' cannot travel in the
    // compact form, only detached.
    let attached = CompactSign::new(payload).protected_header(protected.clone()).sign(&key);
    assert!(matches!(&attached, Err(Error::JwsInvalid(_))), "{attached:?}");
    let detached = CompactSign::new(payload)
        .protected_header(protected)
        .detached()
        .sign(&key)?;
    assert_eq!(
        detached,
        format!("{}..{}", ours.protected.as_deref().unwrap_or_default(), ours.signature)
    );
    let verified = compact_verify_detached(&detached, payload, &key, &only(Alg::HS256))?;
    assert_eq!(verified.payload, payload);
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 8037: Ed25519
// ---------------------------------------------------------------------------

#[test]
fn rfc8037_ed25519_cookbook_example_verifies_in_every_serialization() -> TestResult {
    let example = Cookbook::load("curve25519/jws.json")?;
    assert_eq!(example.alg()?, Alg::EdDSA);
    assert_eq!(
        example.verify_every_serialization(&verifier(&example.key()?)?)?,
        ALL_THREE
    );
    Ok(())
}

#[test]
fn rfc8037_ed25519_cookbook_example_is_reproduced_byte_for_byte() -> TestResult {
    let example = Cookbook::load("curve25519/jws.json")?;
    assert_eq!(example.reproduce_every_serialization(&example.key()?)?, ALL_THREE);
    Ok(())
}

#[test]
fn rfc8037_a1_key_matches_its_published_hex_values() -> TestResult {
    let jwk = Jwk::from_json(&read("rfc-appendix/erlang-jose/rfc8037/A.1.jwk+json")?)?;
    let raw = read_json("rfc-appendix/erlang-jose/rfc8037/A.1.json")?;
    let key = Key::from_jwk(&jwk)?;
    assert_eq!(
        (key.kty(), key.crv().map(rjose::Curve::name), key.is_private()),
        ("OKP", Some("Ed25519"), true)
    );
    let exported = key.to_jwk()?;
    assert_eq!(
        unb64(exported.d.as_deref().ok_or("no d")?)?,
        hex(erlang_str(&raw, "a.1.secret")?)?
    );
    assert_eq!(
        unb64(exported.x.as_deref().ok_or("no x")?)?,
        hex(erlang_str(&raw, "a.1.pk")?)?
    );
    // RFC 8037 A.2 is the public half of A.1.
    let public = Jwk::from_json(&read("rfc-appendix/erlang-jose/rfc8037/A.2.jwk+json")?)?;
    assert_eq!(key.to_public_jwk()?, public);
    Ok(())
}

#[test]
fn rfc8037_a4_ed25519_signature_is_reproduced_byte_for_byte_and_verifies() -> TestResult {
    let key = Key::from_jwk_json(&read("rfc-appendix/erlang-jose/rfc8037/A.1.jwk+json")?)?;
    let a4 = read_json("rfc-appendix/erlang-jose/rfc8037/A.4.json")?;
    let header = header_from_value(serde_json::from_str(erlang_str(&a4, "a.4.jws+json")?)?)?;
    let payload = erlang_str(&a4, "a.4.txt")?.as_bytes();
    let expected = erlang_str(&a4, "a.4.sig+compact")?;

    let ours = CompactSign::new(payload).protected_header(header).sign(&key)?;
    assert_eq!(ours, expected);
    let signature = ours.rsplit('.').next().ok_or("no signature")?;
    assert_eq!(unb64(signature)?, hex(erlang_str(&a4, "a.4.sig+hex")?)?);
    assert_eq!(
        ours.rsplit_once('.').map(|(input, _)| input),
        Some(erlang_str(&a4, "a.4.signing-input")?)
    );

    let verified = compact_verify(expected, &verifier(&key)?, &only(Alg::EdDSA))?;
    assert_eq!(verified.payload, payload);
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 7638 / RFC 9278: thumbprints
// ---------------------------------------------------------------------------

#[test]
fn rfc7638_3_1_thumbprint_and_rfc9278_uri_match_the_published_value() -> TestResult {
    let expected = read("rfc-appendix/latchset-jose/rfc7638_3.1.thp")?;
    let expected = expected.trim();
    let uri = format!("urn:ietf:params:oauth:jwk-thumbprint:sha-256:{expected}");
    for rel in [
        "rfc-appendix/latchset-jose/rfc7638_3.1.jwk",
        "rfc-appendix/hotplace/rfc7638_3.jwk",
    ] {
        let jwk = Jwk::from_json(&read(rel)?)?;
        assert_eq!(jwk.thumbprint(Digest::Sha256)?, expected, "{rel}");
        assert_eq!(jwk.thumbprint_uri(Digest::Sha256)?, uri, "{rel}");
        let key = Key::from_jwk(&jwk)?;
        assert_eq!(key.thumbprint(Digest::Sha256)?, expected, "{rel}");
        assert_eq!(key.thumbprint_uri(Digest::Sha256)?, uri, "{rel}");
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// RFC 7517 appendices A and B; RFC 7520 section 3
// ---------------------------------------------------------------------------

const PRIVATE_MEMBERS: [&str; 9] = ["d", "p", "q", "dp", "dq", "qi", "k", "priv", "oth"];

/// Fails if a JWK document has any private member.
fn assert_no_private_members(jwk: &Jwk, what: &str) -> TestResult {
    let value = serde_json::to_value(jwk)?;
    let object = value.as_object().ok_or("a JWK serializes to an object")?;
    for member in PRIVATE_MEMBERS {
        assert!(!object.contains_key(member), "{what}: public export has {member:?}");
    }
    assert!(!jwk.is_private(), "{what}");
    Ok(())
}

#[test]
fn rfc7517_a1_public_key_set_imports_with_the_right_kinds() -> TestResult {
    let set = LocalJwkSet::from_json(&read("rfc-appendix/latchset-jose/rfc7517_A.1.jwkset")?)?;
    assert_eq!((set.keys().len(), set.skipped()), (2, 0));
    let [ec, rsa] = set.keys() else {
        return Err("expected two keys".into());
    };
    assert_eq!(
        (ec.kty(), ec.crv().map(rjose::Curve::name), ec.is_private()),
        ("EC", Some("P-256"), false)
    );
    assert_eq!((ec.kid(), ec.key_use()), (Some("1"), Some("enc")));
    assert_eq!(
        (rsa.kty(), rsa.crv().map(rjose::Curve::name), rsa.is_private()),
        ("RSA", None, false)
    );
    assert_eq!((rsa.kid(), rsa.alg()), (Some("2011-04-29"), Some(Alg::RS256.into())));
    assert_eq!(rsa.bits(), 2048);
    assert!(
        rsa.supports(Alg::RS256) && !rsa.supports(Alg::PS256),
        "alg RS256 binds the key"
    );
    // A public set re-exports as itself.
    assert_eq!(
        as_value(&set.to_public_json()?)?,
        read_json("rfc-appendix/latchset-jose/rfc7517_A.1.jwkset")?
    );
    Ok(())
}

#[test]
fn rfc7517_a2_private_key_set_exports_exactly_the_a1_public_set() -> TestResult {
    let set = LocalJwkSet::from_json(&read("rfc-appendix/latchset-jose/rfc7517_A.2.jwkset")?)?;
    assert_eq!((set.keys().len(), set.skipped()), (2, 0));
    let [ec, rsa] = set.keys() else {
        return Err("expected two keys".into());
    };
    assert_eq!(
        (ec.kty(), ec.crv().map(rjose::Curve::name), ec.is_private()),
        ("EC", Some("P-256"), true)
    );
    assert_eq!(
        (rsa.kty(), rsa.crv().map(rjose::Curve::name), rsa.is_private()),
        ("RSA", None, true)
    );

    // RFC 7517 A.2 holds the private halves of the A.1 keys: public export
    // drops the private members and nothing else.
    let a1 = read_json("rfc-appendix/latchset-jose/rfc7517_A.1.jwkset")?;
    for (i, key) in set.keys().iter().enumerate() {
        let public = key.to_public_jwk()?;
        assert_no_private_members(&public, &format!("A.2 key {i}"))?;
        assert_eq!(serde_json::to_value(&public)?, a1["keys"][i], "A.2 key {i}");
        // The full export keeps them, member for member.
        let a2 = read_json("rfc-appendix/latchset-jose/rfc7517_A.2.jwkset")?;
        assert_eq!(serde_json::to_value(key.to_jwk()?)?, a2["keys"][i], "A.2 key {i}");
    }
    assert_eq!(as_value(&set.to_public_json()?)?, a1);
    Ok(())
}

#[test]
fn rfc7517_a3_symmetric_key_set_imports_and_has_no_public_export() -> TestResult {
    let set = LocalJwkSet::from_json(&read("rfc-appendix/latchset-jose/rfc7517_A.3.jwkset")?)?;
    assert_eq!((set.keys().len(), set.skipped()), (2, 0));
    let [kw, hmac] = set.keys() else {
        return Err("expected two keys".into());
    };
    for key in [kw, hmac] {
        assert_eq!(
            (key.kty(), key.crv().map(rjose::Curve::name), key.is_private()),
            ("oct", None, true)
        );
        assert!(key.is_symmetric());
        let refused = key.to_public_jwk();
        assert!(matches!(&refused, Err(Error::InvalidKeyUse(_))), "{refused:?}");
    }
    assert_eq!(
        (kw.alg(), kw.bits()),
        (Some(rjose::Algorithm::Jwe(rjose::jwe::JweAlg::A128KW)), 128)
    );
    assert!(!kw.supports(Alg::HS256), "an A128KW key is not an HMAC key");
    assert_eq!(hmac.kid(), Some("HMACkeyusedinJWSspecAppendixA.1example"));
    assert!(hmac.supports(Alg::HS256));
    // Secrets never appear in the public document.
    assert_eq!(as_value(&set.to_public_json()?)?, serde_json::json!({ "keys": [] }));
    Ok(())
}

#[test]
fn rfc7517_b_rsa_key_with_certificate_chain_keeps_x5c_on_public_export() -> TestResult {
    let text = read("rfc-appendix/latchset-jose/rfc7517_B.jwk")?;
    let key = Key::from_jwk_json(&text)?;
    assert_eq!(
        (key.kty(), key.crv().map(rjose::Curve::name), key.is_private()),
        ("RSA", None, false)
    );
    assert_eq!((key.kid(), key.key_use()), (Some("1b94c"), Some("sig")));
    let public = key.to_public_jwk()?;
    assert_no_private_members(&public, "RFC 7517 B")?;
    assert_eq!(serde_json::to_value(&public)?, as_value(&text)?);
    Ok(())
}

#[test]
fn rfc7520_3_keys_import_and_reexport_to_the_same_members() -> TestResult {
    let files = [
        ("3_1.ec_public_key.json", "EC", Some("P-521"), false),
        ("3_2.ec_private_key.json", "EC", Some("P-521"), true),
        ("3_3.rsa_public_key.json", "RSA", None, false),
        ("3_4.rsa_private_key.json", "RSA", None, true),
        ("3_5.symmetric_key_mac_computation.json", "oct", None, true),
        ("3_6.symmetric_key_encryption.json", "oct", None, true),
    ];
    for (file, kty, crv, private) in files {
        let rel = format!("rfc7520-cookbook/jwk/{file}");
        let published = read_json(&rel)?;
        let key = key_from_value(&published)?;
        assert_eq!(
            (key.kty(), key.crv().map(rjose::Curve::name), key.is_private()),
            (kty, crv, private),
            "{file}"
        );
        assert_eq!(serde_json::to_value(key.to_jwk()?)?, published, "{file}");
        // The latchset-jose copy is the same key.
        let n = file[..3].replace('_', ".");
        assert_eq!(
            read_json(&format!("rfc-appendix/latchset-jose/rfc7520_{n}.jwk"))?,
            published,
            "{file}"
        );
    }
    // The private keys' public halves are the published public keys.
    for (private, public) in [
        ("3_2.ec_private_key.json", "3_1.ec_public_key.json"),
        ("3_4.rsa_private_key.json", "3_3.rsa_public_key.json"),
    ] {
        let key = key_from_value(&read_json(&format!("rfc7520-cookbook/jwk/{private}"))?)?;
        let exported = key.to_public_jwk()?;
        assert_no_private_members(&exported, private)?;
        assert_eq!(
            serde_json::to_value(exported)?,
            read_json(&format!("rfc7520-cookbook/jwk/{public}"))?,
            "{private}"
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// ML-DSA (draft-ietf-cose-dilithium JOSE examples)
// ---------------------------------------------------------------------------

/// The hotplace copy of one ML-DSA example.
struct MlDsaExample {
    doc: Value,
    alg: Alg,
}

impl MlDsaExample {
    fn load(level: u16) -> TestResult<MlDsaExample> {
        let doc = read_json(&format!("rfc-appendix/hotplace/testvector_akp_mldsa{level}.json"))?;
        let alg = Alg::from_name(&format!("ML-DSA-{level}")).ok_or("unknown ML-DSA level")?;
        Ok(MlDsaExample { doc, alg })
    }

    /// The example's `jwk` member (a JSON object in this copy, with
    /// `kid`, `kty`, `alg`, `pub` and `priv`).
    fn jwk(&self) -> TestResult<Jwk> {
        Ok(serde_json::from_value(self.doc["jwk"].clone())?)
    }

    fn raw_public_key(&self) -> TestResult<Vec<u8>> {
        hex(str_at(&self.doc, "/raw_public_key")?)
    }

    fn kid(&self) -> TestResult<String> {
        self.jwk()?
            .kid
            .clone()
            .ok_or_else(|| "the example's jwk has no kid".into())
    }
}

fn mldsa_example_jws_verifies(level: u16) -> TestResult {
    let example = MlDsaExample::load(level)?;
    let jwk = example.jwk()?;
    assert_eq!(jwk.kty, "AKP");
    assert_eq!(jwk.alg.as_deref(), Some(example.alg.name()));
    assert_eq!(
        unb64(jwk.public.as_deref().ok_or("no pub")?)?,
        example.raw_public_key()?
    );

    // Verify with the public part only.
    let public = Key::from_jwk(&jwk.to_public())?;
    assert_eq!((public.kty(), public.is_private()), ("AKP", false));
    let token = str_at(&example.doc, "/jws")?;
    // The example's intermediate values agree with its token.
    let (input, signature) = token.rsplit_once('.').ok_or("not a compact JWS")?;
    assert_eq!(input.as_bytes(), hex(str_at(&example.doc, "/raw_to_be_signed")?)?);
    assert_eq!(unb64(signature)?, hex(str_at(&example.doc, "/raw_signature")?)?);

    let verified = compact_verify(token, &public, &only(example.alg))?;
    let header = verified.protected_header.ok_or("no protected header")?;
    assert_eq!(header.alg, Some(example.alg));
    assert_eq!(header.kid, Some(example.kid()?));
    let payload_segment = input.split('.').nth(1).ok_or("no payload")?;
    assert_eq!(verified.payload, unb64(payload_segment)?);
    assert!(
        verified
            .payload
            .starts_with("It’s a dangerous business, Frodo".as_bytes())
    );

    // The key pair in the example's jwk (it carries `priv`) verifies too.
    let private = Key::from_jwk(&jwk)?;
    assert!(private.is_private());
    compact_verify(token, &private, &only(example.alg))?;
    Ok(())
}

fn mldsa_seed_builds_the_published_key(level: u16) -> TestResult {
    let example = MlDsaExample::load(level)?;
    let seed = hex(str_at(&example.doc, "/priv")?)?;
    assert_eq!(seed.len(), 32);
    let raw_public = example.raw_public_key()?;
    let jwk = serde_json::json!({
        "kty": "AKP",
        "alg": example.alg.name(),
        "pub": b64(&raw_public),
        "priv": b64(&seed),
    });
    let key = key_from_value(&jwk)?;
    assert_eq!((key.kty(), key.is_private()), ("AKP", true));
    assert!(key.supports(example.alg));
    let public = key.to_public_jwk()?;
    assert_no_private_members(&public, "ML-DSA public export")?;
    assert_eq!(unb64(public.public.as_deref().ok_or("no pub")?)?, raw_public);
    assert_eq!(key.thumbprint(Digest::Sha256)?, example.kid()?);
    assert_eq!(public.thumbprint(Digest::Sha256)?, example.kid()?);

    // The seed must match `pub`: a different seed is refused.
    let mut other = jwk.clone();
    other["priv"] = Value::String(b64(&[1u8; 32]));
    match Key::from_jwk(&serde_json::from_value::<Jwk>(other)?) {
        Err(Error::JwkInvalid(detail)) => assert_eq!(detail, "ML-DSA \"priv\" does not match \"pub\""),
        other => panic!("a seed that does not match pub: expected JwkInvalid, got {other:?}"),
    }

    // And the key signs what its published public key verifies.
    let signed = CompactSign::new(b"ML-DSA round trip")
        .protected_header(JwsHeader::new(example.alg).kid(example.kid()?))
        .sign(&key)?;
    let published = Key::from_jwk(&example.jwk()?.to_public())?;
    let verified = compact_verify(&signed, &published, &only(example.alg))?;
    assert_eq!(verified.payload, b"ML-DSA round trip");
    Ok(())
}

#[test]
fn mldsa44_example_jws_verifies_with_its_akp_key() -> TestResult {
    mldsa_example_jws_verifies(44)
}

#[test]
fn mldsa65_example_jws_verifies_with_its_akp_key() -> TestResult {
    mldsa_example_jws_verifies(65)
}

#[test]
fn mldsa87_example_jws_verifies_with_its_akp_key() -> TestResult {
    mldsa_example_jws_verifies(87)
}

#[test]
fn mldsa44_seed_yields_the_published_public_key_and_kid_thumbprint() -> TestResult {
    mldsa_seed_builds_the_published_key(44)
}

#[test]
fn mldsa65_seed_yields_the_published_public_key_and_kid_thumbprint() -> TestResult {
    mldsa_seed_builds_the_published_key(65)
}

#[test]
fn mldsa87_seed_yields_the_published_public_key_and_kid_thumbprint() -> TestResult {
    mldsa_seed_builds_the_published_key(87)
}

/// RFC 7515 A.1 (HMAC) and A.2 (RSASSA-PKCS1-v1_5) are deterministic: with
/// the header kept byte for byte (it has a CRLF in it), our compact JWS is
/// the published one.
#[test]
fn rfc7515_a1_and_a2_are_reproduced_byte_for_byte() -> TestResult {
    for (n, alg) in [(1, Alg::HS256), (2, Alg::RS256)] {
        let doc = read_json(&format!("rfc-appendix/erlang-jose/rfc7515/A.{n}.json"))?;
        let key = Key::from_jwk_json(erlang_str(&doc, &format!("a.{n}.1.jwk+json"))?)?;
        let header = erlang_str(&doc, &format!("a.{n}.1.jws+json"))?;
        let payload = erlang_str(&doc, &format!("a.{n}.1.payload"))?;
        let jws = CompactSign::new(payload.as_bytes())
            .protected_header_json(header)
            .sign(&key)?;
        assert_eq!(jws, erlang_str(&doc, &format!("a.{n}.1.compact"))?, "A.{n}");
        compact_verify(&jws, &verifier(&key)?, &only(alg))?;
    }
    Ok(())
}
