//! The commands, and what they share: turning key flags into keys and
//! reading JSON arguments.

mod jwe;
mod jwk;
mod jws;
mod jwt;

use jose::jwe::{DEFAULT_MAX_DECOMPRESSED_SIZE, JweAlg, JweDecryptOptions, JweEnc};
use jose::{Alg, Error, Key};
use serde_json::{Map, Value};

use crate::cli::{Cli, Command, CryptKeyArgs, JweCommand, JwkCommand, JwksCommand, JwsCommand, JwtCommand};
use crate::cli::{SignKeyArgs, VerifyKeyArgs};
use crate::failure::Failure;
use crate::io::{is_stdin, limit_inputs, read_source, write_stdout};
use crate::keys::{self, Loaded};

/// Runs the parsed command.
pub fn run(cli: Cli) -> Result<(), Failure> {
    limit_inputs(cli.max_input_size);
    match cli.command {
        Command::Jwt { command } => match command {
            JwtCommand::Sign(args) => jwt::sign(&args),
            JwtCommand::Verify(args) => jwt::verify(&args),
            JwtCommand::Decode(args) => jwt::decode(&args),
            JwtCommand::Encrypt(args) => jwt::encrypt(&args),
            JwtCommand::Decrypt(args) => jwt::decrypt(&args),
        },
        Command::Jws { command } => match command {
            JwsCommand::Sign(args) => jws::sign(&args),
            JwsCommand::Verify(args) => jws::verify(&args),
        },
        Command::Jwe { command } => match command {
            JweCommand::Encrypt(args) => jwe::encrypt(&args),
            JweCommand::Decrypt(args) => jwe::decrypt(&args),
        },
        Command::Jwk { command } => match command {
            JwkCommand::Generate(args) => jwk::generate(&args),
            JwkCommand::Public(args) => jwk::public(&args),
            JwkCommand::Thumbprint(args) => jwk::thumbprint(&args),
            JwkCommand::Convert(args) => jwk::convert(&args),
        },
        Command::Jwks { command } => match command {
            JwksCommand::Create(args) => jwk::create_set(&args),
        },
        Command::Completions { shell } => completions(shell),
    }
}

fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "jose", &mut out);
    write_stdout(&out)
}

/// True when a key flag reads stdin.
fn stdin_flag(value: Option<&String>) -> bool {
    value.is_some_and(|v| is_stdin(v))
}

impl SignKeyArgs {
    /// Whether the key comes from stdin.
    fn reads_stdin(&self) -> bool {
        stdin_flag(self.key.as_ref()) || stdin_flag(self.secret_file.as_ref())
    }

    /// The key file's content, or the secret.
    fn load(&self) -> Result<Loaded, Failure> {
        if let Some(spec) = &self.key {
            return keys::load_key_file(spec);
        }
        secret(
            self.secret.as_deref(),
            self.secret_b64.as_deref(),
            self.secret_file.as_deref(),
        )
    }
}

impl VerifyKeyArgs {
    /// Whether the key comes from stdin.
    fn reads_stdin(&self) -> bool {
        stdin_flag(self.key.as_ref()) || stdin_flag(self.secret_file.as_ref()) || stdin_flag(self.jwks.as_ref())
    }

    /// The key file's content, the secret, or the key set of `--jwks`.
    fn load(&self) -> Result<Loaded, Failure> {
        if let Some(spec) = &self.jwks {
            return keys::load_jwks(spec).map(Loaded::Set);
        }
        if let Some(spec) = &self.key {
            return keys::load_key_file(spec);
        }
        secret(
            self.secret.as_deref(),
            self.secret_b64.as_deref(),
            self.secret_file.as_deref(),
        )
    }
}

/// The key of an encrypting or decrypting command.
pub struct CryptKey {
    /// The key, the key set, the secret or the password (as an `oct` key).
    loaded: Loaded,
    /// True when it came from `--password`.
    password: bool,
}

