//! Encrypt and decrypt of a typical JWT as a compact JWE, and the content
//! encryption's throughput on 1 MiB, side by side with the floor: the bare
//! aws-lc-rs primitives doing the same cryptographic work on the same sizes.
//!
//! ```text
//! cargo bench --manifest-path bench/Cargo.toml --bench jwe            # rjose and the floor
//! cargo bench --manifest-path bench/Cargo.toml --bench jwe -- X25519  # one key management algorithm
//! bench/run.sh                               # everything, josekit too, into BENCHMARKS.md
//! ```
//!
//! josekit (on OpenSSL) is compiled in only with `--cfg jose_bench_josekit`:
//! it turns on serde_json's `preserve_order` feature, which would otherwise
//! be unified into rjose's own build and change the JSON code being measured.
//! `bench/run.sh` therefore measures rjose and the floor in the ordinary build
//! and josekit in a second build with that cfg (its own target directory):
//!
//! ```text
//! RUSTFLAGS="--cfg jose_bench_josekit" CARGO_TARGET_DIR=target/josekit \
//!     CRITERION_HOME=target/criterion cargo bench --manifest-path bench/Cargo.toml --bench jwe -- josekit
//! ```
//!
//! Groups (`<alg> <enc>/<op>`, op = `encrypt` or `decrypt`):
//! - Tokens: `dir A256GCM`, `A256KW A256GCM`, `ECDH-ES+A256KW P-256 A256GCM`,
//!   `ECDH-ES+A256KW X25519 A256GCM`, `RSA-OAEP-256 A256GCM`; functions `rjose`,
//!   `josekit`, `floor`.
//! - Throughput on 1 MiB: `dir A256GCM 1MiB`, `dir A128CBC-HS256 1MiB`;
//!   functions `rjose compact`, `rjose flattened`, `josekit compact`, `floor`,
//!   `floor+base64url`.
//!
//! Rules:
//! - Keys are generated or parsed once, outside the timed loops (`keys/`:
//!   the throwaway RSA 2048 and P-256 keys of the JWT benchmark; the X25519
//!   key is generated at start-up; the symmetric keys are constants).
//! - Encrypt goes from the application's claims value, built once, to the
//!   compact token under the protected header `{"alg":..,"enc":"A256GCM"}`:
//!   rjose `EncryptJwt::new(&claims).protected_header(JweHeader::new(alg, enc)).encrypt(&key)`,
//!   josekit `jwt::encode_with_encrypter(&payload, &header, &encrypter)`.
//! - Decrypt goes from the compact token to the application's claims type,
//!   `exp` and `nbf` checked against the clock, `aud` not compared (as
//!   josekit's validator here does not): rjose
//!   `jwt_decrypt::<AccessClaims>(&token, &key, &options)` with
//!   `DecryptOptions::new().claims(VerifyOptions::new().allow_any_audience())`,
//!   josekit `jwt::decode_with_decrypter`, `JwtPayloadValidator::validate`
//!   and `serde_json::from_value`. Both decrypt the token rjose made (checked
//!   at start-up, with each library's own tokens too).
//! - The floor is the cryptography alone, on the same sizes: the same CEK,
//!   IV, AAD (the token's base64url protected header), plaintext and
//!   encrypted-key lengths, with the long-lived keys prepared once. Per
//!   encryption it draws the random CEK (not for `dir`) and IV, does the key
//!   management (AES key wrap with the KEK; or an ephemeral key pair, its
//!   public key, the ECDH agreement with the recipient's pre-parsed public key,
//!   the Concat KDF via `kdf::sskdf_digest` with SHA-256 over a prepared
//!   OtherInfo, and the key wrap; or RSA-OAEP-256 encryption of the CEK), then
//!   the AES-256-GCM key setup for the CEK and the seal of the claims copied
//!   into a stack buffer. Per decryption: the recipient's side of the same
//!   (unwrap; agreement with the token's ephemeral public key, then KDF and
//!   unwrap; OAEP decryption), then the GCM key setup and open. No JSON, no
//!   base64, no heap allocation of its own. Checked at start-up against
//!   rjose's tokens in both directions.
//! - Throughput: 1 MiB of plaintext under `dir`. `floor` is the content
//!   encryption alone on a buffer handed to it (AES-256-GCM
//!   `LessSafeKey::seal_in_place_separate_tag` / `open_in_place_separate_tag`;
//!   for A128CBC-HS256, AES-128-CBC with PKCS#7 and HMAC-SHA-256 over
//!   `AAD || IV || C || AL` truncated to 16 bytes, the tag checked before
//!   decrypting, as RFC 7518 section 5.2 requires). `floor+base64url` adds
//!   what the serialization itself requires of the ciphertext: encoding it
//!   to base64url text, or decoding it from that text. Setup copies and the
//!   dropping of outputs are not timed for any function.
//! - glibc's malloc is told to keep freed memory (see `pin_allocator`), so
//!   that no contender pays for page faults that depend on the order the
//!   benchmarks ran in.

mod common;

