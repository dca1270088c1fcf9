//! Interoperability with two independent JOSE implementations: the
//! JavaScript `jose` package on Node.js and Python's `jwcrypto`, pinned in
//! `interop/` and installed by `interop/setup.sh`.
//!
//! For every algorithm both sides support: tokens signed (or encrypted) by
//! each peer verify (or decrypt) here and the reverse; keys exported by each
//! (JWK, SPKI, PKCS#8) import here and the reverse, with agreeing RFC 7638
//! thumbprints; and a JWT with every registered claim and nested custom
//! claims comes back identical both ways. DPoP proofs (RFC 9449) made by
//! panva's npm `dpop` package (pinned beside `jose`) verify with
//! `rjose::dpop::verify_proof`, and ours pass the checks of RFC 9449
//! section 4.3 in JS: `dpop` only makes proofs, so `jose`'s `jwtVerify`
//! with `EmbeddedJWK` checks the signature, `typ` and `iat`, and the peer
//! script the claims and `ath`.
//!
//! Each peer runs once, on one batch of jobs (`interop/*/peer.*`). The
//! matrix of what was exercised is printed (`--nocapture`) and written to
//! `target/interop-matrix.txt`. The test installs each peer's pinned
//! packages itself when Node.js or Python is present; a peer whose tool is
//! missing is skipped with a `SKIPPED:` line, except under `CI`, where
//! both are mandatory.

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rjose::dpop::{DpopProof, DpopVerifyOptions, verify_proof};
use rjose::jwe::{
    CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, KeyManagementParameters, compact_decrypt,
};
use rjose::jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
use rjose::{Alg, Curve, Digest, JsonObject, Key, KeyPair, KeyPairOptions, generate_key_pair, generate_secret};
use serde_json::{Value, json};

use common::{RSA_DECRYPTS, b64, is_ecdh, is_pbes2, is_rsa, unbound};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const PAYLOAD: &[u8] = "interop payload \u{2013} \u{1F510} {\"a\":1}".as_bytes();
const PLAINTEXT: &[u8] =
    "You can trust us to stick with you through thick and thin\u{2013}to the bitter end.".as_bytes();
const PASSWORD: &[u8] = b"correct horse battery staple";
const P2C: u64 = 1000;
const CURVES: [&str; 4] = ["P-256", "P-384", "P-521", "X25519"];
const ISSUER: &str = "https://issuer.example";
const AUDIENCE: &str = "https://api.example";

// ------------------------------------------------------------ the peers

/// What one peer implements, and how to run it.
struct Peer {
    name: &'static str,
    program: PathBuf,
    script: PathBuf,
    jws: Vec<Alg>,
    jwe: Vec<JweAlg>,
    /// RSA1_5 tokens made by the peer, decrypted here only when allowed.
    rsa1_5_from_peer: bool,
    /// Key types to export both ways: (label, peer's export job, our generator, PEM forms).
    keys: Vec<KeyKind>,
    skipped: Vec<String>,
    setup: Setup,
    /// Whether the peer makes and checks DPoP proofs (the npm `dpop` package).
    dpop: bool,
}

/// What a peer needs on the machine, and how it is installed.
struct Setup {
    /// The program the peer's packages are installed with and run on.
    tool: &'static str,
    /// The argument of `interop/setup.sh` that installs them.
    target: &'static str,
}

#[derive(Clone, Copy)]
struct KeyKind {
    label: &'static str,
    /// The `export_keys` job's parameters for this peer.
    peer_job: fn() -> Value,
    /// Generates our key of this kind.
    ours: fn() -> rjose::Result<Key>,
    pem: bool,
    ml_dsa: bool,
}

fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.ancestors().nth(2).unwrap_or(manifest_dir).to_path_buf()
}

/// The key that verifies (the public key, or the secret itself).
fn verifier(key: &Key) -> rjose::Result<Key> {
    if key.is_symmetric() {
        Ok(key.clone())
    } else {
        key.public_key()
    }
}

fn pair_private(alg: impl Into<rjose::Algorithm>, options: KeyPairOptions) -> rjose::Result<Key> {
    generate_key_pair(alg, options).map(|pair| pair.private_key)
}

