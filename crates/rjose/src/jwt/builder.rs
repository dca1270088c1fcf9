//! What `SignJwt` and `EncryptJwt` share: their claims and the setters
//! that fill them, written once.

use std::borrow::Cow;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// Expands to the claim and time setters of a JWT builder whose fields
/// are `claims: ClaimSet`, `now: Option<i64>` and a `header` with `typ`
/// and `kid` members.
///
/// No setter fails: an input that does not resolve (a span such as
/// `"15x"`) is kept in the claim set and reported by `sign` or `encrypt`,
/// so that every builder in the crate follows one rule.
macro_rules! claim_setters {
    () => {
        /// Fixes the clock used for `issued_at_now` and relative times (tests,
        /// replays). Defaults to the system clock at the time of each call.
        pub fn clock(mut self, now: impl $crate::jwt::TimeInput) -> Self {
            match $crate::jwt::time::resolved("clock", now.resolve($crate::jwt::time::now())) {
                Ok(now) => self.now = Some(now),
                Err(e) => self.claims.defer(e),
            }
            self
        }

        fn now(&self) -> i64 {
            self.now.unwrap_or_else($crate::jwt::time::now)
        }

        fn set_time(mut self, claim: &str, time: impl $crate::jwt::TimeInput) -> Self {
            match $crate::jwt::time::resolved(&format!("\"{claim}\""), time.resolve(self.now())) {
                Ok(at) => self.claims.set(claim.to_owned(), at.into()),
                Err(e) => self.claims.defer(e),
            }
            self
        }

        /// Sets `iat` to the current time.
        pub fn issued_at_now(mut self) -> Self {
            let now = self.now();
            self.claims.set("iat".into(), now.into());
            self
        }

        /// Sets `iat`: Unix seconds, a `SystemTime`, or a span relative to now.
        pub fn issued_at(self, time: impl $crate::jwt::TimeInput) -> Self {
            self.set_time("iat", time)
        }

        /// Sets `exp`: Unix seconds, a `SystemTime`, a `Duration` from now, or
        /// a span such as `"15m"`, `"7d"`, `"2 hours"`.
        pub fn expiration_time(self, time: impl $crate::jwt::TimeInput) -> Self {
            self.set_time("exp", time)
        }

        /// Sets `nbf`, with the same inputs as `expiration_time`.
        pub fn not_before(self, time: impl $crate::jwt::TimeInput) -> Self {
            self.set_time("nbf", time)
        }

        /// Sets `sub`.
        pub fn subject(mut self, sub: impl Into<String>) -> Self {
            self.claims
                .set("sub".into(), serde_json::Value::String(sub.into()));
            self
        }

        /// Sets `iss`.
        pub fn issuer(mut self, iss: impl Into<String>) -> Self {
            self.claims
                .set("iss".into(), serde_json::Value::String(iss.into()));
            self
        }

        /// Sets `aud` to one audience (a JSON string).
        pub fn audience(mut self, aud: impl Into<String>) -> Self {
            self.claims
                .set("aud".into(), serde_json::Value::String(aud.into()));
            self
        }

        /// Sets `aud` to several audiences (a JSON array).
        pub fn audiences<I: IntoIterator<Item = S>, S: Into<String>>(mut self, auds: I) -> Self {
            let list = auds
                .into_iter()
                .map(|a| serde_json::Value::String(a.into()))
                .collect();
            self.claims.set("aud".into(), serde_json::Value::Array(list));
            self
        }

        /// Sets `jti`, the token ID revocation lists key on.
        pub fn jwt_id(mut self, jti: impl Into<String>) -> Self {
            self.claims
                .set("jti".into(), serde_json::Value::String(jti.into()));
            self
        }

        /// Sets any claim.
        pub fn claim(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
            self.claims.set(name.into(), value.into());
            self
        }

        /// Sets the `typ` header parameter (e.g. `JWT`, `at+jwt`).
        pub fn typ(mut self, typ: impl Into<String>) -> Self {
            self.header.typ = Some($crate::header::media_type_of(typ.into()));
            self
        }

        /// Sets the `kid` header parameter.
        pub fn kid(mut self, kid: impl Into<String>) -> Self {
            self.header.kid = Some(kid.into());
            self
        }
    };
}

pub(crate) use claim_setters;

/// The claims of a JWT being built: the caller's own, serialized once
/// when the builder is made, and those set through the builder, which win
/// over the caller's on a name clash (as in the JS library).
///
/// Keeping the caller's claims as JSON text rather than a map saves
/// building and re-serializing a tree of values on every token issued.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClaimSet {
    /// A JSON object, or empty for none.
    custom: Vec<u8>,
    set: Map<String, Value>,
    /// The first argument that could not be used, reported when the
    /// token is finished.
    pending: Option<Error>,
}

