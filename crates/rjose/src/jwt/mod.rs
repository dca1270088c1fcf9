//! JSON Web Tokens (RFC 7519): issue with [`SignJwt`], check with
//! [`jwt_verify`].

mod builder;
mod check;
mod claims;
mod decode;
mod encrypt;
mod scan;
mod sign;
mod span;
pub(crate) mod time;
mod unsecured;
mod validate;
mod verify;

pub use check::ClaimError;
pub use claims::RegisteredClaims;
pub use decode::{ProtectedHeader, decode_jwt_claims_unverified, decode_jwt_unverified, decode_protected_header};
pub use encrypt::{
    DecryptOptions, DecryptedJwt, EncryptJwt, decrypt_nested_jwt, encrypt_nested_jwt, jwt_decrypt, jwt_decrypt_async,
    jwt_decrypt_json,
};
pub use sign::SignJwt;
pub use time::{SpanInput, TimeInput};
pub use unsecured::UnsecuredJwt;
pub use validate::{ValidatedClaims, validate_claims, validate_claims_unverified};
pub use verify::{VerifiedJwt, VerifyOptions, jwt_verify, jwt_verify_async, jwt_verify_json};
