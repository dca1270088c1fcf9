//! Flattened JWS JSON serialization, and the sign/verify core every
//! serialization goes through.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use super::{JwsHeader, JwsPolicy, JwsVerifyOptions, VerifiedJws};
use crate::alg::Alg;
use crate::b64;
use crate::error::{Error, Result};
use crate::key::{Key, KeyCandidates, KeySource};
use crate::signer::{AsyncSigner, Signer, check_signature, settle_alg};

/// A JWS in the flattened JSON serialization (RFC 7515 section 7.2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FlattenedJws {
    /// Base64url of the protected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<String>,
    /// Unprotected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<JwsHeader>,
    /// Base64url of the payload, or the payload itself when `b64` is
    /// false; absent for a detached payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// Base64url of the signature.
    pub signature: String,
}

impl FlattenedJws {
    /// Parses the JSON text of a flattened JWS.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::jws(format!("not a flattened JWS: {e}")))
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The bytes a signature covers: `ASCII(protected) || '.' || payload`,
/// borrowed straight from a compact token when possible.
pub(crate) struct SigningInput<'a>(pub(crate) Cow<'a, [u8]>);

impl<'a> SigningInput<'a> {
    pub(crate) fn join(protected_b64: &str, payload_segment: &[u8]) -> SigningInput<'a> {
        let mut bytes = Vec::with_capacity(protected_b64.len() + 1 + payload_segment.len());
        bytes.extend_from_slice(protected_b64.as_bytes());
        bytes.push(b'.');
        bytes.extend_from_slice(payload_segment);
        SigningInput(Cow::Owned(bytes))
    }
}

/// The signing input as it is laid out: text when the payload is
/// base64url-encoded (the usual case), so that the compact form takes it
/// as its first two parts without checking the UTF-8 again; bytes when an
/// unencoded payload (RFC 7797) may hold anything.
enum Laid {
    Text(String),
    Bytes(Vec<u8>),
}

impl Laid {
    fn as_bytes(&self) -> &[u8] {
        match self {
            Laid::Text(text) => text.as_bytes(),
            Laid::Bytes(bytes) => bytes,
        }
    }
}

/// A computed signature and the bytes it covers.
pub(crate) struct SignedParts {
    /// `BASE64URL(protected) '.' payload-segment`, the signing input,
    /// which the compact form reuses as its first two parts.
    input: Laid,
    protected_len: usize,
    signature: Vec<u8>,
}

impl SignedParts {
    pub(crate) fn protected_b64(&self) -> &str {
        // The encoded header is base64url, so ASCII.
        std::str::from_utf8(&self.input.as_bytes()[..self.protected_len]).unwrap_or_default()
    }

    /// `header.payload.signature`, or `header..signature` when detached.
    pub(crate) fn into_compact(self, detached: bool) -> Result<String> {
        // A detached payload is dropped before the text is checked: it
        // may be any bytes.
        let kept = if detached { self.protected_len + 1 } else { usize::MAX };
        let mut out = match self.input {
            Laid::Text(mut text) => {
                text.truncate(kept);
                text
            }
            Laid::Bytes(mut bytes) => {
                bytes.truncate(kept);
                String::from_utf8(bytes).map_err(|_| Error::jws("an unencoded compact payload must be UTF-8"))?
            }
        };
        out.push('.');
        // Encoded straight into the token, in the room left for it.
        b64::encode_into_string(&self.signature, &mut out);
        Ok(out)
    }

    /// The signature, base64url-encoded, for the JSON serializations.
    pub(crate) fn signature_b64(&self) -> String {
        b64::encode(&self.signature)
    }
}

/// Signs `payload` with `signer` under the given headers.
pub(crate) fn sign_parts<S: Signer + ?Sized>(
    payload: &[u8],
    protected: Option<&JwsHeader>,
    protected_text: Option<&str>,
    unprotected: Option<&JwsHeader>,
    signer: &S,
) -> Result<SignedParts> {
    let settle = |named| settle_alg(named, || signer.jws_alg(), |alg| signer.check_alg(alg));
    let unsigned = Unsigned::new(payload, protected, protected_text, unprotected, settle)?;
    let signature = signer.sign(unsigned.alg, unsigned.input.as_bytes())?;
    unsigned.finish(signature)
}

