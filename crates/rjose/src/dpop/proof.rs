//! Creating a DPoP proof (RFC 9449 section 4.2): the client's side.

use serde_json::{Map, Value};

use super::htu::proof_htu;
use crate::alg::Alg;
use crate::b64;
use crate::backend::{self, Sha};
use crate::error::{Error, Result};
use crate::jwk::Jwk;
use crate::jws::{JwsHeader, sign_parts};
use crate::jwt::TimeInput;
use crate::jwt::time::{self, resolved};
use crate::key::Key;

/// The `typ` of every DPoP proof.
pub(super) const DPOP_TYP: &str = "dpop+jwt";

/// Random bytes in a generated `jti`: 128 bits, above the 96 RFC 9449
/// section 4.2 asks for.
const JTI_BYTES: usize = 16;

/// Builds and signs a DPoP proof for one HTTP request.
///
/// The header is `typ: dpop+jwt`, the key's `alg` and the key's public
/// half as `jwk` (its public members only: no `kid`, `use` or `key_ops`,
/// never a private member); the claims are `jti` (128 random bits unless
/// [`jti`](Self::jti) names one), `htm`, `htu` (without query, fragment or
/// credentials), `iat`, and `ath` and `nonce` when set.
///
/// ```
/// use rjose::{Alg, generate_key_pair, dpop::DpopProof};
///
/// let pair = generate_key_pair(Alg::ES256, Default::default())?;
/// let proof = DpopProof::new("GET", "https://api.example/orders?page=2")
///     .access_token("the-access-token")   // sets `ath`
///     .nonce("nonce-from-the-server")     // after a `use_dpop_nonce` answer
///     .sign(&pair.private_key)?;
/// assert_eq!(proof.split('.').count(), 3);
/// # Ok::<(), rjose::Error>(())
/// ```
///
/// Like every builder of the crate it never fails halfway: an input that
/// cannot be used (a method that is not an HTTP method token, a URI that is
/// not absolute `http(s)`, a time that does not resolve) is reported by
/// [`sign`](Self::sign) as [`Error::InvalidArgument`].
#[derive(Debug, Clone)]
pub struct DpopProof {
    htm: String,
    htu: String,
    alg: Option<Alg>,
    ath: Option<String>,
    nonce: Option<String>,
    jti: Option<String>,
    iat: Option<i64>,
    now: Option<i64>,
    pending: Option<Error>,
}

impl DpopProof {
    /// Starts a proof for a request with method `htm` (`"GET"`, `"POST"`;
    /// case-sensitive, as HTTP methods are) to the URI `htu`. The query
    /// and fragment of `htu` are left out of the proof.
    pub fn new(htm: impl Into<String>, htu: impl Into<String>) -> Self {
        DpopProof {
            htm: htm.into(),
            htu: htu.into(),
            alg: None,
            ath: None,
            nonce: None,
            jti: None,
            iat: None,
            now: None,
            pending: None,
        }
    }

    /// Binds the proof to the access token sent with the request: sets
    /// `ath` to its hash (see [`ath`]). Required when calling a resource
    /// server (RFC 9449 section 7).
    pub fn access_token(mut self, token: &str) -> Self {
        self.ath = Some(ath(token));
        self
    }