use std::hint::black_box;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
use aws_lc_rs::agreement::{self, ECDH_P256, ParsedPublicKey, PrivateKey, UnparsedPublicKey, X25519};
use aws_lc_rs::cipher::{
    AES_128, DecryptionContext, EncryptionContext, PaddedBlockDecryptingKey, PaddedBlockEncryptingKey, UnboundCipherKey,
};
use aws_lc_rs::error::Unspecified;
use aws_lc_rs::kdf::{SskdfDigestAlgorithm, SskdfDigestAlgorithmId, get_sskdf_digest_algorithm, sskdf_digest};
use aws_lc_rs::key_wrap::{AES_256 as KW_AES_256, AesKek, KeyWrap as _};
use aws_lc_rs::rsa::{
    OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey, PrivateDecryptingKey,
    PublicEncryptingKey,
};
use aws_lc_rs::{constant_time, hmac, rand};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rjose::Key;
use rjose::jwe::{
    CompactEncrypt, FlattenedEncrypt, FlattenedJwe, GeneralEncrypt, JweAlg, JweDecryptOptions, JweEnc, JweHeader,
    compact_decrypt, flattened_decrypt, general_decrypt,
};
use rjose::jwt::{DecryptOptions, EncryptJwt, VerifyOptions, jwt_decrypt};
use rjose::{Curve, KeyPairOptions, generate_key_pair};

use common::{
    AccessClaims, EC_PRIVATE, EC_PUBLIC, RSA_PRIVATE, RSA_PUBLIC, access_claims, b64url_decode, config, pem_to_der,
};

// ---------------------------------------------------------------------------
// The token and the keys
// ---------------------------------------------------------------------------

/// The A256KW key encryption key.
const KEK: &[u8; 32] = b"jose-benchmark-a256kw-kek-32byte";
/// The `dir` key for A256GCM.
const DIR_GCM_KEY: &[u8; 32] = b"jose-benchmark-dir-a256gcm-key32";
/// The `dir` key for A128CBC-HS256: MAC key, then AES-128 key.
const DIR_CBC_KEY: &[u8; 32] = b"jose-benchmark-a128cbc-hs256-k32";

/// Plaintext of the throughput groups.
const MIB: usize = 1 << 20;
/// Room for the claims (about 340 bytes) in the floor's stack buffers.
const MAX_CLAIMS: usize = 512;

/// A compact JWE's five parts, decoded, as the floor consumes them.
struct Parts {
    /// The base64url protected header: the AAD.
    aad: Vec<u8>,
    /// The `epk` of ECDH-ES: the uncompressed P-256 point or the X25519 key.
    epk: Vec<u8>,
    encrypted_key: Vec<u8>,
    iv: Vec<u8>,
    ciphertext: Vec<u8>,
    tag: Vec<u8>,
}

fn split_jwe(token: &str) -> Parts {
    let parts: Vec<&str> = token.split('.').collect();
    let [protected, encrypted_key, iv, ciphertext, tag] = parts[..] else {
        panic!("compact JWE has five parts")
    };
    let header: serde_json::Value = serde_json::from_slice(&b64url_decode(protected)).expect("header JSON");
    let coordinate = |name: &str| b64url_decode(header["epk"][name].as_str().expect("epk coordinate"));
    let epk = match header["epk"]["crv"].as_str() {
        Some("P-256") => [&[4u8][..], &coordinate("x"), &coordinate("y")].concat(),
        Some(_) => coordinate("x"),
        None => Vec::new(),
    };
    Parts {
        aad: protected.as_bytes().to_vec(),
        epk,
        encrypted_key: b64url_decode(encrypted_key),
        iv: b64url_decode(iv),
        ciphertext: b64url_decode(ciphertext),
        tag: b64url_decode(tag),
    }
}

// ---------------------------------------------------------------------------
// The floor for tokens: bare aws-lc-rs, the long-lived keys prepared once
// ---------------------------------------------------------------------------

/// What one floor encryption writes: fixed buffers, reused.
struct Sealed {
    epk: [u8; 65],
    epk_len: usize,
    encrypted_key: [u8; 256],
    encrypted_key_len: usize,
    iv: [u8; 12],
    ciphertext: [u8; MAX_CLAIMS],
    ciphertext_len: usize,
    tag: [u8; 16],
}

impl Sealed {
    fn new() -> Self {
        Sealed {
            epk: [0; 65],
            epk_len: 0,
            encrypted_key: [0; 256],
            encrypted_key_len: 0,
            iv: [0; 12],
            ciphertext: [0; MAX_CLAIMS],
            ciphertext_len: 0,
            tag: [0; 16],
        }
    }

    /// A compact JWE of these parts under `protected` (non-ECDH modes only:
    /// an ECDH-ES header would have to carry this `epk`).
    fn to_compact(&self, protected: &str) -> String {
        let mut out = protected.to_owned();
        for part in [
            &self.encrypted_key[..self.encrypted_key_len],
            &self.iv,
            &self.ciphertext[..self.ciphertext_len],
            &self.tag,
        ] {
            out.push('.');
            URL_SAFE_NO_PAD.encode_string(part, &mut out);
        }
        out
    }

    fn parts(&self, aad: &[u8]) -> Parts {
        Parts {
            aad: aad.to_vec(),
            epk: self.epk[..self.epk_len].to_vec(),
            encrypted_key: self.encrypted_key[..self.encrypted_key_len].to_vec(),
            iv: self.iv.to_vec(),
            ciphertext: self.ciphertext[..self.ciphertext_len].to_vec(),
            tag: self.tag.to_vec(),
        }
    }
}

