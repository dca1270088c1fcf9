//! `ecdh` against the selected provider: the same checks for each.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::backend::EcdhCurve;
use crate::backend::ecdh::*;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn b64(s: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(s).unwrap()
}

/// A P-256 private JWK: its scalar and its uncompressed point.
struct P256Jwk {
    d: Vec<u8>,
    public: Vec<u8>,
}

fn p256_jwk(json: &str) -> P256Jwk {
    let jwk: serde_json::Value = serde_json::from_str(json).unwrap();
    let member = |name: &str| b64(jwk[name].as_str().unwrap());
    P256Jwk {
        d: member("d"),
        public: [vec![4], member("x"), member("y")].concat(),
    }
}

/// Alice's ephemeral key and Bob's key.
fn rfc7518_appendix_c() -> (P256Jwk, P256Jwk) {
    let alice = p256_jwk(include_str!(
        "../../../tests/vectors/rfc-appendix/hotplace/rfc7518_C_alice.jwk"
    ));
    let bob = p256_jwk(include_str!(
        "../../../tests/vectors/rfc-appendix/hotplace/rfc7518_C_bob.jwk"
    ));
    (alice, bob)
}

#[test]
fn rfc7518_appendix_c_agreement_and_concat_kdf() {
    let (alice_jwk, bob_jwk) = rfc7518_appendix_c();
    let alice = EcdhPrivate::from_scalar(EcdhCurve::P256, &alice_jwk.d).unwrap();
    let bob = EcdhPrivate::from_scalar(EcdhCurve::P256, &bob_jwk.d).unwrap();
    assert_eq!(alice.public_bytes().unwrap(), alice_jwk.public);
    assert_eq!(bob.public_bytes().unwrap(), bob_jwk.public);
    assert_eq!(alice.scalar().unwrap().as_slice(), alice_jwk.d);

    let z = ecdh(&alice, &bob_jwk.public).unwrap();
    assert_eq!(z.len(), 32);
    assert_eq!(ecdh(&bob, &alice_jwk.public).unwrap(), z);

    let key = concat_kdf(&z, b"A128GCM", b"Alice", b"Bob", 16).unwrap();
    assert_eq!(URL_SAFE_NO_PAD.encode(key.as_slice()), "VqqN6vgjbSBcIijNcacQGg");
}

#[test]
fn rfc8037_appendix_a6_x25519_shared_secret() {
    let file: serde_json::Value = serde_json::from_str(include_str!(
        "../../../tests/vectors/rfc-appendix/erlang-jose/rfc8037/A.6.json"
    ))
    .unwrap();
    let value = |name: &str| hex(file["values"][name].as_str().unwrap());
    let ephemeral = EcdhPrivate::from_scalar(EcdhCurve::X25519, &value("a.6.epk-secret+hex")).unwrap();
    let bob = EcdhPrivate::from_scalar(EcdhCurve::X25519, &value("a.6.bob-secret+hex")).unwrap();
    assert_eq!(ephemeral.public_bytes().unwrap(), value("a.6.epk-pk+hex"));
    assert_eq!(
        x25519_public_from_private(&value("a.6.bob-secret+hex")).unwrap(),
        value("a.6.bob-pk+hex")
    );
    assert_eq!(bob.scalar().unwrap().as_slice(), value("a.6.bob-secret+hex"));

    let z = ecdh(&ephemeral, &value("a.6.bob-pk+hex")).unwrap();
    assert_eq!(z.as_slice(), value("a.6.z+hex"));
    assert_eq!(ecdh(&bob, &value("a.6.epk-pk+hex")).unwrap(), z);
}

#[test]
fn generated_keys_agree_on_every_curve() {
    for curve in [EcdhCurve::P256, EcdhCurve::P384, EcdhCurve::P521, EcdhCurve::X25519] {
        let a = EcdhPrivate::generate(curve).unwrap();
        let b = EcdhPrivate::generate(curve).unwrap();
        assert_eq!(a.curve(), curve);
        let z = ecdh(&a, &b.public_bytes().unwrap()).unwrap();
        assert_eq!(z.len(), curve.scalar_len());
        assert_eq!(ecdh(&b, &a.public_bytes().unwrap()).unwrap(), z);
        // The scalar round-trips through its encoding.
        let again = EcdhPrivate::from_scalar(curve, &a.scalar().unwrap()).unwrap();
        assert_eq!(again.public_bytes().unwrap(), a.public_bytes().unwrap());
    }
}

