//! Encrypted JWTs (RFC 7519 section 5.2 with a JWE), and nested JWTs
//! (signed, then encrypted).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::builder::ClaimSet;
use super::claims::{RegisteredClaims, ValidatedPayload};
use super::verify::{VerifiedJwt, VerifyOptions, check_registered, jwt_verify};
use crate::error::{Error, Result};
use crate::json::JsonObject;
use crate::jwe::{CompactEncrypt, DecryptedJwe, JweDecryptOptions, JweHeader, compact_decrypt, compact_decrypt_async};
use crate::key::{AsyncKeySource, Key, KeySource};

/// Builds and encrypts a JWT, in the spirit of the JS library's
/// `EncryptJWT`: the same claim setters as [`SignJwt`](super::SignJwt).
///
/// ```
/// use rjose::jwe::{JweAlg, JweEnc, JweHeader};
/// use rjose::jwt::{DecryptOptions, EncryptJwt, jwt_decrypt};
///
/// let key = rjose::generate_secret(JweAlg::A256KW)?;
/// let token = EncryptJwt::default()
///     .claim("email", "ada@example.com")
///     .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM))
///     .issuer("https://app.example")
///     .replicate_issuer_as_header()
///     .expiration_time("1h")
///     .encrypt(&key)?;
/// let decrypted = jwt_decrypt::<rjose::JsonObject>(&token, &key, &DecryptOptions::new())?;
/// assert_eq!(decrypted.claims["email"], "ada@example.com");
/// # Ok::<(), rjose::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct EncryptJwt {
    claims: ClaimSet,
    header: JweHeader,
    now: Option<i64>,
    replicate: [bool; 3],
}

impl EncryptJwt {
    /// Starts a token with the custom claims of `claims`, which must
    /// serialize to a JSON object (a struct or a map); anything else is
    /// reported as [`Error::InvalidArgument`] by the call that finishes
    /// the token.
    pub fn new<T: Serialize + ?Sized>(claims: &T) -> Self {
        EncryptJwt {
            claims: ClaimSet::from_serialize(claims),
            ..Self::default()
        }
    }

    /// Starts a token from a JSON object of claims.
    pub fn from_claims(claims: Map<String, Value>) -> Self {
        EncryptJwt {
            claims: ClaimSet::from_map(claims),
            ..Self::default()
        }
    }

    /// Sets the protected header; it must name `alg` and `enc`.
    pub fn protected_header(mut self, header: JweHeader) -> Self {
        self.header = header;
        self
    }

    super::builder::claim_setters!();

    /// Copies `iss` into the protected header, so a recipient can route the
    /// token before decrypting it (RFC 7519 section 5.3).
    pub fn replicate_issuer_as_header(mut self) -> Self {
        self.replicate[0] = true;
        self
    }

    /// Copies `sub` into the protected header.
    pub fn replicate_subject_as_header(mut self) -> Self {
        self.replicate[1] = true;
        self
    }

    /// Copies `aud` into the protected header.
    pub fn replicate_audience_as_header(mut self) -> Self {
        self.replicate[2] = true;
        self
    }

    /// Encrypts for `key` into a compact JWE. Adds the key's `kid` when the
    /// header has none.
    pub fn encrypt(&self, key: &Key) -> Result<String> {
        self.claims.ready()?;
        let mut header = self.header.clone();
        for (claim, wanted) in ["iss", "sub", "aud"].into_iter().zip(self.replicate) {
            // Only look the claim up when asked: it parses the claims.
            if let Some(value) = wanted.then(|| self.claims.get(claim)).flatten() {
                header.other.insert(claim.to_owned(), value);
            }
        }
        let payload = self.claims.to_json();
        CompactEncrypt::new(&payload)
            .protected_header(with_key_kid(header, key))
            .encrypt(key)
    }
}

/// Options for [`jwt_decrypt`]: the claim checks of [`VerifyOptions`]
/// and the algorithm and hardening options of [`JweDecryptOptions`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct DecryptOptions {
    /// Claim checks, as for `jwt_verify` (its `algorithms` is not used).
    pub claims: VerifyOptions,
    /// Key management and content encryption allow-lists and limits.
    pub jwe: JweDecryptOptions,
}

impl DecryptOptions {
    /// Default options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the claim checks.
    pub fn claims(mut self, claims: VerifyOptions) -> Self {
        self.claims = claims;
        self
    }