/// [`sign_parts`] with a signer that waits.
pub(crate) async fn sign_parts_async<S: AsyncSigner + ?Sized>(
    payload: &[u8],
    protected: Option<&JwsHeader>,
    protected_text: Option<&str>,
    unprotected: Option<&JwsHeader>,
    signer: &S,
) -> Result<SignedParts> {
    let settle = |named| settle_alg(named, || signer.jws_alg(), |alg| signer.check_alg(alg));
    let unsigned = Unsigned::new(payload, protected, protected_text, unprotected, settle)?;
    let signature = signer.sign_async(unsigned.alg, unsigned.input.as_bytes()).await?;
    unsigned.finish(signature)
}

/// A signing input laid out and its algorithm settled: all of signing
/// but the signature, which the signer computes.
struct Unsigned {
    alg: Alg,
    input: Laid,
    protected_len: usize,
}

impl Unsigned {
    fn new(
        payload: &[u8],
        protected: Option<&JwsHeader>,
        protected_text: Option<&str>,
        unprotected: Option<&JwsHeader>,
        settle: impl FnOnce(Option<Alg>) -> Result<Alg>,
    ) -> Result<Self> {
        let joint = JwsHeader::joint(protected, unprotected)?;
        JwsHeader::check_crit(protected, unprotected, &[]).or_else(|e| match e {
            // The signer chose its extensions; only the structural rules apply.
            Error::NotSupported(_) => Ok(()),
            other => Err(other),
        })?;
        if joint.alg.is_none() && protected_text.is_some() {
            return Err(Error::jws("\"alg\" header parameter is missing"));
        }
        let alg = settle(joint.alg)?;
        // No `alg` named: the signer's own goes into the protected header
        // (where RFC 7515 wants it), unless the caller fixed that header's
        // text.
        let defaulted;
        let protected = if joint.alg.is_none() {
            defaulted = JwsHeader {
                alg: Some(alg),
                ..protected.cloned().unwrap_or_default()
            };
            Some(&defaulted)
        } else {
            protected
        };
        let header_json;
        let header_bytes = match (protected_text, protected) {
            (Some(text), _) => text.as_bytes(),
            (None, Some(p)) => {
                header_json = p.to_json();
                header_json.as_bytes()
            }
            (None, None) => &[],
        };
        let encoded = joint.b64 != Some(false);
        let payload_len = if encoded {
            b64::encoded_len(payload.len())
        } else {
            payload.len()
        };
        // Room for the compact form's third part too, so that appending a
        // signature of up to 64 bytes (HMAC, ECDSA up to P-384, EdDSA)
        // does not move the token.
        let capacity = b64::encoded_len(header_bytes.len()) + 1 + payload_len + 1 + b64::encoded_len(64);
        let protected_len = b64::encoded_len(header_bytes.len());
        let input = if encoded {
            let mut text = String::with_capacity(capacity);
            b64::encode_into_string(header_bytes, &mut text);
            text.push('.');
            b64::encode_into_string(payload, &mut text);
            Laid::Text(text)
        } else {
            let mut bytes = Vec::with_capacity(capacity);
            b64::encode_into(header_bytes, &mut bytes);
            bytes.push(b'.');
            bytes.extend_from_slice(payload);
            Laid::Bytes(bytes)
        };
        Ok(Unsigned {
            alg,
            input,
            protected_len,
        })
    }

    /// Takes the signer's answer, once it passes the checks that need no
    /// key.
    fn finish(self, signature: Vec<u8>) -> Result<SignedParts> {
        check_signature(self.alg, &signature)?;
        Ok(SignedParts {
            input: self.input,
            protected_len: self.protected_len,
            signature,
        })
    }
}

/// A protected header as it arrived (base64url, part of the signing
/// input) and as parsed.
pub(crate) struct Protected<'a> {
    pub(crate) b64: &'a str,
    pub(crate) header: JwsHeader,
}

impl<'a> Protected<'a> {
    pub(crate) fn parse(b64: &'a str) -> Result<Self> {
        // Decoded in place when short (most headers are a few dozen bytes).
        let bytes =
            b64::decode_short(b64.as_bytes()).ok_or_else(|| Error::jws("protected header is not valid base64url"))?;
        Ok(Protected {
            b64,
            header: JwsHeader::parse(&bytes)?,
        })
    }

