//! `rjose jws sign | verify`.

use rjose::jws::{
    CompactSign, FlattenedJws, FlattenedSign, GeneralJws, GeneralSign, JwsHeader, JwsVerifyOptions, VerifiedJws,
    compact_verify, compact_verify_detached, flattened_verify, general_verify,
};
use rjose::{Error, Key};
use serde_json::Value;

use super::{json_object, jws_algorithms, producing, signing_key};
use crate::cli::{JwsSignArgs, JwsVerifyArgs};
use crate::failure::Failure;
use crate::io::{
    is_stdin, one_stdin, read_source, read_stdin, read_token, token_reads_stdin, write_line, write_stdout,
};
use crate::keys::Loaded;

/// `rjose jws sign`
pub fn sign(args: &JwsSignArgs) -> Result<(), Failure> {
    one_stdin(&[("the key", args.keys.reads_stdin()), ("the payload", true)])?;
    let mut header = match &args.header {
        Some(json) => JwsHeader::from_map(json_object(json, "--header")?).map_err(|e| Failure::setup("--header", e))?,
        None => JwsHeader::default(),
    };
    let key = signing_key(&args.keys, args.alg.as_deref(), args.kid.as_deref(), &mut header)?;
    if let Some(kid) = args.kid.as_deref().or(header.kid.as_deref()).or(key.kid()) {
        header.kid = Some(kid.to_owned());
    }
    if args.unencoded {
        header.b64 = Some(false);
    }
    let payload = read_stdin("the payload")?;
    let out = sign_payload(&payload, header, &key, args).map_err(producing("signing"))?;
    write_line(&out)
}

fn sign_payload(payload: &[u8], header: JwsHeader, key: &Key, args: &JwsSignArgs) -> rjose::Result<String> {
    if args.general {
        let mut jws = GeneralSign::new(payload).add_signature(key, header, None);
        if args.detached {
            jws = jws.detached();
        }
        Ok(jws.sign()?.to_json())
    } else if args.json {
        let mut jws = FlattenedSign::new(payload).protected_header(header);
        if args.detached {
            jws = jws.detached();
        }
        Ok(jws.sign(key)?.to_json())
    } else {
        let mut jws = CompactSign::new(payload).protected_header(header);
        if args.detached {
            jws = jws.detached();
        }
        jws.sign(key)
    }
}

/// Whether a protected header (base64url) says `b64: false`.
fn unencoded(protected: Option<&str>) -> bool {
    protected
        .and_then(crate::b64::decode)
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .is_some_and(|h| h.get("b64") == Some(&Value::Bool(false)))
}

/// The `payload` member of a JSON serialization for a detached payload:
/// base64url, or the bytes themselves (which must then be UTF-8) when the
/// header says `b64: false`.
fn detached_member(payload: Vec<u8>, raw: bool) -> rjose::Result<String> {
    if raw {
        String::from_utf8(payload)
            .map_err(|_| Error::JwsInvalid("an unencoded payload in JSON must be UTF-8 (the --payload is not)".into()))
    } else {
        Ok(crate::b64::encode(&payload))
    }
}

/// Fills in the detached payload of a JSON serialization.
fn attach(current: &mut Option<String>, detached: Option<Vec<u8>>, raw: bool) -> rjose::Result<()> {
    match (current.is_some(), detached) {
        (true, Some(_)) => Err(Error::JwsInvalid(
            "the JWS carries its payload; --payload is for detached ones".into(),
        )),
        (false, Some(payload)) => {
            *current = Some(detached_member(payload, raw)?);
            Ok(())
        }
        (_, None) => Ok(()),
    }
}

/// `rjose jws verify`
pub fn verify(args: &JwsVerifyArgs) -> Result<(), Failure> {
    let token_from_stdin = token_reads_stdin(args.jws.as_deref());
    one_stdin(&[
        ("the key", args.keys.reads_stdin()),
        ("the JWS", token_from_stdin),
        ("the payload", args.payload.as_deref().is_some_and(is_stdin)),
    ])?;
    let keys = args.keys.load()?;
    let mut options = JwsVerifyOptions::new();
    options.algorithms = jws_algorithms(&args.alg, &keys)?;
    let detached = match &args.payload {
        Some(spec) => Some(read_source(spec, "the detached payload")?),
        None => None,
    };
    let text = read_token(args.jws.as_deref(), "JWS", Error::JwsInvalid)?;
    let verified = if text.starts_with('{') {
        verify_json(&text, detached, &keys, &options)?
    } else if let Some(payload) = detached {
        compact_verify_detached(&text, &payload, &keys, &options).map_err(Failure::refused)?
    } else {
        compact_verify(&text, &keys, &options).map_err(|e| {
            let empty_payload = text.split('.').nth(1) == Some("");
            match e {
                Error::JwsSignatureVerificationFailed if empty_payload => Failure::refused(e)
                    .hint("the JWS has an empty payload: if it is detached, pass the payload with --payload"),
                other => Failure::refused(other),
            }
        })?
    };
    write_stdout(&verified.payload)
}

/// Verifies a JWS in the flattened or general JSON serialization.
fn verify_json(
    text: &str,
    detached: Option<Vec<u8>>,
    keys: &Loaded,
    options: &JwsVerifyOptions,
) -> Result<VerifiedJws, Failure> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Failure::refused(Error::JwsInvalid(format!("not a JSON serialization: {e}"))))?;
    if value.get("signatures").is_some() {
        let mut jws = GeneralJws::from_json(text).map_err(Failure::refused)?;
        let raw = unencoded(jws.signatures.first().and_then(|s| s.protected.as_deref()));
        attach(&mut jws.payload, detached, raw).map_err(Failure::refused)?;
        general_verify(&jws, keys, options).map_err(Failure::refused)
    } else {
        let mut jws = FlattenedJws::from_json(text).map_err(Failure::refused)?;
        let raw = unencoded(jws.protected.as_deref());
        attach(&mut jws.payload, detached, raw).map_err(Failure::refused)?;
        flattened_verify(&jws, keys, options).map_err(Failure::refused)
    }
}
