//! The JOSE header of a JWE (RFC 7516 section 4).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::alg::{JweAlg, JweEnc};
use crate::error::{Error, Result};
use crate::header;
use crate::jwk::Jwk;

/// Parameters defined by RFC 7516/7518 that `crit` may not list.
// "p2c" (RFC 7518 section 4.8.1.2) was missing: `crit: ["p2c"]` with
// `understands("p2c")` was accepted instead of refused.
const REGISTERED: [&str; 20] = [
    "alg", "enc", "zip", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "epk", "apu",
    "apv", "iv", "tag", "p2s", "p2c",
];

/// A JWE header: the registered parameters as typed fields, everything
/// else (including replicated JWT claims such as `iss`) in
/// [`other`](Self::other).
///
/// ```
/// use rjose::jwe::{JweAlg, JweEnc, JweHeader};
///
/// let header = JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A256GCM).kid("enc-2024");
/// assert_eq!(header.enc, Some(JweEnc::A256GCM));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct JweHeader {
    /// `alg`: how the content key is managed.
    pub alg: Option<JweAlg>,
    /// `enc`: how the content is encrypted.
    pub enc: Option<JweEnc>,
    /// `zip`: `DEF` when the plaintext is compressed.
    pub zip: Option<String>,
    /// `kid`: which key the recipient should use.
    pub kid: Option<String>,
    /// `typ`: media type of the whole JWE. Common values are static
    /// strings, so that reading them allocates nothing.
    pub typ: Option<Cow<'static, str>>,
    /// `cty`: media type of the plaintext (`JWT` for nested tokens).
    pub cty: Option<Cow<'static, str>>,
    /// `crit`: extensions the recipient must understand.
    pub crit: Option<Vec<String>>,
    /// `jwk`: the recipient's public key.
    pub jwk: Option<Box<Jwk>>,
    /// `epk`: the sender's ephemeral public key (ECDH-ES).
    pub epk: Option<Box<Jwk>>,
    /// `apu`: agreement PartyUInfo, base64url (ECDH-ES).
    pub apu: Option<String>,
    /// `apv`: agreement PartyVInfo, base64url (ECDH-ES).
    pub apv: Option<String>,
    /// `iv`: key wrap IV, base64url (AES-GCM key wrap).
    pub iv: Option<String>,
    /// `tag`: key wrap tag, base64url (AES-GCM key wrap).
    pub tag: Option<String>,
    /// `p2s`: PBES2 salt input, base64url.
    pub p2s: Option<String>,
    /// `p2c`: PBES2 iteration count.
    pub p2c: Option<u64>,
    /// Every other parameter, as it came.
    pub other: Map<String, Value>,
}

impl JweHeader {
    /// The `alg` and `enc` every JWE header must name, by the time the
    /// protected, shared and per-recipient headers are joined.
    pub(crate) fn algorithms(&self) -> Result<(JweAlg, JweEnc)> {
        let alg = self
            .alg
            .ok_or_else(|| Error::JweInvalid("\"alg\" header parameter is missing".into()))?;
        let enc = self
            .enc
            .ok_or_else(|| Error::JweInvalid("\"enc\" header parameter is missing".into()))?;
        Ok((alg, enc))
    }

    /// A header with `alg` and `enc` set.
    pub fn new(alg: JweAlg, enc: JweEnc) -> Self {
        JweHeader {
            alg: Some(alg),
            enc: Some(enc),
            ..Self::default()
        }
    }

    /// Sets `alg` alone: in a general JWE each recipient's header names
    /// its own key management algorithm, while `enc` is shared.
    pub fn alg(mut self, alg: JweAlg) -> Self {
        self.alg = Some(alg);
        self
    }

    /// Sets `enc` alone, e.g. in the protected header of a general JWE.
    pub fn enc(mut self, enc: JweEnc) -> Self {
        self.enc = Some(enc);
        self
    }

    header::common_setters!();

    /// Sets `zip` to `DEF`: the plaintext is compressed before encryption.
    pub fn deflate(mut self) -> Self {
        self.zip = Some("DEF".to_owned());
        self
    }

    /// Sets any other parameter (e.g. a replicated claim).
    pub fn insert(mut self, name: impl Into<String>, value: impl Into<Value>) -> Result<Self> {
        header::Fields::set(&mut self, &name.into(), value.into())?;
        Ok(self)
    }

