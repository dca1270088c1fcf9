//! The command line: every subcommand, flag and help text.

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::failure::{ERR_USAGE, EXIT_USAGE};

const TOP_EXAMPLES: &str = "\
Examples:
  rjose jwk generate ES256 --kid k1 > key.jwk
  rjose jwt sign --key key.jwk --sub alice --aud api --exp 15m > token
  rjose jwt verify --key key.jwk --aud api < token
  rjose jwt decode < token

Keys (--key FILE, or - for stdin) may be a JWK, a JWK Set (the key is then
selected by kid and alg) or a PEM key: PUBLIC KEY, PRIVATE KEY, CERTIFICATE,
RSA PRIVATE KEY, RSA PUBLIC KEY, EC PRIVATE KEY. Symmetric keys come from
--secret, --secret-b64 or --secret-file (its bytes exactly, a trailing newline
included: write it with `printf %s`, or pass --strip-newline); PBES2 passwords
from --password. Without --alg, signing uses the key's own algorithm, and
HS256 for a secret. Tokens are given as an argument or on stdin, alone: not
with `Bearer `, not in quotes, not as a file name.

Inputs are read up to a limit: 1 MiB for key, JWK Set and secret files, and
64 MiB (--max-input-size) for tokens, payloads, plaintexts and claims files.

Exit status:
  0  success
  1  the token or message was refused: signature or decryption failed, a claim
     check failed, its algorithm is not allowed, no key of the set matches it,
     or it is malformed (truncated, not base64url, not UTF-8)
  2  the command could not run: bad usage (a token with its `Bearer ` prefix,
     in quotes, or a file name for a token), an unreadable or empty input, a
     malformed key file, an unknown algorithm, a key that cannot serve the
     command, a JWK Set that cannot be fetched
On failure the first line on stderr is `CODE: message`, with the library's
code (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ERR_JWK_INVALID,
...) or ERR_CLI_USAGE / ERR_CLI_IO for arguments and files.";

/// Sign, verify, encrypt and decrypt JWTs, JWS and JWE; generate, convert and
/// thumbprint JWKs; make and check DPoP proofs.
#[derive(Debug, Parser)]
#[command(name = "rjose", version, after_help = TOP_EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// The largest token, JWS, JWE, payload, plaintext or claims file read,
    /// in bytes or with a K, M or G suffix (powers of 1024). Key files are
    /// limited to 1 MiB.
    #[arg(
        long = "max-input-size",
        value_name = "SIZE",
        global = true,
        default_value = "64M",
        value_parser = parse_size
    )]
    pub max_input_size: u64,
}

/// A size of `--max-input-size`: `1048576`, `512K`, `64M`, `1G` (the
/// suffixes are powers of 1024, in either case).
fn parse_size(text: &str) -> Result<u64, String> {
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, suffix) = text.split_at(digits_end);
    let unit: u64 = match suffix.to_ascii_uppercase().as_str() {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => {
            return Err(format!(
                "{text:?} is not a size: use bytes, or a K, M or G suffix (64M)"
            ));
        }
    };
    let count: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size: use bytes, or a K, M or G suffix (64M)"))?;
    match count.checked_mul(unit) {
        Some(0) => Err("the size must be at least one byte".to_owned()),
        Some(bytes) => Ok(bytes),
        None => Err(format!("{text:?} is too large")),
    }
}

