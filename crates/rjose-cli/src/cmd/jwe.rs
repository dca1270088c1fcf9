//! `rjose jwe encrypt | decrypt`.

use rjose::Error;
use rjose::jwe::{
    CompactEncrypt, FlattenedEncrypt, FlattenedJwe, GeneralEncrypt, GeneralJwe, JweHeader, compact_decrypt,
    flattened_decrypt, general_decrypt,
};
use serde_json::Value;

use super::{producing, refused_decryption};
use crate::cli::{JweDecryptArgs, JweEncryptArgs};
use crate::failure::Failure;
use crate::io::{one_stdin, read_stdin, read_token, token_reads_stdin, write_line, write_stdout};
use crate::keys;

/// `rjose jwe encrypt`
pub fn encrypt(args: &JweEncryptArgs) -> Result<(), Failure> {
    one_stdin(&[("the key", args.keys.reads_stdin()), ("the plaintext", true)])?;
    let alg = keys::jwe_alg(&args.alg)?;
    let enc = keys::jwe_enc(&args.enc)?;
    let key = args.keys.load()?.encryption_key(alg, enc, args.kid.as_deref())?;
    let mut header = JweHeader::new(alg, enc);
    if let Some(kid) = args.kid.as_deref().or(key.kid()) {
        header = header.kid(kid);
    }
    let plaintext = read_stdin("the plaintext")?;
    let out = if args.general {
        GeneralEncrypt::new(&plaintext)
            .protected_header(header)
            .add_recipient(&key, JweHeader::default())
            .encrypt()
            .map(|jwe| jwe.to_json())
    } else if args.json {
        FlattenedEncrypt::new(&plaintext)
            .protected_header(header)
            .encrypt(&key)
            .map(|jwe| jwe.to_json())
    } else {
        CompactEncrypt::new(&plaintext).protected_header(header).encrypt(&key)
    }
    .map_err(producing("encrypting"))?;
    write_line(&out)
}

/// `rjose jwe decrypt`
pub fn decrypt(args: &JweDecryptArgs) -> Result<(), Failure> {
    one_stdin(&[
        ("the key", args.keys.reads_stdin()),
        ("the JWE", token_reads_stdin(args.jwe.as_deref())),
    ])?;
    let key = args.keys.load()?;
    let options = key.decrypt_options(&args.alg, &args.enc, args.allow_zip)?;
    let text = read_token(args.jwe.as_deref(), "JWE", Error::JweInvalid)?;
    let decrypted = if text.starts_with('{') {
        let value: Value = serde_json::from_str(&text)
            .map_err(|e| Failure::refused(Error::JweInvalid(format!("not a JSON serialization: {e}"))))?;
        if value.get("recipients").is_some() {
            let jwe = GeneralJwe::from_json(&text).map_err(Failure::refused)?;
            general_decrypt(&jwe, &key.loaded, &options)
        } else {
            let jwe = FlattenedJwe::from_json(&text).map_err(Failure::refused)?;
            flattened_decrypt(&jwe, &key.loaded, &options)
        }
    } else {
        compact_decrypt(&text, &key.loaded, &options)
    }
    .map_err(refused_decryption)?;
    write_stdout(&decrypted.plaintext)
}
