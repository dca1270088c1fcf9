//! The CLI's key-file sniffing (`rjose --key FILE`): JWK, JWK Set, PEM or
//! DER, told apart by content. Oracle: no panic, and a single key it
//! returns exports as a JWK that imports again as the same key.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::{Digest, Key};
use rjose_cli::failure::flush_warnings;
use rjose_cli::keys::{Loaded, parse_key};

fuzz_target!(|data: &[u8]| {
    let loaded = parse_key(data);
    // Skipped keys of a set queue a warning; drop the queue each time.
    flush_warnings();
    if let Ok(Loaded::One(key)) = loaded {
        let thumbprint = key.thumbprint(Digest::Sha256).expect("a loaded key has a thumbprint");
        let jwk = key.to_jwk().expect("a loaded key exports");
        let again = Key::from_jwk(&jwk).expect("an exported JWK imports");
        assert_eq!(
            again.thumbprint(Digest::Sha256).ok(),
            Some(thumbprint),
            "key file round trip"
        );
    }
});
