//! Strict JSON object parsing for headers and claim sets.
//!
//! `serde_json` keeps the last of two members with the same name. For a
//! JOSE header that is dangerous (two parsers may disagree on which `alg`
//! counts), so RFC 7515 section 5.2 lets us reject such input, and we do.

pub(crate) mod strict;

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde_json::{Map, Value};

/// JSON object as this crate hands it out.
pub type JsonObject = Map<String, Value>;

/// Why a document was refused.
#[derive(Debug)]
pub(crate) enum ObjectError {
    NotAnObject,
    DuplicateMember(String),
    Syntax(String),
}

impl fmt::Display for ObjectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectError::NotAnObject => f.write_str("not a JSON object"),
            ObjectError::DuplicateMember(name) => write!(f, "duplicate member {name:?}"),
            ObjectError::Syntax(e) => write!(f, "invalid JSON: {e}"),
        }
    }
}

/// The member names of one JSON object read so far, so that a repeated
/// one is found in time linear in the object's size, whatever its size.
/// Most objects (headers, keys, claims sets) have a handful of members,
/// which a short list compares faster than a hash; past [`Names::LISTED`]
/// they move to a hash set, whose random keys keep the collisions out of
/// the document's hands.
pub(crate) struct Names<'de> {
    /// A fingerprint of each listed name (its length and first bytes):
    /// a lookup compares these words and reads a name only when its
    /// fingerprint matches, which among distinct names is rare.
    prints: [u64; Names::LISTED],
    /// One bit per listed fingerprint (a one-word Bloom filter): a name
    /// whose bit is clear is new without a look at the list, the common
    /// case of an object without repeats.
    bloom: u64,
    /// The first [`Names::LISTED`] names, in place: a header or a claims
    /// set is checked without allocating.
    listed: [Cow<'de, str>; Names::LISTED],
    len: usize,
    hashed: Option<HashSet<Cow<'de, str>>>,
}

impl<'de> Names<'de> {
    /// How many names the list holds before the set takes over.
    const LISTED: usize = 16;

    pub(crate) fn new() -> Self {
        Names {
            prints: [0; Names::LISTED],
            bloom: 0,
            listed: Default::default(),
            len: 0,
            hashed: None,
        }
    }

    /// The length in the top byte, the first seven bytes below it: the
    /// registered names, and most others, differ there.
    fn print(name: &str) -> u64 {
        let bytes = name.as_bytes();
        let head = bytes
            .iter()
            .take(7)
            .enumerate()
            .fold(0, |print, (i, &b)| print | u64::from(b) << (8 * i));
        head | (bytes.len() as u64 & 0xff) << 56
    }

    /// The fingerprint's bit in the filter: the top six bits of a
    /// multiplicative hash, which every byte of the fingerprint reaches.
    fn bit(print: u64) -> u64 {
        1 << (print.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 58)
    }

    /// Records `name`; false if it was recorded already.
    #[inline]
    pub(crate) fn insert(&mut self, name: Cow<'de, str>) -> bool {
        if self.hashed.is_some() || self.len == Self::LISTED {
            return self.insert_hashed(name);
        }
        let print = Self::print(&name);
        let bit = Self::bit(print);
        if self.bloom & bit != 0 && self.listed_contains(print, &name) {
            return false;
        }
        self.bloom |= bit;
        self.prints[self.len] = print;
        self.listed[self.len] = name;
        self.len += 1;
        true
    }

    /// [`insert`](Self::insert) past the list: moves the names to the set
    /// the first time.
    #[cold]
    fn insert_hashed(&mut self, name: Cow<'de, str>) -> bool {
        let hashed = match &mut self.hashed {
            Some(hashed) => hashed,
            None => {
                if self.listed_contains(Self::print(&name), &name) {
                    return false;
                }
                self.hashed.insert(self.listed.iter_mut().map(std::mem::take).collect())
            }
        };
        hashed.insert(name)
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        match &self.hashed {
            Some(hashed) => hashed.contains(name),
            None => {
                let print = Self::print(name);
                self.bloom & Self::bit(print) != 0 && self.listed_contains(print, name)
            }
        }
    }

    fn listed_contains(&self, print: u64, name: &str) -> bool {
        self.prints[..self.len]
            .iter()
            .zip(&self.listed)
            .any(|(p, listed)| *p == print && listed == name)
    }
}