/// The top-level commands.
// Parsed once per process: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// JSON Web Tokens: sign, verify, decode, encrypt, decrypt.
    #[command(
        after_help = "Examples:\n  rjose jwt sign --secret-file secret --sub alice --exp 1h > token\n  rjose jwt verify --secret-file secret < token\n\nA secret signs HS256 unless --alg names another."
    )]
    Jwt {
        /// The JWT command.
        #[command(subcommand)]
        command: JwtCommand,
    },
    /// JSON Web Signatures over any payload (compact or JSON serialization).
    #[command(
        after_help = "Examples:\n  rjose jws sign --key key.jwk --alg ES256 < file > file.jws\n  rjose jws verify --key key.jwk < file.jws > file"
    )]
    Jws {
        /// The JWS command.
        #[command(subcommand)]
        command: JwsCommand,
    },
    /// JSON Web Encryption of any plaintext (compact or JSON serialization).
    #[command(
        after_help = "Examples:\n  rjose jwe encrypt --key enc.jwk --alg ECDH-ES+A256KW --enc A256GCM < file > file.jwe\n  rjose jwe decrypt --key enc.jwk < file.jwe > file"
    )]
    Jwe {
        /// The JWE command.
        #[command(subcommand)]
        command: JweCommand,
    },
    /// JSON Web Keys: generate, public part, thumbprint, convert.
    #[command(
        after_help = "Examples:\n  rjose jwk generate ES256 --kid k1 > key.jwk\n  rjose jwk public key.jwk > public.jwk"
    )]
    Jwk {
        /// The JWK command.
        #[command(subcommand)]
        command: JwkCommand,
    },
    /// JSON Web Key Sets.
    #[command(after_help = "Example:\n  rjose jwks create a.jwk b.pem > jwks.json")]
    Jwks {
        /// The JWKS command.
        #[command(subcommand)]
        command: JwksCommand,
    },
    /// DPoP proofs (RFC 9449): make one for a request, or check one.
    #[command(
        after_help = "Examples:\n  rjose jwk generate ES256 > client.jwk\n  rjose jwk thumbprint client.jwk     # the key's cnf.jkt, to bind tokens to it\n  rjose dpop proof --key client.jwk --htm GET --htu https://api.example/orders --ath-of \"$AT\"\n\nCall a DPoP-protected API with curl, a new proof for every request:\n  curl -H \"Authorization: DPoP $AT\" \\\n    -H \"DPoP: $(rjose dpop proof --key client.jwk --htm GET --htu https://api.example/orders --ath-of \"$AT\")\" \\\n    https://api.example/orders"
    )]
    Dpop {
        /// The DPoP command.
        #[command(subcommand)]
        command: DpopCommand,
    },
    /// Prints shell completions.
    #[command(
        after_help = "Examples:\n  rjose completions bash > /etc/bash_completion.d/rjose\n  rjose completions zsh > \"${fpath[1]}/_rjose\"\n  rjose completions fish > ~/.config/fish/completions/rjose.fish"
    )]
    Completions {
        /// The shell: bash, zsh, fish (also elvish, powershell).
        shell: Shell,
    },
    /// Prints the license notices of the third-party crates this binary is
    /// built from (their licenses ask that the notices go with it).
    #[command(after_help = "Example:\n  rjose licenses | less")]
    Licenses,
}

/// `rjose jwt ...`
#[derive(Debug, Subcommand)]
pub enum JwtCommand {
    /// Signs a JWT and prints it (compact form) and a newline.
    #[command(
        after_help = "Examples:\n  rjose jwt sign --key key.jwk --sub alice --aud api --exp 15m --iat\n  rjose jwt sign --secret-file secret --alg HS512 --claims '{\"role\":\"admin\"}' --exp 7d\n  rjose jwt sign --key rsa.pem --alg PS256 --claims @claims.json --kid 2024 --exp 1h\n\nWithout --alg a key signs with its own algorithm (its JWK \"alg\", or ES256 for\na P-256 key...) and a secret with HS256."
    )]
    Sign(JwtSignArgs),
    /// Verifies a JWT (signature and claims) and prints
    /// {"payload":{...},"protectedHeader":{...}}.
    #[command(
        after_help = "Examples:\n  rjose jwt verify --key key.jwk --aud api --iss https://issuer.example < token\n  rjose jwt verify --jwks jwks.json --alg RS256 --max-age 1h \"$TOKEN\"\n\nWithout --alg only the algorithms of the key's type (or its own \"alg\") are accepted.\nExit status 1 when the token is refused, 2 when the command cannot run."
    )]
    Verify(JwtVerifyArgs),
    /// Prints a JWT's header and claims WITHOUT verifying anything.
    #[command(
        after_help = "Examples:\n  rjose jwt decode < token\n  rjose jwt decode --human \"$TOKEN\"\n\nNothing is verified: anyone can forge what this prints."
    )]
    Decode(JwtDecodeArgs),
    /// Encrypts a JWT (compact JWE) and prints it and a newline.
    #[command(
        after_help = "Examples:\n  rjose jwt encrypt --key enc.jwk --alg ECDH-ES+A256KW --enc A256GCM --sub alice --exp 1h\n  rjose jwt encrypt --password \"$PASSWORD\" --alg PBES2-HS256+A128KW --enc A128GCM --claims @claims.json --exp 1h"
    )]
    Encrypt(JwtEncryptArgs),
    /// Decrypts a JWT, checks its claims and prints
    /// {"payload":{...},"protectedHeader":{...}}.
    #[command(
        after_help = "Examples:\n  rjose jwt decrypt --key enc.jwk < token\n  rjose jwt decrypt --password \"$PASSWORD\" --aud api \"$TOKEN\"\n\nPBES2 is accepted only with --password, RSA1_5 only when named with --alg."
    )]
    Decrypt(JwtDecryptArgs),
}

