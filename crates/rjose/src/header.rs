//! What JWS and JWE headers share: typed extraction of registered
//! parameters from a JSON object, and the `crit` rules of RFC 7515
//! section 4.1.11 (which RFC 7516 adopts).

use std::borrow::Cow;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::json::{HeaderValues, MemberValues, NameSeed, Names, is_embedded_key};
use crate::jwk::Jwk;

/// A header type that is filled member by member: parsed in one pass
/// straight into its typed fields, with no intermediate map of every
/// member (this runs on every verification and decryption).
pub(crate) trait Fields: Default {
    /// Sets one member from its JSON value, checking its type.
    fn set(&mut self, name: &str, value: Value) -> Result<()>;

    /// The string members every token has, or nearly: `alg` (and `enc`
    /// for JWE), `kid`, `typ`, `cty`. Read as strings borrowed from the
    /// document rather than as JSON values: an algorithm is kept as its
    /// enum and a common media type as a static string, so neither
    /// allocates.
    const STRINGS: &'static [&'static str];

    /// Sets a [`STRINGS`](Self::STRINGS) member from its string.
    fn set_str(&mut self, name: &str, value: &str) -> Result<()>;

    /// The error for a malformed header (`ERR_JWS_INVALID`, `ERR_JWE_INVALID`).
    fn malformed(message: String) -> Error;

    /// Builds a header from a JSON object.
    fn from_members(map: Map<String, Value>) -> Result<Self> {
        let mut header = Self::default();
        for (name, value) in map {
            header.set(&name, value)?;
        }
        Ok(header)
    }
}

/// Parses the decoded bytes of a protected header. Repeated member names
/// are refused (RFC 7515 section 5.2); the first domain error (an unknown
/// `alg`, a mistyped parameter) reaches the caller as itself rather than as
/// a JSON error.
pub(crate) fn parse_protected<H: Fields>(bytes: &[u8]) -> Result<H> {
    let mut header = H::default();
    let mut failure = None;
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Seed {
        header: &mut header,
        failure: &mut failure,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match (parsed, failure) {
        (Ok(()), _) => Ok(header),
        (Err(_), Some(failure)) => Err(failure),
        (Err(e), None) => Err(H::malformed(format!(
            "protected header is {}",
            crate::json::describe(&e)
        ))),
    }
}

struct Seed<'h, H> {
    header: &'h mut H,
    failure: &'h mut Option<Error>,
}

impl<'de, H: Fields> DeserializeSeed<'de> for Seed<'_, H> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, H: Fields> Visitor<'de> for Seed<'_, H> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> std::result::Result<(), A::Error> {
        let mut seen = Names::new();
        while let Some(name) = access.next_key_seed(NameSeed)? {
            if H::STRINGS.contains(&&*name) {
                let value = access.next_value_seed(StrOrOther)?;
                if !seen.insert(name.clone()) {
                    *self.failure = Some(H::malformed(format!("protected header is duplicate member {name:?}")));
                    return Err(de::Error::custom("duplicate header parameter"));
                }
                let set = match value {
                    Some(value) => self.header.set_str(&name, &value),
                    // Not a string: `set` words the type error.
                    None => self.header.set(&name, Value::Null),
                };
                if let Err(e) = set {
                    self.failure.get_or_insert(e);
                }
                continue;
            }
            let value = match HeaderValues.next_value(&name, &mut access) {
                Ok(value) => value,
                // An embedded key that repeats a member is as malformed as
                // a header that does, whatever was seen before it.
                Err(e) if is_embedded_key(&name) => {
                    *self.failure = Some(H::malformed(format!("protected header: {e}")));
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            // Duplicates are a structural fault and win over a bad value
            // seen earlier: `{"alg":"none","alg":"HS256"}` is malformed.
            if !seen.insert(name.clone()) {
                *self.failure = Some(H::malformed(format!("protected header is duplicate member {name:?}")));
                return Err(de::Error::custom("duplicate header parameter"));
            }
            if let Err(e) = self.header.set(&name, value) {
                self.failure.get_or_insert(e);
            }
        }
        match self.failure {
            Some(_) => Err(de::Error::custom("invalid header parameter")),
            None => Ok(()),
        }
    }
}

/// A string value, borrowed from the document when it has no escapes;
/// `None` for any other JSON value, which is read and dropped.
struct StrOrOther;