/// Reads a member name, borrowed from the document unless it has escapes
/// (`Cow`'s own `Deserialize` always copies).
pub(crate) struct NameSeed;

impl<'de> DeserializeSeed<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for NameSeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

/// The error for a repeated member name, worded so that [`ObjectError`]
/// recognizes it.
pub(crate) fn duplicate<E: de::Error>(name: &str) -> E {
    E::custom(format_args!("{DUPLICATE}{name:?}"))
}

/// How a strict object reads the value of each member. The check on names
/// is the same whatever reads the values; a reader of its own lets a caller
/// leave part of the document as text, to be parsed strictly in turn (the
/// `keys` of a JWK Set, whose members a `Value` would already have merged).
pub(crate) trait MemberValues<'de> {
    /// The value of the member `name`, read from `access`.
    fn next_value<A: MapAccess<'de>>(&mut self, name: &str, access: &mut A) -> Result<Value, A::Error>;
}

/// Every member's value as a [`Value`].
struct Values;

impl<'de> MemberValues<'de> for Values {
    fn next_value<A: MapAccess<'de>>(&mut self, _: &str, access: &mut A) -> Result<Value, A::Error> {
        access.next_value()
    }
}

/// The members of a JOSE header: a key embedded in it (`jwk`, `epk`) may
/// not repeat a member name either, as a key read on its own may not; a
/// `Value` would keep the last of two `x`s silently.
pub(crate) struct HeaderValues;

/// The header parameters whose value is a key.
pub(crate) fn is_embedded_key(name: &str) -> bool {
    matches!(name, "jwk" | "epk")
}

impl<'de> MemberValues<'de> for HeaderValues {
    fn next_value<A: MapAccess<'de>>(&mut self, name: &str, access: &mut A) -> Result<Value, A::Error> {
        if is_embedded_key(name) {
            access.next_value_seed(EmbeddedKey(name))
        } else {
            access.next_value()
        }
    }
}

/// The value of a key-valued header parameter, named by its parameter: any
/// JSON (the header's own checks say what is wrong with a non-object), but
/// an object's member names must be unique.
struct EmbeddedKey<'n>(&'n str);

impl<'de> DeserializeSeed<'de> for EmbeddedKey<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for EmbeddedKey<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            let value: Value = access.next_value()?;
            if map.contains_key(&name) {
                // Not worded as a duplicate of the header's own members.
                return Err(de::Error::custom(format_args!(
                    "{:?} has the member {name:?} twice",
                    self.0
                )));
            }
            map.insert(name, value);
        }
        Ok(Value::Object(map))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
}

struct StrictObject<'r, R>(&'r mut R);

const DUPLICATE: &str = "duplicate member ";
const NOT_OBJECT: &str = "not a JSON object";

impl<'de, R: MemberValues<'de>> DeserializeSeed<'de> for StrictObject<'_, R> {
    type Value = Map<String, Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, R: MemberValues<'de>> Visitor<'de> for StrictObject<'_, R> {
    type Value = Map<String, Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut map = Map::new();
        while let Some(name) = access.next_key::<String>()? {
            let value = self.0.next_value(&name, &mut access)?;
            if map.contains_key(&name) {
                return Err(de::Error::custom(format_args!("{DUPLICATE}{name:?}")));
            }
            map.insert(name, value);
        }
        Ok(map)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Err(E::custom(NOT_OBJECT))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_OBJECT))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_OBJECT))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Err(E::custom(NOT_OBJECT))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Err(E::custom(NOT_OBJECT))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Err(E::custom(NOT_OBJECT))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
        Err(de::Error::custom(NOT_OBJECT))
    }
}

/// Deserializes a JSON object whose member names are unique, inside
/// another document (the unprotected headers of the JSON serializations).
pub(crate) fn deserialize_unique_object<'de, D: de::Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    StrictObject(&mut Values).deserialize(d)
}

/// [`deserialize_unique_object`] for a JOSE header: the keys it embeds
/// (`jwk`, `epk`) must have unique member names too.
pub(crate) fn deserialize_unique_header<'de, D: de::Deserializer<'de>>(d: D) -> Result<Map<String, Value>, D::Error> {
    StrictObject(&mut HeaderValues).deserialize(d)
}

/// Parses `bytes` as one JSON object whose top-level member names are
/// unique. Nesting depth is bounded by `serde_json`'s recursion limit, so
/// hostile input cannot exhaust the stack.
pub(crate) fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ObjectError> {
    parse_object_with(bytes, &mut Values)
}