/// `rjose jws ...`
#[derive(Debug, Subcommand)]
pub enum JwsCommand {
    /// Signs the payload read from stdin; prints a compact JWS, or its JSON
    /// serialization.
    #[command(
        after_help = "Examples:\n  rjose jws sign --key key.jwk < file > file.jws\n  rjose jws sign --secret-file secret --alg HS512 --json --detached < file\n\nWithout --alg a key signs with its own algorithm (its JWK \"alg\", or ES256 for\na P-256 key...) and a secret with HS256."
    )]
    Sign(JwsSignArgs),
    /// Verifies a JWS (compact or JSON) and writes its payload bytes to stdout.
    #[command(
        after_help = "Examples:\n  rjose jws verify --key key.jwk < file.jws > file\n  rjose jws verify --key key.jwk --payload file < detached.jws"
    )]
    Verify(JwsVerifyArgs),
}

/// `rjose jwe ...`
#[derive(Debug, Subcommand)]
pub enum JweCommand {
    /// Encrypts the plaintext read from stdin; prints a compact JWE, or its
    /// JSON serialization.
    #[command(
        after_help = "Examples:\n  rjose jwe encrypt --key rsa.pem --alg RSA-OAEP-256 --enc A256GCM < file > file.jwe\n  rjose jwe encrypt --password \"$PASSWORD\" --alg PBES2-HS512+A256KW --enc A256GCM --json < file"
    )]
    Encrypt(JweEncryptArgs),
    /// Decrypts a JWE (compact or JSON) and writes the plaintext bytes to
    /// stdout.
    #[command(
        after_help = "Examples:\n  rjose jwe decrypt --key enc.jwk < file.jwe > file\n  rjose jwe decrypt --password \"$PASSWORD\" < file.jwe"
    )]
    Decrypt(JweDecryptArgs),
}

/// `rjose jwk ...`
#[derive(Debug, Subcommand)]
pub enum JwkCommand {
    /// Generates a private key (or secret) for an algorithm and prints it.
    #[command(
        after_help = "Examples:\n  rjose jwk generate ES256 --kid 2024-05\n  rjose jwk generate RS256 --bits 3072 --format pem\n  rjose jwk generate ECDH-ES+A256KW --crv X25519 --use enc\n  rjose jwk generate A256GCM          # an oct key for \"dir\" with A256GCM\n  rjose jwk generate HS256"
    )]
    Generate(JwkGenerateArgs),
    /// Prints the public part of a key (of each key of a JWK Set).
    #[command(after_help = "Example:\n  rjose jwk public key.jwk > public.jwk")]
    Public(JwkPublicArgs),
    /// Prints a key's RFC 7638 thumbprint (or RFC 9278 URI).
    #[command(
        after_help = "Examples:\n  rjose jwk thumbprint key.jwk\n  rjose jwk thumbprint --digest sha512 --uri < key.pem"
    )]
    Thumbprint(JwkThumbprintArgs),
    /// Converts a key between JWK and PEM.
    #[command(
        after_help = "Examples:\n  rjose jwk convert key.jwk --to pem > key.pem\n  rjose jwk convert public.pem --to jwk"
    )]
    Convert(JwkConvertArgs),
}

/// `rjose jwks ...`
#[derive(Debug, Subcommand)]
pub enum JwksCommand {
    /// Prints a JWK Set of the public parts of the given keys.
    #[command(after_help = "Example:\n  rjose jwks create current.jwk previous.pem > jwks.json")]
    Create(JwksCreateArgs),
}

/// `rjose dpop ...`
#[derive(Debug, Subcommand)]
pub enum DpopCommand {
    /// Signs a DPoP proof for one HTTP request and prints it and a newline.
    #[command(
        after_help = "Examples:\n  rjose dpop proof --key client.jwk --htm POST --htu https://as.example/token > proof\n  rjose dpop proof --key client.jwk --htm GET --htu https://api.example/orders --ath-of \"$AT\" --nonce \"$NONCE\"\n  rjose dpop proof --key rsa.pem --alg PS256 --htm GET --htu https://api.example/orders --access-token-file at\n\nThe proof carries the key's public part, never its private one; the query and\nfragment of --htu are left out. A proof is good for one request: make a new\none each time. Bind access tokens to the key with its thumbprint, `cnf.jkt`:\n  rjose jwk thumbprint client.jwk"
    )]
    Proof(DpopProofArgs),
    /// Verifies a DPoP proof against a request and prints
    /// {"jkt":...,"jti":...,"htm":...,"htu":...,"iat":...}.
    #[command(
        after_help = "Examples:\n  rjose dpop verify --htm POST --htu https://as.example/token < proof\n  rjose dpop verify --htm GET --htu https://api.example/orders --access-token \"$AT\" --nonce \"$NONCE\" \"$PROOF\"\n\nThe signature is checked with the key the proof carries; --jkt says which key\nthat must be. Exit status 1 with an ERR_DPOP_* code when the proof is refused,\n2 when the command cannot run. Replays are not detected: a server records each\nproof's jti."
    )]
    Verify(DpopVerifyArgs),
}

