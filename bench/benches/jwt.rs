//! Sign and verify of a typical access token, side by side with the Rust
//! peers and with the floor: the bare aws-lc-rs primitive on the same
//! signing input.
//!
//! ```text
//! cargo bench --manifest-path bench/Cargo.toml --bench jwt          # everything
//! cargo bench --manifest-path bench/Cargo.toml --bench jwt -- ES256 # one algorithm
//! bench/run.sh                             # everything, plus Node.js, into BENCHMARKS.md
//! ```
//!
//! One criterion group per algorithm and operation (`HS256/sign`,
//! `HS256/verify`, ...), each with the functions `rjose`, `jsonwebtoken`,
//! `jwt-simple`, `oxitoken` and `floor`. oxitoken runs without its default
//! backend (which does not build against aws-lc-rs 1.19), through the
//! `Signer` and `VerificationKey` implementations below, written over
//! aws-lc-rs as its own backend is.
//!
//! Rules, the same for every contender:
//! - Keys are parsed once, outside the timed loop (`benches/keys/`: throwaway
//!   keys made for this benchmark, shared with `bench/jose-node`).
//! - Sign goes from the application's claims value, built once, to the
//!   compact token, with the header `{"alg":..,"typ":"JWT"}`. jwt-simple takes
//!   its claims by value, so its copy is made outside the timed loop.
//! - Verify checks the signature, `exp`, `nbf`, `iss` and `aud`, and
//!   deserializes the claims into the application's type. Every library
//!   verifies the same token (the one `rjose` signed; checked at start-up
//!   that all of them accept it and that they accept their own tokens too).
//! - The floor signs, or verifies the signature over, the exact signing
//!   input of that token with a key prepared once (`hmac::Key`,
//!   `RsaKeyPair`, `EcdsaKeyPair`, `Ed25519KeyPair`, `ParsedPublicKey`): the
//!   cryptography alone.

mod common;

use std::collections::HashSet;
use std::hint::black_box;

use aws_lc_rs::hmac;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature as lc;
#[cfg(not(jose_bench_allocs))]
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use jwt_simple::prelude as js;
use jwt_simple::prelude::{
    ECDSAP256KeyPairLike as _, ECDSAP256PublicKeyLike as _, EdDSAKeyPairLike as _, EdDSAPublicKeyLike as _,
    MACLike as _, RSAKeyPairLike as _, RSAPublicKeyLike as _,
};
use rjose::jws::JwsHeader;
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
use rjose::{Alg, Key};
use serde::{Deserialize, Serialize};

use common::{
    AUDIENCE, AccessClaims, EC_PRIVATE, EC_PUBLIC, ED_PRIVATE, ED_PUBLIC, ISSUER, RSA_PRIVATE, RSA_PUBLIC, SECRET,
    access_claims, b64url_decode, config, pem_to_der,
};

// ---------------------------------------------------------------------------
// The token
// ---------------------------------------------------------------------------

/// The application's claims, as jwt-simple carries them next to its own
/// registered ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct CustomClaims {
    role: String,
    session_id: String,
    scope: String,
}

fn simple_claims(claims: &AccessClaims) -> js::JWTClaims<CustomClaims> {
    let at = |secs: i64| js::UnixTimeStamp::from_secs(secs as u64);
    js::JWTClaims {
        issued_at: Some(at(claims.iat)),
        expires_at: Some(at(claims.exp)),
        invalid_before: Some(at(claims.nbf)),
        issuer: Some(claims.iss.clone()),
        subject: Some(claims.sub.clone()),
        audiences: Some(js::Audiences::AsString(claims.aud.clone())),
        jwt_id: Some(claims.jti.clone()),
        nonce: None,
        custom: CustomClaims {
            role: claims.role.clone(),
            session_id: claims.session_id.clone(),
            scope: claims.scope.clone(),
        },
    }
}

/// `header.payload` and the decoded signature of a compact token.
fn split_token(token: &str) -> (Vec<u8>, Vec<u8>) {
    let (input, signature) = token.rsplit_once('.').expect("compact token");
    (input.as_bytes().to_vec(), b64url_decode(signature))
}

