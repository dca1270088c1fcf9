//! A JWK Set held in memory, and the key selection rules every key set
//! (local or remote) follows.

use serde::de::MapAccess;
use serde_json::Value;
use serde_json::value::RawValue;

use super::Jwk;
use crate::alg::{Alg, Family};
use crate::error::{Error, Result};
use crate::json::{MemberValues, ObjectError};
use crate::jwe::JweHeader;
use crate::jws::JwsHeader;
use crate::key::{Key, KeyCandidates, KeySource};

/// A JWK Set (RFC 7517 section 5) as a key source, for verifying JWS and
/// for decrypting JWE.
///
/// For a JWS it picks the keys whose `kid` equals the header's (when the
/// header has one), whose type and curve fit the header's `alg`, whose
/// `alg` (if any) is that `alg`, whose `use` (if any) is `sig` and whose
/// `key_ops` (if any) include `verify`. For a JWE, the private keys that
/// can serve the header's `alg` and `enc`, with `use` `enc` and, for
/// ECDH-ES, the curve of the sender's `epk`. No match is
/// [`Error::JwksNoMatchingKey`]; several matches are
/// [`Error::JwksMultipleMatchingKeys`] unless [`try_all_matching`](Self::try_all_matching)
/// is set. Keys the library cannot use (unknown `kty`, malformed members)
/// are skipped at construction, so one bad key does not take the set down;
/// a repeated member name, which makes the document itself ambiguous, is
/// refused by [`from_json`](Self::from_json) instead.
///
/// ```
/// use jose::{Alg, Key, LocalJwkSet};
///
/// let set = LocalJwkSet::from_json(r#"{"keys":[
///   {"kty":"EC","kid":"a","crv":"P-256",
///    "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///    "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
///   {"kty":"future-key-type","kid":"b"}
/// ]}"#)?;
/// assert_eq!(set.keys().len(), 1);
/// assert_eq!(set.skipped(), 1);
/// # Ok::<(), jose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct LocalJwkSet {
    keys: Vec<Key>,
    skipped: usize,
    try_all: bool,
}

impl LocalJwkSet {
    /// A set of already-imported keys.
    pub fn new(keys: impl IntoIterator<Item = Key>) -> Self {
        LocalJwkSet {
            keys: keys.into_iter().collect(),
            skipped: 0,
            try_all: false,
        }
    }

    /// Parses a JWKS document (`{"keys":[...]}`).
    ///
    /// A member name repeated at the top level of the document or inside
    /// one of its keys is refused with [`Error::JwksInvalid`] naming it (and
    /// the key, as `keys[i]`), even in a key that would be skipped. RFC 7517
    /// section 4 allows refusing it or keeping the last copy, and parsers
    /// that keep the first exist: two of them could read two different sets
    /// from the same document. The members of the document and of each key
    /// are checked, as a header's are; the same name in two keys is no
    /// repeat, and objects nested in values are not looked into.
    pub fn from_json(json: &str) -> Result<Self> {
        let mut keys = RawKeys(None);
        crate::json::parse_object_with(json.as_bytes(), &mut keys).map_err(|e| match e {
            ObjectError::NotAnObject => not_an_object(),
            ObjectError::DuplicateMember(_) => Error::JwksInvalid(e.to_string()),
            ObjectError::Syntax(e) => Error::JwksInvalid(format!("not JSON: {e}")),
        })?;
        // The text is valid JSON by now: only a `keys` that is not an array fails.
        let entries = keys
            .0
            .and_then(|keys| serde_json::from_str::<Vec<&RawValue>>(keys.get()).ok())
            .ok_or_else(no_keys_array)?;
        let entries = entries
            .into_iter()
            .enumerate()
            .map(|(index, entry)| parse_entry(index, entry))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self::from_entries(entries))
    }

    /// Builds the set from a parsed JWKS document.
    ///
    /// A [`Value`] has already kept only one of any repeated member names,
    /// so this cannot refuse them as [`from_json`](Self::from_json) does:
    /// given the text, use that.
    pub fn from_value(doc: Value) -> Result<Self> {
        let Value::Object(mut doc) = doc else {
            return Err(not_an_object());
        };
        let Some(Value::Array(entries)) = doc.remove("keys") else {
            return Err(no_keys_array());
        };
        Ok(Self::from_entries(entries))
    }

    /// The set of the usable keys among the entries of `keys`; the others
    /// are counted as skipped.
    fn from_entries(entries: Vec<Value>) -> Self {
        let mut keys = Vec::with_capacity(entries.len());
        let mut skipped = 0;
        for entry in entries {
            let key = serde_json::from_value::<Jwk>(entry)
                .ok()
                .filter(|jwk| !jwk.kty.is_empty())
                .and_then(|jwk| Key::from_jwk(&jwk).ok());
            match key {
                Some(key) => keys.push(key),
                None => skipped += 1,
            }
        }
        LocalJwkSet {
            keys,
            skipped,
            try_all: false,
        }
    }

    /// When several keys match a token, try each instead of failing with
    /// [`Error::JwksMultipleMatchingKeys`].
    pub fn try_all_matching(mut self, yes: bool) -> Self {
        self.try_all = yes;
        self
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// How many entries of the document were skipped as unusable.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The keys that fit a header, by the rules above.
    pub fn matching<'a, 'h>(&'a self, header: &'h JwsHeader) -> impl Iterator<Item = &'a Key> + use<'a, 'h> {
        self.keys.iter().filter(move |key| key_matches(key, header))
    }

    /// The public JWKS document of this set (private members never included).
    pub fn to_public_json(&self) -> Result<String> {
        let keys = self
            .keys
            .iter()
            .filter(|k| !k.is_symmetric())
            .map(Key::to_public_jwk)
            .collect::<Result<Vec<_>>>()?;
        Ok(serde_json::json!({ "keys": keys }).to_string())
    }
}