fn sha256_kdf() -> &'static SskdfDigestAlgorithm {
    get_sskdf_digest_algorithm(SskdfDigestAlgorithmId::Sha256).expect("SSKDF with SHA-256")
}

/// Concat KDF OtherInfo (RFC 7518 section 4.6.2) for a 256-bit key and no
/// `apu`/`apv`: the same for every token of an algorithm, so built once.
fn other_info(alg: &str) -> Vec<u8> {
    let mut info = Vec::new();
    info.extend_from_slice(&u32::try_from(alg.len()).expect("short").to_be_bytes());
    info.extend_from_slice(alg.as_bytes());
    info.extend_from_slice(&0u32.to_be_bytes());
    info.extend_from_slice(&0u32.to_be_bytes());
    info.extend_from_slice(&256u32.to_be_bytes());
    info
}

enum FloorKeys {
    Dir(LessSafeKey),
    AesKw(&'static [u8; 32]),
    Ecdh {
        alg: &'static agreement::Algorithm,
        recipient_public: ParsedPublicKey,
        recipient_private: PrivateKey,
        other_info: Vec<u8>,
        kdf: &'static SskdfDigestAlgorithm,
    },
    RsaOaep {
        public: OaepPublicEncryptingKey,
        private: OaepPrivateDecryptingKey,
    },
}

fn gcm_key(cek: &[u8]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, cek).expect("AES-256 key"))
}

fn wrap(kek: &[u8; 32], cek: &[u8; 32], out: &mut [u8]) -> usize {
    AesKek::new(&KW_AES_256, kek)
        .expect("KEK")
        .wrap(cek, out)
        .expect("key wrap")
        .len()
}

fn unwrap(kek: &[u8; 32], wrapped: &[u8], cek: &mut [u8; 32]) {
    let len = AesKek::new(&KW_AES_256, kek)
        .expect("KEK")
        .unwrap(wrapped, cek)
        .expect("key unwrap")
        .len();
    assert_eq!(len, 32);
}

impl FloorKeys {
    fn encrypt(&self, aad: &[u8], plaintext: &[u8], out: &mut Sealed) {
        let mut cek = [0u8; 32];
        match self {
            FloorKeys::Dir(key) => return gcm_seal(key, aad, plaintext, out),
            FloorKeys::AesKw(kek) => {
                rand::fill(&mut cek).expect("random CEK");
                out.encrypted_key_len = wrap(kek, &cek, &mut out.encrypted_key);
            }
            FloorKeys::Ecdh {
                alg,
                recipient_public,
                other_info,
                kdf,
                ..
            } => {
                let ephemeral = PrivateKey::generate(alg).expect("ephemeral key");
                let epk = ephemeral.compute_public_key().expect("ephemeral public key");
                out.epk_len = epk.as_ref().len();
                out.epk[..out.epk_len].copy_from_slice(epk.as_ref());
                let mut kek = [0u8; 32];
                agreement::agree(&ephemeral, recipient_public.clone(), Unspecified, |z| {
                    sskdf_digest(kdf, z, other_info, &mut kek)
                })
                .expect("ECDH and KDF");
                rand::fill(&mut cek).expect("random CEK");
                out.encrypted_key_len = wrap(&kek, &cek, &mut out.encrypted_key);
            }
            FloorKeys::RsaOaep { public, .. } => {
                rand::fill(&mut cek).expect("random CEK");
                out.encrypted_key_len = public
                    .encrypt(&OAEP_SHA256_MGF1SHA256, &cek, &mut out.encrypted_key, None)
                    .expect("RSA-OAEP-256")
                    .len();
            }
        }
        gcm_seal(&gcm_key(&cek), aad, plaintext, out);
    }

    /// Decrypts into `out`; returns the plaintext length.
    fn decrypt(&self, parts: &Parts, out: &mut [u8; MAX_CLAIMS]) -> usize {
        let mut cek = [0u8; 32];
        let fresh;
        let key = match self {
            FloorKeys::Dir(key) => key,
            FloorKeys::AesKw(kek) => {
                unwrap(kek, &parts.encrypted_key, &mut cek);
                fresh = gcm_key(&cek);
                &fresh
            }
            FloorKeys::Ecdh {
                alg,
                recipient_private,
                other_info,
                kdf,
                ..
            } => {
                let mut kek = [0u8; 32];
                let epk = UnparsedPublicKey::new(alg, &parts.epk);
                agreement::agree(recipient_private, epk, Unspecified, |z| {
                    sskdf_digest(kdf, z, other_info, &mut kek)
                })
                .expect("ECDH and KDF");
                unwrap(&kek, &parts.encrypted_key, &mut cek);
                fresh = gcm_key(&cek);
                &fresh
            }
            FloorKeys::RsaOaep { private, .. } => {
                let mut buf = [0u8; 256];
                let plain = private
                    .decrypt(&OAEP_SHA256_MGF1SHA256, &parts.encrypted_key, &mut buf, None)
                    .expect("RSA-OAEP-256");
                cek.copy_from_slice(plain);
                fresh = gcm_key(&cek);
                &fresh
            }
        };
        gcm_open(key, parts, out)
    }
}