// ---------------------------------------------------------------------------
// The contenders, per algorithm
// ---------------------------------------------------------------------------

/// jwt-simple has one key type per algorithm; this puts them behind one
/// statically dispatched interface.
trait SimpleKeys {
    fn sign(&self, claims: js::JWTClaims<CustomClaims>) -> String;
    fn verify(&self, token: &str, options: js::VerificationOptions) -> js::JWTClaims<CustomClaims>;
}

macro_rules! simple_keys {
    ($name:ident, $private:ty, $public:ty, $sign:ident) => {
        struct $name($private, $public);

        impl SimpleKeys for $name {
            fn sign(&self, claims: js::JWTClaims<CustomClaims>) -> String {
                self.0.$sign(claims).expect("jwt-simple signs")
            }

            fn verify(&self, token: &str, options: js::VerificationOptions) -> js::JWTClaims<CustomClaims> {
                self.1
                    .verify_token(token, Some(options))
                    .expect("jwt-simple verifies")
            }
        }
    };
}

simple_keys!(SimpleHs256, js::HS256Key, js::HS256Key, authenticate);
simple_keys!(SimpleRs256, js::RS256KeyPair, js::RS256PublicKey, sign);
simple_keys!(SimplePs256, js::PS256KeyPair, js::PS256PublicKey, sign);
simple_keys!(SimpleEs256, js::ES256KeyPair, js::ES256PublicKey, sign);
simple_keys!(SimpleEd25519, js::Ed25519KeyPair, js::Ed25519PublicKey, sign);

/// The bare aws-lc-rs primitive, its key prepared once.
trait Floor {
    fn sign(&self, input: &[u8]) -> usize;
    fn verify(&self, input: &[u8], signature: &[u8]) -> bool;
    /// The signature, for the algorithms whose signatures are
    /// deterministic (a start-up check that rjose signs the same bytes).
    fn deterministic_signature(&self, _input: &[u8]) -> Option<Vec<u8>> {
        None
    }
}

struct FloorHmac(hmac::Key);

impl Floor for FloorHmac {
    fn sign(&self, input: &[u8]) -> usize {
        black_box(hmac::sign(&self.0, input)).as_ref().len()
    }

    fn verify(&self, input: &[u8], signature: &[u8]) -> bool {
        hmac::verify(&self.0, input, signature).is_ok()
    }

    fn deterministic_signature(&self, input: &[u8]) -> Option<Vec<u8>> {
        Some(hmac::sign(&self.0, input).as_ref().to_vec())
    }
}

struct FloorRsa {
    pss: bool,
    pair: lc::RsaKeyPair,
    encoding: &'static dyn lc::RsaEncoding,
    public: lc::ParsedPublicKey,
    rng: SystemRandom,
}

impl Floor for FloorRsa {
    fn sign(&self, input: &[u8]) -> usize {
        let mut signature = [0u8; 2048 / 8];
        self.pair
            .sign(self.encoding, &self.rng, input, &mut signature)
            .expect("RSA signs");
        black_box(&signature).len()
    }

    fn verify(&self, input: &[u8], signature: &[u8]) -> bool {
        self.public.verify_sig(input, signature).is_ok()
    }

    fn deterministic_signature(&self, input: &[u8]) -> Option<Vec<u8>> {
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(self.encoding, &self.rng, input, &mut signature)
            .expect("RSA signs");
        (!self.pss).then_some(signature)
    }
}

struct FloorEcdsa {
    pair: lc::EcdsaKeyPair,
    public: lc::ParsedPublicKey,
    rng: SystemRandom,
}

impl Floor for FloorEcdsa {
    fn sign(&self, input: &[u8]) -> usize {
        black_box(self.pair.sign(&self.rng, input).expect("ECDSA signs"))
            .as_ref()
            .len()
    }

    fn verify(&self, input: &[u8], signature: &[u8]) -> bool {
        self.public.verify_sig(input, signature).is_ok()
    }
}