fn js_peer() -> Peer {
    let dir = root().join("interop/node");
    let mut jws: Vec<Alg> = Alg::ALL.into_iter().filter(|alg| *alg != Alg::ES256K).collect();
    jws.sort();
    let keys = vec![
        KeyKind {
            label: "RSA",
            peer_job: || json!({"alg": "PS256"}),
            ours: || Ok(unbound(&rsa()?.private_key)),
            pem: true,
            ml_dsa: false,
        },
        KeyKind {
            label: "EC P-256",
            peer_job: || json!({"alg": "ES256"}),
            ours: || pair_private(Alg::ES256, KeyPairOptions::default()),
            pem: true,
            ml_dsa: false,
        },
        KeyKind {
            label: "EC P-384",
            peer_job: || json!({"alg": "ES384"}),
            ours: || pair_private(Alg::ES384, KeyPairOptions::default()),
            pem: true,
            ml_dsa: false,
        },
        KeyKind {
            label: "EC P-521",
            peer_job: || json!({"alg": "ES512"}),
            ours: || pair_private(Alg::ES512, KeyPairOptions::default()),
            pem: true,
            ml_dsa: false,
        },
        KeyKind {
            label: "OKP Ed25519",
            peer_job: || json!({"alg": "Ed25519"}),
            ours: || pair_private(Alg::Ed25519, KeyPairOptions::default()),
            pem: true,
            ml_dsa: false,
        },
        KeyKind {
            label: "OKP X25519",
            peer_job: || json!({"alg": "ECDH-ES", "crv": "X25519"}),
            ours: || pair_private(JweAlg::ECDH_ES, KeyPairOptions::default().crv(Curve::X25519)),
            pem: true,
            ml_dsa: false,
        },
        KeyKind {
            label: "oct",
            peer_job: || json!({"alg": "HS256"}),
            ours: || generate_secret(Alg::HS256),
            pem: false,
            ml_dsa: false,
        },
        KeyKind {
            label: "AKP ML-DSA-44",
            peer_job: || json!({"alg": "ML-DSA-44"}),
            ours: || pair_private(Alg::ML_DSA_44, KeyPairOptions::default()),
            pem: true,
            ml_dsa: true,
        },
    ];
    Peer {
        name: "jose(js)",
        setup: Setup {
            tool: "npm",
            target: "node",
        },
        dpop: true,
        program: PathBuf::from("node"),
        script: dir.join("peer.mjs"),
        jws,
        jwe: JweAlg::ALL
            .iter()
            .copied()
            .filter(|alg| *alg != JweAlg::RSA1_5)
            .collect(),
        rsa1_5_from_peer: false,
        keys,
        skipped: vec![
            "JWS ES256K: not in jose >= 5 (no secp256k1 in WebCrypto)".into(),
            "JWE RSA1_5: removed from jose 6, and refused for encryption by ours".into(),
            "keys EC secp256k1: not in jose >= 5".into(),
        ],
    }
}

fn python_peer() -> Peer {
    let dir = root().join("interop/python");
    let mut jws: Vec<Alg> = Alg::ALL.to_vec();
    jws.sort();
    let mut keys = js_peer().keys;
    for kind in &mut keys {
        kind.peer_job = match kind.label {
            "RSA" => || json!({"kty": "RSA"}),
            "EC P-256" => || json!({"kty": "EC", "crv": "P-256"}),
            "EC P-384" => || json!({"kty": "EC", "crv": "P-384"}),
            "EC P-521" => || json!({"kty": "EC", "crv": "P-521"}),
            "OKP Ed25519" => || json!({"kty": "OKP", "crv": "Ed25519"}),
            "OKP X25519" => || json!({"kty": "OKP", "crv": "X25519"}),
            "oct" => || json!({"kty": "HS"}),
            _ => || json!({"kty": "AKP", "crv": "ML-DSA-44"}),
        };
    }
    keys.push(KeyKind {
        label: "EC secp256k1",
        peer_job: || json!({"kty": "EC", "crv": "secp256k1"}),
        ours: || pair_private(Alg::ES256K, KeyPairOptions::default()),
        pem: true,
        ml_dsa: false,
    });
    Peer {
        name: "jwcrypto",
        setup: Setup {
            tool: "python3",
            target: "python",
        },
        dpop: false,
        program: dir.join(".venv/bin/python"),
        script: dir.join("peer.py"),
        jws,
        jwe: JweAlg::ALL
            .iter()
            .copied()
            .filter(|alg| !matches!(alg, JweAlg::RSA_OAEP_384 | JweAlg::RSA_OAEP_512 | JweAlg::RSA1_5))
            .collect(),
        rsa1_5_from_peer: true,
        keys,
        skipped: vec![
            "JWE RSA-OAEP-384, RSA-OAEP-512: not implemented by jwcrypto".into(),
            "JWE RSA1_5: peer -> ours only (ours refuses to encrypt it; decrypts only when allowed explicitly)".into(),
        ],
    }
}

/// Whether `peer` can run, installing its pinned packages first
/// (`interop/setup.sh node|python`) when the tool it runs on is present.
/// Without the tool the peer is skipped, with the reason and the command
/// that runs it, unless `CI` is set: there every peer is mandatory.
/// `RJOSE_SKIP_INTEROP=1` skips a peer whatever is installed.
fn installed(peer: &Peer) -> bool {
    let skip = |why: String| {
        assert!(
            std::env::var_os("CI").is_none(),
            "interop peer {} cannot run under CI: {why}",
            peer.name
        );
        println!(
            "SKIPPED: interop with {}: {why}; to run it: interop/setup.sh && cargo test -p rjose --test interop -- --nocapture",
            peer.name
        );
        false
    };
    if std::env::var("RJOSE_SKIP_INTEROP").is_ok_and(|value| value == "1") {
        return skip("RJOSE_SKIP_INTEROP=1 is set".into());
    }
    let tool = peer.setup.tool;
    if !runs(Command::new(tool).arg("--version")) {
        return skip(format!("`{tool}` is not installed"));
    }
    let setup = root().join("interop/setup.sh");
    if !runs(Command::new(&setup).arg(peer.setup.target)) {
        return skip(format!(
            "`interop/setup.sh {}` failed (see its output above)",
            peer.setup.target
        ));
    }
    if !runs(Command::new(&peer.program).arg("--version")) {
        return skip(format!(
            "{} does not run after interop/setup.sh",
            peer.program.display()
        ));
    }
    true
}

