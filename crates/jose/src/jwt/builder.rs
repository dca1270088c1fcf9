//! The claim setters `SignJwt` and `EncryptJwt` share, written once.

/// Expands to the claim and time setters of a JWT builder whose fields
/// are `claims: Map<String, Value>`, `now: Option<i64>` and a `header`
/// with `typ` and `kid` members.
macro_rules! claim_setters {
    () => {
        /// Fixes the clock used for `issued_at_now` and relative times (tests,
        /// replays). Defaults to the system clock at the time of each call.
        pub fn clock(mut self, now: impl $crate::jwt::TimeInput) -> $crate::Result<Self> {
            self.now = Some(now.resolve($crate::jwt::time::now())?);
            Ok(self)
        }

        fn now(&self) -> i64 {
            self.now.unwrap_or_else($crate::jwt::time::now)
        }

        fn set_time(mut self, claim: &str, time: impl $crate::jwt::TimeInput) -> $crate::Result<Self> {
            let at = time.resolve(self.now())?;
            self.claims.insert(claim.to_owned(), at.into());
            Ok(self)
        }

        /// Sets `iat` to the current time.
        pub fn issued_at_now(mut self) -> Self {
            let now = self.now();
            self.claims.insert("iat".into(), now.into());
            self
        }

        /// Sets `iat`: Unix seconds, a `SystemTime`, or a span relative to now.
        pub fn issued_at(self, time: impl $crate::jwt::TimeInput) -> $crate::Result<Self> {
            self.set_time("iat", time)
        }

        /// Sets `exp`: Unix seconds, a `SystemTime`, a `Duration` from now, or
        /// a span such as `"15m"`, `"7d"`, `"2 hours"`.
        pub fn expiration_time(self, time: impl $crate::jwt::TimeInput) -> $crate::Result<Self> {
            self.set_time("exp", time)
        }

        /// Sets `nbf`, with the same inputs as `expiration_time`.
        pub fn not_before(self, time: impl $crate::jwt::TimeInput) -> $crate::Result<Self> {
            self.set_time("nbf", time)
        }

        /// Sets `sub`.
        pub fn subject(mut self, sub: impl Into<String>) -> Self {
            self.claims
                .insert("sub".into(), serde_json::Value::String(sub.into()));
            self
        }

        /// Sets `iss`.
        pub fn issuer(mut self, iss: impl Into<String>) -> Self {
            self.claims
                .insert("iss".into(), serde_json::Value::String(iss.into()));
            self
        }

        /// Sets `aud` to one audience (a JSON string).
        pub fn audience(mut self, aud: impl Into<String>) -> Self {
            self.claims
                .insert("aud".into(), serde_json::Value::String(aud.into()));
            self
        }

        /// Sets `aud` to several audiences (a JSON array).
        pub fn audiences<I: IntoIterator<Item = S>, S: Into<String>>(mut self, auds: I) -> Self {
            let list = auds
                .into_iter()
                .map(|a| serde_json::Value::String(a.into()))
                .collect();
            self.claims.insert("aud".into(), serde_json::Value::Array(list));
            self
        }

        /// Sets `jti`, the token ID revocation lists key on.
        pub fn jwt_id(mut self, jti: impl Into<String>) -> Self {
            self.claims
                .insert("jti".into(), serde_json::Value::String(jti.into()));
            self
        }

        /// Sets any claim.
        pub fn claim(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
            self.claims.insert(name.into(), value.into());
            self
        }

        /// Sets the `typ` header parameter (e.g. `JWT`, `at+jwt`).
        pub fn typ(mut self, typ: impl Into<String>) -> Self {
            self.header.typ = Some(typ.into());
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

/// The claims of a `Serialize` value, which must be a JSON object.
pub(crate) fn claims_object<T: serde::Serialize + ?Sized>(
    claims: &T,
) -> crate::Result<serde_json::Map<String, serde_json::Value>> {
    match serde_json::to_value(claims) {
        Ok(serde_json::Value::Object(claims)) => Ok(claims),
        Ok(_) => Err(crate::Error::JwtInvalid(
            "JWT claims must serialize to a JSON object".into(),
        )),
        Err(e) => Err(crate::Error::JwtInvalid(format!("JWT claims do not serialize: {e}"))),
    }
}