#[test]
fn off_curve_point_is_refused() {
    let (alice_jwk, bob_jwk) = rfc7518_appendix_c();
    let alice = EcdhPrivate::from_scalar(EcdhCurve::P256, &alice_jwk.d).unwrap();
    let mut bob_public = bob_jwk.public;
    let last = bob_public.len() - 1;
    bob_public[last] ^= 1;
    assert!(ecdh(&alice, &bob_public).is_err());
    // The point at infinity and an all-zero "point" are not public keys.
    assert!(ecdh(&alice, &[0u8]).is_err());
    assert!(ecdh(&alice, &[[4u8].as_slice(), &[0u8; 64]].concat()).is_err());
}

#[test]
fn other_encodings_and_wrong_lengths_are_refused() {
    let (alice_jwk, bob_jwk) = rfc7518_appendix_c();
    let alice = EcdhPrivate::from_scalar(EcdhCurve::P256, &alice_jwk.d).unwrap();
    let (alice_public, bob_public) = (alice_jwk.public, bob_jwk.public);
    assert!(ecdh(&alice, &bob_public[..64]).is_err());
    assert!(ecdh(&alice, &[bob_public.as_slice(), &[0]].concat()).is_err());
    assert!(ecdh(&alice, &[]).is_err());
    // A compressed point is valid SEC1, but not the encoding JWE uses.
    let mut compressed = bob_public[..33].to_vec();
    compressed[0] = 2 + (bob_public[64] & 1);
    assert!(ecdh(&alice, &compressed).is_err());
    // A P-256 point handed to a P-384 key.
    let p384 = EcdhPrivate::generate(EcdhCurve::P384).unwrap();
    assert!(ecdh(&p384, &alice_public).is_err());

    let x = EcdhPrivate::generate(EcdhCurve::X25519).unwrap();
    assert!(ecdh(&x, &[9u8; 31]).is_err());
    assert!(ecdh(&x, &[9u8; 33]).is_err());
    assert!(ecdh(&x, &alice_public).is_err());
}

#[test]
fn all_zero_x25519_shared_secret_is_refused() {
    let private = EcdhPrivate::generate(EcdhCurve::X25519).unwrap();
    // Points of small order (RFC 7748 section 7; Bernstein's list):
    // 0, 1, and a point of order 8, all of which give Z = 0.
    let zero = [0u8; 32];
    let mut one = [0u8; 32];
    one[0] = 1;
    let order_eight = hex("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
    for point in [&zero[..], &one[..], &order_eight] {
        assert!(ecdh(&private, point).is_err());
    }
}

#[test]
fn private_scalars_are_checked() {
    assert!(EcdhPrivate::from_scalar(EcdhCurve::P256, &[0u8; 32]).is_err());
    assert!(EcdhPrivate::from_scalar(EcdhCurve::P256, &[0xffu8; 32]).is_err());
    assert!(EcdhPrivate::from_scalar(EcdhCurve::P256, &[1u8; 31]).is_err());
    assert!(EcdhPrivate::from_scalar(EcdhCurve::P521, &[1u8; 65]).is_err());
    assert!(EcdhPrivate::from_scalar(EcdhCurve::X25519, &[1u8; 31]).is_err());
    assert!(x25519_public_from_private(&[1u8; 33]).is_err());
}

#[test]
fn concat_kdf_binds_every_input_and_refuses_bad_lengths() {
    let z = [7u8; 32];
    let base = concat_kdf(&z, b"A256GCM", b"u", b"v", 32).unwrap();
    assert_eq!(base.len(), 32);
    // Lengths are prefixed, so moving a byte between fields changes the key.
    assert_ne!(concat_kdf(&z, b"A256GCM", b"", b"uv", 32).unwrap(), base);
    assert_ne!(concat_kdf(&z, b"A256GCMu", b"", b"v", 32).unwrap(), base);
    assert_ne!(concat_kdf(&[8u8; 32], b"A256GCM", b"u", b"v", 32).unwrap(), base);
    // SuppPubInfo carries the length, so a shorter key is not a prefix.
    let short = concat_kdf(&z, b"A256GCM", b"u", b"v", 16).unwrap();
    assert_ne!(short.as_slice(), &base[..16]);
    // More than one SHA-256 block of output (A256CBC-HS512 needs 64 bytes).
    assert_eq!(concat_kdf(&z, b"A256CBC-HS512", b"", b"", 64).unwrap().len(), 64);
    assert!(concat_kdf(&z, b"A128GCM", b"", b"", 0).is_err());
    assert!(concat_kdf(&[], b"A128GCM", b"", b"", 16).is_err());
}
