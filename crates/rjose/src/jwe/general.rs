//! General JWE JSON serialization: one ciphertext, several recipients
//! (RFC 7516 section 7.2.1).

use serde::{Deserialize, Serialize};

use super::flattened::{
    Decoded, EncodedMessage, EncodedRecipient, Message, Placement, RecipientSpec, decrypt_core, encrypt_core,
    message_setters, pbes2_budget_exceeded,
};
use super::header::JweHeader;
use super::key_management::KeyManagementParameters;
use super::{DecryptedJwe, JweDecryptOptions};
use crate::b64;
use crate::error::{Error, Result};
use crate::key::{Key, KeySource};

/// One recipient of a general JWE.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GeneralRecipient {
    /// This recipient's unprotected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<JweHeader>,
    /// Base64url of this recipient's encrypted key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encrypted_key: Option<String>,
}

/// A JWE in the general JSON serialization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GeneralJwe {
    /// Base64url of the protected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<String>,
    /// Shared unprotected header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unprotected: Option<JweHeader>,
    /// The recipients.
    pub recipients: Vec<GeneralRecipient>,
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

impl GeneralJwe {
    /// Parses the JSON text of a general JWE.
    pub fn from_json(json: &str) -> Result<Self> {
        serde_json::from_str(json).map_err(|e| Error::JweInvalid(format!("not a general JWE: {e}")))
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Builds a general JWE: the content is encrypted once, its key wrapped
/// for each recipient with that recipient's key and algorithm.
///
/// ```
/// use rjose::jwe::{GeneralEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, general_decrypt};
/// use rjose::{KeyPairOptions, generate_key_pair, generate_secret};
///
/// let ec = generate_key_pair(JweAlg::ECDH_ES_A128KW, KeyPairOptions::default())?;
/// let kek = generate_secret(JweAlg::A128KW)?;
/// let jwe = GeneralEncrypt::new(b"to both of you")
///     .protected_header(JweHeader::default().enc(JweEnc::A128CBC_HS256))
///     .add_recipient(&ec.public_key, JweHeader::default().alg(JweAlg::ECDH_ES_A128KW))
///     .add_recipient(&kek, JweHeader::default().alg(JweAlg::A128KW))
///     .encrypt()?;
/// assert_eq!(general_decrypt(&jwe, &kek, &JweDecryptOptions::new())?.plaintext, b"to both of you");
/// assert_eq!(general_decrypt(&jwe, &ec.private_key, &JweDecryptOptions::new())?.plaintext, b"to both of you");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Default)]
pub struct GeneralEncrypt<'p, 'k> {
    message: Message<'p>,
    recipients: Vec<RecipientSpec<'k>>,
}

impl<'p, 'k> GeneralEncrypt<'p, 'k> {
    /// Starts a JWE of `plaintext`.
    pub fn new(plaintext: &'p [u8]) -> Self {
        GeneralEncrypt {
            message: Message {
                plaintext,
                ..Message::default()
            },
            recipients: Vec::new(),
        }
    }

    message_setters!();

    /// Adds a recipient with its own unprotected header (typically `alg`
    /// and `kid`).
    pub fn add_recipient(self, key: &'k Key, header: JweHeader) -> Self {
        self.add_recipient_with(key, header, KeyManagementParameters::default())
    }

    /// Adds a recipient with fixed key management values.
    pub fn add_recipient_with(mut self, key: &'k Key, header: JweHeader, params: KeyManagementParameters) -> Self {
        self.recipients.push(RecipientSpec {
            key,
            header: (!header.is_empty()).then_some(header),
            params,
        });
        self
    }

    /// Encrypts for every recipient.
    pub fn encrypt(&self) -> Result<GeneralJwe> {
        let (sealed, outs) = encrypt_core(&self.message, &self.recipients, Placement::RecipientHeader)?;
        Ok(GeneralJwe {
            protected: sealed.protected_b64,
            unprotected: self.message.shared.clone(),
            recipients: outs
                .into_iter()
                .map(|out| GeneralRecipient {
                    header: out.header,
                    encrypted_key: (!out.encrypted_key.is_empty()).then(|| b64::encode(&out.encrypted_key)),
                })
                .collect(),
            aad: sealed.aad_b64,
            iv: b64::encode(&sealed.iv),
            ciphertext: b64::encode(&sealed.ciphertext),
            tag: b64::encode(&sealed.tag),
        })
    }
}

/// Decrypts a general JWE with the first recipient the key source can
/// serve, as the JS library does. Recipients whose algorithm is not
/// allowed, or for which no key matches, are skipped.
///
/// Before any key is tried, the JWE is refused if it lists more than
/// [`JweDecryptOptions::max_recipients`] recipients, or if its PBES2
/// recipients declare more iterations in all than
/// [`JweDecryptOptions::max_pbes2_count`].
pub fn general_decrypt<K: KeySource<JweHeader> + ?Sized>(
    jwe: &GeneralJwe,
    keys: &K,
    options: &JweDecryptOptions,
) -> Result<DecryptedJwe> {
    let count = jwe.recipients.len();
    if count == 0 {
        return Err(Error::JweInvalid("a general JWE needs at least one recipient".into()));
    }
    if count > options.max_recipients {
        return Err(Error::JweInvalid(format!(
            "the JWE has {count} recipients, more than the limit of {}; raise it with \
             JweDecryptOptions::max_recipients",
            options.max_recipients
        )));
    }
    let mut message = EncodedMessage {
        protected: jwe.protected.as_deref(),
        shared: jwe.unprotected.as_ref(),
        aad: jwe.aad.as_deref(),
        iv: &jwe.iv,
        ciphertext: &jwe.ciphertext,
        tag: &jwe.tag,
        decoded: Decoded::default(),
    };
    let recipients = jwe.recipients.iter().map(|listed| EncodedRecipient {
        header: listed.header.as_ref(),
        encrypted_key: listed.encrypted_key.as_deref(),
    });
    // Refused whole and at once, rather than after the budget has paid for
    // the first recipients.
    let declared = recipients
        .clone()
        .map(|recipient| message.declared_pbes2_iterations(&recipient, options))
        .fold(0, u64::saturating_add);
    if declared > options.max_pbes2_count {
        return Err(pbes2_budget_exceeded(options.max_pbes2_count));
    }
    let mut last = Error::JweDecryptionFailed;
    for recipient in recipients {
        match decrypt_core(&mut message, &recipient, keys, options) {
            Ok(decrypted) => return Ok(decrypted),
            Err(e) => last = e,
        }
    }
    Err(match last {
        e @ Error::JweInvalid(_) => e,
        _ => Error::JweDecryptionFailed,
    })
}
