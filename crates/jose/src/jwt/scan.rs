//! One pass over a JWT payload that picks out the registered claims and
//! checks the document's shape, without building a map of every claim.
//!
//! Verification then deserializes the caller's type straight from the
//! bytes; the full map is built only when an error needs to carry it.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

/// The registered claims of RFC 7519 section 4.1.
pub(crate) const REGISTERED: [&str; 7] = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"];

/// What the scan found: the registered claims' values and every
/// top-level member name.
pub(crate) struct ScannedClaims<'a> {
    registered: [Option<Value>; 7],
    names: Vec<Cow<'a, str>>,
}

impl ScannedClaims<'_> {
    pub(crate) fn get(&self, name: &str) -> Option<&Value> {
        let index = REGISTERED.iter().position(|r| *r == name)?;
        self.registered[index].as_ref()
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
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
        let mut scanned = ScannedClaims {
            registered: Default::default(),
            names: Vec::with_capacity(16),
        };
        while let Some(name) = access.next_key::<Cow<'de, str>>()? {
            match REGISTERED.iter().position(|r| *r == name) {
                Some(index) => scanned.registered[index] = Some(access.next_value()?),
                None => {
                    access.next_value::<IgnoredAny>()?;
                }
            }
            scanned.names.push(name);
        }
        // Duplicate names are refused (RFC 7519 section 4): two parsers
        // could otherwise disagree on which value counts.
        let mut sorted: Vec<&str> = scanned.names.iter().map(|n| n.as_ref()).collect();
        sorted.sort_unstable();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(de::Error::custom(format_args!("duplicate member {:?}", pair[0])));
        }
        Ok(scanned)
    }
}

/// Scans `payload`, which must be exactly one JSON object with unique
/// member names.
pub(crate) fn scan(payload: &[u8]) -> Result<ScannedClaims<'_>, String> {
    let mut de = serde_json::Deserializer::from_slice(payload);
    let scanned = Scan.deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(scanned)
}
