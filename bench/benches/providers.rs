//! rjose alone under each crypto provider: sign and verify of the access
//! token of `benches/jwt.rs` (HS256, RS256, PS256, ES256, EdDSA) and encrypt
//! and decrypt of it as a JWE (`dir`, `A256KW`, `ECDH-ES+A256KW` on P-256,
//! all with A256GCM), the same calls as the `rjose` rows of those two
//! benchmarks.
//!
//! ```text
//! bench/run.sh providers            # both providers, interleaved, into BENCHMARKS.md
//! bench/run.sh providers <commit>   # and rjose's aws-lc-rs provider at <commit>, side by side
//! ```
//!
//! A provider is a feature of rjose, and aws-lc-rs wins when both are on,
//! so the rust-crypto provider is measured from a build of its own: with
//! `--cfg jose_bench_providers` this package depends on rjose, criterion
//! and serde only, rjose's provider chosen by this package's features
//! (see `Cargo.toml`):
//!
//! ```text
//! RUSTFLAGS="--cfg jose_bench_providers" CARGO_TARGET_DIR=bench/target/providers \
//!     cargo bench --manifest-path bench/Cargo.toml --bench providers \
//!     --no-default-features --features rust-crypto
//! ```
//!
//! One criterion group per row (`HS256/sign`, `dir A256GCM/decrypt`, ...),
//! each with one function named after the provider compiled in
//! (`aws-lc-rs` or `rust-crypto`), or `JOSE_BENCH_PROVIDER_LABEL` when set
//! (bench/run.sh names a baseline commit's build `aws-lc-rs baseline`).
//! Keys are parsed once, outside the timed loops. A row's token is made and
//! checked to verify (or decrypt) the first time one of its two groups
//! runs, so a run filtered to one group (`--bench '^ES256/verify'`, or
//! `--test` under callgrind) signs, verifies, encrypts or decrypts nothing
//! else.

mod common;

use std::cell::OnceCell;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use rjose::jwe::{JweAlg, JweEnc, JweHeader};
use rjose::jws::JwsHeader;
use rjose::jwt::{DecryptOptions, EncryptJwt, SignJwt, VerifyOptions, jwt_decrypt, jwt_verify};
use rjose::{Alg, Key};

use common::{
    AUDIENCE, AccessClaims, EC_PRIVATE, EC_PUBLIC, ED_PRIVATE, ED_PUBLIC, ISSUER, RSA_PRIVATE, RSA_PUBLIC, SECRET,
    access_claims,
};

// Outside `--cfg jose_bench_providers` rjose keeps its default features, so
// asking for rust-crypto there would measure aws-lc-rs under its name.
#[cfg(all(feature = "rust-crypto", not(feature = "aws-lc-rs"), not(jose_bench_providers)))]
compile_error!(
    "the rust-crypto provider is measured only in a build with RUSTFLAGS=\"--cfg jose_bench_providers\" \
     (bench/run.sh providers)"
);

/// The `dir` key for A256GCM.
const DIR_GCM_KEY: &[u8; 32] = b"jose-benchmark-dir-a256gcm-key32";
/// The A256KW key encryption key.
const KEK: &[u8; 32] = b"jose-benchmark-a256kw-kek-32byte";

/// The function name of every benchmark: the provider rjose uses here.
fn provider() -> String {
    match std::env::var("JOSE_BENCH_PROVIDER_LABEL") {
        Ok(label) if !label.is_empty() => label,
        // rjose's own rule: aws-lc-rs when both are on.
        _ if cfg!(feature = "aws-lc-rs") => "aws-lc-rs".to_owned(),
        _ => "rust-crypto".to_owned(),
    }
}

struct Jws {
    alg: Alg,
    private: Key,
    public: Key,
}

