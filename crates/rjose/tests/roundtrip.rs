//! Every algorithm through every serialization, signed and verified.

use std::error::Error as StdError;

use rjose::jws::{
    CompactSign, FlattenedJws, FlattenedSign, GeneralJws, GeneralSign, JwsHeader, JwsVerifyOptions, compact_verify,
    compact_verify_detached, flattened_verify, general_verify,
};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
use rjose::{Alg, Error, JsonObject, Key, KeyPairOptions, LocalJwkSet, generate_key_pair, generate_secret};

type TestResult = Result<(), Box<dyn StdError>>;

/// A signing key and the key that verifies it, for each algorithm.
fn keys(alg: Alg) -> Result<(Key, Key), rjose::Error> {
    if alg.is_symmetric() {
        let secret = generate_secret(alg)?;
        Ok((secret.clone(), secret))
    } else {
        let pair = generate_key_pair(alg, KeyPairOptions::default())?;
        Ok((pair.private_key, pair.public_key))
    }
}

fn only(alg: Alg) -> JwsVerifyOptions {
    JwsVerifyOptions::new().algorithms([alg])
}

const PAYLOAD: &[u8] = b"\x00binary payload \xff with every kind of byte\n";

#[test]
fn every_algorithm_round_trips_in_compact_form() -> TestResult {
    for alg in Alg::ALL {
        let (signer, verifier) = keys(alg)?;
        let jws = CompactSign::new(PAYLOAD)
            .protected_header(JwsHeader::new(alg))
            .sign(&signer)?;
        let verified = compact_verify(&jws, &verifier, &only(alg))?;
        assert_eq!(verified.payload, PAYLOAD, "{alg}");
        assert_eq!(verified.protected_header.and_then(|h| h.alg), Some(alg));
        // With no allow-list the key alone decides, and it accepts its own algorithm.
        compact_verify(&jws, &verifier, &JwsVerifyOptions::new())?;
    }
    Ok(())
}

#[test]
fn every_algorithm_round_trips_in_flattened_json() -> TestResult {
    for alg in Alg::ALL {
        let (signer, verifier) = keys(alg)?;
        let jws = FlattenedSign::new(PAYLOAD)
            .protected_header(JwsHeader::new(alg))
            .unprotected_header(JwsHeader::default().kid("k-1"))
            .sign(&signer)?;
        let parsed = FlattenedJws::from_json(&jws.to_json())?;
        let verified = flattened_verify(&parsed, &verifier, &only(alg))?;
        assert_eq!(verified.payload, PAYLOAD, "{alg}");
        assert_eq!(verified.unprotected_header.and_then(|h| h.kid).as_deref(), Some("k-1"));
    }
    Ok(())
}

#[test]
fn every_algorithm_round_trips_in_general_json_next_to_others() -> TestResult {
    let all: Vec<(Alg, Key, Key)> = Alg::ALL
        .into_iter()
        .map(|alg| keys(alg).map(|(s, v)| (alg, s, v)))
        .collect::<Result<_, _>>()?;
    let mut builder = GeneralSign::new(PAYLOAD);
    for (alg, signer, _) in &all {
        builder = builder.add_signature(signer, JwsHeader::new(*alg), Some(JwsHeader::default().kid(alg.name())));
    }
    let jws = GeneralJws::from_json(&builder.sign()?.to_json())?;
    assert_eq!(jws.signatures.len(), all.len());
    for (alg, _, verifier) in &all {
        // One signature per algorithm is more than the default limit.
        let options = only(*alg).max_signatures(all.len());
        let verified = general_verify(&jws, verifier, &options)?;
        assert_eq!(verified.payload, PAYLOAD, "{alg}");
        assert_eq!(verified.protected_header.and_then(|h| h.alg), Some(*alg));
    }
    Ok(())
}

#[test]
fn detached_and_unencoded_payloads_round_trip() -> TestResult {
    for alg in [Alg::HS256, Alg::ES256, Alg::EdDSA, Alg::PS256] {
        let (signer, verifier) = keys(alg)?;

        let detached = CompactSign::new(PAYLOAD)
            .protected_header(JwsHeader::new(alg))
            .detached()
            .sign(&signer)?;
        assert!(detached.contains(".."), "{detached}");
        assert_eq!(
            compact_verify_detached(&detached, PAYLOAD, &verifier, &only(alg))?.payload,
            PAYLOAD
        );
        assert!(
            matches!(
                compact_verify_detached(&detached, b"other", &verifier, &only(alg)),
                Err(Error::JwsSignatureVerificationFailed)
            ),
            "{alg}: a detached JWS verified over another payload"
        );

        let mut unencoded = JwsHeader::new(alg);
        unencoded.b64 = Some(false);
        let text = b"$.02 is not base64url";
        let jws = CompactSign::new(text)
            .protected_header(unencoded.clone())
            .detached()
            .sign(&signer)?;
        assert_eq!(
            compact_verify_detached(&jws, text, &verifier, &only(alg))?.payload,
            text
        );

        let flat = FlattenedSign::new(text).protected_header(unencoded).sign(&signer)?;
        assert_eq!(flat.payload.as_deref(), Some("$.02 is not base64url"));
        assert_eq!(flattened_verify(&flat, &verifier, &only(alg))?.payload, text);
    }
    Ok(())
}

