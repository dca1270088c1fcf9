//! Key management (RFC 7518 section 4): how each recipient gets the
//! content encryption key (CEK).

use zeroize::Zeroizing;

use super::alg::{JweAlg, JweEnc, Mode};
use super::content;
use super::header::JweHeader;
use crate::b64;
use crate::backend::EcdhCurve;
use crate::backend::ecdh::{self, EcdhPrivate};
use crate::backend::{aead, aes_kw, pbes2, rand};
use crate::error::{Error, Result};
use crate::jwk::Jwk;
use crate::key::{Key, Operation};

/// Default PBES2 iteration count when encrypting: the highest count the
/// default decryption limit accepts.
pub(crate) const DEFAULT_P2C: u64 = 10_000;
/// Salt input length when encrypting.
const P2S_LEN: usize = 16;
/// Shortest salt input accepted (RFC 7518 section 4.8.1.1).
const MIN_P2S_LEN: usize = 8;

/// Values a sender may fix instead of letting them be random: for
/// reproducing published test vectors and for protocols that bind
/// `apu`/`apv`. Reusing an ephemeral key, IV or salt across messages
/// breaks the security of the scheme: leave them unset otherwise.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct KeyManagementParameters {
    /// ECDH-ES ephemeral private key (on the recipient's curve).
    pub ephemeral_key: Option<Key>,
    /// ECDH-ES PartyUInfo.
    pub apu: Option<Vec<u8>>,
    /// ECDH-ES PartyVInfo.
    pub apv: Option<Vec<u8>>,
    /// AES-GCM key wrap IV (12 bytes).
    pub iv: Option<Vec<u8>>,
    /// PBES2 salt input (at least 8 bytes).
    pub p2s: Option<Vec<u8>>,
    /// PBES2 iteration count.
    pub p2c: Option<u64>,
}

impl KeyManagementParameters {
    /// No fixed values: everything random, the right choice in production.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `apu` and `apv` for ECDH-ES.
    pub fn agreement_info(mut self, apu: impl Into<Vec<u8>>, apv: impl Into<Vec<u8>>) -> Self {
        self.apu = Some(apu.into());
        self.apv = Some(apv.into());
        self
    }

    /// Sets the PBES2 iteration count.
    pub fn p2c(mut self, count: u64) -> Self {
        self.p2c = Some(count);
        self
    }
}

/// What key management produced for one recipient.
pub(crate) struct Recipient {
    /// The content key: derived (direct modes) or the shared one passed in.
    pub(crate) cek: Zeroizing<Vec<u8>>,
    /// The JWE Encrypted Key; empty for direct modes.
    pub(crate) encrypted_key: Vec<u8>,
    /// Header parameters the recipient needs (`epk`, `apu`, `iv`, `p2s`...).
    pub(crate) header: JweHeader,
}

fn random(len: usize) -> Result<Vec<u8>> {
    let mut bytes = vec![0u8; len];
    rand::fill(&mut bytes).map_err(|_| Error::Crypto("random generation failed"))?;
    Ok(bytes)
}

/// The secret of a key that `check_jwe_alg` has passed, which also
/// checked its length for `alg` and `enc`.
fn secret_of<'k>(key: &'k Key, what: &str) -> Result<&'k [u8]> {
    key.secret_bytes()
        .ok_or_else(|| Error::key_use(format!("{what} needs a symmetric key")))
}

/// The ECDH-ES derived key (RFC 7518 section 4.6.2).
fn derive(alg: JweAlg, enc: JweEnc, shared: &[u8], apu: &[u8], apv: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let algorithm_id = if alg.is_direct() { enc.name() } else { alg.name() };
    ecdh::concat_kdf(shared, algorithm_id.as_bytes(), apu, apv, len).map_err(|_| Error::Crypto("key derivation failed"))
}