/// Runs a command to completion, its output going to the test's.
fn runs(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

struct Response {
    peer: String,
    ml_dsa: bool,
    /// The version of the npm `dpop` package, for a peer that has it.
    dpop: Option<String>,
    results: Vec<Value>,
}

fn run_peer(peer: &Peer, jobs: &[Value]) -> TestResult<Response> {
    let mut child = Command::new(&peer.program)
        .arg(&peer.script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("starting {} (run interop/setup.sh): {e}", peer.program.display()))?;
    let request = serde_json::to_vec(&json!({ "jobs": jobs }))?;
    child.stdin.take().ok_or("no stdin")?.write_all(&request)?;
    let output = child.wait_with_output()?;
    if !output.status.success() {
        return Err(format!(
            "{} exited with {}: {}",
            peer.name,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let mut response: Value = serde_json::from_slice(&output.stdout)?;
    let results = match response["results"].take() {
        Value::Array(results) if results.len() == jobs.len() => results,
        other => return Err(format!("{}: expected {} results, got {other}", peer.name, jobs.len()).into()),
    };
    Ok(Response {
        peer: response["peer"].as_str().unwrap_or(peer.name).to_owned(),
        ml_dsa: response["capabilities"]["ml_dsa"].as_bool() == Some(true),
        dpop: response["capabilities"]["dpop"].as_str().map(str::to_owned),
        results,
    })
}

// ------------------------------------------------------------ keys and values

fn unb64(text: &str) -> Result<Vec<u8>, String> {
    URL_SAFE_NO_PAD.decode(text).map_err(|e| format!("base64url: {e}"))
}

/// One RSA key pair for the whole run (generation is slow in debug builds).
fn rsa() -> rjose::Result<&'static KeyPair> {
    static RSA: std::sync::OnceLock<KeyPair> = std::sync::OnceLock::new();
    if let Some(pair) = RSA.get() {
        return Ok(pair);
    }
    let pair = generate_key_pair(Alg::PS256, KeyPairOptions::default())?;
    Ok(RSA.get_or_init(|| KeyPair {
        private_key: unbound(&pair.private_key),
        public_key: unbound(&pair.public_key),
    }))
}

/// A key as the JWK a peer receives: without `alg` (peers bind the
/// algorithm at use), except for ML-DSA, whose JWK needs it.
fn jwk_value(key: &Key) -> TestResult<Value> {
    let mut value: Value = serde_json::from_str(&key.to_jwk()?.to_json())?;
    if let Value::Object(map) = &mut value
        && map.get("kty") != Some(&json!("AKP"))
    {
        map.remove("alg");
    }
    Ok(value)
}

fn str_field<'a>(result: &'a Value, name: &str) -> Result<&'a str, String> {
    result[name].as_str().ok_or_else(|| format!("no {name:?} in {result}"))
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
}

/// A JWT claims set with every registered claim and nested custom claims.
fn claims() -> Value {
    let now = now();
    json!({
        "iss": ISSUER,
        "sub": "user-42@example.com",
        "aud": [AUDIENCE, "https://other.example"],
        "exp": now + 3600,
        "nbf": now - 60,
        "iat": now,
        "jti": "c3b5f1e2-6d0a-4b9e-9f17-2a1e7c0d4e55",
        "profile": {
            "name": "Zo\u{eb} \u{65e5}\u{672c} \u{1F389}",
            "roles": ["admin", "ops"],
            "limits": {"rate": 0.125, "burst": -7, "max": 9_007_199_254_740_991_i64},
            "nested": [[1, 2, [3]], {"deep": {"deeper": {"deepest": true}}}, null, false, "\u{2603}"],
            "empty": {},
            "none": [],
        },
        "escapes": "quote \" backslash \\ newline \n tab \t nul-free \u{7f}",
        "active": true,
        "deleted": false,
        "note": null,
    })
}

// ------------------------------------------------------------ the matrix

/// Which way a token or key travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Way {
    OursToPeer,
    PeerToOurs,
}

/// One exercised item: its section (JWS, JWE...), its label, and which way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Item {
    section: &'static str,
    label: String,
    way: Way,
}

type Check = Box<dyn FnOnce(&Value) -> Result<(), String>>;

