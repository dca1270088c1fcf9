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

use crate::json::strict::{Checked, Name, checked};
use crate::json::{NameSeed, Names, duplicate};

/// The index of a registered claim of RFC 7519 section 4.1 in
/// [`ScannedClaims`]. Every member name of every token goes through it:
/// a length test, then a `match` on three bytes, which the compiler turns
/// into a few integer comparisons (a `match` on the `str` compared each
/// arm in turn).
#[inline]
fn registered_index(name: &str) -> Option<usize> {
    let &[a, b, c] = name.as_bytes() else {
        return None;
    };
    match [a, b, c] {
        [b'i', b's', b's'] => Some(0),
        [b's', b'u', b'b'] => Some(1),
        [b'a', b'u', b'd'] => Some(2),
        [b'e', b'x', b'p'] => Some(3),
        [b'n', b'b', b'f'] => Some(4),
        [b'i', b'a', b't'] => Some(5),
        [b'j', b't', b'i'] => Some(6),
        _ => None,
    }
}

/// What the scan found: the registered claims' values and every
/// top-level member name.
pub(crate) struct ScannedClaims<'a> {
    registered: [Option<Claim<'a>>; 7],
    names: Names<'a>,
}

/// A registered claim's value as the scan read it, once: strings borrowed
/// from the payload unless they have escapes, numbers as JSON gave them.
/// Validation reads these without allocating, and the caller's type is
/// filled from them ([`ClaimDeserializer`]).
pub(crate) enum Claim<'a> {
    Str(Cow<'a, str>),
    /// An array of strings (an `aud`): each a [`Claim::Str`].
    Strs(Vec<Claim<'a>>),
    PosInt(u64),
    NegInt(i64),
    Float(f64),
    /// Any other JSON value (checked like every value, then dropped): no
    /// registered claim has that type, so validation refuses it.
    Other,
}

impl<'a> ScannedClaims<'a> {
    pub(crate) fn empty() -> Self {
        ScannedClaims {
            registered: Default::default(),
            names: Names::new(),
        }
    }

    /// A registered claim's value. Inlined: validation names claims with
    /// literals, so the index is found at compile time.
    #[inline]
    pub(crate) fn get(&self, name: &str) -> Option<&Claim<'a>> {
        self.registered[registered_index(name)?].as_ref()
    }

    /// Whether the claims set has a member `name`: a registered claim is
    /// looked up where its value was kept.
    #[inline]
    pub(crate) fn contains(&self, name: &str) -> bool {
        match registered_index(name) {
            Some(index) => self.registered[index].is_some(),
            None => self.names.contains(name),
        }
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
                Some(index) => scanned.registered[index] = Some(access.next_value_seed(ClaimSeed)?),
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

/// Deserializes `T` from `payload` and, in the same pass, collects into
/// `scanned` (which must be [`empty`](ScannedClaims::empty)) what [`scan`]
/// collects; filled in place because it is large, and a moved value is a
/// copy. `None` when `T` does not deserialize or the payload is not one
/// object with unique member names: the caller then takes the slower
/// path, which reports precisely what is wrong.
pub(crate) fn scan_into<'a, T: serde::de::DeserializeOwned>(
    payload: &'a [u8],
    scanned: &mut ScannedClaims<'a>,
) -> Option<T> {
    let mut complete = false;
    let mut de = serde_json::Deserializer::from_slice(payload);
    let value = T::deserialize(Tee {
        inner: &mut de,
        sink: scanned,
        complete: &mut complete,
    })
    .ok()?;
    de.end().ok()?;
    // A visitor that stopped before the end would have let registered
    // claims, and the rest of the document, go unseen, and so unchecked.
    complete.then_some(value)
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
                // Read once, kept for validation, and handed to the
                // caller's type from there. A value of no registered type
                // stops the fast path: the slow one reports it.
                let claim = self.access.next_value_seed(ClaimSeed)?;
                if matches!(claim, Claim::Other) {
                    return Err(de::Error::custom("a registered claim of the wrong type"));
                }
                let out = seed.deserialize(ClaimDeserializer::<A::Error>::new(&claim))?;
                self.sink.registered[index] = Some(claim);
                Ok(out)
            }
            None => self.access.next_value_seed(Checked(seed)),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.access.size_hint()
    }
}

/// Reads a registered claim's value into a [`Claim`], with the checks
/// every value gets ([`Strict`](crate::json::strict)): a string's escapes
/// decoded, a number in range, and inside anything else, unique member
/// names and the rest.
struct ClaimSeed;

impl<'de> DeserializeSeed<'de> for ClaimSeed {
    type Value = Claim<'de>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ClaimSeed {
    type Value = Claim<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Claim::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Claim::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Claim::Str(Cow::Owned(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Claim::PosInt(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Claim::NegInt(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Claim::Float(v))
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(Claim::Other)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Claim::Other)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut strings = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(16));
        while let Some(item) = seq.next_element_seed(ClaimSeed)? {
            match item {
                Claim::Str(_) => strings.push(item),
                _ => {
                    while seq.next_element_seed(checked::<IgnoredAny>())?.is_some() {}
                    return Ok(Claim::Other);
                }
            }
        }
        Ok(Claim::Strs(strings))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut names = Names::new();
        while let Some(name) = map.next_key_seed(NameSeed)? {
            if !names.insert(name.clone()) {
                return Err(duplicate(&name));
            }
            map.next_value_seed(checked::<IgnoredAny>())?;
        }
        Ok(Claim::Other)
    }
}

/// Fills the caller's type from a [`Claim`] as `serde_json` would from the
/// JSON text: numbers by their JSON kind, strings borrowed where they can
/// be, `Option`s and newtypes around them, unit enum variants named by
/// strings.
pub(crate) struct ClaimDeserializer<'c, 'a, E> {
    claim: &'c Claim<'a>,
    error: std::marker::PhantomData<E>,
}

impl<'c, 'a, E> ClaimDeserializer<'c, 'a, E> {
    fn new(claim: &'c Claim<'a>) -> Self {
        ClaimDeserializer {
            claim,
            error: std::marker::PhantomData,
        }
    }
}

impl<'de, E: de::Error> de::Deserializer<'de> for ClaimDeserializer<'_, 'de, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        match self.claim {
            Claim::Str(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            Claim::Str(Cow::Owned(s)) => visitor.visit_str(s),
            Claim::PosInt(n) => visitor.visit_u64(*n),
            Claim::NegInt(n) => visitor.visit_i64(*n),
            Claim::Float(n) => visitor.visit_f64(*n),
            Claim::Strs(items) => {
                let mut seq = de::value::SeqDeserializer::new(items.iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Claim::Other => Err(E::custom("a registered claim of the wrong type")),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, E> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, E> {
        match self.claim {
            Claim::Str(s) => visitor.visit_enum(de::value::CowStrDeserializer::<E>::new(s.clone())),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}

impl<'c, 'de, E: de::Error> de::IntoDeserializer<'de, E> for &'c Claim<'de> {
    type Deserializer = ClaimDeserializer<'c, 'de, E>;

    fn into_deserializer(self) -> Self::Deserializer {
        ClaimDeserializer::new(self)
    }
}
