//! JWK Set import. Round trip: the public document of a set imports again
//! with one key per asymmetric key of the set, with the same thumbprints;
//! key selection by a fuzzed kid and alg never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jws::JwsHeader;
use rjose::{Alg, Digest, LocalJwkSet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(set) = LocalJwkSet::from_json(text) else { return };
    for alg in [Alg::HS256, Alg::RS256, Alg::ES256, Alg::EdDSA] {
        let _ = set.matching(&JwsHeader::new(alg)).count();
    }
    let public = set.to_public_json().expect("a loaded set has a public document");
    let again = LocalJwkSet::from_json(&public).expect("the public document of a set loads");
    let thumbprints = |set: &LocalJwkSet| -> Vec<String> {
        set.keys()
            .iter()
            .filter(|k| !k.is_symmetric())
            .map(|k| k.thumbprint(Digest::Sha256).expect("a loaded key has a thumbprint"))
            .collect()
    };
    assert_eq!(thumbprints(&set), thumbprints(&again), "JWK Set round trip");
    assert_eq!(again.skipped(), 0, "the public document of a set has no unusable key");
});