fn pbes2_key(
    alg: JweAlg,
    prf: crate::backend::Pbkdf2Prf,
    len: usize,
    password: &[u8],
    p2s: &[u8],
    p2c: u64,
) -> Result<Zeroizing<Vec<u8>>> {
    // Salt = UTF8(alg) || 0x00 || p2s (RFC 7518 section 4.8.1.1).
    let mut salt = Vec::with_capacity(alg.name().len() + 1 + p2s.len());
    salt.extend_from_slice(alg.name().as_bytes());
    salt.push(0);
    salt.extend_from_slice(p2s);
    let iterations = u32::try_from(p2c).map_err(|_| Error::JweInvalid("\"p2c\" is out of range".into()))?;
    let mut kek = Zeroizing::new(vec![0u8; len]);
    pbes2::pbkdf2(prf, password, &salt, iterations, &mut kek).map_err(|_| Error::Crypto("PBKDF2 failed"))?;
    Ok(kek)
}

/// The public JWK of an ephemeral key, for the `epk` parameter.
fn epk_jwk(ephemeral: &EcdhPrivate) -> Result<Jwk> {
    let point = ephemeral
        .public_bytes()
        .map_err(|_| Error::Crypto("ephemeral key export failed"))?;
    let mut jwk = Jwk::default();
    match ephemeral.curve() {
        EcdhCurve::X25519 => {
            jwk.kty = "OKP".into();
            jwk.crv = Some("X25519".into());
            jwk.x = Some(b64::encode(&point));
        }
        curve => {
            let width = (point.len().saturating_sub(1)) / 2;
            jwk.kty = "EC".into();
            jwk.crv = Some(curve_name(curve).into());
            jwk.x = point.get(1..1 + width).map(b64::encode);
            jwk.y = point.get(1 + width..).map(b64::encode);
        }
    }
    Ok(jwk)
}

pub(crate) fn curve_name(curve: EcdhCurve) -> &'static str {
    match curve {
        EcdhCurve::P256 => "P-256",
        EcdhCurve::P384 => "P-384",
        EcdhCurve::P521 => "P-521",
        EcdhCurve::X25519 => "X25519",
    }
}

/// The public key bytes in an `epk`, which must be on `curve` (the
/// recipient's): accepting a point of another curve is the door to
/// invalid-curve attacks.
fn epk_point(epk: &Jwk, curve: EcdhCurve) -> Result<Vec<u8>> {
    let invalid = || Error::JweInvalid("\"epk\" is not a public key on the recipient's curve".into());
    if epk.is_private() || epk.crv.as_deref() != Some(curve_name(curve)) {
        return Err(invalid());
    }
    let decode = |v: &Option<String>| v.as_deref().and_then(|v| b64::decode(v.as_bytes())).ok_or_else(invalid);
    match curve {
        EcdhCurve::X25519 if epk.kty == "OKP" => decode(&epk.x).and_then(|x| match x.len() {
            32 => Ok(x),
            _ => Err(invalid()),
        }),
        EcdhCurve::P256 | EcdhCurve::P384 | EcdhCurve::P521 if epk.kty == "EC" => {
            let (x, y) = (decode(&epk.x)?, decode(&epk.y)?);
            let width = match curve {
                EcdhCurve::P256 => 32,
                EcdhCurve::P384 => 48,
                _ => 66,
            };
            if x.len() != width || y.len() != width {
                return Err(invalid());
            }
            let mut point = Vec::with_capacity(1 + 2 * width);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            Ok(point)
        }
        _ => Err(invalid()),
    }
}

fn decode_param(value: &Option<String>, name: &str) -> Result<Option<Vec<u8>>> {
    match value {
        None => Ok(None),
        Some(v) => b64::decode(v.as_bytes())
            .map(Some)
            .ok_or_else(|| Error::JweInvalid(format!("\"{name}\" is not valid base64url"))),
    }
}

