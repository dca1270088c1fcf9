//! PEM, DER and encrypted PKCS#8 import. The first byte picks the parser;
//! the rest is its input. Round trips: a key that imports exports as
//! PKCS#8 (private) or SPKI (public) and imports again with the same
//! thumbprint; an encrypted PKCS#8 import is checked against a re-export
//! under the same fixed password once in a while (the export runs PBKDF2).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::{Digest, Key};

// The password of the encrypted keys in crates/rjose/tests/fixtures/pem,
// so that the seeds decrypt.
const PASSWORD: &str = "correct horse";

fuzz_target!(|data: &[u8]| {
    let Some((&selector, input)) = data.split_first() else {
        return;
    };
    let text = std::str::from_utf8(input);
    let key = match (selector % 8, text) {
        (0, Ok(pem)) => Key::from_pem(pem),
        (1, Ok(pem)) => Key::from_spki_pem(pem),
        (2, Ok(pem)) => Key::from_pkcs8_pem(pem),
        (3, Ok(pem)) => Key::from_x509_pem(pem),
        (4, Ok(pem)) => Key::from_encrypted_pkcs8_pem(pem, PASSWORD),
        (5, _) => Key::from_der(input),
        (6, _) => Key::from_pkcs8_der(input),
        (7, _) => Key::from_spki_der(input).or_else(|_| Key::from_x509_der(input)),
        _ => return,
    };
    let Ok(key) = key else { return };
    let thumbprint = key
        .thumbprint(Digest::Sha256)
        .expect("an imported key has a thumbprint");
    if key.is_private() {
        let der = key.to_pkcs8_der().expect("a private key exports as PKCS#8");
        let again = Key::from_pkcs8_der(&der).expect("an exported PKCS#8 imports");
        assert_eq!(
            again.thumbprint(Digest::Sha256).ok(),
            Some(thumbprint.clone()),
            "PKCS#8 round trip"
        );
        if selector % 8 == 4 {
            let pem = key
                .to_encrypted_pkcs8_pem(PASSWORD)
                .expect("a private key exports encrypted");
            let again = Key::from_encrypted_pkcs8_pem(&pem, PASSWORD).expect("an exported encrypted PKCS#8 imports");
            assert_eq!(
                again.thumbprint(Digest::Sha256).ok(),
                Some(thumbprint.clone()),
                "encrypted PKCS#8 round trip"
            );
        }
    }
    if !key.is_symmetric() {
        let pem = key.to_spki_pem().expect("an asymmetric key exports as SPKI");
        let again = Key::from_spki_pem(&pem).expect("an exported SPKI imports");
        assert_eq!(
            again.thumbprint(Digest::Sha256).ok(),
            Some(thumbprint),
            "SPKI round trip"
        );
    }
});