impl<'de> DeserializeSeed<'de> for StrOrOther {
    type Value = Option<Cow<'de, str>>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StrOrOther {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(Some(Cow::Owned(v)))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> std::result::Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self::Value, A::Error> {
        while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

/// A registered parameter's value, borrowed for serialization.
pub(crate) enum Field<'h> {
    Str(&'h str),
    Bool(bool),
    Int(u64),
    List(&'h [String]),
    Jwk(&'h Jwk),
    Json(&'h Value),
}

impl serde::Serialize for Field<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Field::Str(v) => s.serialize_str(v),
            Field::Bool(v) => s.serialize_bool(*v),
            Field::Int(v) => s.serialize_u64(*v),
            Field::List(v) => v.serialize(s),
            // Only the public members of an embedded key are ever written,
            // in name order like the header's own.
            Field::Jwk(v) => {
                let members = match serde_json::to_value(v.to_public()) {
                    Ok(Value::Object(members)) => members,
                    Ok(_) => return Err(serde::ser::Error::custom("a JWK is a JSON object")),
                    Err(e) => return Err(serde::ser::Error::custom(e)),
                };
                let mut members: Vec<(String, Value)> = members.into_iter().collect();
                members.sort_unstable_by(|a, b| a.0.cmp(&b.0));
                s.collect_map(members)
            }
            Field::Json(v) => v.serialize(s),
        }
    }
}

/// Writes a header straight from its fields, with no intermediate map
/// (this runs on every signature and encryption): the registered
/// parameters `typed`, given in name order, merged with the `other` ones.
/// Members come out in name order whatever the order of `other` (which
/// follows insertion if serde_json's `preserve_order` is on), and so do an
/// embedded key's, so the bytes depend only on the header's contents.
pub(crate) fn serialize_fields<'h, S: serde::Serializer, const N: usize>(
    s: S,
    typed: [(&'static str, Option<Field<'h>>); N],
    other: &'h Map<String, Value>,
) -> std::result::Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    // A registered name can reach `other` only by editing the public field
    // directly; the typed value counts, and the name is written once.
    let mut other: Vec<(&str, &Value)> = other
        .iter()
        .map(|(name, value)| (name.as_str(), value))
        .filter(|(name, _)| {
            !typed
                .iter()
                .any(|(typed_name, value)| value.is_some() && typed_name == name)
        })
        .collect();
    let mut typed = typed
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name, v)))
        .peekable();
    if !other.is_sorted_by_key(|(name, _)| *name) {
        other.sort_unstable_by_key(|(name, _)| *name);
    }
    let mut other = other
        .into_iter()
        .map(|(name, value)| (name, Field::Json(value)))
        .peekable();
    let mut map = s.serialize_map(None)?;
    loop {
        let next = match (typed.peek(), other.peek()) {
            (Some((t, _)), Some((o, _))) if *o < *t => other.next(),
            (Some(_), _) => typed.next(),
            (None, Some(_)) => other.next(),
            (None, None) => break,
        };
        if let Some((name, value)) = next {
            map.serialize_entry(name, &value)?;
        }
    }
    map.end()
}

/// `typ` and `cty` values common enough to be kept as static strings:
/// reading a header that carries one of them allocates nothing for it.
const MEDIA_TYPES: [&str; 9] = [
    "JWT",
    "JOSE",
    "JOSE+JSON",
    "at+jwt",
    "dpop+jwt",
    "secevent+jwt",
    "logout+jwt",
    "jwt",
    "application/jwt",
];

/// A `typ` or `cty` value, static when it is a common one.
pub(crate) fn media_type(value: &str) -> Cow<'static, str> {
    match MEDIA_TYPES.iter().find(|known| **known == value) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(value.to_owned()),
    }
}

/// [`media_type`] of an owned string, which is kept when it is not a
/// common one.
pub(crate) fn media_type_of(value: String) -> Cow<'static, str> {
    match MEDIA_TYPES.iter().find(|known| **known == value) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(value),
    }
}

/// The builder setters every header type has: `kid`, `typ`, `cty`.
macro_rules! common_setters {
    () => {
        /// Sets `kid`.
        pub fn kid(mut self, kid: impl Into<String>) -> Self {
            self.kid = Some(kid.into());
            self
        }

        /// Sets `typ`.
        pub fn typ(mut self, typ: impl Into<String>) -> Self {
            self.typ = Some($crate::header::media_type_of(typ.into()));
            self
        }

        /// Sets `cty`.
        pub fn cty(mut self, cty: impl Into<String>) -> Self {
            self.cty = Some($crate::header::media_type_of(cty.into()));
            self
        }
    };
}
pub(crate) use common_setters;

