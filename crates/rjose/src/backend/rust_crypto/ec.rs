//! ECDSA over P-256, P-384, P-521 and secp256k1 (ES256, ES384, ES512,
//! ES256K), from the `p256`, `p384`, `p521` and `k256` crates (`ecdsa`).
//!
//! Signatures are deterministic (RFC 6979), which JWS allows: verifiers
//! cannot tell, and no RNG failure can leak the key through a biased nonce.

use std::sync::OnceLock;

use p256::elliptic_curve::Generate as _;
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use zeroize::Zeroizing;

use super::ecdh::EcdhPrivate;
use crate::backend::{EcCurve, EcdhCurve, Rejected};

/// Runs the same code for whichever curve a key is on; the curve crates
/// share one generic `ecdsa` API, but naming its bounds generically costs
/// more than this.
macro_rules! per_curve {
    ($value:expr, $key:ident => $body:expr) => {
        match $value {
            Keys::P256($key) => $body,
            Keys::P384($key) => $body,
            Keys::P521($key) => $body,
            Keys::K256($key) => $body,
        }
    };
}

enum Keys<P256, P384, P521, K256> {
    P256(P256),
    P384(P384),
    P521(P521),
    K256(K256),
}

type Verifying =
    Keys<p256::ecdsa::VerifyingKey, p384::ecdsa::VerifyingKey, p521::ecdsa::VerifyingKey, k256::ecdsa::VerifyingKey>;
type Signing = Keys<p256::ecdsa::SigningKey, p384::ecdsa::SigningKey, p521::ecdsa::SigningKey, k256::ecdsa::SigningKey>;

/// An EC public key, validated on its curve and parsed once.
pub(crate) struct EcPublic {
    curve: EcCurve,
    point: Vec<u8>,
    parsed: Verifying,
}

impl EcPublic {
    /// From the uncompressed SEC1 point `04 || x || y`; the point must lie
    /// on `curve` (the crate checks, which stops invalid-curve attacks).
    pub(crate) fn from_point(curve: EcCurve, point: &[u8]) -> Result<Self, Rejected> {
        let width = curve.coordinate_len();
        if point.len() != 1 + 2 * width || point.first() != Some(&4) {
            return Err(Rejected);
        }
        let parsed = match curve {
            EcCurve::P256 => Keys::P256(p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| Rejected)?),
            EcCurve::P384 => Keys::P384(p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| Rejected)?),
            EcCurve::P521 => Keys::P521(p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| Rejected)?),
            EcCurve::Secp256k1 => Keys::K256(k256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| Rejected)?),
        };
        Ok(EcPublic {
            curve,
            point: point.to_vec(),
            parsed,
        })
    }

    pub(crate) fn curve(&self) -> EcCurve {
        self.curve
    }

    /// The x and y coordinates, each padded to the curve's width.
    pub(crate) fn coordinates(&self) -> (&[u8], &[u8]) {
        let width = self.curve.coordinate_len();
        (&self.point[1..1 + width], &self.point[1 + width..])
    }

    /// `signature` is the fixed-width `r || s` of JWS; zero or out-of-range
    /// scalars are refused when it is parsed.
    pub(crate) fn verify(&self, message: &[u8], sig: &[u8]) -> Result<(), Rejected> {
        use p256::ecdsa::signature::Verifier as _;
        if sig.len() != 2 * self.curve.coordinate_len() {
            return Err(Rejected);
        }
        match &self.parsed {
            Keys::P256(key) => {
                let sig = p256::ecdsa::Signature::from_slice(sig).map_err(|_| Rejected)?;
                key.verify(message, &sig).map_err(|_| Rejected)
            }
            Keys::P384(key) => {
                let sig = p384::ecdsa::Signature::from_slice(sig).map_err(|_| Rejected)?;
                key.verify(message, &sig).map_err(|_| Rejected)
            }
            Keys::P521(key) => {
                let sig = p521::ecdsa::Signature::from_slice(sig).map_err(|_| Rejected)?;
                key.verify(message, &sig).map_err(|_| Rejected)
            }
            Keys::K256(key) => {
                // k256 refuses high-S signatures (BIP 62, a Bitcoin rule), but
                // RFC 8812 does not ask for low S and aws-lc or OpenSSL emit
                // high S half the time. (s, n - s) verify alike, so the
                // signature is normalised first and ES256K accepts what the
                // aws-lc-rs provider accepts. The NIST curves apply no such
                // rule (their `NORMALIZE_S` is false).
                let sig = k256::ecdsa::Signature::from_slice(sig).map_err(|_| Rejected)?;
                key.verify(message, &sig.normalize_s()).map_err(|_| Rejected)
            }
        }
    }

    pub(crate) fn spki_der(&self) -> Result<Vec<u8>, Rejected> {
        per_curve!(&self.parsed, key => key
            .to_public_key_der()
            .map(|der| der.as_bytes().to_vec())
            .map_err(|_| Rejected))
    }
}