    pub(crate) fn absorb(&mut self, other: JweHeader) {
        macro_rules! take {
            ($($field:ident),*) => {$( if other.$field.is_some() { self.$field = other.$field; } )*};
        }
        take!(
            alg, enc, zip, kid, typ, cty, crit, jwk, epk, apu, apv, iv, tag, p2s, p2c
        );
        self.other.extend(other.other);
    }

    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        let typed = [
            ("alg", self.alg.is_some()),
            ("enc", self.enc.is_some()),
            ("zip", self.zip.is_some()),
            ("kid", self.kid.is_some()),
            ("typ", self.typ.is_some()),
            ("cty", self.cty.is_some()),
            ("crit", self.crit.is_some()),
            ("jwk", self.jwk.is_some()),
            ("epk", self.epk.is_some()),
            ("apu", self.apu.is_some()),
            ("apv", self.apv.is_some()),
            ("iv", self.iv.is_some()),
            ("tag", self.tag.is_some()),
            ("p2s", self.p2s.is_some()),
            ("p2c", self.p2c.is_some()),
        ];
        typed
            .into_iter()
            .filter_map(|(name, present)| present.then_some(name))
            .chain(self.other.keys().map(String::as_str))
    }

    /// True if the parameter `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        // A lookup, not a walk over `names`: checking every name of one
        // header against another must not take quadratic time.
        let typed = match name {
            "alg" => self.alg.is_some(),
            "enc" => self.enc.is_some(),
            "zip" => self.zip.is_some(),
            "kid" => self.kid.is_some(),
            "typ" => self.typ.is_some(),
            "cty" => self.cty.is_some(),
            "crit" => self.crit.is_some(),
            "jwk" => self.jwk.is_some(),
            "epk" => self.epk.is_some(),
            "apu" => self.apu.is_some(),
            "apv" => self.apv.is_some(),
            "iv" => self.iv.is_some(),
            "tag" => self.tag.is_some(),
            "p2s" => self.p2s.is_some(),
            "p2c" => self.p2c.is_some(),
            _ => false,
        };
        typed || self.other.contains_key(name)
    }

    /// True if no parameter is set.
    pub fn is_empty(&self) -> bool {
        self.names().next().is_none()
    }

    /// Builds a header from a JSON object, checking the registered
    /// parameters' types. Unknown `alg`/`enc` values are refused.
    pub fn from_map(map: Map<String, Value>) -> Result<Self> {
        header::Fields::from_members(map)
    }

    /// This header as a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    }

    pub(crate) fn to_json(&self) -> String {
        // Strings, numbers, keys and JSON values always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        header::parse_protected(bytes)
    }

    /// The joint header; the three parts' parameter names must be disjoint
    /// (RFC 7516 section 7.2.1).
    pub(crate) fn joint<'h>(parts: [Option<&'h JweHeader>; 3]) -> Result<Cow<'h, JweHeader>> {
        let present: Vec<&JweHeader> = parts.into_iter().flatten().collect();
        match present.as_slice() {
            [] => Err(Error::JweInvalid("JWE has no header".into())),
            [only] => Ok(Cow::Borrowed(*only)),
            [first, rest @ ..] => {
                let mut joint = (*first).clone();
                for part in rest {
                    if let Some(dup) = part.names().find(|name| joint.contains(name)) {
                        return Err(Error::JweInvalid(format!(
                            "header parameter {dup:?} appears in more than one JWE header"
                        )));
                    }
                    joint.absorb((*part).clone());
                }
                Ok(Cow::Owned(joint))
            }
        }
    }

    /// `crit` only in the protected header, listing understood extensions
    /// it carries; `zip` only in the protected header (RFC 7516 section 4.1.3).
    pub(crate) fn check_protection(
        protected: Option<&JweHeader>,
        unprotected: [Option<&JweHeader>; 2],
        understood: &[String],
    ) -> Result<()> {
        for part in unprotected.into_iter().flatten() {
            if part.crit.is_some() {
                return Err(Error::JweInvalid(header::CritFailure::Unprotected.message()));
            }
            if part.zip.is_some() {
                return Err(Error::JweInvalid("\"zip\" must be integrity protected".into()));
            }
        }
        let Some(protected) = protected else { return Ok(()) };
        let crit = protected.crit.as_deref().unwrap_or_default();
        header::check_crit(crit, &REGISTERED, &[], understood, |name| protected.contains(name)).map_err(|failure| {
            match failure {
                header::CritFailure::NotUnderstood(_) => Error::NotSupported(failure.message()),
                _ => Error::JweInvalid(failure.message()),
            }
        })
    }
}