fn gcm_seal(key: &LessSafeKey, aad: &[u8], plaintext: &[u8], out: &mut Sealed) {
    rand::fill(&mut out.iv).expect("random IV");
    out.ciphertext_len = plaintext.len();
    let buf = &mut out.ciphertext[..plaintext.len()];
    buf.copy_from_slice(plaintext);
    let tag = key
        .seal_in_place_separate_tag(Nonce::assume_unique_for_key(out.iv), Aad::from(aad), buf)
        .expect("GCM seal");
    out.tag.copy_from_slice(tag.as_ref());
}

fn gcm_open(key: &LessSafeKey, parts: &Parts, out: &mut [u8; MAX_CLAIMS]) -> usize {
    let nonce = Nonce::try_assume_unique_for_key(&parts.iv).expect("12-byte IV");
    let buf = &mut out[..parts.ciphertext.len()];
    buf.copy_from_slice(&parts.ciphertext);
    key.open_in_place_separate_tag(nonce, Aad::from(&parts.aad), &parts.tag, buf)
        .expect("GCM open")
        .len()
}

// ---------------------------------------------------------------------------
// josekit (only with --cfg jose_bench_josekit)
// ---------------------------------------------------------------------------

#[cfg(jose_bench_josekit)]
mod peer {
    use josekit::jwe::{self, JweDecrypter, JweEncrypter, JweHeader};
    use josekit::jwt::{self, JwtPayload, JwtPayloadValidator};
    use serde_json::Value;

    use super::AccessClaims;

    pub struct Josekit {
        pub encrypter: Box<dyn JweEncrypter>,
        pub decrypter: Box<dyn JweDecrypter>,
        pub header: JweHeader,
    }

    impl Josekit {
        pub fn new(encrypter: Box<dyn JweEncrypter>, decrypter: Box<dyn JweDecrypter>, enc: &str) -> Self {
            let mut header = JweHeader::new();
            header.set_content_encryption(enc);
            Josekit {
                encrypter,
                decrypter,
                header,
            }
        }

        pub fn encrypt(&self, payload: &JwtPayload) -> String {
            jwt::encode_with_encrypter(payload, &self.header, &*self.encrypter).expect("josekit encrypts")
        }

        pub fn decrypt(&self, token: &str, validator: &JwtPayloadValidator) -> AccessClaims {
            let (payload, _header) = jwt::decode_with_decrypter(token, &*self.decrypter).expect("josekit decrypts");
            validator.validate(&payload).expect("josekit validates");
            let map: serde_json::Map<String, Value> = payload.into();
            serde_json::from_value(Value::Object(map)).expect("claims deserialize")
        }

        pub fn seal(&self, plaintext: &[u8]) -> String {
            jwe::serialize_compact(plaintext, &self.header, &*self.encrypter).expect("josekit encrypts")
        }

        pub fn open(&self, token: &str) -> Vec<u8> {
            jwe::deserialize_compact(token, &*self.decrypter)
                .expect("josekit decrypts")
                .0
        }
    }

    pub fn payload(claims: &AccessClaims) -> JwtPayload {
        let Value::Object(map) = serde_json::to_value(claims).expect("claims serialize") else {
            unreachable!("claims are an object")
        };
        JwtPayload::from_map(map).expect("josekit payload")
    }

    pub fn dir(key: &[u8], enc: &str) -> Josekit {
        Josekit::new(
            Box::new(jwe::Dir.encrypter_from_bytes(key).expect("dir key")),
            Box::new(jwe::Dir.decrypter_from_bytes(key).expect("dir key")),
            enc,
        )
    }

    pub fn a256kw(kek: &[u8]) -> Josekit {
        Josekit::new(
            Box::new(jwe::A256KW.encrypter_from_bytes(kek).expect("KEK")),
            Box::new(jwe::A256KW.decrypter_from_bytes(kek).expect("KEK")),
            "A256GCM",
        )
    }

    pub fn ecdh_es_a256kw(public_pem: &str, private_pem: &str) -> Josekit {
        Josekit::new(
            Box::new(jwe::ECDH_ES_A256KW.encrypter_from_pem(public_pem).expect("public key")),
            Box::new(
                jwe::ECDH_ES_A256KW
                    .decrypter_from_pem(private_pem)
                    .expect("private key"),
            ),
            "A256GCM",
        )
    }

    pub fn rsa_oaep_256(public_pem: &str, private_pem: &str) -> Josekit {
        Josekit::new(
            Box::new(jwe::RSA_OAEP_256.encrypter_from_pem(public_pem).expect("public key")),
            Box::new(jwe::RSA_OAEP_256.decrypter_from_pem(private_pem).expect("private key")),
            "A256GCM",
        )
    }
}

// ---------------------------------------------------------------------------
// Token groups
// ---------------------------------------------------------------------------

struct TokenCase {
    /// The group name's first part: `<alg> [<curve>] <enc>`.
    name: &'static str,
    alg: JweAlg,
    /// Encrypts (the public key for ECDH-ES and RSA).
    encrypt_key: Key,
    /// Decrypts.
    decrypt_key: Key,
    floor: FloorKeys,
    #[cfg(jose_bench_josekit)]
    josekit: peer::Josekit,
}