/// An EC private key with its public half.
pub(crate) struct EcPrivate {
    key: Signing,
    public: EcPublic,
    /// The same scalar as an ECDH key, built on first use: deriving it
    /// costs a scalar multiplication, as much as the agreement itself.
    ecdh: OnceLock<EcdhPrivate>,
}

impl EcPrivate {
    fn from_key(curve: EcCurve, key: Signing) -> Result<Self, Rejected> {
        let point = per_curve!(&key, key => key.verifying_key().to_sec1_point(false).as_bytes().to_vec());
        let public = EcPublic::from_point(curve, &point)?;
        Ok(EcPrivate {
            key,
            public,
            ecdh: OnceLock::new(),
        })
    }

    /// From the private scalar `d` and the public point; refuses a `d`
    /// that does not belong to the point.
    pub(crate) fn from_scalar(curve: EcCurve, d: &[u8], point: &[u8]) -> Result<Self, Rejected> {
        if d.len() != curve.coordinate_len() {
            return Err(Rejected);
        }
        let key = match curve {
            EcCurve::P256 => Keys::P256(p256::ecdsa::SigningKey::from_slice(d).map_err(|_| Rejected)?),
            EcCurve::P384 => Keys::P384(p384::ecdsa::SigningKey::from_slice(d).map_err(|_| Rejected)?),
            EcCurve::P521 => Keys::P521(p521::ecdsa::SigningKey::from_slice(d).map_err(|_| Rejected)?),
            EcCurve::Secp256k1 => Keys::K256(k256::ecdsa::SigningKey::from_slice(d).map_err(|_| Rejected)?),
        };
        let private = Self::from_key(curve, key)?;
        // The point is public, so an ordinary comparison leaks nothing.
        if private.public.point != point {
            return Err(Rejected);
        }
        Ok(private)
    }

