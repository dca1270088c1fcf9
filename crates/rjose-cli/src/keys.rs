//! Keys from files, secrets from arguments, key sets (local or remote), and
//! which key or algorithm a command uses when the user did not say.

use std::collections::BTreeMap;

use rjose::jwe::{JweAlg, JweEnc, JweHeader};
use rjose::jws::JwsHeader;
use rjose::{Alg, Error, Key, KeyCandidates, KeySource, LocalJwkSet};
use rjose_remote::HttpPolicy;
use serde::de::IgnoredAny;

use crate::failure::{ERR_IO, ERR_USAGE, EXIT_USAGE, Failure, warn};
use crate::io::{is_stdin, read_key_source};

/// What a key file holds: one key, or a JWK Set.
#[derive(Debug)]
pub enum Loaded {
    /// A JWK or a PEM (or DER) key.
    One(Key),
    /// A JWK Set; a token's key is selected by `kid` and `alg`.
    Set(LocalJwkSet),
}

impl KeySource<JwsHeader> for Loaded {
    fn candidates(&self, header: &JwsHeader) -> rjose::Result<KeyCandidates<'_>> {
        match self {
            Loaded::One(key) => KeySource::<JwsHeader>::candidates(key, header),
            Loaded::Set(set) => KeySource::<JwsHeader>::candidates(set, header),
        }
    }
}

impl KeySource<JweHeader> for Loaded {
    fn candidates(&self, header: &JweHeader) -> rjose::Result<KeyCandidates<'_>> {
        match self {
            Loaded::One(key) => KeySource::<JweHeader>::candidates(key, header),
            Loaded::Set(set) => KeySource::<JweHeader>::candidates(set, header),
        }
    }
}

/// How a file or stdin is named in messages.
pub fn describe_source(spec: &str) -> String {
    if is_stdin(spec) {
        "stdin".to_owned()
    } else {
        format!("{spec:?}")
    }
}

/// Reads and parses a key file (`-` for stdin): a JWK, a JWK Set, or a
/// PEM (or DER) key.
pub fn load_key_file(spec: &str) -> Result<Loaded, Failure> {
    let bytes = read_key_source(spec, "the key")?;
    parse_key(&bytes).map_err(|e| Failure::setup(format!("the key from {}", describe_source(spec)), e))
}

