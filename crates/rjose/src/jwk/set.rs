//! A JWK Set held in memory, and the key selection rules every key set
//! (local or remote) follows.

use serde::de::MapAccess;
use serde_json::Value;
use serde_json::value::RawValue;

use super::Jwk;
use crate::alg::Family;
use crate::error::{Error, Result};
use crate::json::{MemberValues, ObjectError};
use crate::jwe::JweHeader;
use crate::jws::JwsHeader;
use crate::key::{Key, KeyCandidates, KeySource, Operation};

/// A JWK Set (RFC 7517 section 5) as a key source, for verifying JWS and
/// for decrypting JWE.
///
/// For a JWS it picks the keys whose `kid` equals the header's (when the
/// header has one), whose type and curve fit the header's `alg`, whose
/// `alg` (if any) is that `alg`, and whose `use` and `key_ops` (if any)
/// allow verifying. For a JWE, the private keys that can serve the
/// header's `alg` and `enc`, whose `use` and `key_ops` allow that
/// decryption and, for ECDH-ES, of the curve of the sender's `epk`.
///
/// The set refuses to guess:
///
/// - no match is [`Error::JwksNoMatchingKey`]; several matches are
///   [`Error::JwksMultipleMatchingKeys`] unless
///   [`try_all_matching`](Self::try_all_matching) is set;
/// - two keys usable for the operation that share the token's `kid` are
///   [`Error::JwksMultipleMatchingKeys`] even when only one fits the
///   token's `alg` (again unless trying all was asked for);
/// - a token without `kid` is [`Error::JwksMultipleMatchingKeys`] when
///   the keys usable for the operation are both symmetric and asymmetric:
///   the token's own `alg` would choose between them;
/// - symmetric (`oct`) keys are handed out only with
///   [`allow_symmetric`](Self::allow_symmetric); one that would have been
///   picked otherwise is [`Error::InvalidKeyUse`] saying so.
///
/// Keys the library cannot use (unknown `kty`, malformed members)
/// are skipped at construction, so one bad key does not take the set down;
/// a repeated member name, which makes the document itself ambiguous, is
/// refused by [`from_json`](Self::from_json) instead.
///
/// ```
/// use rjose::{Alg, Key, LocalJwkSet};
///
/// let set = LocalJwkSet::from_json(r#"{"keys":[
///   {"kty":"EC","kid":"a","crv":"P-256",
///    "x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
///    "y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
///   {"kty":"future-key-type","kid":"b"}
/// ]}"#)?;
/// assert_eq!(set.keys().len(), 1);
/// assert_eq!(set.skipped(), 1);
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct LocalJwkSet {
    keys: Vec<Key>,
    skipped: usize,
    try_all: bool,
    allow_symmetric: bool,
    private_ignored: usize,
}

impl LocalJwkSet {
    /// A set of already-imported keys.
    pub fn new(keys: impl IntoIterator<Item = Key>) -> Self {
        LocalJwkSet {
            keys: keys.into_iter().collect(),
            ..Self::default()
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
            ..Self::default()
        }
    }

    /// When several keys match a token, try each instead of failing with
    /// [`Error::JwksMultipleMatchingKeys`]; this includes several keys that
    /// share the token's `kid`. A token without `kid` is still refused by
    /// a set that mixes symmetric and asymmetric keys.
    pub fn try_all_matching(mut self, yes: bool) -> Self {
        self.try_all = yes;
        self
    }

