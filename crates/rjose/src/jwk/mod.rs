//! JSON Web Keys (RFC 7517): the [`Jwk`] document type and its conversion
//! to and from [`Key`].

mod convert;
mod set;
mod thumbprint;

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use zeroize::Zeroize;

pub use set::LocalJwkSet;

#[cfg(doc)]
use crate::Key;

/// A JSON Web Key as a JSON document: every member RFC 7517, 7518, 8037
/// and the ML-DSA draft define, plus any others, kept as they came.
///
/// Build a [`Key`] from it with [`Key::from_jwk`]; get one back with
/// [`Key::to_jwk`] or [`Key::to_public_jwk`]. Private members are zeroized
/// on drop and `Debug` prints them as `<redacted>`.
///
/// A member name given twice is refused, by [`Jwk::from_json`] and by
/// `Deserialize` alike. RFC 7517 section 4 allows refusing it or keeping
/// the last copy, and parsers that keep the first exist: two of them could
/// read two different keys from the same text.
///
/// ```
/// let jwk: rjose::Jwk = serde_json::from_str(r#"{"kty":"oct","k":"c2VjcmV0"}"#)?;
/// assert_eq!(jwk.kty, "oct");
/// assert!(format!("{jwk:?}").contains("<redacted>"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[allow(missing_docs)] // members are named by the RFCs
#[non_exhaustive]
pub struct Jwk {
    pub kty: String,
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub key_use: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_ops: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5u: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5c: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x5t: Option<String>,
    #[serde(rename = "x5t#S256", default, skip_serializing_if = "Option::is_none")]
    pub x5t_s256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
    /// ML-DSA public key (`AKP` keys).
    #[serde(rename = "pub", default, skip_serializing_if = "Option::is_none")]
    pub public: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dq: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qi: Option<String>,
    /// Multi-prime RSA `oth`: parsed only to be refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oth: Option<Value>,
    /// Symmetric key value (`oct` keys).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k: Option<String>,
    /// ML-DSA private seed (`AKP` keys).
    #[serde(rename = "priv", default, skip_serializing_if = "Option::is_none")]
    pub private: Option<String>,
    /// Members this library does not interpret, kept for round trips.
    // The derive refuses a repeated member it names ("duplicate field");
    // these it only collects, and a plain map would keep the last of two.
    #[serde(flatten, deserialize_with = "crate::json::deserialize_unique_object")]
    pub other: Map<String, Value>,
}

impl Jwk {
    /// Parses a JWK from JSON text.
    ///
    /// A member name given twice is refused with [`Error::JwkInvalid`]
    /// naming it, as repeated names are in JOSE headers and JWT claims.
    ///
    /// [`Error::JwkInvalid`]: crate::Error::JwkInvalid
    pub fn from_json(json: &str) -> crate::Result<Jwk> {
        serde_json::from_str(json).map_err(|e| crate::Error::jwk(format!("not a JWK: {e}")))
    }

    /// True if any private member is present.
    pub fn is_private(&self) -> bool {
        // An RSA key's factors (`p`, `q`, the CRT members, `oth`) give the
        // private key away as surely as `d` does.
        [
            &self.d,
            &self.p,
            &self.q,
            &self.dp,
            &self.dq,
            &self.qi,
            &self.k,
            &self.private,
        ]
        .iter()
        .any(|member| member.is_some())
            || self.oth.is_some()
    }

    /// The JSON text of this JWK.
    pub fn to_json(&self) -> String {
        // A struct of strings and JSON values always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// This JWK without its private members.
    pub fn to_public(&self) -> Jwk {
        let mut public = self.clone();
        for member in public.private_members_mut() {
            if let Some(mut value) = member.take() {
                value.zeroize();
            }
        }
        public.oth = None;
        public
    }

    fn private_members_mut(&mut self) -> [&mut Option<String>; 8] {
        [
            &mut self.d,
            &mut self.p,
            &mut self.q,
            &mut self.dp,
            &mut self.dq,
            &mut self.qi,
            &mut self.k,
            &mut self.private,
        ]
    }
}

impl Drop for Jwk {
    fn drop(&mut self) {
        for member in self.private_members_mut() {
            if let Some(value) = member.as_mut() {
                value.zeroize();
            }
        }
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        let mut s = f.debug_struct("Jwk");
        s.field("kty", &self.kty);
        macro_rules! public {
            ($($name:ident),*) => {$(
                if let Some(v) = &self.$name { s.field(stringify!($name), v); }
            )*};
        }
        public!(key_use, key_ops, alg, kid, crv, x, y, n, e, x5u, x5c, x5t, x5t_s256);
        if self.public.is_some() {
            s.field("pub", &"<omitted>");
        }
        macro_rules! private {
            ($($name:ident),*) => {$(
                if let Some(v) = redact(&self.$name) { s.field(stringify!($name), &v); }
            )*};
        }
        private!(d, p, q, dp, dq, qi, k, private);
        if !self.other.is_empty() {
            s.field("other", &self.other);
        }
        s.finish()
    }
}