/// `rjose dpop proof`
#[derive(Debug, Args)]
pub struct DpopProofArgs {
    /// The client's private key: a JWK, a JWK Set or a PEM key (- for stdin).
    /// Not a secret: a proof is signed with an asymmetric key.
    #[arg(long, value_name = "FILE")]
    pub key: String,
    /// Key ID of the key to use in a JWK Set.
    #[arg(long, value_name = "ID")]
    pub kid: Option<String>,
    /// Signature algorithm. By default the key's own (ES256 for a P-256
    /// key, EdDSA for Ed25519); an RSA key needs it.
    #[arg(long, value_name = "ALG")]
    pub alg: Option<String>,
    /// The request's method (`htm`), as sent: GET, POST...
    #[arg(long, value_name = "METHOD")]
    pub htm: String,
    /// The request's URI (`htu`): absolute http or https.
    #[arg(long, value_name = "URL")]
    pub htu: String,
    /// The access token sent with the request: the proof carries its hash
    /// (`ath`). Visible to other users in the process list; prefer
    /// --access-token-file.
    #[arg(long = "ath-of", value_name = "TOKEN", group = "access_token")]
    pub ath_of: Option<String>,
    /// The access token, read from FILE (- for stdin).
    #[arg(long = "access-token-file", value_name = "FILE", group = "access_token")]
    pub access_token_file: Option<String>,
    /// The server's nonce (`nonce`), from its last DPoP-Nonce header.
    #[arg(long, value_name = "NONCE", allow_hyphen_values = true)]
    pub nonce: Option<String>,
    /// The proof's ID (`jti`); 128 random bits by default. Servers refuse
    /// one they have seen before.
    #[arg(long, value_name = "ID", allow_hyphen_values = true)]
    pub jti: Option<String>,
}

/// `rjose dpop verify`
#[derive(Debug, Args)]
pub struct DpopVerifyArgs {
    /// The request's method.
    #[arg(long, value_name = "METHOD")]
    pub htm: String,
    /// The request's URI (its query and fragment are ignored).
    #[arg(long, value_name = "URL")]
    pub htu: String,
    /// The access token that came with the proof: `ath` must be its hash.
    #[arg(long = "access-token", value_name = "TOKEN")]
    pub access_token: Option<String>,
    /// The nonce the server expects (`nonce` becomes required).
    #[arg(long, value_name = "NONCE", allow_hyphen_values = true)]
    pub nonce: Option<String>,
    /// The thumbprint (`cnf.jkt` of the access token) the proof's key must have.
    #[arg(long, value_name = "JKT")]
    pub jkt: Option<String>,
    /// Accepted algorithm; repeat it (or separate with commas) for several.
    /// By default the asymmetric ones.
    #[arg(long, value_name = "ALG", value_delimiter = ',')]
    pub alg: Vec<String>,
    /// The proof; read from stdin when absent or -.
    #[arg(value_name = "PROOF")]
    pub proof: Option<String>,
}

/// The key of a signing command, and how a secret file is read.
#[derive(Debug, Args)]
#[group(skip)]
pub struct SignKeyArgs {
    /// Where the key comes from.
    #[command(flatten)]
    pub source: SignKeySource,
    /// How a secret file is read.
    #[command(flatten)]
    pub secret_file: SecretFileArgs,
}

/// The key of a signing command: exactly one of these.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SignKeySource {
    /// Key file: a JWK, a JWK Set or a PEM key (- for stdin).
    #[arg(long, value_name = "FILE")]
    pub key: Option<String>,
    /// Symmetric secret: the UTF-8 bytes of STRING (visible to other users in
    /// the process list; prefer --secret-file).
    #[arg(long, value_name = "STRING", allow_hyphen_values = true)]
    pub secret: Option<String>,
    /// Symmetric secret, base64url-encoded.
    // A random base64url secret starts with "-" one time in 64.
    #[arg(long = "secret-b64", value_name = "B64URL", allow_hyphen_values = true)]
    pub secret_b64: Option<String>,
    /// Symmetric secret: the bytes of FILE, exactly, a trailing newline
    /// included unless --strip-newline is given (- for stdin).
    #[arg(long = "secret-file", value_name = "FILE")]
    pub secret_file: Option<String>,
}