/// The jobs for one peer, each with the check of its result.
#[derive(Default)]
struct Batch {
    jobs: Vec<Value>,
    checks: Vec<(Item, bool, Check)>,
    /// Items checked here without the peer (ours refusing RSA1_5).
    local: Vec<(Item, Result<(), String>)>,
}

impl Batch {
    fn add(&mut self, section: &'static str, label: String, way: Way, ml_dsa: bool, job: Value, check: Check) {
        self.jobs.push(job);
        self.checks.push((Item { section, label, way }, ml_dsa, check));
    }
}

fn is_ml_dsa(alg: Alg) -> bool {
    matches!(alg, Alg::ML_DSA_44 | Alg::ML_DSA_65 | Alg::ML_DSA_87)
}

fn jws_jobs(peer: &Peer, batch: &mut Batch) -> TestResult {
    for &alg in &peer.jws {
        let key = match alg {
            Alg::RS256 | Alg::RS384 | Alg::RS512 | Alg::PS256 | Alg::PS384 | Alg::PS512 => unbound(&rsa()?.private_key),
            alg if alg.is_symmetric() => generate_secret(alg)?,
            alg => pair_private(alg, KeyPairOptions::default())?,
        };
        let public = verifier(&key)?;
        let ml_dsa = is_ml_dsa(alg);
        let token = CompactSign::new(PAYLOAD)
            .protected_header(JwsHeader::new(alg))
            .sign(&key)?;
        batch.add(
            "JWS",
            alg.name().into(),
            Way::OursToPeer,
            ml_dsa,
            json!({"op": "verify", "alg": alg.name(), "jwk": jwk_value(&public)?, "token": token}),
            Box::new(|result| match unb64(str_field(result, "payload")?)? == PAYLOAD {
                true => Ok(()),
                false => Err("payload differs".into()),
            }),
        );
        batch.add(
            "JWS",
            alg.name().into(),
            Way::PeerToOurs,
            ml_dsa,
            json!({"op": "sign", "alg": alg.name(), "jwk": jwk_value(&key)?, "payload": b64(PAYLOAD)}),
            Box::new(move |result| {
                let options = JwsVerifyOptions::new().algorithms([alg]);
                let verified =
                    compact_verify(str_field(result, "token")?, &public, &options).map_err(|e| e.to_string())?;
                match verified.payload == PAYLOAD {
                    true => Ok(()),
                    false => Err("payload differs".into()),
                }
            }),
        );
    }
    Ok(())
}

/// The keys of one `alg` x `enc` (x curve) case: (ours encrypts with, ours decrypts with).
fn jwe_keys(alg: JweAlg, enc: JweEnc, crv: &'static str) -> rjose::Result<(Key, Key)> {
    Ok(match alg {
        JweAlg::Dir => {
            let key = generate_secret(enc)?;
            (key.clone(), key)
        }
        JweAlg::RSA_OAEP | JweAlg::RSA_OAEP_256 | JweAlg::RSA_OAEP_384 | JweAlg::RSA_OAEP_512 | JweAlg::RSA1_5 => {
            (rsa()?.public_key.clone(), rsa()?.private_key.clone())
        }
        alg if is_ecdh(alg) => {
            let pair = generate_key_pair(
                alg,
                KeyPairOptions::default().crv(Curve::from_name(crv).expect("a curve this library names")),
            )?;
            (pair.public_key, pair.private_key)
        }
        alg if is_pbes2(alg) => {
            let key = Key::from_secret(PASSWORD)?;
            (key.clone(), key)
        }
        alg => {
            let key = generate_secret(alg)?;
            (key.clone(), key)
        }
    })
}

/// The key fields of a JWE job: a password for PBES2, else a JWK.
fn jwe_key_fields(job: &mut Value, alg: JweAlg, key: &Key) -> TestResult {
    if is_pbes2(alg) {
        job["password"] = json!(b64(PASSWORD));
        job["p2c"] = json!(P2C);
    } else {
        job["jwk"] = jwk_value(key)?;
    }
    Ok(())
}

