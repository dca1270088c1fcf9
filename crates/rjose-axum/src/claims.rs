//! Verified claims as handlers see them.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use http::request::Parts;
use rjose::JsonObject;
use rjose::jws::JwsHeader;
use rjose::jwt::{RegisteredClaims, VerifiedJwt};
use serde_json::Value;

use crate::rejection::{AuthContext, AuthRejection, Failure, layer_missing};

/// The verified claims of the request's token, as `T`.
///
/// [`JwtAuthLayer`](crate::JwtAuthLayer) puts them in the request
/// extensions; as an axum extractor, `Claims<T>` takes them out (and
/// refuses the request as the route's class says when there are none, e.g.
/// on a public path), `Option<Claims<T>>` yields `None` for anonymous
/// requests instead. `T` must be the type the layer was built for.
///
/// Dereferences to `T`; cloning is cheap (the claims are shared).
///
/// ```
/// use rjose::JsonObject;
/// use rjose_axum::Claims;
///
/// async fn me(claims: Claims<JsonObject>) -> String {
///     let role = claims.get("role").and_then(|r| r.as_str()).unwrap_or("user");
///     format!("{} ({role})", claims.registered().sub.as_deref().unwrap_or("?"))
/// }
///
/// async fn home(claims: Option<Claims<JsonObject>>) -> &'static str {
///     if claims.is_some() { "welcome back" } else { "hello, stranger" }
/// }
/// ```
pub struct Claims<T>(Arc<Authenticated<T>>);

/// The verification result and how to refuse the request later (a guard
/// may): one extension instead of two.
struct Authenticated<T> {
    verified: VerifiedJwt<T>,
    context: AuthContext,
}

impl<T> Claims<T> {
    pub(crate) fn new(verified: VerifiedJwt<T>, context: AuthContext) -> Self {
        Claims(Arc::new(Authenticated { verified, context }))
    }

    pub(crate) fn context(&self) -> &AuthContext {
        &self.0.context
    }

    /// The registered claims (`iss`, `sub`, `aud`, `exp`, `nbf`, `iat`, `jti`), checked.
    pub fn registered(&self) -> &RegisteredClaims {
        self.0.verified.registered()
    }

    /// The token's protected header.
    pub fn header(&self) -> &JwsHeader {
        &self.0.verified.protected_header
    }

    /// The whole verification result, including the key that verified it.
    pub fn verified(&self) -> &VerifiedJwt<T> {
        &self.0.verified
    }
}

impl<T> Deref for Claims<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0.verified.claims
    }
}

impl<T> Clone for Claims<T> {
    fn clone(&self) -> Self {
        Claims(Arc::clone(&self.0))
    }
}

impl<T: fmt::Debug> fmt::Debug for Claims<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claims")
            .field("claims", &self.0.verified.claims)
            .field("registered", &self.0.verified.registered())
            .finish()
    }
}

impl<S, T> FromRequestParts<S> for Claims<T>
where
    S: Send + Sync,
    T: Send + Sync + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(claims) = parts.extensions.get::<Claims<T>>() {
            return Ok(claims.clone());
        }
        Err(match parts.extensions.get::<AuthContext>() {
            Some(context) => context.reject(Failure::Missing),
            None => layer_missing(),
        })
    }
}

impl<S, T> OptionalFromRequestParts<S> for Claims<T>
where
    S: Send + Sync,
    T: Send + Sync + 'static,
{
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, Self::Rejection> {
        if let Some(claims) = parts.extensions.get::<Claims<T>>() {
            return Ok(Some(claims.clone()));
        }
        // Without the layer, "anonymous" would silently mean "never
        // checked": refuse instead.
        match parts.extensions.get::<AuthContext>() {
            Some(_) => Ok(None),
            None => Err(layer_missing()),
        }
    }
}

/// Roles and scopes in a claims type, for [`Require::role`](crate::Require::role)
/// and [`Require::scope`](crate::Require::scope).
///
/// Implemented for [`JsonObject`]: a role is the `role` string or an entry
/// of the `roles` array; a scope is a word of the space-separated `scope`
/// string (RFC 8693 section 4.2) or an entry of the `scp` array (as Okta
/// and Azure AD send it). Implement it for your own claims type:
///
/// ```
/// use rjose_axum::AuthorizationClaims;
///
/// #[derive(serde::Deserialize)]
/// struct AppClaims { role: String, scope: Option<String> }
///
/// impl AuthorizationClaims for AppClaims {
///     fn has_role(&self, role: &str) -> bool {
///         self.role == role
///     }
///     fn has_scope(&self, scope: &str) -> bool {
///         self.scope.as_deref().is_some_and(|s| s.split(' ').any(|granted| granted == scope))
///     }
/// }
/// ```
pub trait AuthorizationClaims {
    /// Whether the claims grant this role.
    fn has_role(&self, role: &str) -> bool;
    /// Whether the claims grant this scope.
    fn has_scope(&self, scope: &str) -> bool;
}

impl AuthorizationClaims for JsonObject {
    fn has_role(&self, role: &str) -> bool {
        self.get("role").and_then(Value::as_str) == Some(role) || array_contains(self.get("roles"), role)
    }

    fn has_scope(&self, scope: &str) -> bool {
        let in_scope = self
            .get("scope")
            .and_then(Value::as_str)
            .is_some_and(|granted| granted.split(' ').any(|s| s == scope));
        in_scope || array_contains(self.get("scp"), scope)
    }
}

fn array_contains(value: Option<&Value>, wanted: &str) -> bool {
    value
        .and_then(Value::as_array)
        .is_some_and(|items| items.iter().any(|item| item.as_str() == Some(wanted)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> JsonObject {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("test claims are objects"),
        }
    }

    #[test]
    fn json_roles_come_from_role_or_roles() {
        assert!(object(json!({"role": "admin"})).has_role("admin"));
        assert!(object(json!({"roles": ["user", "admin"]})).has_role("admin"));
        assert!(!object(json!({"role": "user", "roles": ["editor"]})).has_role("admin"));
        assert!(!object(json!({"role": ["admin"]})).has_role("admin"));
    }

    #[test]
    fn json_scopes_are_words_of_scope_or_scp_entries() {
        let claims = object(json!({"scope": "read:users write:users"}));
        assert!(claims.has_scope("write:users"));
        assert!(!claims.has_scope("read"));
        assert!(object(json!({"scp": ["read:users"]})).has_scope("read:users"));
    }
}
