//! `rjose jwk generate | public | thumbprint | convert` and `rjose jwks create`.

use std::collections::HashSet;

use rjose::jwe::JweAlg;
use rjose::{Algorithm, Curve, Digest, Jwk, Key, KeyPairOptions, LocalJwkSet, generate_key_pair, generate_secret};

use super::producing;
use crate::cli::{
    DigestArg, JwkConvertArgs, JwkGenerateArgs, JwkPublicArgs, JwkThumbprintArgs, JwksCreateArgs, KeyFormat, KeyUse,
};
use crate::failure::{Failure, warn};
use crate::io::{is_stdin, one_stdin, stdin_is_terminal, write_line};
use crate::keys::{self, Loaded, describe_source};

fn curve(name: &str) -> Result<Curve, Failure> {
    Curve::from_name(name).ok_or_else(|| {
        let known: Vec<_> = Curve::ALL.iter().map(|c| c.name()).collect();
        Failure::not_supported(format!("unknown curve {name:?} (one of {})", known.join(", ")))
    })
}

/// Whether an algorithm's key is a key pair (rather than a secret).
fn uses_key_pair(algorithm: Algorithm) -> bool {
    match algorithm {
        Algorithm::Jws(alg) => !alg.is_symmetric(),
        Algorithm::Jwe(alg) => alg.name().starts_with("RSA") || alg.name().starts_with("ECDH-ES"),
        _ => false,
    }
}

fn is_rsa(algorithm: Algorithm) -> bool {
    match algorithm {
        Algorithm::Jws(alg) => alg.key_type() == "RSA",
        Algorithm::Jwe(alg) => alg.name().starts_with("RSA"),
        _ => false,
    }
}

fn unknown_algorithm(name: &str) -> Failure {
    let message = if name.eq_ignore_ascii_case("none") {
        "\"none\" has no key: unsecured tokens are not signed".to_owned()
    } else {
        format!(
            "unknown algorithm {name:?}: name a JWS alg (ES256...), a JWE alg (RSA-OAEP-256, A256KW...) or an enc (A256GCM...)"
        )
    };
    Failure::not_supported(message)
}

/// `rjose jwk generate`
pub fn generate(args: &JwkGenerateArgs) -> Result<(), Failure> {
    let algorithm = Algorithm::from_name(&args.alg).ok_or_else(|| unknown_algorithm(&args.alg))?;
    match algorithm {
        Algorithm::Jwe(JweAlg::Dir) => {
            return Err(Failure::usage(
                "a \"dir\" key is sized by its content encryption algorithm: name that instead, e.g. `rjose jwk generate A256GCM`",
            ));
        }
        Algorithm::Jwe(alg) if alg.uses_password() => {
            return Err(Failure::usage(format!(
                "{alg} takes a password, not a key: pass --password to `rjose jwe encrypt` or `rjose jwt encrypt`"
            )));
        }
        _ => {}
    }
    if args.bits.is_some() && !is_rsa(algorithm) {
        return Err(Failure::usage(format!(
            "--bits applies to RSA keys only, not to {algorithm}"
        )));
    }
    let pair = uses_key_pair(algorithm);
    if args.crv.is_some() && !pair {
        return Err(Failure::usage(format!(
            "--crv applies to EC and OKP keys only, not to {algorithm}"
        )));
    }
    let generating = format!("generating a key for {algorithm}");
    let mut key = if pair {
        let mut options = KeyPairOptions::default();
        if let Some(crv) = &args.crv {
            options = options.crv(curve(crv)?);
        }
        if let Some(bits) = args.bits {
            options = options.modulus_length(bits);
        }
        generate_key_pair(algorithm, options)
            .map_err(producing(&generating))?
            .private_key
    } else {
        generate_secret(algorithm).map_err(producing(&generating))?
    };
    if let Some(kid) = &args.kid {
        key = key.with_kid(kid.as_str());
    }
    match args.key_use {
        Some(KeyUse::Sig) => key = key.with_use("sig"),
        Some(KeyUse::Enc) => key = key.with_use("enc"),
        None => {}
    }
    print_key(&key, args.format)
}