/// The key of a verifying command, and how a secret file is read.
#[derive(Debug, Args)]
#[group(skip)]
pub struct VerifyKeyArgs {
    /// Where the key comes from.
    #[command(flatten)]
    pub source: VerifyKeySource,
    /// How a secret file is read.
    #[command(flatten)]
    pub secret_file: SecretFileArgs,
}

/// The key of a verifying command: exactly one of these.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct VerifyKeySource {
    /// Key file: a JWK, a JWK Set or a PEM key (- for stdin).
    #[arg(long, value_name = "FILE")]
    pub key: Option<String>,
    /// Symmetric secret: the UTF-8 bytes of STRING.
    #[arg(long, value_name = "STRING", allow_hyphen_values = true)]
    pub secret: Option<String>,
    /// Symmetric secret, base64url-encoded.
    // A random base64url secret starts with "-" one time in 64.
    #[arg(long = "secret-b64", value_name = "B64URL", allow_hyphen_values = true)]
    pub secret_b64: Option<String>,
    /// Symmetric secret: the bytes of FILE, exactly, a trailing newline
    /// included unless --strip-newline is given (- for stdin).
    #[arg(long = "secret-file", value_name = "FILE")]
    pub secret_file: Option<String>,
    /// A JWK Set: a file, or an https URL (http only to a loopback address).
    #[arg(long, value_name = "URL_OR_FILE")]
    pub jwks: Option<String>,
}

/// The key of an encrypting or decrypting command, and how a secret file is read.
#[derive(Debug, Args)]
#[group(skip)]
pub struct CryptKeyArgs {
    /// Where the key comes from.
    #[command(flatten)]
    pub source: CryptKeySource,
    /// How a secret file is read.
    #[command(flatten)]
    pub secret_file: SecretFileArgs,
}

/// The key of an encrypting or decrypting command: exactly one of these.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct CryptKeySource {
    /// Key file: a JWK, a JWK Set or a PEM key (- for stdin).
    #[arg(long, value_name = "FILE")]
    pub key: Option<String>,
    /// Symmetric secret: the UTF-8 bytes of STRING.
    #[arg(long, value_name = "STRING", allow_hyphen_values = true)]
    pub secret: Option<String>,
    /// Symmetric secret, base64url-encoded.
    // A random base64url secret starts with "-" one time in 64.
    #[arg(long = "secret-b64", value_name = "B64URL", allow_hyphen_values = true)]
    pub secret_b64: Option<String>,
    /// Symmetric secret: the bytes of FILE, exactly, a trailing newline
    /// included unless --strip-newline is given (- for stdin).
    #[arg(long = "secret-file", value_name = "FILE")]
    pub secret_file: Option<String>,
    /// Password for the PBES2 algorithms.
    #[arg(long, value_name = "STRING", allow_hyphen_values = true)]
    pub password: Option<String>,
}

/// How the bytes of `--secret-file` become the secret.
#[derive(Debug, Args)]
#[group(skip)]
pub struct SecretFileArgs {
    /// Drops one trailing newline (\n or \r\n) from the --secret-file
    /// bytes, as `echo "$SECRET" > FILE` leaves one. Without it the newline
    /// is part of the secret, and a warning says so.
    // Checked by the commands: clap's `requires` counts a conflicting key
    // flag (--secret) as reason enough to let it pass.
    #[arg(long = "strip-newline")]
    pub strip_newline: bool,
}

/// The claims and header of a JWT being issued.
#[derive(Debug, Args)]
pub struct ClaimArgs {
    /// Claims as a JSON object, or @FILE to read them from a file (@- for
    /// stdin); the flags below override them.
    #[arg(long, value_name = "JSON|@FILE")]
    pub claims: Option<String>,
    /// Subject (`sub`).
    #[arg(long, value_name = "S")]
    pub sub: Option<String>,
    /// Issuer (`iss`).
    #[arg(long, value_name = "S")]
    pub iss: Option<String>,
    /// Audience (`aud`); repeat it for several.
    #[arg(long, value_name = "S")]
    pub aud: Vec<String>,
    /// Expiry (`exp`), from now: 15m, 1h, 7d, "2 hours"...
    #[arg(long, value_name = "SPAN", allow_hyphen_values = true)]
    pub exp: Option<String>,
    /// Not before (`nbf`), from now: 0s, 5m, "1h ago"...
    #[arg(long, value_name = "SPAN", allow_hyphen_values = true)]
    pub nbf: Option<String>,
    /// Sets `iat` to now.
    #[arg(long)]
    pub iat: bool,
    /// Token ID (`jti`).
    #[arg(long, value_name = "S")]
    pub jti: Option<String>,
    /// Key ID for the protected header (default: the key's own `kid`).
    #[arg(long, value_name = "ID")]
    pub kid: Option<String>,
    /// Type (`typ`) for the protected header, e.g. JWT or at+jwt.
    #[arg(long, value_name = "T")]
    pub typ: Option<String>,
    /// More protected header parameters, as a JSON object.
    #[arg(long, value_name = "JSON")]
    pub header: Option<String>,
}