fn dir_gcm() -> TokenCase {
    TokenCase {
        name: "dir A256GCM",
        alg: JweAlg::Dir,
        encrypt_key: Key::from_secret(DIR_GCM_KEY).expect("a non-empty secret"),
        decrypt_key: Key::from_secret(DIR_GCM_KEY).expect("a non-empty secret"),
        floor: FloorKeys::Dir(gcm_key(DIR_GCM_KEY)),
        #[cfg(jose_bench_josekit)]
        josekit: peer::dir(DIR_GCM_KEY, "A256GCM"),
    }
}

fn a256kw() -> TokenCase {
    TokenCase {
        name: "A256KW A256GCM",
        alg: JweAlg::A256KW,
        encrypt_key: Key::from_secret(KEK).expect("a non-empty secret"),
        decrypt_key: Key::from_secret(KEK).expect("a non-empty secret"),
        floor: FloorKeys::AesKw(KEK),
        #[cfg(jose_bench_josekit)]
        josekit: peer::a256kw(KEK),
    }
}

fn ecdh_floor(alg: &'static agreement::Algorithm, private: PrivateKey) -> FloorKeys {
    let public = private.compute_public_key().expect("public key");
    let recipient_public =
        ParsedPublicKey::try_from(&UnparsedPublicKey::new(alg, public.as_ref())).expect("recipient's public key");
    FloorKeys::Ecdh {
        alg,
        recipient_public,
        recipient_private: private,
        other_info: other_info("ECDH-ES+A256KW"),
        kdf: sha256_kdf(),
    }
}

fn ecdh_p256() -> TokenCase {
    let private = PrivateKey::from_private_key_der(&ECDH_P256, &pem_to_der(EC_PRIVATE)).expect("P-256 PKCS#8");
    TokenCase {
        name: "ECDH-ES+A256KW P-256 A256GCM",
        alg: JweAlg::ECDH_ES_A256KW,
        encrypt_key: Key::from_pem(EC_PUBLIC).expect("EC public key"),
        decrypt_key: Key::from_pem(EC_PRIVATE).expect("EC private key"),
        floor: ecdh_floor(&ECDH_P256, private),
        #[cfg(jose_bench_josekit)]
        josekit: peer::ecdh_es_a256kw(EC_PUBLIC, EC_PRIVATE),
    }
}

fn ecdh_x25519() -> TokenCase {
    let pair = generate_key_pair(JweAlg::ECDH_ES_A256KW, KeyPairOptions::default().crv(Curve::X25519)).expect("X25519");
    // An X25519 PKCS#8 v1 is a fixed 16-byte prefix and the 32-byte key.
    let pkcs8 = pair.private_key.to_pkcs8_der().expect("PKCS#8");
    assert_eq!(pkcs8.len(), 48, "X25519 PKCS#8");
    let private = PrivateKey::from_private_key(&X25519, &pkcs8[16..]).expect("X25519 private key");
    assert_eq!(
        pair.public_key.to_spki_der().expect("SPKI")[12..],
        *private.compute_public_key().expect("public key").as_ref(),
        "the floor's key is rjose's"
    );
    TokenCase {
        name: "ECDH-ES+A256KW X25519 A256GCM",
        alg: JweAlg::ECDH_ES_A256KW,
        #[cfg(jose_bench_josekit)]
        josekit: peer::ecdh_es_a256kw(
            &pair.public_key.to_spki_pem().expect("SPKI PEM"),
            &pair.private_key.to_pkcs8_pem().expect("PKCS#8 PEM"),
        ),
        encrypt_key: pair.public_key,
        decrypt_key: pair.private_key,
        floor: ecdh_floor(&X25519, private),
    }
}

fn rsa_oaep_256() -> TokenCase {
    let private = PrivateDecryptingKey::from_pkcs8(&pem_to_der(RSA_PRIVATE)).expect("RSA PKCS#8");
    let public = PublicEncryptingKey::from_der(&pem_to_der(RSA_PUBLIC)).expect("RSA SPKI");
    TokenCase {
        name: "RSA-OAEP-256 A256GCM",
        alg: JweAlg::RSA_OAEP_256,
        encrypt_key: Key::from_pem(RSA_PUBLIC).expect("RSA public key"),
        decrypt_key: Key::from_pem(RSA_PRIVATE).expect("RSA private key"),
        floor: FloorKeys::RsaOaep {
            public: OaepPublicEncryptingKey::new(public).expect("OAEP public key"),
            private: OaepPrivateDecryptingKey::new(private).expect("OAEP private key"),
        },
        #[cfg(jose_bench_josekit)]
        josekit: peer::rsa_oaep_256(RSA_PUBLIC, RSA_PRIVATE),
    }
}

fn jose_encrypt(claims: &AccessClaims, header: &JweHeader, key: &Key) -> String {
    EncryptJwt::new(claims)
        .protected_header(header.clone())
        .encrypt(key)
        .expect("rjose encrypts")
}