    pub(crate) fn from_pkcs8(curve: EcCurve, der: &[u8]) -> Result<Self, Rejected> {
        let key = match curve {
            EcCurve::P256 => Keys::P256(p256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| Rejected)?),
            EcCurve::P384 => Keys::P384(p384::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| Rejected)?),
            EcCurve::P521 => Keys::P521(p521::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| Rejected)?),
            EcCurve::Secp256k1 => Keys::K256(k256::ecdsa::SigningKey::from_pkcs8_der(der).map_err(|_| Rejected)?),
        };
        Self::from_key(curve, key)
    }

    pub(crate) fn generate(curve: EcCurve) -> Result<Self, Rejected> {
        let rng = &mut super::rand::rng();
        let key = match curve {
            EcCurve::P256 => Keys::P256(p256::ecdsa::SigningKey::try_generate_from_rng(rng).map_err(|_| Rejected)?),
            EcCurve::P384 => Keys::P384(p384::ecdsa::SigningKey::try_generate_from_rng(rng).map_err(|_| Rejected)?),
            EcCurve::P521 => Keys::P521(p521::ecdsa::SigningKey::try_generate_from_rng(rng).map_err(|_| Rejected)?),
            EcCurve::Secp256k1 => {
                Keys::K256(k256::ecdsa::SigningKey::try_generate_from_rng(rng).map_err(|_| Rejected)?)
            }
        };
        Self::from_key(curve, key)
    }

    pub(crate) fn public(&self) -> &EcPublic {
        &self.public
    }

    /// The fixed-width `r || s` of JWS.
    pub(crate) fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Rejected> {
        use p256::ecdsa::signature::Signer as _;
        match &self.key {
            Keys::P256(key) => {
                let sig: p256::ecdsa::Signature = key.try_sign(message).map_err(|_| Rejected)?;
                Ok(sig.to_vec())
            }
            Keys::P384(key) => {
                let sig: p384::ecdsa::Signature = key.try_sign(message).map_err(|_| Rejected)?;
                Ok(sig.to_vec())
            }
            Keys::P521(key) => {
                let sig: p521::ecdsa::Signature = key.try_sign(message).map_err(|_| Rejected)?;
                Ok(sig.to_vec())
            }
            Keys::K256(key) => {
                let sig: k256::ecdsa::Signature = key.try_sign(message).map_err(|_| Rejected)?;
                Ok(sig.to_vec())
            }
        }
    }

    pub(crate) fn scalar(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        Ok(per_curve!(&self.key, key => Zeroizing::new(key.to_bytes().to_vec())))
    }

    pub(crate) fn pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Rejected> {
        per_curve!(&self.key, key => key
            .to_pkcs8_der()
            .map(|doc| Zeroizing::new(doc.as_bytes().to_vec()))
            .map_err(|_| Rejected))
    }

    /// This key for ECDH-ES; secp256k1 has no ECDH-ES registration.
    pub(crate) fn ecdh(&self) -> Result<&EcdhPrivate, Rejected> {
        if let Some(ready) = self.ecdh.get() {
            return Ok(ready);
        }
        let curve = match self.public.curve {
            EcCurve::P256 => EcdhCurve::P256,
            EcCurve::P384 => EcdhCurve::P384,
            EcCurve::P521 => EcdhCurve::P521,
            EcCurve::Secp256k1 => return Err(Rejected),
        };
        let ecdh = EcdhPrivate::from_scalar(curve, &self.scalar()?)?;
        Ok(self.ecdh.get_or_init(|| ecdh))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `r || (n - s)`: the other valid signature for the same `r`.
    fn high_s_k256(sig: &[u8]) -> Vec<u8> {
        let sig = k256::ecdsa::Signature::from_slice(sig).unwrap();
        let flipped = -*sig.s();
        k256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), flipped.to_bytes())
            .unwrap()
            .to_vec()
    }

    fn high_s_p256(sig: &[u8]) -> Vec<u8> {
        let sig = p256::ecdsa::Signature::from_slice(sig).unwrap();
        let flipped = -*sig.s();
        p256::ecdsa::Signature::from_scalars(sig.r().to_bytes(), flipped.to_bytes())
            .unwrap()
            .to_vec()
    }

    #[test]
    fn es256k_accepts_the_high_s_signatures_other_signers_emit() {
        let key = EcPrivate::generate(EcCurve::Secp256k1).unwrap();
        let sig = key.sign(b"message").unwrap();
        let high = high_s_k256(&sig);
        assert_ne!(high, sig);
        // k256 signs low-S; aws-lc and OpenSSL give the high-S twin half the time.
        key.public().verify(b"message", &sig).unwrap();
        key.public().verify(b"message", &high).unwrap();
        assert_eq!(key.public().verify(b"other message", &high), Err(Rejected));
    }

    #[test]
    fn nist_curves_accept_either_s() {
        let key = EcPrivate::generate(EcCurve::P256).unwrap();
        let sig = key.sign(b"message").unwrap();
        key.public().verify(b"message", &sig).unwrap();
        key.public().verify(b"message", &high_s_p256(&sig)).unwrap();
    }

    #[test]
    fn zero_or_wrong_length_signatures_are_refused() {
        for curve in [EcCurve::P256, EcCurve::P384, EcCurve::P521, EcCurve::Secp256k1] {
            let key = EcPrivate::generate(curve).unwrap();
            let width = curve.coordinate_len();
            assert_eq!(key.public().verify(b"m", &vec![0; 2 * width]), Err(Rejected));
            let sig = key.sign(b"m").unwrap();
            assert_eq!(sig.len(), 2 * width);
            assert_eq!(key.public().verify(b"m", &sig[1..]), Err(Rejected));
        }
    }
}