/// Written straight from the fields, with no intermediate map, members in
/// name order: the bytes depend only on the header's contents.
impl serde::Serialize for JweHeader {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use header::Field;
        let typed = [
            ("alg", self.alg.map(|a| Field::Str(a.name()))),
            ("apu", self.apu.as_deref().map(Field::Str)),
            ("apv", self.apv.as_deref().map(Field::Str)),
            ("crit", self.crit.as_deref().map(Field::List)),
            ("cty", self.cty.as_deref().map(Field::Str)),
            ("enc", self.enc.map(|e| Field::Str(e.name()))),
            ("epk", self.epk.as_deref().map(Field::Jwk)),
            ("iv", self.iv.as_deref().map(Field::Str)),
            ("jwk", self.jwk.as_deref().map(Field::Jwk)),
            ("kid", self.kid.as_deref().map(Field::Str)),
            ("p2c", self.p2c.map(Field::Int)),
            ("p2s", self.p2s.as_deref().map(Field::Str)),
            ("tag", self.tag.as_deref().map(Field::Str)),
            ("typ", self.typ.as_deref().map(Field::Str)),
            ("zip", self.zip.as_deref().map(Field::Str)),
        ];
        header::serialize_fields(s, typed, &self.other)
    }
}

impl<'de> serde::Deserialize<'de> for JweHeader {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // Unprotected headers refuse repeated members as the protected one does.
        let map = crate::json::deserialize_unique_header(d)?;
        JweHeader::from_map(map).map_err(serde::de::Error::custom)
    }
}

impl header::Fields for JweHeader {
    const STRINGS: &'static [&'static str] = &["alg", "enc", "kid", "typ", "cty"];

    fn set_str(&mut self, name: &str, value: &str) -> Result<()> {
        match name {
            "enc" => {
                self.enc = Some(JweEnc::from_name(value).ok_or_else(|| {
                    Error::NotSupported(format!("unsupported \"enc\" (content encryption algorithm) {value:?}"))
                })?)
            }
            "alg" => self.alg = Some(JweAlg::from_name(value).ok_or_else(|| Error::alg_not_allowed(value))?),
            "kid" => self.kid = Some(value.to_owned()),
            "typ" => self.typ = Some(header::media_type(value)),
            _ => self.cty = Some(header::media_type(value)),
        }
        Ok(())
    }

    fn set(&mut self, name: &str, value: Value) -> Result<()> {
        let string = |value: Value| header::string(name, value).map_err(Error::JweInvalid);
        match name {
            "alg" | "enc" => self.set_str(name, &string(value)?)?,
            "p2c" => {
                let count = value.as_u64().filter(|&c| c > 0);
                self.p2c = Some(count.ok_or_else(|| Error::JweInvalid("\"p2c\" must be a positive integer".into()))?);
            }
            "zip" => self.zip = Some(string(value)?),
            "kid" => self.kid = Some(string(value)?),
            "typ" => self.typ = Some(header::media_type_of(string(value)?)),
            "cty" => self.cty = Some(header::media_type_of(string(value)?)),
            "apu" => self.apu = Some(string(value)?),
            "apv" => self.apv = Some(string(value)?),
            "iv" => self.iv = Some(string(value)?),
            "tag" => self.tag = Some(string(value)?),
            "p2s" => self.p2s = Some(string(value)?),
            "crit" => self.crit = Some(header::crit(value).map_err(Error::JweInvalid)?),
            "jwk" => self.jwk = Some(header::jwk(name, value).map_err(Error::JweInvalid)?),
            "epk" => self.epk = Some(header::jwk(name, value).map_err(Error::JweInvalid)?),
            _ => {
                self.other.insert(name.to_owned(), value);
            }
        }
        Ok(())
    }

    fn malformed(message: String) -> Error {
        Error::JweInvalid(message)
    }
}
