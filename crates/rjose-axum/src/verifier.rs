//! What verifies a token: a key source and the options to check claims with.

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use rjose::jws::JwsHeader;
use rjose::jwt::{VerifiedJwt, VerifyOptions, jwt_verify, jwt_verify_async};
use rjose::{AsyncKeySource, Key, KeyCandidates, KeySource, LocalJwkSet};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::Claims;
use crate::rejection::AuthContext;

/// A resolver closure, as a key source.
#[derive(Clone)]
struct Resolver(Arc<ResolveFn>);

type ResolveFn = dyn Fn(&JwsHeader) -> rjose::Result<Key> + Send + Sync;

impl KeySource for Resolver {
    fn candidates(&self, header: &JwsHeader) -> rjose::Result<KeyCandidates<'_>> {
        (self.0)(header).map(KeyCandidates::Owned)
    }
}

/// Where a [`Verifier`] gets its keys.
///
/// Made from a [`Key`], a [`LocalJwkSet`], a `rjose_remote::RemoteJwkSet`
/// (feature `remote`, on by default) with `From`; from a closure with
/// [`Keys::resolver`] for sets that change while the service runs (key
/// rotation); or from any [`AsyncKeySource`] with [`Keys::from_async`]
/// (per-tenant keys in a database, a KMS) and from an async closure with
/// [`Keys::async_resolver`]. Tokens whose keys are at hand are verified
/// without waiting; the others wait for their source.
#[derive(Clone)]
pub struct Keys(KeysInner);

#[derive(Clone)]
enum KeysInner {
    Key(Key),
    Set(Arc<LocalJwkSet>),
    #[cfg(feature = "remote")]
    Remote(rjose_remote::RemoteJwkSet),
    Resolver(Resolver),
    Async(Arc<dyn AsyncKeySource>),
}

impl Keys {
    /// Keys chosen per token by a closure over its protected header, e.g.
    /// from a set the service rotates.
    ///
    /// ```
    /// use std::sync::{Arc, RwLock};
    /// use rjose::{Key, KeyCandidates, KeySource, LocalJwkSet};
    /// use rjose_axum::Keys;
    ///
    /// let current: Arc<RwLock<LocalJwkSet>> = Arc::default();
    /// let keys = Keys::resolver(move |header| {
    ///     let set = current.read().map_err(|_| rjose::Error::JwksNoMatchingKey)?;
    ///     let kid = header.kid.as_deref().ok_or(rjose::Error::JwksNoMatchingKey)?;
    ///     set.keys().iter().find(|k| k.kid() == Some(kid)).cloned().ok_or(rjose::Error::JwksNoMatchingKey)
    /// });
    /// ```
    pub fn resolver(resolve: impl Fn(&JwsHeader) -> rjose::Result<Key> + Send + Sync + 'static) -> Self {
        Keys(KeysInner::Resolver(Resolver(Arc::new(resolve))))
    }

    /// Keys from a source that waits: per-tenant keys in a database, a
    /// secrets manager, a KMS public-key endpoint, or a type of your own
    /// implementing [`AsyncKeySource`]. Every verification awaits the
    /// source; a [`Key`] or a [`LocalJwkSet`] is better given with `From`,
    /// which verifies without waiting.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use rjose::{AsyncKeySource, Error, Key, KeyCandidates, KeyFuture, jws::JwsHeader};
    /// use rjose_axum::Keys;
    ///
    /// /// Each tenant's key, by `kid` (in a database, in a real service).
    /// struct TenantKeys(HashMap<String, Key>);
    ///
    /// impl AsyncKeySource for TenantKeys {
    ///     fn candidates_async<'a>(&'a self, header: &'a JwsHeader) -> KeyFuture<'a> {
    ///         Box::pin(async move {
    ///             // ... `SELECT key FROM tenant_keys WHERE kid = $1`.await ...
    ///             let kid = header.kid.as_deref().ok_or(Error::JwksNoMatchingKey)?;
    ///             self.0.get(kid).map(KeyCandidates::Borrowed).ok_or(Error::JwksNoMatchingKey)
    ///         })
    ///     }
    /// }
    ///
    /// let keys = Keys::from_async(TenantKeys(HashMap::new()));
    /// ```
    pub fn from_async(source: impl AsyncKeySource + 'static) -> Self {
        Keys(KeysInner::Async(Arc::new(source)))
    }

    /// Keys looked up per token by an async closure over its protected
    /// header (a clone the future owns): [`rjose::key_fn`] as keys.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use rjose::{Error, Key, jws::JwsHeader};
    /// use rjose_axum::Keys;
    ///
    /// let tenants: Arc<std::collections::HashMap<String, Key>> = Arc::default();
    /// let keys = Keys::async_resolver(move |header: JwsHeader| {
    ///     let tenants = Arc::clone(&tenants);
    ///     async move {
    ///         // ... a database query ...
    ///         let kid = header.kid.ok_or(Error::JwksNoMatchingKey)?;
    ///         tenants.get(&kid).cloned().ok_or(Error::JwksNoMatchingKey)
    ///     }
    /// });
    /// ```
    pub fn async_resolver<F, Fut>(resolve: F) -> Self
    where
        F: Fn(JwsHeader) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = rjose::Result<Key>> + Send + 'static,
    {
        Keys::from_async(rjose::key_fn(resolve))
    }
}

impl From<Arc<dyn AsyncKeySource>> for Keys {
    fn from(source: Arc<dyn AsyncKeySource>) -> Self {
        Keys(KeysInner::Async(source))
    }
}

