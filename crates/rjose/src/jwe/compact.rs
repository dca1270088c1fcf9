//! Compact JWE serialization (RFC 7516 section 7.1).

use super::flattened::{Decoded, EncodedMessage, EncodedRecipient, FlattenedEncrypt, decrypt_core, decrypt_core_async};
use super::header::JweHeader;
use super::key_management::KeyManagementParameters;
use super::{DecryptedJwe, JweDecryptOptions};
use crate::b64;
use crate::error::{Error, Result};
use crate::key::{AsyncKeySource, Key, KeySource};

/// Builds a compact JWE: five base64url parts separated by dots.
///
/// ```
/// use rjose::jwe::{CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, compact_decrypt};
///
/// let key = rjose::generate_secret(JweEnc::A256GCM)?;    // for "dir"
/// let jwe = CompactEncrypt::new(b"hello")
///     .protected_header(JweHeader::new(JweAlg::Dir, JweEnc::A256GCM))
///     .encrypt(&key)?;
/// assert_eq!(jwe.split('.').count(), 5);
/// assert_eq!(compact_decrypt(&jwe, &key, &JweDecryptOptions::new())?.plaintext, b"hello");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct CompactEncrypt<'p> {
    /// A compact JWE is a flattened one with only a protected header and
    /// no AAD: the flattened builder does the work, this joins its parts.
    inner: FlattenedEncrypt<'p>,
}

impl<'p> CompactEncrypt<'p> {
    /// Starts a JWE of `plaintext`.
    pub fn new(plaintext: &'p [u8]) -> Self {
        CompactEncrypt {
            inner: FlattenedEncrypt::new(plaintext),
        }
    }

    /// Sets the protected header; it must name `alg` and `enc`.
    pub fn protected_header(self, header: JweHeader) -> Self {
        CompactEncrypt {
            inner: self.inner.protected_header(header),
        }
    }

    /// Sets the protected header as JSON text, encoded byte for byte (see
    /// [`FlattenedEncrypt::protected_header_json`]).
    pub fn protected_header_json(self, json: &str) -> Self {
        CompactEncrypt {
            inner: self.inner.protected_header_json(json),
        }
    }

    /// Fixes key management values (see [`KeyManagementParameters`]).
    pub fn key_management_parameters(self, params: KeyManagementParameters) -> Self {
        CompactEncrypt {
            inner: self.inner.key_management_parameters(params),
        }
    }

    /// Fixes the content encryption key (test vectors only).
    pub fn content_encryption_key(self, cek: &[u8]) -> Self {
        CompactEncrypt {
            inner: self.inner.content_encryption_key(cek),
        }
    }

    /// Fixes the IV (test vectors only).
    pub fn initialization_vector(self, iv: &[u8]) -> Self {
        CompactEncrypt {
            inner: self.inner.initialization_vector(iv),
        }
    }

    /// Encrypts for `key`.
    pub fn encrypt(&self, key: &Key) -> Result<String> {
        let (sealed, recipient) = self.inner.seal(key)?;
        let protected = sealed
            .protected_b64
            .ok_or_else(|| Error::JweInvalid("a compact JWE needs a protected header".into()))?;
        let parts = [&recipient.encrypted_key, &sealed.iv, &sealed.ciphertext, &sealed.tag];
        // Sized once and encoded in place: a MiB-sized token grown part by
        // part reallocates, and encoding each part apart copies it again.
        let len = protected.len() + parts.iter().map(|p| 1 + b64::encoded_len(p.len())).sum::<usize>();
        let mut out = String::with_capacity(len);
        out.push_str(&protected);
        for part in parts {
            out.push('.');
            b64::encode_into_string(part, &mut out);
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
    let (mut message, recipient) = split(jwe)?;
    decrypt_core(&mut message, &recipient, keys, options)
}

/// [`compact_decrypt`] with a key source that waits (a database, a KMS),
/// or any thread-safe [`KeySource`]. Only the key lookup differs: the same
/// checks run in the same order with the same errors.
///
/// ```
/// use rjose::jwe::{CompactEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader, compact_decrypt_async};
/// use rjose::{Error, generate_secret, key_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> rjose::Result<()> {
/// let kek = generate_secret(JweAlg::A256KW)?.with_kid("kek-1");
/// let jwe = CompactEncrypt::new(b"secret")
///     .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM).kid("kek-1"))
///     .encrypt(&kek)?;
/// let keys = key_fn(move |header: JweHeader| {
///     let kek = kek.clone();
///     async move { if header.kid.as_deref() == kek.kid() { Ok(kek) } else { Err(Error::JwksNoMatchingKey) } }
/// });
/// let decrypted = compact_decrypt_async(&jwe, &keys, &JweDecryptOptions::new()).await?;
/// assert_eq!(decrypted.plaintext, b"secret");
/// # Ok(())
/// # }
/// ```
pub async fn compact_decrypt_async<K: AsyncKeySource<JweHeader> + ?Sized>(
    jwe: &str,
    keys: &K,
    options: &JweDecryptOptions,
) -> Result<DecryptedJwe> {
    let (mut message, recipient) = split(jwe)?;
    decrypt_core_async(&mut message, &recipient, keys, options).await
}

/// The five parts of a compact JWE, as a one-recipient message.
fn split(jwe: &str) -> Result<(EncodedMessage<'_>, EncodedRecipient<'_>)> {
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
    let message = EncodedMessage {
        protected: Some(protected),
        shared: None,
        aad: None,
        iv,
        ciphertext,
        tag,
        decoded: Decoded::default(),
    };
    let recipient = EncodedRecipient {
        header: None,
        encrypted_key: Some(encrypted_key),
    };
    Ok((message, recipient))
}