struct FloorEd25519 {
    pair: lc::Ed25519KeyPair,
    public: lc::ParsedPublicKey,
}

impl Floor for FloorEd25519 {
    fn sign(&self, input: &[u8]) -> usize {
        black_box(self.pair.sign(input)).as_ref().len()
    }

    fn deterministic_signature(&self, input: &[u8]) -> Option<Vec<u8>> {
        Some(self.pair.sign(input).as_ref().to_vec())
    }

    fn verify(&self, input: &[u8], signature: &[u8]) -> bool {
        self.public.verify_sig(input, signature).is_ok()
    }
}

/// oxitoken's header: `alg` and `typ`, as every contender writes them.
#[derive(Debug, Serialize, Deserialize)]
struct OxiHeader {
    alg: oxitoken::Algorithm,
    typ: String,
}

impl oxitoken::header::Alg for OxiHeader {
    fn alg(&self) -> oxitoken::Algorithm {
        self.alg
    }
}

impl oxitoken::claims::Iss for AccessClaims {
    fn iss(&self) -> &str {
        &self.iss
    }
}

impl oxitoken::claims::Aud for AccessClaims {
    fn aud(&self) -> impl Iterator<Item = impl AsRef<str>> {
        std::iter::once(self.aud.as_str())
    }
}

impl oxitoken::claims::Exp for AccessClaims {
    fn exp(&self) -> i64 {
        self.exp
    }
}

impl oxitoken::claims::Nbf for AccessClaims {
    fn nbf(&self) -> i64 {
        self.nbf
    }
}

/// oxitoken's signing key over aws-lc-rs 1.19: the signature appended to
/// the token it is given, as its own aws-lc backend does.
enum OxiSigner {
    Hmac(hmac::Key),
    Rsa(lc::RsaKeyPair, &'static dyn lc::RsaEncoding),
    Ecdsa(lc::EcdsaKeyPair, SystemRandom),
    Ed25519(lc::Ed25519KeyPair),
}

impl oxitoken::encoding::Signer for OxiSigner {
    type Error = aws_lc_rs::error::Unspecified;

    fn check_alg(&self, alg: oxitoken::Algorithm) -> Result<(), oxitoken::encoding::JwtEncodingError<Self::Error>> {
        use oxitoken::Algorithm as A;
        let fits = matches!(
            (self, alg),
            (OxiSigner::Hmac(_), A::HS256)
                | (OxiSigner::Rsa(..), A::RS256 | A::PS256)
                | (OxiSigner::Ecdsa(..), A::ES256)
                | (OxiSigner::Ed25519(_), A::EdDSA)
        );
        fits.then_some(()).ok_or(oxitoken::encoding::JwtEncodingError::WrongAlgorithm)
    }

    fn sign_jwt(
        &self,
        _: oxitoken::Algorithm,
        jwt: &mut String,
    ) -> Result<(), oxitoken::encoding::JwtEncodingError<Self::Error>> {
        match self {
            OxiSigner::Hmac(key) => self.append_sig(hmac::sign(key, jwt.as_bytes()), jwt),
            OxiSigner::Rsa(pair, encoding) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                pair.sign(*encoding, &SystemRandom::new(), jwt.as_bytes(), &mut signature)?;
                self.append_sig(signature, jwt);
            }
            OxiSigner::Ecdsa(pair, rng) => {
                let signature = pair.sign(rng, jwt.as_bytes())?;
                self.append_sig(signature, jwt);
            }
            OxiSigner::Ed25519(pair) => self.append_sig(pair.sign(jwt.as_bytes()), jwt),
        }
        Ok(())
    }

    fn siglen(&self) -> usize {
        match self {
            OxiSigner::Hmac(_) => 32,
            OxiSigner::Rsa(pair, _) => pair.public_modulus_len(),
            OxiSigner::Ecdsa(..) | OxiSigner::Ed25519(_) => 64,
        }
    }
}

