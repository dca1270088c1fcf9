//! Encrypt then decrypt, driven by fuzz bytes: the first byte picks the
//! key management and content encryption algorithms and the fixed key,
//! the second the options (compression), the rest is the plaintext (its
//! first bytes also the `aad` of the flattened JWE).
//! Oracle: the compact, flattened and general serializations all decrypt
//! to the plaintext.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rjose::jwe::{
    CompactEncrypt, FlattenedEncrypt, GeneralEncrypt, JweHeader, KeyManagementParameters, compact_decrypt,
    flattened_decrypt, general_decrypt,
};
use rjose_fuzz::{jwe_options, recipients};

fuzz_target!(|data: &[u8]| {
    let [choice, flags, plaintext @ ..] = data else { return };
    let (alg, enc, key) = &recipients()[usize::from(*choice) % recipients().len()];
    let mut header = JweHeader::new(*alg, *enc);
    if flags & 1 != 0 {
        header = header.deflate();
    }
    // The lowest count PBES2 allows keeps the executions fast.
    let params = KeyManagementParameters::new().p2c(1_000);
    let public = if key.is_symmetric() {
        key.clone()
    } else {
        key.public_key().expect("a private key has a public one")
    };
    let options = jwe_options();

    let token = CompactEncrypt::new(plaintext)
        .protected_header(header.clone())
        .key_management_parameters(params.clone())
        .encrypt(&public)
        .expect("encrypts");
    let decrypted = compact_decrypt(&token, key, &options).expect("compact JWE decrypts");
    assert_eq!(decrypted.plaintext, plaintext, "compact round trip");

    let aad = &plaintext[..plaintext.len().min(8)];
    let flattened = FlattenedEncrypt::new(plaintext)
        .protected_header(header.clone())
        .aad(aad)
        .key_management_parameters(params.clone())
        .encrypt(&public)
        .expect("encrypts");
    let decrypted = flattened_decrypt(&flattened, key, &options).expect("flattened JWE decrypts");
    assert_eq!(decrypted.plaintext, plaintext, "flattened round trip");
    assert_eq!(
        decrypted.additional_authenticated_data.as_deref(),
        Some(aad),
        "flattened aad round trip"
    );

    let general = GeneralEncrypt::new(plaintext)
        .protected_header(header)
        .add_recipient_with(&public, JweHeader::default(), params)
        .encrypt()
        .expect("encrypts");
    let decrypted = general_decrypt(&general, key, &options).expect("general JWE decrypts");
    assert_eq!(decrypted.plaintext, plaintext, "general round trip");
});