/// A string-valued parameter.
pub(crate) fn string(name: &str, value: Value) -> Result<String, String> {
    match value {
        Value::String(s) => Ok(s),
        _ => Err(format!("\"{name}\" header parameter must be a string")),
    }
}

/// `crit`: a non-empty array of strings.
pub(crate) fn crit(value: Value) -> Result<Vec<String>, String> {
    const SHAPE: &str = "\"crit\" must be a non-empty array of strings";
    match value {
        Value::Array(items) if !items.is_empty() => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                _ => Err(SHAPE.to_owned()),
            })
            .collect(),
        _ => Err(SHAPE.to_owned()),
    }
}

/// A JWK-valued parameter (`jwk`, `epk`). Boxed: a `Jwk` is large and rare
/// in headers, and every header is moved around whole.
pub(crate) fn jwk(name: &str, value: Value) -> Result<Box<Jwk>, String> {
    match value {
        value @ Value::Object(_) => serde_json::from_value::<Jwk>(value)
            .map(Box::new)
            .map_err(|e| format!("\"{name}\" header parameter is not a JWK: {e}")),
        _ => Err(format!("\"{name}\" header parameter must be an object")),
    }
}

/// Why a `crit` list was refused.
#[derive(Debug)]
pub(crate) enum CritFailure {
    /// Not in the protected header.
    Unprotected,
    /// Lists a parameter the base specification defines.
    Registered(String),
    /// Lists an extension neither we nor the caller understand.
    NotUnderstood(String),
    /// Lists an extension the protected header does not carry.
    Missing(String),
}

impl CritFailure {
    pub(crate) fn message(&self) -> String {
        match self {
            CritFailure::Unprotected => "\"crit\" must be integrity protected".to_owned(),
            CritFailure::Registered(name) => format!("\"crit\" must not list the registered parameter {name:?}"),
            CritFailure::NotUnderstood(name) => format!("critical header parameter {name:?} is not understood"),
            CritFailure::Missing(name) => format!("critical header parameter {name:?} is missing"),
        }
    }
}

