//! Verifying a DPoP proof against the request it came with (RFC 9449
//! section 4.3): the server's side.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::DpopFailure;
use super::htu::Htu;
use super::proof::{DPOP_TYP, ath, is_http_method};
use super::replay::{JtiStatus, JtiStore};
use crate::alg::Alg;
use crate::b64;
use crate::backend::{self, Sha};
use crate::error::{Error, Result};
use crate::json::JsonObject;
use crate::jwk::Jwk;
use crate::jws::{JwsHeader, JwsPolicy, PendingVerification, Protected, SigningInput, split};
use crate::jwt::time::{self, resolved};
use crate::jwt::{SpanInput, TimeInput};
use crate::key::{Digest, Key, KeyCandidates};

/// The algorithms a proof may use unless the options narrow them: every
/// asymmetric signature algorithm this library implements. MACs and
/// `none` are never accepted (RFC 9449 section 4.2).
///
/// A resource server lists the ones it accepts in its challenge,
/// `WWW-Authenticate: DPoP algs="..."` (RFC 9449 section 7.1):
///
/// ```
/// use rjose::dpop::DpopVerifyOptions;
///
/// let options = DpopVerifyOptions::new("GET", "https://api.example/");
/// let algs = options.algorithms.iter().map(|alg| alg.name()).collect::<Vec<_>>().join(" ");
/// assert!(algs.starts_with("RS256 RS384 RS512 PS256") && !algs.contains("HS"));
/// ```
pub const DEFAULT_DPOP_ALGORITHMS: [Alg; 15] = [
    Alg::RS256,
    Alg::RS384,
    Alg::RS512,
    Alg::PS256,
    Alg::PS384,
    Alg::PS512,
    Alg::ES256,
    Alg::ES384,
    Alg::ES512,
    Alg::ES256K,
    Alg::EdDSA,
    Alg::Ed25519,
    Alg::ML_DSA_44,
    Alg::ML_DSA_65,
    Alg::ML_DSA_87,
];

/// How long after its `iat` a proof is accepted by default: 5 minutes.
///
/// ```
/// let options = rjose::dpop::DpopVerifyOptions::new("GET", "https://api.example/");
/// assert_eq!(options.max_age, rjose::dpop::DEFAULT_MAX_AGE);
/// ```
pub const DEFAULT_MAX_AGE: u64 = 300;

/// The default leeway for the client's clock, either way: 30 seconds.
///
/// ```
/// let options = rjose::dpop::DpopVerifyOptions::new("GET", "https://api.example/");
/// assert_eq!(options.clock_tolerance, rjose::dpop::DEFAULT_CLOCK_TOLERANCE);
/// ```
pub const DEFAULT_CLOCK_TOLERANCE: u64 = 30;

/// What a DPoP proof must match: the request it came with, and the
/// server's policy.
///
/// A proof is accepted from `clock_tolerance` before its `iat` until
/// `max_age + clock_tolerance` after it (5 minutes and 30 seconds by
/// default); a replay store must remember its `jti` that long (see
/// [`VerifiedProof::replay_expires_at`]).
///
/// ```
/// use rjose::{Alg, dpop::DpopVerifyOptions};
///
/// let options = DpopVerifyOptions::new("POST", "https://as.example/token")
///     .algorithms([Alg::ES256, Alg::EdDSA])
///     .max_age("2m")
///     .clock_tolerance("10s")
///     .nonce("the-nonce-this-server-issued");
/// assert_eq!(options.max_age, 120);
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct DpopVerifyOptions {
    /// The request's method (`GET`, `POST`...), compared with `htm` as is.
    pub htm: String,
    /// The request's URI as the client addressed it (scheme, host, port,
    /// path; the query and fragment are ignored).
    pub htu: String,
    /// Accepted algorithms (default [`DEFAULT_DPOP_ALGORITHMS`]); a MAC
    /// here is refused by [`verify_proof`] as an invalid argument.
    pub algorithms: Vec<Alg>,
    /// How long after its `iat` a proof is accepted, in seconds.
    pub max_age: u64,
    /// Leeway for the client's clock, in seconds, either way.
    pub clock_tolerance: u64,
    /// The time to check against, Unix seconds; the system clock if unset.
    pub current_time: Option<i64>,
    /// The `ath` the proof must carry: the hash of the access token sent
    /// with the request (set by [`access_token`](Self::access_token)).
    pub ath: Option<String>,
    /// The thumbprint the proof's key must have: the `cnf.jkt` of the
    /// access token (or of the refresh token's binding).
    pub expected_jkt: Option<String>,
    nonce: NonceRule,
    /// The first setter input that did not resolve.
    pending: Option<Error>,
}

