//! Where verification gets its key when finding it means waiting: a
//! database, a secrets manager, a KMS or a remote JWK Set.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use super::{Key, KeyCandidates, KeySource};
use crate::error::Result;
use crate::jws::JwsHeader;

/// What [`AsyncKeySource::candidates_async`] returns: a boxed future of the
/// candidates, `Send` so that a server can verify on any worker thread.
///
/// ```
/// use rjose::{AsyncKeySource, Key, KeyFuture, jws::JwsHeader};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> rjose::Result<()> {
/// let key = Key::from_secret([1u8; 32])?;
/// let header = JwsHeader::default();
/// let lookup: KeyFuture<'_> = key.candidates_async(&header); // a Key's is ready at once
/// assert!(lookup.await.is_ok());
/// # Ok(())
/// # }
/// ```
pub type KeyFuture<'a> = Pin<Box<dyn Future<Output = Result<KeyCandidates<'a>>> + Send + 'a>>;

/// Selects the key for a token from its header, asynchronously: the
/// counterpart of [`KeySource`] for lookups that wait on I/O (per-tenant
/// keys in a database, a secrets manager, a KMS public-key endpoint, a
/// remote JWK Set). Used by
/// [`compact_verify_async`](crate::jws::compact_verify_async),
/// [`jwt_verify_async`](crate::jwt::jwt_verify_async) and
/// [`jwt_decrypt_async`](crate::jwt::jwt_decrypt_async), which do exactly
/// what their synchronous counterparts do except for the lookup.
///
/// Three ways to get one:
///
/// - every synchronous [`KeySource`] that is `Send + Sync` (a [`Key`], a
///   [`LocalJwkSet`](crate::LocalJwkSet), [`EmbeddedJwk`](crate::jws::EmbeddedJwk),
///   a `Fn(&H) -> Result<Key>` closure) is one, through a blanket
///   implementation whose future is ready at once;
/// - an async closure, wrapped with [`key_fn`] (a blanket implementation
///   for closures would overlap the one for synchronous sources);
/// - a type of your own that implements this trait, such as
///   `rjose_remote::RemoteJwkSet`.
///
/// The trait is dyn-compatible, so a server can hold an
/// `Arc<dyn AsyncKeySource>`; that is why the future is boxed (one
/// allocation per verification, next to a lookup that does I/O). The
/// future and the source are `Send` (and the source `Sync`) because web
/// servers run handlers on a multi-threaded runtime and move a request's
/// future between threads at every await point; a source that is not
/// thread-safe could not be shared by the handlers. This crate depends on
/// no async runtime: any executor can drive the future.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Arc;
/// use rjose::{AsyncKeySource, Error, Key, KeyCandidates, KeyFuture, jws::JwsHeader};
///
/// /// Keys per tenant, named by the `kid` header (in a database, say).
/// struct Tenants(HashMap<String, Key>);
///
/// impl AsyncKeySource for Tenants {
///     fn candidates_async<'a>(&'a self, header: &'a JwsHeader) -> KeyFuture<'a> {
///         Box::pin(async move {
///             let kid = header.kid.as_deref().ok_or(Error::JwksNoMatchingKey)?;
///             // ... an await on the database here ...
///             self.0.get(kid).map(KeyCandidates::Borrowed).ok_or(Error::JwksNoMatchingKey)
///         })
///     }
/// }
///
/// let tenants: Arc<dyn AsyncKeySource> = Arc::new(Tenants(HashMap::new()));
/// # drop(tenants);
/// ```
pub trait AsyncKeySource<H = JwsHeader>: Send + Sync {
    /// The keys to try for a token with this (joint protected and
    /// unprotected) header. Fails as [`KeySource::candidates`] does:
    /// [`Error::JwksNoMatchingKey`](crate::Error::JwksNoMatchingKey) when
    /// no key fits.
    fn candidates_async<'a>(&'a self, header: &'a H) -> KeyFuture<'a>;
}

