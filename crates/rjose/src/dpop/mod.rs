//! DPoP, Demonstrating Proof of Possession (RFC 9449): access tokens bound
//! to a key the client holds, so that a stolen token is useless without
//! it.
//!
//! The client signs a short proof for every request ([`DpopProof`]) and
//! sends it in the `DPoP` header. The authorization server verifies the
//! proof at its token endpoint ([`verify_proof`]) and binds the tokens it
//! issues to the proof's key: `cnf.jkt` = [`VerifiedProof::jkt`]. A
//! resource server verifies each proof against its request, with the
//! access token's hash (`ath`) and its binding, and refuses a proof seen
//! before ([`VerifiedProof::check_replay`] with a [`JtiStore`]).
//!
//! Every failure is [`Error::DpopInvalid`](crate::Error::DpopInvalid) with
//! a [`DpopFailure`] that has its own code and names the OAuth error to
//! answer with (`invalid_dpop_proof`, `use_dpop_nonce`, `invalid_token`).
//!
//! ```
//! use rjose::{Alg, Error, Key, generate_key_pair, jwt::{SignJwt, VerifyOptions, jwt_verify_json}};
//! use rjose::dpop::{DpopFailure, DpopProof, DpopVerifyOptions, InMemoryJtiStore, verify_proof};
//!
//! // The client's key, kept for the session (non-extractable where it can be).
//! let client = generate_key_pair(Alg::ES256, Default::default())?.private_key;
//! let issuer = generate_key_pair(Alg::ES256, Default::default())?;
//!
//! // 1. Token request: the client proves its key to the token endpoint...
//! let proof = DpopProof::new("POST", "https://as.example/token").sign(&client)?;
//! // ...which checks the proof and binds the access token to that key.
//! let at_endpoint = verify_proof(&proof, &DpopVerifyOptions::new("POST", "https://as.example/token"))?;
//! let access_token = SignJwt::default()
//!     .subject("user-42")
//!     .audience("https://api.example")
//!     .expiration_time("10m")
//!     .claim("cnf", serde_json::json!({ "jkt": at_endpoint.jkt() }))
//!     .sign(&issuer.private_key)?;
//!
//! // 2. API call: `Authorization: DPoP <access_token>` and a new proof, bound to the token.
//! let proof = DpopProof::new("GET", "https://api.example/orders?page=2")
//!     .access_token(&access_token)
//!     .sign(&client)?;
//!
//! // 3. The resource server checks the token, then the proof against the
//! //    request and the token, then records the proof's `jti`.
//! let replays = InMemoryJtiStore::default();
//! let token = jwt_verify_json(&access_token, &issuer.public_key, &VerifyOptions::new().audience("https://api.example"))?;
//! let jkt = rjose::dpop::confirmation_jkt(&token.claims).ok_or(Error::JwtInvalid("not DPoP-bound".into()))?;
//! let options = DpopVerifyOptions::new("GET", "https://api.example/orders")
//!     .access_token(&access_token)
//!     .expected_jkt(jkt);
//! let verified = verify_proof(&proof, &options)?;
//! verified.check_replay(&replays)?;
//!
//! // The same proof again is a replay...
//! let replayed = verify_proof(&proof, &options)?.check_replay(&replays);
//! assert!(matches!(replayed, Err(Error::DpopInvalid { reason: DpopFailure::Replayed, .. })));
//! // ...and the stolen token with a proof from another key is refused.
//! let thief = generate_key_pair(Alg::ES256, Default::default())?.private_key;
//! let forged = DpopProof::new("GET", "https://api.example/orders").access_token(&access_token).sign(&thief)?;
//! let refused = verify_proof(&forged, &options).unwrap_err();
//! assert_eq!(refused.code(), "ERR_DPOP_BINDING_MISMATCH");
//! # Ok::<(), rjose::Error>(())
//! ```
//!
//! With a server nonce (RFC 9449 sections 8 and 9), a proof without it
//! fails with [`DpopFailure::NonceMissing`] and one with a stale nonce with
//! [`DpopFailure::NonceMismatch`]: the server answers `use_dpop_nonce` with
//! a `DPoP-Nonce` header, and the client signs again with
//! [`DpopProof::nonce`].

mod error;
mod htu;
mod proof;
mod replay;
mod verify;

pub use error::DpopFailure;
pub use proof::{DpopProof, ath};
pub use replay::{DEFAULT_JTI_CAPACITY, InMemoryJtiStore, JtiStatus, JtiStore};
pub use verify::{
    DEFAULT_CLOCK_TOLERANCE, DEFAULT_DPOP_ALGORITHMS, DEFAULT_MAX_AGE, DpopVerifyOptions, VerifiedProof,
    confirmation_jkt, verify_proof,
};