/// Parses the content of a key file, recognised by its first bytes: `{`
/// for JSON (a JWK Set when it has `keys`), `-----BEGIN` for PEM, and DER
/// otherwise.
pub fn parse_key(bytes: &[u8]) -> Result<Loaded, Error> {
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() {
        return Err(Error::JwkInvalid("the input is empty".into()));
    }
    if trimmed.starts_with(b"{") {
        let text = std::str::from_utf8(trimmed).map_err(|_| Error::JwkInvalid("JSON key that is not UTF-8".into()))?;
        // Only the member names, to tell a set from a key: no copy of the
        // key material outlives this line unzeroized. The document itself
        // is parsed from the text by from_json / from_jwk_json, which also
        // refuse repeated member names.
        let members: BTreeMap<String, IgnoredAny> =
            serde_json::from_str(text).map_err(|e| Error::JwkInvalid(format!("not JSON: {e}")))?;
        if members.contains_key("keys") {
            let set = LocalJwkSet::from_json(text)?;
            if set.keys().is_empty() {
                return Err(Error::JwksInvalid(format!(
                    "no usable key in the set ({} skipped)",
                    set.skipped()
                )));
            }
            if set.skipped() > 0 {
                warn(format!(
                    "{} key(s) of the JWK Set were skipped as unusable",
                    set.skipped()
                ));
            }
            // A set given as the key is the user's own key material, as a
            // single secret would be; `--jwks` takes that back (load_jwks).
            return Ok(Loaded::Set(set.allow_symmetric(true)));
        }
        return Key::from_jwk_json(text).map(Loaded::One);
    }
    if let Some(start) = find(trimmed, b"-----BEGIN") {
        let pem =
            std::str::from_utf8(&trimmed[start..]).map_err(|_| Error::JwkInvalid("PEM that is not text".into()))?;
        if pem.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
            return Err(Error::NotSupported(
                "password-protected PEM keys; decrypt it first (openssl pkcs8 -in KEY -out PLAIN)".into(),
            ));
        }
        return Key::from_pem(pem).map(Loaded::One);
    }
    // DER is binary: its last bytes may well look like whitespace.
    Key::from_der(bytes).map(Loaded::One).map_err(|_| {
        Error::JwkInvalid("not a JWK, a JWK Set, a PEM key (PUBLIC KEY, PRIVATE KEY, CERTIFICATE, RSA PRIVATE KEY, RSA PUBLIC KEY, EC PRIVATE KEY) or a DER key".into())
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The one key of a file, refusing a JWK Set of several.
pub fn single_key(loaded: Loaded, spec: &str) -> Result<Key, Failure> {
    match loaded {
        Loaded::One(key) => Ok(key),
        Loaded::Set(set) => match set.keys() {
            [key] => Ok(key.clone()),
            keys => Err(Failure::usage(format!(
                "the key from {} is a JWK Set of {} keys; this command takes one key",
                describe_source(spec),
                keys.len()
            ))),
        },
    }
}

/// A symmetric key from `--secret` (UTF-8 bytes), `--secret-b64`
/// (base64url) or `--secret-file` (the file's bytes, exactly, or without
/// one trailing newline when `strip_newline`). Secret values never appear
/// in messages.
pub fn secret_key(
    secret: Option<&str>,
    b64: Option<&str>,
    file: Option<&str>,
    strip_newline: bool,
) -> Result<Option<Key>, Failure> {
    let bytes = if let Some(secret) = secret {
        secret.as_bytes().to_vec()
    } else if let Some(encoded) = b64 {
        crate::b64::decode(encoded.trim()).ok_or_else(|| {
            Failure::new(
                "ERR_JWK_INVALID",
                "--secret-b64 is not base64url (RFC 4648 section 5: A-Z a-z 0-9 - _)",
                EXIT_USAGE,
            )
        })?
    } else if let Some(file) = file {
        let mut bytes = read_key_source(file, "the secret")?;
        trailing_newline(&mut bytes, file, strip_newline);
        bytes
    } else {
        return Ok(None);
    };
    if bytes.is_empty() {
        return Err(Failure::usage("the secret is empty"));
    }
    Ok(Some(
        Key::from_secret(bytes).map_err(|e| Failure::setup("the secret", e))?,
    ))
}

/// A secret file that ends in a newline (as `echo "$SECRET" > FILE` leaves
/// one) holds a secret that `--secret "$SECRET"` does not: the newline is
/// dropped when `strip` (`--strip-newline`) says so, and otherwise kept and
/// warned about, never changed silently.
fn trailing_newline(bytes: &mut Vec<u8>, spec: &str, strip: bool) {
    let newline = if bytes.ends_with(b"\r\n") {
        2
    } else if bytes.ends_with(b"\n") {
        1
    } else {
        return;
    };
    if strip {
        bytes.truncate(bytes.len() - newline);
    } else {
        warn(format!(
            "the secret from {} ends with a newline, which is part of the secret: tokens made with it do not \
             verify with --secret, nor the other way round; write the file with `printf %s \"$SECRET\" > FILE`, \
             or pass --strip-newline to drop the newline",
            describe_source(spec)
        ));
    }
}

/// A PBES2 password from `--password`.
pub fn password_key(password: &str) -> Result<Key, Failure> {
    if password.is_empty() {
        return Err(Failure::usage("the password is empty"));
    }
    Key::from_secret(password.as_bytes()).map_err(|e| Failure::setup("the password", e))
}

/// Where `--jwks` points.
enum JwksLocation<'a> {
    File(&'a str),
    Url(&'a str),
}

/// A URL when it starts with a scheme and `://`, a file otherwise. Which
/// URLs may be fetched is `rjose-remote`'s decision, on the URL it parses.
fn jwks_location(spec: &str) -> JwksLocation<'_> {
    match spec.split_once("://") {
        Some((scheme, _))
            if !scheme.is_empty() && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
        {
            JwksLocation::Url(spec)
        }
        _ => JwksLocation::File(spec),
    }
}

/// The key set of `--jwks`: a local file (`-` for stdin), or a remote set
/// for an `https` URL (or `http` to a loopback host). A JWK Set is a
/// public document, so neither yields a symmetric key: secrets are given
/// with `--key` (a set of them too) or `--secret`.
pub fn load_jwks(spec: &str) -> Result<LocalJwkSet, Failure> {
    match jwks_location(spec) {
        JwksLocation::Url(url) => remote_key_set(url),
        JwksLocation::File(path) => match load_key_file(path)? {
            Loaded::Set(set) => Ok(set.allow_symmetric(false)),
            Loaded::One(key) => Ok(LocalJwkSet::new([key])),
        },
    }
}

/// The JWK Set published at `url`, fetched once through `rjose-remote`,
/// with its limits (5 s timeout, 512 KiB body, no redirects) and plain
/// `http` only to a loopback host.
fn remote_key_set(url: &str) -> Result<LocalJwkSet, Failure> {
    let options = rjose_remote::RemoteJwkSetOptions::new().http_policy(HttpPolicy::LoopbackHttp);
    // Nothing is fetched yet: a refusal here is about the URL itself. The
    // library's message names it without any credentials it carried.
    let set = rjose_remote::RemoteJwkSet::new(url, options)
        .map_err(|e| Failure::new(ERR_USAGE, format!("--jwks: {e}"), EXIT_USAGE))?;
    // One fetch for one command: a current-thread runtime is all it needs.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Failure::new(ERR_IO, format!("cannot start the HTTP client: {e}"), EXIT_USAGE))?;
    // The library's message names the URL; naming it again would only
    // make the line longer.
    let keys = runtime
        .block_on(set.key_set())
        .map_err(|e| Failure::new(e.code(), e.to_string(), EXIT_USAGE))?;
    Ok((*keys).clone())
}

/// Picks the one key of a set that can serve a command, by `kid` when
/// given and by the `fits` test; one key is used as it is.
pub fn pick_key(loaded: Loaded, kid: Option<&str>, what: &str, fits: impl Fn(&Key) -> bool) -> Result<Key, Failure> {
    let set = match loaded {
        Loaded::One(key) => return Ok(key),
        Loaded::Set(set) => set,
    };
    let matching: Vec<&Key> = set
        .keys()
        .iter()
        .filter(|key| kid.is_none_or(|kid| key.kid() == Some(kid)))
        .filter(|key| fits(key))
        .collect();
    match matching.as_slice() {
        [key] => Ok((*key).clone()),
        [] => Err(Failure::new(
            Error::JwksNoMatchingKey.code(),
            format!("no key of the JWK Set can {what}"),
            EXIT_USAGE,
        )),
        several => Err(Failure::new(
            Error::JwksMultipleMatchingKeys.code(),
            format!(
                "{} keys of the JWK Set can {what}: choose one with --kid{}",
                several.len(),
                if kid.is_some() { "" } else { " or --alg" }
            ),
            EXIT_USAGE,
        )),
    }
}

/// A JWS algorithm named on the command line.
pub fn jws_alg(name: &str) -> Result<Alg, Failure> {
    if let Some(alg) = Alg::from_name(name) {
        return Ok(alg);
    }
    let message = if name.eq_ignore_ascii_case("none") {
        "\"none\" is never accepted: unsecured tokens are not signed".to_owned()
    } else if JweAlg::from_name(name).is_some() || JweEnc::from_name(name).is_some() {
        format!("{name:?} is a JWE algorithm, not a JWS one: use the encrypt and decrypt commands")
    } else {
        let known: Vec<&str> = Alg::ALL.iter().map(|a| a.name()).collect();
        format!("unknown JWS algorithm {name:?} (one of {})", known.join(", "))
    };
    Err(Failure::not_supported(message))
}

/// A JWE key management algorithm named on the command line.
pub fn jwe_alg(name: &str) -> Result<JweAlg, Failure> {
    if let Some(alg) = JweAlg::from_name(name) {
        return Ok(alg);
    }
    let message = if JweEnc::from_name(name).is_some() {
        format!("{name:?} is a content encryption algorithm: pass it with --enc (and --alg dir for a key of its own)")
    } else if Alg::from_name(name).is_some() {
        format!("{name:?} is a JWS algorithm, not a JWE one: use the sign and verify commands")
    } else {
        let known: Vec<&str> = JweAlg::ALL.iter().map(|a| a.name()).collect();
        format!("unknown JWE algorithm {name:?} (one of {})", known.join(", "))
    };
    Err(Failure::not_supported(message))
}

/// A JWE content encryption algorithm named on the command line.
pub fn jwe_enc(name: &str) -> Result<JweEnc, Failure> {
    JweEnc::from_name(name).ok_or_else(|| {
        let known: Vec<&str> = JweEnc::ALL.iter().map(|e| e.name()).collect();
        Failure::not_supported(format!(
            "unknown content encryption algorithm {name:?} (one of {})",
            known.join(", ")
        ))
    })
}

/// The key's kind, for messages: `EC P-256`, `oct (alg HS256)`, `RSA (use enc)`.
pub fn describe_key(key: &Key) -> String {
    let mut out = key.kty().to_owned();
    if let Some(crv) = key.crv() {
        out.push(' ');
        out.push_str(crv.name());
    }
    let mut restrictions = Vec::new();
    if let Some(alg) = key.alg() {
        restrictions.push(format!("alg {alg}"));
    }
    if let Some(key_use) = key.key_use() {
        restrictions.push(format!("use {key_use}"));
    }
    if !restrictions.is_empty() {
        out.push_str(&format!(" ({})", restrictions.join(", ")));
    }
    out
}

fn names<T: std::fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

/// The JWS algorithm a signing command uses when no `--alg` is given: the
/// key's own ([`Key::default_jws_alg`]: its JWK `alg`, or the only
/// algorithm its type allows, such as ES256 for a P-256 key), and HS256 for
/// a secret that names none, whatever its length. The last is the CLI's
/// policy, not the library's: a secret of 48 bytes or more could serve
/// HS384 or HS512 too, but HS256 is what users of JS `jose` and
/// `jsonwebtoken` expect from a bare secret.
pub fn default_jws_alg(key: &Key) -> Result<Alg, Failure> {
    if let Some(alg) = key.default_jws_alg() {
        return Ok(alg);
    }
    if key.is_symmetric() && key.alg().is_none() {
        return if key.supports(Alg::HS256) {
            Ok(Alg::HS256)
        } else {
            Err(no_jws_alg(key))
        };
    }
    match key.algorithms().as_slice() {
        [] => Err(no_jws_alg(key)),
        several => Err(Failure::usage(format!(
            "the {} key can sign with {}: choose one with --alg",
            describe_key(key),
            names(several)
        ))),
    }
}

/// The key serves no JWS algorithm.
pub fn no_jws_alg(key: &Key) -> Failure {
    let why = if key.is_symmetric() && key.alg().is_none() {
        format!(
            "a secret of {} bytes is too short to sign with: HS256 needs at least 32 bytes (HS384 48, HS512 64)",
            key.bits() / 8
        )
    } else {
        format!("the {} key serves no JWS algorithm", describe_key(key))
    };
    Failure::key_use(why)
}

/// The key management algorithms a key accepts for decryption when no
/// `--alg` is given: those its type, length and JWK `alg` allow, never
/// PBES2 (that needs `--password`) nor RSA1_5 (that needs `--alg`).
pub fn default_jwe_algs(key: &Key) -> Vec<JweAlg> {
    JweAlg::ALL
        .iter()
        .copied()
        .filter(|&alg| !alg.uses_password() && alg != JweAlg::RSA1_5)
        .filter(|&alg| JweEnc::ALL.iter().any(|&enc| key.supports_jwe(alg, enc)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwks_specs_with_a_scheme_are_urls_and_the_rest_files() {
        for spec in [
            "https://issuer.example/jwks",
            "http://0.0.0.0:1\\@127.0.0.1/jwks",
            "ftp://x/y",
        ] {
            assert!(matches!(jwks_location(spec), JwksLocation::Url(_)), "{spec}");
        }
        for spec in ["keys.json", "-", "dir/with://inside", "://x", "C:\\keys.json"] {
            assert!(matches!(jwks_location(spec), JwksLocation::File(_)), "{spec}");
        }
    }

    #[test]
    fn jwks_urls_refused_by_the_policy_are_usage_errors() {
        for url in [
            "http://issuer.example/jwks",
            "http://0.0.0.0:1\\@127.0.0.1/jwks",
            "ftp://issuer.example/jwks",
        ] {
            assert_eq!(load_jwks(url).err().map(|f| f.code()), Some(ERR_USAGE), "{url}");
        }
    }

    #[test]
    fn unreachable_remote_sets_are_fetch_failures() {
        // Port 1 on loopback: nothing listens there.
        let failure = load_jwks("http://127.0.0.1:1/jwks").err().map(|f| f.code());
        assert_eq!(failure, Some("ERR_JWKS_FETCH_FAILED"));
    }

    #[test]
    fn garbage_is_not_a_key() {
        for input in [
            &b""[..],
            b"   \n",
            b"\x00\x01\x02garbage",
            b"{not json",
            b"-----BEGIN NOTHING-----",
        ] {
            assert!(parse_key(input).is_err(), "{input:?}");
        }
    }

    #[test]
    fn secrets_without_an_alg_sign_hs256_whatever_their_length() {
        let secret = |len: usize| Key::from_secret(vec![7u8; len]).expect("a non-empty secret");
        for len in [32, 47, 48, 64, 100] {
            assert_eq!(default_jws_alg(&secret(len)).ok(), Some(Alg::HS256), "{len} bytes");
        }
        assert_eq!(default_jws_alg(&secret(64).with_alg(Alg::HS512)).ok(), Some(Alg::HS512));
        let short = default_jws_alg(&secret(31)).err();
        assert_eq!(short.as_ref().map(Failure::code), Some("ERR_JOSE_INVALID_KEY_USE"));
    }

    #[test]
    fn secrets_for_decryption_default_to_the_algorithms_of_their_length() {
        let algs = default_jwe_algs(&Key::from_secret([1u8; 16]).expect("a non-empty secret"));
        assert_eq!(algs, [JweAlg::Dir, JweAlg::A128KW, JweAlg::A128GCMKW]);
        let algs = default_jwe_algs(&Key::from_secret([1u8; 64]).expect("a non-empty secret"));
        assert_eq!(algs, [JweAlg::Dir]);
    }
}
