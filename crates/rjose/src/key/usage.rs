//! What a key's JWK `use` and `key_ops` (RFC 7517 sections 4.2 and 4.3)
//! let it do, checked for every signature and every key management step,
//! whether the key came alone, from a set, or from a closure.
//!
//! Each operation names the `use` it belongs to and the `key_ops` values
//! that permit it; a key that has `key_ops` must list at least one of them:
//!
//! | operation | `use` | `key_ops` (any one) |
//! |---|---|---|
//! | JWS sign / verify | `sig` | `sign` / `verify` |
//! | JWE `dir` | `enc` | `encrypt` / `decrypt` |
//! | `A*KW`, `A*GCMKW` | `enc` | `wrapKey` / `unwrapKey` |
//! | `RSA-OAEP*`, `RSA1_5` | `enc` | `wrapKey` or `encrypt` / `unwrapKey` or `decrypt` |
//! | `ECDH-ES` | `enc` | `deriveKey` or `deriveBits` |
//! | `ECDH-ES+A*KW`, `PBES2-*` | `enc` | `deriveKey`, `deriveBits` or `wrapKey` / `unwrapKey` |
//!
//! RSA key transport encrypts the content key, which RFC 7517 calls
//! `wrapKey`; `encrypt` is accepted as well because the RSA primitive is an
//! encryption and WebCrypto labels RSA-OAEP keys `encrypt`/`decrypt`, so
//! sets exported from it say so. ECDH-ES and PBES2 keys derive the key
//! that wraps (or is) the content key: the derive operations name what the
//! key itself does, and for the wrapping variants `wrapKey`/`unwrapKey`
//! name the outcome; either is accepted. Values RFC 7517 does not register
//! permit nothing.

use super::Key;
use crate::error::{Error, Result};
use crate::jwe::JweAlg;
use crate::jwe::alg::Mode;

/// The `key_ops` values RFC 7517 registers for `use: "sig"`.
const SIG_OPS: [&str; 2] = ["sign", "verify"];
/// The `key_ops` values RFC 7517 registers for `use: "enc"`.
const ENC_OPS: [&str; 6] = ["encrypt", "decrypt", "wrapKey", "unwrapKey", "deriveKey", "deriveBits"];

/// One use of a key by this library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// Signing a JWS.
    Sign,
    /// Verifying a JWS.
    Verify,
    /// Key management for one JWE recipient, encrypting.
    Encrypt(JweAlg),
    /// Key management for one JWE recipient, decrypting.
    Decrypt(JweAlg),
}

impl Operation {
    /// The `use` this operation belongs to.
    fn key_use(self) -> &'static str {
        match self {
            Operation::Sign | Operation::Verify => "sig",
            Operation::Encrypt(_) | Operation::Decrypt(_) => "enc",
        }
    }

    /// The `key_ops` values that permit this operation.
    fn permitted_by(self) -> &'static [&'static str] {
        match self {
            Operation::Sign => &["sign"],
            Operation::Verify => &["verify"],
            Operation::Encrypt(alg) => match alg.mode() {
                Mode::Direct => &["encrypt"],
                Mode::KeyWrap(_) | Mode::GcmKeyWrap(_) => &["wrapKey"],
                Mode::RsaOaep(_) | Mode::RsaPkcs1 => &["wrapKey", "encrypt"],
                Mode::DirectAgreement => &["deriveKey", "deriveBits"],
                Mode::AgreementWithKeyWrap(_) | Mode::Pbes2(..) => &["deriveKey", "deriveBits", "wrapKey"],
            },
            Operation::Decrypt(alg) => match alg.mode() {
                Mode::Direct => &["decrypt"],
                Mode::KeyWrap(_) | Mode::GcmKeyWrap(_) => &["unwrapKey"],
                Mode::RsaOaep(_) | Mode::RsaPkcs1 => &["unwrapKey", "decrypt"],
                Mode::DirectAgreement => &["deriveKey", "deriveBits"],
                Mode::AgreementWithKeyWrap(_) | Mode::Pbes2(..) => &["deriveKey", "deriveBits", "unwrapKey"],
            },
        }
    }

    fn describe(self) -> String {
        match self {
            Operation::Sign => "signing".to_owned(),
            Operation::Verify => "verifying".to_owned(),
            Operation::Encrypt(alg) => format!("encrypting with {alg}"),
            Operation::Decrypt(alg) => format!("decrypting with {alg}"),
        }
    }
}

impl Key {
    /// Checks that the key's JWK `use` and `key_ops`, when present, allow
    /// `operation`. Every signature and every JWE key management step goes
    /// through here, whatever the source of the key.
    pub(crate) fn permit(&self, operation: Operation) -> Result<()> {
        let expected = operation.key_use();
        if let Some(key_use) = self.key_use().filter(|&u| u != expected) {
            return Err(Error::key_use(format!(
                "the key's \"use\" is {key_use:?}, and {} needs \"{expected}\"",
                operation.describe()
            )));
        }
        let permitted = operation.permitted_by();
        if let Some(ops) = self.key_ops()
            && !ops.iter().any(|op| permitted.contains(&op.as_str()))
        {
            return Err(Error::key_use(format!(
                "the key's \"key_ops\" {ops:?} do not include {} for {}",
                quoted_alternatives(permitted),
                operation.describe()
            )));
        }
        Ok(())
    }
}

fn quoted_alternatives(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    quoted.join(" or ")
}

/// Refuses a JWK whose `use` and `key_ops` disagree (RFC 7517 section
/// 4.3: when both are present their information must be consistent): a
/// registered operation of the other use. Unregistered values of either
/// member are left alone, as the RFC lets applications define them.
pub(crate) fn check_consistent(key_use: Option<&str>, key_ops: Option<&[String]>) -> Result<()> {
    let (Some(key_use), Some(ops)) = (key_use, key_ops) else {
        return Ok(());
    };
    let other_use: &[&str] = match key_use {
        "sig" => &ENC_OPS,
        "enc" => &SIG_OPS,
        _ => return Ok(()),
    };
    match ops.iter().find(|op| other_use.contains(&op.as_str())) {
        Some(op) => Err(Error::jwk(format!(
            "\"use\" {key_use:?} and \"key_ops\" value {op:?} disagree"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_operation_belongs_to_one_use() {
        for alg in JweAlg::ALL {
            for op in [Operation::Encrypt(*alg), Operation::Decrypt(*alg)] {
                assert!(op.permitted_by().iter().all(|v| ENC_OPS.contains(v)), "{op:?}");
            }
        }
        for op in [Operation::Sign, Operation::Verify] {
            assert!(op.permitted_by().iter().all(|v| SIG_OPS.contains(v)), "{op:?}");
        }
    }

    #[test]
    fn use_and_key_ops_must_agree_when_both_are_present() {
        let ops = |values: &[&str]| values.iter().map(|v| (*v).to_owned()).collect::<Vec<_>>();
        assert!(check_consistent(Some("sig"), Some(&ops(&["verify"]))).is_ok());
        assert!(check_consistent(Some("enc"), Some(&ops(&["unwrapKey", "x-custom"]))).is_ok());
        assert!(check_consistent(None, Some(&ops(&["encrypt"]))).is_ok());
        let refused = check_consistent(Some("sig"), Some(&ops(&["verify", "encrypt"])));
        assert!(
            matches!(&refused, Err(Error::JwkInvalid(m)) if m.contains("\"encrypt\"")),
            "{refused:?}"
        );
        let refused = check_consistent(Some("enc"), Some(&ops(&["sign"])));
        assert!(matches!(refused, Err(Error::JwkInvalid(_))));
    }
}