fn bench_token(c: &mut Criterion, case: TokenCase) {
    let claims = access_claims();
    let header = JweHeader::new(case.alg, JweEnc::A256GCM);
    let options = DecryptOptions::new().claims(VerifyOptions::new().allow_any_audience());
    let jose_decrypt = |token: &str| {
        jwt_decrypt::<AccessClaims>(black_box(token), &case.decrypt_key, &options)
            .expect("rjose decrypts")
            .claims
    };

    // The token everyone decrypts, and its parts for the floor.
    let token = jose_encrypt(&claims, &header, &case.encrypt_key);
    assert_eq!(jose_decrypt(&token), claims);
    let parts = split_jwe(&token);
    let mut opened = [0u8; MAX_CLAIMS];
    let len = case.floor.decrypt(&parts, &mut opened);
    let plaintext = opened[..len].to_vec();
    assert_eq!(
        serde_json::from_slice::<AccessClaims>(&plaintext).expect("claims"),
        claims
    );
    assert_eq!(plaintext.len(), parts.ciphertext.len());
    assert!(plaintext.len() <= MAX_CLAIMS);

    // The floor's own output: it decrypts it, and so does rjose where the
    // protected header does not depend on the message.
    let mut sealed = Sealed::new();
    case.floor.encrypt(&parts.aad, &plaintext, &mut sealed);
    assert_eq!(
        sealed.encrypted_key_len,
        parts.encrypted_key.len(),
        "same sizes as rjose"
    );
    assert_eq!(sealed.epk_len, parts.epk.len(), "same sizes as rjose");
    let mut again = [0u8; MAX_CLAIMS];
    let len = case.floor.decrypt(&sealed.parts(&parts.aad), &mut again);
    assert_eq!(again[..len], plaintext[..]);
    if parts.epk.is_empty() {
        let protected = std::str::from_utf8(&parts.aad).expect("ASCII");
        assert_eq!(jose_decrypt(&sealed.to_compact(protected)), claims);
    }

    #[cfg(jose_bench_josekit)]
    let (payload, validator) = {
        let payload = peer::payload(&claims);
        let validator = josekit::jwt::JwtPayloadValidator::new();
        assert_eq!(case.josekit.decrypt(&token, &validator), claims);
        assert_eq!(jose_decrypt(&case.josekit.encrypt(&payload)), claims);
        (payload, validator)
    };

    let mut group = c.benchmark_group(format!("{}/encrypt", case.name));
    group.bench_function("rjose", |b| {
        b.iter(|| jose_encrypt(black_box(&claims), &header, &case.encrypt_key))
    });
    #[cfg(jose_bench_josekit)]
    group.bench_function("josekit", |b| b.iter(|| case.josekit.encrypt(black_box(&payload))));
    group.bench_function("floor", |b| {
        b.iter(|| {
            case.floor
                .encrypt(black_box(&parts.aad), black_box(&plaintext), &mut sealed);
            black_box(&sealed.tag);
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("{}/decrypt", case.name));
    group.bench_function("rjose", |b| b.iter(|| jose_decrypt(&token)));
    #[cfg(jose_bench_josekit)]
    group.bench_function("josekit", |b| {
        b.iter(|| case.josekit.decrypt(black_box(&token), &validator))
    });
    group.bench_function("floor", |b| {
        b.iter(|| case.floor.decrypt(black_box(&parts), &mut opened))
    });
    group.finish();
}

// ---------------------------------------------------------------------------
// Throughput groups: 1 MiB under "dir"
// ---------------------------------------------------------------------------

/// The bare content encryption, its key prepared once.
enum ContentFloor {
    Gcm(LessSafeKey),
    CbcHmac(Box<CbcHmacKeys>),
}

/// A128CBC-HS256's two halves of the key, prepared.
struct CbcHmacKeys {
    mac: hmac::Key,
    encrypt: PaddedBlockEncryptingKey,
    decrypt: PaddedBlockDecryptingKey,
}

/// IV and tag of one floor encryption.
struct IvTag {
    iv: Vec<u8>,
    tag: Vec<u8>,
}

impl ContentFloor {
    fn new(enc: JweEnc, key: &[u8; 32]) -> Self {
        match enc {
            JweEnc::A256GCM => ContentFloor::Gcm(gcm_key(key)),
            JweEnc::A128CBC_HS256 => {
                let (mac, aes) = key.split_at(16);
                let aes = || UnboundCipherKey::new(&AES_128, aes).expect("AES-128 key");
                ContentFloor::CbcHmac(Box::new(CbcHmacKeys {
                    mac: hmac::Key::new(hmac::HMAC_SHA256, mac),
                    encrypt: PaddedBlockEncryptingKey::cbc_pkcs7(aes()).expect("CBC key"),
                    decrypt: PaddedBlockDecryptingKey::cbc_pkcs7(aes()).expect("CBC key"),
                }))
            }
            other => unreachable!("no floor for {other}"),
        }
    }

    /// HMAC-SHA-256 over `AAD || IV || C || AL`, truncated to 16 bytes.
    fn mac(mac: &hmac::Key, aad: &[u8], iv: &[u8], ciphertext: &[u8]) -> [u8; 16] {
        let mut context = hmac::Context::with_key(mac);
        context.update(aad);
        context.update(iv);
        context.update(ciphertext);
        context.update(&(aad.len() as u64 * 8).to_be_bytes());
        let mut tag = [0u8; 16];
        tag.copy_from_slice(&context.sign().as_ref()[..16]);
        tag
    }

    /// Encrypts `buf` in place (the CBC padding is appended to it).
    fn seal(&self, aad: &[u8], buf: &mut Vec<u8>) -> IvTag {
        match self {
            ContentFloor::Gcm(key) => {
                let mut iv = [0u8; 12];
                rand::fill(&mut iv).expect("random IV");
                let tag = key
                    .seal_in_place_separate_tag(Nonce::assume_unique_for_key(iv), Aad::from(aad), buf)
                    .expect("GCM seal");
                IvTag {
                    iv: iv.to_vec(),
                    tag: tag.as_ref().to_vec(),
                }
            }
            ContentFloor::CbcHmac(keys) => {
                let mut iv = [0u8; 16];
                rand::fill(&mut iv).expect("random IV");
                keys.encrypt
                    .less_safe_encrypt(buf, EncryptionContext::Iv128(iv.into()))
                    .expect("CBC encrypt");
                let tag = Self::mac(&keys.mac, aad, &iv, buf);
                IvTag {
                    iv: iv.to_vec(),
                    tag: tag.to_vec(),
                }
            }
        }
    }

    /// Authenticates and decrypts `buf` in place; returns the plaintext length.
    fn open(&self, aad: &[u8], sealed: &IvTag, buf: &mut [u8]) -> usize {
        match self {
            ContentFloor::Gcm(key) => {
                let nonce = Nonce::try_assume_unique_for_key(&sealed.iv).expect("12-byte IV");
                key.open_in_place_separate_tag(nonce, Aad::from(aad), &sealed.tag, buf)
                    .expect("GCM open")
                    .len()
            }
            ContentFloor::CbcHmac(keys) => {
                let expected = Self::mac(&keys.mac, aad, &sealed.iv, buf);
                constant_time::verify_slices_are_equal(&expected, &sealed.tag).expect("tag");
                let iv: [u8; 16] = sealed.iv[..].try_into().expect("16-byte IV");
                keys.decrypt
                    .decrypt(buf, DecryptionContext::Iv128(iv.into()))
                    .expect("CBC decrypt")
                    .len()
            }
        }
    }
}

fn bench_throughput(c: &mut Criterion, enc: JweEnc, secret: &'static [u8; 32]) {
    let plaintext: Vec<u8> = (0..MIB).map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8).collect();
    let key = Key::from_secret(secret).expect("a non-empty secret");
    let header = JweHeader::new(JweAlg::Dir, enc);
    let options = JweDecryptOptions::new();
    let floor = ContentFloor::new(enc, secret);

    let compact = |plaintext: &[u8]| {
        CompactEncrypt::new(plaintext)
            .protected_header(header.clone())
            .encrypt(&key)
            .expect("rjose encrypts")
    };
    let flattened = |plaintext: &[u8]| {
        FlattenedEncrypt::new(plaintext)
            .protected_header(header.clone())
            .encrypt(&key)
            .expect("rjose encrypts")
    };

    // rjose's tokens, and the floor agrees with them both ways.
    let token = compact(&plaintext);
    let flat = flattened(&plaintext);
    let open_compact = |token: &str| {
        compact_decrypt(token, &key, &options)
            .expect("rjose decrypts")
            .plaintext
    };
    let open_flat = |flat: &FlattenedJwe| {
        flattened_decrypt(flat, &key, &options)
            .expect("rjose decrypts")
            .plaintext
    };
    assert!(open_compact(&token) == plaintext);
    assert!(open_flat(&flat) == plaintext);
    let parts = split_jwe(&token);
    let aad = parts.aad.clone();
    let jose_sealed = IvTag {
        iv: parts.iv.clone(),
        tag: parts.tag.clone(),
    };
    let mut buf = parts.ciphertext.clone();
    let len = floor.open(&aad, &jose_sealed, &mut buf);
    assert!(buf[..len] == plaintext[..]);
    let mut ciphertext = plaintext.clone();
    let floor_sealed = floor.seal(&aad, &mut ciphertext);
    let protected = std::str::from_utf8(&aad).expect("ASCII");
    let floor_token = [
        protected,
        "",
        &URL_SAFE_NO_PAD.encode(&floor_sealed.iv),
        &URL_SAFE_NO_PAD.encode(&ciphertext),
        &URL_SAFE_NO_PAD.encode(&floor_sealed.tag),
    ]
    .join(".");
    assert!(open_compact(&floor_token) == plaintext);
    let ciphertext_b64 = URL_SAFE_NO_PAD.encode(&ciphertext);

    #[cfg(jose_bench_josekit)]
    let josekit = {
        let josekit = peer::dir(secret, enc.name());
        assert!(josekit.open(&token) == plaintext);
        assert!(open_compact(&josekit.seal(&plaintext)) == plaintext);
        josekit
    };

    let name = format!("dir {} 1MiB", enc.name());
    let mut group = c.benchmark_group(format!("{name}/encrypt"));
    group.throughput(Throughput::Bytes(MIB as u64));
    group.bench_function("rjose compact", |b| {
        b.iter_batched(|| (), |()| compact(black_box(&plaintext)), BatchSize::LargeInput)
    });
    group.bench_function("rjose flattened", |b| {
        b.iter_batched(|| (), |()| flattened(black_box(&plaintext)), BatchSize::LargeInput)
    });
    #[cfg(jose_bench_josekit)]
    group.bench_function("josekit compact", |b| {
        b.iter_batched(|| (), |()| josekit.seal(black_box(&plaintext)), BatchSize::LargeInput)
    });
    // The buffer handed to the floor has room for the CBC padding block.
    let input = || {
        let mut buf = Vec::with_capacity(MIB + 16);
        buf.extend_from_slice(&plaintext);
        buf
    };
    group.bench_function("floor", |b| {
        b.iter_batched_ref(input, |buf| floor.seal(black_box(&aad), buf), BatchSize::LargeInput)
    });
    group.bench_function("floor+base64url", |b| {
        b.iter_batched_ref(
            input,
            |buf| {
                let sealed = floor.seal(black_box(&aad), buf);
                (sealed, URL_SAFE_NO_PAD.encode(&buf))
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();

    let mut group = c.benchmark_group(format!("{name}/decrypt"));
    group.throughput(Throughput::Bytes(MIB as u64));
    group.bench_function("rjose compact", |b| {
        b.iter_batched(|| (), |()| open_compact(black_box(&token)), BatchSize::LargeInput)
    });
    group.bench_function("rjose flattened", |b| {
        b.iter_batched(|| (), |()| open_flat(black_box(&flat)), BatchSize::LargeInput)
    });
    #[cfg(jose_bench_josekit)]
    group.bench_function("josekit compact", |b| {
        b.iter_batched(|| (), |()| josekit.open(black_box(&token)), BatchSize::LargeInput)
    });
    group.bench_function("floor", |b| {
        b.iter_batched_ref(
            || ciphertext.clone(),
            |buf| floor.open(black_box(&aad), &floor_sealed, buf),
            BatchSize::LargeInput,
        )
    });
    group.bench_function("floor+base64url", |b| {
        b.iter_batched(
            || (),
            |()| {
                let mut buf = URL_SAFE_NO_PAD.decode(black_box(&ciphertext_b64)).expect("base64url");
                let len = floor.open(black_box(&aad), &floor_sealed, &mut buf);
                buf.truncate(len);
                buf
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

/// A general JWE of 1 MiB for four A256KW recipients, decrypted with the
/// last recipient's key (no `kid`s, so the key is tried on each recipient
/// and refused by the first three). The cost over the `dir` 1 MiB decrypt
/// is what each refused recipient adds: three key unwraps, as long as the
/// shared parts are decoded once for the message rather than per recipient.
fn bench_general_recipients(c: &mut Criterion) {
    let plaintext: Vec<u8> = (0..MIB).map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8).collect();
    let keks: Vec<Key> = [b'1', b'2', b'3', b'4']
        .iter()
        .map(|n| {
            let mut secret = *KEK;
            secret[0] = *n;
            Key::from_secret(secret).expect("a non-empty secret")
        })
        .collect();
    let mut builder = GeneralEncrypt::new(&plaintext).protected_header(JweHeader::default().enc(JweEnc::A256GCM));
    for kek in &keks {
        builder = builder.add_recipient(kek, JweHeader::default().alg(JweAlg::A256KW));
    }
    let jwe = builder.encrypt().expect("general encrypt");
    let last = &keks[3];
    let options = JweDecryptOptions::new();
    assert_eq!(
        general_decrypt(&jwe, last, &options).expect("decrypt").plaintext,
        plaintext
    );

    let mut group = c.benchmark_group("general-4-recipients-1MiB/decrypt");
    group.throughput(Throughput::Bytes(MIB as u64));
    group.bench_function("rjose, last recipient", |b| {
        b.iter(|| general_decrypt(black_box(&jwe), last, &options).expect("decrypt"))
    });
    group.finish();
}

/// Keeps glibc's malloc from giving memory back to the kernel between
/// iterations. By default a freed MiB-sized buffer may be unmapped or trimmed
/// off the heap, and the next one is then faulted in afresh (256 page faults,
/// 0.1 to 1 ms here): whether that happens depends on the heap's history, so
/// the same 1 MiB decrypt measured 0.55 ms in one run and 1.5 ms in another.
/// With both thresholds fixed, every contender reuses heap memory and the
/// throughput groups measure the work itself.
fn pin_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn mallopt(param: i32, value: i32) -> i32;
        }
        const M_TRIM_THRESHOLD: i32 = -1;
        const M_MMAP_THRESHOLD: i32 = -3;
        // SAFETY: mallopt only sets malloc's tuning parameters; any value in
        // range is valid and it returns 1 on success.
        unsafe {
            assert_eq!(mallopt(M_MMAP_THRESHOLD, 16 << 20), 1, "mallopt(M_MMAP_THRESHOLD)");
            assert_eq!(mallopt(M_TRIM_THRESHOLD, 256 << 20), 1, "mallopt(M_TRIM_THRESHOLD)");
        }
    }
}

fn benches(c: &mut Criterion) {
    pin_allocator();
    bench_token(c, dir_gcm());
    bench_token(c, a256kw());
    bench_token(c, ecdh_p256());
    bench_token(c, ecdh_x25519());
    bench_token(c, rsa_oaep_256());
    bench_throughput(c, JweEnc::A256GCM, DIR_GCM_KEY);
    bench_throughput(c, JweEnc::A128CBC_HS256, DIR_CBC_KEY);
    bench_general_recipients(c);
}

criterion_group! {
    name = jwe;
    config = config();
    targets = benches
}
criterion_main!(jwe);