/// Runs key management for one recipient when encrypting. `shared_cek` is
/// the CEK of a multi-recipient JWE (absent: a fresh one is made, or for
/// direct modes derived).
pub(crate) fn encrypt_key(
    alg: JweAlg,
    enc: JweEnc,
    key: &Key,
    shared_cek: Option<&[u8]>,
    params: &KeyManagementParameters,
) -> Result<Recipient> {
    key.permit(Operation::Encrypt(alg))?;
    key.check_jwe_alg(alg, enc)?;
    let mut header = JweHeader::default();
    let cek_or_new = |cek: Option<&[u8]>| match cek {
        Some(cek) => Ok(Zeroizing::new(cek.to_vec())),
        None => content::generate_cek(enc),
    };
    match alg.mode() {
        Mode::Direct => {
            let cek = Zeroizing::new(secret_of(key, "\"dir\" with this \"enc\"")?.to_vec());
            if shared_cek.is_some_and(|shared| shared != cek.as_slice()) {
                return Err(Error::JweInvalid(
                    "\"dir\" cannot share a content key with other recipients".into(),
                ));
            }
            Ok(Recipient {
                cek,
                encrypted_key: Vec::new(),
                header,
            })
        }
        Mode::DirectAgreement | Mode::AgreementWithKeyWrap(_) => {
            let (curve, peer) = key.ecdh_public()?;
            let generated;
            let ephemeral = match &params.ephemeral_key {
                Some(fixed) => fixed.ecdh_private()?,
                None => {
                    generated = EcdhPrivate::generate(curve).map_err(|_| Error::Crypto("key generation failed"))?;
                    &generated
                }
            };
            if ephemeral.curve() != curve {
                return Err(Error::key_use("the ephemeral key must be on the recipient's curve"));
            }
            let shared = ecdh::ecdh(ephemeral, &peer).map_err(|_| Error::Crypto("key agreement failed"))?;
            let apu = params.apu.as_deref().unwrap_or_default();
            let apv = params.apv.as_deref().unwrap_or_default();
            header.epk = Some(Box::new(epk_jwk(ephemeral)?));
            header.apu = params.apu.as_deref().map(b64::encode);
            header.apv = params.apv.as_deref().map(b64::encode);
            match alg.mode() {
                Mode::AgreementWithKeyWrap(len) => {
                    let kek = derive(alg, enc, &shared, apu, apv, len)?;
                    let cek = cek_or_new(shared_cek)?;
                    let encrypted_key =
                        aes_kw::aes_kw_wrap(&kek, &cek).map_err(|_| Error::Crypto("key wrap failed"))?;
                    Ok(Recipient {
                        cek,
                        encrypted_key,
                        header,
                    })
                }
                _ => {
                    if shared_cek.is_some() {
                        return Err(Error::JweInvalid(
                            "\"ECDH-ES\" cannot share a content key with other recipients".into(),
                        ));
                    }
                    let cek = derive(alg, enc, &shared, apu, apv, enc.key_len())?;
                    Ok(Recipient {
                        cek,
                        encrypted_key: Vec::new(),
                        header,
                    })
                }
            }
        }
        Mode::RsaOaep(hash) => {
            let cek = cek_or_new(shared_cek)?;
            let encrypted_key = key
                .rsa_encryptor()?
                .encrypt_oaep(hash, &cek)
                .map_err(|_| Error::Crypto("RSA-OAEP encryption failed"))?;
            Ok(Recipient {
                cek,
                encrypted_key,
                header,
            })
        }
        Mode::RsaPkcs1 => Err(Error::NotSupported(
            "encrypting with RSA1_5: it is for decrypting old tokens only".into(),
        )),
        Mode::KeyWrap(_) => {
            let kek = secret_of(key, alg.name())?;
            let cek = cek_or_new(shared_cek)?;
            let encrypted_key = aes_kw::aes_kw_wrap(kek, &cek).map_err(|_| Error::Crypto("key wrap failed"))?;
            Ok(Recipient {
                cek,
                encrypted_key,
                header,
            })
        }
        Mode::GcmKeyWrap(_) => {
            let kek = secret_of(key, alg.name())?;
            let cek = cek_or_new(shared_cek)?;
            let iv = match &params.iv {
                Some(iv) => iv.clone(),
                None => random(12)?,
            };
            let (encrypted_key, tag) =
                aead::aes_gcm_seal(kek, &iv, &[], &cek).map_err(|_| Error::Crypto("key wrap failed"))?;
            header.iv = Some(b64::encode(&iv));
            header.tag = Some(b64::encode(&tag));
            Ok(Recipient {
                cek,
                encrypted_key,
                header,
            })
        }
        Mode::Pbes2(prf, len) => {
            let password = key
                .secret_bytes()
                .ok_or_else(|| Error::key_use("PBES2 needs a password (oct key)"))?;
            let p2s = match &params.p2s {
                Some(p2s) if p2s.len() >= MIN_P2S_LEN => p2s.clone(),
                Some(_) => {
                    return Err(Error::JweInvalid(format!(
                        "\"p2s\" must be at least {MIN_P2S_LEN} bytes"
                    )));
                }
                None => random(P2S_LEN)?,
            };
            let p2c = params.p2c.unwrap_or(DEFAULT_P2C);
            let kek = pbes2_key(alg, prf, len, password, &p2s, p2c)?;
            let cek = cek_or_new(shared_cek)?;
            let encrypted_key = aes_kw::aes_kw_wrap(&kek, &cek).map_err(|_| Error::Crypto("key wrap failed"))?;
            header.p2s = Some(b64::encode(&p2s));
            header.p2c = Some(p2c);
            Ok(Recipient {
                cek,
                encrypted_key,
                header,
            })
        }
    }
}

