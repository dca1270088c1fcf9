//! Flattened JWE JSON serialization, and the encrypt/decrypt core every
//! serialization goes through.

use std::borrow::Cow;
use std::cell::{Cell, OnceCell};
use std::fmt;

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::alg::{JweAlg, JweEnc, Mode};
use super::header::JweHeader;
use super::key_management::{self, KeyManagementParameters};
use super::{DecryptedJwe, JweDecryptOptions, content, zip};
use crate::b64;
use crate::error::{Error, Result};
use crate::key::{AsyncKeySource, Key, KeyCandidates, KeySource};

/// A JWE in the flattened JSON serialization (RFC 7516 section 7.2.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FlattenedJwe {
    /// Base64url of the protected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<String>,
    /// Shared unprotected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unprotected: Option<JweHeader>,
    /// Per-recipient unprotected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<JweHeader>,
    /// Base64url of the encrypted key (absent for direct modes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_key: Option<String>,
    /// Base64url of the additional authenticated data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aad: Option<String>,
    /// Base64url of the IV.
    pub iv: String,
    /// Base64url of the ciphertext.
    pub ciphertext: String,
    /// Base64url of the authentication tag.
    pub tag: String,
}

impl FlattenedJwe {
    /// Parses the JSON text of a flattened JWE.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::JweInvalid(format!("not a flattened JWE: {e}")))
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Everything the content encryption produced, shared by all recipients.
pub(crate) struct Sealed {
    pub(crate) protected_b64: Option<String>,
    pub(crate) aad_b64: Option<String>,
    pub(crate) iv: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) tag: Vec<u8>,
}

/// A recipient as the builders collect it.
pub(crate) struct RecipientSpec<'k> {
    pub(crate) key: &'k Key,
    pub(crate) header: Option<JweHeader>,
    pub(crate) params: KeyManagementParameters,
}

/// A recipient's output.
pub(crate) struct RecipientOut {
    pub(crate) header: Option<JweHeader>,
    pub(crate) encrypted_key: Vec<u8>,
}

/// Values fixed by the caller instead of random ones (test vectors).
#[derive(Default, Clone)]
pub(crate) struct Fixed {
    pub(crate) cek: Option<Zeroizing<Vec<u8>>>,
    pub(crate) iv: Option<Vec<u8>>,
}

impl fmt::Debug for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fixed")
            .field("cek", &self.cek.as_ref().map(|_| "<redacted>"))
            .field("iv", &self.iv)
            .finish()
    }
}

/// What every JWE builder collects besides its recipients: the plaintext,
/// the protected and shared headers, the aad and the fixed values.
#[derive(Debug, Clone, Default)]
pub(crate) struct Message<'p> {
    pub(crate) plaintext: &'p [u8],
    pub(crate) protected: Option<JweHeader>,
    /// The protected header as the caller wrote it, encoded verbatim.
    pub(crate) protected_text: Option<String>,
    pub(crate) shared: Option<JweHeader>,
    pub(crate) aad: Option<Vec<u8>>,
    pub(crate) fixed: Fixed,
    /// The first setter input that could not be used, reported by `encrypt`.
    pub(crate) pending: Option<Error>,
}