fn not_an_object() -> Error {
    Error::JwksInvalid("a JWK Set must be a JSON object".into())
}

fn no_keys_array() -> Error {
    Error::JwksInvalid("a JWK Set needs a \"keys\" array".into())
}

/// Keeps the `keys` member of a JWK Set as text, so that each key is then
/// parsed as strictly as the document around it. Read as a [`Value`], a
/// key would already have kept one of two repeated members; and parsing
/// the document a second time would leave a spare copy of every private
/// member in memory, unzeroized.
struct RawKeys<'de>(Option<&'de RawValue>);

impl<'de> MemberValues<'de> for RawKeys<'de> {
    fn next_value<A: MapAccess<'de>>(&mut self, name: &str, access: &mut A) -> std::result::Result<Value, A::Error> {
        if name != "keys" {
            // Ignored (RFC 7517 section 5), yet parsed in full as before, so
            // serde_json's nesting limit still applies to it.
            return access.next_value();
        }
        self.0 = Some(access.next_value()?);
        // The map the strict parse builds is not used: nothing to keep.
        Ok(Value::Null)
    }
}

/// Entry `index` of a set's `keys`: an object whose member names are
/// unique, or any other JSON value, to be skipped as unusable.
fn parse_entry(index: usize, entry: &RawValue) -> Result<Value> {
    let text = entry.get();
    let parsed = match crate::json::parse_object(text.as_bytes()) {
        Ok(members) => Ok(Value::Object(members)),
        Err(ObjectError::DuplicateMember(name)) => {
            return Err(Error::JwksInvalid(format!(
                "duplicate member {name:?} in keys[{index}]"
            )));
        }
        // Parsed in full all the same: raw text is only scanned, and nesting
        // past serde_json's limit must still be refused, as it was before.
        Err(ObjectError::NotAnObject) => serde_json::from_str(text).map_err(|e| e.to_string()),
        Err(ObjectError::Syntax(e)) => Err(e),
    };
    parsed.map_err(|e| Error::JwksInvalid(format!("not JSON: {e} (in keys[{index}])")))
}

/// The selection rule shared by every key set.
pub(crate) fn key_matches(key: &Key, header: &JwsHeader) -> bool {
    let Some(alg) = header.alg else { return false };
    if let Some(kid) = header.kid.as_deref() {
        if key.kid() != Some(kid) {
            return false;
        }
    }
    if key.kty() != alg.key_type() {
        return false;
    }
    if let Some(key_alg) = key.alg() {
        if key_alg != alg.name()
            && !(matches!(alg, Alg::EdDSA | Alg::Ed25519) && matches!(key_alg, "EdDSA" | "Ed25519"))
        {
            return false;
        }
    }
    if key.key_use().is_some_and(|u| u != "sig") {
        return false;
    }
    if key.key_ops().is_some_and(|ops| !ops.iter().any(|op| op == "verify")) {
        return false;
    }
    match alg.family() {
        Family::Ecdsa(curve) => key.crv() == Some(curve.name()),
        Family::Ed25519 => key.crv() == Some("Ed25519"),
        _ => key.supports(alg),
    }
}

impl LocalJwkSet {
    /// One match, or all of them when the caller opted to try each.
    fn select<'a>(&'a self, mut matching: impl Iterator<Item = &'a Key>) -> Result<KeyCandidates<'a>> {
        let Some(first) = matching.next() else {
            return Err(Error::JwksNoMatchingKey);
        };
        match matching.next() {
            None => Ok(KeyCandidates::Borrowed(first)),
            Some(second) if self.try_all => {
                let mut all = vec![first, second];
                all.extend(matching);
                Ok(KeyCandidates::Many(all))
            }
            Some(_) => Err(Error::JwksMultipleMatchingKeys),
        }
    }
}

impl KeySource for LocalJwkSet {
    fn candidates(&self, header: &JwsHeader) -> Result<KeyCandidates<'_>> {
        self.select(self.matching(header))
    }
}

/// The selection rule for decryption keys: `kid`, key type for the
/// `alg`, the JWK's `alg` (or, for `dir`, the `enc` it is labelled with),
/// `use` of `enc`, `key_ops` allowing decryption, a secret's length (the
/// KEK's for AES key wrap, `enc`'s for `dir`), and for ECDH-ES the curve of
/// the sender's ephemeral key.
pub(crate) fn decryption_key_matches(key: &Key, header: &JweHeader) -> bool {
    let (Some(alg), Some(enc)) = (header.alg, header.enc) else {
        return false;
    };
    if let Some(kid) = header.kid.as_deref() {
        if key.kid() != Some(kid) {
            return false;
        }
    }
    if key.key_ops().is_some_and(|ops| {
        !ops.iter()
            .any(|op| matches!(op.as_str(), "decrypt" | "unwrapKey" | "deriveKey" | "deriveBits"))
    }) {
        return false;
    }
    if !key.is_private() || !key.supports_jwe(alg, enc) {
        return false;
    }
    match (&header.epk, key.crv()) {
        (Some(epk), Some(crv)) => epk.crv.as_deref() == Some(crv),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

impl KeySource<JweHeader> for LocalJwkSet {
    fn candidates(&self, header: &JweHeader) -> Result<KeyCandidates<'_>> {
        self.select(self.keys.iter().filter(|key| decryption_key_matches(key, header)))
    }
}