impl ClaimSet {
    /// The claims of a `Serialize` value, which must be a JSON object; a
    /// value that is not one is reported by [`ClaimSet::ready`].
    pub(crate) fn from_serialize<T: Serialize + ?Sized>(claims: &T) -> Self {
        // An access token's claims run to a few hundred bytes: one
        // allocation instead of serde_json's growth from 128.
        let mut custom = Vec::with_capacity(512);
        let custom = serde_json::to_writer(&mut custom, claims)
            .map(|()| custom)
            .map_err(|e| Error::InvalidArgument(format!("JWT claims do not serialize: {e}")))
            .and_then(|custom| {
                // serde_json writes no leading whitespace: an object starts with '{'.
                if custom.first() == Some(&b'{') {
                    Ok(custom)
                } else {
                    Err(Error::InvalidArgument(
                        "JWT claims must serialize to a JSON object".into(),
                    ))
                }
            });
        match custom {
            Ok(custom) => ClaimSet {
                custom,
                ..ClaimSet::default()
            },
            Err(e) => ClaimSet {
                pending: Some(e),
                ..ClaimSet::default()
            },
        }
    }

    pub(crate) fn from_map(map: Map<String, Value>) -> Self {
        ClaimSet {
            set: map,
            ..ClaimSet::default()
        }
    }

    /// Keeps the first argument that could not be used.
    pub(crate) fn defer(&mut self, error: Error) {
        self.pending.get_or_insert(error);
    }

    /// Fails with the first argument that could not be used, if any.
    pub(crate) fn ready(&self) -> Result<()> {
        match &self.pending {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    pub(crate) fn set(&mut self, name: String, value: Value) {
        self.set.insert(name, value);
    }

    /// Every claim as a map.
    pub(crate) fn to_map(&self) -> Map<String, Value> {
        let mut map = match serde_json::from_slice::<Map<String, Value>>(&self.custom) {
            Ok(map) => map,
            Err(_) => Map::new(),
        };
        map.extend(self.set.iter().map(|(k, v)| (k.clone(), v.clone())));
        map
    }

    /// The value of one claim.
    pub(crate) fn get(&self, name: &str) -> Option<Value> {
        match self.set.get(name) {
            Some(value) => Some(value.clone()),
            None => self
                .custom_entries()
                .into_iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, raw)| serde_json::from_str(raw.get()).ok()),
        }
    }

    fn custom_entries(&self) -> Vec<(Cow<'_, str>, &RawValue)> {
        if self.custom.is_empty() {
            return Vec::new();
        }
        // Our own serialization of a map or struct: always well formed.
        serde_json::from_slice::<Entries<'_>>(&self.custom)
            .map(|e| e.0)
            .unwrap_or_default()
    }

    /// The claims set as JSON text.
    pub(crate) fn to_json(&self) -> Cow<'_, [u8]> {
        if self.set.is_empty() {
            return if self.custom.is_empty() {
                Cow::Borrowed(b"{}")
            } else {
                Cow::Borrowed(&self.custom)
            };
        }
        let mut out = Vec::with_capacity(self.custom.len() + 32 * self.set.len());
        out.push(b'{');
        let mut first = true;
        let mut member = |out: &mut Vec<u8>, name: &str, value: &[u8]| {
            if !first {
                out.push(b',');
            }
            first = false;
            // Strings always serialize.
            let _ = serde_json::to_writer(&mut *out, name);
            out.push(b':');
            out.extend_from_slice(value);
        };
        for (name, value) in &self.set {
            member(&mut out, name, &serde_json::to_vec(value).unwrap_or_default());
        }
        for (name, raw) in self.custom_entries() {
            if !self.set.contains_key(name.as_ref()) {
                member(&mut out, &name, raw.get().as_bytes());
            }
        }
        out.push(b'}');
        Cow::Owned(out)
    }
}

/// The top-level members of a JSON object, values left as text.
struct Entries<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> std::result::Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(name) = access.next_key::<Cow<'de, str>>()? {
                    entries.push((name, access.next_value::<&'de RawValue>()?));
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(Members)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::ClaimSet;

    #[derive(serde::Serialize)]
    struct Custom {
        role: &'static str,
        exp: i64,
    }

    fn parsed(set: &ClaimSet) -> serde_json::Value {
        serde_json::from_slice(&set.to_json()).expect("claims are JSON")
    }

    #[test]
    fn custom_claims_alone_are_emitted_as_serialized() {
        let set = ClaimSet::from_serialize(&Custom { role: "admin", exp: 1 });
        assert!(set.ready().is_ok());
        assert_eq!(&*set.to_json(), br#"{"role":"admin","exp":1}"#);
    }

    #[test]
    fn builder_claims_win_over_custom_claims_of_the_same_name() {
        let mut set = ClaimSet::from_serialize(&Custom { role: "admin", exp: 1 });
        set.set("exp".into(), json!(99));
        set.set("sub".into(), json!("ada"));
        assert_eq!(parsed(&set), json!({"role": "admin", "exp": 99, "sub": "ada"}));
        assert_eq!(set.get("exp"), Some(json!(99)));
        assert_eq!(set.get("role"), Some(json!("admin")));
        assert_eq!(set.to_map()["exp"], 99);
    }

    #[test]
    fn non_objects_are_refused_when_the_token_is_finished() {
        for set in [ClaimSet::from_serialize(&[1, 2]), ClaimSet::from_serialize("text")] {
            let err = set.ready().expect_err("not an object");
            assert_eq!(err.code(), "ERR_JOSE_INVALID_ARGUMENT");
        }
    }

    #[test]
    fn an_empty_set_is_an_empty_object() {
        assert_eq!(&*ClaimSet::default().to_json(), b"{}");
    }
}