/// oxitoken's verification key over aws-lc-rs 1.19, parsed once.
struct OxiVerifier {
    alg: oxitoken::Algorithm,
    key: OxiPublic,
}

enum OxiPublic {
    Hmac(hmac::Key),
    Parsed(lc::ParsedPublicKey),
}

impl oxitoken::validation::VerificationKey for OxiVerifier {
    fn alg(&self) -> Option<oxitoken::Algorithm> {
        Some(self.alg)
    }

    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), oxitoken::error::JwtError> {
        let verified = match &self.key {
            OxiPublic::Hmac(key) => hmac::verify(key, message, signature),
            OxiPublic::Parsed(key) => key.verify_sig(message, signature),
        };
        verified.map_err(|_| oxitoken::error::JwtError::InvalidSignature)
    }
}

/// Everything one algorithm's two groups need, prepared outside the loops.
struct Contenders<S, F> {
    /// The group name: the JWS `alg`.
    name: &'static str,
    alg: Alg,
    jose_private: Key,
    jose_public: Key,
    jwt_alg: jsonwebtoken::Algorithm,
    jwt_encoding: jsonwebtoken::EncodingKey,
    jwt_decoding: jsonwebtoken::DecodingKey,
    simple: S,
    oxi_alg: oxitoken::Algorithm,
    oxi_signer: OxiSigner,
    oxi_verifier: OxiVerifier,
    floor: F,
}

fn hs256() -> Contenders<SimpleHs256, FloorHmac> {
    Contenders {
        name: "HS256",
        alg: Alg::HS256,
        jose_private: Key::from_secret(SECRET).expect("a non-empty secret"),
        jose_public: Key::from_secret(SECRET).expect("a non-empty secret"),
        jwt_alg: jsonwebtoken::Algorithm::HS256,
        jwt_encoding: jsonwebtoken::EncodingKey::from_secret(SECRET).expect("secret"),
        jwt_decoding: jsonwebtoken::DecodingKey::from_secret(SECRET).expect("secret"),
        simple: SimpleHs256(js::HS256Key::from_bytes(SECRET), js::HS256Key::from_bytes(SECRET)),
        oxi_alg: oxitoken::Algorithm::HS256,
        oxi_signer: OxiSigner::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
        oxi_verifier: OxiVerifier {
            alg: oxitoken::Algorithm::HS256,
            key: OxiPublic::Hmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
        },
        floor: FloorHmac(hmac::Key::new(hmac::HMAC_SHA256, SECRET)),
    }
}

fn rsa_floor(pss: bool) -> FloorRsa {
    let (encoding, params): (&'static dyn lc::RsaEncoding, &'static lc::RsaParameters) = if pss {
        (&lc::RSA_PSS_SHA256, &lc::RSA_PSS_2048_8192_SHA256)
    } else {
        (&lc::RSA_PKCS1_SHA256, &lc::RSA_PKCS1_2048_8192_SHA256)
    };
    let pair = lc::RsaKeyPair::from_pkcs8(&pem_to_der(RSA_PRIVATE)).expect("RSA PKCS#8");
    let public = lc::ParsedPublicKey::new(params, pem_to_der(RSA_PUBLIC)).expect("RSA public key");
    FloorRsa {
        pss,
        pair,
        encoding,
        public,
        rng: SystemRandom::new(),
    }
}

/// oxitoken's RSA signer and verifier for RS256 or PS256.
fn rsa_oxi(pss: bool) -> (oxitoken::Algorithm, OxiSigner, OxiVerifier) {
    let (alg, encoding, params): (_, &'static dyn lc::RsaEncoding, &'static lc::RsaParameters) = if pss {
        (oxitoken::Algorithm::PS256, &lc::RSA_PSS_SHA256, &lc::RSA_PSS_2048_8192_SHA256)
    } else {
        (oxitoken::Algorithm::RS256, &lc::RSA_PKCS1_SHA256, &lc::RSA_PKCS1_2048_8192_SHA256)
    };
    let pair = lc::RsaKeyPair::from_pkcs8(&pem_to_der(RSA_PRIVATE)).expect("RSA PKCS#8");
    let public = lc::ParsedPublicKey::new(params, pem_to_der(RSA_PUBLIC)).expect("RSA public key");
    let verifier = OxiVerifier {
        alg,
        key: OxiPublic::Parsed(public),
    };
    (alg, OxiSigner::Rsa(pair, encoding), verifier)
}