/// Prints a key as a JWK (with its private members, if any) or as PEM
/// (PKCS#8 for a private key, SPKI for a public one).
fn print_key(key: &Key, format: KeyFormat) -> Result<(), Failure> {
    match format {
        KeyFormat::Jwk => {
            let jwk = key.to_jwk().map_err(producing("exporting the key as a JWK"))?;
            write_line(&jwk.to_json())
        }
        KeyFormat::Pem if key.is_symmetric() => Err(Failure::usage(
            "a symmetric (oct) key has no PEM form: use --format jwk or --to jwk",
        )),
        KeyFormat::Pem if key.is_private() => {
            let pem = key
                .to_pkcs8_pem()
                .map_err(producing("exporting the key as PKCS#8 PEM"))?;
            write_line(&pem)
        }
        KeyFormat::Pem => {
            let pem = key.to_spki_pem().map_err(producing("exporting the key as SPKI PEM"))?;
            write_line(&pem)
        }
    }
}

/// The key file of `jwk public | thumbprint | convert`: the argument, or stdin.
fn key_argument(arg: Option<&str>) -> Result<(&str, Loaded), Failure> {
    let spec = arg.unwrap_or("-");
    if is_stdin(spec) && stdin_is_terminal() {
        return Err(Failure::usage("no key: pass a key file, or pipe one on stdin"));
    }
    Ok((spec, keys::load_key_file(spec)?))
}

/// Refuses a secret where a public key is wanted: silently leaving it out
/// would give the user a set without the key they named.
fn refuse_secret(key: &Key, spec: &str) -> Result<(), Failure> {
    if key.is_symmetric() {
        return Err(Failure::key_use(format!(
            "the key from {} is a symmetric (oct) secret: it has no public part",
            describe_source(spec)
        )));
    }
    Ok(())
}

fn public_jwk(key: &Key, spec: &str) -> Result<Jwk, Failure> {
    refuse_secret(key, spec)?;
    key.to_public_jwk()
        .map_err(|e| Failure::setup(format!("the key from {}", describe_source(spec)), e))
}

/// `rjose jwk public`
pub fn public(args: &JwkPublicArgs) -> Result<(), Failure> {
    let (spec, loaded) = key_argument(args.key.as_deref())?;
    match loaded {
        Loaded::One(key) => write_line(&public_jwk(&key, spec)?.to_json()),
        Loaded::Set(set) => {
            // The library leaves the secrets out of the public document;
            // the user is told, since they asked for the whole set.
            let secrets = set.keys().iter().filter(|k| k.is_symmetric()).count();
            if secrets > 0 {
                warn(format!(
                    "{secrets} symmetric key(s) of the set have no public part and were left out"
                ));
            }
            let json = set
                .to_public_json()
                .map_err(|e| Failure::setup(format!("the key from {}", describe_source(spec)), e))?;
            write_line(&json)
        }
    }
}

/// `rjose jwk thumbprint`
pub fn thumbprint(args: &JwkThumbprintArgs) -> Result<(), Failure> {
    let (spec, loaded) = key_argument(args.key.as_deref())?;
    let key = keys::single_key(loaded, spec)?;
    let digest = match args.digest {
        DigestArg::Sha256 => Digest::Sha256,
        DigestArg::Sha384 => Digest::Sha384,
        DigestArg::Sha512 => Digest::Sha512,
    };
    let thumbprint = if args.uri {
        key.thumbprint_uri(digest)
    } else {
        key.thumbprint(digest)
    }
    .map_err(producing("computing the thumbprint"))?;
    write_line(&thumbprint)
}

/// `rjose jwk convert`
pub fn convert(args: &JwkConvertArgs) -> Result<(), Failure> {
    let (spec, loaded) = key_argument(args.key.as_deref())?;
    let key = keys::single_key(loaded, spec)?;
    print_key(&key, args.to)
}

/// `rjose jwks create`
pub fn create_set(args: &JwksCreateArgs) -> Result<(), Failure> {
    let stdin: Vec<(&str, bool)> = args.keys.iter().map(|spec| ("a key", is_stdin(spec))).collect();
    one_stdin(&stdin)?;
    let mut keys = Vec::new();
    for spec in &args.keys {
        match keys::load_key_file(spec)? {
            Loaded::One(key) => {
                refuse_secret(&key, spec)?;
                keys.push(key);
            }
            Loaded::Set(set) => {
                for key in set.keys() {
                    refuse_secret(key, spec)?;
                    keys.push(key.clone());
                }
            }
        }
    }
    let mut seen = HashSet::new();
    for kid in keys.iter().filter_map(Key::kid) {
        if !seen.insert(kid) {
            warn(format!(
                "several keys have the kid {kid:?}: verifiers cannot tell them apart"
            ));
        }
    }
    // Every secret was refused above, so the library's document holds
    // every key given, in order.
    let json = LocalJwkSet::new(keys)
        .to_public_json()
        .map_err(producing("writing the public JWK Set"))?;
    write_line(&json)
}