    /// Lets the set hand out its symmetric (`oct`) keys. Off by default: a
    /// JWK Set is usually a public document, and an HMAC secret read from
    /// one verifies tokens anyone who read it can mint. Turn it on for a
    /// set of your own secrets, kept private.
    ///
    /// ```
    /// use rjose::{Alg, Key, LocalJwkSet, jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify}};
    ///
    /// let secret = Key::from_secret([7u8; 32])?.with_kid("hmac-1");
    /// let jws = CompactSign::new(b"hi").protected_header(JwsHeader::new(Alg::HS256).kid("hmac-1")).sign(&secret)?;
    /// let options = JwsVerifyOptions::new().algorithms([Alg::HS256]);
    ///
    /// let refused = compact_verify(&jws, &LocalJwkSet::new([secret.clone()]), &options);
    /// assert_eq!(refused.map(drop).unwrap_err().code(), "ERR_JOSE_INVALID_KEY_USE");
    ///
    /// let mine = LocalJwkSet::new([secret]).allow_symmetric(true);
    /// assert_eq!(compact_verify(&jws, &mine, &options)?.payload, b"hi");
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn allow_symmetric(mut self, yes: bool) -> Self {
        self.allow_symmetric = yes;
        self
    }

    /// The set as a public document holds it, for a set fetched from
    /// elsewhere: symmetric keys are dropped (and counted as
    /// [`skipped`](Self::skipped)), and a private key is reduced to its
    /// public half, counted by [`private_members_ignored`](Self::private_members_ignored).
    /// [`allow_symmetric`](Self::allow_symmetric) has nothing left to allow.
    ///
    /// ```
    /// use rjose::{Alg, LocalJwkSet, generate_key_pair};
    ///
    /// let pair = generate_key_pair(Alg::ES256, Default::default())?;
    /// let leaked = format!(r#"{{"keys":[{},{{"kty":"oct","k":"c2VjcmV0"}}]}}"#,
    ///     serde_json::to_string(&pair.private_key.to_jwk()?).unwrap());
    /// let set = LocalJwkSet::from_json(&leaked)?.into_public();
    /// assert_eq!((set.keys().len(), set.skipped(), set.private_members_ignored()), (1, 1, 1));
    /// assert!(!set.keys()[0].is_private());
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn into_public(self) -> Self {
        let mut public = LocalJwkSet {
            keys: Vec::with_capacity(self.keys.len()),
            skipped: self.skipped,
            try_all: self.try_all,
            allow_symmetric: false,
            private_ignored: self.private_ignored,
        };
        for key in self.keys {
            if key.is_symmetric() {
                public.skipped += 1;
                continue;
            }
            if !key.is_private() {
                public.keys.push(key);
                continue;
            }
            public.private_ignored += 1;
            match key.public_key() {
                Ok(half) => public.keys.push(half),
                Err(_) => public.skipped += 1,
            }
        }
        public
    }

    /// How many keys came with private members that
    /// [`into_public`](Self::into_public) set aside, keeping their public
    /// half. Not zero means the publisher of the set leaks private keys.
    pub fn private_members_ignored(&self) -> usize {
        self.private_ignored
    }

    /// The usable keys.
    pub fn keys(&self) -> &[Key] {
        &self.keys
    }

