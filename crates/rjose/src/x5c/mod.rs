//! JWS signed by an X.509 certificate chain (`x5c`, RFC 7515 section
//! 4.1.6): [`X5cKeySource`] validates the chain the token carries against
//! the caller's trust anchors and verifies with the leaf certificate's key.
//!
//! Path validation is rustls-webpki's (signatures along the chain,
//! validity periods, basic constraints and path length, name constraints,
//! extended key usage); the signatures are checked by this crate's own
//! provider, so it works the same with `aws-lc-rs` and `rust-crypto`
//! (wasm32 included). What webpki leaves out is checked here: the issuing
//! order RFC 7515 prescribes, key usage (`digitalSignature` on the leaf,
//! `keyCertSign` on issuers), the required EKU on the leaf, the chain
//! length, a root's own `pathLenConstraint` (webpki keeps only a trust
//! anchor's name and key), `x5t#S256` and leaf pins.

mod algorithms;
mod chain;
mod failure;

use std::time::Duration;

use der::Encode;
use der::asn1::ObjectIdentifier;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};
use serde_json::Value;
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeIdIter};

pub use failure::X5cFailure;

use crate::backend::{Sha, digest};
use crate::error::{Error, Result};
use crate::jws::JwsHeader;
use crate::key::{Digest, Key, KeyCandidates, KeySource};
use chain::Chain;

/// Default for [`X5cKeySource::max_chain_len`]: a leaf, two intermediates
/// and the root, which covers the chains in use (App Store notifications
/// carry three certificates).
///
/// ```
/// assert_eq!(rjose::x5c::DEFAULT_MAX_CHAIN_LEN, 4);
/// ```
pub const DEFAULT_MAX_CHAIN_LEN: usize = 4;

/// A [`KeySource`] that takes the key from the token's `x5c` certificate
/// chain, once the chain is validated to one of the trust anchors at the
/// verification time.
///
/// The key is the leaf (first) certificate's, serving the JWS algorithms
/// its type allows (an EC P-256 leaf verifies ES256 only, an RSA leaf
/// RS*/PS*). The header's `kid` plays no part, and a `jwk` header
/// parameter must be the leaf's key or the token is refused
/// ([`X5cFailure::KeyMismatch`]): one signature, one key.
///
/// Every refusal is [`Error::X5cInvalid`] with an [`X5cFailure`] that names
/// what failed, and its own code (`ERR_X5C_EXPIRED`,
/// `ERR_X5C_UNKNOWN_ISSUER`...). Options never fail while being set: a bad
/// one is reported as [`Error::InvalidArgument`] by each verification.
///
/// ```
/// use rjose::{Alg, Key, jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify}};
/// use rjose::x5c::X5cKeySource;
/// use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
///
/// // A root and a leaf (in real life: the signer's certificate and its CA).
/// let root_key = KeyPair::generate()?;
/// let mut root_params = CertificateParams::new(Vec::<String>::new())?;
/// root_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
/// let root = root_params.self_signed(&root_key)?;
/// let leaf_key = KeyPair::generate()?;
/// let leaf = CertificateParams::new(Vec::<String>::new())?
///     .signed_by(&leaf_key, &Issuer::new(root_params, root_key))?;
///
/// // The signer puts its chain in the header, standard base64, leaf first.
/// let chain = vec![rjose::x5c::encode_certificate(leaf.der())];
/// let signing_key = Key::from_pkcs8_der(&leaf_key.serialize_der())?;
/// let header = JwsHeader::new(Alg::ES256).insert("x5c", chain)?;
/// let token = CompactSign::new(b"hello").protected_header(header).sign(&signing_key)?;
///
/// // The verifier trusts the root only.
/// let verifier = X5cKeySource::new([root.pem()])?;
/// let verified = compact_verify(&token, &verifier, &JwsVerifyOptions::new())?;
/// assert_eq!(verified.payload, b"hello");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct X5cKeySource {
    anchors: Vec<TrustAnchor<'static>>,
    /// Each anchor's own `pathLenConstraint`, which webpki does not apply
    /// (it keeps a trust anchor's name and key only).
    anchor_path_lens: Vec<Option<u8>>,
    required_eku: Option<ObjectIdentifier>,
    max_chain_len: usize,
    pins: Vec<Vec<u8>>,
    current_time: Option<i64>,
    /// The first option that could not be used, reported by each verification.
    invalid: Option<String>,
}

