//! ECDH-ES key agreement (P-256, P-384, P-521, X25519) and the Concat KDF
//! that turns its shared secret into a key, RFC 7518 section 4.6 and
//! RFC 8037 section 3.2. The agreement comes from `p256`/`p384`/`p521`
//! (`ecdh`) and `x25519-dalek`; the Concat KDF is the few lines of glue
//! over `sha2` below (the `concat-kdf` crate is still on an older `digest`).

use p256::elliptic_curve::Generate as _;
use sha2::Digest as _;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::backend::{EcdhCurve, Rejected};

enum Secret {
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
    X25519(x25519_dalek::StaticSecret),
}

/// A private key for ECDH-ES: an ephemeral one on the sending side, the
/// recipient's static one on the receiving side.
pub(crate) struct EcdhPrivate {
    curve: EcdhCurve,
    key: Secret,
}

impl EcdhPrivate {
    /// A fresh key from the operating system's CSPRNG.
    pub(crate) fn generate(curve: EcdhCurve) -> Result<Self, Rejected> {
        let rng = &mut super::rand::rng();
        let key = match curve {
            EcdhCurve::P256 => Secret::P256(p256::SecretKey::try_generate_from_rng(rng).map_err(|_| Rejected)?),
            EcdhCurve::P384 => Secret::P384(p384::SecretKey::try_generate_from_rng(rng).map_err(|_| Rejected)?),
            EcdhCurve::P521 => Secret::P521(p521::SecretKey::try_generate_from_rng(rng).map_err(|_| Rejected)?),
            EcdhCurve::X25519 => {
                let mut seed = Zeroizing::new([0u8; 32]);
                super::rand::fill(seed.as_mut_slice())?;
                Secret::X25519(x25519_dalek::StaticSecret::from(*seed))
            }
        };
        Ok(EcdhPrivate { curve, key })
    }

    /// For P-*, `d` is the big-endian scalar padded to the curve's width
    /// (32, 48 or 66 bytes) and must lie in `1..n`; for X25519 it is the 32
    /// raw bytes (clamped by the crate when used).
    pub(crate) fn from_scalar(curve: EcdhCurve, d: &[u8]) -> Result<Self, Rejected> {
        if d.len() != curve.scalar_len() {
            return Err(Rejected);
        }
        let key = match curve {
            EcdhCurve::P256 => Secret::P256(p256::SecretKey::from_slice(d).map_err(|_| Rejected)?),
            EcdhCurve::P384 => Secret::P384(p384::SecretKey::from_slice(d).map_err(|_| Rejected)?),
            EcdhCurve::P521 => Secret::P521(p521::SecretKey::from_slice(d).map_err(|_| Rejected)?),
            EcdhCurve::X25519 => {
                let bytes: Zeroizing<[u8; 32]> = Zeroizing::new(d.try_into().map_err(|_| Rejected)?);
                Secret::X25519(x25519_dalek::StaticSecret::from(*bytes))
            }
        };
        Ok(EcdhPrivate { curve, key })
    }

    pub(crate) fn curve(&self) -> EcdhCurve {
        self.curve
    }

    /// The public key: the uncompressed SEC1 point `04 || x || y` for P-*,
    /// the 32 raw bytes for X25519.
    pub(crate) fn public_bytes(&self) -> Result<Vec<u8>, Rejected> {
        let bytes = match &self.key {
            Secret::P256(key) => key.public_key().to_sec1_bytes().to_vec(),
            Secret::P384(key) => key.public_key().to_sec1_bytes().to_vec(),
            Secret::P521(key) => key.public_key().to_sec1_bytes().to_vec(),
            Secret::X25519(key) => x25519_dalek::PublicKey::from(key).as_bytes().to_vec(),
        };
        if bytes.len() != self.curve.public_len() {
            return Err(Rejected);
        }
        Ok(bytes)
    }

    /// The private scalar in the encoding `from_scalar` takes, for JWK export.
    pub(crate) fn scalar(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        let scalar = match &self.key {
            Secret::P256(key) => Zeroizing::new(key.to_bytes().to_vec()),
            Secret::P384(key) => Zeroizing::new(key.to_bytes().to_vec()),
            Secret::P521(key) => Zeroizing::new(key.to_bytes().to_vec()),
            Secret::X25519(key) => Zeroizing::new(key.as_bytes().to_vec()),
        };
        if scalar.len() != self.curve.scalar_len() {
            return Err(Rejected);
        }
        Ok(scalar)
    }
}

