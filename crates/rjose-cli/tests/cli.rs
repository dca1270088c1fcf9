//! The `rjose` binary, run as a user would: every subcommand, every exit
//! status, and the inputs that go wrong (broken key files, truncated
//! tokens, binary garbage, empty input).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use assert_cmd::assert::Assert;
use predicates::prelude::*;
use serde_json::{Value, json};
use tempfile::TempDir;

/// A 32-byte secret: HS256 only, so `jwt sign` needs no `--alg`.
const SECRET32: &str = "0123456789abcdef0123456789abcdef";
/// A 64-byte secret: HS256, HS384 and HS512.
const SECRET64: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// The binary, with stdin always given (empty unless a test says otherwise)
/// so that no test ever waits on a terminal.
fn rjose(args: &[&str], stdin: impl Into<Vec<u8>>) -> Assert {
    Command::new(env!("CARGO_BIN_EXE_rjose"))
        .args(args)
        .write_stdin(stdin)
        .assert()
}

/// Success, with nothing that looks like a crash on stderr.
fn ok(args: &[&str], stdin: impl Into<Vec<u8>>) -> Assert {
    rjose(args, stdin)
        .success()
        .stderr(predicate::str::contains("panicked").not())
}

/// Failure with `status`, the first line on stderr being `code: ...`, and
/// no panic nor backtrace.
fn fails(args: &[&str], stdin: impl Into<Vec<u8>>, status: i32, code: &str) -> Assert {
    rjose(args, stdin)
        .code(status)
        .stderr(predicate::str::starts_with(format!("{code}: ")))
        .stderr(predicate::str::contains("panicked").not())
        .stderr(predicate::str::contains("RUST_BACKTRACE").not())
}

/// [`fails`] with no stdin and status 2: the command could not be
/// carried out (bad usage, unreadable input, a key that does not fit).
fn usage(args: &[&str], code: &str) -> Assert {
    fails(args, "", 2, code)
}

/// [`fails`] with no stdin and status 1: the token or message was refused.
fn refused(args: &[&str], code: &str) -> Assert {
    fails(args, "", 1, code)
}

fn stdout(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

fn stderr(assert: &Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

fn stdout_json(assert: &Assert) -> Value {
    serde_json::from_slice(&assert.get_output().stdout).unwrap_or_else(|e| panic!("stdout is not JSON: {e}"))
}

/// One line of output without its newline.
fn line(assert: &Assert) -> String {
    stdout(assert).trim_end_matches('\n').to_owned()
}

/// A temporary directory for key files.
struct Dir(TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().expect("temporary directory"))
    }

    fn write(&self, name: &str, content: impl AsRef<[u8]>) -> String {
        let path = self.0.path().join(name);
        std::fs::write(&path, content).expect("write a test file");
        path.to_string_lossy().into_owned()
    }

    fn path(&self, name: &str) -> String {
        self.0.path().join(name).to_string_lossy().into_owned()
    }

    /// `rjose jwk generate ALG EXTRA...` saved as `name`.
    fn generate(&self, name: &str, alg: &str, extra: &[&str]) -> String {
        let mut args = vec!["jwk", "generate", alg];
        args.extend_from_slice(extra);
        let key = stdout(&ok(&args, ""));
        self.write(name, key)
    }
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rjose/tests/fixtures/pem")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn vector_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../rjose/tests/vectors/rfc7520-cookbook/jwe/5_1.key_encryption_using_rsa_v15_and_aes-hmac-sha2.json")
}

/// RFC 7520 section 5.1: an RSA key (`use: enc`), and a JWE made with
/// RSA1_5 for it. The one RSA key of these tests: none is generated but
/// in `jwk generate`'s own test.
fn rsa_vector() -> (Value, String, String) {
    let text = std::fs::read_to_string(vector_path()).expect("RFC 7520 vector");
    let vector: Value = serde_json::from_str(&text).expect("vector JSON");
    let key = vector["input"]["key"].clone();
    let token = vector["output"]["compact"].as_str().expect("compact").to_owned();
    let plaintext = vector["input"]["plaintext"].as_str().expect("plaintext").to_owned();
    (key, token, plaintext)
}

/// `jwt sign` with `args`, and `--exp 1h` unless they set `exp`
/// themselves: verification refuses a token without it.
fn sign_token(args: &[&str]) -> String {
    let mut all = vec!["jwt", "sign"];
    all.extend_from_slice(args);
    if !args.contains(&"--exp") {
        all.extend_from_slice(&["--exp", "1h"]);
    }
    line(&ok(&all, ""))
}

// ------------------------------------------------------------ jwt sign / verify

#[test]
fn readme_pipeline_generate_sign_verify_prints_payload_and_protected_header() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &[]);
    let token = sign_token(&["--key", &key, "--sub", "me", "--exp", "15m"]);
    assert_eq!(token.split('.').count(), 3);
    let out = ok(&["jwt", "verify", "--key", &key], format!("{token}\n"));
    let printed = stdout(&out);
    assert!(printed.starts_with("{\"payload\":{"), "{printed}");
    assert!(printed.ends_with("}\n"), "{printed}");
    let verified = stdout_json(&out);
    assert_eq!(verified["payload"]["sub"], "me");
    assert!(verified["payload"]["exp"].is_i64());
    assert_eq!(verified["protectedHeader"], json!({"alg": "ES256"}));
}

#[test]
fn jwt_sign_takes_alg_from_the_key_and_puts_its_kid_in_the_header() {
    let dir = Dir::new();
    for (alg, extra) in [("ES384", &[][..]), ("EdDSA", &[][..]), ("ES256K", &[][..])] {
        let key = dir.generate("k.jwk", alg, &[&["--kid", "key-1"], extra].concat());
        let token = sign_token(&["--key", &key]);
        let verified = stdout_json(&ok(&["jwt", "verify", "--key", &key, &token], ""));
        assert_eq!(verified["protectedHeader"]["alg"], alg);
        assert_eq!(verified["protectedHeader"]["kid"], "key-1");
    }
}

#[test]
fn jwt_sign_with_a_32_byte_secret_defaults_to_hs256_and_every_secret_flag_verifies() {
    let dir = Dir::new();
    let token = sign_token(&["--secret", SECRET32, "--sub", "s"]);
    let secret_file = dir.write("secret", SECRET32);
    let b64 = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY"; // SECRET32, base64url
    for flags in [
        ["--secret", SECRET32],
        ["--secret-file", secret_file.as_str()],
        ["--secret-b64", b64],
    ] {
        let verified = stdout_json(&ok(&["jwt", "verify", flags[0], flags[1], &token], ""));
        assert_eq!(verified["protectedHeader"]["alg"], "HS256");
        assert_eq!(verified["payload"]["sub"], "s");
    }
    // The secret from stdin, the token as an argument.
    ok(&["jwt", "verify", "--secret-file", "-", &token], SECRET32);
}

#[test]
fn jwt_sign_needs_alg_when_the_key_serves_several_algorithms() {
    let (rsa, _, _) = rsa_vector();
    let dir = Dir::new();
    let mut signing = rsa.clone();
    if let Some(members) = signing.as_object_mut() {
        members.remove("use");
    }
    let rsa_key = dir.write("rsa.jwk", signing.to_string());
    usage(&["jwt", "sign", "--key", &rsa_key], "ERR_CLI_USAGE").stderr(predicate::str::contains("RS256"));
    let token = sign_token(&["--key", &rsa_key, "--alg", "PS384"]);
    let public = dir.write("rsa.pub", stdout(&ok(&["jwk", "public", &rsa_key], "")));
    let verified = stdout_json(&ok(&["jwt", "verify", "--key", &public, &token], ""));
    assert_eq!(verified["protectedHeader"]["alg"], "PS384");
    let token = sign_token(&["--secret", SECRET64, "--alg", "HS512"]);
    ok(&["jwt", "verify", "--secret", SECRET64, "--alg", "HS512", &token], "");
}

#[test]
fn jwt_sign_with_a_secret_of_48_bytes_or_more_defaults_to_hs256_and_a_short_one_names_the_minimum() {
    let dir = Dir::new();
    let secret48 = dir.write("secret48", &SECRET64[..48]);
    for flags in [["--secret", SECRET64], ["--secret-file", secret48.as_str()]] {
        let token = sign_token(&[flags[0], flags[1], "--sub", "alice", "--exp", "1h"]);
        let verified = stdout_json(&ok(&["jwt", "verify", flags[0], flags[1], &token], ""));
        assert_eq!(verified["protectedHeader"]["alg"], "HS256");
        ok(&["jwt", "verify", flags[0], flags[1], "--alg", "HS256", &token], "");
    }
    // A key whose JWK names its algorithm keeps it.
    let hs512 = dir.generate("hs512.jwk", "HS512", &[]);
    let token = sign_token(&["--key", &hs512, "--exp", "1h"]);
    let verified = stdout_json(&ok(&["jwt", "verify", "--key", &hs512, &token], ""));
    assert_eq!(verified["protectedHeader"]["alg"], "HS512");
    let short = usage(
        &[
            "jwt",
            "sign",
            "--secret",
            "thirty-one bytes of a secret!!!",
            "--exp",
            "1h",
        ],
        "ERR_JOSE_INVALID_KEY_USE",
    );
    let message = stderr(&short);
    assert!(
        message.contains("31 bytes") && message.contains("HS256 needs at least 32 bytes"),
        "{message}"
    );
    // Encryption names its algorithms, so the length of a secret never
    // leaves a choice open there: a 64-byte secret is a dir key for
    // A256CBC-HS512, and decrypts without --alg.
    let jwe = line(&ok(
        &[
            "jwt",
            "encrypt",
            "--secret",
            SECRET64,
            "--alg",
            "dir",
            "--enc",
            "A256CBC-HS512",
            "--sub",
            "alice",
            "--exp",
            "1h",
        ],
        "",
    ));
    let decrypted = stdout_json(&ok(&["jwt", "decrypt", "--secret", SECRET64, &jwe], ""));
    assert_eq!(decrypted["payload"]["sub"], "alice");
}

#[test]
fn jws_sign_takes_alg_from_the_key_as_jwt_sign_does() {
    let dir = Dir::new();
    let ec = dir.generate("ec.jwk", "ES384", &[]);
    let hs512 = dir.generate("hs512.jwk", "HS512", &[]);
    for (flags, alg) in [
        (["--key", ec.as_str()], "ES384"),
        (["--key", hs512.as_str()], "HS512"),
        (["--secret", SECRET64], "HS256"),
    ] {
        let jws = line(&ok(&["jws", "sign", flags[0], flags[1]], "payload"));
        let header = rjose::jwt::decode_protected_header(&jws).expect("protected header");
        assert_eq!(header.alg_name(), Some(alg));
        ok(&["jws", "verify", flags[0], flags[1], &jws], "").stdout("payload");
    }
    let (rsa, _, _) = rsa_vector();
    let mut signing = rsa;
    if let Some(members) = signing.as_object_mut() {
        members.remove("use");
    }
    let rsa_key = dir.write("rsa.jwk", signing.to_string());
    fails(&["jws", "sign", "--key", &rsa_key], "x", 2, "ERR_CLI_USAGE")
        .stderr(predicate::str::contains("choose one with --alg"));
    fails(
        &[
            "jws",
            "sign",
            "--key",
            &ec,
            "--alg",
            "ES384",
            "--header",
            r#"{"alg":"ES256"}"#,
        ],
        "x",
        2,
        "ERR_CLI_USAGE",
    )
    .stderr(predicate::str::contains("differ"));
}

#[test]
fn time_flags_without_a_unit_or_with_a_bad_one_are_usage_errors_with_a_hint() {
    let token = sign_token(&["--secret", SECRET32, "--exp", "1h"]);
    let says = |args: &[&str], words: &[&str]| {
        let message = stderr(&usage(args, "ERR_CLI_USAGE"));
        let first = message.lines().next().unwrap_or_default().to_owned();
        for word in words {
            assert!(first.contains(word), "{args:?}: {first}");
        }
        assert!(!first.contains("Unix seconds"), "{args:?}: {first}");
    };
    let sign = |flag: &'static str, value: &'static str| ["jwt", "sign", "--secret", SECRET32, flag, value];
    says(
        &sign("--exp", "15"),
        &["--exp \"15\" has no unit", "add a unit: 15s, 15m, 15h, 15d"],
    );
    says(
        &sign("--nbf", "15"),
        &["--nbf \"15\" has no unit", "add a unit: 15s, 15m, 15h, 15d"],
    );
    says(
        &sign("--exp", "15x"),
        &["--exp", "\"15x\"", "unknown time span unit", "15s, 15m, 15h, 15d"],
    );
    says(
        &sign("--exp", "soon"),
        &["--exp", "\"soon\"", "a number and a unit: 15s, 15m, 15h, 15d"],
    );
    let verify = |flag: &'static str, value: &'static str| ["jwt", "verify", "--secret", SECRET32, flag, value];
    says(
        &[&verify("--max-age", "15")[..], &[token.as_str()]].concat(),
        &["--max-age \"15\" has no unit", "add a unit: 15s, 15m, 15h, 15d"],
    );
    says(
        &[&verify("--clock-tolerance", "15")[..], &[token.as_str()]].concat(),
        &["--clock-tolerance \"15\" has no unit", "add a unit: 15s"],
    );
    says(
        &[&verify("--clock-tolerance", "-1m")[..], &[token.as_str()]].concat(),
        &["--clock-tolerance \"-1m\" is negative", "30s or 5m"],
    );
    says(
        &[&verify("--max-age", "soon")[..], &[token.as_str()]].concat(),
        &["--max-age", "\"soon\"", "15s, 15m, 15h, 15d"],
    );
}

