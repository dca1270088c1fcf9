//! Compact JWS serialization (RFC 7515 section 7.1).

use std::borrow::Cow;

use super::flattened::{
    PendingVerification, Protected, SigningInput, sign_parts, sign_parts_async, verify_parts, with_b64_crit,
};
use super::{JwsHeader, JwsPolicy, JwsVerifyOptions, VerifiedJws};
use crate::b64;
use crate::error::{Error, Result};
use crate::key::{AsyncKeySource, KeySource};
use crate::signer::{AsyncSigner, Signer};

/// Builds a compact JWS.
///
/// ```
/// use rjose::{Alg, Key, jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify}};
///
/// let key = Key::from_secret([7u8; 32])?;
/// let jws = CompactSign::new(b"It's a dangerous business, Frodo")
///     .protected_header(JwsHeader::new(Alg::HS256))
///     .sign(&key)?;
/// let verified = compact_verify(&jws, &key, &JwsVerifyOptions::new().algorithms([Alg::HS256]))?;
/// assert_eq!(verified.payload, b"It's a dangerous business, Frodo");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CompactSign<'p> {
    payload: &'p [u8],
    protected: JwsHeader,
    protected_text: Option<String>,
    detached: bool,
    pending: Option<Error>,
}

impl<'p> CompactSign<'p> {
    /// Starts a JWS over `payload`.
    pub fn new(payload: &'p [u8]) -> Self {
        CompactSign {
            payload,
            protected: JwsHeader::default(),
            protected_text: None,
            detached: false,
            pending: None,
        }
    }

    /// Sets the protected header (it must name `alg`). Setting
    /// `b64: false` adds `b64` to `crit`.
    pub fn protected_header(mut self, header: JwsHeader) -> Self {
        self.protected = with_b64_crit(header);
        self.protected_text = None;
        self
    }

    /// Sets the protected header as JSON text, encoded byte for byte (see
    /// [`FlattenedSign::protected_header_json`](super::FlattenedSign::protected_header_json)).
    ///
    /// ```
    /// use rjose::{Key, jws::{CompactSign, JwsVerifyOptions, compact_verify}};
    ///
    /// let key = Key::from_secret([3u8; 32])?;
    /// let jws = CompactSign::new(b"x").protected_header_json("{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}").sign(&key)?;
    /// assert!(jws.starts_with("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."));
    /// # compact_verify(&jws, &key, &JwsVerifyOptions::new())?;
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn protected_header_json(mut self, json: &str) -> Self {
        match super::flattened::header_argument(json) {
            Ok(header) => {
                self.protected = header;
                self.protected_text = Some(json.to_owned());
            }
            Err(e) => {
                self.pending.get_or_insert(e);
            }
        }
        self
    }

    /// Leaves the payload out: the output is `header..signature`
    /// (RFC 7515 appendix F), verified with [`compact_verify_detached`].
    pub fn detached(mut self) -> Self {
        self.detached = true;
        self
    }

    /// Signs with `signer`: a [`Key`](crate::Key), or a key held
    /// elsewhere (see [`Signer`]). Without an `alg` in the header, the
    /// signer's own is used ([`Key::default_jws_alg`](crate::Key::default_jws_alg)
    /// for a key); the header is not otherwise changed (no `kid` is added).
    pub fn sign(&self, signer: &(impl Signer + ?Sized)) -> Result<String> {
        self.ready()?;
        sign_parts(
            self.payload,
            Some(&self.protected),
            self.protected_text.as_deref(),
            None,
            signer,
        )?
        .into_compact(self.detached)
    }

    /// [`sign`](Self::sign) with a signer that waits (a KMS), or any
    /// thread-safe [`Signer`].
    ///
    /// ```
    /// use rjose::{Alg, Key, jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify}};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> rjose::Result<()> {
    /// let key = Key::from_secret([7u8; 32])?;
    /// let jws = CompactSign::new(b"hello").protected_header(JwsHeader::new(Alg::HS256)).sign_async(&key).await?;
    /// assert_eq!(compact_verify(&jws, &key, &JwsVerifyOptions::new())?.payload, b"hello");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sign_async(&self, signer: &(impl AsyncSigner + ?Sized)) -> Result<String> {
        self.ready()?;
        sign_parts_async(
            self.payload,
            Some(&self.protected),
            self.protected_text.as_deref(),
            None,
            signer,
        )
        .await?
        .into_compact(self.detached)
    }

    /// The first bad builder input, and what the compact form cannot carry.
    fn ready(&self) -> Result<()> {
        if let Some(e) = &self.pending {
            return Err(e.clone());
        }
        let encoded = self.protected.b64 != Some(false);
        if !encoded && !self.detached && self.payload.contains(&b'.') {
            // RFC 7797 section 5.2: the compact form cannot carry it.
            return Err(Error::jws(
                "an unencoded compact payload must not contain '.'; use detached()",
            ));
        }
        if !encoded && !self.detached && std::str::from_utf8(self.payload).is_err() {
            return Err(Error::jws("an unencoded compact payload must be UTF-8"));
        }
        Ok(())
    }
}

/// The three segments of a compact JWS, and where the signing input ends.
pub(crate) struct CompactParts<'a> {
    pub(crate) header: &'a str,
    pub(crate) payload: &'a str,
    pub(crate) signature: &'a str,
    pub(crate) signing_input: &'a [u8],
}