impl CryptKeyArgs {
    /// Whether the key comes from stdin.
    fn reads_stdin(&self) -> bool {
        stdin_flag(self.key.as_ref()) || stdin_flag(self.secret_file.as_ref())
    }

    fn load(&self) -> Result<CryptKey, Failure> {
        if let Some(password) = &self.password {
            return Ok(CryptKey {
                loaded: Loaded::One(keys::password_key(password)?),
                password: true,
            });
        }
        let loaded = match &self.key {
            Some(spec) => keys::load_key_file(spec)?,
            None => secret(
                self.secret.as_deref(),
                self.secret_b64.as_deref(),
                self.secret_file.as_deref(),
            )?,
        };
        Ok(CryptKey {
            loaded,
            password: false,
        })
    }
}

fn secret(secret: Option<&str>, b64: Option<&str>, file: Option<&str>) -> Result<Loaded, Failure> {
    match keys::secret_key(secret, b64, file)? {
        Some(key) => Ok(Loaded::One(key)),
        None => Err(Failure::usage(
            "a key is required: --key, --secret, --secret-b64 or --secret-file",
        )),
    }
}

/// The algorithms a verification accepts: those of `--alg`, or, for one key,
/// the ones it can serve. A key that serves none of them cannot verify
/// anything, which is a usage error rather than a refused token.
fn jws_algorithms(names: &[String], loaded: &Loaded) -> Result<Option<Vec<Alg>>, Failure> {
    let named = names.iter().map(|n| keys::jws_alg(n)).collect::<Result<Vec<_>, _>>()?;
    let Loaded::One(key) = loaded else {
        return Ok((!named.is_empty()).then_some(named));
    };
    if named.is_empty() {
        let own = key.algorithms();
        if own.is_empty() {
            return Err(keys::no_jws_alg(key));
        }
        return Ok(Some(own));
    }
    if !named.iter().any(|&alg| key.supports(alg)) {
        return Err(Failure::key_use(format!(
            "the {} key cannot verify {}",
            keys::describe_key(key),
            names.join(" or ")
        )));
    }
    Ok(Some(named))
}

impl CryptKey {
    /// Decryption options from `--alg`, `--enc` and `--allow-zip`: PBES2
    /// only with a password (and then only PBES2), RSA1_5 only when named,
    /// without `--alg` the algorithms one key can serve, and compressed
    /// plaintexts only when allowed, up to the library's cap.
    fn decrypt_options(
        &self,
        alg_names: &[String],
        enc_names: &[String],
        allow_zip: bool,
    ) -> Result<JweDecryptOptions, Failure> {
        let named = alg_names
            .iter()
            .map(|n| keys::jwe_alg(n))
            .collect::<Result<Vec<_>, _>>()?;
        let encs = enc_names
            .iter()
            .map(|n| keys::jwe_enc(n))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(pbes2) = named.iter().find(|&&a| a.uses_password())
            && !self.password
        {
            return Err(Failure::usage(format!("{pbes2} needs --password")));
        }
        let algs = if self.password {
            if let Some(other) = named.iter().find(|&&a| !a.uses_password()) {
                return Err(Failure::usage(format!(
                    "--password is for the PBES2 algorithms only, not {other}"
                )));
            }
            if named.is_empty() {
                Some(JweAlg::ALL.iter().copied().filter(|&a| a.uses_password()).collect())
            } else {
                Some(named)
            }
        } else {
            match &self.loaded {
                Loaded::One(key) => Some(Self::algorithms_for(key, named, &encs)?),
                Loaded::Set(_) => (!named.is_empty()).then_some(named),
            }
        };
        // An oct key labelled with a content encryption algorithm is a "dir"
        // key for that algorithm only.
        let own_enc = match &self.loaded {
            Loaded::One(key) if key.is_symmetric() && !self.password => key.alg().and_then(JweEnc::from_name),
            _ => None,
        };
        let encs = match own_enc {
            Some(enc) if encs.is_empty() => vec![enc],
            _ => encs,
        };
        let mut options = JweDecryptOptions::new();
        if let Some(algs) = algs {
            options = options.key_management_algorithms(algs);
        }
        if !encs.is_empty() {
            options = options.content_encryption_algorithms(encs);
        }
        if allow_zip {
            options = options.allow_decompression(DEFAULT_MAX_DECOMPRESSED_SIZE);
        }
        Ok(options)
    }