    pub(crate) fn parse_optional(b64: Option<&'a str>) -> Result<Option<Self>> {
        b64.map(Protected::parse).transpose()
    }
}

/// Verifies one signature. `payload_segment` is the payload as it
/// appears in the serialization (base64url, or raw when `b64` is false).
pub(crate) fn verify_parts<K: KeySource + ?Sized>(
    protected: Option<Protected<'_>>,
    unprotected: Option<&JwsHeader>,
    payload_segment: &[u8],
    signature_b64: &str,
    signing_input: Option<SigningInput<'_>>,
    keys: &K,
    policy: JwsPolicy<'_>,
) -> Result<VerifiedJws> {
    let pending = PendingVerification::new(
        protected,
        unprotected,
        payload_segment,
        signature_b64,
        signing_input,
        policy,
    )?;
    let candidates = keys.candidates(pending.header())?;
    pending.finish(candidates, policy)
}

/// One signature with every check done that needs no key: what is left
/// once the key source has named the candidates. The synchronous and the
/// asynchronous verifications differ only in how they get those. (Its
/// steps are `#[inline]`: the struct holds a whole header, and the
/// synchronous path should not pay for copying it between them.)
pub(crate) struct PendingVerification<'a> {
    headers: Headers<'a>,
    encoded: bool,
    alg: Alg,
    signature: b64::ShortBytes,
    signing_input: SigningInput<'a>,
    payload_segment: &'a [u8],
}

/// The headers of one signature, and the joint header keys are selected by.
enum Headers<'a> {
    Protected(JwsHeader),
    Unprotected(&'a JwsHeader),
    /// Rare (JSON serializations only): boxed, so that the common case
    /// moves one header, not two.
    Both {
        protected: JwsHeader,
        unprotected: &'a JwsHeader,
        merged: Box<JwsHeader>,
    },
}

impl<'a> PendingVerification<'a> {
    /// Checks the headers (joint, `crit`, `alg` present and allowed) and
    /// decodes the signature, in that order.
    #[inline]
    pub(crate) fn new(
        protected: Option<Protected<'a>>,
        unprotected: Option<&'a JwsHeader>,
        payload_segment: &'a [u8],
        signature_b64: &str,
        signing_input: Option<SigningInput<'a>>,
        policy: JwsPolicy<'_>,
    ) -> Result<Self> {
        let (protected_b64, protected) = match protected {
            Some(Protected { b64, header }) => (Some(b64), Some(header)),
            None => (None, None),
        };
        let joint = JwsHeader::joint(protected.as_ref(), unprotected)?;
        JwsHeader::check_crit(protected.as_ref(), unprotected, policy.crit)?;
        let alg = joint
            .alg
            .ok_or_else(|| Error::jws("\"alg\" header parameter is missing"))?;
        check_allowed(alg, policy)?;
        let signature = b64::decode_short(signature_b64.as_bytes())
            .ok_or_else(|| Error::jws("signature is not valid base64url"))?;
        let signing_input =
            signing_input.unwrap_or_else(|| SigningInput::join(protected_b64.unwrap_or_default(), payload_segment));
        let encoded = joint.b64 != Some(false);
        let merged = match joint {
            Cow::Owned(merged) => Some(merged),
            Cow::Borrowed(_) => None,
        };
        let headers = match (protected, unprotected, merged) {
            (Some(protected), Some(unprotected), Some(merged)) => Headers::Both {
                protected,
                unprotected,
                merged: Box::new(merged),
            },
            (Some(protected), None, _) => Headers::Protected(protected),
            (None, Some(unprotected), _) => Headers::Unprotected(unprotected),
            // `joint` has refused a JWS without headers, and merges two.
            _ => return Err(Error::jws("JWS has neither a protected nor an unprotected header")),
        };
        Ok(PendingVerification {
            headers,
            encoded,
            alg,
            signature,
            signing_input,
            payload_segment,
        })
    }

    /// The joint header, which the key source selects by.
    pub(crate) fn header(&self) -> &JwsHeader {
        match &self.headers {
            Headers::Protected(joint) => joint,
            Headers::Unprotected(joint) => joint,
            Headers::Both { merged, .. } => merged,
        }
    }

