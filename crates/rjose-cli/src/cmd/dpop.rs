//! `rjose dpop proof | verify`: DPoP proofs (RFC 9449) for a request.
//!
//! The thumbprint a server puts in `cnf.jkt` is `rjose jwk thumbprint`'s
//! (RFC 7638, SHA-256), so there is no command of its own for it here.

use rjose::dpop::{DpopFailure, DpopProof, DpopVerifyOptions, VerifiedProof, verify_proof};
use rjose::{Error, Key};
use serde_json::{Map, Value};

use super::to_json;
use crate::cli::{DpopProofArgs, DpopVerifyArgs};
use crate::failure::Failure;
use crate::io::{is_stdin, one_stdin, read_access_token, read_token, write_line};
use crate::keys;

/// `rjose dpop proof`
pub fn proof(args: &DpopProofArgs) -> Result<(), Failure> {
    one_stdin(&[
        ("the key", is_stdin(&args.key)),
        (
            "the access token",
            args.access_token_file.as_deref().is_some_and(is_stdin),
        ),
    ])?;
    let access_token = read_access_token(args.ath_of.as_deref(), args.access_token_file.as_deref())?;
    let key = keys::pick_key(
        keys::load_key_file(&args.key)?,
        args.kid.as_deref(),
        "sign a DPoP proof",
        |key| key.is_private() && !key.is_symmetric(),
    )?;
    let mut builder = DpopProof::new(args.htm.as_str(), args.htu.as_str());
    if let Some(alg) = proof_alg(args.alg.as_deref(), &key)? {
        builder = builder.alg(alg);
    }
    if let Some(token) = &access_token {
        builder = builder.access_token(token);
    }
    if let Some(nonce) = &args.nonce {
        builder = builder.nonce(nonce.as_str());
    }
    if let Some(jti) = &args.jti {
        builder = builder.jti(jti.as_str());
    }
    let proof = builder.sign(&key).map_err(|e| match e {
        Error::InvalidArgument(detail) => bad_request_flag(detail),
        other => Failure::setup("signing the DPoP proof", other),
    })?;
    write_line(&proof)
}

/// The algorithm of `--alg`, or the key's own. A secret is left to the
/// library, which refuses it with its own code and reason.
fn proof_alg(named: Option<&str>, key: &Key) -> Result<Option<rjose::Alg>, Failure> {
    match named {
        Some(name) => keys::jws_alg(name).map(Some),
        None if key.is_symmetric() => Ok(None),
        None => keys::default_jws_alg(key).map(Some),
    }
}

/// `rjose dpop verify`
pub fn verify(args: &DpopVerifyArgs) -> Result<(), Failure> {
    let access_token = read_access_token(args.access_token.as_deref(), None)?;
    let mut options = DpopVerifyOptions::new(args.htm.as_str(), args.htu.as_str());
    if !args.alg.is_empty() {
        let algs = args
            .alg
            .iter()
            .map(|n| keys::jws_alg(n))
            .collect::<Result<Vec<_>, _>>()?;
        options = options.algorithms(algs);
    }
    if let Some(token) = &access_token {
        options = options.access_token(token);
    }
    if let Some(nonce) = &args.nonce {
        options = options.nonce(nonce.as_str());
    }
    if let Some(jkt) = &args.jkt {
        options = options.expected_jkt(jkt.as_str());
    }
    let proof = read_token(args.proof.as_deref(), "DPoP proof", |message| Error::DpopInvalid {
        reason: DpopFailure::Malformed,
        message,
    })?;
    if let Some((name, _)) = proof.split_once(|c: char| c.is_ascii_whitespace())
        && name.eq_ignore_ascii_case("dpop:")
    {
        return Err(Failure::usage(
            "the DPoP proof starts with the header name \"DPoP:\", which is not part of it; \
             remove the `DPoP: ` prefix and pass the proof alone",
        ));
    }
    let verified = verify_proof(&proof, &options).map_err(|e| match e {
        // The options, not the proof: a bad --htm, --htu or --alg.
        Error::InvalidArgument(detail) => bad_request_flag(detail),
        other => Failure::refused(other),
    })?;
    write_line(&to_json(&summary(&verified))?)
}

/// A method, URI or algorithm the library cannot use: the command line is
/// wrong. The library's message names the claim (`htu: ...`), which is
/// also the flag's name.
fn bad_request_flag(detail: String) -> Failure {
    if detail.starts_with("htm") || detail.starts_with("htu") {
        Failure::usage(format!("--{detail}"))
    } else {
        Failure::usage(detail)
    }
}

/// What `dpop verify` prints: the key's thumbprint and the proof's claims.
fn summary(verified: &VerifiedProof) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("jkt".into(), verified.jkt().into());
    out.insert("jti".into(), verified.jti().into());
    out.insert("htm".into(), verified.htm().into());
    out.insert("htu".into(), verified.htu().into());
    out.insert("iat".into(), verified.iat().into());
    if let Some(ath) = verified.ath() {
        out.insert("ath".into(), ath.into());
    }
    if let Some(nonce) = verified.nonce() {
        out.insert("nonce".into(), nonce.into());
    }
    out
}