/// What a JWT must satisfy besides its signature or encryption.
#[derive(Debug, Args)]
pub struct ClaimChecks {
    /// Accepted issuer; repeat it for several.
    #[arg(long, value_name = "S")]
    pub iss: Vec<String>,
    /// Accepted audience; repeat it for several (any one must match).
    #[arg(long, value_name = "S")]
    pub aud: Vec<String>,
    /// Expected subject.
    #[arg(long, value_name = "S")]
    pub sub: Option<String>,
    /// Expected `typ` header.
    #[arg(long, value_name = "T")]
    pub typ: Option<String>,
    /// Maximum age since `iat` (which becomes required): 30m, 1h, 7d...
    #[arg(long = "max-age", value_name = "SPAN", allow_hyphen_values = true)]
    pub max_age: Option<String>,
    /// Leeway for `exp`, `nbf` and `iat`: 30s, 5m...
    #[arg(long = "clock-tolerance", value_name = "SPAN", allow_hyphen_values = true)]
    pub clock_tolerance: Option<String>,
    /// A claim that must be present; repeat it for several.
    #[arg(long, value_name = "CLAIM")]
    pub require: Vec<String>,
    /// Accepts a token without `exp`. Refused by default: such a token
    /// never expires, so a leaked one works forever.
    #[arg(long = "allow-missing-exp")]
    pub allow_missing_exp: bool,
    /// Accepts a token that names an audience (`aud`) when no --aud is
    /// given. Refused by default: a token minted for another service must
    /// not work here (RFC 7519 section 4.1.3); prefer naming yours with --aud.
    #[arg(long = "allow-any-audience")]
    pub allow_any_audience: bool,
}

/// `rjose jwt sign`
#[derive(Debug, Args)]
pub struct JwtSignArgs {
    /// The signing key.
    #[command(flatten)]
    pub keys: SignKeyArgs,
    /// Signature algorithm. By default the key's own: its JWK `alg`, or the
    /// only one its type allows (ES256 for a P-256 key, EdDSA for Ed25519);
    /// HS256 for a secret that names none, whatever its length. An RSA key
    /// needs it.
    #[arg(long, value_name = "ALG")]
    pub alg: Option<String>,
    /// The claims and header.
    #[command(flatten)]
    pub claims: ClaimArgs,
}

/// `rjose jwt verify`
#[derive(Debug, Args)]
pub struct JwtVerifyArgs {
    /// The verification key.
    #[command(flatten)]
    pub keys: VerifyKeyArgs,
    /// Accepted algorithm; repeat it (or separate with commas) for several.
    #[arg(long, value_name = "ALG", value_delimiter = ',')]
    pub alg: Vec<String>,
    /// The claim checks.
    #[command(flatten)]
    pub checks: ClaimChecks,
    /// The token; read from stdin when absent or -.
    #[arg(value_name = "TOKEN")]
    pub token: Option<String>,
}

/// `rjose jwt decode`
#[derive(Debug, Args)]
pub struct JwtDecodeArgs {
    /// Shows times as dates, "in 14m" and "3d ago" (the default on a terminal).
    #[arg(long, conflicts_with = "json")]
    pub human: bool,
    /// Prints JSON even on a terminal.
    #[arg(long)]
    pub json: bool,
    /// The token; read from stdin when absent or -.
    #[arg(value_name = "TOKEN")]
    pub token: Option<String>,
}

/// `rjose jwt encrypt`
#[derive(Debug, Args)]
pub struct JwtEncryptArgs {
    /// The encryption key.
    #[command(flatten)]
    pub keys: CryptKeyArgs,
    /// Key management algorithm: dir, RSA-OAEP-256, A256KW, ECDH-ES, PBES2-HS256+A128KW...
    #[arg(long, value_name = "ALG")]
    pub alg: String,
    /// Content encryption algorithm: A128GCM, A256GCM, A128CBC-HS256...
    #[arg(long, value_name = "ENC")]
    pub enc: String,
    /// The claims and header.
    #[command(flatten)]
    pub claims: ClaimArgs,
}