/// Checks a protected header's `crit` list: no `registered` names, each
/// name either `builtin` (extensions this library implements) or declared
/// `understood` by the caller, and each present in the protected header.
pub(crate) fn check_crit(
    crit: &[String],
    registered: &[&str],
    builtin: &[&str],
    understood: &[String],
    present: impl Fn(&str) -> bool,
) -> Result<(), CritFailure> {
    for name in crit {
        if registered.contains(&name.as_str()) {
            return Err(CritFailure::Registered(name.clone()));
        }
        if !builtin.contains(&name.as_str()) && !understood.iter().any(|u| u == name) {
            return Err(CritFailure::NotUnderstood(name.clone()));
        }
        if !present(name) {
            return Err(CritFailure::Missing(name.clone()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::Alg;
    use crate::jwe::{JweAlg, JweEnc, JweHeader};
    use crate::jwk::Jwk;
    use crate::jws::JwsHeader;

    #[test]
    fn plain_headers_are_written_as_the_serializer_writes_them() {
        let headers = [
            JwsHeader::default(),
            JwsHeader::new(Alg::HS256),
            JwsHeader::new(Alg::HS256).typ("JWT"),
            JwsHeader::new(Alg::ES256).kid("2024-05").typ("at+jwt").cty("JWT"),
            JwsHeader::default().kid("only a kid, ünïcödé and \u{7f}"),
            // Escaped by JSON: written by the serializer.
            JwsHeader::new(Alg::EdDSA).kid("a \"quoted\" kid"),
            JwsHeader::new(Alg::EdDSA).kid("back\\slash"),
            JwsHeader::new(Alg::EdDSA).typ("tab\there"),
            // Other members: written by the serializer.
            JwsHeader::new(Alg::HS256)
                .insert("b64", false)
                .expect("a registered member"),
            JwsHeader::new(Alg::HS256)
                .insert("zz", 1)
                .expect("an unregistered member"),
        ];
        for header in headers {
            let expected = serde_json::to_string(&header).expect("a header serializes");
            assert_eq!(header.to_json(), expected);
            assert_eq!(JwsHeader::parse(expected.as_bytes()).expect("it parses back"), header);
        }
    }

    #[test]
    fn common_media_types_are_read_without_allocating_and_others_kept_as_sent() {
        use std::borrow::Cow;

        let jws = JwsHeader::parse(br#"{"alg":"HS256","typ":"JWT","cty":"application/example","kid":"k1"}"#)
            .expect("a valid header");
        assert!(matches!(jws.typ, Some(Cow::Borrowed("JWT"))));
        assert!(matches!(&jws.cty, Some(Cow::Owned(cty)) if cty == "application/example"));
        assert_eq!(jws.kid.as_deref(), Some("k1"));

        // Escaped, a common value is still recognized; the case counts.
        let jwe = JweHeader::parse(br#"{"alg":"dir","enc":"A128GCM","typ":"at+\u006awt","cty":"Jwt"}"#)
            .expect("a valid header");
        assert!(matches!(jwe.typ, Some(Cow::Borrowed("at+jwt"))));
        assert!(matches!(&jwe.cty, Some(Cow::Owned(cty)) if cty == "Jwt"));

        // Through a map and through the setters, the same.
        let map = JwsHeader::new(Alg::HS256)
            .typ("dpop+jwt")
            .cty(String::from("x"))
            .to_map();
        let from_map = JwsHeader::from_map(map).expect("a valid header");
        assert!(matches!(from_map.typ, Some(Cow::Borrowed("dpop+jwt"))));
        assert_eq!(from_map.cty.as_deref(), Some("x"));

        // Not strings: the type error names the member.
        for doc in [&br#"{"alg":"HS256","typ":1}"#[..], br#"{"alg":"HS256","kid":null}"#] {
            let error = JwsHeader::parse(doc).expect_err("a mistyped member");
            assert_eq!(error.code(), "ERR_JWS_INVALID", "{}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn headers_are_written_in_name_order_with_other_members_merged_in() {
        let jwe = JweHeader::new(JweAlg::PBES2_HS256_A128KW, JweEnc::A128GCM)
            .kid("k1")
            .insert("zz", 1)
            .and_then(|h| h.insert("b", true))
            .and_then(|h| h.insert("p2c", 1000))
            .expect("header");
        assert_eq!(
            jwe.to_json(),
            r#"{"alg":"PBES2-HS256+A128KW","b":true,"enc":"A128GCM","kid":"k1","p2c":1000,"zz":1}"#
        );
        let jws = JwsHeader::new(Alg::ES256)
            .typ("JWT")
            .insert("iss", "me")
            .and_then(|h| h.insert("a", "first"))
            .expect("header");
        assert_eq!(jws.to_json(), r#"{"a":"first","alg":"ES256","iss":"me","typ":"JWT"}"#);
    }

    #[test]
    fn embedded_keys_are_written_in_name_order_too() {
        let jwk: Jwk =
            serde_json::from_str(r#"{"y":"WQ","kty":"EC","x":"WA","crv":"P-256","kid":"k","x-extra":1,"d":"RA"}"#)
                .expect("jwk");
        let mut jwe = JweHeader::new(JweAlg::ECDH_ES, JweEnc::A128GCM);
        jwe.epk = Some(Box::new(jwk.clone()));
        assert_eq!(
            jwe.to_json(),
            r#"{"alg":"ECDH-ES","enc":"A128GCM","epk":{"crv":"P-256","kid":"k","kty":"EC","x":"WA","x-extra":1,"y":"WQ"}}"#
        );
        let mut jws = JwsHeader::new(Alg::ES256);
        jws.jwk = Some(Box::new(jwk));
        assert_eq!(
            jws.to_json(),
            r#"{"alg":"ES256","jwk":{"crv":"P-256","kid":"k","kty":"EC","x":"WA","x-extra":1,"y":"WQ"}}"#
        );
    }

    #[test]
    fn a_registered_name_in_other_is_written_once() {
        let mut jwe = JweHeader::new(JweAlg::Dir, JweEnc::A128GCM);
        jwe.other.insert("alg".into(), "none".into());
        assert_eq!(jwe.to_json(), r#"{"alg":"dir","enc":"A128GCM"}"#);
        let mut jws = JwsHeader::new(Alg::HS256);
        jws.other.insert("alg".into(), "none".into());
        assert_eq!(jws.to_json(), r#"{"alg":"HS256"}"#);
    }
}