fn rs256() -> Contenders<SimpleRs256, FloorRsa> {
    let (oxi_alg, oxi_signer, oxi_verifier) = rsa_oxi(false);
    Contenders {
        name: "RS256",
        alg: Alg::RS256,
        jose_private: Key::from_pem(RSA_PRIVATE).expect("RSA private key"),
        jose_public: Key::from_pem(RSA_PUBLIC).expect("RSA public key"),
        jwt_alg: jsonwebtoken::Algorithm::RS256,
        jwt_encoding: jsonwebtoken::EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("RSA private key"),
        jwt_decoding: jsonwebtoken::DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).expect("RSA public key"),
        simple: SimpleRs256(
            js::RS256KeyPair::from_pem(RSA_PRIVATE).expect("RSA private key"),
            js::RS256PublicKey::from_pem(RSA_PUBLIC).expect("RSA public key"),
        ),
        oxi_alg,
        oxi_signer,
        oxi_verifier,
        floor: rsa_floor(false),
    }
}

fn ps256() -> Contenders<SimplePs256, FloorRsa> {
    let (oxi_alg, oxi_signer, oxi_verifier) = rsa_oxi(true);
    Contenders {
        name: "PS256",
        alg: Alg::PS256,
        jose_private: Key::from_pem(RSA_PRIVATE).expect("RSA private key"),
        jose_public: Key::from_pem(RSA_PUBLIC).expect("RSA public key"),
        jwt_alg: jsonwebtoken::Algorithm::PS256,
        jwt_encoding: jsonwebtoken::EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("RSA private key"),
        jwt_decoding: jsonwebtoken::DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).expect("RSA public key"),
        simple: SimplePs256(
            js::PS256KeyPair::from_pem(RSA_PRIVATE).expect("RSA private key"),
            js::PS256PublicKey::from_pem(RSA_PUBLIC).expect("RSA public key"),
        ),
        oxi_alg,
        oxi_signer,
        oxi_verifier,
        floor: rsa_floor(true),
    }
}

fn es256() -> Contenders<SimpleEs256, FloorEcdsa> {
    let pair =
        lc::EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P256_SHA256_FIXED_SIGNING, &pem_to_der(EC_PRIVATE)).expect("EC PKCS#8");
    let public = lc::ParsedPublicKey::new(&lc::ECDSA_P256_SHA256_FIXED, pem_to_der(EC_PUBLIC)).expect("EC public key");
    Contenders {
        name: "ES256",
        alg: Alg::ES256,
        jose_private: Key::from_pem(EC_PRIVATE).expect("EC private key"),
        jose_public: Key::from_pem(EC_PUBLIC).expect("EC public key"),
        jwt_alg: jsonwebtoken::Algorithm::ES256,
        jwt_encoding: jsonwebtoken::EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).expect("EC private key"),
        jwt_decoding: jsonwebtoken::DecodingKey::from_ec_pem(EC_PUBLIC.as_bytes()).expect("EC public key"),
        simple: SimpleEs256(
            js::ES256KeyPair::from_pem(EC_PRIVATE).expect("EC private key"),
            js::ES256PublicKey::from_pem(EC_PUBLIC).expect("EC public key"),
        ),
        oxi_alg: oxitoken::Algorithm::ES256,
        oxi_signer: OxiSigner::Ecdsa(
            lc::EcdsaKeyPair::from_pkcs8(&lc::ECDSA_P256_SHA256_FIXED_SIGNING, &pem_to_der(EC_PRIVATE))
                .expect("EC PKCS#8"),
            SystemRandom::new(),
        ),
        oxi_verifier: OxiVerifier {
            alg: oxitoken::Algorithm::ES256,
            key: OxiPublic::Parsed(
                lc::ParsedPublicKey::new(&lc::ECDSA_P256_SHA256_FIXED, pem_to_der(EC_PUBLIC)).expect("EC public key"),
            ),
        },
        floor: FloorEcdsa {
            pair,
            public,
            rng: SystemRandom::new(),
        },
    }
}

