//! ECDH-ES key agreement (P-256, P-384, P-521, X25519) and the Concat KDF
//! that turns its shared secret into a key, RFC 7518 section 4.6 and
//! RFC 8037 section 3.2.

use aws_lc_rs::agreement::{self, ECDH_P256, ECDH_P384, ECDH_P521, PrivateKey, UnparsedPublicKey, X25519};
use aws_lc_rs::constant_time;
use aws_lc_rs::encoding::{AsBigEndian, Curve25519SeedBin, EcPrivateKeyBin};
use aws_lc_rs::kdf::{SskdfDigestAlgorithmId, get_sskdf_digest_algorithm, sskdf_digest};
use zeroize::Zeroizing;

use crate::backend::{EcdhCurve, Rejected, concat_kdf};

/// The aws-lc-rs agreement algorithm of a curve.
fn algorithm(curve: EcdhCurve) -> &'static agreement::Algorithm {
    match curve {
        EcdhCurve::P256 => &ECDH_P256,
        EcdhCurve::P384 => &ECDH_P384,
        EcdhCurve::P521 => &ECDH_P521,
        EcdhCurve::X25519 => &X25519,
    }
}

/// A private key for ECDH-ES: an ephemeral one on the sending side, the
/// recipient's static one on the receiving side.
pub(crate) struct EcdhPrivate {
    curve: EcdhCurve,
    key: PrivateKey,
}

impl EcdhPrivate {
    /// A fresh key from the backend's CSPRNG.
    pub(crate) fn generate(curve: EcdhCurve) -> Result<Self, Rejected> {
        let key = PrivateKey::generate(algorithm(curve))?;
        Ok(EcdhPrivate { curve, key })
    }

    /// For P-*, `d` is the big-endian scalar padded to the curve's width
    /// (32, 48 or 66 bytes) and must lie in `1..n`; for X25519 it is the 32
    /// raw bytes (clamped by the backend when used).
    pub(crate) fn from_scalar(curve: EcdhCurve, d: &[u8]) -> Result<Self, Rejected> {
        if d.len() != curve.scalar_len() {
            return Err(Rejected);
        }
        let key = PrivateKey::from_private_key(algorithm(curve), d)?;
        Ok(EcdhPrivate { curve, key })
    }

    pub(crate) fn curve(&self) -> EcdhCurve {
        self.curve
    }

    /// The public key: the uncompressed SEC1 point `04 || x || y` for P-*,
    /// the 32 raw bytes for X25519.
    pub(crate) fn public_bytes(&self) -> Result<Vec<u8>, Rejected> {
        let public = self.key.compute_public_key()?;
        let bytes = public.as_ref();
        if bytes.len() != self.curve.public_len() {
            return Err(Rejected);
        }
        Ok(bytes.to_vec())
    }

    /// The private scalar in the encoding `from_scalar` takes, for JWK export.
    pub(crate) fn scalar(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        // aws-lc-rs zeroizes its own buffer when it is dropped.
        let scalar = match self.curve {
            EcdhCurve::X25519 => {
                let seed: Curve25519SeedBin<'static> = self.key.as_be_bytes()?;
                Zeroizing::new(seed.as_ref().to_vec())
            }
            _ => {
                let bin: EcPrivateKeyBin<'static> = self.key.as_be_bytes()?;
                Zeroizing::new(bin.as_ref().to_vec())
            }
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
/// accepted (aws-lc-rs would also take compressed points and SPKI DER), and
/// the backend checks that a P-* point lies on the curve, which stops
/// invalid-curve attacks that would otherwise leak the recipient's key. An
/// X25519 peer of small order yields an all-zero Z that does not depend on
/// the private key at all; it is refused, as RFC 7748 section 6.1 allows.
pub(crate) fn ecdh(private: &EcdhPrivate, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>, Rejected> {
    let curve = private.curve;
    let well_formed = match curve {
        EcdhCurve::X25519 => peer_public.len() == curve.public_len(),
        _ => peer_public.len() == curve.public_len() && peer_public.first() == Some(&0x04),
    };
    if !well_formed {
        return Err(Rejected);
    }
    let peer = UnparsedPublicKey::new(algorithm(curve), peer_public);
    let shared = agreement::agree(&private.key, peer, Rejected, |z| Ok(Zeroizing::new(z.to_vec())))?;
    // aws-lc already fails on an all-zero X25519 output; checked again here,
    // in constant time, so the guarantee does not rest on a backend detail.
    if curve == EcdhCurve::X25519 && constant_time::verify_slices_are_equal(&shared, &[0u8; 32]).is_ok() {
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
/// `key_len` bytes from the shared secret Z. aws-lc's single-step KDF with
/// a digest is exactly that construction (a 32-bit counter, then Z, then
/// OtherInfo, hashed until enough output is produced), so only OtherInfo
/// ([`concat_kdf::other_info`]) is assembled here.
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

    let algorithm = get_sskdf_digest_algorithm(SskdfDigestAlgorithmId::Sha256).ok_or(Rejected)?;
    let mut out = Zeroizing::new(vec![0; key_len]);
    sskdf_digest(algorithm, shared_secret, &other_info, &mut out)?;
    Ok(out)
}
