//! General JWS JSON serialization: one payload, several signatures
//! (RFC 7515 section 7.2.1).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::flattened::{Protected, sign_parts, verify_parts, with_b64_crit};
use super::{JwsHeader, JwsVerifyOptions, VerifiedJws};
use crate::b64;
use crate::error::{Error, Result};
use crate::key::KeySource;
use crate::signer::Signer;

/// One signature of a general JWS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GeneralSignature {
    /// Base64url of this signature's protected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<String>,
    /// This signature's unprotected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<JwsHeader>,
    /// Base64url of the signature.
    pub signature: String,
}

/// A JWS in the general JSON serialization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GeneralJws {
    /// Base64url of the payload (or the payload when `b64` is false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// The signatures.
    pub signatures: Vec<GeneralSignature>,
}

impl GeneralJws {
    /// Parses the JSON text of a general JWS.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::jws(format!("not a general JWS: {e}")))
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Builds a general JWS with one signature per key.
///
/// ```
/// use rjose::{Alg, Key, generate_key_pair, KeyPairOptions};
/// use rjose::jws::{GeneralSign, JwsHeader, JwsVerifyOptions, general_verify};
///
/// let hmac = Key::from_secret([7u8; 32])?;
/// let ec = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
/// let jws = GeneralSign::new(b"payload")
///     .add_signature(&hmac, JwsHeader::new(Alg::HS256), None)
///     .add_signature(&ec.private_key, JwsHeader::new(Alg::ES256), None)
///     .sign()?;
/// assert_eq!(jws.signatures.len(), 2);
/// let verified = general_verify(&jws, &ec.public_key, &JwsVerifyOptions::new())?;
/// assert_eq!(verified.payload, b"payload");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Clone)]
pub struct GeneralSign<'p, 'k> {
    payload: &'p [u8],
    signers: Vec<(&'k dyn Signer, JwsHeader, Option<JwsHeader>)>,
    detached: bool,
}

impl fmt::Debug for GeneralSign<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A signer need not be `Debug`; its headers say what it is.
        let headers: Vec<_> = self.signers.iter().map(|(_, p, u)| (p, u)).collect();
        f.debug_struct("GeneralSign")
            .field("payload_len", &self.payload.len())
            .field("signatures", &headers)
            .field("detached", &self.detached)
            .finish()
    }
}

impl<'p, 'k> GeneralSign<'p, 'k> {
    /// Starts a JWS over `payload`.
    pub fn new(payload: &'p [u8]) -> Self {
        GeneralSign {
            payload,
            signers: Vec::new(),
            detached: false,
        }
    }

    /// Leaves the payload out of the output (RFC 7515 appendix F); the
    /// verifier fills [`GeneralJws::payload`] in before verifying.
    pub fn detached(mut self) -> Self {
        self.detached = true;
        self
    }

    /// Adds a signature by `signer` (a [`Key`](crate::Key), or a key held
    /// elsewhere: see [`Signer`]) with these headers. Without an `alg` in
    /// them, the signer's own is used.
    pub fn add_signature(
        mut self,
        signer: &'k dyn Signer,
        protected: JwsHeader,
        unprotected: Option<JwsHeader>,
    ) -> Self {
        self.signers.push((signer, with_b64_crit(protected), unprotected));
        self
    }

    /// Computes every signature.
    pub fn sign(&self) -> Result<GeneralJws> {
        let Some((_, first, _)) = self.signers.first() else {
            return Err(Error::jws("a general JWS needs at least one signature"));
        };
        let encoded = first.b64 != Some(false);
        if self.signers.iter().any(|(_, p, _)| (p.b64 != Some(false)) != encoded) {
            // One payload cannot be both encoded and raw.
            return Err(Error::jws("all signatures must agree on \"b64\""));
        }
        let mut signatures = Vec::with_capacity(self.signers.len());
        for (signer, protected, unprotected) in &self.signers {
            // An empty protected header is left out, unless it is the only
            // place the signer's `alg` can go.
            let protected = (protected != &JwsHeader::default() || unprotected.is_none()).then_some(protected);
            let parts = sign_parts(self.payload, protected, None, unprotected.as_ref(), *signer)?;
            signatures.push(GeneralSignature {
                protected: protected.is_some().then(|| parts.protected_b64().to_owned()),
                header: unprotected.clone(),
                signature: parts.signature_b64(),
            });
        }
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
        Ok(GeneralJws { payload, signatures })
    }
}

/// Verifies a general JWS: succeeds with the first signature that the key
/// source verifies, as the JS library does. Signatures whose `alg` is not
/// allowed, or for which no key matches, are skipped.
///
/// Before any signature is checked, the JWS is refused if it carries more
/// than [`JwsVerifyOptions::max_signatures`] signatures, if any protected
/// header is malformed, or if the signatures disagree on `b64`.
pub fn general_verify<K: KeySource + ?Sized>(
    jws: &GeneralJws,
    keys: &K,
    options: &JwsVerifyOptions,
) -> Result<VerifiedJws> {
    let payload = jws
        .payload
        .as_deref()
        .ok_or_else(|| Error::jws("JWS payload is missing (detached?)"))?;
    let count = jws.signatures.len();
    if count > options.max_signatures {
        return Err(Error::jws(format!(
            "the JWS has {count} signatures, more than the limit of {}; \
             raise it with JwsVerifyOptions::max_signatures",
            options.max_signatures
        )));
    }
    let protected = jws
        .signatures
        .iter()
        .map(|signature| Protected::parse_optional(signature.protected.as_deref()))
        .collect::<Result<Vec<_>>>()?;
    // RFC 7797 section 3: every signature must read the one payload the
    // same way.
    let encoded = |p: &Option<Protected<'_>>| p.as_ref().and_then(|p| p.header.b64) != Some(false);
    if protected.windows(2).any(|pair| encoded(&pair[0]) != encoded(&pair[1])) {
        return Err(Error::jws("all signatures must agree on \"b64\""));
    }
    let mut last = Error::JwsSignatureVerificationFailed;
    for (signature, protected) in jws.signatures.iter().zip(protected) {
        let verified = verify_parts(
            protected,
            signature.header.as_ref(),
            payload.as_bytes(),
            &signature.signature,
            None,
            keys,
            options.policy(),
        );
        match verified {
            Ok(verified) => return Ok(verified),
            Err(e) => last = e,
        }
    }
    Err(match last {
        // A malformed signature entry is a malformed JWS; anything else
        // means no signature verified.
        e @ Error::JwsInvalid(_) => e,
        _ => Error::JwsSignatureVerificationFailed,
    })
}