impl X5cKeySource {
    /// A verifier trusting these root certificates, each DER or PEM (a PEM
    /// text may hold several `CERTIFICATE` blocks).
    ///
    /// Refuses ([`Error::InvalidArgument`]) an empty list and anything that
    /// is not a certificate.
    ///
    /// ```
    /// use rjose::x5c::X5cKeySource;
    ///
    /// # let root = rcgen::generate_simple_self_signed(vec!["root".into()])?.cert;
    /// let from_pem = X5cKeySource::new([root.pem()])?;
    /// let from_der = X5cKeySource::new([root.der()])?;
    /// assert_eq!(X5cKeySource::new(Vec::<Vec<u8>>::new()).unwrap_err().code(), "ERR_JOSE_INVALID_ARGUMENT");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new<I>(trust_anchors: I) -> Result<X5cKeySource>
    where
        I: IntoIterator,
        I::Item: AsRef<[u8]>,
    {
        let mut anchors = Vec::new();
        let mut anchor_path_lens = Vec::new();
        for (i, input) in trust_anchors.into_iter().enumerate() {
            for der in certificates(input.as_ref()).ok_or_else(|| not_a_certificate(i))? {
                anchor_path_lens.push(chain::path_len_constraint(&der).map_err(|_| not_a_certificate(i))?);
                let der = CertificateDer::from(der.as_slice());
                let anchor = webpki::anchor_from_trusted_cert(&der).map_err(|_| not_a_certificate(i))?;
                anchors.push(anchor.to_owned());
            }
        }
        if anchors.is_empty() {
            return Err(Error::InvalidArgument(
                "an x5c verifier needs at least one trust anchor".into(),
            ));
        }
        Ok(X5cKeySource {
            anchors,
            anchor_path_lens,
            required_eku: None,
            max_chain_len: DEFAULT_MAX_CHAIN_LEN,
            pins: Vec::new(),
            current_time: None,
            invalid: None,
        })
    }