/// The setters of [`Message`] that the flattened and general builders
/// share; the builder keeps its message in a field named `message`.
macro_rules! message_setters {
    () => {
        /// Sets the protected header.
        pub fn protected_header(mut self, header: JweHeader) -> Self {
            self.message.protected = Some(header);
            self.message.protected_text = None;
            self
        }

        /// Sets the protected header as JSON text, encoded byte for byte as
        /// given (member order, whitespace): for reproducing published
        /// examples. Key management parameters (`epk`, `p2s`...) must then
        /// already be in the text, with the values the fixed
        /// [`KeyManagementParameters`] produce.
        ///
        /// Text that is not a JWE header is reported by `encrypt`.
        pub fn protected_header_json(mut self, json: &str) -> Self {
            match JweHeader::parse(json.as_bytes()) {
                Ok(header) => {
                    self.message.protected = Some(header);
                    self.message.protected_text = Some(json.to_owned());
                }
                Err(e) => {
                    self.message
                        .pending
                        .get_or_insert($crate::Error::InvalidArgument(format!(
                            "the protected header text is not a JWE header: {e}"
                        )));
                }
            }
            self
        }

        /// Sets the shared unprotected header (`unprotected`).
        pub fn shared_unprotected_header(mut self, header: JweHeader) -> Self {
            self.message.shared = Some(header);
            self
        }

        /// Sets additional authenticated data.
        pub fn aad(mut self, aad: &[u8]) -> Self {
            self.message.aad = Some(aad.to_vec());
            self
        }

        /// Fixes the content encryption key instead of a random one. Only for
        /// reproducing test vectors: a reused CEK breaks AES-GCM.
        pub fn content_encryption_key(mut self, cek: &[u8]) -> Self {
            self.message.fixed.cek = Some(zeroize::Zeroizing::new(cek.to_vec()));
            self
        }

        /// Fixes the IV instead of a random one. Only for reproducing test
        /// vectors: a reused IV breaks AES-GCM.
        pub fn initialization_vector(mut self, iv: &[u8]) -> Self {
            self.message.fixed.iv = Some(iv.to_vec());
            self
        }
    };
}
pub(crate) use message_setters;

/// Where key management parameters (`epk`, `p2s`...) of a single
/// recipient go: the compact form has only the protected header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    Protected,
    RecipientHeader,
}