impl From<Key> for Keys {
    fn from(key: Key) -> Self {
        Keys(KeysInner::Key(key))
    }
}

impl From<LocalJwkSet> for Keys {
    fn from(set: LocalJwkSet) -> Self {
        Keys(KeysInner::Set(Arc::new(set)))
    }
}

impl From<Arc<LocalJwkSet>> for Keys {
    fn from(set: Arc<LocalJwkSet>) -> Self {
        Keys(KeysInner::Set(set))
    }
}

#[cfg(feature = "remote")]
impl From<rjose_remote::RemoteJwkSet> for Keys {
    fn from(set: rjose_remote::RemoteJwkSet) -> Self {
        Keys(KeysInner::Remote(set))
    }
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            KeysInner::Key(key) => f.debug_tuple("Key").field(key).finish(),
            KeysInner::Set(set) => f.debug_tuple("LocalJwkSet").field(set).finish(),
            #[cfg(feature = "remote")]
            KeysInner::Remote(set) => f.debug_tuple("RemoteJwkSet").field(&set.url().as_str()).finish(),
            KeysInner::Resolver(_) => f.write_str("Resolver"),
            KeysInner::Async(_) => f.write_str("AsyncKeySource"),
        }
    }
}

/// A key source and the [`VerifyOptions`] its tokens are checked with.
///
/// ```
/// use rjose::{Alg, Key, jwt::VerifyOptions};
/// use rjose_axum::Verifier;
///
/// let verifier = Verifier::new(
///     Key::from_secret(b"at least thirty-two bytes of secret!")?,
///     VerifyOptions::new().algorithms([Alg::HS256]).audience("api"),
/// );
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: Keys,
    options: Arc<VerifyOptions>,
}

impl Verifier {
    /// A verifier with these keys and options.
    pub fn new(keys: impl Into<Keys>, options: VerifyOptions) -> Self {
        Verifier {
            keys: keys.into(),
            options: Arc::new(options),
        }
    }

    /// The options tokens are checked with.
    pub fn options(&self) -> &VerifyOptions {
        &self.options
    }

    /// This verifier, accepting exactly one issuer.
    pub(crate) fn for_issuer(mut self, issuer: &str) -> Self {
        Arc::make_mut(&mut self.options).issuer = vec![issuer.to_owned()];
        self
    }

    /// Verifies a compact JWT's signature and claims.
    pub async fn verify<T: DeserializeOwned>(&self, token: &str) -> rjose::Result<VerifiedJwt<T>> {
        match self.local_keys() {
            Ok(keys) => jwt_verify(token, keys, &self.options),
            Err(source) => jwt_verify_async(token, source, &self.options).await,
        }
    }

    /// Verifies now if no key has to be waited for. The result goes
    /// straight into the shared [`Claims`]: a `VerifiedJwt` is large, and
    /// is better moved once.
    pub(crate) fn start<T: DeserializeOwned>(&self, token: &str, context: &AuthContext) -> Verification<T> {
        match self.local_keys() {
            Ok(keys) => Verification::Done(
                jwt_verify(token, keys, &self.options).map(|verified| Claims::new(verified, context.clone())),
            ),
            Err(_) => Verification::Pending,
        }
    }

    /// The keys, unless finding them means waiting.
    fn local_keys(&self) -> Result<&dyn KeySource, &dyn AsyncKeySource> {
        match &self.keys.0 {
            KeysInner::Key(key) => Ok(key),
            KeysInner::Set(set) => Ok(set.as_ref()),
            KeysInner::Resolver(resolver) => Ok(resolver),
            #[cfg(feature = "remote")]
            KeysInner::Remote(set) => Err(set),
            KeysInner::Async(source) => Err(source.as_ref()),
        }
    }
}

/// A verification finished without waiting, or one whose keys have to be
/// waited for.
pub(crate) enum Verification<T> {
    Done(rjose::Result<Claims<T>>),
    Pending,
}

/// One verifier for every token, or one per issuer.
#[derive(Debug, Clone)]
pub(crate) enum Verifiers {
    Single(Verifier),
    ByIssuer(Vec<(String, Verifier)>),
}

/// The one claim read before verification. A `Value`, so that a
/// non-string `iss` is an unknown issuer rather than an unreadable token.
#[derive(serde::Deserialize)]
struct Issuer {
    iss: Option<Value>,
}

/// Why no verifier applies to a token.
pub(crate) enum Selection {
    /// The token could not be read to find its issuer.
    Unreadable(rjose::Error),
    /// Its `iss` is missing or names no configured issuer.
    UnknownIssuer,
}

impl Verifiers {
    pub(crate) fn select(&self, token: &str) -> Result<&Verifier, Selection> {
        match self {
            Verifiers::Single(verifier) => Ok(verifier),
            Verifiers::ByIssuer(issuers) => {
                // Reading `iss` before the signature is checked is safe
                // here: it only picks which verifier runs, and that
                // verifier accepts that one issuer and only its keys.
                // Only `iss` is read; verification parses the claims.
                let Issuer { iss } = rjose::jwt::decode_jwt_claims_unverified(token).map_err(Selection::Unreadable)?;
                let iss = iss.as_ref().and_then(Value::as_str).ok_or(Selection::UnknownIssuer)?;
                issuers
                    .iter()
                    .find(|(issuer, _)| issuer == iss)
                    .map(|(_, verifier)| verifier)
                    .ok_or(Selection::UnknownIssuer)
            }
        }
    }
}