fn jws_cases() -> [(&'static str, Jws); 5] {
    let pem = |pem: &str| Key::from_pem(pem).expect("benchmark key");
    let secret = || Key::from_secret(SECRET).expect("a non-empty secret");
    let case = |alg, private, public| Jws { alg, private, public };
    [
        ("HS256", case(Alg::HS256, secret(), secret())),
        ("RS256", case(Alg::RS256, pem(RSA_PRIVATE), pem(RSA_PUBLIC))),
        ("PS256", case(Alg::PS256, pem(RSA_PRIVATE), pem(RSA_PUBLIC))),
        ("ES256", case(Alg::ES256, pem(EC_PRIVATE), pem(EC_PUBLIC))),
        ("EdDSA", case(Alg::EdDSA, pem(ED_PRIVATE), pem(ED_PUBLIC))),
    ]
}

fn bench_jws(c: &mut Criterion, provider: &str, name: &str, case: Jws) {
    let claims = access_claims();
    let header = JwsHeader::new(case.alg).typ("JWT");
    let options = VerifyOptions::new()
        .algorithms([case.alg])
        .issuer(ISSUER)
        .audience(AUDIENCE);
    let sign = |claims: &AccessClaims| {
        SignJwt::new(claims)
            .protected_header(header.clone())
            .sign(&case.private)
            .expect("rjose signs")
    };
    let verify = |token: &str| {
        jwt_verify::<AccessClaims>(black_box(token), &case.public, &options)
            .expect("rjose verifies")
            .claims
    };
    let made = OnceCell::new();
    let token = || {
        made.get_or_init(|| {
            let token = sign(&claims);
            assert_eq!(verify(&token), claims);
            token
        })
    };

    c.benchmark_group(format!("{name}/sign")).bench_function(provider, |b| {
        token();
        b.iter(|| sign(black_box(&claims)))
    });
    c.benchmark_group(format!("{name}/verify"))
        .bench_function(provider, |b| {
            let token = token();
            b.iter(|| verify(token))
        });
}

struct Jwe {
    alg: JweAlg,
    encrypt_key: Key,
    decrypt_key: Key,
}

fn jwe_cases() -> [(&'static str, Jwe); 3] {
    let secret = |bytes: &[u8]| Key::from_secret(bytes).expect("a non-empty secret");
    let pem = |pem: &str| Key::from_pem(pem).expect("benchmark key");
    let case = |alg, encrypt_key, decrypt_key| Jwe {
        alg,
        encrypt_key,
        decrypt_key,
    };
    [
        (
            "dir A256GCM",
            case(JweAlg::Dir, secret(DIR_GCM_KEY), secret(DIR_GCM_KEY)),
        ),
        ("A256KW A256GCM", case(JweAlg::A256KW, secret(KEK), secret(KEK))),
        (
            "ECDH-ES+A256KW P-256 A256GCM",
            case(JweAlg::ECDH_ES_A256KW, pem(EC_PUBLIC), pem(EC_PRIVATE)),
        ),
    ]
}

fn bench_jwe(c: &mut Criterion, provider: &str, name: &str, case: Jwe) {
    let claims = access_claims();
    let header = JweHeader::new(case.alg, JweEnc::A256GCM);
    let options = DecryptOptions::new().claims(VerifyOptions::new().issuer(ISSUER).audience(AUDIENCE));
    let encrypt = |claims: &AccessClaims| {
        EncryptJwt::new(claims)
            .protected_header(header.clone())
            .encrypt(&case.encrypt_key)
            .expect("rjose encrypts")
    };
    let decrypt = |token: &str| {
        jwt_decrypt::<AccessClaims>(black_box(token), &case.decrypt_key, &options)
            .expect("rjose decrypts")
            .claims
    };
    let made = OnceCell::new();
    let token = || {
        made.get_or_init(|| {
            let token = encrypt(&claims);
            assert_eq!(decrypt(&token), claims);
            token
        })
    };

    c.benchmark_group(format!("{name}/encrypt"))
        .bench_function(provider, |b| {
            token();
            b.iter(|| encrypt(black_box(&claims)))
        });
    c.benchmark_group(format!("{name}/decrypt"))
        .bench_function(provider, |b| {
            let token = token();
            b.iter(|| decrypt(token))
        });
}

fn benches(c: &mut Criterion) {
    let provider = provider();
    for (name, case) in jws_cases() {
        bench_jws(c, &provider, name, case);
    }
    for (name, case) in jwe_cases() {
        bench_jwe(c, &provider, name, case);
    }
}

/// Shorter than `common::config`: bench/run.sh measures every row three
/// times per build, interleaving the builds, and a whole run stays within
/// about ten minutes. Slow rows (RSA signing with rust-crypto, milliseconds)
/// still get their 30 samples: criterion stretches the time to fit them.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
        .configure_from_args()
}

criterion_group! {
    name = providers;
    config = config();
    targets = benches
}
criterion_main!(providers);