/// Which `nonce` the server accepts.
#[derive(Clone, Default)]
enum NonceRule {
    #[default]
    Any,
    Exactly(String),
    Check(Arc<dyn Fn(&str) -> bool + Send + Sync>),
}

impl fmt::Debug for DpopVerifyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nonce = match &self.nonce {
            NonceRule::Any => "not required",
            NonceRule::Exactly(_) => "required: one value",
            NonceRule::Check(_) => "required: checked by a function",
        };
        f.debug_struct("DpopVerifyOptions")
            .field("htm", &self.htm)
            .field("htu", &self.htu)
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("clock_tolerance", &self.clock_tolerance)
            .field("current_time", &self.current_time)
            .field("ath", &self.ath)
            .field("expected_jkt", &self.expected_jkt)
            .field("nonce", &nonce)
            .field("pending", &self.pending)
            .finish()
    }
}

impl DpopVerifyOptions {
    /// Options for a request with method `htm` to the URI `htu`, with the
    /// default algorithms and time window, no nonce, no access token.
    pub fn new(htm: impl Into<String>, htu: impl Into<String>) -> Self {
        DpopVerifyOptions {
            htm: htm.into(),
            htu: htu.into(),
            algorithms: DEFAULT_DPOP_ALGORITHMS.to_vec(),
            max_age: DEFAULT_MAX_AGE,
            clock_tolerance: DEFAULT_CLOCK_TOLERANCE,
            current_time: None,
            ath: None,
            expected_jkt: None,
            nonce: NonceRule::Any,
            pending: None,
        }
    }

    /// Narrows the accepted algorithms (a server answers them in its
    /// `WWW-Authenticate: DPoP algs="..."`).
    pub fn algorithms(mut self, algorithms: impl IntoIterator<Item = Alg>) -> Self {
        self.algorithms = algorithms.into_iter().collect();
        self
    }

    /// How long after its `iat` a proof is accepted (`"5m"`, a
    /// `Duration`, or seconds).
    pub fn max_age(mut self, age: impl SpanInput) -> Self {
        match resolved("max_age", age.seconds()) {
            Ok(age) => self.max_age = age,
            Err(e) => self.defer(e),
        }
        self
    }

    /// Leeway for the client's clock, either way (`"30s"`, a `Duration`,
    /// or seconds).
    pub fn clock_tolerance(mut self, tolerance: impl SpanInput) -> Self {
        match resolved("clock_tolerance", tolerance.seconds()) {
            Ok(tolerance) => self.clock_tolerance = tolerance,
            Err(e) => self.defer(e),
        }
        self
    }

    /// Checks `iat` against this time instead of the system clock.
    pub fn current_time(mut self, now: impl TimeInput) -> Self {
        match resolved("current_time", now.resolve(time::now())) {
            Ok(now) => self.current_time = Some(now),
            Err(e) => self.defer(e),
        }
        self
    }

    /// Requires `nonce` to be exactly `nonce`, the one this server issued.
    /// A proof without one fails with [`DpopFailure::NonceMissing`], one
    /// with another with [`DpopFailure::NonceMismatch`]; both are answered
    /// with `use_dpop_nonce` and a fresh `DPoP-Nonce`.
    pub fn nonce(mut self, nonce: impl Into<String>) -> Self {
        self.nonce = NonceRule::Exactly(nonce.into());
        self
    }

    /// Requires a `nonce` that `accept` returns `true` for: a server that
    /// rotates nonces accepts the current one and the previous one, or
    /// checks a nonce it sealed itself.
    ///
    /// ```
    /// use rjose::dpop::DpopVerifyOptions;
    ///
    /// let (current, previous) = ("n-2".to_owned(), "n-1".to_owned());
    /// let options = DpopVerifyOptions::new("GET", "https://api.example/")
    ///     .nonce_check(move |nonce| nonce == current || nonce == previous);
    /// # let _ = options;
    /// ```
    pub fn nonce_check(mut self, accept: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.nonce = NonceRule::Check(Arc::new(accept));
        self
    }

