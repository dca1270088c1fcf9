//! The certificate signature algorithms webpki may use along an `x5c`
//! chain, verified by rjose's own backend: the same code under both
//! providers (aws-lc-rs, or pure Rust on wasm32), and no second crypto
//! library linked in for X.509.

use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm, alg_id};

use crate::alg::Alg;
use crate::backend::asn1::rsa_public_components;
use crate::backend::ec::EcPublic;
use crate::backend::ed25519::Ed25519Public;
use crate::backend::rsa::RsaPublic;
use crate::backend::{EcCurve, Padding, Sha};
use crate::signer::ecdsa_der_to_jose;

/// How the signature of one certificate is checked.
#[derive(Debug, Clone, Copy)]
enum Scheme {
    /// RSA, PKCS#1 v1.5 or PSS (salt as long as the digest, which is what
    /// pki-types' RSA-PSS identifiers encode); the key is a PKCS#1
    /// RSAPublicKey, held to the same 2048..=8192-bit and weak-key rules as
    /// any RSA key of this crate.
    Rsa(Padding, Sha),
    /// ECDSA with the curve's own digest; X.509 carries the signature as a
    /// DER `ECDSA-Sig-Value`, the backend takes JOSE's fixed-width `r || s`.
    Ecdsa(Alg, EcCurve),
    /// Ed25519 over the raw 32-byte key.
    Ed25519,
}

#[derive(Debug)]
struct Backend {
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
    scheme: Scheme,
}

impl SignatureVerificationAlgorithm for Backend {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        let verified = match self.scheme {
            Scheme::Rsa(padding, sha) => {
                let (n, e) = rsa_public_components(public_key).ok_or(InvalidSignature)?;
                let key = RsaPublic::from_components(&n, &e).map_err(|_| InvalidSignature)?;
                key.verify(padding, sha, message, signature)
            }
            Scheme::Ecdsa(alg, curve) => {
                let key = EcPublic::from_point(curve, public_key).map_err(|_| InvalidSignature)?;
                let fixed = ecdsa_der_to_jose(alg, signature).map_err(|_| InvalidSignature)?;
                key.verify(message, &fixed)
            }
            Scheme::Ed25519 => Ed25519Public::from_bytes(public_key)
                .map_err(|_| InvalidSignature)?
                .verify(message, signature),
        };
        verified.map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.public_key
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.signature
    }

    fn fips(&self) -> bool {
        // No claim is made: whether the provider underneath is a validated
        // module is the build's business, not this adapter's.
        false
    }
}

const fn rsa(signature: AlgorithmIdentifier, padding: Padding, sha: Sha) -> Backend {
    Backend {
        public_key: alg_id::RSA_ENCRYPTION,
        signature,
        scheme: Scheme::Rsa(padding, sha),
    }
}

const fn ecdsa(public_key: AlgorithmIdentifier, signature: AlgorithmIdentifier, alg: Alg, curve: EcCurve) -> Backend {
    Backend {
        public_key,
        signature,
        scheme: Scheme::Ecdsa(alg, curve),
    }
}

static RSA_PKCS1_SHA256: Backend = rsa(alg_id::RSA_PKCS1_SHA256, Padding::Pkcs1, Sha::Sha256);
static RSA_PKCS1_SHA384: Backend = rsa(alg_id::RSA_PKCS1_SHA384, Padding::Pkcs1, Sha::Sha384);
static RSA_PKCS1_SHA512: Backend = rsa(alg_id::RSA_PKCS1_SHA512, Padding::Pkcs1, Sha::Sha512);
static RSA_PSS_SHA256: Backend = rsa(alg_id::RSA_PSS_SHA256, Padding::Pss, Sha::Sha256);
static RSA_PSS_SHA384: Backend = rsa(alg_id::RSA_PSS_SHA384, Padding::Pss, Sha::Sha384);
static RSA_PSS_SHA512: Backend = rsa(alg_id::RSA_PSS_SHA512, Padding::Pss, Sha::Sha512);
static ECDSA_P256_SHA256: Backend = ecdsa(alg_id::ECDSA_P256, alg_id::ECDSA_SHA256, Alg::ES256, EcCurve::P256);
static ECDSA_P384_SHA384: Backend = ecdsa(alg_id::ECDSA_P384, alg_id::ECDSA_SHA384, Alg::ES384, EcCurve::P384);
static ECDSA_P521_SHA512: Backend = ecdsa(alg_id::ECDSA_P521, alg_id::ECDSA_SHA512, Alg::ES512, EcCurve::P521);
static ED25519: Backend = Backend {
    public_key: alg_id::ED25519,
    signature: alg_id::ED25519,
    scheme: Scheme::Ed25519,
};