fn jwe_jobs(peer: &Peer, batch: &mut Batch) -> TestResult {
    let mut algs = peer.jwe.clone();
    if peer.rsa1_5_from_peer {
        algs.push(JweAlg::RSA1_5);
    }
    for alg in algs {
        let curves: &[&'static str] = if is_ecdh(alg) { &CURVES } else { &["-"] };
        for &enc in JweEnc::ALL {
            for &crv in curves {
                let label = match crv {
                    "-" => format!("{alg} {enc}"),
                    crv => format!("{alg} {enc} {crv}"),
                };
                let (encryption_key, decryption_key) = jwe_keys(alg, enc, crv)?;
                let options = JweDecryptOptions::new().key_management_algorithms([alg]);
                let header = JweHeader::new(alg, enc);
                let params = KeyManagementParameters::new().p2c(P2C);
                let ours = CompactEncrypt::new(PLAINTEXT)
                    .protected_header(header)
                    .key_management_parameters(params)
                    .encrypt(&encryption_key);
                if alg == JweAlg::RSA1_5 {
                    let refused = match ours {
                        Ok(_) => Err("ours encrypted with RSA1_5".into()),
                        Err(_) => Ok(()),
                    };
                    let item = Item {
                        section: "RSA1_5 refused",
                        label: label.clone(),
                        way: Way::OursToPeer,
                    };
                    batch.local.push((item, refused));
                } else {
                    let mut job = json!({"op": "decrypt", "alg": alg.name(), "enc": enc.name(), "token": ours?});
                    jwe_key_fields(&mut job, alg, &decryption_key)?;
                    batch.add(
                        "JWE",
                        label.clone(),
                        Way::OursToPeer,
                        false,
                        job,
                        Box::new(|result| match unb64(str_field(result, "plaintext")?)? == PLAINTEXT {
                            true => Ok(()),
                            false => Err("plaintext differs".into()),
                        }),
                    );
                }
                let mut job =
                    json!({"op": "encrypt", "alg": alg.name(), "enc": enc.name(), "plaintext": b64(PLAINTEXT)});
                jwe_key_fields(&mut job, alg, &encryption_key)?;
                batch.add(
                    "JWE",
                    label,
                    Way::PeerToOurs,
                    false,
                    job,
                    Box::new(move |result| {
                        let token = str_field(result, "token")?;
                        if alg == JweAlg::RSA1_5
                            && compact_decrypt(token, &decryption_key, &JweDecryptOptions::new()).is_ok()
                        {
                            return Err("RSA1_5 decrypted without being allowed".into());
                        }
                        let decrypted = compact_decrypt(token, &decryption_key, &options);
                        // The pure-Rust provider refuses RSA decryption: the
                        // peer's token must meet that refusal, nothing else.
                        if is_rsa(alg) && !RSA_DECRYPTS {
                            return match decrypted {
                                Err(rjose::Error::NotSupported(m)) if m.contains("RUSTSEC-2023-0071") => Ok(()),
                                other => Err(format!("expected the RSA decryption refusal, got {other:?}")),
                            };
                        }
                        let decrypted = decrypted.map_err(|e| e.to_string())?;
                        match decrypted.plaintext == PLAINTEXT {
                            true => Ok(()),
                            false => Err("plaintext differs".into()),
                        }
                    }),
                );
            }
        }
    }
    Ok(())
}

fn thumbprint(key: &Key) -> Result<String, String> {
    key.thumbprint(Digest::Sha256).map_err(|e| e.to_string())
}

fn key_jobs(peer: &Peer, batch: &mut Batch) -> TestResult {
    for kind in &peer.keys {
        // Peer -> ours: the peer's key in each form imports here, with the peer's thumbprint.
        let mut job = (kind.peer_job)();
        job["op"] = json!("export_keys");
        let pem = kind.pem;
        batch.add(
            "keys",
            kind.label.into(),
            Way::PeerToOurs,
            kind.ml_dsa,
            job,
            Box::new(move |result| {
                let expected = str_field(result, "thumbprint")?;
                let mut forms = vec![("jwk", Key::from_jwk_json(&result["jwk"].to_string()))];
                // Every asymmetric key has a public form: a peer that did not
                // return it has not shown that it imports here.
                if result["jwk"]["kty"] != "oct" {
                    let public = result.get("public_jwk").ok_or("the peer returned no public_jwk")?;
                    forms.push(("public jwk", Key::from_jwk_json(&public.to_string())));
                }
                if pem {
                    forms.push(("spki", Key::from_spki_pem(str_field(result, "spki")?)));
                    forms.push(("pkcs8", Key::from_pkcs8_pem(str_field(result, "pkcs8")?)));
                }
                for (form, imported) in forms {
                    let key = imported.map_err(|e| format!("{form}: {e}"))?;
                    let ours = thumbprint(&key)?;
                    if ours != expected {
                        return Err(format!("{form}: thumbprint {ours} != peer's {expected}"));
                    }
                }
                Ok(())
            }),
        );
        // Ours -> peer: our key in each form imports there, with our thumbprint.
        let key = match (kind.ours)() {
            Ok(key) => key,
            Err(e) if kind.ml_dsa => return Err(format!("{}: {e}", kind.label).into()),
            Err(e) => return Err(e.into()),
        };
        let mut job = json!({"op": "import_keys", "jwk": jwk_value(&key)?});
        if !key.is_symmetric() {
            job["public_jwk"] = jwk_value(&key.public_key()?)?;
            if kind.pem {
                job["spki"] = json!(key.to_spki_pem()?);
                job["pkcs8"] = json!(key.to_pkcs8_pem()?.as_str());
            }
        }
        let expected = thumbprint(&key)?;
        let sent: Vec<&'static str> = ["jwk", "jwk_direct", "public_jwk", "spki", "pkcs8"]
            .into_iter()
            .filter(|form| matches!(*form, "jwk" | "jwk_direct") || job.get(*form).is_some())
            .collect();
        batch.add(
            "keys",
            kind.label.into(),
            Way::OursToPeer,
            kind.ml_dsa,
            job,
            Box::new(move |result| {
                // Each form sent must come back thumbprinted: a form the peer
                // left out is one it did not import.
                for form in &sent {
                    let theirs = result
                        .get(*form)
                        .ok_or_else(|| format!("{form}: the peer returned nothing"))?;
                    let theirs = theirs.as_str().ok_or_else(|| format!("{form}: {theirs}"))?;
                    if theirs != expected {
                        return Err(format!("{form}: peer's thumbprint {theirs} != ours {expected}"));
                    }
                }
                Ok(())
            }),
        );
    }
    Ok(())
}

fn claims_jobs(batch: &mut Batch) -> TestResult {
    for alg in [Alg::HS256, Alg::ES256, Alg::EdDSA] {
        let key = match alg {
            Alg::HS256 => generate_secret(alg)?,
            alg => pair_private(alg, KeyPairOptions::default())?,
        };
        let public = verifier(&key)?;
        let expected = claims();
        let Value::Object(map) = expected.clone() else {
            return Err("claims are an object".into());
        };
        let token = SignJwt::from_claims(map)
            .protected_header(JwsHeader::new(alg).typ("JWT"))
            .sign(&key)?;
        let same = |expected: Value| -> Check {
            Box::new(move |result| match result["claims"] == expected {
                true => Ok(()),
                false => Err(format!("claims differ: {}", result["claims"])),
            })
        };
        batch.add(
            "claims",
            alg.name().into(),
            Way::OursToPeer,
            false,
            json!({"op": "jwt_verify", "alg": alg.name(), "jwk": jwk_value(&public)?, "token": token,
                   "issuer": ISSUER, "audience": AUDIENCE}),
            same(expected.clone()),
        );
        batch.add(
            "claims",
            alg.name().into(),
            Way::PeerToOurs,
            false,
            json!({"op": "jwt_sign", "alg": alg.name(), "jwk": jwk_value(&key)?, "claims": expected.clone()}),
            Box::new(move |result| {
                let options = VerifyOptions::new().algorithms([alg]).issuer(ISSUER).audience(AUDIENCE);
                let verified = jwt_verify::<JsonObject>(str_field(result, "token")?, &public, &options)
                    .map_err(|e| e.to_string())?;
                match Value::Object(verified.claims) == expected {
                    true => Ok(()),
                    false => Err("claims differ".into()),
                }
            }),
        );
    }
    Ok(())
}

/// The algorithms of npm `dpop` (its `JWSAlgorithm`): proofs go both ways
/// with each.
const DPOP_ALGS: [Alg; 4] = [Alg::ES256, Alg::Ed25519, Alg::RS256, Alg::PS256];

/// RFC 9449's example access token (Figure 13).
const DPOP_ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";

/// A request a proof is made for.
struct DpopRequest {
    label: &'static str,
    htm: &'static str,
    /// The proof's `htu`: the URI without query and fragment.
    htu: &'static str,
    /// The URI as the server sees the request: another spelling of `htu`,
    /// with a query, which the comparison ignores.
    request_uri: &'static str,
    nonce: Option<&'static str>,
    access_token: Option<&'static str>,
}

/// A token request (no `ath`, no `nonce`) and a resource request with both.
const DPOP_REQUESTS: [DpopRequest; 2] = [
    DpopRequest {
        label: "token endpoint",
        htm: "POST",
        htu: "https://as.example/token",
        request_uri: "https://AS.example:443/token",
        nonce: None,
        access_token: None,
    },
    DpopRequest {
        label: "resource, ath + nonce",
        htm: "GET",
        htu: "https://api.example/orders",
        request_uri: "https://api.example/orders?page=2#top",
        nonce: Some("eyJ7S_zG.eyJH0-Z.HX4w-7v"),
        access_token: Some(DPOP_ACCESS_TOKEN),
    },
];

impl DpopRequest {
    /// The job's request fields; `nonce` and `access_token` only when set.
    fn job(&self, op: &str, alg: Alg) -> Value {
        let mut job = json!({"op": op, "alg": alg.name(), "htm": self.htm, "htu": self.htu});
        if let Some(nonce) = self.nonce {
            job["nonce"] = json!(nonce);
        }
        if let Some(token) = self.access_token {
            job["access_token"] = json!(token);
        }
        job
    }

    /// What a server receiving this request checks.
    fn options(&self, alg: Alg) -> DpopVerifyOptions {
        let mut options = DpopVerifyOptions::new(self.htm, self.request_uri).algorithms([alg]);
        if let Some(nonce) = self.nonce {
            options = options.nonce(nonce);
        }
        if let Some(token) = self.access_token {
            options = options.access_token(token);
        }
        options
    }
}

/// A proof that verifies with `options` must fail with `code` once the
/// request differs.
fn refused_with(proof: &str, options: &DpopVerifyOptions, code: &str) -> Result<(), String> {
    match verify_proof(proof, options) {
        Err(e) if e.code() == code => Ok(()),
        other => Err(format!("expected {code}, got {other:?}")),
    }
}

fn dpop_jobs(batch: &mut Batch) -> TestResult {
    for alg in DPOP_ALGS {
        let key = match alg {
            Alg::RS256 | Alg::PS256 => unbound(&rsa()?.private_key),
            alg => pair_private(alg, KeyPairOptions::default())?,
        };
        for request in &DPOP_REQUESTS {
            let label = format!("{} {}", alg.name(), request.label);
            // Ours -> peer: signed for the URI as the client addresses it.
            let mut proof = DpopProof::new(request.htm, request.request_uri).alg(alg);
            if let Some(nonce) = request.nonce {
                proof = proof.nonce(nonce);
            }
            if let Some(token) = request.access_token {
                proof = proof.access_token(token);
            }
            let mut job = request.job("dpop_verify", alg);
            job["proof"] = json!(proof.sign(&key)?);
            let jkt = thumbprint(&key)?;
            batch.add(
                "DPoP",
                label.clone(),
                Way::OursToPeer,
                false,
                job,
                Box::new(move |result| match str_field(result, "jkt")? == jkt {
                    true => Ok(()),
                    false => Err(format!("the peer's jkt {} is not ours, {jkt}", result["jkt"])),
                }),
            );
            // Peer -> ours: its proof passes every check of a server that
            // knows the key's thumbprint, and fails once the token or the
            // nonce differs.
            let options = request.options(alg);
            let has_ath = request.access_token.is_some();
            let has_nonce = request.nonce.is_some();
            batch.add(
                "DPoP",
                label,
                Way::PeerToOurs,
                false,
                request.job("dpop_proof", alg),
                Box::new(move |result| {
                    let proof = str_field(result, "proof")?;
                    let jkt = str_field(result, "jkt")?;
                    let verified =
                        verify_proof(proof, &options.clone().expected_jkt(jkt)).map_err(|e| e.to_string())?;
                    if verified.header().alg != Some(alg) {
                        return Err(format!("alg {:?}", verified.header().alg));
                    }
                    if has_ath {
                        refused_with(
                            proof,
                            &options.clone().access_token("another token"),
                            "ERR_DPOP_ATH_MISMATCH",
                        )?;
                    }
                    if has_nonce {
                        refused_with(proof, &options.clone().nonce("another-nonce"), "ERR_DPOP_NONCE_INVALID")?;
                    }
                    refused_with(
                        proof,
                        &options.clone().expected_jkt("A".repeat(43)),
                        "ERR_DPOP_BINDING_MISMATCH",
                    )
                }),
            );
        }
    }
    Ok(())
}

/// Runs every job with one peer; returns its matrix and its failures.
fn exercise(peer: &Peer) -> TestResult<(String, Vec<String>)> {
    let mut batch = Batch::default();
    jws_jobs(peer, &mut batch)?;
    jwe_jobs(peer, &mut batch)?;
    key_jobs(peer, &mut batch)?;
    claims_jobs(&mut batch)?;
    if peer.dpop {
        dpop_jobs(&mut batch)?;
    }
    let response = run_peer(peer, &batch.jobs)?;

    let mut outcomes: BTreeMap<Item, Result<(), String>> = batch.local.into_iter().collect();
    let mut skipped = peer.skipped.clone();
    let mut ml_dsa_skipped = false;
    for ((item, ml_dsa, check), result) in batch.checks.into_iter().zip(response.results) {
        if ml_dsa && !response.ml_dsa {
            ml_dsa_skipped = true;
            continue;
        }
        let outcome = match result["ok"].as_bool() {
            Some(true) => check(&result),
            _ => Err(format!("peer: {}", result["error"])),
        };
        outcomes.insert(item, outcome);
    }
    if ml_dsa_skipped {
        skipped.push("JWS ML-DSA-44/65/87 and AKP keys: this runtime's WebCrypto has no ML-DSA (Node.js >= 24)".into());
    }

    let failures: Vec<String> = outcomes
        .iter()
        .filter_map(|(item, outcome)| {
            outcome
                .as_ref()
                .err()
                .map(|e| format!("{} {} {} {:?}: {e}", peer.name, item.section, item.label, item.way))
        })
        .collect();
    let dpop = peer.dpop.then(|| response.dpop.clone().unwrap_or_else(|| "?".into()));
    Ok((
        matrix(peer.name, &response.peer, dpop.as_deref(), &outcomes, &skipped),
        failures,
    ))
}

fn matrix(
    name: &str,
    version: &str,
    dpop_version: Option<&str>,
    outcomes: &BTreeMap<Item, Result<(), String>>,
    skipped: &[String],
) -> String {
    // Per section: label -> (ours->peer ok, peer->ours ok), absent ways counting as missing.
    let mut sections: BTreeMap<&str, BTreeMap<String, [Option<bool>; 2]>> = BTreeMap::new();
    for (item, outcome) in outcomes {
        let ways = sections
            .entry(item.section)
            .or_default()
            .entry(item.label.clone())
            .or_default();
        ways[item.way as usize] = Some(outcome.is_ok());
    }
    // (labels exercised both ways, labels) in a section.
    let count = |section: &str| -> (usize, usize) {
        sections.get(section).map_or((0, 0), |rows| {
            let both = rows
                .values()
                .filter(|ways| ways.iter().all(|way| *way == Some(true)))
                .count();
            (both, rows.len())
        })
    };
    let jws_algs: Vec<&str> = sections
        .get("JWS")
        .map_or_else(Vec::new, |rows| rows.keys().map(String::as_str).collect());
    let (jws_both, jws_total) = count("JWS");
    // JWE rows are per curve for ECDH-ES; count alg x enc pairs too.
    let mut pairs: BTreeMap<String, bool> = BTreeMap::new();
    let mut one_way_pairs: BTreeMap<String, bool> = BTreeMap::new();
    if let Some(rows) = sections.get("JWE") {
        for (label, ways) in rows {
            let pair: String = label.split(' ').take(2).collect::<Vec<_>>().join(" ");
            if ways.contains(&None) {
                let ok = ways.iter().flatten().all(|ok| *ok);
                *one_way_pairs.entry(pair).or_insert(true) &= ok;
            } else {
                let ok = ways.iter().all(|way| *way == Some(true));
                *pairs.entry(pair).or_insert(true) &= ok;
            }
        }
    }
    let jwe_cases = sections
        .get("JWE")
        .map_or(0, |rows| rows.values().filter(|ways| !ways.contains(&None)).count());
    let (keys_both, keys_total) = count("keys");
    let key_kinds: Vec<&str> = sections
        .get("keys")
        .map_or_else(Vec::new, |rows| rows.keys().map(String::as_str).collect());
    let (claims_both, claims_total) = count("claims");
    let refused = sections
        .get("RSA1_5 refused")
        .map_or(0, |rows| rows.values().filter(|w| w[0] == Some(true)).count());
    let rsa1_5 = one_way_pairs.values().filter(|ok| **ok).count();
    let mut text = format!("interop {name} [{version}]:\n");
    text += &format!(
        "  JWS: {jws_both}/{jws_total} algs both ways ({})\n",
        jws_algs.join(", ")
    );
    text += &format!(
        "  JWE: {}/{} alg x enc pairs both ways ({jwe_cases} cases, ECDH-ES on {})",
        pairs.values().filter(|ok| **ok).count(),
        pairs.len(),
        CURVES.join(", ")
    );
    if !one_way_pairs.is_empty() {
        text += &format!(
            "; RSA1_5: {rsa1_5}/{} enc peer -> ours (opt-in only), {refused} refused by ours to encrypt",
            one_way_pairs.len()
        );
    }
    text += "\n";
    text += &format!(
        "  keys: {keys_both}/{keys_total} key types both ways, JWK + SPKI + PKCS#8 (oct: JWK) ({})\n",
        key_kinds.join(", ")
    );
    text += &format!("  thumbprints: {keys_both}/{keys_total} key types agree (RFC 7638, SHA-256, every form)\n");
    text +=
        &format!("  claims: {claims_both}/{claims_total} JWT round trips both ways identical (HS256, ES256, EdDSA)\n");
    if let Some(dpop_version) = dpop_version {
        let (dpop_both, dpop_total) = count("DPoP");
        let algs: Vec<&str> = DPOP_ALGS.iter().map(|alg| alg.name()).collect();
        text += &format!(
            "  DPoP: {dpop_both}/{dpop_total} proofs both ways ({}; a token request, and a resource request with ath + nonce): \
             npm dpop {dpop_version} proofs verified by ours, ours by jose jwtVerify + EmbeddedJWK and the RFC 9449 checks in JS \
             (dpop has no verifier); thumbprints (cnf.jkt) agree\n",
            algs.join(", ")
        );
    }
    for reason in skipped {
        text += &format!("  skipped: {reason}\n");
    }
    text
}

#[test]
fn tokens_keys_and_claims_interoperate_with_js_jose_and_jwcrypto() -> TestResult {
    let peers: Vec<Peer> = [js_peer(), python_peer()].into_iter().filter(installed).collect();
    if peers.is_empty() {
        return Ok(());
    }
    // Warm the shared RSA key once, then let both peers run side by side.
    rsa()?;
    let reports: Vec<Result<(String, Vec<String>), String>> = std::thread::scope(|scope| {
        let handles: Vec<_> = peers
            .iter()
            .map(|peer| scope.spawn(move || exercise(peer).map_err(|e| format!("{}: {e}", peer.name))))
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or_else(|_| Err("a peer thread panicked".into())))
            .collect()
    });
    let mut text = String::new();
    let mut failures = Vec::new();
    for report in reports {
        let (matrix, failed) = report?;
        text += &matrix;
        failures.extend(failed);
    }
    println!("{text}");
    let out = root().join("target");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("interop-matrix.txt"), &text)?;
    assert!(
        failures.is_empty(),
        "{} interop failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}