#[test]
fn every_algorithm_round_trips_a_jwt_through_a_key_set() -> TestResult {
    let mut signers = Vec::new();
    let mut public = Vec::new();
    for alg in Alg::ALL {
        let (signer, verifier) = keys(alg)?;
        signers.push((alg, signer.with_kid(alg.name())));
        public.push(verifier.with_kid(alg.name()));
    }
    // The HMAC secrets are this test's own: the set may hand them out.
    let set = LocalJwkSet::new(public).allow_symmetric(true);
    for (alg, signer) in signers {
        let token = SignJwt::default()
            .claim("n", 1)
            .protected_header(alg)
            .issued_at_now()
            .expiration_time("5m")
            .sign(&signer)?;
        let verified = jwt_verify::<JsonObject>(&token, &set, &VerifyOptions::new().algorithms([alg]))?;
        assert_eq!(verified.claims["n"], 1, "{alg}");
        assert_eq!(verified.protected_header.kid.as_deref(), Some(alg.name()));
        assert_eq!(verified.key.kid(), Some(alg.name()));
    }
    Ok(())
}

#[test]
fn general_json_can_leave_the_payload_detached() -> TestResult {
    let (signer, verifier) = keys(Alg::ES256)?;
    let mut jws = GeneralSign::new(PAYLOAD)
        .add_signature(&signer, JwsHeader::new(Alg::ES256), None)
        .detached()
        .sign()?;
    assert!(jws.payload.is_none());
    match general_verify(&jws, &verifier, &only(Alg::ES256)) {
        Err(Error::JwsInvalid(detail)) => assert_eq!(detail, "JWS payload is missing (detached?)"),
        other => panic!("expected JwsInvalid for the missing payload, got {other:?}"),
    }
    jws.payload = Some(jose_b64(PAYLOAD));
    assert_eq!(general_verify(&jws, &verifier, &only(Alg::ES256))?.payload, PAYLOAD);
    Ok(())
}

fn jose_b64(bytes: &[u8]) -> String {
    // The payload as a compact JWS carries it.
    let jws = CompactSign::new(bytes)
        .protected_header(JwsHeader::new(Alg::HS256))
        .sign(&Key::from_secret([0u8; 32]).expect("a non-empty secret"))
        .unwrap_or_default();
    jws.split('.').nth(1).unwrap_or_default().to_owned()
}

#[test]
fn decode_protected_header_types_the_header_by_the_token_form() -> TestResult {
    use rjose::jwe::{CompactEncrypt, JweAlg, JweEnc, JweHeader};
    use rjose::jwt::{ProtectedHeader, decode_protected_header};

    let key = generate_secret(Alg::HS256)?.with_kid("sig-1");
    let signed = SignJwt::default().expiration_time("1h").typ("at+jwt").sign(&key)?;
    match decode_protected_header(&signed)? {
        ProtectedHeader::Jws(header) => {
            assert_eq!((header.alg, header.kid.as_deref()), (Some(Alg::HS256), Some("sig-1")));
            assert_eq!(header.typ.as_deref(), Some("at+jwt"));
        }
        other => panic!("a JWS header, got {other:?}"),
    }

    let kek = generate_secret(JweAlg::A256KW)?.with_kid("enc-1");
    let sealed = CompactEncrypt::new(b"x")
        .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM).kid("enc-1"))
        .encrypt(&kek)?;
    let header = decode_protected_header(&sealed)?;
    assert_eq!((header.alg_name(), header.kid()), (Some("A256KW"), Some("enc-1")));
    match header {
        ProtectedHeader::Jwe(header) => assert_eq!(header.enc, Some(JweEnc::A256GCM)),
        other => panic!("a JWE header, got {other:?}"),
    }
    Ok(())
}

#[test]
fn decode_protected_header_refuses_what_verification_would_refuse() {
    use rjose::jwt::decode_protected_header;

    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    for (token, code) in [
        ("onlyonepart".to_owned(), "ERR_JWT_INVALID"),
        (format!("{}.e30", b64(r#"{"alg":"HS256"}"#)), "ERR_JWT_INVALID"),
        (format!("{}.e30.", b64(r#"{"alg":"none"}"#)), "ERR_JOSE_ALG_NOT_ALLOWED"),
        (
            format!("{}.e30.", b64(r#"{"alg":"HS256","alg":"HS512"}"#)),
            "ERR_JWS_INVALID",
        ),
        (format!("{}.e30.", b64(r#"{"alg":"HS256","kid":7}"#)), "ERR_JWS_INVALID"),
        ("!!.e30.".to_owned(), "ERR_JWS_INVALID"),
    ] {
        let err = decode_protected_header(&token).expect_err(&token);
        assert_eq!(err.code(), code, "{token}: {err}");
    }
}
