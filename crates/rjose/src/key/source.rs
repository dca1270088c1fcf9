//! Where verification gets its key: a [`Key`], a [`LocalJwkSet`](crate::LocalJwkSet),
//! the embedded `jwk` header, or any closure that picks a key from the header.

use super::Key;
use crate::error::Result;
use crate::jws::JwsHeader;

/// The keys to try for one token, in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyCandidates<'a> {
    /// One key, borrowed from the source.
    Borrowed(&'a Key),
    /// One key made for this token.
    Owned(Key),
    /// Several keys; verification tries each and succeeds on the first
    /// that verifies.
    Many(Vec<&'a Key>),
    /// Several keys made for this token (an
    /// [`AsyncKeySource`](crate::AsyncKeySource) that cannot lend them),
    /// tried as [`Many`](Self::Many) is.
    ManyOwned(Vec<Key>),
}

impl KeyCandidates<'_> {
    /// The same candidates, owning their keys (cloning a [`Key`] is cheap:
    /// its material is shared), so that they can outlive the source they
    /// were borrowed from.
    ///
    /// ```
    /// use rjose::{Alg, KeyCandidates, KeyPairOptions, KeySource, LocalJwkSet, generate_key_pair, jws::JwsHeader};
    ///
    /// let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
    /// let set = LocalJwkSet::new([pair.public_key.with_kid("a")]);
    /// let owned: KeyCandidates<'static> = set.candidates(&JwsHeader::new(Alg::ES256).kid("a"))?.into_owned();
    /// drop(set);
    /// assert!(matches!(owned, KeyCandidates::Owned(key) if key.kid() == Some("a")));
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn into_owned(self) -> KeyCandidates<'static> {
        match self {
            KeyCandidates::Borrowed(key) => KeyCandidates::Owned(key.clone()),
            KeyCandidates::Owned(key) => KeyCandidates::Owned(key),
            KeyCandidates::Many(keys) => KeyCandidates::ManyOwned(keys.into_iter().cloned().collect()),
            KeyCandidates::ManyOwned(keys) => KeyCandidates::ManyOwned(keys),
        }
    }
}

impl KeyCandidates<'_> {
    /// Calls `f` on each candidate until one succeeds; returns the last
    /// error otherwise.
    pub(crate) fn try_each<T>(&self, mut f: impl FnMut(&Key) -> Result<T>) -> Result<T> {
        match self {
            KeyCandidates::Borrowed(key) => f(key),
            KeyCandidates::Owned(key) => f(key),
            KeyCandidates::Many(keys) => try_in_turn(keys.iter().copied(), f),
            KeyCandidates::ManyOwned(keys) => try_in_turn(keys.iter(), f),
        }
    }
}

fn try_in_turn<'k, T>(keys: impl Iterator<Item = &'k Key>, mut f: impl FnMut(&Key) -> Result<T>) -> Result<T> {
    let mut last = crate::Error::JwksNoMatchingKey;
    for key in keys {
        match f(key) {
            Ok(value) => return Ok(value),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Selects the key for a token from its header: the verification key for
/// a JWS (`H` = [`JwsHeader`], the default), the decryption key for a JWE
/// (`H` = [`JweHeader`](crate::jwe::JweHeader)).
///
/// Implemented by [`Key`] (always itself), by [`LocalJwkSet`](crate::LocalJwkSet)
/// (selection by `kid`, `alg`, `use` and `key_ops`), by
/// [`EmbeddedJwk`](crate::jws::EmbeddedJwk) for JWS, and by any
/// `Fn(&H) -> Result<Key>` closure.
///
/// ```
/// use rjose::{Alg, Key, jws::JwsHeader};
///
/// let current = Key::from_secret([1u8; 32])?.with_kid("2024");
/// let resolver = move |header: &JwsHeader| -> rjose::Result<Key> {
///     match header.kid.as_deref() {
///         Some("2024") => Ok(current.clone()),
///         _ => Err(rjose::Error::JwksNoMatchingKey),
///     }
/// };
/// # let _ = &resolver as &dyn rjose::KeySource;
/// # Ok::<(), rjose::Error>(())
/// ```
pub trait KeySource<H = JwsHeader> {
    /// The keys to try for a token with this (joint protected and
    /// unprotected) header.
    fn candidates(&self, header: &H) -> Result<KeyCandidates<'_>>;
}

impl<H> KeySource<H> for Key {
    fn candidates(&self, _header: &H) -> Result<KeyCandidates<'_>> {
        Ok(KeyCandidates::Borrowed(self))
    }
}

impl<H, F> KeySource<H> for F
where
    F: Fn(&H) -> Result<Key>,
{
    fn candidates(&self, header: &H) -> Result<KeyCandidates<'_>> {
        self(header).map(KeyCandidates::Owned)
    }
}