    /// Requires the leaf to list this extended key usage, as a dotted OID
    /// (`1.3.6.1.5.5.7.3.3` for code signing, or a private one); issuers
    /// that list EKUs must list it too (or `anyExtendedKeyUsage`). A leaf
    /// without the extension is refused ([`X5cFailure::WrongUsage`]).
    ///
    /// ```
    /// use rjose::x5c::X5cKeySource;
    ///
    /// # let root = rcgen::generate_simple_self_signed(vec!["root".into()])?.cert;
    /// let verifier = X5cKeySource::new([root.der()])?.required_eku("1.3.6.1.5.5.7.3.3");
    /// # let _ = verifier;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn required_eku(mut self, oid: impl AsRef<str>) -> Self {
        let oid = oid.as_ref();
        match ObjectIdentifier::new(oid) {
            Ok(parsed) => self.required_eku = Some(parsed),
            Err(_) => self.refuse(format!("required_eku: {oid:?} is not a dotted OID")),
        }
        self
    }

    /// The most certificates `x5c` may hold, leaf included (default
    /// [`DEFAULT_MAX_CHAIN_LEN`]); a longer chain is refused
    /// ([`X5cFailure::ChainTooLong`]) before any certificate is decoded.
    ///
    /// ```
    /// use rjose::x5c::X5cKeySource;
    ///
    /// # let root = rcgen::generate_simple_self_signed(vec!["root".into()])?.cert;
    /// let verifier = X5cKeySource::new([root.der()])?.max_chain_len(3);
    /// # let _ = verifier;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn max_chain_len(mut self, len: usize) -> Self {
        if len == 0 {
            self.refuse("max_chain_len must be at least 1".into());
        }
        self.max_chain_len = len;
        self
    }

    /// Pins the leaf by its SHA-256 thumbprint, base64url as in the
    /// `x5t#S256` header parameter; call again to allow several leaves.
    /// With pins set, any other leaf is refused ([`X5cFailure::PinMismatch`])
    /// before any signature of the chain is checked; a pinned leaf must
    /// still chain to a trust anchor.
    ///
    /// ```
    /// use rjose::x5c::{X5cKeySource, leaf_thumbprint};
    ///
    /// # let root = rcgen::generate_simple_self_signed(vec!["root".into()])?.cert;
    /// # let leaf = root.der();
    /// let verifier = X5cKeySource::new([root.der()])?.pin_leaf_sha256(leaf_thumbprint(leaf));
    /// # let _ = verifier;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn pin_leaf_sha256(mut self, thumbprint: impl AsRef<str>) -> Self {
        match crate::b64::decode(thumbprint.as_ref().as_bytes()) {
            Some(bytes) if bytes.len() == 32 => self.pins.push(bytes),
            _ => self.refuse("pin_leaf_sha256: not a base64url SHA-256 thumbprint".into()),
        }
        self
    }

    /// Validates chains at this time (seconds since the Unix epoch)
    /// instead of now: for tests, and for payloads verified as of their
    /// signing time.
    ///
    /// ```
    /// use rjose::x5c::X5cKeySource;
    ///
    /// # let root = rcgen::generate_simple_self_signed(vec!["root".into()])?.cert;
    /// let verifier = X5cKeySource::new([root.der()])?.current_time(1_767_225_600);
    /// # let _ = verifier;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn current_time(mut self, unix_seconds: i64) -> Self {
        self.current_time = Some(unix_seconds);
        self
    }

    fn refuse(&mut self, why: String) {
        self.invalid.get_or_insert(why);
    }

    /// Validates the header's chain and returns the leaf's key.
    fn leaf_key(&self, header: &JwsHeader) -> Result<Key> {
        if let Some(why) = &self.invalid {
            return Err(Error::InvalidArgument(why.clone()));
        }
        let chain = Chain::read(header.other.get("x5c"), self.max_chain_len)?;
        chain.check_order()?;
        chain.check_key_usage()?;
        if let Some(eku) = &self.required_eku {
            chain.check_eku(eku)?;
        }
        let thumbprint = digest::sha2(Sha::Sha256, chain.leaf());
        check_header_thumbprint(header.other.get("x5t#S256"), &thumbprint)?;
        if !self.pins.is_empty() && !self.pins.contains(&thumbprint) {
            return Err(refused(
                X5cFailure::PinMismatch,
                format!(
                    "the leaf's SHA-256 thumbprint {} is not pinned",
                    crate::b64::encode(&thumbprint)
                ),
            ));
        }
        let key = Key::from_x509_der(chain.leaf())
            .map_err(|e| refused(X5cFailure::UnsupportedAlgorithm, format!("the leaf's key: {e}")))?;
        check_header_jwk(header, &key)?;

        let now = self.current_time.unwrap_or_else(crate::jwt::time::now);
        let seconds =
            u64::try_from(now).map_err(|_| Error::InvalidArgument(format!("current_time {now} is before 1970")))?;
        let time = UnixTime::since_unix_epoch(Duration::from_secs(seconds));
        let webpki_refusal = |e: webpki::Error| refused(X5cFailure::from_webpki(&e), format!("{e:?}"));
        let leaf = EndEntityCert::try_from(chain.leaf()).map_err(webpki_refusal)?;
        // A path through more intermediates than its root's own
        // pathLenConstraint allows is refused, so webpki tries another.
        let within_root_path_len = |path: &webpki::VerifiedPath<'_>| {
            let anchor = self.anchors.iter().position(|a| std::ptr::eq(a, path.anchor()));
            let limit = anchor.and_then(|i| self.anchor_path_lens.get(i).copied().flatten());
            match limit {
                Some(limit) if path.intermediate_certificates().count() > usize::from(limit) => {
                    Err(webpki::Error::PathLenConstraintViolated)
                }
                _ => Ok(()),
            }
        };
        leaf.verify_for_usage(
            algorithms::ALL,
            &self.anchors,
            chain.intermediates(),
            time,
            AnyEku,
            None,
            Some(&within_root_path_len),
        )
        .map_err(webpki_refusal)?;
        Ok(key)
    }
}

