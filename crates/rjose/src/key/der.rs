//! PEM/DER key import and export.
//!
//! Keys reach users in many containers: PKCS#8 or SPKI (what JOSE-aware tools
//! write), PKCS#1 and SEC1 (OpenSSL's "traditional" forms), X.509 certificates,
//! and password-encrypted PKCS#8. The crypto backend only parses two of them,
//! so everything is normalised here to either `SubjectPublicKeyInfo` or
//! unencrypted PKCS#8 DER ([`KeyDer`]), and those two can be written back out
//! as PEM, optionally encrypted.
//!
//! Parsing is strict DER throughout and never panics on input. Decoded private
//! key material only ever lives in [`Zeroizing`] buffers.

use core::fmt;

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, OctetStringRef};
use der::{Decode, Encode, EncodeValue, Length, Reader, Sequence, SliceReader, Writer};
use pkcs8::PrivateKeyInfoRef;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use crate::backend::Pbkdf2Prf;
use crate::backend::pbes2;

/// A key decoded from PEM or DER, normalised to the two forms the crypto backend parses.
pub(crate) enum KeyDer {
    /// `SubjectPublicKeyInfo` DER (RFC 5280).
    Spki(Vec<u8>),
    /// PKCS#8 `PrivateKeyInfo` / `OneAsymmetricKey` DER (RFC 5208 / 5958), unencrypted.
    Pkcs8(Zeroizing<Vec<u8>>),
}

impl fmt::Debug for KeyDer {
    /// Shows the form and size only: a private key must not end up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spki(der) => write!(f, "KeyDer::Spki({} bytes)", der.len()),
            Self::Pkcs8(der) => write!(f, "KeyDer::Pkcs8({} bytes, redacted)", der.len()),
        }
    }
}

/// Why a PEM/DER input was refused: a short lowercase reason, meant to be shown
/// to the user as the detail of an "invalid key" error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DerError(pub(crate) &'static str);

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// Decryption produced garbage. Bad padding and a bad plaintext look the same
/// on purpose, so the error does not act as a padding oracle.
const WRONG_PASSWORD: DerError = DerError("wrong password or corrupt encrypted key");
/// The structure around the ciphertext could not be parsed.
const BAD_ENCRYPTED_KEY: DerError = DerError("malformed ENCRYPTED PRIVATE KEY");
/// Base64 or line structure of a PEM block is broken.
const BAD_PEM: DerError = DerError("malformed PEM block");
/// Our own DER encoder failed; only reachable with absurd sizes.
const ENCODE_FAILED: DerError = DerError("failed to encode key DER");
/// A `PRIVATE KEY` (or decrypted / to-be-encrypted) body is not PKCS#8.
const BAD_PKCS8: DerError = DerError("not a valid PKCS#8 private key");
/// A `PUBLIC KEY` body is not SPKI.
const BAD_SPKI: DerError = DerError("not a valid SubjectPublicKeyInfo public key");
/// An `RSA PRIVATE KEY` body is not PKCS#1.
const BAD_PKCS1_PRIVATE: DerError = DerError("not a valid PKCS#1 RSA private key");
/// An `RSA PUBLIC KEY` body is not PKCS#1.
const BAD_PKCS1_PUBLIC: DerError = DerError("not a valid PKCS#1 RSA public key");
/// An `EC PRIVATE KEY` body is not SEC1 with a named curve.
const BAD_SEC1: DerError = DerError("not a valid SEC1 EC private key");
/// A `CERTIFICATE` body does not parse.
const BAD_CERTIFICATE: DerError = DerError("not a valid X.509 certificate");