#[test]
fn a_secret_file_ending_in_a_newline_is_used_as_is_with_a_warning_or_stripped_with_strip_newline() {
    let dir = Dir::new();
    let echoed = dir.write("echoed", format!("{SECRET32}\n"));
    let crlf = dir.write("crlf", format!("{SECRET32}\r\n"));
    // Without the flag: the newline is part of the secret, and said to be.
    let signed = ok(
        &["jwt", "sign", "--secret-file", &echoed, "--sub", "a", "--exp", "1h"],
        "",
    );
    let warning = stderr(&signed);
    assert!(
        warning.contains("ends with a newline")
            && warning.contains("part of the secret")
            && warning.contains("printf %s")
            && warning.contains("--strip-newline"),
        "{warning}"
    );
    let token = line(&signed);
    refused(
        &["jwt", "verify", "--secret", SECRET32, &token],
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    );
    let with_newline = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYK"; // SECRET32 "\n", base64url
    ok(&["jwt", "verify", "--secret-b64", with_newline, &token], "");
    // With it: one \n or \r\n is dropped, and the tokens are those of --secret.
    for file in [&echoed, &crlf] {
        let stripped = ok(
            &[
                "jwt",
                "sign",
                "--secret-file",
                file,
                "--strip-newline",
                "--sub",
                "a",
                "--exp",
                "1h",
            ],
            "",
        );
        assert!(!stderr(&stripped).contains("newline"), "{}", stderr(&stripped));
        ok(&["jwt", "verify", "--secret", SECRET32, &line(&stripped)], "");
        let other_way = sign_token(&["--secret", SECRET32, "--exp", "1h"]);
        ok(
            &["jwt", "verify", "--secret-file", file, "--strip-newline", &other_way],
            "",
        );
    }
    // A secret from stdin is warned about too.
    let from_stdin = ok(
        &["jwt", "verify", "--secret-file", "-", &token],
        format!("{SECRET32}\n"),
    );
    assert!(stderr(&from_stdin).contains("the secret from stdin ends with a newline"));
    usage(
        &["jwt", "sign", "--secret", SECRET32, "--strip-newline", "--exp", "1h"],
        "ERR_CLI_USAGE",
    )
    .stderr(predicate::str::contains(
        "--strip-newline applies to --secret-file only",
    ));
}

#[test]
fn readme_and_help_example_secret_file_sign_then_verify_works() {
    let help = stdout(&ok(&["jwt", "--help"], ""));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readmes = [root.join("../../README.md"), root.join("README.md")]
        .map(|path| std::fs::read_to_string(path).expect("README"));
    for text in [&help, &readmes[0], &readmes[1]] {
        for example in [
            "rjose jwt sign --secret-file secret --sub alice --exp 1h > token",
            "rjose jwt verify --secret-file secret < token",
        ] {
            assert!(text.contains(example), "{example} is not in {text}");
        }
    }
    for readme in &readmes {
        assert!(readme.contains("head -c 32 /dev/urandom > secret"), "{readme}");
    }
    let dir = Dir::new();
    // The README's 32 random bytes, and 48, which could serve HS384 too.
    for len in [32u8, 48] {
        let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37).wrapping_add(11)).collect();
        let secret = dir.write("secret", bytes);
        let token = line(&ok(
            &["jwt", "sign", "--secret-file", &secret, "--sub", "alice", "--exp", "1h"],
            "",
        ));
        let verified = stdout_json(&ok(&["jwt", "verify", "--secret-file", &secret], format!("{token}\n")));
        assert_eq!(verified["payload"]["sub"], "alice");
        assert_eq!(verified["protectedHeader"]["alg"], "HS256");
    }
}

#[test]
fn jwt_sign_sets_every_claim_and_header_flag_and_flags_win_over_claims() {
    let token = sign_token(&[
        "--secret",
        SECRET32,
        "--claims",
        r#"{"role":"admin","sub":"from-claims","n":[1,2]}"#,
        "--sub",
        "alice",
        "--iss",
        "https://issuer.example",
        "--aud",
        "api",
        "--aud",
        "web",
        "--jti",
        "id-1",
        "--iat",
        "--nbf",
        "0s",
        "--exp",
        "2 hours",
        "--kid",
        "k7",
        "--typ",
        "at+jwt",
        "--header",
        r#"{"cty":"x","custom":true}"#,
    ]);
    let decoded = stdout_json(&ok(&["jwt", "decode", "--json", &token], ""));
    let payload = &decoded["payload"];
    assert_eq!(payload["role"], "admin");
    assert_eq!(payload["sub"], "alice");
    assert_eq!(payload["iss"], "https://issuer.example");
    assert_eq!(payload["aud"], json!(["api", "web"]));
    assert_eq!(payload["jti"], "id-1");
    assert_eq!(payload["n"], json!([1, 2]));
    let (iat, nbf, exp) = (
        payload["iat"].as_i64(),
        payload["nbf"].as_i64(),
        payload["exp"].as_i64(),
    );
    assert!(iat.is_some() && nbf.is_some());
    assert_eq!(exp.zip(nbf).map(|(e, n)| e - n), Some(7200));
    assert_eq!(
        decoded["protectedHeader"],
        json!({"alg": "HS256", "kid": "k7", "typ": "at+jwt", "cty": "x", "custom": true})
    );
    // One audience is a string, not an array.
    let token = sign_token(&["--secret", SECRET32, "--aud", "api"]);
    let decoded = stdout_json(&ok(&["jwt", "decode", "--json", &token], ""));
    assert_eq!(decoded["payload"]["aud"], "api");
}

#[test]
fn jwt_sign_reads_claims_from_a_file_or_stdin_and_refuses_non_objects() {
    let dir = Dir::new();
    let claims = dir.write("claims.json", r#"{"scope":"read"}"#);
    let token = sign_token(&["--secret", SECRET32, "--claims", &format!("@{claims}")]);
    let decoded = stdout_json(&ok(&["jwt", "decode", "--json", &token], ""));
    assert_eq!(decoded["payload"]["scope"], "read");
    let out = ok(
        &["jwt", "sign", "--secret", SECRET32, "--claims", "@-"],
        r#"{"scope":"write"}"#,
    );
    let decoded = stdout_json(&ok(&["jwt", "decode", "--json", &line(&out)], ""));
    assert_eq!(decoded["payload"]["scope"], "write");
    usage(
        &["jwt", "sign", "--secret", SECRET32, "--claims", "[1,2]"],
        "ERR_CLI_USAGE",
    );
    usage(
        &["jwt", "sign", "--secret", SECRET32, "--claims", "{nope"],
        "ERR_CLI_USAGE",
    );
    let missing = dir.path("missing.json");
    usage(
        &["jwt", "sign", "--secret", SECRET32, "--claims", &format!("@{missing}")],
        "ERR_CLI_IO",
    );
}

#[test]
fn jwt_sign_refuses_bad_spans_public_keys_and_unknown_algorithms_with_exit_2() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &[]);
    let public = dir.write("pub.jwk", stdout(&ok(&["jwk", "public", &key], "")));
    usage(&["jwt", "sign", "--key", &key, "--exp", "15 parsecs"], "ERR_CLI_USAGE");
    usage(&["jwt", "sign", "--key", &key, "--nbf", ""], "ERR_CLI_USAGE");
    usage(&["jwt", "sign", "--key", &public], "ERR_JOSE_INVALID_KEY_USE");
    usage(
        &["jwt", "sign", "--key", &key, "--alg", "ES999"],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    usage(
        &["jwt", "sign", "--key", &key, "--alg", "none"],
        "ERR_JOSE_NOT_SUPPORTED",
    )
    .stderr(predicate::str::contains("never"));
    usage(
        &["jwt", "sign", "--key", &key, "--alg", "ES384"],
        "ERR_JOSE_INVALID_KEY_USE",
    );
    usage(&["jwt", "sign", "--secret", "short"], "ERR_JOSE_INVALID_KEY_USE");
    usage(
        &[
            "jwt",
            "sign",
            "--key",
            &key,
            "--header",
            r#"{"alg":"HS256"}"#,
            "--alg",
            "ES256",
        ],
        "ERR_CLI_USAGE",
    );
}

#[test]
fn jwt_verify_refuses_a_wrong_key_or_a_tampered_token_with_exit_1() {
    let token = sign_token(&["--secret", SECRET32, "--sub", "s"]);
    refused(
        &[
            "jwt",
            "verify",
            "--secret",
            "another secret of thirty-two bytes!",
            &token,
        ],
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    );
    let mut tampered = token.clone().into_bytes();
    let last = tampered.len() - 2;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ASCII");
    refused(
        &["jwt", "verify", "--secret", SECRET32, &tampered],
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    );
}

#[test]
fn jwt_verify_reports_an_expired_token_and_clock_tolerance_forgives_a_little() {
    let expired = sign_token(&["--secret", SECRET32, "--exp", "1h ago"]);
    refused(&["jwt", "verify", "--secret", SECRET32, &expired], "ERR_JWT_EXPIRED")
        .stderr(predicate::str::contains("\"exp\""));
    let just_expired = sign_token(&["--secret", SECRET32, "--exp", "-30s"]);
    refused(
        &["jwt", "verify", "--secret", SECRET32, &just_expired],
        "ERR_JWT_EXPIRED",
    );
    ok(
        &[
            "jwt",
            "verify",
            "--secret",
            SECRET32,
            "--clock-tolerance",
            "5m",
            &just_expired,
        ],
        "",
    );
    let not_yet = sign_token(&["--secret", SECRET32, "--nbf", "1h"]);
    refused(
        &["jwt", "verify", "--secret", SECRET32, &not_yet],
        "ERR_JWT_CLAIM_VALIDATION_FAILED",
    )
    .stderr(predicate::str::contains("nbf"));
    usage(
        &[
            "jwt",
            "verify",
            "--secret",
            SECRET32,
            "--clock-tolerance",
            "-1m",
            &not_yet,
        ],
        "ERR_CLI_USAGE",
    );
}

