//! rjose for JavaScript: JWT verification and signing compiled to
//! WebAssembly with wasm-bindgen, for Node.js, browsers and edge workers.
//!
//! The API follows the npm `jose` package's `jwtVerify` and `SignJWT` so
//! that its users find their way:
//!
//! - [`verify`](fn@verify)`(token, key, options)` checks a token once;
//! - [`Verifier`] imports a key or a JWK Set once and verifies many
//!   tokens with it, the form for a request handler;
//! - [`sign`](fn@sign)`(payload, key, options)` issues a compact JWT;
//! - [`generate_key_pair`] (`generateKeyPair` in JavaScript) makes a key
//!   pair, exported as JWKs.
//!
//! Verification follows the core's rules and safe defaults: `exp` is
//! required and a token that names an audience is refused unless the
//! expected one is configured (`allowMissingExp` and `allowAnyAudience`
//! opt out). Failures are thrown as JavaScript `Error`s with a `code`
//! property (`ERR_JWT_EXPIRED`, `ERR_JWS_SIGNATURE_VERIFICATION_FAILED`,
//! ...), as npm `jose` does.
//!
//! The crypto is the core's pure-Rust provider (`rust-crypto`): RSA
//! decryption is not offered there, and nothing here decrypts.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "bench-internals")]
mod bench;
mod clock;
mod error;
mod js;
mod keys;
mod options;
mod sign;
mod verify;

pub use sign::{generate_key_pair, sign};
pub use verify::{Verifier, verify};

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** A key to verify with: a JWK Set (`{ keys: [...] }`), one JWK, either as
 * an object or as JSON text, a PEM public key (SPKI or X.509 certificate),
 * or the bytes of an HMAC secret. */
export type KeyInput = object | string | Uint8Array;

/** Options of `verify` and `Verifier.verify`; every one is optional. */
export interface VerifyOptions {
  /** Accepted issuer(s) (`iss`). */
  issuer?: string | string[];
  /** Accepted audience(s) (`aud`); required when the token names one. */
  audience?: string | string[];
  /** Accepted algorithms; by default whatever the key can serve. */
  algorithms?: string[];
  /** Expected subject (`sub`). */
  subject?: string;
  /** Expected `typ` header (`application/` implied, case-insensitive). */
  typ?: string;
  /** Leeway for `exp`, `nbf` and `iat`: seconds, or a span such as "30s". */
  clockTolerance?: number | string;
  /** Maximum age since `iat`: seconds, or a span such as "1h". */
  maxTokenAge?: number | string;
  /** The time to check against: a Date, or Unix seconds. Default: now. */
  currentDate?: Date | number;
  /** Claims that must be present. */
  requiredClaims?: string[];
  /** Critical header parameters understood: `{ name: true }`. */
  crit?: Record<string, boolean>;
  /** Accept a token without `exp` (it never expires). */
  allowMissingExp?: boolean;
  /** Accept a token's `aud` when no `audience` is configured. */
  allowAnyAudience?: boolean;
}

/** Options of the `Verifier` constructor. */
export interface VerifierOptions {
  /** Let a JWK Set hand out its symmetric (`oct`) keys. */
  allowSymmetric?: boolean;
}

/** A verified token. */
export interface VerifyResult {
  /** The claims. */
  payload: Record<string, unknown>;
  /** The protected header, as it came. */
  protectedHeader: Record<string, unknown>;
}

/** Options of `sign`; every one is optional. */
export interface SignOptions {
  /** The algorithm; by default the key's own (its JWK `alg`, or its curve). */
  alg?: string;
  /** The `kid` header; by default the JWK's `kid`, if any. */
  kid?: string;
  /** The `typ` header, e.g. "JWT" or "at+jwt". */
  typ?: string;
  /** `exp`: Unix seconds, or a span from now such as "15m". */
  expirationTime?: number | string;
  /** `nbf`: Unix seconds, or a span from now. */
  notBefore?: number | string;
  /** `iat`: `true` for now, Unix seconds, or a span from now. */
  issuedAt?: boolean | number | string;
  /** `iss`. */
  issuer?: string;
  /** `aud`: one audience or several. */
  audience?: string | string[];
  /** `sub`. */
  subject?: string;
  /** `jti`. */
  jti?: string;
}

/** A key pair from `generateKeyPair`, as JWKs. */
export interface GeneratedKeyPair {
  /** The private JWK: keep it secret. */
  privateKey: Record<string, unknown>;
  /** The public JWK, to publish in a JWK Set. */
  publicKey: Record<string, unknown>;
}
"#;