    /// Verifies the signature with the first candidate that accepts it,
    /// then decodes the payload.
    #[inline]
    pub(crate) fn finish(self, candidates: KeyCandidates<'_>, policy: JwsPolicy<'_>) -> Result<VerifiedJws> {
        let key = self.verify_with(candidates, policy)?;
        self.into_verified(key)
    }

    /// The first candidate that verifies the signature. Apart from
    /// [`into_verified`](Self::into_verified) for an async source, whose
    /// candidates may borrow the header until they are consumed here.
    pub(crate) fn verify_with(&self, candidates: KeyCandidates<'_>, policy: JwsPolicy<'_>) -> Result<Key> {
        let alg = self.alg;
        candidates.try_each(|key| {
            if policy.algorithms.is_none() && !key.supports(alg) {
                // With no allow-list the key decides: its refusal is an
                // algorithm refusal, not a bad signature.
                return Err(Error::alg_refused(alg.name(), key.refusal(alg)));
            }
            key.verify_raw(alg, &self.signing_input.0, &self.signature)?;
            Ok(key.clone())
        })
    }

    /// The verified JWS, its payload decoded.
    #[inline]
    pub(crate) fn into_verified(self, key: Key) -> Result<VerifiedJws> {
        let payload = if self.encoded {
            b64::decode(self.payload_segment).ok_or_else(|| Error::jws("payload is not valid base64url"))?
        } else {
            self.payload_segment.to_vec()
        };
        let (protected_header, unprotected_header) = match self.headers {
            Headers::Protected(protected) => (Some(protected), None),
            Headers::Unprotected(unprotected) => (None, Some(unprotected.clone())),
            Headers::Both {
                protected, unprotected, ..
            } => (Some(protected), Some(unprotected.clone())),
        };
        Ok(VerifiedJws {
            payload,
            protected_header,
            unprotected_header,
            key,
        })
    }
}

fn check_allowed(alg: Alg, policy: JwsPolicy<'_>) -> Result<()> {
    match policy.algorithms {
        Some(allowed) if !allowed.contains(&alg) => Err(Error::alg_not_allowed(alg.name())),
        _ => Ok(()),
    }
}

/// Builds a flattened JWS.
///
/// ```
/// use rjose::{Alg, Key, jws::{FlattenedSign, JwsHeader, JwsVerifyOptions, flattened_verify}};
///
/// let key = Key::from_secret([7u8; 32])?;
/// let jws = FlattenedSign::new(b"hello")
///     .protected_header(JwsHeader::new(Alg::HS256))
///     .unprotected_header(JwsHeader::default().kid("k1"))
///     .sign(&key)?;
/// let verified = flattened_verify(&jws, &key, &JwsVerifyOptions::new())?;
/// assert_eq!(verified.payload, b"hello");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FlattenedSign<'p> {
    payload: &'p [u8],
    protected: Option<JwsHeader>,
    protected_text: Option<String>,
    unprotected: Option<JwsHeader>,
    detached: bool,
    pending: Option<Error>,
}

impl<'p> FlattenedSign<'p> {
    /// Starts a JWS over `payload`.
    pub fn new(payload: &'p [u8]) -> Self {
        FlattenedSign {
            payload,
            protected: None,
            protected_text: None,
            unprotected: None,
            detached: false,
            pending: None,
        }
    }

    /// Sets the protected header. Setting `b64: false` adds `b64` to `crit`.
    pub fn protected_header(mut self, header: JwsHeader) -> Self {
        self.protected = Some(with_b64_crit(header));
        self.protected_text = None;
        self
    }

    /// Sets the protected header as JSON text, encoded byte for byte as
    /// given (member order, whitespace): for reproducing published
    /// examples. Nothing is added to it, not even `b64` to `crit`.
    ///
    /// Text that is not a header is reported by [`sign`](Self::sign).
    pub fn protected_header_json(mut self, json: &str) -> Self {
        match header_argument(json) {
            Ok(header) => {
                self.protected = Some(header);
                self.protected_text = Some(json.to_owned());
            }
            Err(e) => {
                self.pending.get_or_insert(e);
            }
        }
        self
    }