    /// The access token the request carries: the proof must carry its
    /// hash as `ath` (RFC 9449 section 4.3, check 12).
    pub fn access_token(mut self, token: &str) -> Self {
        self.ath = Some(ath(token));
        self
    }

    /// The thumbprint the proof's key must have: the `cnf.jkt` of the
    /// DPoP-bound token presented with it (see also
    /// [`VerifiedProof::check_binding`] and [`confirmation_jkt`]).
    pub fn expected_jkt(mut self, jkt: impl Into<String>) -> Self {
        self.expected_jkt = Some(jkt.into());
        self
    }

    fn defer(&mut self, e: Error) {
        self.pending.get_or_insert(e);
    }

    /// The inputs that cannot be checked against: reported before the
    /// proof is looked at.
    fn ready(&self) -> Result<Htu> {
        if let Some(e) = &self.pending {
            return Err(e.clone());
        }
        if !is_http_method(&self.htm) {
            return Err(Error::InvalidArgument(format!(
                "htm {:?} is not an HTTP method token",
                self.htm
            )));
        }
        if let Some(mac) = self.algorithms.iter().find(|alg| alg.is_symmetric()) {
            return Err(Error::InvalidArgument(format!(
                "{mac} cannot verify a DPoP proof: proofs are signed with asymmetric keys"
            )));
        }
        Htu::parse(&self.htu).map_err(|e| Error::InvalidArgument(format!("htu: {e}")))
    }
}

/// A DPoP proof that passed every check of [`verify_proof`]: who signed it
/// and what it says.
///
/// What is left to the caller: [`check_replay`](Self::check_replay) (after
/// every other check, so that a proof that fails them cannot fill the
/// store), and, at a resource server, the binding of the access token
/// ([`check_binding`](Self::check_binding), unless
/// [`DpopVerifyOptions::expected_jkt`] already checked it).
///
/// ```
/// use rjose::{Alg, generate_key_pair, dpop::{DpopProof, DpopVerifyOptions, verify_proof}};
///
/// let pair = generate_key_pair(Alg::ES256, Default::default())?;
/// let proof = DpopProof::new("POST", "https://as.example/token").clock(1_700_000_000).sign(&pair.private_key)?;
/// let options = DpopVerifyOptions::new("POST", "https://as.example/token").current_time(1_700_000_001);
/// let verified = verify_proof(&proof, &options)?;
/// assert_eq!((verified.htm(), verified.htu(), verified.iat()), ("POST", "https://as.example/token", 1_700_000_000));
/// assert_eq!(verified.header().typ.as_deref(), Some("dpop+jwt"));
/// assert_eq!(verified.replay_expires_at(), 1_700_000_000 + 300 + 30 + 1);
/// assert_eq!(verified.nonce(), None);
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct VerifiedProof {
    header: JwsHeader,
    claims: JsonObject,
    key: Key,
    jkt: String,
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    verified_at: i64,
    replay_expires_at: i64,
    replay_key: String,
}

impl VerifiedProof {
    /// The protected header.
    pub fn header(&self) -> &JwsHeader {
        &self.header
    }

    /// Every claim of the proof, including extensions.
    pub fn claims(&self) -> &JsonObject {
        &self.claims
    }

    /// The public key the proof was signed with (from its `jwk`).
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// The key's RFC 7638 SHA-256 thumbprint: the `jkt` an authorization
    /// server puts in the `cnf` of the tokens it binds to this key.
    pub fn jkt(&self) -> &str {
        &self.jkt
    }

    /// `jti`.
    pub fn jti(&self) -> &str {
        &self.jti
    }

    /// `htm`.
    pub fn htm(&self) -> &str {
        &self.htm
    }

    /// `htu`, as the proof carries it.
    pub fn htu(&self) -> &str {
        &self.htu
    }

    /// `iat`, Unix seconds.
    pub fn iat(&self) -> i64 {
        self.iat
    }

