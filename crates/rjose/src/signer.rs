//! Signers: what computes a JWS signature, a [`Key`] in this process or
//! a key that never enters it (a KMS, an HSM, another process).

use std::future::Future;
use std::pin::Pin;

use crate::alg::{Alg, Algorithm, Family};
use crate::backend::Sha;
use crate::error::{Error, Result};
use crate::key::Key;

/// Computes JWS signatures: a [`Key`], or a key held elsewhere (a cloud
/// KMS, an HSM, a thread or process that owns the key).
///
/// The builders ([`SignJwt::sign`](crate::jwt::SignJwt::sign),
/// [`CompactSign::sign`](crate::jws::CompactSign::sign),
/// [`FlattenedSign::sign`](crate::jws::FlattenedSign::sign),
/// [`GeneralSign::add_signature`](crate::jws::GeneralSign::add_signature))
/// take any signer. The contract:
///
/// - the builder settles the algorithm first: the header's `alg`, which
///   [`check_alg`](Self::check_alg) must accept (by default: it must be
///   [`jws_alg`](Self::jws_alg)), or `jws_alg` when the header names none
///   (then it is written into the protected header). A refused `alg` is
///   an [`Error::InvalidKeyUse`], and the signer is not asked to sign;
/// - [`sign`](Self::sign) receives that algorithm and the JWS signing
///   input, `ASCII(BASE64URL(protected header) || '.' || BASE64URL(payload))`
///   (the raw payload for `b64: false`), the exact bytes to sign (not a
///   digest: a KMS asked to sign a digest must hash these bytes itself with
///   the algorithm's SHA-2);
/// - it returns the signature as JWS carries it (RFC 7518 section 3): for
///   ECDSA the fixed-size `R || S` concatenation, each integer left-padded
///   to the curve's size (64 bytes for ES256 and ES256K, 96 for ES384, 132
///   for ES512), *not* the DER `ECDSA-Sig-Value` most KMS and HSM APIs
///   return (convert with [`ecdsa_der_to_jose`]); the raw 64 bytes for
///   EdDSA; the HMAC output; the RSA signature the size of the modulus;
///   the FIPS 204 encoding for ML-DSA;
/// - [`kid`](Self::kid), when given, is written into the header of a
///   [`SignJwt`](crate::jwt::SignJwt) that names none.
///
/// The signer is not trusted blindly where that is cheap: the length of
/// the returned signature is checked for every algorithm whose signatures
/// have a fixed size (all but RSA, whose length is the modulus's, unknown
/// here; an empty RSA signature is refused), which catches a DER ECDSA
/// signature and a signature by the wrong algorithm, with
/// [`Error::Crypto`] (`ERR_JOSE_GENERIC`). Whether the signature verifies
/// is not checked: the public key is not at hand. Verify one token with
/// the published key when the service starts.
///
/// ```
/// use std::sync::mpsc;
/// use rjose::{Alg, JsonObject, Key, KeyPairOptions, Signer, generate_key_pair};
/// use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
///
/// /// A signer whose key lives in another thread (a stand-in for an HSM).
/// struct Remote(mpsc::Sender<(Vec<u8>, mpsc::Sender<rjose::Result<Vec<u8>>>)>);
///
/// impl Signer for Remote {
///     fn jws_alg(&self) -> Option<Alg> { Some(Alg::ES256) }
///     fn kid(&self) -> Option<&str> { Some("hsm-1") }
///     fn sign(&self, _alg: Alg, signing_input: &[u8]) -> rjose::Result<Vec<u8>> {
///         let (reply, answer) = mpsc::channel();
///         self.0.send((signing_input.to_vec(), reply)).map_err(|_| rjose::Error::Crypto("signer gone"))?;
///         answer.recv().map_err(|_| rjose::Error::Crypto("signer gone"))?
///     }
/// }
///
/// let pair = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
/// let (requests, inbox) = mpsc::channel::<(Vec<u8>, mpsc::Sender<rjose::Result<Vec<u8>>>)>();
/// let private_key = pair.private_key.clone();
/// std::thread::spawn(move || {
///     for (input, reply) in inbox {
///         let _ = reply.send(rjose::Signer::sign(&private_key, Alg::ES256, &input));
///     }
/// });
///
/// let token = SignJwt::default().subject("ada").expiration_time("5m").sign(&Remote(requests))?;
/// let verified = jwt_verify::<JsonObject>(&token, &pair.public_key, &VerifyOptions::new())?;
/// assert_eq!(verified.protected_header.kid.as_deref(), Some("hsm-1"));
/// # Ok::<(), rjose::Error>(())
/// ```
pub trait Signer {
    /// The algorithm this signer signs with, or `None` when it serves
    /// several and the header must name one (an RSA key that signs RS256
    /// and PS256 alike). Asked only when the header names no `alg`.
    fn jws_alg(&self) -> Option<Alg>;

    /// The key ID to put in the header of a JWT that names none.
    fn kid(&self) -> Option<&str> {
        None
    }