/// `rsaEncryption` (RFC 8017 appendix C).
const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480 §2.1.1).
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` / P-256.
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `secp384r1` / P-384.
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// `secp521r1` / P-521.
const OID_P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
/// `secp256k1` (used by JOSE `ES256K`, RFC 8812).
const OID_SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
/// `id-PBES2` (RFC 8018 appendix A.4).
const OID_PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
/// `id-PBKDF2` (RFC 8018 appendix A.2).
const OID_PBKDF2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.12");
/// `id-scrypt` (RFC 7914 §7); recognised only to name it in the error.
const OID_SCRYPT: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11591.4.11");
/// `hmacWithSHA1`, the PBKDF2 PRF when none is given.
const OID_HMAC_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.7");
/// `hmacWithSHA256`.
const OID_HMAC_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.9");
/// `hmacWithSHA384`.
const OID_HMAC_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.10");
/// `hmacWithSHA512`.
const OID_HMAC_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.2.11");
/// `aes128-CBC-PAD` (NIST CSOR).
const OID_AES128_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.2");
/// `aes192-CBC-PAD`.
const OID_AES192_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.22");
/// `aes256-CBC-PAD`.
const OID_AES256_CBC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.1.42");

/// Upper bound on PBKDF2 iterations accepted from an encrypted key.
///
/// The iteration count is attacker-controlled and the cost is linear in it;
/// ten million is already a few seconds of CPU, and far above what real tools
/// write (OpenSSL: 2048, our own export: 100,000).
const MAX_PBKDF2_ITERATIONS: u64 = 10_000_000;
/// PBKDF2 iterations used by [`encrypted_pkcs8_pem`]: about 50 times
/// OpenSSL's default of 2048 against offline guessing, while still loading in
/// a few tens of milliseconds and staying far below every reader's limit.
const EXPORT_PBKDF2_ITERATIONS: u32 = 100_000;
/// Salt length for our own encrypted export (RFC 8018 asks for at least 8).
const EXPORT_SALT_LEN: usize = 16;
/// AES block and CBC IV size.
const AES_BLOCK_LEN: usize = 16;

/// PEM label of a bare EC curve name, which `openssl ecparam -genkey` writes
/// before the key and which carries nothing we need.
const LABEL_EC_PARAMETERS: &str = "EC PARAMETERS";

/// Decodes one PEM-encoded key into SPKI or PKCS#8 DER.
///
/// Text before and after the block is ignored (OpenSSL's explanatory text
/// before a certificate, "Bag Attributes" from PKCS#12 exports), as is an
/// `EC PARAMETERS` block. More than one other block is an error rather than
/// a guess at which one was meant. Supported labels: `PUBLIC KEY`,
/// `RSA PUBLIC KEY`, `CERTIFICATE` (its public key), `PRIVATE KEY`,
/// `RSA PRIVATE KEY`, `EC PRIVATE KEY` (named curves P-256, P-384, P-521,
/// secp256k1) and `ENCRYPTED PRIVATE KEY` (PBES2 with PBKDF2 and AES-CBC,
/// which needs `password`). `password` is ignored for unencrypted keys.
///
/// # Errors
/// [`DerError`] naming the problem: no or several PEM blocks, an unsupported
/// label, malformed base64 or DER, a missing or wrong password, or an
/// unsupported encryption scheme.
pub(crate) fn decode_pem(pem: &str, password: Option<&[u8]>) -> Result<KeyDer, DerError> {
    let block = single_pem_block(pem)?;
    match block.label {
        "PUBLIC KEY" => {
            let der = pem_body(&block)?;
            SubjectPublicKeyInfoRef::from_der(&der).map_err(|_| BAD_SPKI)?;
            Ok(KeyDer::Spki(der.to_vec()))
        }
        "RSA PUBLIC KEY" => {
            let der = pem_body(&block)?;
            rsa_public_to_spki(&der).map(KeyDer::Spki)
        }
        "CERTIFICATE" => {
            let der = pem_body(&block)?;
            certificate_spki(&der).map(KeyDer::Spki)
        }
        "PRIVATE KEY" => {
            let der = pem_body(&block)?;
            PrivateKeyInfoRef::from_der(&der).map_err(|_| BAD_PKCS8)?;
            Ok(KeyDer::Pkcs8(der))
        }
        "RSA PRIVATE KEY" => {
            let der = pem_body(&block)?;
            rsa_private_to_pkcs8(&der).map(KeyDer::Pkcs8)
        }
        "EC PRIVATE KEY" => {
            let der = pem_body(&block)?;
            sec1_to_pkcs8(&der).map(KeyDer::Pkcs8)
        }
        "ENCRYPTED PRIVATE KEY" => {
            // Checked before touching the body so that the caller learns what
            // is missing rather than about some later parse failure.
            let password = password.ok_or(DerError("PEM label ENCRYPTED PRIVATE KEY needs a password"))?;
            let der = pem_body(&block)?;
            decrypt_pkcs8(&der, password).map(KeyDer::Pkcs8)
        }
        other => Err(unsupported_label(other)),
    }
}

/// Sniffs a DER key of unknown type and normalises it to SPKI or PKCS#8.
///
/// Tried in order: PKCS#8 private key, SPKI, X.509 certificate (its public
/// key), PKCS#1 RSA private key, SEC1 EC private key. The outer structures of
/// these differ in their first fields, so at most one of them parses.
///
/// # Errors
/// [`DerError`] if none of them parses, or a SEC1 key lacks a supported
/// named curve.
pub(crate) fn decode_der(der: &[u8]) -> Result<KeyDer, DerError> {
    if PrivateKeyInfoRef::from_der(der).is_ok() {
        return Ok(KeyDer::Pkcs8(Zeroizing::new(der.to_vec())));
    }
    if SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        return Ok(KeyDer::Spki(der.to_vec()));
    }
    if let Ok(spki) = certificate_spki(der) {
        return Ok(KeyDer::Spki(spki));
    }
    if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
        return rsa_private_to_pkcs8(der).map(KeyDer::Pkcs8);
    }
    if sec1::EcPrivateKey::from_der(der).is_ok() {
        return sec1_to_pkcs8(der).map(KeyDer::Pkcs8);
    }
    Err(DerError(
        "unrecognised DER key (expected PKCS#8, SPKI, X.509, PKCS#1 or SEC1)",
    ))
}

/// Encodes SPKI DER as a `PUBLIC KEY` PEM block (64 columns, LF line endings).
///
/// The input is not checked: it is expected to come from this crate.
pub(crate) fn spki_pem(spki_der: &[u8]) -> String {
    write_pem("PUBLIC KEY", spki_der).to_string()
}

/// Encodes unencrypted PKCS#8 DER as a `PRIVATE KEY` PEM block (64 columns,
/// LF line endings) in memory that is wiped on drop.
///
/// The input is not checked: it is expected to come from this crate.
pub(crate) fn pkcs8_pem(pkcs8_der: &[u8]) -> Zeroizing<String> {
    write_pem("PRIVATE KEY", pkcs8_der)
}

/// Encrypts PKCS#8 DER under `password` and encodes it as an
/// `ENCRYPTED PRIVATE KEY` PEM block.
///
/// Uses PBES2 with PBKDF2-HMAC-SHA256 (100,000 iterations, random 16-byte
/// salt) and AES-256-CBC with a random IV: the same scheme as
/// `openssl pkcs8 -topk8 -v2 aes-256-cbc`, so OpenSSL and other PKCS#8
/// readers can open it.
///
/// # Errors
/// [`DerError`] if `pkcs8_der` is not a PKCS#8 private key or the random
/// generator fails.
pub(crate) fn encrypted_pkcs8_pem(pkcs8_der: &[u8], password: &[u8]) -> Result<Zeroizing<String>, DerError> {
    PrivateKeyInfoRef::from_der(pkcs8_der).map_err(|_| BAD_PKCS8)?;
    let encrypted = encrypt_pkcs8(pkcs8_der, password, EXPORT_PBKDF2_ITERATIONS)?;
    Ok(write_pem("ENCRYPTED PRIVATE KEY", &encrypted))
}

/// Extracts the `SubjectPublicKeyInfo` of an X.509 certificate, re-encoded as DER.
///
/// Only the structure is checked: neither the signature nor the validity
/// period nor any extension is looked at.
///
/// # Errors
/// [`DerError`] if `cert_der` is not a DER X.509 certificate.
pub(crate) fn certificate_spki(cert_der: &[u8]) -> Result<Vec<u8>, DerError> {
    let cert = x509_cert::Certificate::from_der(cert_der).map_err(|_| BAD_CERTIFICATE)?;
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|_| ENCODE_FAILED)
}

// ---------------------------------------------------------------------------
// PEM framing

/// One `-----BEGIN X-----` .. `-----END X-----` block found in a text.
struct PemBlock<'a> {
    /// The label between `BEGIN ` and the dashes.
    label: &'a str,
    /// The whole block, from the first dash of BEGIN to the last of END.
    text: &'a str,
}

/// Finds the only key-carrying PEM block in `text`, skipping `EC PARAMETERS`.
fn single_pem_block(text: &str) -> Result<PemBlock<'_>, DerError> {
    let mut found = None;
    let mut rest = text;
    while let Some((block, after)) = next_pem_block(rest)? {
        rest = after;
        if block.label == LABEL_EC_PARAMETERS {
            continue;
        }
        if found.is_some() {
            return Err(DerError("more than one PEM block: pass a single key or certificate"));
        }
        found = Some(block);
    }
    found.ok_or(DerError("no PEM key block found"))
}

/// Finds the first PEM block in `text`; returns it with the text after it.
fn next_pem_block(text: &str) -> Result<Option<(PemBlock<'_>, &str)>, DerError> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";

    let mut rest = text;
    let mut rest_starts_line = true;
    let from_begin = loop {
        let Some((before, candidate)) = rest.find(BEGIN).and_then(|i| rest.split_at_checked(i)) else {
            return Ok(None);
        };
        // RFC 7468 boundaries start a line; a BEGIN marker quoted inside the
        // surrounding prose is not one.
        if (before.is_empty() && rest_starts_line) || before.ends_with('\n') {
            break candidate;
        }
        rest = candidate.strip_prefix(BEGIN).ok_or(BAD_PEM)?;
        rest_starts_line = false;
    };

    let after_begin = from_begin.strip_prefix(BEGIN).ok_or(BAD_PEM)?;
    let (label, body) = after_begin.split_once(DASHES).ok_or(BAD_PEM)?;
    if label.is_empty() || label.contains(['\r', '\n']) {
        return Err(BAD_PEM);
    }
    let end_line = format!("-----END {label}-----");
    let (_, after) = body
        .split_once(&end_line)
        .ok_or(DerError("PEM block has no matching END line"))?;
    let block_len = from_begin.len().checked_sub(after.len()).ok_or(BAD_PEM)?;
    let block = from_begin.get(..block_len).ok_or(BAD_PEM)?;
    Ok(Some((PemBlock { label, text: block }, after)))
}

/// Base64-decodes a PEM block's body into wiped-on-drop memory.
///
/// Uses pem-rfc7468, whose base64 decoding is constant-time, since the body
/// is usually a private key. Line width is detected from the first line, so
/// both OpenSSL's 64 columns and other consistent widths are accepted.
fn pem_body(block: &PemBlock<'_>) -> Result<Zeroizing<Vec<u8>>, DerError> {
    // RFC 1421 headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ...") mark
    // OpenSSL's legacy per-format encryption; name it rather than failing on
    // the base64.
    if block.text.lines().nth(1).is_some_and(|line| line.contains(':')) {
        return Err(DerError(
            "legacy encrypted PEM (Proc-Type header) is not supported; convert it with openssl pkcs8 -topk8",
        ));
    }
    let mut decoder = pem_rfc7468::Decoder::new_detect_wrap(block.text.as_bytes()).map_err(|_| BAD_PEM)?;
    if decoder.type_label() != block.label {
        return Err(BAD_PEM);
    }
    let mut der = Zeroizing::new(vec![0u8; decoder.remaining_len()]);
    let len = decoder.decode(&mut der).map_err(|_| BAD_PEM)?.len();
    if !decoder.is_finished() {
        return Err(BAD_PEM);
    }
    der.truncate(len);
    Ok(der)
}

/// The refusal for a label [`decode_pem`] does not handle, with a hint for
/// the common ones. Fixed strings because [`DerError`] carries no data.
fn unsupported_label(label: &str) -> DerError {
    DerError(match label {
        "OPENSSH PRIVATE KEY" => {
            "PEM label OPENSSH PRIVATE KEY is not supported; convert it with ssh-keygen -p -m PKCS8"
        }
        "DSA PRIVATE KEY" => "PEM label DSA PRIVATE KEY is not supported (no DSA in JOSE)",
        "ENCRYPTED PUBLIC KEY" => "PEM label ENCRYPTED PUBLIC KEY is not supported",
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            "PEM label CERTIFICATE REQUEST is not supported; pass the certificate or public key"
        }
        "TRUSTED CERTIFICATE" => "PEM label TRUSTED CERTIFICATE is not supported; re-export with openssl x509",
        "X509 CRL" => "PEM label X509 CRL holds no key",
        "PKCS7" => "PEM label PKCS7 is not supported; extract the certificate first",
        "DH PARAMETERS" => "PEM label DH PARAMETERS holds no key",
        "SSH2 PUBLIC KEY" => "PEM label SSH2 PUBLIC KEY is not supported",
        _ => "unsupported PEM label",
    })
}

/// Encodes `der` as a PEM block with 64-column LF-terminated lines, in
/// memory wiped on drop. pem-rfc7468 encodes in constant time and sizes
/// its buffer exactly, so no partial copy of a private key is left behind.
fn write_pem(label: &'static str, der: &[u8]) -> Zeroizing<String> {
    // Our labels are valid and our inputs far below any length limit.
    Zeroizing::new(pem_rfc7468::encode_string(label, pem_rfc7468::LineEnding::LF, der).unwrap_or_default())
}

// ---------------------------------------------------------------------------
// Wrapping traditional formats

/// Encodes a DER value into wiped-on-drop memory of exactly the right size.
fn encode_secret<T: Encode>(value: &T) -> Result<Zeroizing<Vec<u8>>, DerError> {
    let len = value.encoded_len().map_err(|_| ENCODE_FAILED)?;
    let len = usize::try_from(len).map_err(|_| ENCODE_FAILED)?;
    let mut der = Zeroizing::new(vec![0u8; len]);
    let written = value.encode_to_slice(&mut der).map_err(|_| ENCODE_FAILED)?.len();
    der.truncate(written);
    Ok(der)
}

/// Wraps an algorithm-specific private key into PKCS#8 v1, the layout
/// `openssl pkcs8 -topk8 -nocrypt` writes.
fn wrap_pkcs8(algorithm: AlgorithmIdentifierRef<'_>, private_key: &[u8]) -> Result<Zeroizing<Vec<u8>>, DerError> {
    let info = PrivateKeyInfoRef {
        algorithm,
        private_key: OctetStringRef::new(private_key).map_err(|_| ENCODE_FAILED)?,
        public_key: None,
    };
    encode_secret(&info)
}

/// PKCS#1 `RSAPrivateKey` -> PKCS#8 (rsaEncryption, NULL parameters).
fn rsa_private_to_pkcs8(pkcs1_der: &[u8]) -> Result<Zeroizing<Vec<u8>>, DerError> {
    // Strict DER parse first: the bytes are then embedded unchanged, and DER
    // has one encoding per value, so this equals a re-encode.
    pkcs1::RsaPrivateKeyRef::from_der(pkcs1_der).map_err(|_| BAD_PKCS1_PRIVATE)?;
    let algorithm = AlgorithmIdentifierRef {
        oid: OID_RSA_ENCRYPTION,
        parameters: Some(AnyRef::NULL),
    };
    wrap_pkcs8(algorithm, pkcs1_der)
}

/// PKCS#1 `RSAPublicKey` -> SPKI (rsaEncryption, NULL parameters).
fn rsa_public_to_spki(pkcs1_der: &[u8]) -> Result<Vec<u8>, DerError> {
    pkcs1::RsaPublicKeyRef::from_der(pkcs1_der).map_err(|_| BAD_PKCS1_PUBLIC)?;
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid: OID_RSA_ENCRYPTION,
            parameters: Some(AnyRef::NULL),
        },
        subject_public_key: BitStringRef::from_bytes(pkcs1_der).map_err(|_| ENCODE_FAILED)?,
    };
    spki.to_der().map_err(|_| ENCODE_FAILED)
}

/// SEC1 `ECPrivateKey` -> PKCS#8 (id-ecPublicKey, named-curve parameters).
///
/// The curve moves from the inner `[0]` field to the algorithm parameters
/// and the public key `[1]` stays, which is byte-for-byte what OpenSSL's
/// `pkcs8 -topk8` produces.
fn sec1_to_pkcs8(sec1_der: &[u8]) -> Result<Zeroizing<Vec<u8>>, DerError> {
    let key = sec1::EcPrivateKey::from_der(sec1_der).map_err(|_| BAD_SEC1)?;
    let curve = key
        .parameters
        .and_then(sec1::EcParameters::named_curve)
        .ok_or(DerError(
            "EC PRIVATE KEY does not name its curve; export it with openssl pkcs8 -topk8",
        ))?;
    if ![OID_P256, OID_P384, OID_P521, OID_SECP256K1].contains(&curve) {
        return Err(DerError(
            "unsupported EC curve (expected P-256, P-384, P-521 or secp256k1)",
        ));
    }
    let inner = sec1::EcPrivateKey {
        private_key: key.private_key,
        parameters: None,
        public_key: key.public_key,
    };
    let inner_der = encode_secret(&inner)?;
    let algorithm = AlgorithmIdentifierRef {
        oid: OID_EC_PUBLIC_KEY,
        parameters: Some(AnyRef::from(&curve)),
    };
    wrap_pkcs8(algorithm, &inner_der)
}

// ---------------------------------------------------------------------------
// Encrypted PKCS#8 (RFC 5958 §3 with PBES2 from RFC 8018)

/// AES-CBC variants PBES2 may name, by key length.
#[derive(Clone, Copy)]
enum AesCbc {
    /// `aes128-CBC-PAD`.
    Aes128,
    /// `aes192-CBC-PAD`.
    Aes192,
    /// `aes256-CBC-PAD`.
    Aes256,
}

impl AesCbc {
    /// Key length in bytes.
    fn key_len(self) -> usize {
        match self {
            Self::Aes128 => 16,
            Self::Aes192 => 24,
            Self::Aes256 => 32,
        }
    }
}

/// The parsed PBES2 parameters we support.
struct Pbes2Params<'a> {
    /// PBKDF2 salt.
    salt: &'a [u8],
    /// PBKDF2 iteration count, already bounded by [`MAX_PBKDF2_ITERATIONS`].
    iterations: u32,
    /// PBKDF2 PRF.
    prf: Pbkdf2Prf,
    /// Content cipher.
    cipher: AesCbc,
    /// CBC initialisation vector.
    iv: &'a [u8],
}

/// Decrypts a DER `EncryptedPrivateKeyInfo` into PKCS#8 DER.
fn decrypt_pkcs8(der: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, DerError> {
    let mut reader = SliceReader::new(der).map_err(|_| BAD_ENCRYPTED_KEY)?;
    let (scheme, ciphertext) = reader
        .sequence(|r| {
            let scheme = AlgorithmIdentifierRef::decode(r)?;
            let ciphertext = <&OctetStringRef>::decode(r)?;
            Ok::<_, der::Error>((scheme, ciphertext))
        })
        .map_err(|_| BAD_ENCRYPTED_KEY)?;
    reader.finish().map_err(|_| BAD_ENCRYPTED_KEY)?;

    let params = parse_pbes2(&scheme)?;

    let mut key_buf = Zeroizing::new([0u8; 32]);
    let key = key_buf.get_mut(..params.cipher.key_len()).ok_or(BAD_ENCRYPTED_KEY)?;
    pbes2::pbkdf2(params.prf, password, params.salt, params.iterations, key).map_err(|()| BAD_ENCRYPTED_KEY)?;
    let plaintext = pbes2::aes_cbc_decrypt(key, params.iv, ciphertext.as_bytes()).map_err(|()| WRONG_PASSWORD)?;
    // About 1 in 256 wrong passwords still leave valid-looking padding; the
    // PKCS#8 parse catches those, with the same error.
    PrivateKeyInfoRef::from_der(&plaintext).map_err(|_| WRONG_PASSWORD)?;
    Ok(plaintext)
}

/// Validates the encryption `AlgorithmIdentifier` of an encrypted key and
/// extracts what decryption needs, refusing anything outside PBES2 +
/// PBKDF2 (HMAC-SHA-1/256/384/512) + AES-CBC.
fn parse_pbes2<'a>(scheme: &AlgorithmIdentifierRef<'a>) -> Result<Pbes2Params<'a>, DerError> {
    if scheme.oid != OID_PBES2 {
        return Err(DerError(
            "unsupported key encryption scheme (only PBES2 is supported; re-encrypt with openssl pkcs8 -topk8 -v2 aes-256-cbc)",
        ));
    }
    let (kdf, cipher) = scheme
        .parameters
        .ok_or(BAD_ENCRYPTED_KEY)?
        .sequence(|r| {
            let kdf = AlgorithmIdentifierRef::decode(r)?;
            let cipher = AlgorithmIdentifierRef::decode(r)?;
            Ok::<_, der::Error>((kdf, cipher))
        })
        .map_err(|_| BAD_ENCRYPTED_KEY)?;

    if kdf.oid == OID_SCRYPT {
        return Err(DerError("unsupported PBES2 key derivation function scrypt"));
    }
    if kdf.oid != OID_PBKDF2 {
        return Err(DerError("unsupported PBES2 key derivation function"));
    }
    let (salt, iterations, key_len, prf) = kdf
        .parameters
        .ok_or(BAD_ENCRYPTED_KEY)?
        .sequence(|r| {
            // The `otherSource` salt alternative is reserved by RFC 8018 and
            // nobody writes it: only the OCTET STRING form is read.
            let salt = <&OctetStringRef>::decode(r)?;
            let iterations = u64::decode(r)?;
            let key_len = Option::<u64>::decode(r)?;
            let prf = Option::<AlgorithmIdentifierRef<'_>>::decode(r)?;
            Ok::<_, der::Error>((salt, iterations, key_len, prf))
        })
        .map_err(|_| BAD_ENCRYPTED_KEY)?;

    if iterations == 0 || iterations > MAX_PBKDF2_ITERATIONS {
        return Err(DerError("PBKDF2 iteration count is zero or above the 10,000,000 limit"));
    }
    let iterations = u32::try_from(iterations).map_err(|_| BAD_ENCRYPTED_KEY)?;

    let prf = match prf {
        None => Pbkdf2Prf::Sha1,
        Some(prf) => {
            if prf.parameters.is_some_and(|p| !p.is_null()) {
                return Err(BAD_ENCRYPTED_KEY);
            }
            match prf.oid {
                OID_HMAC_SHA1 => Pbkdf2Prf::Sha1,
                OID_HMAC_SHA256 => Pbkdf2Prf::Sha256,
                OID_HMAC_SHA384 => Pbkdf2Prf::Sha384,
                OID_HMAC_SHA512 => Pbkdf2Prf::Sha512,
                _ => return Err(DerError("unsupported PBKDF2 PRF")),
            }
        }
    };

    let aes = match cipher.oid {
        OID_AES128_CBC => AesCbc::Aes128,
        OID_AES192_CBC => AesCbc::Aes192,
        OID_AES256_CBC => AesCbc::Aes256,
        _ => return Err(DerError("unsupported PBES2 cipher")),
    };
    if key_len.is_some_and(|len| usize::try_from(len).ok() != Some(aes.key_len())) {
        return Err(DerError("PBKDF2 key length does not match the cipher"));
    }
    let iv = cipher
        .parameters
        .ok_or(BAD_ENCRYPTED_KEY)?
        .decode_as::<&OctetStringRef>()
        .map_err(|_| BAD_ENCRYPTED_KEY)?
        .as_bytes();
    if iv.len() != AES_BLOCK_LEN {
        return Err(BAD_ENCRYPTED_KEY);
    }

    Ok(Pbes2Params {
        salt: salt.as_bytes(),
        iterations,
        prf,
        cipher: aes,
        iv,
    })
}

/// `EncryptedPrivateKeyInfo` for encoding: the same two-field SEQUENCE as the
/// pkcs8 crate's type, which needs a pkcs8 feature this crate does not enable.
struct EncryptedKeyInfo<'a> {
    /// `encryptionAlgorithm`: PBES2 with its parameters.
    scheme: pkcs5::EncryptionScheme,
    /// `encryptedData`.
    ciphertext: &'a OctetStringRef,
}

impl EncodeValue for EncryptedKeyInfo<'_> {
    fn value_len(&self) -> der::Result<Length> {
        self.scheme.encoded_len()? + self.ciphertext.encoded_len()?
    }

    fn encode_value(&self, writer: &mut impl Writer) -> der::Result<()> {
        self.scheme.encode(writer)?;
        self.ciphertext.encode(writer)
    }
}

impl Sequence<'_> for EncryptedKeyInfo<'_> {}

/// Encrypts PKCS#8 DER with PBES2 (PBKDF2-HMAC-SHA256 with `iterations`,
/// AES-256-CBC) into `EncryptedPrivateKeyInfo` DER.
fn encrypt_pkcs8(pkcs8_der: &[u8], password: &[u8], iterations: u32) -> Result<Vec<u8>, DerError> {
    const RNG_FAILED: DerError = DerError("random number generator failed");

    let mut salt = [0u8; EXPORT_SALT_LEN];
    crate::backend::rand::fill(&mut salt).map_err(|_| RNG_FAILED)?;
    let mut iv = [0u8; AES_BLOCK_LEN];
    crate::backend::rand::fill(&mut iv).map_err(|_| RNG_FAILED)?;

    let mut key = Zeroizing::new([0u8; 32]);
    pbes2::pbkdf2(Pbkdf2Prf::Sha256, password, &salt, iterations, &mut *key).map_err(|()| DerError("PBKDF2 failed"))?;
    let ciphertext =
        pbes2::aes_cbc_encrypt(&*key, &iv, pkcs8_der).map_err(|()| DerError("AES-CBC encryption failed"))?;

    let kdf = pkcs5::pbes2::Pbkdf2Params::hmac_sha256(iterations, &salt).map_err(|_| ENCODE_FAILED)?;
    let scheme = pkcs5::EncryptionScheme::Pbes2(pkcs5::pbes2::Parameters {
        kdf: kdf.into(),
        encryption: pkcs5::pbes2::EncryptionScheme::Aes256Cbc { iv },
    });
    let info = EncryptedKeyInfo {
        scheme,
        ciphertext: OctetStringRef::new(&ciphertext).map_err(|_| ENCODE_FAILED)?,
    };
    info.to_der().map_err(|_| ENCODE_FAILED)
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! fixture {
        ($name:literal) => {
            include_str!(concat!("../../tests/fixtures/pem/", $name))
        };
    }

    const PASSWORD: &[u8] = b"correct horse";

    fn spki(pem: &str) -> Vec<u8> {
        match decode_pem(pem, None).unwrap() {
            KeyDer::Spki(der) => der,
            other => panic!("expected SPKI, got {other:?}"),
        }
    }

    fn pkcs8_with(pem: &str, password: Option<&[u8]>) -> Zeroizing<Vec<u8>> {
        match decode_pem(pem, password).unwrap() {
            KeyDer::Pkcs8(der) => der,
            other => panic!("expected PKCS#8, got {other:?}"),
        }
    }

    fn pkcs8(pem: &str) -> Zeroizing<Vec<u8>> {
        pkcs8_with(pem, None)
    }

    fn err(pem: &str, password: Option<&[u8]>) -> &'static str {
        match decode_pem(pem, password) {
            Ok(key) => panic!("expected an error, got {key:?}"),
            Err(DerError(reason)) => reason,
        }
    }

    /// Raw DER of a PEM fixture's key block, via the independent pem-rfc7468
    /// decoder.
    fn raw_der(pem: &str) -> Vec<u8> {
        let start = pem
            .match_indices("-----BEGIN ")
            .map(|(i, _)| i)
            .find(|&i| !pem[i..].starts_with("-----BEGIN EC PARAMETERS"))
            .unwrap();
        pem_rfc7468::decode_vec(&pem.as_bytes()[start..]).unwrap().1
    }

    /// PEM-encodes DER with our own encoder.
    fn to_pem(label: &'static str, der: &[u8]) -> String {
        write_pem(label, der).to_string()
    }

    #[test]
    fn rsa_pkcs1_wraps_like_openssl() {
        let from_pkcs1 = pkcs8(fixture!("rsa2048.pkcs1.pem"));
        let from_openssl = pkcs8(fixture!("rsa2048.pkcs8.pem"));
        assert_eq!(*from_pkcs1, *from_openssl);
        crate::backend::rsa::RsaPrivate::from_pkcs8(&from_pkcs1).unwrap();
    }

    #[test]
    fn rsa_public_forms_agree() {
        let spki_der = spki(fixture!("rsa2048.spki.pem"));
        assert_eq!(spki(fixture!("rsa2048.pkcs1-pub.pem")), spki_der);
        assert_eq!(spki(fixture!("rsa2048.cert.pem")), spki_der);
        assert_eq!(spki(fixture!("rsa2048.cert-pubkey.pem")), spki_der);
        assert_eq!(spki_der, raw_der(fixture!("rsa2048.spki.pem")));
    }

    #[test]
    fn ec_sec1_wraps_like_openssl() {
        use crate::backend::EcCurve;
        use crate::backend::ec::EcPrivate;
        let cases: [(&str, &str, &str, EcCurve); 4] = [
            (
                fixture!("ec-p256.sec1.pem"),
                fixture!("ec-p256.pkcs8.pem"),
                fixture!("ec-p256.spki.pem"),
                EcCurve::P256,
            ),
            (
                fixture!("ec-p384.sec1.pem"),
                fixture!("ec-p384.pkcs8.pem"),
                fixture!("ec-p384.spki.pem"),
                EcCurve::P384,
            ),
            (
                fixture!("ec-p521.sec1.pem"),
                fixture!("ec-p521.pkcs8.pem"),
                fixture!("ec-p521.spki.pem"),
                EcCurve::P521,
            ),
            (
                fixture!("ec-secp256k1.sec1.pem"),
                fixture!("ec-secp256k1.pkcs8.pem"),
                fixture!("ec-secp256k1.spki.pem"),
                EcCurve::Secp256k1,
            ),
        ];
        for (sec1, openssl_pkcs8, openssl_spki, curve) in cases {
            let wrapped = pkcs8(sec1);
            assert_eq!(*wrapped, *pkcs8(openssl_pkcs8));
            let private = EcPrivate::from_pkcs8(curve, &wrapped).unwrap();
            // The SPKI ends with the same uncompressed point the provider derives.
            let (x, y) = private.public().coordinates();
            let point = [&[4u8][..], x, y].concat();
            let spki_der = spki(openssl_spki);
            assert!(spki_der.ends_with(&point));
        }
    }

    #[test]
    fn ed25519_passes_through() {
        let der = pkcs8(fixture!("ed25519.pkcs8.pem"));
        assert_eq!(*der, raw_der(fixture!("ed25519.pkcs8.pem")));
        let private = crate::backend::ed25519::Ed25519Private::from_pkcs8(&der).unwrap();
        let spki_der = spki(fixture!("ed25519.spki.pem"));
        assert!(spki_der.ends_with(private.public().bytes()));
    }

    #[test]
    fn certificate_with_explanatory_text() {
        let pem = fixture!("ec-p256.cert.pem");
        assert!(pem.starts_with("Certificate:"));
        let from_cert = spki(pem);
        assert_eq!(from_cert, spki(fixture!("ec-p256.spki.pem")));
        assert_eq!(from_cert, spki(fixture!("ec-p256.cert-pubkey.pem")));
    }

    #[test]
    fn ec_parameters_block_is_skipped() {
        let pem = fixture!("ec-p256.sec1.pem");
        assert!(pem.starts_with("-----BEGIN EC PARAMETERS-----"));
        pkcs8(pem);
        // Alone, it is not a key.
        let params_only = &pem[..pem.find("-----BEGIN EC PRIVATE KEY").unwrap()];
        assert_eq!(err(params_only, None), "no PEM key block found");
    }

    #[test]
    fn rsa1024_still_decodes() {
        // Refusing small RSA keys is the key layer's job, not this module's.
        pkcs8(fixture!("rsa1024.pkcs8.pem"));
    }

    #[test]
    fn encrypted_openssl_variants_decrypt() {
        let expected = pkcs8(fixture!("ec-p256.pkcs8.pem"));
        for pem in [
            fixture!("ec-p256.enc-aes256-sha256.pem"),
            fixture!("ec-p256.enc-aes256-sha512.pem"),
            fixture!("ec-p256.enc-aes128-sha256.pem"),
            fixture!("ec-p256.enc-aes192-sha1.pem"),
            fixture!("ec-p256.enc-aes128-sha384.pem"),
            fixture!("ec-p256.enc-pkey-aes256.pem"),
        ] {
            assert_eq!(*pkcs8_with(pem, Some(PASSWORD)), *expected);
            assert_eq!(err(pem, Some(b"correct horse!")), WRONG_PASSWORD.0);
            assert_eq!(err(pem, Some(b"")), WRONG_PASSWORD.0);
            assert_eq!(err(pem, None), "PEM label ENCRYPTED PRIVATE KEY needs a password");
        }
        let rsa = pkcs8_with(fixture!("rsa2048.enc-pkey-aes256.pem"), Some(PASSWORD));
        assert_eq!(*rsa, *pkcs8(fixture!("rsa2048.pkcs8.pem")));
    }

    #[test]
    fn unsupported_encryption_is_named() {
        assert_eq!(
            err(fixture!("ec-p256.enc-des3.pem"), Some(PASSWORD)),
            "unsupported PBES2 cipher"
        );
        assert_eq!(
            err(fixture!("ec-p256.enc-scrypt.pem"), Some(PASSWORD)),
            "unsupported PBES2 key derivation function scrypt"
        );
        assert!(
            err(fixture!("ec-p256.enc-pbes1.pem"), Some(PASSWORD)).starts_with("unsupported key encryption scheme")
        );
        assert!(err(fixture!("ec-p256.sec1-legacy-enc.pem"), Some(PASSWORD)).starts_with("legacy encrypted PEM"));
    }

    #[test]
    fn our_encryption_round_trips() {
        for pem in [
            fixture!("ec-p256.pkcs8.pem"),
            fixture!("rsa2048.pkcs8.pem"),
            fixture!("ed25519.pkcs8.pem"),
        ] {
            let der = pkcs8(pem);
            let encrypted = encrypted_pkcs8_pem(&der, PASSWORD).unwrap();
            assert!(encrypted.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
            assert_eq!(*pkcs8_with(&encrypted, Some(PASSWORD)), *der);
            assert_eq!(err(&encrypted, Some(b"Correct horse")), WRONG_PASSWORD.0);
            // Fresh salt and IV every time.
            assert_ne!(*encrypted, *encrypted_pkcs8_pem(&der, PASSWORD).unwrap());
        }
        assert_eq!(encrypted_pkcs8_pem(b"\x30\x00", PASSWORD).unwrap_err(), BAD_PKCS8);
    }

    #[test]
    fn iteration_cap_is_enforced() {
        // Built by hand so the test does not spend seconds on PBKDF2 itself;
        // the ciphertext is never reached.
        for iterations in [0, 10_000_001, u32::MAX] {
            let pem = crafted_pem(Some(iterations), None, None, OID_AES256_CBC);
            assert_eq!(
                err(&pem, Some(PASSWORD)),
                "PBKDF2 iteration count is zero or above the 10,000,000 limit"
            );
        }
        // A small count is fine: the cap is the only limit.
        let der = pkcs8(fixture!("ec-p256.pkcs8.pem"));
        let small = encrypt_pkcs8(&der, PASSWORD, 1).unwrap();
        let pem = to_pem("ENCRYPTED PRIVATE KEY", &small);
        assert_eq!(*pkcs8_with(&pem, Some(PASSWORD)), *der);
    }

    #[test]
    fn pbes2_parameter_checks() {
        let sha224 = ObjectIdentifier::new_unwrap("1.2.840.113549.2.8");
        let des3 = ObjectIdentifier::new_unwrap("1.2.840.113549.3.7");
        let cases = [
            (
                crafted_pem(None, Some(sha224), None, OID_AES256_CBC),
                "unsupported PBKDF2 PRF",
            ),
            (crafted_pem(None, None, None, des3), "unsupported PBES2 cipher"),
            (
                crafted_pem(None, None, Some(16), OID_AES256_CBC),
                "PBKDF2 key length does not match the cipher",
            ),
            // Matching explicit key length and default (absent) PRF: the
            // structure is accepted and only the dummy ciphertext fails.
            (crafted_pem(None, None, Some(32), OID_AES256_CBC), WRONG_PASSWORD.0),
            (crafted_pem(None, None, None, OID_AES128_CBC), WRONG_PASSWORD.0),
        ];
        for (pem, expected) in cases {
            assert_eq!(err(&pem, Some(PASSWORD)), expected);
        }
    }

    /// An `ENCRYPTED PRIVATE KEY` with chosen PBES2 parameters (defaults: 1
    /// iteration, PRF omitted, no key length) and a dummy ciphertext.
    fn crafted_pem(
        iterations: Option<u32>,
        prf: Option<ObjectIdentifier>,
        key_len: Option<u8>,
        cipher: ObjectIdentifier,
    ) -> String {
        fn enc<T: Encode>(value: &T) -> Vec<u8> {
            value.to_der().unwrap()
        }
        fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
            enc(&der::asn1::Any::new(der::Tag::Sequence, parts.concat()).unwrap())
        }
        let salt = enc(&OctetStringRef::new(&[7u8; 16]).unwrap());
        let mut pbkdf2_params = vec![salt, enc(&iterations.unwrap_or(1))];
        pbkdf2_params.extend(key_len.map(|len| enc(&len)));
        pbkdf2_params.extend(prf.map(|oid| seq(&[enc(&oid), enc(&der::asn1::Null)])));
        let kdf = seq(&[enc(&OID_PBKDF2), seq(&pbkdf2_params)]);
        let iv = enc(&OctetStringRef::new(&[9u8; 16]).unwrap());
        let scheme = seq(&[enc(&OID_PBES2), seq(&[kdf, seq(&[enc(&cipher), iv])])]);
        let ciphertext = enc(&OctetStringRef::new(&[0u8; 32]).unwrap());
        to_pem("ENCRYPTED PRIVATE KEY", &seq(&[scheme, ciphertext]))
    }

    #[test]
    fn pem_output_matches_openssl_bytes() {
        for pem in [
            fixture!("rsa2048.spki.pem"),
            fixture!("ec-p521.spki.pem"),
            fixture!("ed25519.spki.pem"),
            fixture!("ec-secp256k1.spki.pem"),
        ] {
            assert_eq!(spki_pem(&spki(pem)), pem);
        }
        for pem in [
            fixture!("rsa2048.pkcs8.pem"),
            fixture!("ec-p384.pkcs8.pem"),
            fixture!("ed25519.pkcs8.pem"),
            fixture!("rsa1024.pkcs8.pem"),
        ] {
            let out = pkcs8_pem(&pkcs8(pem));
            assert_eq!(out.as_str(), pem);
        }
    }

    #[test]
    fn decode_der_sniffs_every_form() {
        let p256 = pkcs8(fixture!("ec-p256.pkcs8.pem"));
        let rsa = pkcs8(fixture!("rsa2048.pkcs8.pem"));
        let cases: [(Vec<u8>, bool, Vec<u8>); 6] = [
            (raw_der(fixture!("ec-p256.pkcs8.pem")), true, p256.to_vec()),
            (raw_der(fixture!("rsa2048.pkcs1.pem")), true, rsa.to_vec()),
            (raw_der(fixture!("ec-p256.sec1.pem")), true, p256.to_vec()),
            (
                raw_der(fixture!("rsa2048.spki.pem")),
                false,
                spki(fixture!("rsa2048.spki.pem")),
            ),
            (
                raw_der(fixture!("rsa2048.cert.pem")),
                false,
                spki(fixture!("rsa2048.spki.pem")),
            ),
            (
                raw_der(fixture!("ec-p256.cert.pem")),
                false,
                spki(fixture!("ec-p256.spki.pem")),
            ),
        ];
        for (der, private, expected) in cases {
            match (decode_der(&der).unwrap(), private) {
                (KeyDer::Pkcs8(got), true) => assert_eq!(*got, expected),
                (KeyDer::Spki(got), false) => assert_eq!(got, expected),
                (got, _) => panic!("wrong form {got:?}"),
            }
        }
        assert_eq!(
            certificate_spki(&raw_der(fixture!("rsa2048.cert.pem"))).unwrap(),
            spki(fixture!("rsa2048.spki.pem"))
        );
        assert_eq!(
            certificate_spki(&raw_der(fixture!("rsa2048.spki.pem"))).unwrap_err(),
            BAD_CERTIFICATE
        );
    }

    #[test]
    fn sec1_without_curve_is_refused() {
        let sec1 = raw_der(fixture!("ec-p256.sec1.pem"));
        let key = sec1::EcPrivateKey::from_der(&sec1).unwrap();
        let bare = sec1::EcPrivateKey {
            parameters: None,
            ..key
        }
        .to_der()
        .unwrap();
        assert!(
            decode_der(&bare)
                .unwrap_err()
                .0
                .starts_with("EC PRIVATE KEY does not name its curve")
        );
        let pem = to_pem("EC PRIVATE KEY", &bare);
        assert!(err(&pem, None).starts_with("EC PRIVATE KEY does not name its curve"));
    }

    #[test]
    fn pem_framing_errors() {
        let key = fixture!("ec-p256.pkcs8.pem");
        let cert = fixture!("rsa2048.cert.pem");
        assert_eq!(err("", None), "no PEM key block found");
        assert_eq!(err("hello", None), "no PEM key block found");
        assert_eq!(
            err(&format!("{key}{cert}"), None),
            "more than one PEM block: pass a single key or certificate"
        );
        assert_eq!(
            err(key.trim_end().trim_end_matches("-----END PRIVATE KEY-----"), None),
            "PEM block has no matching END line"
        );
        assert_eq!(
            err(&key.replace("PRIVATE KEY", "PRIVATE KEYS"), None),
            "unsupported PEM label"
        );
        assert!(
            err(&key.replace("PRIVATE KEY", "OPENSSH PRIVATE KEY"), None).starts_with("PEM label OPENSSH PRIVATE KEY")
        );
        // Labels that do not match the content.
        assert_eq!(err(&key.replace("PRIVATE KEY", "PUBLIC KEY"), None), BAD_SPKI.0);
        assert_eq!(err(&key.replace("PRIVATE KEY", "CERTIFICATE"), None), BAD_CERTIFICATE.0);
        assert_eq!(
            err(&key.replace("PRIVATE KEY", "RSA PRIVATE KEY"), None),
            BAD_PKCS1_PRIVATE.0
        );
        assert_eq!(err(&key.replace("PRIVATE KEY", "EC PRIVATE KEY"), None), BAD_SEC1.0);
        assert_eq!(
            err(&key.replace("PRIVATE KEY", "RSA PUBLIC KEY"), None),
            BAD_PKCS1_PUBLIC.0
        );
        assert_eq!(
            err(&key.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"), Some(PASSWORD)),
            BAD_ENCRYPTED_KEY.0
        );
        // Broken base64.
        assert_eq!(err(&key.replacen("MIGH", "MI*H", 1), None), BAD_PEM.0);
        // Surrounding text and CRLF line endings are fine.
        let noisy = format!("Bag Attributes\r\n    x: y\r\n{}\r\ntrailer", key.replace('\n', "\r\n"));
        assert_eq!(*pkcs8(&noisy), *pkcs8(key));
        // A BEGIN marker not at a line start is prose, not a boundary.
        assert_eq!(
            err("see -----BEGIN PRIVATE KEY----- above", None),
            "no PEM key block found"
        );
    }

    #[test]
    fn truncated_and_garbage_der_is_an_error() {
        let inputs = [
            raw_der(fixture!("rsa2048.pkcs8.pem")),
            raw_der(fixture!("rsa2048.pkcs1.pem")),
            raw_der(fixture!("ec-p521.sec1.pem")),
            raw_der(fixture!("ec-p256.cert.pem")),
            raw_der(fixture!("ec-p256.enc-aes256-sha256.pem")),
        ];
        for der in &inputs {
            for cut in (0..der.len()).step_by(7) {
                assert!(decode_der(&der[..cut]).is_err());
                assert!(decrypt_pkcs8(&der[..cut], PASSWORD).is_err());
            }
            // Flipping bytes must never panic (it may, rarely, still parse).
            for i in (0..der.len()).step_by(5) {
                let mut bad = der.clone();
                bad[i] ^= 0xff;
                let _ = decode_der(&bad);
                let _ = decrypt_pkcs8(&bad, PASSWORD);
            }
            // Trailing junk is not DER.
            let mut long = der.clone();
            long.push(0);
            assert!(decode_der(&long).is_err());
        }
        assert!(decode_der(&[]).is_err());
        assert!(decode_der(b"garbage").is_err());
        assert!(decode_der(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn pem_garbage_never_panics() {
        let key = fixture!("ec-p256.enc-aes256-sha256.pem");
        for cut in 0..key.len() {
            if let Some(prefix) = key.get(..cut) {
                let _ = decode_pem(prefix, Some(PASSWORD));
            }
        }
        for junk in [
            "-----BEGIN -----\n-----END -----\n",
            "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\n====\n-----END PRIVATE KEY-----\n",
            "-----BEGIN \u{e9}\u{e9}-----\n\u{e9}\n-----END \u{e9}\u{e9}-----",
            "\0-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----",
        ] {
            assert!(decode_pem(junk, Some(PASSWORD)).is_err());
        }
    }
}