fn eddsa() -> Contenders<SimpleEd25519, FloorEd25519> {
    let pair = lc::Ed25519KeyPair::from_pkcs8(&pem_to_der(ED_PRIVATE)).expect("Ed25519 PKCS#8");
    let public = lc::ParsedPublicKey::new(&lc::ED25519, pem_to_der(ED_PUBLIC)).expect("Ed25519 public key");
    Contenders {
        name: "EdDSA",
        alg: Alg::EdDSA,
        jose_private: Key::from_pem(ED_PRIVATE).expect("Ed25519 private key"),
        jose_public: Key::from_pem(ED_PUBLIC).expect("Ed25519 public key"),
        jwt_alg: jsonwebtoken::Algorithm::EdDSA,
        jwt_encoding: jsonwebtoken::EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).expect("Ed25519 private key"),
        jwt_decoding: jsonwebtoken::DecodingKey::from_ed_pem(ED_PUBLIC.as_bytes()).expect("Ed25519 public key"),
        simple: SimpleEd25519(
            js::Ed25519KeyPair::from_pem(ED_PRIVATE).expect("Ed25519 private key"),
            js::Ed25519PublicKey::from_pem(ED_PUBLIC).expect("Ed25519 public key"),
        ),
        oxi_alg: oxitoken::Algorithm::EdDSA,
        oxi_signer: OxiSigner::Ed25519(lc::Ed25519KeyPair::from_pkcs8(&pem_to_der(ED_PRIVATE)).expect("Ed25519 PKCS#8")),
        oxi_verifier: OxiVerifier {
            alg: oxitoken::Algorithm::EdDSA,
            key: OxiPublic::Parsed(lc::ParsedPublicKey::new(&lc::ED25519, pem_to_der(ED_PUBLIC)).expect("Ed25519 public key")),
        },
        floor: FloorEd25519 { pair, public },
    }
}

// ---------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------

fn jose_header(alg: Alg) -> JwsHeader {
    JwsHeader::new(alg).typ("JWT")
}

fn jose_sign(claims: &AccessClaims, header: &JwsHeader, key: &Key) -> String {
    SignJwt::new(claims)
        .protected_header(header.clone())
        .sign(key)
        .expect("rjose signs")
}