    /// Checks that one key can decrypt with some of the allowed algorithms,
    /// and returns them (the key's own when none were named).
    fn algorithms_for(key: &Key, named: Vec<JweAlg>, encs: &[JweEnc]) -> Result<Vec<JweAlg>, Failure> {
        if !key.is_private() {
            return Err(Failure::key_use(format!(
                "the {} key is public: decryption needs the private key",
                keys::describe_key(key)
            )));
        }
        let algs = if named.is_empty() {
            keys::default_jwe_algs(key)
        } else {
            named
        };
        let encs: &[JweEnc] = if encs.is_empty() { JweEnc::ALL } else { encs };
        let usable = algs
            .iter()
            .any(|&alg| encs.iter().any(|&enc| key.supports_jwe(alg, enc)));
        if !usable {
            let why = match key.alg() {
                Some("RSA1_5") => "; RSA1_5 is accepted only when named with --alg RSA1_5",
                _ if key.is_symmetric() => {
                    "; a secret for dir or AES key wrap has 16, 24, 32, 48 or 64 bytes, and PBES2 takes --password"
                }
                _ => "",
            };
            return Err(Failure::key_use(format!(
                "the {} key cannot decrypt with {}{why}",
                keys::describe_key(key),
                if algs.is_empty() {
                    "any accepted algorithm".to_owned()
                } else {
                    algs.iter().map(|a| a.name()).collect::<Vec<_>>().join(" or ")
                }
            )));
        }
        Ok(algs)
    }

    /// The one key to encrypt to, for `alg` with `enc`: PBES2 only with a
    /// password, and a password only for PBES2.
    fn encryption_key(self, alg: JweAlg, enc: JweEnc, kid: Option<&str>) -> Result<Key, Failure> {
        match (self.password, alg.uses_password()) {
            (true, false) => {
                return Err(Failure::usage(format!(
                    "--password is for the PBES2 algorithms only, not {alg}"
                )));
            }
            (false, true) => return Err(Failure::usage(format!("{alg} needs --password"))),
            _ => {}
        }
        keys::pick_key(self.loaded, kid, &format!("encrypt with {alg} and {enc}"), |key| {
            key.supports_jwe(alg, enc)
        })
    }
}

/// A refused decryption; one refused only for being compressed names the
/// flag that accepts it.
fn refused_decryption(error: Error) -> Failure {
    let compressed = matches!(&error, Error::NotSupported(what) if what.contains("\"zip\": \"DEF\""));
    let failure = Failure::refused(error);
    if compressed {
        failure.hint("pass --allow-zip to accept it")
    } else {
        failure
    }
}

/// A JSON object argument: inline JSON, or `@FILE` (`@-` for stdin).
fn json_object(arg: &str, what: &str) -> Result<Map<String, Value>, Failure> {
    let text = match arg.strip_prefix('@') {
        Some(path) => {
            let bytes = read_source(path, what)?;
            String::from_utf8(bytes).map_err(|_| Failure::usage(format!("{what} is not UTF-8 text")))?
        }
        None => arg.to_owned(),
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Failure::usage(format!("{what} must be a JSON object"))),
        Err(e) => Err(Failure::usage(format!("{what} is not JSON: {e}"))),
    }
}

/// True when a JSON-object argument reads stdin (`@-`).
fn json_reads_stdin(arg: Option<&String>) -> bool {
    arg.is_some_and(|a| a == "@-")
}

/// Serializes a JSON object.
fn to_json(value: &Map<String, Value>) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::generic(format!("writing JSON: {e}")))
}

/// Maps a library error of a command's own output (signing, encrypting,
/// generating) to a usage failure with context.
fn producing(what: &str) -> impl Fn(Error) -> Failure + '_ {
    move |e| Failure::setup(what, e)
}