/// `rjose jwt decrypt`
#[derive(Debug, Args)]
pub struct JwtDecryptArgs {
    /// The decryption key.
    #[command(flatten)]
    pub keys: CryptKeyArgs,
    /// Accepted key management algorithm; repeat it (or separate with commas)
    /// for several.
    #[arg(long, value_name = "ALG", value_delimiter = ',')]
    pub alg: Vec<String>,
    /// Accepted content encryption algorithm; repeat it for several.
    #[arg(long, value_name = "ENC", value_delimiter = ',')]
    pub enc: Vec<String>,
    /// The claim checks.
    #[command(flatten)]
    pub checks: ClaimChecks,
    /// Accepts a compressed token (`"zip": "DEF"`), decompressing at most
    /// 250,000 bytes; refused by default.
    #[arg(long = "allow-zip")]
    pub allow_zip: bool,
    /// The token; read from stdin when absent or -.
    #[arg(value_name = "TOKEN")]
    pub token: Option<String>,
}

/// `rjose jws sign`
#[derive(Debug, Args)]
pub struct JwsSignArgs {
    /// The signing key.
    #[command(flatten)]
    pub keys: SignKeyArgs,
    /// Signature algorithm. By default the key's own: its JWK `alg`, or the
    /// only one its type allows (ES256 for a P-256 key, EdDSA for Ed25519);
    /// HS256 for a secret that names none, whatever its length. An RSA key
    /// needs it.
    #[arg(long, value_name = "ALG")]
    pub alg: Option<String>,
    /// Prints the flattened JSON serialization.
    #[arg(long, conflicts_with = "general")]
    pub json: bool,
    /// Prints the general JSON serialization.
    #[arg(long)]
    pub general: bool,
    /// Leaves the payload out of the output.
    #[arg(long)]
    pub detached: bool,
    /// Signs the payload as it is, not base64url-encoded (RFC 7797, `b64: false`).
    #[arg(long)]
    pub unencoded: bool,
    /// Key ID for the protected header (default: the key's own `kid`).
    #[arg(long, value_name = "ID")]
    pub kid: Option<String>,
    /// More protected header parameters, as a JSON object.
    #[arg(long, value_name = "JSON")]
    pub header: Option<String>,
}

/// `rjose jws verify`
#[derive(Debug, Args)]
pub struct JwsVerifyArgs {
    /// The verification key.
    #[command(flatten)]
    pub keys: VerifyKeyArgs,
    /// Accepted algorithm; repeat it (or separate with commas) for several.
    #[arg(long, value_name = "ALG", value_delimiter = ',')]
    pub alg: Vec<String>,
    /// The payload of a detached JWS (- for stdin).
    #[arg(long, value_name = "FILE")]
    pub payload: Option<String>,
    /// The JWS, compact or JSON; read from stdin when absent or -.
    #[arg(value_name = "JWS")]
    pub jws: Option<String>,
}

/// `rjose jwe encrypt`
#[derive(Debug, Args)]
pub struct JweEncryptArgs {
    /// The encryption key.
    #[command(flatten)]
    pub keys: CryptKeyArgs,
    /// Key management algorithm.
    #[arg(long, value_name = "ALG")]
    pub alg: String,
    /// Content encryption algorithm.
    #[arg(long, value_name = "ENC")]
    pub enc: String,
    /// Prints the flattened JSON serialization.
    #[arg(long, conflicts_with = "general")]
    pub json: bool,
    /// Prints the general JSON serialization.
    #[arg(long)]
    pub general: bool,
    /// Key ID for the protected header (default: the key's own `kid`).
    #[arg(long, value_name = "ID")]
    pub kid: Option<String>,
}

/// `rjose jwe decrypt`
#[derive(Debug, Args)]
pub struct JweDecryptArgs {
    /// The decryption key.
    #[command(flatten)]
    pub keys: CryptKeyArgs,
    /// Accepted key management algorithm; repeat it (or separate with commas)
    /// for several.
    #[arg(long, value_name = "ALG", value_delimiter = ',')]
    pub alg: Vec<String>,
    /// Accepted content encryption algorithm; repeat it for several.
    #[arg(long, value_name = "ENC", value_delimiter = ',')]
    pub enc: Vec<String>,
    /// Accepts a compressed JWE (`"zip": "DEF"`), decompressing at most
    /// 250,000 bytes; refused by default.
    #[arg(long = "allow-zip")]
    pub allow_zip: bool,
    /// The JWE, compact or JSON; read from stdin when absent or -.
    #[arg(value_name = "JWE")]
    pub jwe: Option<String>,
}

/// The intended use of a key (JWK `use`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyUse {
    /// Signatures.
    Sig,
    /// Encryption.
    Enc,
}

/// How a key is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyFormat {
    /// A JWK (JSON).
    Jwk,
    /// PEM: PKCS#8 for a private key, SPKI for a public one.
    Pem,
}