    /// `nonce`, if the proof carries one.
    pub fn nonce(&self) -> Option<&str> {
        self.claims.get("nonce").and_then(Value::as_str)
    }

    /// `ath`, if the proof carries one.
    pub fn ath(&self) -> Option<&str> {
        self.claims.get("ath").and_then(Value::as_str)
    }

    /// The time the proof was checked against, Unix seconds.
    pub fn verified_at(&self) -> i64 {
        self.verified_at
    }

    /// The key under which a replay store records this proof: the
    /// base64url SHA-256 of the key's thumbprint, the normalized request
    /// URI and the `jti`. Scoping `jti` by key and URI follows RFC 9449
    /// section 11.1 (a `jti` is unique "in the context of the target
    /// URI"), keeps one client's `jti` from colliding with another's, and
    /// fixes the size of an entry whatever the size of the `jti`.
    pub fn replay_key(&self) -> &str {
        &self.replay_key
    }

    /// Until when (Unix seconds, exclusive) a replay store must remember
    /// this proof: the first second at which it would be refused as too
    /// old.
    pub fn replay_expires_at(&self) -> i64 {
        self.replay_expires_at
    }

    /// Records the proof's `jti` in `store`, and refuses the proof if it
    /// was there: [`DpopFailure::Replayed`]. Call it after every other
    /// check has passed, once per request.
    ///
    /// ```
    /// use rjose::{Alg, generate_key_pair, dpop::{DpopFailure, DpopProof, DpopVerifyOptions, InMemoryJtiStore, verify_proof}};
    ///
    /// let pair = generate_key_pair(Alg::ES256, Default::default())?;
    /// let proof = DpopProof::new("GET", "https://api.example/a").sign(&pair.private_key)?;
    /// let options = DpopVerifyOptions::new("GET", "https://api.example/a");
    /// let store = InMemoryJtiStore::default();
    ///
    /// verify_proof(&proof, &options)?.check_replay(&store)?;
    /// let again = verify_proof(&proof, &options)?.check_replay(&store).unwrap_err();
    /// assert_eq!(again.code(), DpopFailure::Replayed.code());
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn check_replay(&self, store: &(impl JtiStore + ?Sized)) -> Result<()> {
        match store.insert_if_absent(&self.replay_key, self.replay_expires_at, self.verified_at)? {
            JtiStatus::Fresh => Ok(()),
            JtiStatus::Replayed => Err(Error::dpop(
                DpopFailure::Replayed,
                format!("\"jti\" {:?} was used before", self.jti),
            )),
        }
    }

    /// Checks that the access token whose verified claims are given is
    /// bound to this proof's key: its `cnf.jkt` is [`jkt`](Self::jkt).
    /// A token without `cnf.jkt` is not DPoP-bound and fails too.
    ///
    /// ```
    /// use rjose::{Alg, generate_key_pair, dpop::{DpopProof, DpopVerifyOptions, verify_proof}};
    ///
    /// let pair = generate_key_pair(Alg::ES256, Default::default())?;
    /// let proof = DpopProof::new("GET", "https://api.example/a").access_token("at").sign(&pair.private_key)?;
    /// let verified = verify_proof(&proof, &DpopVerifyOptions::new("GET", "https://api.example/a").access_token("at"))?;
    ///
    /// let claims = serde_json::json!({ "sub": "u1", "cnf": { "jkt": verified.jkt() } });
    /// verified.check_binding(claims.as_object().unwrap())?;
    /// let unbound = serde_json::json!({ "sub": "u1" });
    /// assert_eq!(verified.check_binding(unbound.as_object().unwrap()).unwrap_err().code(), "ERR_DPOP_BINDING_MISMATCH");
    /// # Ok::<(), rjose::Error>(())
    /// ```
    pub fn check_binding(&self, token_claims: &Map<String, Value>) -> Result<()> {
        match confirmation_jkt(token_claims) {
            Some(jkt) => check_jkt(jkt, &self.jkt),
            None => Err(Error::dpop(
                DpopFailure::BindingMismatch,
                "the access token is not DPoP-bound: it has no \"cnf\".\"jkt\"",
            )),
        }
    }
}

