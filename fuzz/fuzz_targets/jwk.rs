//! JWK import. Round trip: a JWK that imports exports (with its private
//! members) and imports again as the same key (same RFC 7638 thumbprint,
//! same privacy); its public part does too, and so does its SPKI DER.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::{Digest, Jwk, Key};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(jwk) = Jwk::from_json(text) {
        let _ = jwk.to_public().to_json();
    }
    let Ok(key) = Key::from_jwk_json(text) else { return };
    let thumbprint = key
        .thumbprint(Digest::Sha256)
        .expect("an imported key has a thumbprint");

    let exported = key.to_jwk().expect("an imported key exports").to_json();
    let again = Key::from_jwk_json(&exported).expect("an exported JWK imports");
    assert_eq!(
        again.thumbprint(Digest::Sha256).ok(),
        Some(thumbprint.clone()),
        "JWK round trip"
    );
    assert_eq!(again.is_private(), key.is_private(), "JWK round trip keeps privacy");

    if key.is_symmetric() {
        return;
    }
    let public = key.to_public_jwk().expect("an asymmetric key has a public JWK");
    let public = Key::from_jwk(&public).expect("a public JWK imports");
    assert_eq!(
        public.thumbprint(Digest::Sha256).ok(),
        Some(thumbprint.clone()),
        "public JWK round trip"
    );
    assert!(!public.is_private(), "the public JWK has no private member");
    if let Ok(der) = key.to_spki_der() {
        let spki = Key::from_spki_der(&der).expect("an exported SPKI imports");
        assert_eq!(
            spki.thumbprint(Digest::Sha256).ok(),
            Some(thumbprint),
            "SPKI round trip"
        );
    }
});