    /// Sets the unprotected header.
    pub fn unprotected_header(mut self, header: JwsHeader) -> Self {
        self.unprotected = Some(header);
        self
    }

    /// Leaves the payload out of the output (RFC 7515 appendix F).
    pub fn detached(mut self) -> Self {
        self.detached = true;
        self
    }

    /// Signs with `signer`: a [`Key`](crate::Key), or a key held
    /// elsewhere (see [`Signer`]). Without an `alg` in the protected or
    /// unprotected header, the signer's own is used
    /// ([`Key::default_jws_alg`](crate::Key::default_jws_alg) for a key);
    /// the header is not otherwise changed (no `kid` is added).
    pub fn sign(&self, signer: &(impl Signer + ?Sized)) -> Result<FlattenedJws> {
        self.ready()?;
        let parts = sign_parts(
            self.payload,
            self.protected.as_ref(),
            self.protected_text.as_deref(),
            self.unprotected.as_ref(),
            signer,
        )?;
        self.assemble(parts)
    }

    /// [`sign`](Self::sign) with a signer that waits (a KMS), or any
    /// thread-safe [`Signer`].
    ///
    /// ```
    /// use rjose::{Alg, Key, jws::{FlattenedSign, JwsHeader, JwsVerifyOptions, flattened_verify}};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> rjose::Result<()> {
    /// let key = Key::from_secret([7u8; 32])?;
    /// let jws = FlattenedSign::new(b"hello").protected_header(JwsHeader::new(Alg::HS256)).sign_async(&key).await?;
    /// assert_eq!(flattened_verify(&jws, &key, &JwsVerifyOptions::new())?.payload, b"hello");
    /// # Ok(())
    /// # }
    /// ```
    pub async fn sign_async(&self, signer: &(impl AsyncSigner + ?Sized)) -> Result<FlattenedJws> {
        self.ready()?;
        let parts = sign_parts_async(
            self.payload,
            self.protected.as_ref(),
            self.protected_text.as_deref(),
            self.unprotected.as_ref(),
            signer,
        )
        .await?;
        self.assemble(parts)
    }

    fn ready(&self) -> Result<()> {
        match &self.pending {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn assemble(&self, parts: SignedParts) -> Result<FlattenedJws> {
        let encoded = self.protected.as_ref().and_then(|p| p.b64) != Some(false);
        let payload = if self.detached {
            None
        } else if encoded {
            Some(b64::encode(self.payload))
        } else {
            Some(
                String::from_utf8(self.payload.to_vec())
                    .map_err(|_| Error::jws("an unencoded payload in JSON must be UTF-8"))?,
            )
        };
        Ok(FlattenedJws {
            protected: self.protected.is_some().then(|| parts.protected_b64().to_owned()),
            header: self.unprotected.clone(),
            payload,
            signature: parts.signature_b64(),
        })
    }
}

/// A protected header given as text to a builder: text that is not one is
/// a bad argument, reported when the builder finishes.
pub(crate) fn header_argument(json: &str) -> Result<JwsHeader> {
    JwsHeader::parse(json.as_bytes())
        .map_err(|e| Error::InvalidArgument(format!("the protected header text is not a JWS header: {e}")))
}

pub(crate) fn with_b64_crit(mut header: JwsHeader) -> JwsHeader {
    if header.b64 == Some(false) {
        let crit = header.crit.get_or_insert_with(Vec::new);
        if !crit.iter().any(|n| n == "b64") {
            crit.push("b64".to_owned());
        }
    }
    header
}

/// Verifies a flattened JWS. A detached JWS needs [`FlattenedJws::payload`]
/// filled in by the caller first.
pub fn flattened_verify<K: KeySource + ?Sized>(
    jws: &FlattenedJws,
    keys: &K,
    options: &JwsVerifyOptions,
) -> Result<VerifiedJws> {
    let payload = jws
        .payload
        .as_deref()
        .ok_or_else(|| Error::jws("JWS payload is missing (detached?)"))?;
    verify_parts(
        Protected::parse_optional(jws.protected.as_deref())?,
        jws.header.as_ref(),
        payload.as_bytes(),
        &jws.signature,
        None,
        keys,
        options.policy(),
    )
}