/// The `cnf.jkt` of a token's claims (RFC 9449 section 6.1), or of a
/// token introspection response: the thumbprint of the key the token is
/// bound to. `None` for a token that is not DPoP-bound, which a resource
/// server accepts only as a bearer token, and a DPoP-bound one never as a
/// bearer token (RFC 9449 section 7.2).
///
/// ```
/// let claims = serde_json::json!({ "cnf": { "jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I" } });
/// assert_eq!(
///     rjose::dpop::confirmation_jkt(claims.as_object().unwrap()),
///     Some("0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I")
/// );
/// ```
pub fn confirmation_jkt(claims: &Map<String, Value>) -> Option<&str> {
    claims.get("cnf")?.get("jkt")?.as_str()
}

/// Verifies a DPoP proof against the request it came with.
///
/// The checks of RFC 9449 section 4.3, in this order, each failing with its
/// own [`DpopFailure`]: one compact JWT; `typ` exactly `dpop+jwt`; `alg`
/// asymmetric and accepted; `jwk` present, public, and a key that serves
/// `alg`; the signature, with that key; `jti`, `htm`, `htu` and `iat`
/// present; `htm` equal to the request's method; `htu` equal to its URI
/// after normalization, ignoring query and fragment; `iat` within the
/// window; `nonce` when required; `ath` when an access token is given; the
/// key's thumbprint when one is expected. Replay is checked afterwards,
/// with [`VerifiedProof::check_replay`].
///
/// Bad options (an unparseable `htu`, a MAC among the algorithms, a span
/// that does not parse) are [`Error::InvalidArgument`], reported before
/// the proof is read.
///
/// ```
/// use rjose::{Alg, generate_key_pair, dpop::{DpopProof, DpopVerifyOptions, verify_proof}};
///
/// let pair = generate_key_pair(Alg::EdDSA, Default::default())?;
/// let proof = DpopProof::new("POST", "https://as.example/token").sign(&pair.private_key)?;
///
/// let verified = verify_proof(&proof, &DpopVerifyOptions::new("POST", "https://AS.example:443/token?x=1"))?;
/// assert_eq!(verified.jkt(), pair.public_key.thumbprint(rjose::Digest::Sha256)?);
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn verify_proof(proof: &str, options: &DpopVerifyOptions) -> Result<VerifiedProof> {
    let expected_htu = options.ready()?;
    let now = options.current_time.unwrap_or_else(time::now);

    let parts = split(proof).map_err(malformed)?;
    let protected = Protected::parse(parts.header).map_err(|e| match e {
        // A name no algorithm has (`none` among them).
        Error::AlgNotAllowed { alg, .. } => Error::dpop(
            DpopFailure::AlgNotAllowed,
            format!("\"alg\" {alg:?} is not an accepted algorithm"),
        ),
        other => malformed(other),
    })?;
    let (alg, key) = check_header(&protected.header, options)?;

    let policy = JwsPolicy {
        algorithms: Some(std::slice::from_ref(&alg)),
        crit: &[],
    };
    let pending = PendingVerification::new(
        Some(protected),
        None,
        parts.payload.as_bytes(),
        parts.signature,
        Some(SigningInput(Cow::Borrowed(parts.signing_input))),
        policy,
    )
    .map_err(malformed)?;
    let key = pending.verify_with(KeyCandidates::Owned(key), policy).map_err(|_| {
        Error::dpop(
            DpopFailure::SignatureInvalid,
            "the signature does not verify with \"jwk\"",
        )
    })?;
    let verified = pending.into_verified(key).map_err(malformed)?;
    let claims = crate::json::strict::parse_object(&verified.payload)
        .map_err(|e| Error::dpop(DpopFailure::Malformed, format!("the claims are not a JSON object: {e}")))?;
    let header = verified.protected_header.unwrap_or_default();
    let key = verified.key;

    let jti = string_claim(&claims, "jti")?;
    let htm = string_claim(&claims, "htm")?;
    let htu = string_claim(&claims, "htu")?;
    let iat = iat_claim(&claims)?;
    if jti.is_empty() {
        return Err(Error::dpop(DpopFailure::Malformed, "\"jti\" is empty"));
    }

    if htm != options.htm {
        return Err(Error::dpop(
            DpopFailure::HtmMismatch,
            format!("\"htm\" is {htm:?}, the request's method is {:?}", options.htm),
        ));
    }
    match Htu::parse(htu) {
        Ok(claimed) if claimed == expected_htu => {}
        Ok(claimed) => {
            return Err(Error::dpop(
                DpopFailure::HtuMismatch,
                format!("\"htu\" is {claimed}, the request's URI is {expected_htu}"),
            ));
        }
        Err(e) => return Err(Error::dpop(DpopFailure::HtuMismatch, format!("\"htu\": {e}"))),
    }
    check_iat(iat, now, options)?;
    check_nonce(&claims, &options.nonce)?;
    if let Some(expected) = &options.ath {
        check_ath(&claims, expected)?;
    }
    let jkt = key.thumbprint(Digest::Sha256)?;
    if let Some(expected) = &options.expected_jkt {
        check_jkt(expected, &jkt)?;
    }

    let replay_key = replay_key(&jkt, &expected_htu, jti);
    let lifetime = i64::try_from(options.max_age.saturating_add(options.clock_tolerance)).unwrap_or(i64::MAX);
    Ok(VerifiedProof {
        jti: jti.to_owned(),
        htm: htm.to_owned(),
        htu: htu.to_owned(),
        iat,
        verified_at: now,
        replay_expires_at: iat.saturating_add(lifetime).saturating_add(1),
        replay_key,
        header,
        claims,
        key,
        jkt,
    })
}

