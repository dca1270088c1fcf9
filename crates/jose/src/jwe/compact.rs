//! Compact JWE serialization (RFC 7516 section 7.1).

use zeroize::Zeroizing;

use super::flattened::{
    Encoded, EncryptJob, Fixed, Placement, RecipientSpec, decrypt_core, encrypt_core, parse_protected_text,
};
use super::header::JweHeader;
use super::key_management::KeyManagementParameters;
use super::{DecryptedJwe, JweDecryptOptions};
use crate::b64;
use crate::error::{Error, Result};
use crate::key::{Key, KeySource};

/// Builds a compact JWE: five base64url parts separated by dots.
///
/// ```
/// use jose::jwe::{CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, compact_decrypt};
///
/// let key = jose::generate_secret(JweEnc::A256Gcm)?;    // for "dir"
/// let jwe = CompactEncrypt::new(b"hello")
///     .protected_header(JweHeader::new(JweAlg::Dir, JweEnc::A256Gcm))
///     .encrypt(&key)?;
/// assert_eq!(jwe.split('.').count(), 5);
/// assert_eq!(compact_decrypt(&jwe, &key, &JweDecryptOptions::new())?.plaintext, b"hello");
/// # Ok::<(), jose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct CompactEncrypt<'p> {
    plaintext: &'p [u8],
    protected: JweHeader,
    protected_text: Option<String>,
    params: KeyManagementParameters,
    cek: Option<Zeroizing<Vec<u8>>>,
    iv: Option<Vec<u8>>,
}

impl<'p> CompactEncrypt<'p> {
    /// Starts a JWE of `plaintext`.
    pub fn new(plaintext: &'p [u8]) -> Self {
        CompactEncrypt {
            plaintext,
            ..Self::default()
        }
    }

    /// Sets the protected header; it must name `alg` and `enc`.
    pub fn protected_header(mut self, header: JweHeader) -> Self {
        self.protected = header;
        self.protected_text = None;
        self
    }

    /// Sets the protected header as JSON text, encoded byte for byte (see
    /// [`FlattenedEncrypt::protected_header_json`](super::FlattenedEncrypt::protected_header_json)).
    pub fn protected_header_json(mut self, json: &str) -> Result<Self> {
        self.protected = parse_protected_text(json)?;
        self.protected_text = Some(json.to_owned());
        Ok(self)
    }

    /// Fixes key management values (see [`KeyManagementParameters`]).
    pub fn key_management_parameters(mut self, params: KeyManagementParameters) -> Self {
        self.params = params;
        self
    }

    /// Fixes the content encryption key (test vectors only).
    pub fn content_encryption_key(mut self, cek: &[u8]) -> Self {
        self.cek = Some(Zeroizing::new(cek.to_vec()));
        self
    }

    /// Fixes the IV (test vectors only).
    pub fn initialization_vector(mut self, iv: &[u8]) -> Self {
        self.iv = Some(iv.to_vec());
        self
    }

    /// Encrypts for `key`.
    pub fn encrypt(&self, key: &Key) -> Result<String> {
        let recipient = RecipientSpec {
            key,
            header: None,
            params: self.params.clone(),
        };
        let fixed = Fixed {
            cek: self.cek.clone(),
            iv: self.iv.clone(),
        };
        let (sealed, outs) = encrypt_core(&EncryptJob {
            plaintext: self.plaintext,
            protected: Some(&self.protected),
            protected_text: self.protected_text.as_deref(),
            shared: None,
            recipients: std::slice::from_ref(&recipient),
            aad: None,
            fixed: &fixed,
            placement: Placement::Protected,
        })?;
        let encrypted_key = outs.first().map(|o| o.encrypted_key.as_slice()).unwrap_or_default();
        let protected = sealed.protected_b64.unwrap_or_default();
        let parts = [encrypted_key, &sealed.iv, &sealed.ciphertext, &sealed.tag];
        // Sized once: a MiB-sized token grown part by part reallocates.
        let len = protected.len() + parts.iter().map(|p| 1 + p.len().div_ceil(3) * 4).sum::<usize>();
        let mut out = String::with_capacity(len);
        out.push_str(&protected);
        for part in parts {
            out.push('.');
            b64::encode_into(part, &mut out);
        }
        Ok(out)
    }
}

/// Decrypts a compact JWE.
pub fn compact_decrypt<K: KeySource<JweHeader> + ?Sized>(
    jwe: &str,
    keys: &K,
    options: &JweDecryptOptions,
) -> Result<DecryptedJwe> {
    // The first three dots from the front and the tag's from the back:
    // the ciphertext between them may be megabytes, and a stray dot in it
    // fails its base64url decoding anyway.
    let mut front = jwe.splitn(4, '.');
    let (Some(protected), Some(encrypted_key), Some(iv), Some(rest)) =
        (front.next(), front.next(), front.next(), front.next())
    else {
        return Err(Error::JweInvalid("compact JWE must have five parts".into()));
    };
    let Some((ciphertext, tag)) = rest.rsplit_once('.') else {
        return Err(Error::JweInvalid("compact JWE must have five parts".into()));
    };
    decrypt_core(
        &Encoded {
            protected: Some(protected),
            shared: None,
            recipient: None,
            encrypted_key: Some(encrypted_key),
            aad: None,
            iv,
            ciphertext,
            tag,
        },
        keys,
        options,
    )
}