/// The raw ECDH shared secret Z between `private` and `peer_public`.
///
/// `peer_public` uses the encodings of `public_bytes`. Only that exact form is
/// accepted (the crates would also take compressed points), and the crate
/// checks that a P-* point lies on the curve, which stops invalid-curve
/// attacks that would otherwise leak the recipient's key. An X25519 peer of
/// small order yields an all-zero Z that does not depend on the private key
/// at all; it is refused, as RFC 7748 section 6.1 allows.
pub(crate) fn ecdh(private: &EcdhPrivate, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    let curve = private.curve;
    let well_formed = match curve {
        EcdhCurve::X25519 => peer_public.len() == curve.public_len(),
        _ => peer_public.len() == curve.public_len() && peer_public.first() == Some(&0x04),
    };
    if !well_formed {
        return Err(Rejected);
    }
    let shared = match &private.key {
        Secret::P256(key) => {
            let peer = p256::PublicKey::from_sec1_bytes(peer_public).map_err(|_| Rejected)?;
            Zeroizing::new(key.diffie_hellman(&peer).raw_secret_bytes().to_vec())
        }
        Secret::P384(key) => {
            let peer = p384::PublicKey::from_sec1_bytes(peer_public).map_err(|_| Rejected)?;
            Zeroizing::new(key.diffie_hellman(&peer).raw_secret_bytes().to_vec())
        }
        Secret::P521(key) => {
            let peer = p521::PublicKey::from_sec1_bytes(peer_public).map_err(|_| Rejected)?;
            Zeroizing::new(key.diffie_hellman(&peer).raw_secret_bytes().to_vec())
        }
        Secret::X25519(key) => {
            let peer: [u8; 32] = peer_public.try_into().map_err(|_| Rejected)?;
            let z = key.diffie_hellman(&x25519_dalek::PublicKey::from(peer));
            Zeroizing::new(z.as_bytes().to_vec())
        }
    };
    // Compared in constant time (`subtle`): Z is secret.
    if curve == EcdhCurve::X25519 && bool::from(shared.as_slice().ct_eq(&[0u8; 32])) {
        return Err(Rejected);
    }
    Ok(shared)
}

/// The X25519 public key for the 32-byte private key `d`, so that a JWK's
/// `x` can be checked against its `d` at import.
pub(crate) fn x25519_public_from_private(d: &[u8]) -> Result<Vec<u8>, Rejected> {
    EcdhPrivate::from_scalar(EcdhCurve::X25519, d)?.public_bytes()
}

/// The Concat KDF of RFC 7518 section 4.6.2 (NIST SP 800-56A section
/// 5.8.1) with SHA-256, deriving `key_len` bytes from the shared secret Z.
///
/// OtherInfo is `AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo`,
/// the first three each prefixed with their 32-bit big-endian length and
/// SuppPubInfo being the output length in bits, also 32-bit big-endian;
/// SuppPrivInfo is empty. Each round hashes a 32-bit big-endian counter
/// (from 1), Z and OtherInfo; the rounds are concatenated and truncated.
pub(crate) fn concat_kdf(
    shared_secret: &[u8],
    algorithm_id: &[u8],
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    if key_len == 0 || shared_secret.is_empty() {
        return Err(Rejected);
    }
    let key_bits = key_len
        .checked_mul(8)
        .and_then(|bits| u32::try_from(bits).ok())
        .ok_or(Rejected)?;
    let mut other_info = Vec::new();
    for field in [algorithm_id, apu, apv] {
        let len = u32::try_from(field.len()).map_err(|_| Rejected)?;
        other_info.extend_from_slice(&len.to_be_bytes());
        other_info.extend_from_slice(field);
    }
    other_info.extend_from_slice(&key_bits.to_be_bytes());

    let mut out = Zeroizing::new(Vec::with_capacity(key_len + 32));
    let mut counter: u32 = 1;
    while out.len() < key_len {
        let mut hash = sha2::Sha256::new();
        hash.update(counter.to_be_bytes());
        hash.update(shared_secret);
        hash.update(&other_info);
        out.extend_from_slice(&Zeroizing::new(hash.finalize()));
        // key_bits fits in 32 bits, so the rounds (key_len / 32) do too.
        counter = counter.checked_add(1).ok_or(Rejected)?;
    }
    out.truncate(key_len);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    use super::*;

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
}