/// The header checks that need no signature: `typ`, `alg`, `jwk`. Returns
/// the algorithm and the key to verify with.
fn check_header(header: &JwsHeader, options: &DpopVerifyOptions) -> Result<(Alg, Key)> {
    if header.typ.as_deref() != Some(DPOP_TYP) {
        return Err(Error::dpop(
            DpopFailure::TypMismatch,
            format!(
                "\"typ\" is {:?}, not \"{DPOP_TYP}\"",
                header.typ.as_deref().unwrap_or_default()
            ),
        ));
    }
    if header.b64 == Some(false) {
        // RFC 7797 section 7: a JWT's payload is always base64url-encoded.
        return Err(Error::dpop(
            DpopFailure::Malformed,
            "a JWT cannot have an unencoded payload (b64: false)",
        ));
    }
    let alg = header
        .alg
        .ok_or_else(|| Error::dpop(DpopFailure::Malformed, "\"alg\" header parameter is missing"))?;
    if alg.is_symmetric() || !options.algorithms.contains(&alg) {
        return Err(Error::dpop(
            DpopFailure::AlgNotAllowed,
            format!("\"alg\" {alg} is not an accepted algorithm"),
        ));
    }
    let jwk = header
        .jwk
        .as_deref()
        .ok_or_else(|| Error::dpop(DpopFailure::JwkInvalid, "\"jwk\" header parameter is missing"))?;
    if has_private_member(jwk) {
        return Err(Error::dpop(DpopFailure::JwkInvalid, "\"jwk\" carries a private key"));
    }
    let key = Key::from_jwk(jwk).map_err(|e| Error::dpop(DpopFailure::JwkInvalid, format!("\"jwk\": {e}")))?;
    if key.is_symmetric() {
        return Err(Error::dpop(DpopFailure::JwkInvalid, "\"jwk\" is a symmetric key"));
    }
    if !key.supports(alg) {
        return Err(Error::dpop(
            DpopFailure::JwkInvalid,
            format!("\"jwk\" cannot verify {alg}: {}", key.refusal(alg)),
        ));
    }
    Ok((alg, key))
}

/// Any private member RFC 7517/7518/8037 or the ML-DSA draft defines,
/// including an RSA key's CRT parameters without its `d`.
fn has_private_member(jwk: &Jwk) -> bool {
    jwk.is_private() || [&jwk.p, &jwk.q, &jwk.dp, &jwk.dq, &jwk.qi].iter().any(|m| m.is_some()) || jwk.oth.is_some()
}

fn malformed(e: Error) -> Error {
    Error::dpop(DpopFailure::Malformed, e.to_string())
}