/// Encrypts the plaintext for every recipient.
pub(crate) fn encrypt_core(
    message: &Message<'_>,
    recipients: &[RecipientSpec<'_>],
    placement: Placement,
) -> Result<(Sealed, Vec<RecipientOut>)> {
    let Message {
        plaintext,
        ref protected,
        ref protected_text,
        ref shared,
        ref aad,
        ref fixed,
        ref pending,
    } = *message;
    if let Some(e) = pending {
        return Err(e.clone());
    }
    let (protected, protected_text, shared, aad) = (
        protected.as_ref(),
        protected_text.as_deref(),
        shared.as_ref(),
        aad.as_deref(),
    );
    if recipients.is_empty() {
        return Err(Error::JweInvalid("a JWE needs at least one recipient".into()));
    }
    let mut protected = protected.cloned();
    let mut outs = Vec::with_capacity(recipients.len());
    let mut cek: Option<Zeroizing<Vec<u8>>> = fixed.cek.clone();
    let mut enc_seen: Option<JweEnc> = None;
    for recipient in recipients {
        let joint = JweHeader::joint([protected.as_ref(), shared, recipient.header.as_ref()])?;
        let (alg, enc) = joint.algorithms()?;
        if enc_seen.is_some_and(|seen| seen != enc) {
            return Err(Error::JweInvalid("all recipients must share one \"enc\"".into()));
        }
        enc_seen = Some(enc);
        if alg.is_direct() && recipients.len() > 1 {
            return Err(Error::JweInvalid(format!("\"{alg}\" allows only one recipient")));
        }
        if joint.zip.as_deref().is_some_and(|zip| zip != "DEF") {
            return Err(Error::NotSupported("\"zip\" other than DEF".into()));
        }
        let done = key_management::encrypt_key(
            alg,
            enc,
            recipient.key,
            cek.as_deref().map(|c| c.as_slice()),
            &recipient.params,
        )?;
        if cek.is_none() || alg.is_direct() {
            cek = Some(done.cek);
        }
        let mut header = recipient.header.clone();
        if !done.header.is_empty() {
            match (placement, protected.as_mut()) {
                // A header fixed as text must already carry the parameters.
                (Placement::Protected, Some(p)) if protected_text.is_some() => expect_params(p, &done.header)?,
                (Placement::Protected, Some(p)) => absorb_params(p, done.header)?,
                (Placement::Protected, None) => protected = Some(done.header),
                // A protected header that already carries the parameters (a
                // one-recipient general JWE with the `epk`, `iv`/`tag` or
                // `p2s`/`p2c` in its protected header, as in RFC 7520 sections
                // 5.3-5.5 and 5.7): they must match, and must not be repeated
                // in the recipient header, which RFC 7516 section 7.2.1 forbids.
                (Placement::RecipientHeader, Some(p)) if done.header.names().any(|name| p.contains(name)) => {
                    expect_params(p, &done.header)?
                }
                (Placement::RecipientHeader, _) => match header.as_mut() {
                    Some(h) => absorb_params(h, done.header)?,
                    None => header = Some(done.header),
                },
            }
        }
        outs.push(RecipientOut {
            header,
            encrypted_key: done.encrypted_key,
        });
    }
    let enc = enc_seen.ok_or_else(|| Error::JweInvalid("\"enc\" header parameter is missing".into()))?;
    let cek = cek.ok_or(Error::Crypto("no content key"))?;

    let protected_b64 = match protected_text {
        Some(text) => Some(b64::encode(text.as_bytes())),
        None => protected.as_ref().map(|p| b64::encode(p.to_json().as_bytes())),
    };
    let aad_b64 = aad.map(b64::encode);
    let full_aad = additional_data(protected_b64.as_deref(), aad_b64.as_deref());
    let iv = match &fixed.iv {
        Some(iv) => iv.clone(),
        None => content::generate_iv(enc)?,
    };
    let compressed;
    let input = if protected.as_ref().is_some_and(|p| p.zip.is_some()) {
        compressed = zip::deflate(plaintext);
        &compressed[..]
    } else if shared.is_some_and(|s| s.zip.is_some())
        || recipients
            .iter()
            .any(|r| r.header.as_ref().is_some_and(|h| h.zip.is_some()))
    {
        return Err(Error::JweInvalid("\"zip\" must be integrity protected".into()));
    } else {
        plaintext
    };
    let (ciphertext, tag) = content::encrypt(enc, &cek, &iv, &full_aad, input)?;
    Ok((
        Sealed {
            protected_b64,
            aad_b64,
            iv,
            ciphertext,
            tag,
        },
        outs,
    ))
}

fn absorb_params(into: &mut JweHeader, params: JweHeader) -> Result<()> {
    // The first clash in name order, as a merge of the two maps reported it.
    if let Some(name) = params.names().filter(|name| into.contains(name)).min() {
        return Err(Error::JweInvalid(format!(
            "header parameter {name:?} is set by key management"
        )));
    }
    into.absorb(params);
    Ok(())
}

fn expect_params(protected: &JweHeader, params: &JweHeader) -> Result<()> {
    let have = protected.to_map();
    for (name, value) in params.to_map() {
        if have.get(&name) != Some(&value) {
            return Err(Error::JweInvalid(format!(
                "the protected header text must carry {name:?} as key management produced it"
            )));
        }
    }
    Ok(())
}

/// The AAD of RFC 7516 section 5.1 step 14.
fn additional_data(protected_b64: Option<&str>, aad_b64: Option<&str>) -> Vec<u8> {
    let protected = protected_b64.unwrap_or_default();
    let mut out = Vec::with_capacity(protected.len() + 1 + aad_b64.map_or(0, str::len));
    out.extend_from_slice(protected.as_bytes());
    if let Some(aad) = aad_b64 {
        out.push(b'.');
        out.extend_from_slice(aad.as_bytes());
    }
    out
}

/// One encrypted message as the decryptor sees it: the parts every
/// recipient shares, still encoded, and what decoding them gave once some
/// recipient needed it. A general JWE is tried recipient by recipient; its
/// header is parsed and its ciphertext decoded once, not once per
/// recipient tried.
pub(crate) struct EncodedMessage<'a> {
    pub(crate) protected: Option<&'a str>,
    pub(crate) shared: Option<&'a JweHeader>,
    pub(crate) aad: Option<&'a str>,
    pub(crate) iv: &'a str,
    pub(crate) ciphertext: &'a str,
    pub(crate) tag: &'a str,
    /// Empty until a recipient needs them.
    pub(crate) decoded: Decoded,
}