/// The key management parameters of a header, checked and decoded once
/// for every key that decryption tries. Absent ones are empty.
#[derive(Default)]
pub(crate) struct HeaderParameters {
    apu: Vec<u8>,
    apv: Vec<u8>,
    iv: Vec<u8>,
    tag: Vec<u8>,
    p2s: Vec<u8>,
    p2c: u64,
}

impl HeaderParameters {
    /// The PBKDF2 iterations each key tried costs: zero unless PBES2.
    pub(crate) fn pbes2_iterations(&self) -> u64 {
        self.p2c
    }
}

/// Checks header parameters that decide how much work decryption does,
/// before any of it happens (a huge `p2c` must not cost a second of CPU),
/// and decodes those the algorithm uses.
pub(crate) fn check_header(alg: JweAlg, header: &JweHeader, max_pbes2_count: u64) -> Result<HeaderParameters> {
    let mut params = HeaderParameters::default();
    match alg.mode() {
        Mode::Pbes2(..) => {
            let p2c = header
                .p2c
                .ok_or_else(|| Error::JweInvalid("PBES2 needs \"p2c\"".into()))?;
            if p2c > max_pbes2_count {
                return Err(Error::JweInvalid(format!(
                    "\"p2c\" of {p2c} exceeds the maximum of {max_pbes2_count}"
                )));
            }
            let p2s =
                decode_param(&header.p2s, "p2s")?.ok_or_else(|| Error::JweInvalid("PBES2 needs \"p2s\"".into()))?;
            if p2s.len() < MIN_P2S_LEN {
                return Err(Error::JweInvalid(format!(
                    "\"p2s\" must be at least {MIN_P2S_LEN} bytes"
                )));
            }
            params.p2c = p2c;
            params.p2s = p2s;
        }
        Mode::DirectAgreement | Mode::AgreementWithKeyWrap(_) => {
            if header.epk.is_none() {
                return Err(Error::JweInvalid("ECDH-ES needs \"epk\"".into()));
            }
            params.apu = decode_param(&header.apu, "apu")?.unwrap_or_default();
            params.apv = decode_param(&header.apv, "apv")?.unwrap_or_default();
        }
        Mode::GcmKeyWrap(_) => {
            params.iv = decode_param(&header.iv, "iv")?
                .ok_or_else(|| Error::JweInvalid("AES-GCM key wrap needs \"iv\"".into()))?;
            params.tag = decode_param(&header.tag, "tag")?
                .ok_or_else(|| Error::JweInvalid("AES-GCM key wrap needs \"tag\"".into()))?;
        }
        Mode::Direct | Mode::RsaOaep(_) | Mode::RsaPkcs1 | Mode::KeyWrap(_) => {}
    }
    Ok(params)
}