/// The digest of a thumbprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestArg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// `rjose jwk generate`
#[derive(Debug, Args)]
pub struct JwkGenerateArgs {
    /// Any JWS alg, JWE alg or enc (an enc gives an oct key for "dir").
    #[arg(value_name = "ALG")]
    pub alg: String,
    /// Key ID.
    #[arg(long, value_name = "ID")]
    pub kid: Option<String>,
    /// Curve for ECDH-ES: P-256 (default), P-384, P-521, X25519.
    #[arg(long, value_name = "CRV")]
    pub crv: Option<String>,
    /// RSA modulus length: 2048 (default), 3072, 4096, 8192.
    #[arg(long, value_name = "N")]
    pub bits: Option<usize>,
    /// Intended use (JWK `use`).
    #[arg(long = "use", value_name = "USE")]
    pub key_use: Option<KeyUse>,
    /// Output format: a JWK, or a PKCS#8 PEM.
    #[arg(long, value_name = "FORMAT", default_value = "jwk")]
    pub format: KeyFormat,
}

/// `rjose jwk public`
#[derive(Debug, Args)]
pub struct JwkPublicArgs {
    /// Key file (JWK, JWK Set or PEM); stdin when absent or -.
    #[arg(value_name = "KEY")]
    pub key: Option<String>,
}

/// `rjose jwk thumbprint`
#[derive(Debug, Args)]
pub struct JwkThumbprintArgs {
    /// Key file (JWK or PEM); stdin when absent or -.
    #[arg(value_name = "KEY")]
    pub key: Option<String>,
    /// The digest.
    #[arg(long, value_name = "DIGEST", default_value = "sha256")]
    pub digest: DigestArg,
    /// Prints the RFC 9278 URI (urn:ietf:params:oauth:jwk-thumbprint:...).
    #[arg(long)]
    pub uri: bool,
}

/// `rjose jwk convert`
#[derive(Debug, Args)]
pub struct JwkConvertArgs {
    /// Key file (JWK or PEM); stdin when absent or -.
    #[arg(value_name = "KEY")]
    pub key: Option<String>,
    /// Output format.
    #[arg(long, value_name = "FORMAT")]
    pub to: KeyFormat,
}

/// `rjose jwks create`
#[derive(Debug, Args)]
pub struct JwksCreateArgs {
    /// Key files (JWK, JWK Set or PEM; - for stdin, once).
    #[arg(value_name = "KEY", required = true)]
    pub keys: Vec<String>,
}

/// Parses the command line. On `--help` and `--version` prints them and
/// returns success; on a usage error prints `ERR_CLI_USAGE: ...` first,
/// then clap's explanation, and returns status 2.
pub fn parse() -> Result<Cli, ExitCode> {
    Cli::try_parse().map_err(report)
}

fn report(error: clap::Error) -> ExitCode {
    use std::io::Write;

    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        kind => {
            let rendered = error.render().to_string();
            let mut stderr = std::io::stderr().lock();
            let _ = if kind == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
                write!(stderr, "{ERR_USAGE}: a subcommand is required\n\n{rendered}")
            } else {
                let body = rendered.strip_prefix("error: ").unwrap_or(&rendered);
                write!(stderr, "{ERR_USAGE}: {body}")
            };
            ExitCode::from(EXIT_USAGE)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_take_bytes_or_a_binary_suffix() {
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert_eq!(parse_size("512K"), Ok(512 << 10));
        assert_eq!(parse_size("64m"), Ok(64 << 20));
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        for bad in [
            "",
            "M",
            "0",
            "0K",
            "-1",
            "1.5M",
            "64MB",
            "1T",
            " 64M",
            "99999999999999999999G",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn allow_zip_help_names_the_library_cap() {
        let cap = rjose::jwe::DEFAULT_MAX_DECOMPRESSED_SIZE.to_string();
        for group in ["jwe", "jwt"] {
            let cli = Cli::command();
            let decrypt = cli
                .find_subcommand(group)
                .and_then(|c| c.find_subcommand("decrypt"))
                .expect("a decrypt command");
            let help = decrypt
                .get_arguments()
                .find(|a| a.get_id() == "allow_zip")
                .and_then(|a| a.get_help())
                .map(|h| h.to_string().replace(',', ""))
                .unwrap_or_default();
            assert!(help.contains(&cap), "{group}: {help}");
        }
    }

    #[test]
    fn every_subcommand_has_an_example_in_its_help() {
        fn walk(command: &clap::Command, path: &str) {
            let help = command.get_after_help().map(ToString::to_string).unwrap_or_default();
            assert!(help.contains("Example"), "{path} has no example");
            for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
                walk(sub, &format!("{path} {}", sub.get_name()));
            }
        }
        let mut cli = Cli::command();
        cli.build();
        for sub in cli.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(sub, sub.get_name());
        }
    }
}