pub(crate) fn split(token: &str) -> Result<CompactParts<'_>> {
    let three_parts = || Error::jws("compact JWS must have three parts");
    let bytes = token.as_bytes();
    // The two dots are found from either end, next to the short header
    // and the short signature; then the payload between them must have
    // none. Three vectorized scans (memchr), the long one over the payload.
    let (Some(first), Some(last)) = (memchr::memchr(b'.', bytes), memchr::memrchr(b'.', bytes)) else {
        return Err(three_parts());
    };
    // Both are ASCII dots, so both are character boundaries.
    let (Some(header), Some(payload), Some(signature)) =
        (token.get(..first), token.get(first + 1..last), token.get(last + 1..))
    else {
        return Err(three_parts());
    };
    if memchr::memchr(b'.', payload.as_bytes()).is_some() {
        return Err(three_parts());
    }
    Ok(CompactParts {
        header,
        payload,
        signature,
        signing_input: &bytes[..last],
    })
}

/// Verifies a compact JWS and returns its payload and header.
pub fn compact_verify<K: KeySource + ?Sized>(token: &str, keys: &K, options: &JwsVerifyOptions) -> Result<VerifiedJws> {
    compact_verify_with(token, keys, options.policy())
}

/// [`compact_verify`] under a borrowed policy.
#[inline]
pub(crate) fn compact_verify_with<K: KeySource + ?Sized>(
    token: &str,
    keys: &K,
    policy: JwsPolicy<'_>,
) -> Result<VerifiedJws> {
    let pending = pending(token, policy)?;
    let candidates = keys.candidates(pending.header())?;
    pending.finish(candidates, policy)
}

/// [`compact_verify`] with a key source that waits (a database, a KMS, a
/// remote JWK Set), or any thread-safe [`KeySource`]. Everything but the
/// key lookup is [`compact_verify`]'s: the same checks in the same order,
/// with the same errors.
///
/// ```
/// use rjose::{Alg, Error, Key, jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify_async}, key_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> rjose::Result<()> {
/// let key = Key::from_secret([7u8; 32])?;
/// let jws = CompactSign::new(b"hi").protected_header(JwsHeader::new(Alg::HS256).kid("k1")).sign(&key)?;
/// let keys = key_fn(move |header: JwsHeader| {
///     let key = key.clone();
///     async move { if header.kid.as_deref() == Some("k1") { Ok(key) } else { Err(Error::JwksNoMatchingKey) } }
/// });
/// let verified = compact_verify_async(&jws, &keys, &JwsVerifyOptions::new()).await?;
/// assert_eq!(verified.payload, b"hi");
/// # Ok(())
/// # }
/// ```
pub async fn compact_verify_async<K: AsyncKeySource + ?Sized>(
    token: &str,
    keys: &K,
    options: &JwsVerifyOptions,
) -> Result<VerifiedJws> {
    compact_verify_async_with(token, keys, options.policy()).await
}

/// [`compact_verify_async`] under a borrowed policy.
pub(crate) async fn compact_verify_async_with<K: AsyncKeySource + ?Sized>(
    token: &str,
    keys: &K,
    policy: JwsPolicy<'_>,
) -> Result<VerifiedJws> {
    let pending = pending(token, policy)?;
    let candidates = keys.candidates_async(pending.header()).await?;
    let key = pending.verify_with(candidates, policy)?;
    pending.into_verified(key)
}

/// A compact JWS checked for everything that needs no key.
#[inline]
fn pending<'a>(token: &'a str, policy: JwsPolicy<'_>) -> Result<PendingVerification<'a>> {
    let parts = split(token)?;
    PendingVerification::new(
        Some(Protected::parse(parts.header)?),
        None,
        parts.payload.as_bytes(),
        parts.signature,
        Some(SigningInput(Cow::Borrowed(parts.signing_input))),
        policy,
    )
}

/// Verifies a compact JWS whose payload travels separately
/// (`header..signature`). `payload` is the payload bytes themselves, not
/// their encoding.
pub fn compact_verify_detached<K: KeySource + ?Sized>(
    token: &str,
    payload: &[u8],
    keys: &K,
    options: &JwsVerifyOptions,
) -> Result<VerifiedJws> {
    let parts = split(token)?;
    if !parts.payload.is_empty() {
        return Err(Error::jws("JWS is not detached: it carries a payload"));
    }
    // The header decides whether the payload is signed encoded or raw,
    // so it is read before laying out the signing input.
    let protected = Protected::parse(parts.header)?;
    let segment: Cow<'_, [u8]> = if protected.header.b64 == Some(false) {
        Cow::Borrowed(payload)
    } else {
        Cow::Owned(b64::encode(payload).into_bytes())
    };
    verify_parts(
        Some(protected),
        None,
        &segment,
        parts.signature,
        None,
        keys,
        options.policy(),
    )
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn splits_into_header_payload_and_signature() {
        let parts = split("h.p.s").expect("three parts");
        assert_eq!((parts.header, parts.payload, parts.signature), ("h", "p", "s"));
        assert_eq!(parts.signing_input, b"h.p");

        let detached = split("héader..sïg").expect("an empty payload is a part");
        assert_eq!(
            (detached.header, detached.payload, detached.signature),
            ("héader", "", "sïg")
        );
        assert_eq!(detached.signing_input, "héader.".as_bytes());

        let empty = split("..").expect("three empty parts");
        assert_eq!((empty.header, empty.payload, empty.signature), ("", "", ""));
    }

    #[test]
    fn refuses_any_other_number_of_parts() {
        for token in ["", "a", ".", "a.b", "a.b.c.d", "a.b.c.d.e", "...", "a.b.c."] {
            let error = split(token)
                .err()
                .unwrap_or_else(|| panic!("{token:?} has not three parts"));
            assert_eq!(error.code(), "ERR_JWS_INVALID", "{token:?}");
        }
    }
}
