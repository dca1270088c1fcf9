//! JWE algorithm identifiers (RFC 7518 sections 4 and 5).

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        #[allow(non_camel_case_types)] // variants are spelled as registered
        pub enum $name { $( $(#[$vmeta])* $variant, )* }

        impl $name {
            /// Every value this library implements.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The registered name.
            pub const fn name(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// Looks up a registered name.
            pub fn from_name(name: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.name() == name)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(name: &str) -> Result<Self, Error> {
                Self::from_name(name)
                    .ok_or_else(|| Error::NotSupported(format!("unsupported {} {name:?}", stringify!($name))))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }
    };
}

named_enum! {
    /// A JWE key management algorithm (the `alg` header parameter).
    ///
    /// Variants are spelled as the IANA registry spells the algorithm, with
    /// `-` and `+` written `_` (`ECDH-ES+A256KW` is `ECDH_ES_A256KW`); the
    /// one exception is `dir`, written `Dir`. [`Alg`](crate::Alg) and
    /// [`JweEnc`] follow the same rule.
    pub enum JweAlg {
        /// The key is the content encryption key.
        Dir => "dir",
        /// RSAES-OAEP with SHA-1 and MGF1-SHA-1.
        RSA_OAEP => "RSA-OAEP",
        /// RSAES-OAEP with SHA-256.
        RSA_OAEP_256 => "RSA-OAEP-256",
        /// RSAES-OAEP with SHA-384.
        RSA_OAEP_384 => "RSA-OAEP-384",
        /// RSAES-OAEP with SHA-512.
        RSA_OAEP_512 => "RSA-OAEP-512",
        /// RSAES-PKCS1-v1_5: decryption only, and only when allowed explicitly.
        RSA1_5 => "RSA1_5",
        /// AES-128 key wrap.
        A128KW => "A128KW",
        /// AES-192 key wrap.
        A192KW => "A192KW",
        /// AES-256 key wrap.
        A256KW => "A256KW",
        /// AES-128-GCM key wrap.
        A128GCMKW => "A128GCMKW",
        /// AES-192-GCM key wrap.
        A192GCMKW => "A192GCMKW",
        /// AES-256-GCM key wrap.
        A256GCMKW => "A256GCMKW",
        /// ECDH-ES key agreement; the derived key is the content key.
        ECDH_ES => "ECDH-ES",
        /// ECDH-ES, then AES-128 key wrap.
        ECDH_ES_A128KW => "ECDH-ES+A128KW",
        /// ECDH-ES, then AES-192 key wrap.
        ECDH_ES_A192KW => "ECDH-ES+A192KW",
        /// ECDH-ES, then AES-256 key wrap.
        ECDH_ES_A256KW => "ECDH-ES+A256KW",
        /// PBES2 with HMAC-SHA-256, then AES-128 key wrap.
        PBES2_HS256_A128KW => "PBES2-HS256+A128KW",
        /// PBES2 with HMAC-SHA-384, then AES-192 key wrap.
        PBES2_HS384_A192KW => "PBES2-HS384+A192KW",
        /// PBES2 with HMAC-SHA-512, then AES-256 key wrap.
        PBES2_HS512_A256KW => "PBES2-HS512+A256KW",
    }
}

named_enum! {
    /// A JWE content encryption algorithm (the `enc` header parameter),
    /// spelled as registered with `-` written `_` (`A128CBC_HS256`).
    pub enum JweEnc {
        /// AES-128-GCM.
        A128GCM => "A128GCM",
        /// AES-192-GCM.
        A192GCM => "A192GCM",
        /// AES-256-GCM.
        A256GCM => "A256GCM",
        /// AES-128-CBC with HMAC-SHA-256.
        A128CBC_HS256 => "A128CBC-HS256",
        /// AES-192-CBC with HMAC-SHA-384.
        A192CBC_HS384 => "A192CBC-HS384",
        /// AES-256-CBC with HMAC-SHA-512.
        A256CBC_HS512 => "A256CBC-HS512",
    }
}

/// How a key management algorithm obtains the content key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The shared key is the CEK.
    Direct,
    /// ECDH-ES: the derived key is the CEK.
    DirectAgreement,
    /// ECDH-ES then AES key wrap with a derived key of this many bytes.
    AgreementWithKeyWrap(usize),
    /// RSA key transport.
    RsaOaep(crate::backend::OaepHash),
    /// RSA PKCS#1 v1.5 key transport.
    RsaPkcs1,
    /// AES key wrap with a KEK of this many bytes.
    KeyWrap(usize),
    /// AES-GCM key wrap with a KEK of this many bytes.
    GcmKeyWrap(usize),
    /// PBES2: PBKDF2 with this PRF, then AES key wrap with a key of this many bytes.
    Pbes2(crate::backend::Pbkdf2Prf, usize),
}

impl JweAlg {
    pub(crate) fn mode(self) -> Mode {
        use crate::backend::{OaepHash, Pbkdf2Prf};
        match self {
            JweAlg::Dir => Mode::Direct,
            JweAlg::RSA_OAEP => Mode::RsaOaep(OaepHash::Sha1),
            JweAlg::RSA_OAEP_256 => Mode::RsaOaep(OaepHash::Sha256),
            JweAlg::RSA_OAEP_384 => Mode::RsaOaep(OaepHash::Sha384),
            JweAlg::RSA_OAEP_512 => Mode::RsaOaep(OaepHash::Sha512),
            JweAlg::RSA1_5 => Mode::RsaPkcs1,
            JweAlg::A128KW => Mode::KeyWrap(16),
            JweAlg::A192KW => Mode::KeyWrap(24),
            JweAlg::A256KW => Mode::KeyWrap(32),
            JweAlg::A128GCMKW => Mode::GcmKeyWrap(16),
            JweAlg::A192GCMKW => Mode::GcmKeyWrap(24),
            JweAlg::A256GCMKW => Mode::GcmKeyWrap(32),
            JweAlg::ECDH_ES => Mode::DirectAgreement,
            JweAlg::ECDH_ES_A128KW => Mode::AgreementWithKeyWrap(16),
            JweAlg::ECDH_ES_A192KW => Mode::AgreementWithKeyWrap(24),
            JweAlg::ECDH_ES_A256KW => Mode::AgreementWithKeyWrap(32),
            JweAlg::PBES2_HS256_A128KW => Mode::Pbes2(Pbkdf2Prf::Sha256, 16),
            JweAlg::PBES2_HS384_A192KW => Mode::Pbes2(Pbkdf2Prf::Sha384, 24),
            JweAlg::PBES2_HS512_A256KW => Mode::Pbes2(Pbkdf2Prf::Sha512, 32),
        }
    }

    /// True for the PBES2 algorithms, whose key is a password.
    ///
    /// ```
    /// use rjose::jwe::JweAlg;
    ///
    /// assert!(JweAlg::PBES2_HS256_A128KW.uses_password());
    /// assert!(!JweAlg::A128KW.uses_password());
    /// ```
    pub fn uses_password(self) -> bool {
        matches!(self.mode(), Mode::Pbes2(..))
    }

    /// True when the key management output is the content key itself, so
    /// the JWE can have only one recipient.
    pub(crate) fn is_direct(self) -> bool {
        matches!(self.mode(), Mode::Direct | Mode::DirectAgreement)
    }

    /// The JWK `kty` of keys for this algorithm (`EC` or `OKP` for ECDH).
    pub(crate) fn key_types(self) -> &'static [&'static str] {
        match self.mode() {
            Mode::Direct | Mode::KeyWrap(_) | Mode::GcmKeyWrap(_) | Mode::Pbes2(..) => &["oct"],
            Mode::RsaOaep(_) | Mode::RsaPkcs1 => &["RSA"],
            Mode::DirectAgreement | Mode::AgreementWithKeyWrap(_) => &["EC", "OKP"],
        }
    }
}

impl JweEnc {
    /// Bytes of the content encryption key.
    pub const fn key_len(self) -> usize {
        match self {
            JweEnc::A128GCM => 16,
            JweEnc::A192GCM => 24,
            JweEnc::A256GCM => 32,
            JweEnc::A128CBC_HS256 => 32,
            JweEnc::A192CBC_HS384 => 48,
            JweEnc::A256CBC_HS512 => 64,
        }
    }

    /// Bytes of the initialization vector.
    pub const fn iv_len(self) -> usize {
        if self.is_gcm() { 12 } else { 16 }
    }

    pub(crate) const fn is_gcm(self) -> bool {
        matches!(self, JweEnc::A128GCM | JweEnc::A192GCM | JweEnc::A256GCM)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for alg in JweAlg::ALL {
            assert_eq!(JweAlg::from_name(alg.name()), Some(*alg));
        }
        for enc in JweEnc::ALL {
            assert_eq!(JweEnc::from_name(enc.name()), Some(*enc));
        }
    }

    #[test]
    fn cbc_hmac_keys_are_twice_the_aes_key() {
        assert_eq!(JweEnc::A128CBC_HS256.key_len(), 32);
        assert_eq!(JweEnc::A256CBC_HS512.key_len(), 64);
        assert_eq!(JweEnc::A192GCM.iv_len(), 12);
    }
}