/// Recovers the CEK for one recipient. Every cryptographic failure is
/// [`Error::JweDecryptionFailed`]; for RSA1_5 a failure yields a random
/// CEK instead (RFC 7516 section 11.5), so that the content decryption
/// fails the same way and in the same time as with a wrong key.
pub(crate) fn decrypt_key(
    alg: JweAlg,
    enc: JweEnc,
    key: &Key,
    header: &JweHeader,
    params: &HeaderParameters,
    encrypted_key: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    key.permit(Operation::Decrypt(alg))?;
    key.check_jwe_alg(alg, enc)?;
    let failed = |_| Error::JweDecryptionFailed;
    let cek = match alg.mode() {
        Mode::Direct => {
            if !encrypted_key.is_empty() {
                return Err(Error::JweInvalid("\"dir\" must have an empty encrypted key".into()));
            }
            Zeroizing::new(secret_of(key, "\"dir\" with this \"enc\"")?.to_vec())
        }
        Mode::DirectAgreement | Mode::AgreementWithKeyWrap(_) => {
            let private = key.ecdh_private()?;
            let epk = header
                .epk
                .as_ref()
                .ok_or_else(|| Error::JweInvalid("ECDH-ES needs \"epk\"".into()))?;
            let peer = epk_point(epk, private.curve())?;
            // The epk is public, and so is whether it is a usable point: saying
            // so tells an attacker nothing about the recipient's key.
            let shared = ecdh::ecdh(private, &peer).map_err(|_| {
                Error::JweInvalid("\"epk\" is off the curve or of small order: no key agreement with it".into())
            })?;
            match alg.mode() {
                Mode::AgreementWithKeyWrap(len) => {
                    let kek = derive(alg, enc, &shared, &params.apu, &params.apv, len)?;
                    aes_kw::aes_kw_unwrap(&kek, encrypted_key).map_err(failed)?
                }
                _ => {
                    if !encrypted_key.is_empty() {
                        return Err(Error::JweInvalid("\"ECDH-ES\" must have an empty encrypted key".into()));
                    }
                    derive(alg, enc, &shared, &params.apu, &params.apv, enc.key_len())?
                }
            }
        }
        Mode::RsaOaep(hash) => key.rsa_decryptor()?.decrypt_oaep(hash, encrypted_key).map_err(failed)?,
        Mode::RsaPkcs1 => {
            let random_cek = content::generate_cek(enc)?;
            match key.rsa_decryptor()?.decrypt_pkcs1(encrypted_key) {
                Ok(cek) if cek.len() == enc.key_len() => cek,
                _ => random_cek,
            }
        }
        Mode::KeyWrap(_) => aes_kw::aes_kw_unwrap(secret_of(key, alg.name())?, encrypted_key).map_err(failed)?,
        Mode::GcmKeyWrap(_) => {
            let kek = secret_of(key, alg.name())?;
            aead::aes_gcm_open(kek, &params.iv, &[], encrypted_key, &params.tag).map_err(failed)?
        }
        Mode::Pbes2(prf, len) => {
            let password = key
                .secret_bytes()
                .ok_or_else(|| Error::key_use("PBES2 needs a password (oct key)"))?;
            let kek = pbes2_key(alg, prf, len, password, &params.p2s, params.p2c)?;
            aes_kw::aes_kw_unwrap(&kek, encrypted_key).map_err(failed)?
        }
    };
    if cek.len() != enc.key_len() {
        return Err(Error::JweDecryptionFailed);
    }
    Ok(cek)
}
