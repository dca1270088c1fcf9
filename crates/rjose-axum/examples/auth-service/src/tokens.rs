//! The service's three kinds of token and how they are told apart:
//!
//! | token | lifetime | claims | checked by |
//! | --- | --- | --- | --- |
//! | access | 15 min | `aud: "api"`, `sub`, `role`, `sessionId`, `cnf.jkt` when DPoP-bound | the rjose-axum layer, any API |
//! | refresh | 30 days | `type: "refresh"`, `sub`, `sessionId`, unique `jti` | `/api/auth/refresh` |
//! | one-time | 1 hour | `type: "email_verify"` or `"password_reset"`, `email`, `jti` | the matching endpoint |
//!
//! All are signed with the same key and carry `iss` = the app's URL. Only
//! access tokens have `aud: "api"`, so a refresh or one-time token is never
//! accepted as an access token; the `type` claim keeps refresh and
//! one-time tokens apart.

use rjose::jws::JwsHeader;
use rjose::jwt::{SignJwt, VerifiedJwt, VerifyOptions, jwt_verify};
use rjose::{Error, KeySource};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::keys::KeyStore;

/// The audience of access tokens.
pub const ACCESS_AUDIENCE: &str = "api";

/// The custom claims of an access token, next to the registered ones
/// (`sub` is the user id, `jti` is not used).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppClaims {
    /// `user` or `admin`.
    pub role: String,
    /// The refresh token family this access token belongs to; signing out
    /// or a detected refresh token reuse revokes it.
    pub session_id: String,
}

/// The claims of a refresh token.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshClaims {
    /// Always `"refresh"`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The family, as in [`AppClaims::session_id`].
    pub session_id: String,
}

/// What a one-time token is for.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Confirms that the user owns the email address.
    EmailVerify,
    /// Allows setting a new password without the old one.
    PasswordReset,
}

impl Purpose {
    /// The name stored in the database and in the `type` claim.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::EmailVerify => "email_verify",
            Purpose::PasswordReset => "password_reset",
        }
    }
}

/// The claims of a one-time token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OneTimeClaims {
    /// What the token allows.
    #[serde(rename = "type")]
    pub purpose: Purpose,
    /// The address the token was sent to.
    pub email: String,
}

/// The outcome of [`safe_verify`]: the port of the JS guide's `safeVerify`,
/// as a value to `match` on instead of a `{ ok, error }` object.
#[derive(Debug)]
pub enum Verification<T> {
    /// Signature and claims are valid.
    Verified(Box<VerifiedJwt<T>>),
    /// The signature is valid but the token has expired: the caller may
    /// offer a refresh, or redirect with `?error=session_expired`.
    Expired,
    /// Anything else: bad signature, unknown key, wrong audience, issuer,
    /// claim types, a malformed token. The error is for logs, never for
    /// the client.
    Invalid(Error),
}

/// Verifies `token` and sorts the result into [`Verification`].
///
/// rjose checks the signature before any claim, so `Expired` is only ever
/// reported for an authentic token: a forged token with an old `exp` is
/// `Invalid`, and must not be offered a refresh.
pub fn safe_verify<T: DeserializeOwned>(
    token: &str,
    keys: &(impl KeySource + ?Sized),
    options: &VerifyOptions,
) -> Verification<T> {
    match jwt_verify::<T>(token, keys, options) {
        Ok(verified) => Verification::Verified(Box::new(verified)),
        Err(Error::JwtExpired { .. }) => Verification::Expired,
        Err(e) => Verification::Invalid(e),
    }
}

/// Signs and checks the service's tokens.
#[derive(Clone)]
pub struct Tokens {
    keys: KeyStore,
    issuer: String,
    access_ttl: i64,
    refresh_ttl: i64,
    one_time_ttl: i64,
}

impl Tokens {
    /// Tokens issued by `issuer` (the app's URL) with these lifetimes in
    /// seconds.
    pub fn new(keys: KeyStore, issuer: String, access_ttl: i64, refresh_ttl: i64, one_time_ttl: i64) -> Tokens {
        Tokens {
            keys,
            issuer,
            access_ttl,
            refresh_ttl,
            one_time_ttl,
        }
    }

    /// The key store, for the JWKS endpoint and rotation.
    pub fn keys(&self) -> &KeyStore {
        &self.keys
    }

    /// The `iss` of every token.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// Access token lifetime in seconds.
    pub fn access_ttl(&self) -> i64 {
        self.access_ttl
    }

    /// Refresh token lifetime in seconds.
    pub fn refresh_ttl(&self) -> i64 {
        self.refresh_ttl
    }

    /// One-time token lifetime in seconds.
    pub fn one_time_ttl(&self) -> i64 {
        self.one_time_ttl
    }

    fn base(&self, ttl: i64) -> SignJwt {
        SignJwt::default()
            .protected_header(self.keys.alg())
            .issued_at_now()
            .expiration_time(std::time::Duration::from_secs(ttl.unsigned_abs()))
            .issuer(self.issuer.clone())
    }

    /// A 15-minute (configurable) access token for `user_id`; bound to the
    /// DPoP key of thumbprint `jkt` (`cnf.jkt`, RFC 9449 section 6.1) if
    /// one is given.
    pub fn sign_access(&self, user_id: &str, claims: &AppClaims, jkt: Option<&str>) -> Result<String, Error> {
        let token = self
            .base(self.access_ttl)
            .claim("role", claims.role.clone())
            .claim("sessionId", claims.session_id.clone())
            .subject(user_id)
            .audience(ACCESS_AUDIENCE);
        match jkt {
            Some(jkt) => token.claim("cnf", serde_json::json!({ "jkt": jkt })),
            None => token,
        }
        .sign(&self.keys.signer())
    }

