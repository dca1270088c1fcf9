//! One pass over a JWT payload that picks out the registered claims and
//! checks the document, without building a map of every claim.
//!
//! [`scan_into`] does the same while deserializing the caller's claims
//! type, so a verified token's payload is parsed once; the full map is
//! built only when an error needs to carry it. Both read the payload
//! through [`Strict`](crate::json::strict), so that whatever the caller's
//! type, the same documents pass.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::json::strict::{Checked, Name, checked};
use crate::json::{NameSeed, Names, duplicate};

/// The index of a registered claim of RFC 7519 section 4.1 in
/// [`ScannedClaims`]. A `match`, not a search of a list: every member name
/// of every token goes through it, and the compiler turns it into a length
/// test and one comparison.
fn registered_index(name: &str) -> Option<usize> {
    match name {
        "iss" => Some(0),
        "sub" => Some(1),
        "aud" => Some(2),
        "exp" => Some(3),
        "nbf" => Some(4),
        "iat" => Some(5),
        "jti" => Some(6),
        _ => None,
    }
}

/// What the scan found: the registered claims' values and every
/// top-level member name.
pub(crate) struct ScannedClaims<'a> {
    registered: [Option<Value>; 7],
    names: Names<'a>,
}

impl<'a> ScannedClaims<'a> {
    fn empty() -> Self {
        ScannedClaims {
            registered: Default::default(),
            names: Names::new(),
        }
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        let index = registered_index(name)?;
        self.registered[index].as_ref()
    }

    /// Moves a registered claim's value out (validation keeps it).
    pub(crate) fn take(&mut self, name: &str) -> Option<Value> {
        let index = registered_index(name)?;
        self.registered[index].take()
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.names.contains(name)
    }

    /// Records a top-level member name. Duplicate names are refused (RFC
    /// 7519 section 4): two parsers could otherwise disagree on which
    /// value counts.
    fn record<E: de::Error>(&mut self, name: Cow<'a, str>) -> Result<(), E> {
        // A clone of a borrowed name copies a pointer; only a name with
        // escapes is owned.
        if !self.names.insert(name.clone()) {
            return Err(duplicate(&name));
        }
        Ok(())
    }
}

struct Scan;

impl<'de> DeserializeSeed<'de> for Scan {
    type Value = ScannedClaims<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Scan {
    type Value = ScannedClaims<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
        let mut scanned = ScannedClaims::empty();
        while let Some(name) = access.next_key_seed(NameSeed)? {
            scanned.record(name.clone())?;
            match registered_index(&name) {
                Some(index) => scanned.registered[index] = Some(access.next_value_seed(checked())?),
                None => {
                    access.next_value_seed(checked::<IgnoredAny>())?;
                }
            }
        }
        Ok(scanned)
    }
}

/// Scans `payload`, which must be exactly one JSON object with unique
/// member names at every depth.
pub(crate) fn scan(payload: &[u8]) -> Result<ScannedClaims<'_>, String> {
    let mut de = serde_json::Deserializer::from_slice(payload);
    let scanned = Scan.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(scanned)
}

/// Deserializes `T` from `payload` and, in the same pass, collects what
/// [`scan`] collects. `None` when `T` does not deserialize or the payload
/// is not one object with unique member names: the caller then takes the
/// slower path, which reports precisely what is wrong.
pub(crate) fn scan_into<T: serde::de::DeserializeOwned>(payload: &[u8]) -> Option<(T, ScannedClaims<'_>)> {
    let mut scanned = ScannedClaims::empty();
    let mut complete = false;
    let mut de = serde_json::Deserializer::from_slice(payload);
    let value = T::deserialize(Tee {
        inner: &mut de,
        sink: &mut scanned,
        complete: &mut complete,
    })
    .ok()?;
    de.end().ok()?;
    // A visitor that stopped before the end would have let registered
    // claims, and the rest of the document, go unseen, and so unchecked.
    complete.then_some((value, scanned))
}

/// A deserializer that reads the payload as a map for the caller's type
/// while copying the registered claims aside.
struct Tee<'s, 'a> {
    inner: &'s mut serde_json::Deserializer<serde_json::de::SliceRead<'a>>,
    sink: &'s mut ScannedClaims<'a>,
    complete: &'s mut bool,
}

impl<'de> de::Deserializer<'de> for Tee<'_, 'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        // A claims set is an object, whatever the caller's type asks for.
        de::Deserializer::deserialize_map(
            &mut *self.inner,
            TeeVisitor {
                visitor,
                sink: self.sink,
                complete: self.complete,
            },
        )
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct TeeVisitor<'s, 'a, V> {
    visitor: V,
    sink: &'s mut ScannedClaims<'a>,
    complete: &'s mut bool,
}

impl<'a, V: Visitor<'a>> Visitor<'a> for TeeVisitor<'_, 'a, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'a>>(self, access: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_map(TeeAccess {
            access,
            sink: self.sink,
            complete: self.complete,
            pending: None,
        })
    }
}

struct TeeAccess<'s, 'a, A> {
    access: A,
    sink: &'s mut ScannedClaims<'a>,
    complete: &'s mut bool,
    /// The registered claim whose value comes next, if any.
    pending: Option<usize>,
}

impl<'a, A: MapAccess<'a>> MapAccess<'a> for TeeAccess<'_, 'a, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'a>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let Some(name) = self.access.next_key_seed(NameSeed)? else {
            *self.complete = true;
            return Ok(None);
        };
        self.sink.record(name.clone())?;
        self.pending = registered_index(&name);
        seed.deserialize(Name::new(name)).map(Some)
    }

    fn next_value_seed<S: DeserializeSeed<'a>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        match self.pending.take() {
            Some(index) => {
                let value: Value = self.access.next_value_seed(checked())?;
                let out = seed.deserialize(value.clone()).map_err(de::Error::custom)?;
                self.sink.registered[index] = Some(value);
                Ok(out)
            }
            None => self.access.next_value_seed(Checked(seed)),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.access.size_hint()
    }
}