/// [`parse_object`], with `values` reading the value of each member.
pub(crate) fn parse_object_with<'de, R: MemberValues<'de>>(
    bytes: &'de [u8],
    values: &mut R,
) -> Result<Map<String, Value>, ObjectError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let map = StrictObject(values).deserialize(&mut de).map_err(classify)?;
    de.end().map_err(classify)?;
    Ok(map)
}

/// A JSON error as [`ObjectError`] words it.
pub(crate) fn describe(e: &serde_json::Error) -> String {
    classify_text(e.to_string()).to_string()
}

fn classify(e: serde_json::Error) -> ObjectError {
    classify_text(e.to_string())
}

fn classify_text(text: String) -> ObjectError {
    if let Some(rest) = text.strip_prefix(DUPLICATE) {
        // serde_json appends " at line L column C"; the name is before it.
        let quoted = rest.rsplit_once(" at line ").map_or(rest, |(name, _)| name);
        let name = serde_json::from_str::<String>(quoted).unwrap_or_else(|_| quoted.to_owned());
        ObjectError::DuplicateMember(name)
    } else if text.starts_with(NOT_OBJECT) {
        ObjectError::NotAnObject
    } else {
        ObjectError::Syntax(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_object() {
        let map = parse_object(br#"{"a":1,"b":{"a":2}}"#).expect("valid");
        assert_eq!(map["a"], 1);
    }

    #[test]
    fn rejects_duplicate_top_level_members() {
        assert!(matches!(
            parse_object(br#"{"alg":"HS256","alg":"none"}"#),
            Err(ObjectError::DuplicateMember(name)) if name == "alg"
        ));
    }

    #[test]
    fn names_with_the_same_fingerprint_are_told_apart_and_repeats_found() {
        let long = "a".repeat(300);
        // 300 and 44 share the fingerprint's length byte, and the first
        // seven bytes.
        let same_print = "a".repeat(44);
        let distinct = [
            "session_id",
            "session_ix",
            long.as_str(),
            same_print.as_str(),
            "",
            "iss",
        ];
        let mut listed = Names::new();
        for name in distinct {
            assert!(listed.insert(Cow::Borrowed(name)), "{name:?} is new");
        }
        for name in distinct {
            assert!(listed.contains(name));
            assert!(!listed.insert(Cow::Owned(name.to_owned())), "{name:?} is a repeat");
        }
        assert!(!listed.contains("session_i"));

        // Past the list, in the set: the same answers.
        let mut hashed = Names::new();
        let many: Vec<String> = (0..40).map(|i| format!("member_{i}")).collect();
        for name in &many {
            assert!(hashed.insert(Cow::Borrowed(name)));
        }
        for name in &many {
            assert!(!hashed.insert(Cow::Borrowed(name)), "{name:?} is a repeat");
        }
        assert!(!hashed.contains("member_40"));
    }

    #[test]
    fn a_member_reader_leaves_the_check_on_names_as_it_is() {
        /// Records each name and keeps no value, as a JWK Set's reader keeps none.
        struct Names(Vec<String>);
        impl<'de> MemberValues<'de> for Names {
            fn next_value<A: MapAccess<'de>>(&mut self, name: &str, access: &mut A) -> Result<Value, A::Error> {
                self.0.push(name.to_owned());
                access.next_value::<de::IgnoredAny>()?;
                Ok(Value::Null)
            }
        }
        let mut names = Names(Vec::new());
        let map = parse_object_with(br#"{"a":[1],"b":{"a":2}}"#, &mut names).expect("valid");
        assert_eq!(names.0, ["a", "b"]);
        assert_eq!(map["a"], Value::Null);
        assert!(matches!(
            parse_object_with(br#"{"a":1,"b":2,"a":1}"#, &mut Names(Vec::new())),
            Err(ObjectError::DuplicateMember(name)) if name == "a"
        ));
    }

    #[test]
    fn rejects_non_objects() {
        for doc in [&b"[]"[..], b"1", b"\"x\"", b"null", b"true"] {
            assert!(matches!(parse_object(doc), Err(ObjectError::NotAnObject)), "{doc:?}");
        }
    }

    #[test]
    fn rejects_trailing_data() {
        assert!(matches!(parse_object(b"{} {}"), Err(ObjectError::Syntax(_))));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let doc = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(matches!(parse_object(doc.as_bytes()), Err(ObjectError::Syntax(_))));
    }
}