/// Every pairing of key and signature algorithm accepted in a chain. The
/// cross pairings (P-256 with SHA-384 and the like) are left out, as
/// webpki's own lists mark them deprecated and JOSE never uses them.
pub(super) static ALL: &[&dyn SignatureVerificationAlgorithm] = &[
    &ECDSA_P256_SHA256,
    &ECDSA_P384_SHA384,
    &ECDSA_P521_SHA512,
    &ED25519,
    &RSA_PKCS1_SHA256,
    &RSA_PKCS1_SHA384,
    &RSA_PKCS1_SHA512,
    &RSA_PSS_SHA256,
    &RSA_PSS_SHA384,
    &RSA_PSS_SHA512,
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KeyPairOptions, generate_key_pair};

    /// The `subjectPublicKey` bits of a key, as webpki hands them over.
    fn subject_public_key(key: &crate::Key) -> Vec<u8> {
        use der::Decode;
        let spki = key.to_spki_der().expect("SPKI");
        let info = spki::SubjectPublicKeyInfoRef::from_der(&spki).expect("parses");
        info.subject_public_key.raw_bytes().to_vec()
    }

    fn der_signature(fixed: &[u8]) -> Vec<u8> {
        use der::Encode;
        use der::asn1::UintRef;
        let half = fixed.len() / 2;
        let r = UintRef::new(&fixed[..half]).expect("r");
        let s = UintRef::new(&fixed[half..]).expect("s");
        let mut body = r.to_der().expect("r");
        body.extend(s.to_der().expect("s"));
        let len = u8::try_from(body.len()).expect("under 256 bytes");
        // P-521 signatures pass 127 bytes: DER's long length form.
        let mut out = if len < 0x80 {
            vec![0x30, len]
        } else {
            vec![0x30, 0x81, len]
        };
        out.extend(body);
        out
    }

    #[test]
    fn each_backend_algorithm_verifies_what_its_jws_twin_signs_and_refuses_a_flipped_bit() {
        let cases: [(&Backend, Alg); 10] = [
            (&RSA_PKCS1_SHA256, Alg::RS256),
            (&RSA_PKCS1_SHA384, Alg::RS384),
            (&RSA_PKCS1_SHA512, Alg::RS512),
            (&RSA_PSS_SHA256, Alg::PS256),
            (&RSA_PSS_SHA384, Alg::PS384),
            (&RSA_PSS_SHA512, Alg::PS512),
            (&ECDSA_P256_SHA256, Alg::ES256),
            (&ECDSA_P384_SHA384, Alg::ES384),
            (&ECDSA_P521_SHA512, Alg::ES512),
            (&ED25519, Alg::EdDSA),
        ];
        let message = b"tbsCertificate";
        for (backend, alg) in cases {
            let pair = generate_key_pair(alg, KeyPairOptions::default()).expect("key pair");
            let raw = pair.private_key.sign_raw(alg, message).expect("signs");
            let signature = match backend.scheme {
                Scheme::Ecdsa(..) => der_signature(&raw),
                _ => raw,
            };
            let public = subject_public_key(&pair.public_key);
            assert!(backend.verify_signature(&public, message, &signature).is_ok(), "{alg}");
            assert!(
                matches!(
                    backend.verify_signature(&public, b"tbsCertificatf", &signature),
                    Err(InvalidSignature)
                ),
                "{alg}"
            );
        }
    }
}