    /// How many entries of the document were skipped as unusable.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// The keys that fit a JWS header, by the rules above, before the
    /// checks for a repeated `kid` and a mix of symmetric and asymmetric keys.
    pub fn matching<'a, 'h>(&'a self, header: &'h JwsHeader) -> impl Iterator<Item = &'a Key> + use<'a, 'h> {
        self.keys
            .iter()
            .filter(move |key| self.usable(key, Operation::Verify) && fits_jws(key, header))
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

/// Whether `key` fits a JWS header: its `kid` (when the header has one),
/// and the key type, curve and JWK `alg` for the header's `alg`.
fn fits_jws(key: &Key, header: &JwsHeader) -> bool {
    let Some(alg) = header.alg else { return false };
    if header.kid.as_deref().is_some_and(|kid| key.kid() != Some(kid)) {
        return false;
    }
    if key.kty() != alg.key_type() {
        return false;
    }
    if let Some(key_alg) = key.alg()
        && !key_alg.permits_jws(alg)
    {
        return false;
    }
    match alg.family() {
        Family::Ecdsa(curve) => key.crv() == Some(curve.into()),
        Family::Ed25519 => key.crv() == Some(crate::Curve::Ed25519),
        _ => key.supports(alg),
    }
}

/// Whether `key` fits a JWE header: its `kid` (when the header has one),
/// a private key of the type, curve, JWK `alg` (or, for `dir`, the `enc`
/// it is labelled with) and, for a secret, the length the `alg` and `enc`
/// need, and for ECDH-ES the curve of the sender's ephemeral key.
fn fits_jwe(key: &Key, header: &JweHeader) -> bool {
    let (Some(alg), Some(enc)) = (header.alg, header.enc) else {
        return false;
    };
    if header.kid.as_deref().is_some_and(|kid| key.kid() != Some(kid)) {
        return false;
    }
    if !key.is_private() || key.check_jwe_alg(alg, enc).is_err() {
        return false;
    }
    match (&header.epk, key.crv()) {
        (Some(epk), Some(crv)) => epk.crv.as_deref() == Some(crv.name()),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

impl LocalJwkSet {
    /// Whether the set may hand out `key` for `operation`: its `use` and
    /// `key_ops` allow it, and a symmetric key only with `allow_symmetric`.
    fn usable(&self, key: &Key, operation: Operation) -> bool {
        (self.allow_symmetric || !key.is_symmetric())
            && (key.is_private() || !matches!(operation, Operation::Decrypt(_)))
            && key.permit(operation).is_ok()
    }

    /// The keys for one token: the usable keys that `fit` its header, after
    /// refusing what would make the choice a guess (see the type's rules).
    fn select<'a>(
        &'a self,
        kid: Option<&str>,
        operation: Operation,
        fits: impl Fn(&Key) -> bool,
    ) -> Result<KeyCandidates<'a>> {
        let usable = || self.keys.iter().filter(move |key| self.usable(key, operation));
        match kid {
            Some(kid) if !self.try_all => {
                if usable().filter(|key| key.kid() == Some(kid)).nth(1).is_some() {
                    return Err(Error::JwksMultipleMatchingKeys);
                }
            }
            Some(_) => {}
            None => {
                let mut usable = usable();
                if let Some(first) = usable.next()
                    && usable.any(|other| other.is_symmetric() != first.is_symmetric())
                {
                    return Err(Error::JwksMultipleMatchingKeys);
                }
            }
        }
        let mut matching = usable().filter(|key| fits(key));
        let Some(first) = matching.next() else {
            return Err(self.no_match(kid, operation, fits));
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

    /// Why no key was selected: a symmetric key that would have fitted had
    /// the caller allowed symmetric keys says so, rather than "no key".
    fn no_match(&self, kid: Option<&str>, operation: Operation, fits: impl Fn(&Key) -> bool) -> Error {
        let refused_secret = !self.allow_symmetric
            && self
                .keys
                .iter()
                .any(|key| key.is_symmetric() && key.permit(operation).is_ok() && fits(key));
        if !refused_secret {
            return Error::JwksNoMatchingKey;
        }
        let which = kid.map(|kid| format!(" (kid {kid:?})")).unwrap_or_default();
        Error::key_use(format!(
            "the JWK Set holds a symmetric key{which} for this token, and symmetric keys from a set \
             need LocalJwkSet::allow_symmetric"
        ))
    }
}

impl KeySource for LocalJwkSet {
    fn candidates(&self, header: &JwsHeader) -> Result<KeyCandidates<'_>> {
        self.select(header.kid.as_deref(), Operation::Verify, |key| fits_jws(key, header))
    }
}

impl KeySource<JweHeader> for LocalJwkSet {
    fn candidates(&self, header: &JweHeader) -> Result<KeyCandidates<'_>> {
        let Some(alg) = header.alg else {
            return Err(Error::JwksNoMatchingKey);
        };
        self.select(header.kid.as_deref(), Operation::Decrypt(alg), |key| {
            fits_jwe(key, header)
        })
    }
}