fn string_claim<'c>(claims: &'c JsonObject, name: &str) -> Result<&'c str> {
    match claims.get(name) {
        Some(Value::String(value)) => Ok(value),
        Some(_) => Err(Error::dpop(
            DpopFailure::Malformed,
            format!("\"{name}\" is not a string"),
        )),
        None => Err(Error::dpop(DpopFailure::ClaimMissing, format!("\"{name}\" is missing"))),
    }
}

/// `iat` as a NumericDate: a JSON number, fractional seconds rounded down.
fn iat_claim(claims: &JsonObject) -> Result<i64> {
    match claims.get("iat") {
        Some(Value::Number(n)) => n
            .as_i64()
            // The strict parser keeps numbers in f64 range; `as` saturates.
            .or_else(|| n.as_f64().map(|f| f.floor() as i64))
            .ok_or_else(|| Error::dpop(DpopFailure::Malformed, "\"iat\" is not a NumericDate")),
        Some(_) => Err(Error::dpop(DpopFailure::Malformed, "\"iat\" is not a number")),
        None => Err(Error::dpop(DpopFailure::ClaimMissing, "\"iat\" is missing")),
    }
}

/// `iat` within the window: from `max_age + clock_tolerance` before `now`
/// to `clock_tolerance` after.
fn check_iat(iat: i64, now: i64, options: &DpopVerifyOptions) -> Result<()> {
    let seconds = |s: u64| i64::try_from(s).unwrap_or(i64::MAX);
    let tolerance = seconds(options.clock_tolerance);
    let oldest = now.saturating_sub(seconds(options.max_age)).saturating_sub(tolerance);
    if iat < oldest {
        return Err(Error::dpop(
            DpopFailure::IatOutOfWindow,
            format!(
                "\"iat\" is {} old, more than the {} accepted",
                time::human(now.saturating_sub(iat)),
                time::human(now.saturating_sub(oldest))
            ),
        ));
    }
    if iat > now.saturating_add(tolerance) {
        return Err(Error::dpop(
            DpopFailure::IatOutOfWindow,
            format!("\"iat\" is {} in the future", time::human(iat.saturating_sub(now))),
        ));
    }
    Ok(())
}

fn check_ath(claims: &JsonObject, expected: &str) -> Result<()> {
    match claims.get("ath") {
        Some(Value::String(ath)) if ath == expected => Ok(()),
        Some(_) => Err(Error::dpop(
            DpopFailure::AthMismatch,
            "\"ath\" is not the access token's hash",
        )),
        None => Err(Error::dpop(
            DpopFailure::AthMismatch,
            "\"ath\" is missing: the proof is not bound to the access token",
        )),
    }
}

fn check_nonce(claims: &JsonObject, rule: &NonceRule) -> Result<()> {
    if matches!(rule, NonceRule::Any) {
        return Ok(());
    }
    let nonce = match claims.get("nonce") {
        Some(Value::String(nonce)) => nonce,
        Some(_) => return Err(Error::dpop(DpopFailure::NonceMismatch, "\"nonce\" is not a string")),
        None => {
            return Err(Error::dpop(
                DpopFailure::NonceMissing,
                "the server requires a \"nonce\" and the proof has none",
            ));
        }
    };
    let accepted = match rule {
        NonceRule::Any => true,
        NonceRule::Exactly(expected) => nonce == expected,
        NonceRule::Check(accept) => accept(nonce),
    };
    if accepted {
        Ok(())
    } else {
        Err(Error::dpop(
            DpopFailure::NonceMismatch,
            "\"nonce\" is not one the server accepts (stale or wrong)",
        ))
    }
}

fn check_jkt(expected: &str, actual: &str) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::dpop(
            DpopFailure::BindingMismatch,
            format!("the token is bound to the key {expected:?}, the proof is signed by {actual:?}"),
        ))
    }
}

/// See [`VerifiedProof::replay_key`]: each part length-prefixed, so no two
/// triples hash the same input.
fn replay_key(jkt: &str, htu: &Htu, jti: &str) -> String {
    let htu = htu.to_string();
    let mut input = Vec::with_capacity(24 + jkt.len() + htu.len() + jti.len());
    for part in [jkt, htu.as_str(), jti] {
        input.extend_from_slice(&(part.len() as u64).to_be_bytes());
        input.extend_from_slice(part.as_bytes());
    }
    b64::encode(&backend::digest::sha2(Sha::Sha256, &input))
}
