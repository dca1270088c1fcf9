//! Hostile input: protected headers of many distinct members, refused
//! before any signature is checked. The time per member must stay flat
//! from 1k to 100k members (issue #10: a quadratic duplicate check took
//! about 22 s for 100k).
//!
//! ```text
//! cargo bench --manifest-path bench/Cargo.toml --bench hostile
//! ```
//!
//! One criterion group, `hostile`, with two functions, each at 1k, 10k and
//! 100k members, reported per member (`Throughput::Elements`):
//! - `jwt_verify`: a compact HS256 token whose signature is wrong, verified
//!   with the right key; it fails at the signature, after the header parse.
//! - `decode_protected_header`: the same token's header as a JSON object.

mod common;

use std::hint::black_box;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rjose::jwt::{VerifyOptions, decode_protected_header, jwt_verify};
use rjose::{Alg, Error, JsonObject, Key};

const MEMBERS: [usize; 3] = [1_000, 10_000, 100_000];

/// `{"alg":"HS256","m0":0,...}` with `members` members in all, as a compact
/// token with an empty claims set and a signature that does not verify.
fn token(members: usize) -> String {
    let mut header = String::from(r#"{"alg":"HS256""#);
    for i in 1..members {
        header.push_str(&format!(r#","m{i}":0"#));
    }
    header.push('}');
    format!(
        "{}.e30.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode([0u8; 32])
    )
}

fn hostile(c: &mut Criterion) {
    let key = Key::from_secret([7u8; 32]).expect("a non-empty secret");
    let options = VerifyOptions::new().algorithms([Alg::HS256]);
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    for members in MEMBERS {
        let token = token(members);
        assert!(matches!(
            jwt_verify::<JsonObject>(&token, &key, &options),
            Err(Error::JwsSignatureVerificationFailed)
        ));
        assert_eq!(decode_protected_header(&token).map(|h| h.to_map().len()).ok(), Some(members));
        group.throughput(Throughput::Elements(members as u64));
        group.bench_with_input(BenchmarkId::new("jwt_verify", members), &token, |b, token| {
            b.iter(|| jwt_verify::<JsonObject>(black_box(token), &key, &options).is_err())
        });
        group.bench_with_input(
            BenchmarkId::new("decode_protected_header", members),
            &token,
            |b, token| b.iter(|| decode_protected_header(black_box(token)).is_ok()),
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = hostile
}
criterion_main!(benches);