fn bench_alg<S: SimpleKeys, F: Floor>(runs: &mut impl Runs, k: Contenders<S, F>) {
    let claims = access_claims();
    let simple_claims = simple_claims(&claims);

    let jose_header = jose_header(k.alg);
    let jose_options = VerifyOptions::new()
        .algorithms([k.alg])
        .issuer(ISSUER)
        .audience(AUDIENCE);

    let mut jwt_header = jsonwebtoken::Header::new(k.jwt_alg);
    jwt_header.typ = Some("JWT".into());
    let mut jwt_validation = jsonwebtoken::Validation::new(k.jwt_alg);
    jwt_validation.set_issuer(&[ISSUER]);
    jwt_validation.set_audience(&[AUDIENCE]);
    jwt_validation.validate_nbf = true;

    let simple_options = js::VerificationOptions {
        allowed_issuers: Some(HashSet::from([ISSUER.to_owned()])),
        allowed_audiences: Some(HashSet::from([AUDIENCE.to_owned()])),
        ..Default::default()
    };

    let oxi_header = OxiHeader {
        alg: k.oxi_alg,
        typ: "JWT".into(),
    };
    let oxi_pipeline = oxitoken::validation::ValidationPipeline::<
        OxiHeader,
        AccessClaims,
        oxitoken::validation::StaticKeyProvider<OxiVerifier>,
    >::builder(oxitoken::validation::StaticKeyProvider::new(k.oxi_verifier))
    .with_issuer_validator(ISSUER)
    .with_audience_validator(AUDIENCE)
    .with_not_before_validator()
    .with_expiration_validator()
    .build();

    // The token everyone verifies, and its parts for the floor.
    let token = jose_sign(&claims, &jose_header, &k.jose_private);
    let (signing_input, signature) = split_token(&token);

    // Everyone accepts it, and their own tokens; the floor agrees.
    let jose_verify = || {
        jwt_verify::<AccessClaims>(black_box(&token), &k.jose_public, &jose_options)
            .expect("rjose verifies")
            .claims
    };
    let jwt_verify_ = |token: &str| {
        jsonwebtoken::decode::<AccessClaims>(black_box(token), &k.jwt_decoding, &jwt_validation)
            .expect("jsonwebtoken verifies")
            .claims
    };
    assert_eq!(jose_verify(), claims);
    assert_eq!(jwt_verify_(&token), claims);
    assert_eq!(k.simple.verify(&token, simple_options.clone()).custom.role, claims.role);
    let own = jsonwebtoken::encode(&jwt_header, &claims, &k.jwt_encoding).expect("jsonwebtoken signs");
    assert_eq!(jwt_verify_(&own), claims);
    let own = k.simple.sign(simple_claims.clone());
    assert_eq!(k.simple.verify(&own, simple_options.clone()).custom.scope, claims.scope);
    let oxi_verify = |token: &str| oxi_pipeline.verify(black_box(token.as_bytes())).expect("oxitoken verifies").1;
    assert_eq!(oxi_verify(&token), claims);
    let own = oxitoken::encoding::encode(&k.oxi_signer, &oxi_header, &claims).expect("oxitoken signs");
    assert_eq!(oxi_verify(&own), claims);
    assert!(k.floor.verify(&signing_input, &signature));
    if let Some(deterministic) = k.floor.deterministic_signature(&signing_input) {
        assert_eq!(deterministic, signature, "rjose and the floor sign the same bytes");
    }

    let mut group = runs.group(format!("{}/sign", k.name));
    group.run("rjose", || jose_sign(black_box(&claims), &jose_header, &k.jose_private));
    group.run("jsonwebtoken", || {
        jsonwebtoken::encode(&jwt_header, black_box(&claims), &k.jwt_encoding).expect("jsonwebtoken signs")
    });
    group.run_batched("jwt-simple", || simple_claims.clone(), |claims| k.simple.sign(claims));
    group.run("oxitoken", || {
        oxitoken::encoding::encode(&k.oxi_signer, &oxi_header, black_box(&claims)).expect("oxitoken signs")
    });
    group.run("floor", || k.floor.sign(black_box(&signing_input)));
    group.finish();

    let mut group = runs.group(format!("{}/verify", k.name));
    group.run("rjose", jose_verify);
    group.run("jsonwebtoken", || jwt_verify_(&token));
    group.run_batched(
        "jwt-simple",
        || simple_options.clone(),
        |options| k.simple.verify(black_box(&token), options),
    );
    group.run("oxitoken", || oxi_verify(&token));
    group.run("floor", || {
        assert!(k.floor.verify(black_box(&signing_input), black_box(&signature)))
    });
    group.finish();
}

/// Where each contender's operation goes: criterion's timing, or, in a
/// build with `--cfg jose_bench_allocs`, a count of its allocations.
trait Runs {
    type Group<'a>: RunGroup
    where
        Self: 'a;

    fn group(&mut self, name: String) -> Self::Group<'_>;
}

/// One group (`HS256/verify`): the same operation by each contender.
trait RunGroup {
    fn run<O>(&mut self, function: &str, op: impl FnMut() -> O);
    /// `op` on a fresh input from `setup` each time; the setup is neither
    /// timed nor counted (jwt-simple takes its claims and options by value).
    fn run_batched<I, O>(&mut self, function: &str, setup: impl FnMut() -> I, op: impl FnMut(I) -> O);
    fn finish(self);
}