    /// Refuses an algorithm this signer does not sign with: called with
    /// the header's `alg`, before [`sign`](Self::sign). By default, any
    /// algorithm but [`jws_alg`](Self::jws_alg) (when it names one) is
    /// refused with [`Error::InvalidKeyUse`].
    fn check_alg(&self, alg: Alg) -> Result<()> {
        refuse_other_alg(alg, self.jws_alg())
    }

    /// Signs `signing_input` with `alg` (the signer's own, or one
    /// [`check_alg`](Self::check_alg) accepted) and returns the signature
    /// in JWS form.
    fn sign(&self, alg: Alg, signing_input: &[u8]) -> Result<Vec<u8>>;
}

/// A [`Key`] signs with the algorithm it serves alone
/// ([`Key::default_jws_alg`]), or with the one the header names, and
/// refuses algorithms it may not serve.
///
/// ```
/// use rjose::{Alg, Key, Signer};
///
/// let key = Key::from_secret([7u8; 32])?;
/// assert_eq!(key.jws_alg(), Some(Alg::HS256));
/// assert_eq!(Signer::sign(&key, Alg::HS256, b"header.payload")?.len(), 32);
/// assert_eq!(Signer::sign(&key, Alg::HS512, b"header.payload").unwrap_err().code(), "ERR_JOSE_INVALID_KEY_USE");
/// # Ok::<(), rjose::Error>(())
/// ```
impl Signer for Key {
    fn jws_alg(&self) -> Option<Alg> {
        self.default_jws_alg()
    }

    fn kid(&self) -> Option<&str> {
        Key::kid(self)
    }

    fn check_alg(&self, alg: Alg) -> Result<()> {
        Key::check_alg(self, alg)
    }

    fn sign(&self, alg: Alg, signing_input: &[u8]) -> Result<Vec<u8>> {
        self.sign_raw(alg, signing_input)
    }
}

/// What [`AsyncSigner::sign_async`] returns: a boxed `Send` future of the
/// signature.
///
/// ```
/// use rjose::{Alg, AsyncSigner, Key, SignatureFuture};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> rjose::Result<()> {
/// let key = Key::from_secret([3u8; 32])?;
/// let signing: SignatureFuture<'_> = key.sign_async(Alg::HS256, b"header.payload");
/// assert_eq!(signing.await?.len(), 32);
/// # Ok(())
/// # }
/// ```
pub type SignatureFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<u8>>> + Send + 'a>>;

/// A [`Signer`] that waits: a cloud KMS or a remote HSM called over the
/// network. The contract is [`Signer`]'s, and the same checks apply to
/// what it returns.
///
/// Every `Signer` that is `Send + Sync` (a [`Key`]) is one, through a
/// blanket implementation. The trait is dyn-compatible (a service can hold
/// an `Arc<dyn AsyncSigner>`), so the future is boxed; it is `Send`, and
/// the signer `Send + Sync`, so that a server can sign on any thread of a
/// multi-threaded runtime. This crate depends on no async runtime.
///
/// ```
/// use rjose::{Alg, AsyncSigner, JsonObject, Key, SignatureFuture, jwt::{SignJwt, VerifyOptions, jwt_verify}};
///
/// /// Stands in for a KMS client: `Sign(KeyId, Message, SigningAlgorithm)`.
/// struct Kms { key: Key }
///
/// impl AsyncSigner for Kms {
///     fn jws_alg(&self) -> Option<Alg> { Some(Alg::HS256) }
///     fn kid(&self) -> Option<&str> { Some("kms/alias/tokens") }
///     fn sign_async<'a>(&'a self, alg: Alg, signing_input: &'a [u8]) -> SignatureFuture<'a> {
///         Box::pin(async move {
///             // ... kms.sign(...).send().await ...
///             rjose::Signer::sign(&self.key, alg, signing_input)
///         })
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> rjose::Result<()> {
/// let key = Key::from_secret([9u8; 32])?;
/// let token = SignJwt::default().subject("ada").expiration_time("5m").sign_async(&Kms { key: key.clone() }).await?;
/// let verified = jwt_verify::<JsonObject>(&token, &key, &VerifyOptions::new())?;
/// assert_eq!(verified.protected_header.kid.as_deref(), Some("kms/alias/tokens"));
/// # Ok(())
/// # }
/// ```
pub trait AsyncSigner: Send + Sync {
    /// As [`Signer::jws_alg`].
    fn jws_alg(&self) -> Option<Alg>;

    /// As [`Signer::kid`].
    fn kid(&self) -> Option<&str> {
        None
    }

    /// As [`Signer::check_alg`].
    fn check_alg(&self, alg: Alg) -> Result<()> {
        refuse_other_alg(alg, self.jws_alg())
    }

    /// As [`Signer::sign`], asynchronously.
    fn sign_async<'a>(&'a self, alg: Alg, signing_input: &'a [u8]) -> SignatureFuture<'a>;
}

/// Every thread-safe [`Signer`] is an [`AsyncSigner`] whose future is
/// ready at once.
impl<S: Signer + Send + Sync + ?Sized> AsyncSigner for S {
    fn jws_alg(&self) -> Option<Alg> {
        Signer::jws_alg(self)
    }

    fn kid(&self) -> Option<&str> {
        Signer::kid(self)
    }

    fn check_alg(&self, alg: Alg) -> Result<()> {
        Signer::check_alg(self, alg)
    }

    fn sign_async<'a>(&'a self, alg: Alg, signing_input: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(std::future::ready(self.sign(alg, signing_input)))
    }
}