#[test]
fn jwt_verify_checks_issuer_audience_subject_typ_required_claims_and_max_age() {
    let token = sign_token(&[
        "--secret",
        SECRET32,
        "--iss",
        "https://a.example",
        "--aud",
        "api",
        "--sub",
        "alice",
        "--typ",
        "at+jwt",
        "--iat",
    ]);
    // The token names an audience: each check is run with `--aud api`
    // unless it is about the audience.
    let run = |extra: &[&str]| {
        let mut args = vec!["jwt", "verify", "--secret", SECRET32];
        if !extra.iter().any(|arg| arg.contains("aud")) {
            args.extend_from_slice(&["--aud", "api"]);
        }
        args.extend_from_slice(extra);
        args.push(&token);
        rjose(&args, "")
    };
    let passing = [
        &["--iss", "https://b.example", "--iss", "https://a.example"][..],
        &["--aud", "api"],
        &["--aud", "other", "--aud", "api"],
        &["--allow-any-audience"],
        &["--sub", "alice"],
        &["--typ", "application/at+JWT"],
        &["--require", "iat", "--require", "sub"],
        &["--max-age", "1h"],
    ];
    for extra in passing {
        run(extra).success();
    }
    let failing = [
        (&["--iss", "https://b.example"][..], "iss"),
        (&["--aud", "web"], "aud"),
        (&["--allow-any-audience", "--aud", "web"], "aud"),
        (&["--sub", "bob"], "sub"),
        (&["--typ", "JWT"], "typ"),
        (&["--require", "jti"], "jti"),
    ];
    for (extra, claim) in failing {
        run(extra)
            .code(1)
            .stderr(predicate::str::starts_with("ERR_JWT_CLAIM_VALIDATION_FAILED: "))
            .stderr(predicate::str::contains(format!("\"{claim}\"")));
    }
    // Without --aud, a token that names an audience is refused.
    refused(
        &["jwt", "verify", "--secret", SECRET32, &token],
        "ERR_JWT_CLAIM_VALIDATION_FAILED",
    )
    .stderr(predicate::str::contains(
        "the token names an audience but none is configured",
    ));
    let old = sign_token(&["--secret", SECRET32, "--claims", r#"{"iat":1000}"#]);
    refused(
        &["jwt", "verify", "--secret", SECRET32, "--max-age", "1h", &old],
        "ERR_JWT_EXPIRED",
    );
    usage(
        &["jwt", "verify", "--secret", SECRET32, "--max-age", "soon", &old],
        "ERR_CLI_USAGE",
    );
}

#[test]
fn jwt_verify_and_decrypt_refuse_a_token_without_exp_unless_allow_missing_exp() {
    let signed = line(&ok(&["jwt", "sign", "--secret", SECRET32, "--sub", "forever"], ""));
    let encrypted = line(&ok(
        &[
            "jwt", "encrypt", "--secret", SECRET32, "--alg", "A256KW", "--enc", "A256GCM", "--sub", "forever",
        ],
        "",
    ));
    for (command, token) in [("verify", &signed), ("decrypt", &encrypted)] {
        refused(
            &["jwt", command, "--secret", SECRET32, token],
            "ERR_JWT_CLAIM_VALIDATION_FAILED",
        )
        .stderr(predicate::str::contains("\"exp\" claim missing"))
        .stderr(predicate::str::contains("from the command line: --allow-missing-exp"));
        let out = ok(
            &["jwt", command, "--secret", SECRET32, "--allow-missing-exp", token],
            "",
        );
        assert_eq!(stdout_json(&out)["payload"]["sub"], "forever");
    }
}

#[test]
fn jwt_decrypt_refuses_an_audience_unless_named_or_allow_any_audience() {
    let token = line(&ok(
        &[
            "jwt", "encrypt", "--secret", SECRET32, "--alg", "A256KW", "--enc", "A256GCM", "--aud", "api", "--exp",
            "1h",
        ],
        "",
    ));
    refused(
        &["jwt", "decrypt", "--secret", SECRET32, &token],
        "ERR_JWT_CLAIM_VALIDATION_FAILED",
    )
    .stderr(predicate::str::contains("\"aud\""))
    .stderr(predicate::str::contains("--aud AUDIENCE, or --allow-any-audience"));
    ok(&["jwt", "decrypt", "--secret", SECRET32, "--aud", "api", &token], "");
    ok(
        &["jwt", "decrypt", "--secret", SECRET32, "--allow-any-audience", &token],
        "",
    );
}

#[test]
fn jwt_verify_help_explains_the_claim_opt_outs() {
    let help = stdout(&ok(&["jwt", "verify", "--help"], ""));
    assert!(
        help.contains("--allow-missing-exp") && help.contains("never expires"),
        "{help}"
    );
    assert!(
        help.contains("--allow-any-audience") && help.contains("RFC 7519"),
        "{help}"
    );
}

#[test]
fn jwt_verify_without_alg_accepts_only_the_algorithms_of_the_key() {
    let dir = Dir::new();
    let hs384 = sign_token(&["--secret", SECRET64, "--alg", "HS384"]);
    // The 64-byte secret serves HS384; a 32-byte one does not.
    ok(&["jwt", "verify", "--secret", SECRET64, &hs384], "");
    refused(
        &["jwt", "verify", "--secret", SECRET64, "--alg", "HS256", &hs384],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    // An EC key refuses an HMAC token: the token is refused, not the key.
    let ec = dir.generate("ec.jwk", "ES256", &[]);
    refused(&["jwt", "verify", "--key", &ec, &hs384], "ERR_JOSE_ALG_NOT_ALLOWED");
    // A key restricted by its JWK "alg" accepts that algorithm only.
    let restricted = dir.write("hs.jwk", json!({"kty": "oct", "alg": "HS512", "k": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZg"}).to_string());
    refused(
        &["jwt", "verify", "--key", &restricted, &hs384],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    let hs512 = sign_token(&["--key", &restricted]);
    ok(&["jwt", "verify", "--secret", SECRET64, &hs512], "");
    // --alg the key cannot serve at all is a usage error.
    usage(
        &["jwt", "verify", "--key", &ec, "--alg", "RS256", &hs384],
        "ERR_JOSE_INVALID_KEY_USE",
    );
    // A secret too short for any HMAC.
    usage(
        &["jwt", "verify", "--secret", "short", &hs384],
        "ERR_JOSE_INVALID_KEY_USE",
    );
}

#[test]
fn alg_none_is_never_accepted() {
    // {"alg":"none"} . {"sub":"x"} . (no signature)
    let unsecured = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
    refused(
        &["jwt", "verify", "--secret", SECRET32, unsecured],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    refused(
        &["jws", "verify", "--secret", SECRET32, unsecured],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    usage(
        &["jwt", "verify", "--secret", SECRET32, "--alg", "none", unsecured],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    fails(
        &["jws", "sign", "--secret", SECRET32, "--alg", "none"],
        "x",
        2,
        "ERR_JOSE_NOT_SUPPORTED",
    );
}

#[test]
fn tokens_come_from_an_argument_or_stdin_with_surrounding_whitespace_ignored() {
    let token = sign_token(&["--secret", SECRET32, "--sub", "w"]);
    ok(&["jwt", "verify", "--secret", SECRET32, &token], "");
    ok(&["jwt", "verify", "--secret", SECRET32, "-"], format!("{token}\n"));
    ok(&["jwt", "verify", "--secret", SECRET32], format!("\n  {token} \r\n\n"));
    ok(&["jwt", "verify", "--secret", SECRET32, &format!(" {token}\n")], "");
    ok(&["jwt", "decode", "--json"], format!("{token}\n"));
}

#[test]
fn tokens_pasted_with_a_bearer_prefix_or_quotes_or_as_a_file_name_are_usage_errors_with_a_hint() {
    let token = sign_token(&["--secret", SECRET32, "--sub", "p", "--exp", "1h"]);
    for (pasted, prefix) in [
        (format!("Bearer {token}"), "Bearer "),
        (format!("bearer {token}"), "bearer "),
        (format!("Authorization: Bearer {token}"), "Authorization: Bearer "),
        (format!("DPoP {token}"), "DPoP "),
    ] {
        let hint = format!("remove the `{prefix}` prefix");
        usage(&["jwt", "verify", "--secret", SECRET32, &pasted], "ERR_CLI_USAGE")
            .stderr(predicate::str::contains(hint.as_str()));
        fails(
            &["jwt", "verify", "--secret", SECRET32],
            format!("{pasted}\n"),
            2,
            "ERR_CLI_USAGE",
        )
        .stderr(predicate::str::contains(hint.as_str()));
        usage(&["jwt", "decode", &pasted], "ERR_CLI_USAGE").stderr(predicate::str::contains(hint.as_str()));
        usage(&["jws", "verify", "--secret", SECRET32, &pasted], "ERR_CLI_USAGE")
            .stderr(predicate::str::contains(hint.as_str()));
    }
    for quoted in [format!("\"{token}\""), format!("'{token}'")] {
        usage(&["jwt", "verify", "--secret", SECRET32, &quoted], "ERR_CLI_USAGE")
            .stderr(predicate::str::contains("remove the quotes"));
    }
    // A file name where the token goes: the help once showed
    // `rjose jws verify --key key.jwk --payload file detached.jws`.
    let dir = Dir::new();
    let file = dir.write("token.jwt", &token);
    for args in [
        &["jwt", "verify", "--secret", SECRET32, file.as_str()][..],
        &[
            "jws",
            "verify",
            "--secret",
            SECRET32,
            "--payload",
            file.as_str(),
            file.as_str(),
        ][..],
        &["jwt", "decode", file.as_str()][..],
    ] {
        usage(args, "ERR_CLI_USAGE").stderr(predicate::str::contains("is a file; pass the file on stdin: <"));
    }
    // A line break inside is a malformed token (1), with a hint.
    let (head, tail) = token.split_at(30);
    refused(
        &["jwt", "verify", "--secret", SECRET32, &format!("{head}\n{tail}")],
        "ERR_JWT_INVALID",
    )
    .stderr(predicate::str::contains("whitespace (a line break?)"));
}

#[test]
fn truncated_tokens_are_refused_with_exit_1() {
    let token = sign_token(&["--secret", SECRET32, "--sub", "t", "--exp", "1h"]);
    for cut in [
        1,
        10,
        token.find('.').unwrap_or(5),
        token.len() / 2,
        token.rfind('.').unwrap_or(5) + 1,
        token.len() - 1,
    ] {
        let truncated = &token[..cut];
        let out = rjose(&["jwt", "verify", "--secret", SECRET32, truncated], "").code(1);
        let err = stderr(&out);
        assert!(
            err.starts_with("ERR_JWS_") || err.starts_with("ERR_JWT_INVALID"),
            "{cut}: {err}"
        );
        rjose(&["jws", "verify", "--secret", SECRET32, truncated], "").code(1);
        // Decoding checks no signature: only a token cut before it fails.
        if cut <= token.rfind('.').unwrap_or(0) {
            rjose(&["jwt", "decode", "--json", truncated], "")
                .code(1)
                .stderr(predicate::str::starts_with("ERR_JW"));
        }
    }
    let jwe = line(&ok(
        &[
            "jwe", "encrypt", "--secret", SECRET32, "--alg", "dir", "--enc", "A256GCM",
        ],
        "hi",
    ));
    for cut in [3, jwe.len() / 2, jwe.len() - 1] {
        let out = rjose(&["jwe", "decrypt", "--secret", SECRET32, &jwe[..cut]], "").code(1);
        assert!(stderr(&out).starts_with("ERR_JWE_"), "{}", stderr(&out));
    }
}

#[test]
fn binary_garbage_on_stdin_is_a_malformed_token_with_exit_1() {
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let dir = Dir::new();
    let ec = dir.generate("ec.jwk", "ES256", &[]);
    fails(&["jwt", "verify", "--key", &ec], garbage.clone(), 1, "ERR_JWT_INVALID");
    fails(&["jwt", "decode"], garbage.clone(), 1, "ERR_JWT_INVALID");
    fails(
        &["jwt", "decrypt", "--secret", SECRET32],
        garbage.clone(),
        1,
        "ERR_JWT_INVALID",
    );
    fails(&["jws", "verify", "--key", &ec], garbage.clone(), 1, "ERR_JWS_INVALID");
    fails(
        &["jwe", "decrypt", "--secret", SECRET32],
        garbage.clone(),
        1,
        "ERR_JWE_INVALID",
    );
    // ASCII garbage, and JSON that is not a serialization.
    fails(
        &["jwt", "verify", "--key", &ec],
        "not a token at all",
        1,
        "ERR_JWS_INVALID",
    );
    fails(&["jwt", "decode"], "a.b", 1, "ERR_JWT_INVALID");
    fails(
        &["jws", "verify", "--key", &ec],
        "{\"payload\":1}",
        1,
        "ERR_JWS_INVALID",
    );
    fails(
        &["jwe", "decrypt", "--secret", SECRET32],
        "{\"x\":",
        1,
        "ERR_JWE_INVALID",
    );
}

#[test]
fn empty_input_is_a_usage_error_with_exit_2() {
    let dir = Dir::new();
    let ec = dir.generate("ec.jwk", "ES256", &[]);
    for input in ["", "\n", "  \r\n\t"] {
        fails(&["jwt", "verify", "--key", &ec], input, 2, "ERR_CLI_USAGE");
        fails(&["jwt", "decode"], input, 2, "ERR_CLI_USAGE");
        fails(&["jwt", "decrypt", "--secret", SECRET32], input, 2, "ERR_CLI_USAGE");
        fails(&["jws", "verify", "--key", &ec], input, 2, "ERR_CLI_USAGE");
        fails(&["jwe", "decrypt", "--secret", SECRET32], input, 2, "ERR_CLI_USAGE");
        fails(&["jwk", "public"], input, 2, "ERR_JWK_INVALID");
    }
    usage(&["jwt", "verify", "--key", &ec, ""], "ERR_CLI_USAGE");
}

#[test]
fn broken_key_files_are_usage_errors_with_exit_2() {
    let dir = Dir::new();
    let token = sign_token(&["--secret", SECRET32]);
    let cases = [
        ("empty", &b""[..], "ERR_JWK_INVALID"),
        ("garbage", b"\x00\x9f\x92\x96 binary \xff", "ERR_JWK_INVALID"),
        ("text", b"just some words", "ERR_JWK_INVALID"),
        (
            "truncated.json",
            br#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2"#,
            "ERR_JWK_INVALID",
        ),
        (
            "bad-point.jwk",
            br#"{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}"#,
            "ERR_JWK_INVALID",
        ),
        ("no-kty.jwk", br#"{"k":"c2VjcmV0"}"#, "ERR_JWK_INVALID"),
        ("unknown-kty.jwk", br#"{"kty":"XYZ"}"#, "ERR_JOSE_NOT_SUPPORTED"),
        ("array.json", b"[1,2,3]", "ERR_JWK_INVALID"),
        (
            "pem-garbage.pem",
            b"-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----\n",
            "ERR_JWK_INVALID",
        ),
        (
            "pem-truncated.pem",
            b"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEH\n",
            "ERR_JWK_INVALID",
        ),
        ("empty-set.json", br#"{"keys":[]}"#, "ERR_JWKS_INVALID"),
        ("useless-set.json", br#"{"keys":[{"kty":"nope"}]}"#, "ERR_JWKS_INVALID"),
        ("bad-set.json", br#"{"keys":{}}"#, "ERR_JWKS_INVALID"),
        // Repeated members: which value counts would be a guess.
        (
            "twice-k.jwk",
            br#"{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA","k":"b3RoZXI"}"#,
            "ERR_JWK_INVALID",
        ),
        (
            "twice-k-in-set.json",
            br#"{"keys":[{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA","k":"b3RoZXI"}]}"#,
            "ERR_JWKS_INVALID",
        ),
    ];
    for (name, content, code) in cases {
        let path = dir.write(name, content);
        usage(&["jwt", "verify", "--key", &path, &token], code);
        usage(&["jwt", "sign", "--key", &path], code);
        usage(&["jwk", "thumbprint", &path], code);
    }
    usage(
        &["jwt", "verify", "--jwks", &dir.write("j.json", "{"), &token],
        "ERR_JWK_INVALID",
    );
    usage(
        &["jwt", "verify", "--key", &dir.path("missing.jwk"), &token],
        "ERR_CLI_IO",
    )
    .stderr(predicate::str::contains("missing.jwk"));
    usage(&["jwt", "verify", "--key", "-", &token], "ERR_JWK_INVALID");
    usage(
        &["jwt", "verify", "--key", &fixture("rsa1024.pkcs8.pem"), &token],
        "ERR_JWK_INVALID",
    )
    .stderr(predicate::str::contains("2048"));
    usage(
        &[
            "jwt",
            "verify",
            "--key",
            &fixture("ec-p256.enc-aes256-sha256.pem"),
            &token,
        ],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    usage(
        &["jwt", "verify", "--secret-b64", "not+base64/url", &token],
        "ERR_JWK_INVALID",
    );
    usage(&["jwt", "verify", "--secret", "", &token], "ERR_CLI_USAGE");
    usage(
        &["jwt", "verify", "--secret-file", &dir.write("empty-secret", ""), &token],
        "ERR_CLI_USAGE",
    );
}

#[test]
fn pem_keys_of_every_label_sign_and_verify() {
    // RSA PRIVATE KEY signs; RSA PUBLIC KEY, PUBLIC KEY, CERTIFICATE and PRIVATE KEY verify.
    let token = sign_token(&["--key", &fixture("rsa2048.pkcs1.pem"), "--alg", "RS256", "--sub", "pem"]);
    for public in [
        "rsa2048.pkcs1-pub.pem",
        "rsa2048.spki.pem",
        "rsa2048.cert.pem",
        "rsa2048.pkcs8.pem",
    ] {
        let verified = stdout_json(&ok(&["jwt", "verify", "--key", &fixture(public), &token], ""));
        assert_eq!(verified["payload"]["sub"], "pem", "{public}");
    }
    // EC PRIVATE KEY (after its EC PARAMETERS block) signs; the alg comes from the curve.
    let token = sign_token(&["--key", &fixture("ec-p256.sec1.pem")]);
    for public in ["ec-p256.spki.pem", "ec-p256.cert.pem", "ec-p256.pkcs8.pem"] {
        ok(
            &["jwt", "verify", "--key", &fixture(public), "--alg", "ES256", &token],
            "",
        );
    }
    // The same key through stdin.
    let pem = std::fs::read(fixture("ec-p256.spki.pem")).expect("fixture");
    ok(&["jwt", "verify", "--key", "-", &token], pem);
}

#[test]
fn jwks_files_select_the_verification_key_by_kid() {
    let dir = Dir::new();
    let a = dir.generate("a.jwk", "ES256", &["--kid", "a"]);
    let b = dir.generate("b.jwk", "ES256", &["--kid", "b"]);
    let other = dir.generate("c.jwk", "ES256", &["--kid", "c"]);
    let set = dir.write("jwks.json", stdout(&ok(&["jwks", "create", &a, &b], "")));
    for (key, kid) in [(&a, "a"), (&b, "b")] {
        let token = sign_token(&["--key", key]);
        let verified = stdout_json(&ok(&["jwt", "verify", "--jwks", &set, &token], ""));
        assert_eq!(verified["protectedHeader"]["kid"], kid);
        // A JWK Set given with --key works the same.
        ok(&["jwt", "verify", "--key", &set, &token], "");
    }
    let unknown = sign_token(&["--key", &other]);
    refused(&["jwt", "verify", "--jwks", &set, &unknown], "ERR_JWKS_NO_MATCHING_KEY");
    let no_kid = sign_token(&["--key", &fixture("ec-p256.pkcs8.pem")]);
    refused(
        &["jwt", "verify", "--jwks", &set, &no_kid],
        "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
    );
    refused(
        &["jwt", "verify", "--jwks", &set, "--alg", "ES384", &unknown],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    // A single key file is a set of one.
    ok(&["jwt", "verify", "--jwks", &other, &unknown], "");
}

#[test]
fn a_jwks_file_never_yields_a_secret_but_the_same_set_given_as_key_does() {
    let dir = Dir::new();
    // SECRET32, base64url.
    let secret = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY";
    let set = dir.write(
        "secrets.json",
        json!({"keys": [{"kty": "oct", "kid": "s", "k": secret}]}).to_string(),
    );
    let token = sign_token(&["--secret", SECRET32, "--kid", "s"]);
    refused(&["jwt", "verify", "--jwks", &set, &token], "ERR_JOSE_INVALID_KEY_USE")
        .stderr(predicate::str::contains("allow_symmetric"));
    ok(&["jwt", "verify", "--key", &set, &token], "");
}

#[test]
fn a_jwks_file_signs_with_the_key_named_by_kid() {
    let dir = Dir::new();
    let a = dir.generate("a.jwk", "ES256", &["--kid", "a"]);
    let b = dir.generate("b.jwk", "ES384", &["--kid", "b"]);
    let private_set = json!({"keys": [
        serde_json::from_str::<Value>(&std::fs::read_to_string(&a).expect("a")).expect("json"),
        serde_json::from_str::<Value>(&std::fs::read_to_string(&b).expect("b")).expect("json"),
    ]});
    let set = dir.write("private-set.json", private_set.to_string());
    let token = sign_token(&["--key", &set, "--kid", "b"]);
    let verified = stdout_json(&ok(&["jwt", "verify", "--key", &b, &token], ""));
    assert_eq!(verified["protectedHeader"], json!({"alg": "ES384", "kid": "b"}));
    let token = sign_token(&["--key", &set, "--alg", "ES256"]);
    ok(&["jwt", "verify", "--key", &a, &token], "");
    usage(&["jwt", "sign", "--key", &set], "ERR_JWKS_MULTIPLE_MATCHING_KEYS");
    usage(
        &["jwt", "sign", "--key", &set, "--kid", "zzz"],
        "ERR_JWKS_NO_MATCHING_KEY",
    );
    let public_set = dir.write("public-set.json", stdout(&ok(&["jwks", "create", &a, &b], "")));
    usage(
        &["jwt", "sign", "--key", &public_set, "--kid", "a"],
        "ERR_JWKS_NO_MATCHING_KEY",
    );
}

#[test]
fn remote_jwks_urls_are_fetched_and_plain_http_only_to_loopback() {
    let token = sign_token(&["--secret", SECRET32]);
    let dir = Dir::new();
    let key = dir.generate("remote.jwk", "ES256", &["--kid", "remote-1"]);
    let key_token = sign_token(&["--key", &key, "--sub", "remote"]);
    let jwks = stdout(&ok(&["jwks", "create", &key], ""));
    let url = serve_once(jwks);
    ok(&["jwt", "verify", "--jwks", &url, &key_token], "").stdout(predicate::str::contains("\"sub\":\"remote\""));
    usage(
        &["jwt", "verify", "--jwks", "http://127.0.0.1:1/jwks", &token],
        "ERR_JWKS_FETCH_FAILED",
    );
    usage(
        &["jwt", "verify", "--jwks", "http://issuer.example/jwks", &token],
        "ERR_CLI_USAGE",
    )
    .stderr(predicate::str::contains("loopback"));
    usage(
        &["jwt", "verify", "--jwks", "ftp://issuer.example/jwks", &token],
        "ERR_CLI_USAGE",
    );
}

#[test]
fn remote_jwks_failures_name_the_url_once_with_the_cause() {
    let token = sign_token(&["--secret", SECRET32, "--exp", "1h"]);
    let unreachable = "http://127.0.0.1:1/jwks";
    let missing = serve_once_with("404 Not Found", String::new());
    for (url, cause) in [
        (unreachable, "cannot connect: connection refused"),
        (missing.as_str(), "answered http 404"),
    ] {
        let failed = usage(&["jwt", "verify", "--jwks", url, &token], "ERR_JWKS_FETCH_FAILED");
        let message = stderr(&failed);
        let first = message.lines().next().unwrap_or_default();
        assert_eq!(first.matches(url).count(), 1, "{first}");
        assert!(first.to_lowercase().contains(cause), "{first}");
    }
}

#[test]
fn jwks_url_with_a_backslash_is_judged_on_the_host_that_would_be_fetched() {
    let dir = Dir::new();
    let key = dir.generate("remote.jwk", "ES256", &["--kid", "remote-1"]);
    let token = sign_token(&["--key", &key, "--sub", "remote"]);
    let url = serve_once(stdout(&ok(&["jwks", "create", &key], "")));
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/jwks.json");
    // The HTTP client reads `\` as `/`: the host is 0.0.0.0, not 127.0.0.1,
    // and plain http to it is refused before anything is fetched.
    let sneaky = format!("http://0.0.0.0:{port}\\@127.0.0.1/jwks.json");
    usage(&["jwt", "verify", "--jwks", &sneaky, &token], "ERR_CLI_USAGE")
        .stderr(predicate::str::contains("0.0.0.0 is not one"));
}

#[test]
fn jwks_urls_are_judged_on_their_parsed_host() {
    let dir = Dir::new();
    let key = dir.generate("remote.jwk", "ES256", &["--kid", "remote-1"]);
    let token = sign_token(&["--key", &key, "--sub", "remote"]);
    let url = serve_once(stdout(&ok(&["jwks", "create", &key], "")));
    let port = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/jwks.json");
    // 2130706433 is 127.0.0.1, for the check and for the client alike.
    let decimal = format!("http://2130706433:{port}/jwks.json");
    ok(&["jwt", "verify", "--jwks", &decimal, &token], "").stdout(predicate::str::contains("\"sub\":\"remote\""));
    for (refused, why) in [
        (format!("http://localhost.:{port}/jwks.json"), "localhost. is not one"),
        (
            format!("http://localhost%2eexample.com:{port}/jwks.json"),
            "localhost.example.com is not one",
        ),
        (
            format!("http://[::127.0.0.1]:{port}/jwks.json"),
            "[::7f00:1] is not one",
        ),
        (
            format!("http://evil.example\\@127.0.0.1:{port}/"),
            "evil.example is not one",
        ),
    ] {
        usage(&["jwt", "verify", "--jwks", &refused, &token], "ERR_CLI_USAGE").stderr(predicate::str::contains(why));
    }
    let with_password = format!("http://admin:hunter2@127.0.0.1:{port}/jwks.json");
    let refused = usage(&["jwt", "verify", "--jwks", &with_password, &token], "ERR_CLI_USAGE");
    let message = stderr(&refused);
    assert!(
        message.contains("carries credentials") && !message.contains("hunter2"),
        "{message}"
    );
}

/// Serves `body` as a JSON document to the first request on a loopback
/// port, and returns its URL.
fn serve_once(body: String) -> String {
    serve_once_with("200 OK", body)
}

/// Answers the first request on a loopback port with `status` (`404 Not
/// Found`) and `body` as JSON, and returns its URL.
fn serve_once_with(status: &'static str, body: String) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}/jwks.json", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let response = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    url
}

#[test]
fn secrets_and_passwords_are_never_echoed() {
    let secret = "do-not-print-this-secret-0123456789";
    let password = "do-not-print-this-password";
    let token = sign_token(&["--secret", SECRET32]);
    let runs = [
        rjose(&["jwt", "verify", "--secret", secret, &token], ""),
        rjose(&["jwt", "sign", "--secret", secret, "--alg", "HS512"], ""),
        rjose(&["jwt", "verify", "--secret-b64", secret, &token], ""),
        rjose(
            &[
                "jwe",
                "encrypt",
                "--password",
                password,
                "--alg",
                "dir",
                "--enc",
                "A128GCM",
            ],
            "x",
        ),
        rjose(&["jwt", "decrypt", "--password", password, &token], ""),
        rjose(&["jwt", "verify", "--secret", secret, "--key", "k.jwk", &token], ""),
        rjose(&["jwt", "verify", "--secret", secret, "--unknown-flag", &token], ""),
    ];
    for run in runs {
        let output = run.failure();
        let all = format!("{}{}", stdout(&output), stderr(&output));
        assert!(!all.contains(secret) && !all.contains(password), "{all}");
    }
}

// ------------------------------------------------------------ jwt decode

#[test]
fn jwt_decode_prints_payload_and_header_and_says_nothing_was_verified() {
    let token = line(&ok(
        &["jwt", "sign", "--secret", SECRET32, "--sub", "d", "--kid", "k"],
        "",
    ));
    let out = ok(&["jwt", "decode", "--json", &token], "").stderr(predicate::str::contains("nothing was verified"));
    assert_eq!(
        stdout_json(&out),
        json!({"payload": {"sub": "d"}, "protectedHeader": {"alg": "HS256", "kid": "k"}})
    );
    // Not a terminal: JSON by default.
    let out = ok(&["jwt", "decode"], token.clone());
    assert_eq!(stdout_json(&out)["payload"]["sub"], "d");
    // Decoding does not check anything: an expired token with a bogus signature decodes.
    let expired = sign_token(&["--secret", SECRET32, "--exp", "1d ago"]);
    let forged = format!("{}.AAAA", &expired[..expired.rfind('.').unwrap_or(0)]);
    ok(&["jwt", "decode", &forged], "");
}

#[test]
fn jwt_decode_human_shows_times_as_dates_and_relative_times() {
    let token = sign_token(&[
        "--secret", SECRET32, "--sub", "h", "--exp", "14.5m", "--nbf", "3d ago", "--iat",
    ]);
    let out = ok(&["jwt", "decode", "--human", &token], "");
    let text = stdout(&out);
    assert!(text.contains("(in 14m)"), "{text}");
    assert!(text.contains("(3d ago)"), "{text}");
    assert!(text.contains("Payload (not verified):"), "{text}");
    assert!(text.contains("sub  h"), "{text}");
    let exp_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("exp"))
        .unwrap_or_default();
    assert!(exp_line.contains('T') && exp_line.contains('Z'), "{exp_line}");
    rjose(&["jwt", "decode", "--human", "--json", &token], "").code(2);
}

#[test]
fn jwt_decode_of_an_encrypted_token_shows_its_header_only() {
    let jwe = line(&ok(
        &[
            "jwt", "encrypt", "--secret", SECRET32, "--alg", "dir", "--enc", "A256GCM", "--sub", "e",
        ],
        "",
    ));
    let out = ok(&["jwt", "decode", &jwe], "").stderr(predicate::str::contains("encrypted"));
    assert_eq!(
        stdout_json(&out),
        json!({"protectedHeader": {"alg": "dir", "enc": "A256GCM"}})
    );
}

// ------------------------------------------------------------ jwt encrypt / decrypt

#[test]
fn jwt_encrypt_and_decrypt_round_trip_with_every_kind_of_key() {
    let dir = Dir::new();
    let (rsa, _, _) = rsa_vector();
    let rsa = dir.write("rsa.jwk", rsa.to_string());
    let dir_key = dir.generate("dir.jwk", "A128CBC-HS256", &[]);
    let kw = dir.generate("kw.jwk", "A192KW", &["--kid", "wrap"]);
    let x25519 = dir.generate("x.jwk", "ECDH-ES", &["--crv", "X25519"]);
    let p521 = dir.generate("p521.jwk", "ECDH-ES+A256KW", &["--crv", "P-521"]);
    let cases = [
        (rsa.as_str(), "RSA-OAEP-256", "A256GCM"),
        (&dir_key, "dir", "A128CBC-HS256"),
        (&kw, "A192KW", "A192GCM"),
        (&x25519, "ECDH-ES", "A256GCM"),
        (&p521, "ECDH-ES+A256KW", "A256CBC-HS512"),
    ];
    for (key, alg, enc) in cases {
        let token = line(&ok(
            &[
                "jwt", "encrypt", "--key", key, "--alg", alg, "--enc", enc, "--sub", "e", "--exp", "1h", "--aud", "api",
            ],
            "",
        ));
        assert_eq!(token.split('.').count(), 5, "{alg}");
        let out = ok(&["jwt", "decrypt", "--key", key, "--aud", "api", &token], "");
        let decrypted = stdout_json(&out);
        assert_eq!(decrypted["payload"]["sub"], "e", "{alg}");
        assert_eq!(decrypted["protectedHeader"]["alg"], alg);
        assert_eq!(decrypted["protectedHeader"]["enc"], enc);
    }
    // The key's kid goes into the protected header.
    let token = line(&ok(
        &["jwt", "encrypt", "--key", &kw, "--alg", "A192KW", "--enc", "A128GCM"],
        "",
    ));
    let header = stdout_json(&ok(&["jwt", "decode", &token], ""));
    assert_eq!(header["protectedHeader"]["kid"], "wrap");
}

#[test]
fn jwt_decrypt_pbes2_needs_the_password_flag_and_the_right_password() {
    let token = line(&ok(
        &[
            "jwt",
            "encrypt",
            "--password",
            "hunter2",
            "--alg",
            "PBES2-HS256+A128KW",
            "--enc",
            "A128GCM",
            "--sub",
            "p",
            "--exp",
            "1h",
        ],
        "",
    ));
    let decrypted = stdout_json(&ok(&["jwt", "decrypt", "--password", "hunter2", &token], ""));
    assert_eq!(decrypted["payload"]["sub"], "p");
    refused(
        &["jwt", "decrypt", "--password", "hunter3", &token],
        "ERR_JWE_DECRYPTION_FAILED",
    );
    // The same bytes as a secret: PBES2 is not tried without --password.
    refused(
        &["jwt", "decrypt", "--secret", SECRET32, &token],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    usage(
        &[
            "jwt",
            "decrypt",
            "--secret",
            SECRET32,
            "--alg",
            "PBES2-HS256+A128KW",
            &token,
        ],
        "ERR_CLI_USAGE",
    );
    usage(
        &["jwt", "decrypt", "--password", "hunter2", "--alg", "dir", &token],
        "ERR_CLI_USAGE",
    );
    usage(
        &[
            "jwt",
            "encrypt",
            "--password",
            "hunter2",
            "--alg",
            "A128KW",
            "--enc",
            "A128GCM",
        ],
        "ERR_CLI_USAGE",
    );
    usage(
        &[
            "jwt",
            "encrypt",
            "--secret",
            SECRET32,
            "--alg",
            "PBES2-HS256+A128KW",
            "--enc",
            "A128GCM",
        ],
        "ERR_CLI_USAGE",
    );
    usage(&["jwt", "decrypt", "--password", "", &token], "ERR_CLI_USAGE");
}

#[test]
fn jwt_decrypt_checks_claims_and_the_allowed_algorithms() {
    let expired = line(&ok(
        &[
            "jwt", "encrypt", "--secret", SECRET32, "--alg", "A256KW", "--enc", "A256GCM", "--exp", "2d ago",
        ],
        "",
    ));
    refused(&["jwt", "decrypt", "--secret", SECRET32, &expired], "ERR_JWT_EXPIRED");
    let token = line(&ok(
        &[
            "jwt", "encrypt", "--secret", SECRET32, "--alg", "A256KW", "--enc", "A256GCM", "--iss", "me", "--exp", "1h",
        ],
        "",
    ));
    ok(
        &[
            "jwt", "decrypt", "--secret", SECRET32, "--iss", "me", "--alg", "A256KW", "--enc", "A256GCM", &token,
        ],
        "",
    );
    refused(
        &["jwt", "decrypt", "--secret", SECRET32, "--iss", "you", &token],
        "ERR_JWT_CLAIM_VALIDATION_FAILED",
    );
    refused(
        &["jwt", "decrypt", "--secret", SECRET32, "--enc", "A128GCM", &token],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    refused(
        &["jwt", "decrypt", "--secret", SECRET32, "--alg", "A256GCMKW", &token],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    usage(
        &["jwt", "decrypt", "--secret", SECRET32, "--alg", "HS256", &token],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    usage(
        &[
            "jwt", "encrypt", "--secret", SECRET32, "--alg", "A256KW", "--enc", "A999",
        ],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    // A 16-byte secret cannot unwrap a 256-bit key wrap: its algorithms are A128KW, A128GCMKW and dir.
    refused(
        &["jwt", "decrypt", "--secret", "0123456789abcdef", &token],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    usage(
        &["jwt", "decrypt", "--secret", "seven b", &token],
        "ERR_JOSE_INVALID_KEY_USE",
    );
}

// ------------------------------------------------------------ jwe

#[test]
fn jwe_round_trips_binary_plaintext_in_every_serialization() {
    let dir = Dir::new();
    let key = dir.generate("e.jwk", "ECDH-ES+A128KW", &["--crv", "P-256", "--kid", "enc-1"]);
    let public = dir.write("e.pub", stdout(&ok(&["jwk", "public", &key], "")));
    let plaintext: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    for format in [None, Some("--json"), Some("--general")] {
        let mut args = vec![
            "jwe",
            "encrypt",
            "--key",
            &public,
            "--alg",
            "ECDH-ES+A128KW",
            "--enc",
            "A256GCM",
        ];
        args.extend(format);
        let jwe = stdout(&ok(&args, plaintext.clone()));
        if format.is_some() {
            let parsed: Value = serde_json::from_str(&jwe).expect("JSON serialization");
            assert!(parsed["ciphertext"].is_string(), "{format:?}");
        }
        let out = ok(&["jwe", "decrypt", "--key", &key], jwe.clone());
        assert_eq!(out.get_output().stdout, plaintext, "{format:?}");
        ok(
            &[
                "jwe",
                "decrypt",
                "--key",
                &key,
                "--alg",
                "ECDH-ES+A128KW",
                "--enc",
                "A256GCM",
                jwe.trim(),
            ],
            "",
        );
    }
    // An empty plaintext is a valid message.
    let jwe = stdout(&ok(
        &[
            "jwe",
            "encrypt",
            "--key",
            &public,
            "--alg",
            "ECDH-ES+A128KW",
            "--enc",
            "A128GCM",
        ],
        "",
    ));
    let out = ok(&["jwe", "decrypt", "--key", &key], jwe);
    assert!(out.get_output().stdout.is_empty());
}

#[test]
fn jwe_decrypt_refuses_tampering_and_public_keys() {
    let dir = Dir::new();
    let key = dir.generate("x.jwk", "ECDH-ES", &["--crv", "X25519"]);
    let public = dir.write("x.pub", stdout(&ok(&["jwk", "public", &key], "")));
    let jwe = line(&ok(
        &[
            "jwe", "encrypt", "--key", &public, "--alg", "ECDH-ES", "--enc", "A128GCM",
        ],
        "attack at dawn",
    ));
    let mut parts: Vec<String> = jwe.split('.').map(str::to_owned).collect();
    let flipped = if parts[3].ends_with('A') { 'B' } else { 'A' };
    parts[3] = format!("{}{flipped}", &parts[3][..parts[3].len() - 1]);
    let tampered = parts.join(".");
    let out = rjose(&["jwe", "decrypt", "--key", &key, &tampered], "").code(1);
    assert!(stderr(&out).starts_with("ERR_JWE_"), "{}", stderr(&out));
    usage(&["jwe", "decrypt", "--key", &public, &jwe], "ERR_JOSE_INVALID_KEY_USE");
    let other = dir.generate("y.jwk", "ECDH-ES", &["--crv", "X25519"]);
    refused(&["jwe", "decrypt", "--key", &other, &jwe], "ERR_JWE_DECRYPTION_FAILED");
}

#[test]
fn rsa1_5_is_decrypted_only_when_named_with_alg() {
    let dir = Dir::new();
    let (key, token, plaintext) = rsa_vector();
    let key = dir.write("rsa.jwk", key.to_string());
    refused(&["jwe", "decrypt", "--key", &key, &token], "ERR_JOSE_ALG_NOT_ALLOWED")
        .stderr(predicate::str::contains("RSA1_5"));
    let out = ok(&["jwe", "decrypt", "--key", &key, "--alg", "RSA1_5", &token], "");
    assert_eq!(stdout(&out), plaintext);
    fails(
        &["jwe", "encrypt", "--key", &key, "--alg", "RSA1_5", "--enc", "A128GCM"],
        "x",
        2,
        "ERR_JOSE_NOT_SUPPORTED",
    );
}

#[test]
fn jwe_password_and_secret_modes_round_trip() {
    let out = ok(
        &[
            "jwe",
            "encrypt",
            "--password",
            "correct horse",
            "--alg",
            "PBES2-HS512+A256KW",
            "--enc",
            "A256GCM",
            "--json",
        ],
        "battery staple",
    );
    let jwe = stdout(&out);
    assert_eq!(
        stdout(&ok(&["jwe", "decrypt", "--password", "correct horse"], jwe.clone())),
        "battery staple"
    );
    fails(
        &["jwe", "decrypt", "--password", "wrong horse"],
        jwe,
        1,
        "ERR_JWE_DECRYPTION_FAILED",
    );
    let jwe = line(&ok(
        &[
            "jwe",
            "encrypt",
            "--secret",
            SECRET32,
            "--alg",
            "A256GCMKW",
            "--enc",
            "A128CBC-HS256",
        ],
        "s",
    ));
    assert_eq!(stdout(&ok(&["jwe", "decrypt", "--secret", SECRET32, &jwe], "")), "s");
}

// ------------------------------------------------------------ jws

#[test]
fn jws_round_trips_binary_payloads_in_every_serialization() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &["--kid", "sig-1"]);
    let payload: Vec<u8> = (0..=255u8).rev().cycle().take(10_000).collect();
    for format in [None, Some("--json"), Some("--general")] {
        let mut args = vec!["jws", "sign", "--key", &key, "--alg", "ES256"];
        args.extend(format);
        let jws = stdout(&ok(&args, payload.clone()));
        assert!(jws.ends_with('\n'));
        let out = ok(&["jws", "verify", "--key", &key], jws.clone());
        assert_eq!(out.get_output().stdout, payload, "{format:?}");
        if format.is_none() {
            let header = rjose::jwt::decode_protected_header(jws.trim()).expect("protected header");
            assert_eq!(header.kid(), Some("sig-1"));
            assert_eq!(header.alg_name(), Some("ES256"));
        }
    }
    let hs = line(&ok(&["jws", "sign", "--secret", SECRET32, "--alg", "HS256"], "text"));
    assert_eq!(
        stdout(&ok(&["jws", "verify", "--secret", SECRET32, "--alg", "HS256", &hs], "")),
        "text"
    );
    // A secret that can serve HS384 refuses an HS256 JWS when only HS384 is allowed (the JWS
    // is refused); a secret that cannot serve HS384 at all is the wrong key (usage).
    let hs_long = line(&ok(&["jws", "sign", "--secret", SECRET64, "--alg", "HS256"], "text"));
    refused(
        &["jws", "verify", "--secret", SECRET64, "--alg", "HS384", &hs_long],
        "ERR_JOSE_ALG_NOT_ALLOWED",
    );
    usage(
        &["jws", "verify", "--secret", SECRET32, "--alg", "HS384", &hs],
        "ERR_JOSE_INVALID_KEY_USE",
    );
    refused(
        &["jws", "verify", "--secret", "another secret of thirty-two bytes!", &hs],
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    );
}

#[test]
fn detached_jws_verifies_with_the_payload_flag() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &[]);
    let payload = dir.write("payload.bin", b"\x00detached payload\xff");
    for format in [None, Some("--json"), Some("--general")] {
        let mut args = vec!["jws", "sign", "--key", &key, "--alg", "ES256", "--detached"];
        args.extend(format);
        let jws = stdout(&ok(&args, std::fs::read(&payload).expect("payload")));
        let out = ok(&["jws", "verify", "--key", &key, "--payload", &payload], jws.clone());
        assert_eq!(out.get_output().stdout, b"\x00detached payload\xff", "{format:?}");
        let other = dir.write("other.bin", b"something else");
        rjose(&["jws", "verify", "--key", &key, "--payload", &other], jws.clone()).code(1);
        rjose(&["jws", "verify", "--key", &key], jws).code(1);
    }
    let compact = line(&ok(
        &["jws", "sign", "--key", &key, "--alg", "ES256", "--detached"],
        "p",
    ));
    assert!(compact.contains(".."));
    refused(
        &["jws", "verify", "--key", &key, &compact],
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    )
    .stderr(predicate::str::contains("--payload"));
    let attached = line(&ok(&["jws", "sign", "--key", &key, "--alg", "ES256", "--json"], "p"));
    refused(
        &["jws", "verify", "--key", &key, "--payload", &payload, &attached],
        "ERR_JWS_INVALID",
    );
    usage(&["jws", "verify", "--key", &key, "--payload", "-"], "ERR_CLI_USAGE");
}

#[test]
fn unencoded_payloads_follow_rfc7797() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &[]);
    let jws = line(&ok(
        &["jws", "sign", "--key", &key, "--alg", "ES256", "--unencoded"],
        "$02 & more",
    ));
    assert!(jws.contains(".$02 & more."), "{jws}");
    assert_eq!(stdout(&ok(&["jws", "verify", "--key", &key, &jws], "")), "$02 & more");
    // A '.' cannot travel in a compact unencoded payload: it must be detached or JSON.
    fails(
        &["jws", "sign", "--key", &key, "--alg", "ES256", "--unencoded"],
        "a.b",
        2,
        "ERR_JWS_INVALID",
    );
    let json = stdout(&ok(
        &["jws", "sign", "--key", &key, "--alg", "ES256", "--unencoded", "--json"],
        "a.b",
    ));
    assert_eq!(stdout(&ok(&["jws", "verify", "--key", &key], json)), "a.b");
    let detached = stdout(&ok(
        &[
            "jws",
            "sign",
            "--key",
            &key,
            "--alg",
            "ES256",
            "--unencoded",
            "--detached",
            "--general",
        ],
        "a.b",
    ));
    let payload = dir.write("p", "a.b");
    assert_eq!(
        stdout(&ok(&["jws", "verify", "--key", &key, "--payload", &payload], detached)),
        "a.b"
    );
    let compact = line(&ok(
        &[
            "jws",
            "sign",
            "--key",
            &key,
            "--alg",
            "ES256",
            "--unencoded",
            "--detached",
        ],
        "a.b",
    ));
    assert_eq!(
        stdout(&ok(
            &["jws", "verify", "--key", &key, "--payload", &payload, &compact],
            ""
        )),
        "a.b"
    );
}

#[test]
fn large_inputs_stream_through_stdin() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &[]);
    let enc = dir.generate("e.jwk", "A256GCM", &[]);
    let big: Vec<u8> = (0..8 * 1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let jws = stdout(&ok(&["jws", "sign", "--key", &key, "--alg", "ES256"], big.clone()));
    assert_eq!(ok(&["jws", "verify", "--key", &key], jws).get_output().stdout, big);
    let jwe = stdout(&ok(
        &["jwe", "encrypt", "--key", &enc, "--alg", "dir", "--enc", "A256GCM"],
        big.clone(),
    ));
    assert_eq!(ok(&["jwe", "decrypt", "--key", &enc], jwe).get_output().stdout, big);
}

/// The binary with stdin read from `/dev/zero`: an input without end.
fn jose_on_endless_stdin(args: &[&str]) -> Assert {
    use assert_cmd::assert::OutputAssertExt;
    let zero = std::fs::File::open("/dev/zero").expect("/dev/zero");
    std::process::Command::new(env!("CARGO_BIN_EXE_rjose"))
        .args(args)
        .stdin(zero)
        .output()
        .expect("the binary runs")
        .assert()
}

/// A file of `len` zero bytes that takes no disk space.
fn sparse_file(dir: &Dir, name: &str, len: u64) -> String {
    let path = dir.path(name);
    std::fs::File::create(&path)
        .and_then(|file| file.set_len(len))
        .expect("a sparse file");
    path
}

#[test]
fn key_secret_and_jwks_files_are_read_up_to_one_mib() {
    let token = sign_token(&["--secret", SECRET32]);
    for flag in ["--key", "--secret-file", "--jwks"] {
        usage(&["jwt", "verify", flag, "/dev/zero", &token], "ERR_CLI_IO").stderr(predicate::str::contains(
            "from \"/dev/zero\" is larger than the limit of 1 MiB",
        ));
    }
    jose_on_endless_stdin(&["jwt", "verify", "--key", "-", &token])
        .code(2)
        .stderr(predicate::str::starts_with(
            "ERR_CLI_IO: the key from stdin is larger than the limit of 1 MiB",
        ));
}

#[test]
fn endless_stdin_is_refused_at_the_input_limit() {
    jose_on_endless_stdin(&["jwt", "decode"])
        .code(2)
        .stderr(predicate::str::starts_with(
            "ERR_CLI_IO: the token from stdin is larger than the limit of 64 MiB; raise the limit with --max-input-size",
        ));
}

#[test]
fn files_larger_than_the_limit_are_refused_without_being_read() {
    let dir = Dir::new();
    // A terabyte: reading it, or even allocating room for it, would fail.
    let huge = sparse_file(&dir, "huge", 1 << 40);
    let key = dir.generate("k.jwk", "ES256", &[]);
    let jws = stdout(&ok(
        &["jws", "sign", "--key", &key, "--alg", "ES256", "--detached"],
        "x",
    ));
    let started = std::time::Instant::now();
    usage(&["jws", "verify", "--key", &huge, &jws], "ERR_CLI_IO")
        .stderr(predicate::str::contains("is larger than the limit of 1 MiB"));
    fails(
        &["jws", "verify", "--key", &key, "--payload", &huge, &jws],
        "",
        2,
        "ERR_CLI_IO",
    )
    .stderr(predicate::str::contains("is larger than the limit of 64 MiB"));
    usage(
        &["jwt", "sign", "--key", &key, "--claims", &format!("@{huge}")],
        "ERR_CLI_IO",
    )
    .stderr(predicate::str::contains("is larger than the limit of 64 MiB"));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn max_input_size_sets_the_limit_of_payloads_but_not_of_keys() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &[]);
    let payload = vec![b'p'; (2 << 20) + 1];
    fails(
        &["jws", "sign", "--key", &key, "--alg", "ES256", "--max-input-size", "2M"],
        payload.clone(),
        2,
        "ERR_CLI_IO",
    )
    .stderr(predicate::str::contains(
        "the payload from stdin is larger than the limit of 2 MiB",
    ));
    let jws = stdout(&ok(
        &["--max-input-size", "3M", "jws", "sign", "--key", &key, "--alg", "ES256"],
        payload.clone(),
    ));
    fails(
        &["jws", "verify", "--key", &key, "--max-input-size", "2M"],
        jws.clone(),
        2,
        "ERR_CLI_IO",
    );
    assert_eq!(
        ok(&["jws", "verify", "--key", &key, "--max-input-size", "4m"], jws)
            .get_output()
            .stdout,
        payload
    );
    let large_key = dir.write("large.jwk", vec![b' '; (1 << 20) + 1]);
    usage(&["jwk", "public", &large_key, "--max-input-size", "1G"], "ERR_CLI_IO")
        .stderr(predicate::str::contains("limit of 1 MiB"));
    for bad in ["0", "64MB", "lots", "99999999999G"] {
        usage(&["jwt", "decode", "--max-input-size", bad, "a.b.c"], "ERR_CLI_USAGE");
    }
}

#[test]
fn compressed_jwe_is_decrypted_only_with_allow_zip() {
    let dir = Dir::new();
    let enc = dir.generate("e.jwk", "A256GCM", &[]);
    // Claims on stdin: the large ones do not fit in an argument.
    let zipped = |claims: String| {
        line(&ok(
            &[
                "jwt",
                "encrypt",
                "--key",
                &enc,
                "--alg",
                "dir",
                "--enc",
                "A256GCM",
                "--header",
                r#"{"zip":"DEF"}"#,
                "--claims",
                "@-",
            ],
            claims,
        ))
    };
    let token = zipped(r#"{"sub":"alice","exp":4102444800}"#.to_owned());
    for command in ["jwt", "jwe"] {
        refused(&[command, "decrypt", "--key", &enc, &token], "ERR_JOSE_NOT_SUPPORTED")
            .stderr(predicate::str::contains("pass --allow-zip"));
    }
    let decrypted = stdout_json(&ok(&["jwt", "decrypt", "--key", &enc, "--allow-zip", &token], ""));
    assert_eq!(decrypted["payload"]["sub"], "alice");
    assert_eq!(decrypted["protectedHeader"]["zip"], "DEF");
    let plaintext = stdout(&ok(&["jwe", "decrypt", "--key", &enc, "--allow-zip", &token], ""));
    assert_eq!(
        serde_json::from_str::<Value>(&plaintext).expect("JSON claims")["sub"],
        "alice"
    );
    // Past the library's cap of 250,000 bytes, even with the flag.
    let bomb = zipped(json!({ "pad": "a".repeat(300_000) }).to_string());
    for command in ["jwt", "jwe"] {
        refused(
            &[command, "decrypt", "--key", &enc, "--allow-zip", &bomb],
            "ERR_JWE_INVALID",
        )
        .stderr(predicate::str::contains("exceeds 250000 bytes"));
    }
}

// ------------------------------------------------------------ jwk / jwks

#[test]
fn jwk_generate_makes_keys_for_every_kind_of_algorithm() {
    let cases: [(&[&str], &str, Option<&str>); 14] = [
        (&["ES256"], "EC", Some("P-256")),
        (&["ES384"], "EC", Some("P-384")),
        (&["ES512"], "EC", Some("P-521")),
        (&["ES256K"], "EC", Some("secp256k1")),
        (&["EdDSA"], "OKP", Some("Ed25519")),
        (&["Ed25519"], "OKP", Some("Ed25519")),
        (&["ML-DSA-44"], "AKP", None),
        (&["HS384"], "oct", None),
        (&["A128KW"], "oct", None),
        (&["A256GCMKW"], "oct", None),
        (&["A128CBC-HS256"], "oct", None),
        (&["ECDH-ES"], "EC", Some("P-256")),
        (&["ECDH-ES+A192KW", "--crv", "P-384"], "EC", Some("P-384")),
        (&["ECDH-ES", "--crv", "X25519"], "OKP", Some("X25519")),
    ];
    for (args, kty, crv) in cases {
        let mut all = vec!["jwk", "generate"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--kid", "g", "--use", "sig"]);
        let jwk = stdout_json(&ok(&all, ""));
        assert_eq!(jwk["kty"], kty, "{args:?}");
        assert_eq!(jwk["alg"], args[0], "{args:?}");
        assert_eq!(jwk["kid"], "g");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["crv"].as_str(), crv, "{args:?}");
        assert!(
            jwk["d"].is_string() || jwk["k"].is_string() || jwk["priv"].is_string(),
            "{args:?}"
        );
    }
    let hs512 = stdout_json(&ok(&["jwk", "generate", "HS512"], ""));
    assert_eq!(hs512["k"].as_str().map(str::len), Some(86)); // 64 bytes
    let dir = stdout_json(&ok(&["jwk", "generate", "A256CBC-HS512"], ""));
    assert_eq!(dir["k"].as_str().map(str::len), Some(86));
    // The one RSA key generated in these tests.
    let rsa = stdout_json(&ok(&["jwk", "generate", "RSA-OAEP-256", "--use", "enc"], ""));
    assert_eq!(rsa["kty"], "RSA");
    assert_eq!(rsa["n"].as_str().map(str::len), Some(342)); // 2048 bits
}

#[test]
fn jwk_generate_pem_format_is_pkcs8() {
    let dir = Dir::new();
    let out = ok(&["jwk", "generate", "ES384", "--format", "pem"], "");
    let pem = stdout(&out);
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"), "{pem}");
    assert!(pem.ends_with("-----END PRIVATE KEY-----\n"), "{pem}");
    let key = dir.write("k.pem", pem);
    let token = sign_token(&["--key", &key]);
    let verified = stdout_json(&ok(&["jwt", "verify", "--key", &key, &token], ""));
    assert_eq!(verified["protectedHeader"]["alg"], "ES384");
}

#[test]
fn jwk_generate_refuses_what_has_no_key_with_exit_2() {
    usage(&["jwk", "generate", "dir"], "ERR_CLI_USAGE").stderr(predicate::str::contains("A256GCM"));
    usage(&["jwk", "generate", "PBES2-HS256+A128KW"], "ERR_CLI_USAGE");
    usage(&["jwk", "generate", "none"], "ERR_JOSE_NOT_SUPPORTED");
    usage(&["jwk", "generate", "XS256"], "ERR_JOSE_NOT_SUPPORTED");
    usage(&["jwk", "generate", "HS256", "--format", "pem"], "ERR_CLI_USAGE");
    usage(&["jwk", "generate", "HS256", "--crv", "P-256"], "ERR_CLI_USAGE");
    usage(&["jwk", "generate", "ES256", "--bits", "4096"], "ERR_CLI_USAGE");
    usage(
        &["jwk", "generate", "ES256", "--crv", "P-384"],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    usage(
        &["jwk", "generate", "ECDH-ES", "--crv", "secp256k1"],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    usage(
        &["jwk", "generate", "ECDH-ES", "--crv", "P-999"],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    usage(
        &["jwk", "generate", "RS256", "--bits", "1024"],
        "ERR_JOSE_NOT_SUPPORTED",
    );
    usage(&["jwk", "generate", "ES256", "--use", "wrap"], "ERR_CLI_USAGE");
}

#[test]
fn jwk_public_strips_private_members() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &["--kid", "p"]);
    let public = stdout_json(&ok(&["jwk", "public", &key], ""));
    assert!(public.get("d").is_none());
    assert_eq!(public["kid"], "p");
    assert_eq!(public["kty"], "EC");
    // From stdin, and from PEM.
    let again = stdout_json(&ok(&["jwk", "public"], std::fs::read(&key).expect("key")));
    assert_eq!(again, public);
    let pem = stdout_json(&ok(&["jwk", "public", &fixture("rsa2048.pkcs1.pem")], ""));
    assert_eq!(pem["kty"], "RSA");
    assert!(pem.get("d").is_none() && pem.get("p").is_none());
    // A secret has no public part.
    let secret = dir.generate("s.jwk", "HS256", &[]);
    usage(&["jwk", "public", &secret], "ERR_JOSE_INVALID_KEY_USE");
    // A JWK Set gives a public JWK Set, its secrets left out.
    let set = json!({"keys": [
        serde_json::from_str::<Value>(&std::fs::read_to_string(&key).expect("key")).expect("json"),
        serde_json::from_str::<Value>(&std::fs::read_to_string(&secret).expect("secret")).expect("json"),
    ]});
    let set = dir.write("set.json", set.to_string());
    let out = ok(&["jwk", "public", &set], "").stderr(predicate::str::contains("left out"));
    let public_set = stdout_json(&out);
    assert_eq!(public_set["keys"].as_array().map(Vec::len), Some(1));
    assert!(public_set["keys"][0].get("d").is_none());
}

#[test]
fn jwk_thumbprint_follows_rfc7638_and_rfc9278() {
    let dir = Dir::new();
    // RFC 7638 section 3.1.
    let key = dir.write(
        "rfc7638.jwk",
        json!({"kty": "RSA", "e": "AQAB", "alg": "RS256", "kid": "2011-04-29",
            "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"})
            .to_string(),
    );
    assert_eq!(
        line(&ok(&["jwk", "thumbprint", &key], "")),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    assert_eq!(
        line(&ok(&["jwk", "thumbprint", "--uri"], std::fs::read(&key).expect("key"))),
        "urn:ietf:params:oauth:jwk-thumbprint:sha-256:NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
    let sha512 = line(&ok(&["jwk", "thumbprint", &key, "--digest", "sha512"], ""));
    assert_eq!(sha512.len(), 86);
    let sha384 = line(&ok(&["jwk", "thumbprint", &key, "--digest", "sha384", "--uri"], ""));
    assert!(sha384.starts_with("urn:ietf:params:oauth:jwk-thumbprint:sha-384:"));
    // A private key and its public key share a thumbprint, whatever the format.
    let a = line(&ok(&["jwk", "thumbprint", &fixture("rsa2048.pkcs1.pem")], ""));
    let b = line(&ok(&["jwk", "thumbprint", &fixture("rsa2048.cert.pem")], ""));
    assert_eq!(a, b);
    usage(&["jwk", "thumbprint", &key, "--digest", "md5"], "ERR_CLI_USAGE");
}

#[test]
fn jwk_convert_round_trips_between_jwk_and_pem() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "EdDSA", &[]);
    let pem = stdout(&ok(&["jwk", "convert", &key, "--to", "pem"], ""));
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    let back = stdout_json(&ok(&["jwk", "convert", "--to", "jwk"], pem));
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&key).expect("key")).expect("json");
    assert_eq!(back["d"], original["d"]);
    assert_eq!(back["x"], original["x"]);
    let public = dir.write("pub.jwk", stdout(&ok(&["jwk", "public", &key], "")));
    let spki = stdout(&ok(&["jwk", "convert", &public, "--to", "pem"], ""));
    assert!(spki.starts_with("-----BEGIN PUBLIC KEY-----"), "{spki}");
    let rsa = stdout_json(&ok(
        &["jwk", "convert", &fixture("rsa2048.pkcs1-pub.pem"), "--to", "jwk"],
        "",
    ));
    assert_eq!(rsa["e"], "AQAB");
    let secret = dir.generate("s.jwk", "A128KW", &[]);
    usage(&["jwk", "convert", &secret, "--to", "pem"], "ERR_CLI_USAGE");
    usage(&["jwk", "convert", &key], "ERR_CLI_USAGE");
    let set = dir.write("set.json", stdout(&ok(&["jwks", "create", &key, &public], "")));
    usage(&["jwk", "convert", &set, "--to", "pem"], "ERR_CLI_USAGE");
}

#[test]
fn jwks_create_collects_the_public_keys() {
    let dir = Dir::new();
    let a = dir.generate("a.jwk", "ES256", &["--kid", "a"]);
    let b = fixture("rsa2048.pkcs8.pem");
    let set = stdout_json(&ok(&["jwks", "create", &a, &b], ""));
    let keys = set["keys"].as_array().cloned().unwrap_or_default();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|k| k.get("d").is_none()));
    assert_eq!(keys[0]["kid"], "a");
    assert_eq!(keys[1]["kty"], "RSA");
    // From stdin, once.
    let from_stdin = stdout_json(&ok(&["jwks", "create", "-"], std::fs::read(&a).expect("key")));
    assert_eq!(from_stdin["keys"][0]["kid"], "a");
    usage(&["jwks", "create", "-", "-"], "ERR_CLI_USAGE");
    let secret = dir.generate("s.jwk", "HS256", &[]);
    usage(&["jwks", "create", &a, &secret], "ERR_JOSE_INVALID_KEY_USE");
    usage(&["jwks", "create"], "ERR_CLI_USAGE");
    ok(&["jwks", "create", &a, &a], "").stderr(predicate::str::contains("several keys have the kid"));
}

// ------------------------------------------------------------ the command line itself

#[test]
fn completions_are_printed_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let out = ok(&["completions", shell], "");
        let script = stdout(&out);
        assert!(script.contains("rjose"), "{shell}");
        assert!(script.contains("thumbprint"), "{shell}");
    }
    usage(&["completions", "tcsh"], "ERR_CLI_USAGE");
}

#[test]
fn licenses_prints_the_notices_of_the_crates_the_binary_is_built_from() {
    let notices = stdout(&ok(&["licenses"], ""));
    // The crypto provider and the CLI parser, with their license texts.
    for used in ["  - aws-lc-sys ", "  - clap ", "  - serde_json "] {
        assert!(notices.contains(used), "{used} missing");
    }
    for license in [
        "ISC License (ISC)",
        "MIT License (MIT)",
        "Apache License 2.0 (Apache-2.0)",
    ] {
        assert!(notices.contains(license), "{license} missing");
    }
    assert!(notices.contains("Permission is hereby granted, free of charge"));
}

#[test]
fn every_subcommand_help_shows_an_example() {
    let commands: [&[&str]; 24] = [
        &[],
        &["jwt"],
        &["jwt", "sign"],
        &["jwt", "verify"],
        &["jwt", "decode"],
        &["jwt", "encrypt"],
        &["jwt", "decrypt"],
        &["jws"],
        &["jws", "sign"],
        &["jws", "verify"],
        &["jwe"],
        &["jwe", "encrypt"],
        &["jwe", "decrypt"],
        &["jwk"],
        &["jwk", "generate"],
        &["jwk", "public"],
        &["jwk", "thumbprint"],
        &["jwk", "convert"],
        &["jwks", "create"],
        &["dpop"],
        &["dpop", "proof"],
        &["dpop", "verify"],
        &["completions"],
        &["licenses"],
    ];
    for command in commands {
        let mut args = command.to_vec();
        args.push("--help");
        let help = stdout(&ok(&args, ""));
        assert!(help.contains("Example"), "{command:?}: {help}");
        assert!(help.contains("rjose "), "{command:?}");
    }
    let top = stdout(&ok(&["--help"], ""));
    assert!(top.contains("Exit status"), "{top}");
    ok(&["--version"], "").stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2_with_err_cli_usage_first() {
    let token = sign_token(&["--secret", SECRET32]);
    usage(&[], "ERR_CLI_USAGE");
    usage(&["jwt"], "ERR_CLI_USAGE");
    usage(&["frobnicate"], "ERR_CLI_USAGE");
    usage(&["jwt", "verify", &token], "ERR_CLI_USAGE"); // no key
    usage(
        &["jwt", "verify", "--secret", SECRET32, "--key", "k", &token],
        "ERR_CLI_USAGE",
    );
    usage(
        &["jwt", "verify", "--secret", SECRET32, "--bogus", &token],
        "ERR_CLI_USAGE",
    );
    usage(
        &[
            "jws",
            "sign",
            "--secret",
            SECRET32,
            "--alg",
            "HS256",
            "--json",
            "--general",
        ],
        "ERR_CLI_USAGE",
    );
    usage(
        &["jwe", "encrypt", "--secret", SECRET32, "--alg", "dir"],
        "ERR_CLI_USAGE",
    ); // no --enc
    usage(
        &["jwt", "sign", "--secret", SECRET32, "--alg", "RSA-OAEP"],
        "ERR_JOSE_NOT_SUPPORTED",
    )
    .stderr(predicate::str::contains("JWE"));
    usage(
        &[
            "jwt", "encrypt", "--secret", SECRET32, "--alg", "A256GCM", "--enc", "A256GCM",
        ],
        "ERR_JOSE_NOT_SUPPORTED",
    )
    .stderr(predicate::str::contains("--enc"));
}

#[test]
fn only_one_input_may_come_from_stdin() {
    let dir = Dir::new();
    let key = dir.generate("k.jwk", "ES256", &[]);
    let key_text = std::fs::read(&key).expect("key");
    fails(&["jwt", "verify", "--key", "-"], key_text.clone(), 2, "ERR_CLI_USAGE");
    fails(
        &["jws", "sign", "--key", "-", "--alg", "ES256"],
        key_text.clone(),
        2,
        "ERR_CLI_USAGE",
    );
    fails(
        &["jwt", "sign", "--key", "-", "--claims", "@-"],
        key_text.clone(),
        2,
        "ERR_CLI_USAGE",
    );
    fails(
        &[
            "jwe",
            "encrypt",
            "--secret-file",
            "-",
            "--alg",
            "dir",
            "--enc",
            "A256GCM",
        ],
        key_text,
        2,
        "ERR_CLI_USAGE",
    );
    // The key on stdin with the token as an argument is fine.
    let token = sign_token(&["--key", &key]);
    ok(
        &["jwt", "verify", "--key", "-", &token],
        std::fs::read(&key).expect("key"),
    );
}

#[test]
fn der_key_files_are_recognised_by_their_structure() {
    let dir = Dir::new();
    let pem = std::fs::read_to_string(fixture("ec-p256.pkcs8.pem")).expect("fixture");
    let key = rjose::Key::from_pem(&pem).expect("fixture key");
    let pkcs8 = dir.write("k.der", key.to_pkcs8_der().expect("PKCS#8").as_slice());
    let spki = dir.write("k.pub.der", key.to_spki_der().expect("SPKI"));
    let token = sign_token(&["--key", &pkcs8, "--sub", "der"]);
    let verified = stdout_json(&ok(&["jwt", "verify", "--key", &spki, &token], ""));
    assert_eq!(verified["payload"]["sub"], "der");
}

#[test]
fn a_dir_key_labelled_with_an_enc_decrypts_that_enc_only() {
    let dir = Dir::new();
    // Both are 32-byte content keys; the key says which one it is for.
    let key = dir.generate("dir.jwk", "A128CBC-HS256", &[]);
    let jwk: Value = serde_json::from_str(&std::fs::read_to_string(&key).expect("key")).expect("json");
    let k = jwk["k"].as_str().expect("k").to_owned();
    let token = line(&ok(
        &["jwe", "encrypt", "--secret-b64", &k, "--alg", "dir", "--enc", "A256GCM"],
        "x",
    ));
    refused(&["jwe", "decrypt", "--key", &key, &token], "ERR_JOSE_ALG_NOT_ALLOWED");
    assert_eq!(stdout(&ok(&["jwe", "decrypt", "--secret-b64", &k, &token], "")), "x");
    let token = line(&ok(
        &[
            "jwe",
            "encrypt",
            "--key",
            &key,
            "--alg",
            "dir",
            "--enc",
            "A128CBC-HS256",
        ],
        "y",
    ));
    assert_eq!(stdout(&ok(&["jwe", "decrypt", "--key", &key, &token], "")), "y");
}

#[test]
fn signed_and_encrypted_jwts_sent_to_the_wrong_command_say_which_to_use() {
    let signed = sign_token(&["--secret", SECRET32]);
    let encrypted = line(&ok(
        &[
            "jwt", "encrypt", "--secret", SECRET32, "--alg", "dir", "--enc", "A256GCM",
        ],
        "",
    ));
    refused(&["jwt", "verify", "--secret", SECRET32, &encrypted], "ERR_JWS_INVALID")
        .stderr(predicate::str::contains("rjose jwt decrypt"));
    refused(&["jwt", "decrypt", "--secret", SECRET32, &signed], "ERR_JWE_INVALID")
        .stderr(predicate::str::contains("rjose jwt verify"));
}

#[test]
fn secrets_and_passwords_may_start_with_a_hyphen() {
    // 32 bytes of 0xF8 encode as "-Pj4...": a value, not an option.
    let secret = "-Pj4-Pj4-Pj4-Pj4-Pj4-Pj4-Pj4-Pj4-Pj4-Pj4-Pg";
    let token = line(&ok(
        &[
            "jwt",
            "sign",
            "--secret-b64",
            secret,
            "--alg",
            "HS256",
            "--sub",
            "a",
            "--exp",
            "1h",
        ],
        "",
    ));
    ok(&["jwt", "verify", "--secret-b64", secret, &token], "");
    let token = line(&ok(
        &[
            "jwt",
            "sign",
            "--secret",
            "-a string secret of 32 bytes or more",
            "--sub",
            "a",
            "--exp",
            "1h",
        ],
        "",
    ));
    ok(
        &[
            "jwt",
            "verify",
            "--secret",
            "-a string secret of 32 bytes or more",
            &token,
        ],
        "",
    );
    let jwe = line(&ok(
        &[
            "jwe",
            "encrypt",
            "--password",
            "-pass",
            "--alg",
            "PBES2-HS256+A128KW",
            "--enc",
            "A128GCM",
        ],
        "x",
    ));
    assert_eq!(stdout(&ok(&["jwe", "decrypt", "--password", "-pass", &jwe], "")), "x");
}

// ------------------------------------------------------------ dpop

/// The header and claims of a compact JWS, decoded without checking it.
fn jws_parts(token: &str) -> (Value, Value) {
    use base64::Engine as _;
    let decode = |part: &str| -> Value {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(part)
            .expect("base64url");
        serde_json::from_slice(&bytes).expect("JSON")
    };
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3, "{token}");
    (decode(parts[0]), decode(parts[1]))
}

#[test]
fn dpop_proof_verifies_with_the_library_and_carries_htm_htu_ath_nonce_and_only_the_public_jwk() {
    use rjose::dpop::{DpopVerifyOptions, ath, verify_proof};

    let dir = Dir::new();
    let token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let token_file = dir.write("at", format!("{token}\n"));
    let cases: [(String, &[&str], &str); 4] = [
        (dir.generate("es.jwk", "ES256", &["--kid", "k1"]), &[], "ES256"),
        (dir.generate("ed.jwk", "EdDSA", &[]), &[], "EdDSA"),
        (fixture("rsa2048.pkcs1.pem"), &["--alg", "PS256"], "PS256"),
        (fixture("ec-p384.sec1.pem"), &[], "ES384"),
    ];
    for (key, extra, alg) in &cases {
        for token_flags in [["--ath-of", token], ["--access-token-file", token_file.as_str()]] {
            let mut args = vec![
                "dpop",
                "proof",
                "--key",
                key,
                "--htm",
                "POST",
                "--htu",
                "https://api.example/orders?page=2#top",
                "--nonce",
                "-n0nce",
            ];
            args.extend_from_slice(extra);
            args.extend_from_slice(&token_flags);
            let proof = line(&ok(&args, ""));
            let options = DpopVerifyOptions::new("POST", "https://api.example/orders")
                .access_token(token)
                .nonce("-n0nce");
            let verified = verify_proof(&proof, &options).expect("the library accepts the proof");
            let expected_jkt = line(&ok(&["jwk", "thumbprint", key], ""));
            assert_eq!(verified.jkt(), expected_jkt);

            let (header, claims) = jws_parts(&proof);
            assert_eq!(header["typ"], "dpop+jwt");
            assert_eq!(header["alg"], *alg);
            let jwk = header["jwk"].as_object().expect("a jwk header");
            for private in ["d", "p", "q", "dp", "dq", "qi", "k", "kid", "use", "key_ops"] {
                assert!(!jwk.contains_key(private), "{alg}: {private} in {jwk:?}");
            }
            assert_eq!(claims["htm"], "POST");
            assert_eq!(claims["htu"], "https://api.example/orders");
            assert_eq!(claims["ath"], ath(token));
            assert_eq!(claims["ath"], "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo");
            assert_eq!(claims["nonce"], "-n0nce");
            assert!(claims["jti"].as_str().is_some_and(|jti| jti.len() >= 16), "{claims}");
        }
    }

    // Without an access token or nonce, neither claim; --jti is used as given.
    let key = dir.path("es.jwk");
    let proof = line(&ok(
        &[
            "dpop",
            "proof",
            "--key",
            &key,
            "--htm",
            "GET",
            "--htu",
            "https://as.example/token",
            "--jti",
            "id-1",
        ],
        "",
    ));
    let (_, claims) = jws_parts(&proof);
    assert_eq!(claims["jti"], "id-1");
    assert!(claims.get("ath").is_none() && claims.get("nonce").is_none(), "{claims}");
}

#[test]
fn dpop_verify_prints_the_thumbprint_and_claims_of_a_good_proof() {
    let dir = Dir::new();
    let key = dir.generate("client.jwk", "ES256", &[]);
    let jkt = line(&ok(&["jwk", "thumbprint", &key], ""));
    let proof = line(&ok(
        &[
            "dpop",
            "proof",
            "--key",
            &key,
            "--htm",
            "GET",
            "--htu",
            "https://api.example/x",
            "--ath-of",
            "at-1",
            "--nonce",
            "n1",
            "--jti",
            "j1",
        ],
        "",
    ));
    for (args, stdin) in [
        (
            vec![
                "dpop",
                "verify",
                "--htm",
                "GET",
                "--htu",
                "https://API.example:443/x?q",
                "--access-token",
                "at-1",
                "--nonce",
                "n1",
                "--jkt",
                &jkt,
                &proof,
            ],
            String::new(),
        ),
        (
            vec![
                "dpop",
                "verify",
                "--htm",
                "GET",
                "--htu",
                "https://api.example/x",
                "--alg",
                "ES256,EdDSA",
            ],
            format!("{proof}\n"),
        ),
    ] {
        let out = stdout_json(&ok(&args, stdin));
        assert_eq!(out["jkt"], jkt.as_str());
        assert_eq!(out["jti"], "j1");
        assert_eq!(out["htm"], "GET");
        assert_eq!(out["htu"], "https://api.example/x");
        assert!(out["iat"].is_i64(), "{out}");
        assert_eq!(out["nonce"], "n1");
    }
}

#[test]
fn dpop_proof_refuses_a_symmetric_or_public_key_and_asks_for_alg_with_rsa() {
    let dir = Dir::new();
    let secret = dir.generate("hs.jwk", "HS256", &[]);
    let proof = |key: &str, extra: &[&str]| -> Assert {
        let mut args = vec![
            "dpop",
            "proof",
            "--key",
            key,
            "--htm",
            "GET",
            "--htu",
            "https://api.example/x",
        ];
        args.extend_from_slice(extra);
        fails(&args, "", 2, "ERR_JOSE_INVALID_KEY_USE")
    };
    proof(&secret, &[]).stderr(predicate::str::contains("HMAC"));
    proof(&secret, &["--alg", "HS256"]).stderr(predicate::str::contains("HMAC"));
    proof(&fixture("ec-p256.spki.pem"), &[]).stderr(predicate::str::contains("public"));
    usage(
        &[
            "dpop",
            "proof",
            "--key",
            &fixture("rsa2048.pkcs1.pem"),
            "--htm",
            "GET",
            "--htu",
            "https://api.example/x",
        ],
        "ERR_CLI_USAGE",
    )
    .stderr(predicate::str::contains("--alg"));
    // A JWK Set holding only a secret has no key that can sign a proof.
    let set = dir.write(
        "set.json",
        format!("{{\"keys\":[{}]}}", std::fs::read_to_string(&secret).expect("key")),
    );
    usage(
        &[
            "dpop",
            "proof",
            "--key",
            &set,
            "--htm",
            "GET",
            "--htu",
            "https://api.example/x",
        ],
        "ERR_JWKS_NO_MATCHING_KEY",
    );
}

#[test]
fn dpop_bad_method_or_url_is_a_usage_error_naming_the_flag() {
    let dir = Dir::new();
    let key = dir.generate("client.jwk", "ES256", &[]);
    for (htm, htu, flag) in [
        ("GET", "ftp://api.example/x", "--htu"),
        ("GET", "/x", "--htu"),
        ("GET", "not a url", "--htu"),
        ("GE T", "https://api.example/x", "--htm"),
    ] {
        usage(
            &["dpop", "proof", "--key", &key, "--htm", htm, "--htu", htu],
            "ERR_CLI_USAGE",
        )
        .stderr(predicate::str::contains(flag));
        usage(
            &["dpop", "verify", "--htm", htm, "--htu", htu, "a.b.c"],
            "ERR_CLI_USAGE",
        )
        .stderr(predicate::str::contains(flag));
    }
}

#[test]
fn dpop_verify_refuses_a_tampered_or_mismatched_proof_with_exit_1_and_its_code() {
    let dir = Dir::new();
    let key = dir.generate("client.jwk", "ES256", &[]);
    let other = dir.generate("other.jwk", "ES256", &[]);
    let other_jkt = line(&ok(&["jwk", "thumbprint", &other], ""));
    let proof = line(&ok(
        &[
            "dpop",
            "proof",
            "--key",
            &key,
            "--htm",
            "GET",
            "--htu",
            "https://api.example/x",
            "--ath-of",
            "at-1",
        ],
        "",
    ));
    let (_, mut claims) = jws_parts(&proof);
    claims["htm"] = json!("DELETE");
    let tampered = {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let parts: Vec<&str> = proof.split('.').collect();
        format!("{}.{}.{}", parts[0], engine.encode(claims.to_string()), parts[2])
    };
    let verify = ["dpop", "verify", "--htm", "GET", "--htu", "https://api.example/x"];
    let with = |extra: &[&str], proof: &str| -> Vec<String> {
        verify
            .iter()
            .chain(extra)
            .chain([&proof])
            .map(|s| (*s).to_owned())
            .collect()
    };
    for (args, code) in [
        (with(&[], &tampered), "ERR_DPOP_SIGNATURE_INVALID"),
        (with(&["--access-token", "at-2"], &proof), "ERR_DPOP_ATH_MISMATCH"),
        (with(&["--nonce", "n1"], &proof), "ERR_DPOP_NONCE_REQUIRED"),
        (with(&["--jkt", &other_jkt], &proof), "ERR_DPOP_BINDING_MISMATCH"),
        (with(&["--alg", "EdDSA"], &proof), "ERR_DPOP_ALG_NOT_ALLOWED"),
        (with(&[], "e30.e30.sig"), "ERR_DPOP_TYP_INVALID"),
        (with(&[], "garbage"), "ERR_DPOP_PROOF_INVALID"),
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&args, code);
    }
    refused(
        &[
            "dpop",
            "verify",
            "--htm",
            "POST",
            "--htu",
            "https://api.example/x",
            &proof,
        ],
        "ERR_DPOP_HTM_MISMATCH",
    );
    refused(
        &[
            "dpop",
            "verify",
            "--htm",
            "GET",
            "--htu",
            "https://api.example/y",
            &proof,
        ],
        "ERR_DPOP_HTU_MISMATCH",
    );
}

#[test]
fn dpop_tokens_and_proofs_with_a_scheme_prefix_or_quotes_are_usage_errors_with_a_hint() {
    let dir = Dir::new();
    let key = dir.generate("client.jwk", "ES256", &[]);
    let jwt = sign_token(&["--secret", SECRET32]);
    for token in [jwt.as_str(), "opaque-token_1~+/=="] {
        for (pasted, hint) in [
            (format!("Bearer {token}"), "`Bearer ` prefix"),
            (format!("DPoP {token}"), "`DPoP ` prefix"),
            (format!("Authorization: DPoP {token}"), "`Authorization: DPoP ` prefix"),
            (format!("\"{token}\""), "quotes"),
            (format!("{} {}", &token[..4], &token[4..]), "whitespace"),
        ] {
            let file = dir.write("at", &pasted);
            for args in [
                vec![
                    "dpop",
                    "proof",
                    "--key",
                    &key,
                    "--htm",
                    "GET",
                    "--htu",
                    "https://a.example/",
                    "--ath-of",
                    &pasted,
                ],
                vec![
                    "dpop",
                    "proof",
                    "--key",
                    &key,
                    "--htm",
                    "GET",
                    "--htu",
                    "https://a.example/",
                    "--access-token-file",
                    &file,
                ],
                vec![
                    "dpop",
                    "verify",
                    "--htm",
                    "GET",
                    "--htu",
                    "https://a.example/",
                    "--access-token",
                    &pasted,
                    "a.b.c",
                ],
            ] {
                usage(&args, "ERR_CLI_USAGE").stderr(predicate::str::contains(hint));
            }
        }
    }
    // The proof itself, pasted with the header name or a scheme.
    let proof = line(&ok(
        &[
            "dpop",
            "proof",
            "--key",
            &key,
            "--htm",
            "GET",
            "--htu",
            "https://a.example/",
        ],
        "",
    ));
    for (pasted, hint) in [
        (format!("DPoP: {proof}"), "`DPoP: ` prefix"),
        (format!("dpop:  {proof}"), "`DPoP: ` prefix"),
        (format!("DPoP {proof}"), "`DPoP ` prefix"),
        (format!("Bearer {proof}"), "`Bearer ` prefix"),
    ] {
        usage(
            &["dpop", "verify", "--htm", "GET", "--htu", "https://a.example/", &pasted],
            "ERR_CLI_USAGE",
        )
        .stderr(predicate::str::contains(hint));
        fails(
            &["dpop", "verify", "--htm", "GET", "--htu", "https://a.example/"],
            format!("{pasted}\n"),
            2,
            "ERR_CLI_USAGE",
        )
        .stderr(predicate::str::contains(hint));
    }
    usage(
        &[
            "dpop",
            "proof",
            "--key",
            &key,
            "--htm",
            "GET",
            "--htu",
            "https://a.example/",
            "--ath-of",
            "x",
            "--access-token-file",
            "f",
        ],
        "ERR_CLI_USAGE",
    );
    fails(
        &[
            "dpop",
            "proof",
            "--key",
            "-",
            "--htm",
            "GET",
            "--htu",
            "https://a.example/",
            "--access-token-file",
            "-",
        ],
        "",
        2,
        "ERR_CLI_USAGE",
    )
    .stderr(predicate::str::contains("only one input"));
}

#[test]
fn dpop_help_examples_run() {
    let dir = Dir::new();
    let bin = Path::new(env!("CARGO_BIN_EXE_rjose"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("the binary's directory").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    dir.generate("client.jwk", "ES256", &[]);
    std::fs::copy(fixture("rsa2048.pkcs1.pem"), dir.path("rsa.pem")).expect("copy the RSA key");
    dir.write("at", "the-access-token\n");
    let proof = line(&ok(
        &[
            "dpop",
            "proof",
            "--key",
            &dir.path("client.jwk"),
            "--htm",
            "GET",
            "--htu",
            "https://api.example/orders",
            "--ath-of",
            "the-access-token",
            "--nonce",
            "n-1",
        ],
        "",
    ));
    let mut ran = 0;
    for command in [&["dpop"][..], &["dpop", "proof"], &["dpop", "verify"]] {
        let mut args = command.to_vec();
        args.push("--help");
        let help = stdout(&ok(&args, ""));
        // The examples that are whole `rjose` command lines, in order (a
        // later one may read what an earlier one wrote).
        for example in help.lines().map(str::trim).filter(|l| l.starts_with("rjose ")) {
            let output = std::process::Command::new("sh")
                .args(["-c", example])
                .current_dir(dir.0.path())
                .env("PATH", &path)
                .env("AT", "the-access-token")
                .env("NONCE", "n-1")
                .env("PROOF", &proof)
                .stdin(std::process::Stdio::null())
                .output()
                .expect("run sh");
            assert!(
                output.status.success(),
                "{example}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 8, "only {ran} examples ran");
}