    /// Sets `nonce`: the latest `DPoP-Nonce` the server sent.
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = Some(nonce.into());
        self
    }

    /// Sets `jti` instead of a random one. It must be unique for the key
    /// within the proof's lifetime: servers refuse a `jti` seen before.
    pub fn jti(mut self, jti: impl Into<String>) -> Self {
        self.jti = Some(jti.into());
        self
    }

    /// Signs with `alg`, for a key that serves several (an RSA key:
    /// `RS256`, `PS256`...). Otherwise the key's own
    /// ([`Key::default_jws_alg`]) is used.
    pub fn alg(mut self, alg: Alg) -> Self {
        self.alg = Some(alg);
        self
    }

    /// Fixes the clock used for `iat` and relative times (tests, replays).
    /// Defaults to the system clock at the time of each call.
    pub fn clock(mut self, now: impl TimeInput) -> Self {
        match resolved("clock", now.resolve(time::now())) {
            Ok(now) => self.now = Some(now),
            Err(e) => self.defer(e),
        }
        self
    }

    /// Sets `iat`: Unix seconds, a `SystemTime`, or a span relative to now
    /// (`"10s ago"`). Defaults to the time of [`sign`](Self::sign).
    pub fn issued_at(mut self, time: impl TimeInput) -> Self {
        match resolved("\"iat\"", time.resolve(self.now())) {
            Ok(at) => self.iat = Some(at),
            Err(e) => self.defer(e),
        }
        self
    }

    /// Signs the proof with `key`, a private asymmetric key.
    ///
    /// Errors: the first bad builder input as [`Error::InvalidArgument`];
    /// an HMAC secret, a public key, or a key that cannot serve the named
    /// `alg` as [`Error::InvalidKeyUse`]; a MAC named with
    /// [`alg`](Self::alg) as [`Error::AlgNotAllowed`]; an RSA key with no
    /// `alg` named as [`Error::InvalidArgument`].
    pub fn sign(&self, key: &Key) -> Result<String> {
        if let Some(e) = &self.pending {
            return Err(e.clone());
        }
        if !is_http_method(&self.htm) {
            return Err(Error::InvalidArgument(format!(
                "htm {:?} is not an HTTP method token",
                self.htm
            )));
        }
        let htu = proof_htu(&self.htu).map_err(|e| Error::InvalidArgument(format!("htu: {e}")))?;
        if key.is_symmetric() {
            return Err(Error::key_use(
                "a DPoP proof is signed with an asymmetric key, not an HMAC secret (RFC 9449 section 4.2)",
            ));
        }
        if !key.is_private() {
            return Err(Error::key_use(
                "a DPoP proof is signed with a private key; this one is public",
            ));
        }
        let alg = self.alg.or_else(|| key.default_jws_alg()).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "the {} key serves several algorithms: name one with DpopProof::alg",
                key.kty()
            ))
        })?;
        if alg.is_symmetric() {
            return Err(Error::alg_refused(
                alg.name(),
                "a DPoP proof is signed with an asymmetric algorithm (RFC 9449 section 4.2)",
            ));
        }
        let header = JwsHeader {
            jwk: Some(Box::new(proof_jwk(key)?)),
            ..JwsHeader::new(alg).typ(DPOP_TYP)
        };
        let jti = match &self.jti {
            Some(jti) => jti.clone(),
            None => random_jti()?,
        };
        let mut claims = Map::new();
        claims.insert("jti".into(), Value::String(jti));
        claims.insert("htm".into(), Value::String(self.htm.clone()));
        claims.insert("htu".into(), Value::String(htu));
        claims.insert("iat".into(), self.iat.unwrap_or_else(|| self.now()).into());
        if let Some(ath) = &self.ath {
            claims.insert("ath".into(), Value::String(ath.clone()));
        }
        if let Some(nonce) = &self.nonce {
            claims.insert("nonce".into(), Value::String(nonce.clone()));
        }
        // A map of strings and integers always serializes.
        let payload = serde_json::to_vec(&claims).unwrap_or_default();
        sign_parts(&payload, Some(&header), None, None, key)?.into_compact(false)
    }

    fn now(&self) -> i64 {
        self.now.unwrap_or_else(time::now)
    }

    fn defer(&mut self, e: Error) {
        self.pending.get_or_insert(e);
    }
}

/// The `ath` of an access token (RFC 9449 section 4.2): the base64url
/// SHA-256 of its ASCII text, as a proof sent with that token must carry.
///
/// ```
/// // RFC 9449 Figures 13 and 14
/// assert_eq!(
///     rjose::dpop::ath("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"),
///     "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"
/// );
/// ```
pub fn ath(access_token: &str) -> String {
    b64::encode(&backend::digest::sha2(Sha::Sha256, access_token.as_bytes()))
}

/// An HTTP method (RFC 9110 section 9.1): a non-empty `token`.
pub(super) fn is_http_method(method: &str) -> bool {
    !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The key's public half with its key-type members only: a proof's `jwk`
/// says which key signed, and a `use` or `key_ops` copied from the private
/// key (`["sign"]`) would stop a verifier from using it.
fn proof_jwk(key: &Key) -> Result<Jwk> {
    let public = key.to_public_jwk()?;
    let mut jwk = Jwk::default();
    jwk.kty.clone_from(&public.kty);
    jwk.crv.clone_from(&public.crv);
    jwk.x.clone_from(&public.x);
    jwk.y.clone_from(&public.y);
    jwk.n.clone_from(&public.n);
    jwk.e.clone_from(&public.e);
    jwk.public.clone_from(&public.public);
    if jwk.kty == "AKP" {
        // An ML-DSA key's parameter set is its `alg` (and part of its thumbprint).
        jwk.alg.clone_from(&public.alg);
    }
    Ok(jwk)
}

fn random_jti() -> Result<String> {
    let mut bytes = [0u8; JTI_BYTES];
    backend::rand::fill(&mut bytes).map_err(|_| Error::Crypto("random generation failed"))?;
    Ok(b64::encode(&bytes))
}
