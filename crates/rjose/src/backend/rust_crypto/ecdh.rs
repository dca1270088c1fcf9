//! ECDH-ES key agreement (P-256, P-384, P-521, X25519) and the Concat KDF
//! that turns its shared secret into a key, RFC 7518 section 4.6 and
//! RFC 8037 section 3.2. The agreement comes from `p256`/`p384`/`p521`
//! (`ecdh`) and `x25519-dalek`; the Concat KDF is the few lines of glue
//! over `sha2` below (the `concat-kdf` crate is still on an older `digest`).

use p256::elliptic_curve::Generate as _;
use sha2::Digest as _;
use subtle::ConstantTimeEq as _;
use zeroize::Zeroizing;

use crate::backend::{EcdhCurve, Rejected, concat_kdf};

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

/// The Concat KDF of RFC 7518 section 4.6.2 with SHA-256, deriving
/// `key_len` bytes from the shared secret Z: each round hashes a 32-bit
/// big-endian counter (from 1), Z and OtherInfo
/// ([`concat_kdf::other_info`]); the rounds are concatenated and truncated.
pub(crate) fn concat_kdf(
    shared_secret: &[u8],
    algorithm_id: &[u8],
    apu: &[u8],
    apv: &[u8],
    key_len: usize,
) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    if shared_secret.is_empty() {
        return Err(Rejected);
    }
    let other_info = concat_kdf::other_info(algorithm_id, apu, apv, key_len)?;

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