    /// Sets the JWE options.
    pub fn jwe(mut self, jwe: JweDecryptOptions) -> Self {
        self.jwe = jwe;
        self
    }
}

/// A decrypted JWT, its claims as `T` (a JSON object unless named).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DecryptedJwt<T = JsonObject> {
    /// The claims, deserialized into the caller's type.
    pub claims: T,
    /// The JWE protected header.
    pub protected_header: JweHeader,
    /// The key that decrypted it.
    pub key: Key,
    payload: ValidatedPayload,
}

impl<T> DecryptedJwt<T> {
    /// The registered claims, checked by the decryption; read from the
    /// claims set the first time they are asked for, as
    /// [`VerifiedJwt::registered`] does.
    pub fn registered(&self) -> &RegisteredClaims {
        self.payload.registered()
    }
}

/// Decrypts a compact JWE JWT and validates its claims. Replicated `iss`,
/// `sub` and `aud` header parameters must equal the claims; the custom
/// checks of [`VerifyOptions`] run last.
pub fn jwt_decrypt<T: DeserializeOwned>(
    token: &str,
    keys: &(impl KeySource<JweHeader> + ?Sized),
    options: &DecryptOptions,
) -> Result<DecryptedJwt<T>> {
    options.claims.ready()?;
    let decrypted = compact_decrypt(token, keys, &options.jwe)?;
    check_decrypted(decrypted, options)
}

/// The claims of a decrypted JWE, checked.
fn check_decrypted<T: DeserializeOwned>(decrypted: DecryptedJwe, options: &DecryptOptions) -> Result<DecryptedJwt<T>> {
    let header = decrypted.protected_header.unwrap_or_default();
    if is_nested(&header) {
        return Err(Error::JwtInvalid("this is a nested JWT: use decrypt_nested_jwt".into()));
    }
    // Straight into the caller's type, as jwt_verify does. Replicated
    // claims are rare: only then is the payload read again as a map, for
    // an exact comparison with the header.
    let (claims, payload) = check_registered::<T>(header.typ.as_deref(), decrypted.plaintext, &options.claims)?;
    if ["iss", "sub", "aud"]
        .iter()
        .any(|claim| header.other.contains_key(*claim))
    {
        let map = super::verify::parse_claims(&payload.bytes)?;
        for claim in ["iss", "sub", "aud"] {
            if let Some(replicated) = header.other.get(claim)
                && map.get(claim) != Some(replicated)
            {
                return Err(Error::JwtClaimValidationFailed {
                    claim: claim.to_owned(),
                    reason: crate::ClaimReason::Invalid,
                    message: format!("replicated \"{claim}\" header parameter does not match the claim"),
                    claims: Box::new(map),
                });
            }
        }
    }
    options.claims.run_checks(&payload.bytes)?;
    Ok(DecryptedJwt {
        claims,
        protected_header: header,
        key: decrypted.key,
        payload,
    })
}

/// [`jwt_decrypt`] with the claims as a JSON object: the common case, with
/// no type to name.
///
/// ```
/// use rjose::jwe::{JweAlg, JweEnc, JweHeader};
/// use rjose::jwt::{DecryptOptions, EncryptJwt, jwt_decrypt_json};
///
/// let key = rjose::generate_secret(JweAlg::A256KW)?;
/// let token = EncryptJwt::default()
///     .claim("email", "ada@example.com")
///     .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM))
///     .expiration_time("1h")
///     .encrypt(&key)?;
/// assert_eq!(jwt_decrypt_json(&token, &key, &DecryptOptions::new())?.claims["email"], "ada@example.com");
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn jwt_decrypt_json(
    token: &str,
    keys: &(impl KeySource<JweHeader> + ?Sized),
    options: &DecryptOptions,
) -> Result<DecryptedJwt> {
    jwt_decrypt(token, keys, options)
}

