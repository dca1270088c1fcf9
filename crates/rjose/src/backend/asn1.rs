//! The RSA structures of PKCS#1, read with the `der` crates: both the
//! providers (to take a key apart for JWK export) and the PEM/DER import
//! above need them, so they live at the bottom where both can reach them.

use der::Decode;
use der::asn1::{ObjectIdentifier, UintRef};
use pkcs1::{RsaPrivateKey, RsaPublicKey};
use pkcs8::PrivateKeyInfoRef;
use zeroize::Zeroizing;

use super::types::PrivateParts;

/// `rsaEncryption`, the algorithm of every RSA SPKI and PKCS#8 document.
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// `n` and `e` of a PKCS#1 RSAPublicKey.
pub(crate) fn rsa_public_components(pkcs1: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let key = RsaPublicKey::<UintRef<'_>>::from_der(pkcs1).ok()?;
    Some((key.modulus.as_bytes().to_vec(), key.public_exponent.as_bytes().to_vec()))
}

/// `n`, `e` and the private parts of a PKCS#1 RSAPrivateKey; multi-prime
/// keys are refused, as JOSE's `oth` is not supported.
pub(crate) fn rsa_pkcs1_private(pkcs1: &[u8]) -> Option<(Vec<u8>, Vec<u8>, PrivateParts)> {
    let key = RsaPrivateKey::<UintRef<'_>>::from_der(pkcs1).ok()?;
    if key.other_prime_infos.is_some() {
        return None;
    }
    let owned = |u: UintRef<'_>| Zeroizing::new(u.as_bytes().to_vec());
    Some((
        key.modulus.as_bytes().to_vec(),
        key.public_exponent.as_bytes().to_vec(),
        PrivateParts {
            d: owned(key.private_exponent),
            p: owned(key.prime1),
            q: owned(key.prime2),
            dp: owned(key.exponent1),
            dq: owned(key.exponent2),
            qi: owned(key.coefficient),
        },
    ))
}

/// The private parts of an RSA PKCS#8 document.
pub(crate) fn rsa_private_parts(pkcs8: &[u8]) -> Option<PrivateParts> {
    let info = PrivateKeyInfoRef::from_der(pkcs8).ok()?;
    if info.algorithm.oid != RSA_ENCRYPTION {
        return None;
    }
    rsa_pkcs1_private(info.private_key.as_bytes()).map(|(_, _, parts)| parts)
}