/// What decoding a message's shared parts gave, and the PBES2 work its
/// recipients have cost so far.
#[derive(Default)]
pub(crate) struct Decoded {
    protected: OnceCell<Option<JweHeader>>,
    body: OnceCell<Body>,
    aad: OnceCell<Aad>,
    pbes2_spent: Cell<u64>,
}

/// One recipient's own parts, still encoded.
pub(crate) struct EncodedRecipient<'a> {
    pub(crate) header: Option<&'a JweHeader>,
    pub(crate) encrypted_key: Option<&'a str>,
}

struct Body {
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

struct Aad {
    /// The decoded `aad` member, handed back to the caller.
    decoded: Option<Vec<u8>>,
    /// What the content encryption authenticates (RFC 7516 section 5.2
    /// step 14): the encoded protected header, and `.` + encoded aad.
    authenticated: Vec<u8>,
}

fn decode(part: &str, name: &str) -> Result<Vec<u8>> {
    b64::decode(part.as_bytes()).ok_or_else(|| Error::JweInvalid(format!("{name} is not valid base64url")))
}

fn allowed_alg(alg: JweAlg, options: &JweDecryptOptions) -> Result<()> {
    let allowed = match &options.key_management_algorithms {
        Some(list) => list.contains(&alg),
        // Opt-in only: a password or a legacy RSA key is never tried by default.
        None => !matches!(alg.mode(), Mode::Pbes2(..) | Mode::RsaPkcs1),
    };
    match (allowed, &options.key_management_algorithms) {
        (true, _) => Ok(()),
        (false, Some(_)) => Err(Error::alg_not_allowed(alg.name())),
        (false, None) => Err(Error::alg_refused(
            alg.name(),
            "PBES2 and RSA1_5 are accepted only when named in the key management algorithms",
        )),
    }
}

/// The value in `cell`, computing it first if no earlier recipient did. A
/// failure is not kept: the next recipient fails the same way.
fn cached<T>(cell: &OnceCell<T>, compute: impl FnOnce() -> Result<T>) -> Result<&T> {
    if let Some(value) = cell.get() {
        return Ok(value);
    }
    let value = compute()?;
    Ok(cell.get_or_init(|| value))
}

impl<'a> EncodedMessage<'a> {
    fn protected_header(&self) -> Result<Option<&JweHeader>> {
        let parsed = cached(&self.decoded.protected, || match self.protected {
            Some(p) => Ok(Some(JweHeader::parse(&decode(p, "protected header")?)?)),
            None => Ok(None),
        })?;
        Ok(parsed.as_ref())
    }

    fn body(&self) -> Result<&Body> {
        cached(&self.decoded.body, || {
            let body = Body {
                iv: decode(self.iv, "IV")?,
                ciphertext: decode(self.ciphertext, "ciphertext")?,
                tag: decode(self.tag, "tag")?,
            };
            // A missing (empty) part is a malformed JWE, as in the JS
            // library ("JWE Initialization Vector missing", "JWE
            // Authentication Tag missing"). The attacker knows what they
            // left out, so saying so leaks nothing; a present part of the
            // wrong length still fails as JweDecryptionFailed.
            if body.iv.is_empty() {
                return Err(Error::JweInvalid("the IV is missing".into()));
            }
            if body.tag.is_empty() {
                return Err(Error::JweInvalid("the authentication tag is missing".into()));
            }
            Ok(body)
        })
    }