/// Every thread-safe synchronous source is an asynchronous one whose
/// future is ready at once: a [`Key`] or a [`LocalJwkSet`](crate::LocalJwkSet)
/// can be passed wherever an `AsyncKeySource` is expected.
impl<H, S> AsyncKeySource<H> for S
where
    H: Sync,
    S: KeySource<H> + Send + Sync + ?Sized,
{
    fn candidates_async<'a>(&'a self, header: &'a H) -> KeyFuture<'a> {
        Box::pin(std::future::ready(self.candidates(header)))
    }
}

/// An async closure as an [`AsyncKeySource`]; made by [`key_fn`], which
/// shows it at work.
///
/// ```
/// use rjose::{AsyncKeySource, Key, KeyFn, jwe::JweHeader, key_fn};
///
/// let key = Key::from_secret([2u8; 32])?;
/// let keys: KeyFn<_> = key_fn(move |_: JweHeader| std::future::ready(Ok(key.clone())));
/// let _: &dyn AsyncKeySource<JweHeader> = &keys;
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct KeyFn<F>(F);

impl<F> fmt::Debug for KeyFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyFn")
    }
}

/// Makes an [`AsyncKeySource`] of a closure that receives the token's
/// header (a clone the future may keep) and returns a future of the key.
/// The closure is called once per verification; the future must be `Send`
/// (see [`AsyncKeySource`] for why) and own what it uses (`'static`: clone
/// an `Arc` of the pool or map into it, as below).
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Arc;
/// use rjose::{Alg, Error, Key, jws::JwsHeader, key_fn};
/// use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify_async};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> rjose::Result<()> {
/// let tenants: Arc<HashMap<String, Key>> = Arc::new(HashMap::from([
///     ("acme".to_owned(), Key::from_secret([1u8; 32])?),
/// ]));
/// let keys = key_fn(move |header: JwsHeader| {
///     let tenants = Arc::clone(&tenants);
///     async move {
///         // ... `SELECT key FROM tenant_keys WHERE kid = $1`.await ...
///         let kid = header.kid.ok_or(Error::JwksNoMatchingKey)?;
///         tenants.get(&kid).cloned().ok_or(Error::JwksNoMatchingKey)
///     }
/// });
///
/// let token = SignJwt::default()
///     .protected_header(JwsHeader::new(Alg::HS256).kid("acme"))
///     .expiration_time("5m")
///     .sign(&Key::from_secret([1u8; 32])?)?;
/// let verified = jwt_verify_async::<rjose::JsonObject>(&token, &keys, &VerifyOptions::new()).await?;
/// assert_eq!(verified.protected_header.kid.as_deref(), Some("acme"));
/// # Ok(())
/// # }
/// ```
///
/// The closure's argument needs its type named (`JwsHeader`, or
/// [`JweHeader`](crate::jwe::JweHeader) for decryption): the future reads
/// it.
pub fn key_fn<H, F, Fut>(lookup: F) -> KeyFn<F>
where
    F: Fn(H) -> Fut + Send + Sync,
    Fut: Future<Output = Result<Key>> + Send + 'static,
{
    KeyFn(lookup)
}

/// Implemented for the two headers a key is looked up by (a blanket
/// implementation over `H` would overlap the one for synchronous sources).
macro_rules! key_fn_source {
    ($header:ty) => {
        impl<F, Fut> AsyncKeySource<$header> for KeyFn<F>
        where
            F: Fn($header) -> Fut + Send + Sync,
            Fut: Future<Output = Result<Key>> + Send + 'static,
        {
            fn candidates_async<'a>(&'a self, header: &'a $header) -> KeyFuture<'a> {
                let lookup = (self.0)(header.clone());
                Box::pin(async move { lookup.await.map(KeyCandidates::Owned) })
            }
        }
    };
}

key_fn_source!(JwsHeader);
key_fn_source!(crate::jwe::JweHeader);
