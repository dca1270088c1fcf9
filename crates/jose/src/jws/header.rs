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
/// use jose::{Alg, jws::JwsHeader};
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
    /// `typ`: the media type of the whole JWS (e.g. `JWT`).
    pub typ: Option<String>,
    /// `cty`: the media type of the payload (`JWT` for nested tokens).
    pub cty: Option<String>,
    /// `crit`: extensions the recipient must understand.
    pub crit: Option<Vec<String>>,
    /// `b64` (RFC 7797): `false` signs the payload unencoded.
    pub b64: Option<bool>,
    /// `jwk`: the public key that signed, embedded.
    pub jwk: Option<Jwk>,
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

    /// Sets `kid`.
    pub fn kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `typ`.
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Sets `cty`.
    pub fn cty(mut self, cty: impl Into<String>) -> Self {
        self.cty = Some(cty.into());
        self
    }

    /// Sets any other parameter. Registered names go to their typed field.
    pub fn insert(mut self, name: impl Into<String>, value: impl Into<Value>) -> Result<Self> {
        let name = name.into();
        let mut single = Map::new();
        single.insert(name, value.into());
        let parsed = JwsHeader::from_map(single)?;
        self.absorb(parsed);
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
        self.names().any(|n| n == name)
    }

    /// Builds a header from a JSON object, checking registered parameters'
    /// types.
    pub fn from_map(mut map: Map<String, Value>) -> Result<Self> {
        let alg = match map.remove("alg") {
            None => None,
            Some(Value::String(name)) => Some(Alg::from_name(&name).ok_or(Error::AlgNotAllowed(name))?),
            Some(_) => return Err(Error::jws("\"alg\" header parameter must be a string")),
        };
        let kid = header::take_string(&mut map, "kid").map_err(Error::jws)?;
        let typ = header::take_string(&mut map, "typ").map_err(Error::jws)?;
        let cty = header::take_string(&mut map, "cty").map_err(Error::jws)?;
        let crit = header::take_crit(&mut map).map_err(Error::jws)?;
        let b64 = match map.remove("b64") {
            None => None,
            Some(Value::Bool(b)) => Some(b),
            Some(_) => return Err(Error::jws("\"b64\" header parameter must be a boolean")),
        };
        let jwk = header::take_jwk(&mut map, "jwk").map_err(Error::jws)?;
        Ok(JwsHeader {
            alg,
            kid,
            typ,
            cty,
            crit,
            b64,
            jwk,
            other: map,
        })
    }

    /// This header as a JSON object.
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::new();
        if let Some(alg) = self.alg {
            map.insert("alg".into(), alg.name().into());
        }
        if let Some(b64) = self.b64 {
            map.insert("b64".into(), b64.into());
        }
        if let Some(crit) = &self.crit {
            map.insert("crit".into(), crit.clone().into());
        }
        for (name, value) in [("kid", &self.kid), ("typ", &self.typ), ("cty", &self.cty)] {
            if let Some(value) = value {
                map.insert(name.into(), value.clone().into());
            }
        }
        if let Some(jwk) = &self.jwk {
            map.insert(
                "jwk".into(),
                serde_json::to_value(jwk.to_public()).unwrap_or(Value::Null),
            );
        }
        for (name, value) in &self.other {
            map.insert(name.clone(), value.clone());
        }
        map
    }

    pub(crate) fn to_json(&self) -> String {
        Value::Object(self.to_map()).to_string()
    }

    /// Parses the decoded bytes of a protected header.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self> {
        let map = crate::json::parse_object(bytes).map_err(|e| Error::jws(format!("protected header is {e}")))?;
        JwsHeader::from_map(map)
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

impl serde::Serialize for JwsHeader {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_map().serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for JwsHeader {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        // Unprotected headers refuse repeated members as the protected one does.
        let map = crate::json::deserialize_unique_object(d)?;
        JwsHeader::from_map(map).map_err(serde::de::Error::custom)
    }
}