    /// The PBES2 iterations `recipient` declares, when its key management
    /// would run PBES2 under `options`; a recipient refused before any key
    /// derivation (malformed header, algorithm not allowed) declares none.
    pub(crate) fn declared_pbes2_iterations(
        &self,
        recipient: &EncodedRecipient<'_>,
        options: &JweDecryptOptions,
    ) -> u64 {
        let Ok(protected) = self.protected_header() else {
            return 0;
        };
        let Ok(joint) = JweHeader::joint([protected, self.shared, recipient.header]) else {
            return 0;
        };
        match joint.alg {
            Some(alg) if matches!(alg.mode(), Mode::Pbes2(..)) && allowed_alg(alg, options).is_ok() => {
                joint.p2c.unwrap_or(0)
            }
            _ => 0,
        }
    }

    /// Charges `iterations` of PBKDF2 to the message's budget, refusing
    /// before the work if the budget cannot cover them.
    fn spend_pbes2(&self, iterations: u64, budget: u64) -> Result<()> {
        let spent = self.decoded.pbes2_spent.get().saturating_add(iterations);
        if spent > budget {
            return Err(pbes2_budget_exceeded(budget));
        }
        self.decoded.pbes2_spent.set(spent);
        Ok(())
    }

    fn aad(&self) -> Result<&Aad> {
        cached(&self.decoded.aad, || {
            Ok(Aad {
                decoded: self.aad.map(|a| decode(a, "aad")).transpose()?,
                authenticated: additional_data(self.protected, self.aad),
            })
        })
    }
}

pub(crate) fn pbes2_budget_exceeded(budget: u64) -> Error {
    Error::JweInvalid(format!(
        "the JWE needs more than {budget} PBES2 iterations in all; raise the limit with \
         JweDecryptOptions::max_pbes2_count"
    ))
}

/// Decrypts one recipient's view of a JWE.
pub(crate) fn decrypt_core<K: KeySource<JweHeader> + ?Sized>(
    message: &mut EncodedMessage<'_>,
    recipient: &EncodedRecipient<'_>,
    keys: &K,
    options: &JweDecryptOptions,
) -> Result<DecryptedJwe> {
    let pending = PendingDecryption::new(message, recipient, options)?;
    let candidates = keys.candidates(pending.header())?;
    let opened = pending.decrypt_with(message, candidates, options)?;
    Ok(opened.into_decrypted(message, recipient))
}

/// [`decrypt_core`] with a key source that waits. The header the source
/// reads is copied out of the message, which cannot be shared with
/// another thread while the lookup runs.
pub(crate) async fn decrypt_core_async<K: AsyncKeySource<JweHeader> + ?Sized>(
    message: &mut EncodedMessage<'_>,
    recipient: &EncodedRecipient<'_>,
    keys: &K,
    options: &JweDecryptOptions,
) -> Result<DecryptedJwe> {
    let pending = PendingDecryption::new(message, recipient, options)?.into_owned();
    let candidates = keys.candidates_async(pending.header()).await?;
    let opened = pending.decrypt_with(message, candidates, options)?;
    Ok(opened.into_decrypted(message, recipient))
}

/// One recipient with every check done that needs no key: what is left
/// once the key source has named the candidates.
struct PendingDecryption<'m> {
    joint: Cow<'m, JweHeader>,
    alg: JweAlg,
    enc: JweEnc,
    inflate_limit: Option<usize>,
    params: key_management::HeaderParameters,
    encrypted_key: Vec<u8>,
}

/// A recipient's content decrypted, and the key that did it.
struct Opened {
    plaintext: Vec<u8>,
    key: Key,
}

