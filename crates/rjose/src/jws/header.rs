//! The JOSE header of a JWS (RFC 7515 section 4).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::alg::Alg;
use crate::error::{Error, Result};
use crate::header;
use crate::jwk::Jwk;

/// Header parameters defined by RFC 7515 and RFC 7797; `crit` may not list
/// them (RFC 7515 section 4.1.11).
const REGISTERED: [&str; 12] = [
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
];

/// A JWS header: the registered parameters as typed fields, everything
/// else in [`other`](Self::other).
///
/// ```
/// use rjose::{Alg, jws::JwsHeader};
///
/// let header = JwsHeader::new(Alg::ES256).kid("2024-05").typ("at+jwt");
/// assert_eq!(header.alg, Some(Alg::ES256));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct JwsHeader {
    /// `alg`: the signature algorithm.
    pub alg: Option<Alg>,
    /// `kid`: which key signed.
    pub kid: Option<String>,
    /// `typ`: the media type of the whole JWS (e.g. `JWT`). Common values
    /// are static strings, so that reading them allocates nothing.
    pub typ: Option<Cow<'static, str>>,
    /// `cty`: the media type of the payload (`JWT` for nested tokens).
    pub cty: Option<Cow<'static, str>>,
    /// `crit`: extensions the recipient must understand.
    pub crit: Option<Vec<String>>,
    /// `b64` (RFC 7797): `false` signs the payload unencoded.
    pub b64: Option<bool>,
    /// `jwk`: the public key that signed, embedded.
    pub jwk: Option<Box<Jwk>>,
    /// Every other parameter, as it came.
    pub other: Map<String, Value>,
}

impl JwsHeader {
    /// A header with `alg` set.
    pub fn new(alg: Alg) -> Self {
        JwsHeader {
            alg: Some(alg),
            ..Self::default()
        }
    }

    header::common_setters!();

    /// Sets any other parameter. Registered names go to their typed field.
    pub fn insert(mut self, name: impl Into<String>, value: impl Into<Value>) -> Result<Self> {
        header::Fields::set(&mut self, &name.into(), value.into())?;
        Ok(self)
    }

    fn absorb(&mut self, other: JwsHeader) {
        macro_rules! take {
            ($($field:ident),*) => {$( if other.$field.is_some() { self.$field = other.$field; } )*};
        }
        take!(alg, kid, typ, cty, crit, b64, jwk);
        self.other.extend(other.other);
    }

    /// Parameter names present in this header.
    fn names(&self) -> impl Iterator<Item = &str> {
        let typed = [
            ("alg", self.alg.is_some()),
            ("kid", self.kid.is_some()),
            ("typ", self.typ.is_some()),
            ("cty", self.cty.is_some()),
            ("crit", self.crit.is_some()),
            ("b64", self.b64.is_some()),
            ("jwk", self.jwk.is_some()),
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
            "kid" => self.kid.is_some(),
            "typ" => self.typ.is_some(),
            "cty" => self.cty.is_some(),
            "crit" => self.crit.is_some(),
            "b64" => self.b64.is_some(),
            "jwk" => self.jwk.is_some(),
            _ => false,
        };
        typed || self.other.contains_key(name)
    }