/// Encrypts an already signed JWT into a nested JWT (`cty: "JWT"`).
///
/// ```
/// use rjose::{Alg, KeyPairOptions, generate_key_pair, generate_secret};
/// use rjose::jwe::{JweAlg, JweEnc, JweHeader};
/// use rjose::jwt::{DecryptOptions, SignJwt, VerifyOptions, decrypt_nested_jwt, encrypt_nested_jwt};
///
/// let signing = generate_key_pair(Alg::ES256, KeyPairOptions::default())?;
/// let encryption = generate_key_pair(JweAlg::ECDH_ES_A256KW, KeyPairOptions::default())?;
/// let signed = SignJwt::default().subject("ada").expiration_time("15m")
///     .protected_header(Alg::ES256).sign(&signing.private_key)?;
/// let nested = encrypt_nested_jwt(&signed, JweHeader::new(JweAlg::ECDH_ES_A256KW, JweEnc::A256GCM), &encryption.public_key)?;
/// let verified = decrypt_nested_jwt::<rjose::JsonObject>(
///     &nested, &encryption.private_key, &signing.public_key, &DecryptOptions::new())?;
/// assert_eq!(verified.registered().sub.as_deref(), Some("ada"));
/// # Ok::<(), rjose::Error>(())
/// ```
pub fn encrypt_nested_jwt(signed_jwt: &str, header: JweHeader, key: &Key) -> Result<String> {
    CompactEncrypt::new(signed_jwt.as_bytes())
        .protected_header(with_key_kid(header.cty("JWT"), key))
        .encrypt(key)
}

/// Decrypts a nested JWT, then verifies the inner signed JWT and its
/// claims. The outer JWE must say `cty: "JWT"`.
pub fn decrypt_nested_jwt<T: DeserializeOwned>(
    token: &str,
    decryption_keys: &(impl KeySource<JweHeader> + ?Sized),
    verification_keys: &(impl KeySource + ?Sized),
    options: &DecryptOptions,
) -> Result<VerifiedJwt<T>> {
    options.claims.ready()?;
    let decrypted = compact_decrypt(token, decryption_keys, &options.jwe)?;
    let header = decrypted.protected_header.unwrap_or_default();
    if !is_nested(&header) {
        return Err(Error::JwtInvalid("a nested JWT needs \"cty\": \"JWT\"".into()));
    }
    let inner = std::str::from_utf8(&decrypted.plaintext)
        .map_err(|_| Error::JwtInvalid("the nested JWT is not text".into()))?;
    jwt_verify(inner, verification_keys, &options.claims)
}

/// The header with the key's `kid` when it names none itself.
fn with_key_kid(mut header: JweHeader, key: &Key) -> JweHeader {
    if header.kid.is_none() {
        header.kid = key.kid().map(str::to_owned);
    }
    header
}

/// Whether the JWE carries a signed JWT (`cty: "JWT"`, any case).
fn is_nested(header: &JweHeader) -> bool {
    header.cty.as_deref().is_some_and(|cty| cty.eq_ignore_ascii_case("JWT"))
}

/// [`jwt_decrypt`] with a key source that waits (per-tenant keys in a
/// database, a KMS), or any thread-safe [`KeySource`]. Only the key lookup
/// differs: the same checks run in the same order with the same errors.
///
/// ```
/// use rjose::jwe::{JweAlg, JweEnc, JweHeader};
/// use rjose::jwt::{DecryptOptions, EncryptJwt, jwt_decrypt_async};
/// use rjose::{Error, JsonObject, generate_secret, key_fn};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> rjose::Result<()> {
/// let key = generate_secret(JweAlg::A256KW)?.with_kid("tenant-7");
/// let token = EncryptJwt::default()
///     .subject("ada")
///     .expiration_time("5m")
///     .protected_header(JweHeader::new(JweAlg::A256KW, JweEnc::A256GCM))
///     .encrypt(&key)?;
/// let keys = key_fn(move |header: JweHeader| {
///     let key = key.clone();
///     async move { if header.kid.as_deref() == key.kid() { Ok(key) } else { Err(Error::JwksNoMatchingKey) } }
/// });
/// let decrypted = jwt_decrypt_async::<JsonObject>(&token, &keys, &DecryptOptions::new()).await?;
/// assert_eq!(decrypted.registered().sub.as_deref(), Some("ada"));
/// # Ok(())
/// # }
/// ```
pub async fn jwt_decrypt_async<T: DeserializeOwned>(
    token: &str,
    keys: &(impl AsyncKeySource<JweHeader> + ?Sized),
    options: &DecryptOptions,
) -> Result<DecryptedJwt<T>> {
    options.claims.ready()?;
    let decrypted = compact_decrypt_async(token, keys, &options.jwe).await?;
    check_decrypted(decrypted, options)
}