impl<'m> PendingDecryption<'m> {
    /// Checks the headers, the algorithms against the options and the
    /// key management parameters, and decodes the parts, in that order.
    fn new(
        message: &'m EncodedMessage<'_>,
        recipient: &EncodedRecipient<'m>,
        options: &JweDecryptOptions,
    ) -> Result<Self> {
        let protected = message.protected_header()?;
        let joint = JweHeader::joint([protected, message.shared, recipient.header])?;
        JweHeader::check_protection(protected, [message.shared, recipient.header], &options.crit)?;
        let (alg, enc) = joint.algorithms()?;
        allowed_alg(alg, options)?;
        if options
            .content_encryption_algorithms
            .as_ref()
            .is_some_and(|list| !list.contains(&enc))
        {
            return Err(Error::alg_refused(
                enc.name(),
                "\"enc\" is not among the accepted content encryption algorithms",
            ));
        }
        let inflate_limit = match joint.zip.as_deref() {
            None => None,
            Some("DEF") => Some(options.max_decompressed_size.ok_or_else(|| {
                Error::NotSupported("compressed JWE (\"zip\": \"DEF\"): enable it with allow_decompression".into())
            })?),
            Some(other) => return Err(Error::NotSupported(format!("\"zip\" {other:?}"))),
        };
        let params = key_management::check_header(alg, &joint, options.max_pbes2_count)?;
        let encrypted_key = match recipient.encrypted_key {
            Some(k) => decode(k, "encrypted key")?,
            None => Vec::new(),
        };
        message.body()?;
        // As with the IV and tag (see `body`): the JS library's "JWE
        // Encrypted Key missing".
        if encrypted_key.is_empty() && !alg.is_direct() {
            return Err(Error::JweInvalid(format!("\"{alg}\" needs an encrypted key")));
        }
        message.aad()?;
        Ok(PendingDecryption {
            joint,
            alg,
            enc,
            inflate_limit,
            params,
            encrypted_key,
        })
    }

    /// This recipient, no longer borrowing the message.
    fn into_owned(self) -> PendingDecryption<'static> {
        PendingDecryption {
            joint: Cow::Owned(self.joint.into_owned()),
            alg: self.alg,
            enc: self.enc,
            inflate_limit: self.inflate_limit,
            params: self.params,
            encrypted_key: self.encrypted_key,
        }
    }

    /// The joint header, which the key source selects by.
    fn header(&self) -> &JweHeader {
        &self.joint
    }

    /// Decrypts with the first candidate that opens the content, then
    /// inflates it if it was compressed.
    fn decrypt_with(
        &self,
        message: &EncodedMessage<'_>,
        candidates: KeyCandidates<'_>,
        options: &JweDecryptOptions,
    ) -> Result<Opened> {
        // Decoded by `new`, so these are the cached parts.
        let body = message.body()?;
        let aad = message.aad()?;
        let (alg, enc) = (self.alg, self.enc);
        let (mut plaintext, key) = candidates.try_each(|key| {
            message.spend_pbes2(self.params.pbes2_iterations(), options.max_pbes2_count)?;
            let cek = key_management::decrypt_key(alg, enc, key, &self.joint, &self.params, &self.encrypted_key)?;
            let plaintext = content::decrypt(enc, &cek, &body.iv, &aad.authenticated, &body.ciphertext, &body.tag)?;
            Ok((plaintext, key.clone()))
        })?;
        let plaintext = match self.inflate_limit {
            Some(limit) => zip::inflate(&plaintext, limit).map_err(|()| {
                Error::JweInvalid(format!("decompressed plaintext is invalid or exceeds {limit} bytes"))
            })?,
            // Hand the buffer out rather than copy it: the caller gets these
            // bytes in a plain Vec either way.
            None => std::mem::take(&mut *plaintext),
        };
        Ok(Opened { plaintext, key })
    }
}

impl Opened {
    fn into_decrypted(self, message: &mut EncodedMessage<'_>, recipient: &EncodedRecipient<'_>) -> DecryptedJwe {
        DecryptedJwe {
            plaintext: self.plaintext,
            // Handed out rather than copied: the message is done with them.
            protected_header: message.decoded.protected.take().flatten(),
            shared_unprotected_header: message.shared.cloned(),
            unprotected_header: recipient.header.cloned(),
            additional_authenticated_data: message.decoded.aad.take().and_then(|aad| aad.decoded),
            key: self.key,
        }
    }
}