    /// Builds a header from a JSON object, checking registered parameters'
    /// types.
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
        if let Some(json) = self.plain_json() {
            return json;
        }
        // Strings, booleans and JSON values always serialize.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The JSON text of a header whose members are plain strings among
    /// `alg`, `cty`, `kid` and `typ` (nearly every JWT's), written without
    /// the serializer: a third of the cost of signing an access token
    /// besides the claims and the signature. The same bytes as
    /// [`Serialize`](serde::Serialize) writes; `None` for anything else,
    /// or for a value that JSON would escape.
    fn plain_json(&self) -> Option<String> {
        if self.b64.is_some() || self.crit.is_some() || self.jwk.is_some() || !self.other.is_empty() {
            return None;
        }
        let members = [
            ("alg", self.alg.map(Alg::name)),
            ("cty", self.cty.as_deref()),
            ("kid", self.kid.as_deref()),
            ("typ", self.typ.as_deref()),
        ];
        let mut json = String::with_capacity(64);
        json.push('{');
        for (name, value) in members {
            let Some(value) = value else { continue };
            if value.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
                return None;
            }
            if json.len() > 1 {
                json.push(',');
            }
            for part in ["\"", name, "\":\"", value, "\""] {
                json.push_str(part);
            }
        }
        json.push('}');
        Some(json)
    }

    /// Parses the decoded bytes of a protected header.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        header::parse_protected(bytes)
    }

    /// The joint header of a protected and an unprotected header, whose
    /// parameter names must be disjoint (RFC 7515 section 7.2.1).
    pub(crate) fn joint<'h>(
        protected: Option<&'h JwsHeader>,
        unprotected: Option<&'h JwsHeader>,
    ) -> Result<Cow<'h, JwsHeader>> {
        match (protected, unprotected) {
            (Some(p), None) => Ok(Cow::Borrowed(p)),
            (None, Some(u)) => Ok(Cow::Borrowed(u)),
            (None, None) => Err(Error::jws("JWS has neither a protected nor an unprotected header")),
            (Some(p), Some(u)) => {
                if let Some(dup) = u.names().find(|name| p.contains(name)) {
                    return Err(Error::jws(format!(
                        "header parameter {dup:?} appears in both the protected and the unprotected header"
                    )));
                }
                let mut joint = p.clone();
                joint.absorb(u.clone());
                Ok(Cow::Owned(joint))
            }
        }
    }

    /// Checks `crit` (RFC 7515 section 4.1.11): only in the protected
    /// header, no registered names, each understood by us or the caller
    /// and present in the protected header; `b64` only when listed.
    pub(crate) fn check_crit(
        protected: Option<&JwsHeader>,
        unprotected: Option<&JwsHeader>,
        understood: &[String],
    ) -> Result<()> {
        if unprotected.is_some_and(|u| u.crit.is_some()) {
            return Err(Error::jws(header::CritFailure::Unprotected.message()));
        }
        let Some(protected) = protected else { return Ok(()) };
        let crit = protected.crit.as_deref().unwrap_or_default();
        header::check_crit(crit, &REGISTERED, &["b64"], understood, |name| protected.contains(name)).map_err(
            |failure| match failure {
                header::CritFailure::NotUnderstood(_) => Error::NotSupported(failure.message()),
                _ => Error::jws(failure.message()),
            },
        )?;
        // RFC 7797 section 6: b64 is only meaningful when marked critical.
        if protected.b64.is_some() && !crit.iter().any(|n| n == "b64") {
            return Err(Error::jws("\"b64\" header parameter must be listed in \"crit\""));
        }
        if unprotected.is_some_and(|u| u.b64.is_some()) {
            return Err(Error::jws("\"b64\" must be integrity protected"));
        }
        Ok(())
    }
}

/// Written straight from the fields, with no intermediate map, members in
/// name order: the bytes depend only on the header's contents.
impl serde::Serialize for JwsHeader {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use header::Field;
        let typed = [
            ("alg", self.alg.map(|a| Field::Str(a.name()))),
            ("b64", self.b64.map(Field::Bool)),
            ("crit", self.crit.as_deref().map(Field::List)),
            ("cty", self.cty.as_deref().map(Field::Str)),
            ("jwk", self.jwk.as_deref().map(Field::Jwk)),
            ("kid", self.kid.as_deref().map(Field::Str)),
            ("typ", self.typ.as_deref().map(Field::Str)),
        ];
        header::serialize_fields(s, typed, &self.other)
    }
}

impl<'de> serde::Deserialize<'de> for JwsHeader {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // Unprotected headers refuse repeated members as the protected one does.
        let map = crate::json::deserialize_unique_header(d)?;
        JwsHeader::from_map(map).map_err(serde::de::Error::custom)
    }
}

impl header::Fields for JwsHeader {
    const STRINGS: &'static [&'static str] = &["alg", "kid", "typ", "cty"];

    fn set_str(&mut self, name: &str, value: &str) -> Result<()> {
        match name {
            "alg" => self.alg = Some(Alg::from_name(value).ok_or_else(|| Error::alg_not_allowed(value))?),
            "kid" => self.kid = Some(value.to_owned()),
            "typ" => self.typ = Some(header::media_type(value)),
            _ => self.cty = Some(header::media_type(value)),
        }
        Ok(())
    }

    fn set(&mut self, name: &str, value: Value) -> Result<()> {
        let string = |value: Value| header::string(name, value).map_err(Error::jws);
        match name {
            "alg" => self.set_str(name, &string(value)?)?,
            "kid" => self.kid = Some(string(value)?),
            "typ" => self.typ = Some(header::media_type_of(string(value)?)),
            "cty" => self.cty = Some(header::media_type_of(string(value)?)),
            "b64" => match value {
                Value::Bool(b) => self.b64 = Some(b),
                _ => return Err(Error::jws("\"b64\" header parameter must be a boolean")),
            },
            "crit" => self.crit = Some(header::crit(value).map_err(Error::jws)?),
            "jwk" => self.jwk = Some(header::jwk(name, value).map_err(Error::jws)?),
            _ => {
                self.other.insert(name.to_owned(), value);
            }
        }
        Ok(())
    }

    fn malformed(message: String) -> Error {
        Error::jws(message)
    }
}