/// Settles the algorithm of a signature: the header's, if the signer
/// accepts it, or else the signer's own. The signer's is asked for only
/// when needed: for a key, finding it costs more than checking one.
pub(crate) fn settle_alg(
    named: Option<Alg>,
    own: impl FnOnce() -> Option<Alg>,
    check: impl FnOnce(Alg) -> Result<()>,
) -> Result<Alg> {
    match named {
        Some(alg) => check(alg).map(|()| alg),
        None => own().ok_or_else(|| {
            Error::jws(
                "the header names no \"alg\" and the signer is not bound to one (a key that serves several \
                 algorithms): name it in the protected header or bind the key with Key::with_alg",
            )
        }),
    }
}

/// The default [`Signer::check_alg`]: only the signer's own algorithm.
fn refuse_other_alg(alg: Alg, own: Option<Alg>) -> Result<()> {
    match own {
        Some(own) if !Algorithm::Jws(own).permits_jws(alg) => Err(Error::key_use(format!(
            "the header names {alg} but the signer signs with {own}"
        ))),
        _ => Ok(()),
    }
}

/// Refuses a signature whose length cannot be right for `alg`.
pub(crate) fn check_signature(alg: Alg, signature: &[u8]) -> Result<()> {
    let expected = match alg.family() {
        Family::Hmac(Sha::Sha256) => Some(32),
        Family::Hmac(Sha::Sha384) => Some(48),
        Family::Hmac(Sha::Sha512) => Some(64),
        Family::Ecdsa(curve) => Some(2 * curve.coordinate_len()),
        Family::Ed25519 => Some(64),
        Family::MlDsa(level) => Some(level.signature_len()),
        Family::RsaPkcs1(_) | Family::RsaPss(_) => None,
    };
    let fits = match expected {
        Some(len) => signature.len() == len,
        None => !signature.is_empty(),
    };
    if fits {
        Ok(())
    } else {
        Err(Error::Crypto(
            "the signer returned a signature of the wrong length for its algorithm (a DER ECDSA signature? \
             see ecdsa_der_to_jose)",
        ))
    }
}

/// Converts an ECDSA signature from the DER `ECDSA-Sig-Value` (RFC 3279:
/// `SEQUENCE { r INTEGER, s INTEGER }`) that KMS and HSM APIs return (AWS
/// KMS `Sign`, Google Cloud KMS `asymmetricSign`, PKCS#11 wrappers, OpenSSL)
/// to the fixed-size `R || S` form JWS uses for `alg` (ES256, ES256K,
/// ES384 or ES512).
///
/// Fails with [`Error::InvalidArgument`] for another algorithm, for input
/// that is not exactly one DER `ECDSA-Sig-Value`, and for an `r` or `s`
/// that is zero or too large for the curve.
///
/// ```
/// use rjose::{Alg, ecdsa_der_to_jose};
///
/// // SEQUENCE { INTEGER 1, INTEGER 0x80 } (0x80 takes a leading zero in DER)
/// let der = [0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80];
/// let jose = ecdsa_der_to_jose(Alg::ES256, &der)?;
/// assert_eq!(jose.len(), 64);
/// assert_eq!((jose[31], jose[63]), (0x01, 0x80));
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn ecdsa_der_to_jose(alg: Alg, der: &[u8]) -> Result<Vec<u8>> {
    use der::asn1::UintRef;
    use der::{Decode, Reader, SliceReader};

    let Family::Ecdsa(curve) = alg.family() else {
        return Err(Error::InvalidArgument(format!("{alg} is not an ECDSA algorithm")));
    };
    let size = curve.coordinate_len();
    let not_der = |_| Error::InvalidArgument("not a DER ECDSA-Sig-Value (SEQUENCE of two INTEGERs)".into());
    let mut reader = SliceReader::new(der).map_err(not_der)?;
    let (r, s) = reader
        .sequence(|body| {
            let r = UintRef::decode(body)?;
            let s = UintRef::decode(body)?;
            Ok::<_, der::Error>((r, s))
        })
        .map_err(not_der)?;
    reader.finish().map_err(not_der)?;
    let mut jose = vec![0u8; 2 * size];
    for (integer, half) in [r, s].into_iter().zip(jose.chunks_exact_mut(size)) {
        // `UintRef` has dropped DER's sign-padding zero byte.
        let bytes = integer.as_bytes();
        if bytes.len() > size || bytes.iter().all(|&b| b == 0) {
            return Err(Error::InvalidArgument(format!(
                "the DER signature's r or s does not fit {alg}"
            )));
        }
        half[size - bytes.len()..].copy_from_slice(bytes);
    }
    Ok(jose)
}