/// Builds a flattened JWE for one recipient.
///
/// ```
/// use rjose::jwe::{FlattenedEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, flattened_decrypt};
/// use rjose::{Key, generate_secret};
///
/// let kek = generate_secret(JweAlg::A256KW)?;
/// let jwe = FlattenedEncrypt::new(b"secret")
///     .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM))
///     .shared_unprotected_header(JweHeader::default().kid("kek-1"))
///     .aad(b"context")
///     .encrypt(&kek)?;
/// let decrypted = flattened_decrypt(&jwe, &kek, &JweDecryptOptions::new())?;
/// assert_eq!(decrypted.plaintext, b"secret");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct FlattenedEncrypt<'p> {
    message: Message<'p>,
    recipient: Option<JweHeader>,
    params: KeyManagementParameters,
}

impl<'p> FlattenedEncrypt<'p> {
    /// Starts a JWE of `plaintext`.
    pub fn new(plaintext: &'p [u8]) -> Self {
        FlattenedEncrypt {
            message: Message {
                plaintext,
                ..Message::default()
            },
            ..Self::default()
        }
    }

    message_setters!();

    /// Sets the per-recipient unprotected header (`header`).
    pub fn unprotected_header(mut self, header: JweHeader) -> Self {
        self.recipient = Some(header);
        self
    }

    /// Fixes key management values (see [`KeyManagementParameters`]).
    pub fn key_management_parameters(mut self, params: KeyManagementParameters) -> Self {
        self.params = params;
        self
    }

    /// Encrypts for `key`.
    pub fn encrypt(&self, key: &Key) -> Result<FlattenedJwe> {
        let (sealed, out) = self.seal(key)?;
        Ok(FlattenedJwe {
            protected: sealed.protected_b64,
            unprotected: self.message.shared.clone(),
            header: out.header,
            encrypted_key: (!out.encrypted_key.is_empty()).then(|| b64::encode(&out.encrypted_key)),
            aad: sealed.aad_b64,
            iv: b64::encode(&sealed.iv),
            ciphertext: b64::encode(&sealed.ciphertext),
            tag: b64::encode(&sealed.tag),
        })
    }

    /// Encrypts for `key`, leaving the binary parts unencoded: the compact
    /// serialization writes them straight into its one output string.
    pub(crate) fn seal(&self, key: &Key) -> Result<(Sealed, RecipientOut)> {
        let recipient = RecipientSpec {
            key,
            header: self.recipient.clone(),
            params: self.params.clone(),
        };
        let placement = if self.message.protected.is_some() {
            Placement::Protected
        } else {
            Placement::RecipientHeader
        };
        let (sealed, mut outs) = encrypt_core(&self.message, std::slice::from_ref(&recipient), placement)?;
        let out = outs.pop().ok_or(Error::Crypto("no recipient output"))?;
        Ok((sealed, out))
    }
}

/// Decrypts a flattened JWE.
pub fn flattened_decrypt<K: KeySource<JweHeader> + ?Sized>(
    jwe: &FlattenedJwe,
    keys: &K,
    options: &JweDecryptOptions,
) -> Result<DecryptedJwe> {
    let mut message = EncodedMessage {
        protected: jwe.protected.as_deref(),
        shared: jwe.unprotected.as_ref(),
        aad: jwe.aad.as_deref(),
        iv: &jwe.iv,
        ciphertext: &jwe.ciphertext,
        tag: &jwe.tag,
        decoded: Decoded::default(),
    };
    let recipient = EncodedRecipient {
        header: jwe.header.as_ref(),
        encrypted_key: jwe.encrypted_key.as_deref(),
    };
    decrypt_core(&mut message, &recipient, keys, options)
}

#[cfg(test)]
mod tests {
    use super::FlattenedEncrypt;

    #[test]
    fn debug_never_prints_a_fixed_content_key() {
        let builder = FlattenedEncrypt::new(b"plaintext").content_encryption_key(&[0xAB; 32]);
        let debug = format!("{builder:?}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert!(!debug.contains("171"), "the key bytes leak: {debug}");
    }
}