#[cfg(not(jose_bench_allocs))]
impl Runs for Criterion {
    type Group<'a> = criterion::BenchmarkGroup<'a, criterion::measurement::WallTime>;

    fn group(&mut self, name: String) -> Self::Group<'_> {
        self.benchmark_group(name)
    }
}

#[cfg(not(jose_bench_allocs))]
impl RunGroup for criterion::BenchmarkGroup<'_, criterion::measurement::WallTime> {
    fn run<O>(&mut self, function: &str, mut op: impl FnMut() -> O) {
        self.bench_function(function, |b| b.iter(&mut op));
    }

    fn run_batched<I, O>(&mut self, function: &str, mut setup: impl FnMut() -> I, mut op: impl FnMut(I) -> O) {
        self.bench_function(function, |b| b.iter_batched(&mut setup, &mut op, BatchSize::SmallInput));
    }

    fn finish(self) {
        criterion::BenchmarkGroup::finish(self);
    }
}

fn benches(runs: &mut impl Runs) {
    bench_alg(runs, hs256());
    bench_alg(runs, rs256());
    bench_alg(runs, ps256());
    bench_alg(runs, es256());
    bench_alg(runs, eddsa());
}

#[cfg(not(jose_bench_allocs))]
fn timings(c: &mut Criterion) {
    benches(c);
}

#[cfg(not(jose_bench_allocs))]
criterion_group! {
    name = jwt;
    config = config();
    targets = timings
}
#[cfg(not(jose_bench_allocs))]
criterion_main!(jwt);

/// Allocations per operation, counted by dhat's allocator (which would
/// slow every allocation of a timed run, hence a build of its own):
/// `{"HS256/verify/rjose": 9.0, ...}` on stdout.
#[cfg(jose_bench_allocs)]
#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

#[cfg(jose_bench_allocs)]
fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let mut counts = Allocations::default();
    benches(&mut counts);
    println!("{}", serde_json::to_string_pretty(&counts.0).expect("counts serialize"));
}

/// Allocations per operation, by `group/function`.
#[cfg(jose_bench_allocs)]
#[derive(Default)]
struct Allocations(std::collections::BTreeMap<String, f64>);

#[cfg(jose_bench_allocs)]
struct AllocationGroup<'a> {
    counts: &'a mut Allocations,
    name: String,
}

#[cfg(jose_bench_allocs)]
impl Runs for Allocations {
    type Group<'a> = AllocationGroup<'a>;

    fn group(&mut self, name: String) -> Self::Group<'_> {
        AllocationGroup { counts: self, name }
    }
}

/// Operations counted per contender, after one run outside the count (so
/// that lazily built state, such as a key's parsed form, is not counted).
#[cfg(jose_bench_allocs)]
const COUNTED_RUNS: u64 = 100;

#[cfg(jose_bench_allocs)]
fn allocated_blocks() -> u64 {
    dhat::HeapStats::get().total_blocks
}

#[cfg(jose_bench_allocs)]
impl RunGroup for AllocationGroup<'_> {
    fn run<O>(&mut self, function: &str, mut op: impl FnMut() -> O) {
        drop(op());
        let before = allocated_blocks();
        for _ in 0..COUNTED_RUNS {
            drop(black_box(op()));
        }
        let per_op = (allocated_blocks() - before) as f64 / COUNTED_RUNS as f64;
        self.counts.0.insert(format!("{}/{function}", self.name), per_op);
    }

    fn run_batched<I, O>(&mut self, function: &str, mut setup: impl FnMut() -> I, mut op: impl FnMut(I) -> O) {
        drop(op(setup()));
        let mut blocks = 0;
        for _ in 0..COUNTED_RUNS {
            let input = setup();
            let before = allocated_blocks();
            drop(black_box(op(input)));
            blocks += allocated_blocks() - before;
        }
        self.counts.0.insert(format!("{}/{function}", self.name), blocks as f64 / COUNTED_RUNS as f64);
    }

    fn finish(self) {}
}