    /// A 30-day (configurable) refresh token; `jti` is recorded in the
    /// database so the token can be used once.
    pub fn sign_refresh(&self, user_id: &str, session_id: &str, jti: &str) -> Result<String, Error> {
        self.base(self.refresh_ttl)
            .claim("type", "refresh")
            .claim("sessionId", session_id)
            .subject(user_id)
            .jwt_id(jti)
            .sign(&self.keys.signer())
    }

    /// A one-hour (configurable) one-time token; `jti` is recorded in the
    /// database and consumed on first use.
    pub fn sign_one_time(&self, purpose: Purpose, user_id: &str, email: &str, jti: &str) -> Result<String, Error> {
        self.base(self.one_time_ttl)
            .claim("type", purpose.as_str())
            .claim("email", email)
            .subject(user_id)
            .jwt_id(jti)
            .sign(&self.keys.signer())
    }

    /// What every token of the service must satisfy: the one algorithm,
    /// our issuer, a subject and an expiry.
    fn options(&self) -> VerifyOptions {
        VerifyOptions::new()
            .algorithms([self.keys.alg()])
            .issuer(self.issuer.clone())
            .require("sub")
            .require("exp")
    }

    /// The options access tokens are verified with: those of every token,
    /// and `aud: "api"`. Also given to the rjose-axum layer.
    pub fn access_options(&self) -> VerifyOptions {
        self.options().audience(ACCESS_AUDIENCE)
    }

    /// Refresh and one-time tokens: no audience is configured, so one that
    /// names an audience (an access token) is refused.
    fn internal_options(&self) -> VerifyOptions {
        self.options().require("jti")
    }

    /// Verifies an access token (as the layer does), e.g. for tests or
    /// non-HTTP callers.
    pub fn verify_access(&self, token: &str) -> Verification<AppClaims> {
        let keys = self.keys.clone();
        safe_verify(
            token,
            &move |h: &JwsHeader| keys.resolve_published(h),
            &self.access_options(),
        )
    }

    /// Verifies a refresh token: signature, issuer, `type: "refresh"`, and
    /// that it has no audience (an access token is not a refresh token:
    /// [`VerifyOptions`] refuse an audience they do not expect).
    pub fn verify_refresh(&self, token: &str) -> Verification<RefreshClaims> {
        let keys = self.keys.clone();
        match safe_verify::<RefreshClaims>(
            token,
            &move |h: &JwsHeader| keys.resolve_internal(h),
            &self.internal_options(),
        ) {
            Verification::Verified(v) if v.claims.kind != "refresh" => {
                Verification::Invalid(Error::JwtInvalid("not a refresh token".into()))
            }
            other => other,
        }
    }

    /// Verifies a one-time token for `purpose`.
    pub fn verify_one_time(&self, token: &str, purpose: Purpose) -> Verification<OneTimeClaims> {
        let keys = self.keys.clone();
        match safe_verify::<OneTimeClaims>(
            token,
            &move |h: &JwsHeader| keys.resolve_internal(h),
            &self.internal_options(),
        ) {
            Verification::Verified(v) if v.claims.purpose != purpose => {
                Verification::Invalid(Error::JwtInvalid(format!("not a {} token", purpose.as_str())))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SigningConfig;

    fn tokens(access_ttl: i64) -> Tokens {
        let signing = SigningConfig::Hs256 {
            secret: b"0123456789abcdef0123456789abcdef".to_vec(),
        };
        let keys = KeyStore::new(&signing, 60, 3600).expect("keys");
        Tokens::new(keys, "http://127.0.0.1:1".into(), access_ttl, 3600, 3600)
    }

    #[test]
    fn safe_verify_sorts_verified_expired_and_invalid() {
        let t = tokens(60);
        let claims = AppClaims {
            role: "user".into(),
            session_id: "s1".into(),
        };
        let token = t.sign_access("u1", &claims, None).expect("sign");
        match t.verify_access(&token) {
            Verification::Verified(v) => {
                assert_eq!(v.claims, claims);
                assert_eq!(v.registered().sub.as_deref(), Some("u1"));
            }
            other => panic!("expected Verified, got {other:?}"),
        }
        let expired = t
            .base(60)
            .expiration_time(1)
            .subject("u1")
            .audience("api")
            .claim("role", "user")
            .claim("sessionId", "s")
            .sign(&t.keys.signing_key())
            .expect("sign");
        assert!(matches!(t.verify_access(&expired), Verification::Expired));
        assert!(matches!(t.verify_access("not.a.jwt"), Verification::Invalid(_)));
    }

    #[test]
    fn token_kinds_are_not_interchangeable() {
        let t = tokens(60);
        let refresh = t.sign_refresh("u1", "s1", "j1").expect("sign");
        let reset = t
            .sign_one_time(Purpose::PasswordReset, "u1", "a@b.c", "j2")
            .expect("sign");
        assert!(matches!(t.verify_access(&refresh), Verification::Invalid(_)));
        assert!(matches!(t.verify_refresh(&reset), Verification::Invalid(_)));
        assert!(matches!(
            t.verify_one_time(&reset, Purpose::EmailVerify),
            Verification::Invalid(_)
        ));
        assert!(matches!(t.verify_refresh(&refresh), Verification::Verified(_)));
        assert!(matches!(
            t.verify_one_time(&reset, Purpose::PasswordReset),
            Verification::Verified(_)
        ));
    }
}
