//! Unit tests of the provider interface, written once and run against
//! whichever provider is compiled in: the two providers must agree on
//! every one.

mod aead;
mod aes_kw;
mod cbc_hmac;
mod ecdh;
mod pbes2;