impl KeySource for X5cKeySource {
    fn candidates(&self, header: &JwsHeader) -> Result<KeyCandidates<'_>> {
        self.leaf_key(header).map(KeyCandidates::Owned)
    }
}

/// One certificate as an `x5c` entry: standard base64 with padding (RFC
/// 7515 section 4.1.6), for a signer building its header.
///
/// ```
/// assert_eq!(rjose::x5c::encode_certificate([0xfb, 0xff]), "+/8=");
/// ```
pub fn encode_certificate(der: impl AsRef<[u8]>) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(der)
}

/// The SHA-256 thumbprint of a DER certificate, base64url: the value of
/// the `x5t#S256` header parameter, and what
/// [`X5cKeySource::pin_leaf_sha256`] takes.
///
/// ```
/// let thumbprint = rjose::x5c::leaf_thumbprint(b"not really a certificate");
/// assert_eq!(thumbprint.len(), 43);
/// ```
pub fn leaf_thumbprint(der: impl AsRef<[u8]>) -> String {
    crate::b64::encode(&digest::sha2(Sha::Sha256, der.as_ref()))
}

fn refused(reason: X5cFailure, message: impl Into<String>) -> Error {
    Error::X5cInvalid {
        reason,
        message: message.into(),
    }
}

fn not_a_certificate(i: usize) -> Error {
    Error::InvalidArgument(format!("trust anchor {i} is not a DER or PEM X.509 certificate"))
}

/// The DER certificates of one trust-anchor input: itself if DER, each
/// `CERTIFICATE` block if PEM.
fn certificates(input: &[u8]) -> Option<Vec<Vec<u8>>> {
    if !input.trim_ascii_start().starts_with(b"-----BEGIN") {
        return Some(vec![input.to_vec()]);
    }
    let parsed = x509_cert::Certificate::load_pem_chain(input).ok()?;
    parsed.iter().map(|cert| cert.to_der().ok()).collect()
}

/// `x5t#S256`, when present, must be the leaf's thumbprint: a header that
/// names one certificate and carries another is refused.
fn check_header_thumbprint(x5t: Option<&Value>, leaf: &[u8]) -> Result<()> {
    let Some(x5t) = x5t else { return Ok(()) };
    let named = match x5t {
        Value::String(text) => crate::b64::decode(text.as_bytes()),
        _ => None,
    }
    .ok_or_else(|| refused(X5cFailure::Malformed, "\"x5t#S256\" is not a base64url string"))?;
    if named != leaf {
        return Err(refused(
            X5cFailure::ThumbprintMismatch,
            "\"x5t#S256\" names another certificate than the leaf",
        ));
    }
    Ok(())
}

/// A `jwk` header parameter beside `x5c` must be the leaf's key.
fn check_header_jwk(header: &JwsHeader, leaf: &Key) -> Result<()> {
    let Some(jwk) = header.jwk.as_deref() else {
        return Ok(());
    };
    let mismatch = || {
        refused(
            X5cFailure::KeyMismatch,
            "the \"jwk\" header parameter is not the leaf's key",
        )
    };
    let named = jwk.thumbprint(Digest::Sha256).map_err(|_| mismatch())?;
    if jwk.is_private() || named != leaf.thumbprint(Digest::Sha256)? {
        return Err(mismatch());
    }
    Ok(())
}

/// webpki's EKU hook, applied to every certificate of the path: it
/// accepts all, as the EKU policy is [`Chain::check_eku`]'s (webpki's own
/// validators take only `'static` OIDs).
struct AnyEku;

impl ExtendedKeyUsageValidator for AnyEku {
    fn validate(&self, _: KeyPurposeIdIter<'_, '_>) -> std::result::Result<(), webpki::Error> {
        Ok(())
    }
}
