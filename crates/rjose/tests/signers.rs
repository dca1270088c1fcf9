//! External signers: keys that never enter the signing code (a thread, a
//! KMS, an HSM), and the checks applied to what they return.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::DecodePrivateKey;
use rjose::jws::{
    CompactSign, FlattenedSign, GeneralSign, JwsHeader, JwsVerifyOptions, compact_verify, flattened_verify,
    general_verify,
};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify};
use rjose::{
    Alg, AsyncSigner, Error, JsonObject, Key, KeyPair, KeyPairOptions, SignatureFuture, Signer, ecdsa_der_to_jose,
    generate_key_pair,
};
use tokio::sync::oneshot;

type Request = (Vec<u8>, mpsc::Sender<rjose::Result<Vec<u8>>>);

/// A signer whose private key is owned by another thread; this side only
/// sends signing inputs over a channel.
struct ThreadSigner {
    requests: mpsc::Sender<Request>,
    alg: Alg,
    kid: &'static str,
}

impl ThreadSigner {
    fn spawn(key: Key, alg: Alg, kid: &'static str) -> Self {
        let (requests, inbox) = mpsc::channel::<Request>();
        std::thread::spawn(move || {
            for (input, reply) in inbox {
                // The receiver may have given up; nothing to do then.
                let _ = reply.send(Signer::sign(&key, alg, &input));
            }
        });
        ThreadSigner { requests, alg, kid }
    }
}

impl Signer for ThreadSigner {
    fn jws_alg(&self) -> Option<Alg> {
        Some(self.alg)
    }

    fn kid(&self) -> Option<&str> {
        Some(self.kid)
    }

    fn sign(&self, _alg: Alg, signing_input: &[u8]) -> rjose::Result<Vec<u8>> {
        let (reply, answer) = mpsc::channel();
        self.requests
            .send((signing_input.to_vec(), reply))
            .map_err(|_| Error::Crypto("the signing thread is gone"))?;
        answer.recv().map_err(|_| Error::Crypto("the signing thread is gone"))?
    }
}

fn es256() -> KeyPair {
    generate_key_pair(Alg::ES256, KeyPairOptions::default()).expect("EC key")
}

fn verify_options() -> VerifyOptions {
    VerifyOptions::new().algorithms([Alg::ES256]).audience("api")
}

#[test]
fn a_signer_in_another_thread_signs_tokens_that_verify() {
    let pair = es256();
    let signer = ThreadSigner::spawn(pair.private_key.clone(), Alg::ES256, "hsm-1");
    let token = SignJwt::default()
        .subject("ada")
        .audience("api")
        .expiration_time("5m")
        .sign(&signer)
        .expect("signs");
    let verified = jwt_verify::<JsonObject>(&token, &pair.public_key, &verify_options()).expect("verifies");
    assert_eq!(verified.protected_header.alg, Some(Alg::ES256));
    assert_eq!(verified.protected_header.kid.as_deref(), Some("hsm-1"));
    assert_eq!(verified.registered().sub.as_deref(), Some("ada"));
}

#[test]
fn the_jws_builders_take_an_external_signer() {
    let pair = es256();
    let signer = ThreadSigner::spawn(pair.private_key.clone(), Alg::ES256, "hsm-1");
    let options = JwsVerifyOptions::new().algorithms([Alg::ES256]);

    let compact = CompactSign::new(b"payload").sign(&signer).expect("compact");
    assert_eq!(
        compact_verify(&compact, &pair.public_key, &options)
            .expect("verifies")
            .payload,
        b"payload"
    );

    let flattened = FlattenedSign::new(b"payload")
        .protected_header(JwsHeader::default().kid("hsm-1"))
        .sign(&signer)
        .expect("flattened");
    let verified = flattened_verify(&flattened, &pair.public_key, &options).expect("verifies");
    assert_eq!(verified.protected_header.and_then(|h| h.alg), Some(Alg::ES256));

    let hmac = Key::from_secret([3u8; 32]).expect("secret");
    let general = GeneralSign::new(b"payload")
        .add_signature(&hmac, JwsHeader::new(Alg::HS256), None)
        .add_signature(&signer, JwsHeader::default(), None)
        .sign()
        .expect("general");
    general_verify(&general, &pair.public_key, &options).expect("the external signature verifies");
}

/// An async signer: a task owns the key, requests travel over a channel
/// and answers come back on a oneshot, as with a KMS client.
type AsyncRequest = (Vec<u8>, oneshot::Sender<rjose::Result<Vec<u8>>>);

struct TaskSigner {
    requests: tokio::sync::mpsc::Sender<AsyncRequest>,
}

impl AsyncSigner for TaskSigner {
    fn jws_alg(&self) -> Option<Alg> {
        Some(Alg::ES256)
    }

    fn kid(&self) -> Option<&str> {
        Some("kms-1")
    }

    fn sign_async<'a>(&'a self, _alg: Alg, signing_input: &'a [u8]) -> SignatureFuture<'a> {
        Box::pin(async move {
            let (reply, answer) = oneshot::channel();
            self.requests
                .send((signing_input.to_vec(), reply))
                .await
                .map_err(|_| Error::Crypto("the signing task is gone"))?;
            answer.await.map_err(|_| Error::Crypto("the signing task is gone"))?
        })
    }
}

#[tokio::test]
async fn an_async_signer_signs_tokens_that_verify() {
    let pair = es256();
    let (requests, mut inbox) = tokio::sync::mpsc::channel::<AsyncRequest>(4);
    let key = pair.private_key.clone();
    tokio::spawn(async move {
        while let Some((input, reply)) = inbox.recv().await {
            tokio::task::yield_now().await;
            let _ = reply.send(Signer::sign(&key, Alg::ES256, &input));
        }
    });
    let signer: Arc<dyn AsyncSigner> = Arc::new(TaskSigner { requests });
    let token = SignJwt::default()
        .audience("api")
        .expiration_time("5m")
        .sign_async(signer.as_ref())
        .await
        .expect("signs");
    let verified = jwt_verify::<JsonObject>(&token, &pair.public_key, &verify_options()).expect("verifies");
    assert_eq!(verified.protected_header.kid.as_deref(), Some("kms-1"));

    let jws = CompactSign::new(b"x").sign_async(signer.as_ref()).await.expect("signs");
    compact_verify(&jws, &pair.public_key, &JwsVerifyOptions::new()).expect("verifies");
}

/// A KMS stand-in that answers with DER signatures, as AWS KMS and most
/// HSM APIs do; optionally converted to the JOSE form.
struct DerSigner {
    key: SigningKey,
    convert: bool,
    calls: AtomicUsize,
}

impl DerSigner {
    fn new(key: &Key, convert: bool) -> Self {
        let pkcs8 = key.to_pkcs8_der().expect("PKCS#8");
        let key = SigningKey::from_pkcs8_der(&pkcs8).expect("a P-256 PKCS#8 key");
        DerSigner {
            key,
            convert,
            calls: AtomicUsize::new(0),
        }
    }
}

impl Signer for DerSigner {
    fn jws_alg(&self) -> Option<Alg> {
        Some(Alg::ES256)
    }

    fn sign(&self, alg: Alg, signing_input: &[u8]) -> rjose::Result<Vec<u8>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let signature: p256::ecdsa::Signature = self.key.sign(signing_input);
        let der = signature.to_der();
        if self.convert {
            ecdsa_der_to_jose(alg, der.as_bytes())
        } else {
            Ok(der.as_bytes().to_vec())
        }
    }
}

#[test]
fn refuses_a_der_signature_from_an_external_signer() {
    let pair = es256();
    let error = SignJwt::default()
        .expiration_time("5m")
        .sign(&DerSigner::new(&pair.private_key, false))
        .expect_err("DER is not the JWS form");
    assert!(matches!(error, Error::Crypto(_)), "{error:?}");
    assert_eq!(error.code(), "ERR_JOSE_GENERIC");
}

#[test]
fn a_der_signature_converted_with_ecdsa_der_to_jose_verifies() {
    let pair = es256();
    for _ in 0..20 {
        // Twenty signatures: some have an r or s with the high bit set
        // (a DER padding byte) or a leading zero byte (a shorter integer).
        let token = SignJwt::default()
            .audience("api")
            .expiration_time("5m")
            .sign(&DerSigner::new(&pair.private_key, true))
            .expect("signs");
        jwt_verify::<JsonObject>(&token, &pair.public_key, &verify_options()).expect("verifies");
    }
}

#[test]
fn refuses_a_header_alg_that_is_not_the_signers_without_calling_it() {
    let pair = es256();
    let signer = DerSigner::new(&pair.private_key, true);
    let error = SignJwt::default()
        .protected_header(Alg::ES384)
        .expiration_time("5m")
        .sign(&signer)
        .expect_err("ES384 is not the signer's");
    assert!(matches!(error, Error::InvalidKeyUse(_)), "{error:?}");
    assert_eq!(signer.calls.load(Ordering::SeqCst), 0);
}

#[test]
fn refuses_a_signature_of_the_wrong_length_for_the_algorithm() {
    struct Short;
    impl Signer for Short {
        fn jws_alg(&self) -> Option<Alg> {
            Some(Alg::HS256)
        }
        fn sign(&self, _alg: Alg, _input: &[u8]) -> rjose::Result<Vec<u8>> {
            Ok(vec![0; 20])
        }
    }
    let error = CompactSign::new(b"x").sign(&Short).expect_err("20 bytes is not HS256");
    assert!(matches!(error, Error::Crypto(_)), "{error:?}");
}

#[test]
fn a_signer_without_an_alg_needs_one_in_the_header() {
    let key = Key::from_secret([1u8; 64]).expect("secret"); // HS256, HS384 or HS512
    let error = CompactSign::new(b"x").sign(&key).expect_err("which one?");
    assert_eq!(error.code(), "ERR_JWS_INVALID", "{error:?}");
    let jws = CompactSign::new(b"x")
        .protected_header(JwsHeader::new(Alg::HS384))
        .sign(&key)
        .expect("named");
    assert_eq!(
        compact_verify(&jws, &key, &JwsVerifyOptions::new())
            .expect("verifies")
            .payload,
        b"x"
    );
}

#[test]
fn ecdsa_der_to_jose_pads_and_strips_to_the_curve_size() {
    // r = 0x00ff.. (a padding byte), s = 1: SEQUENCE { INTEGER, INTEGER }.
    let mut der = vec![0x30, 0x26, 0x02, 0x21, 0x00];
    der.extend([0xff; 32]);
    der.extend([0x02, 0x01, 0x01]);
    let jose = ecdsa_der_to_jose(Alg::ES256, &der).expect("converts");
    assert_eq!(&jose[..32], &[0xff; 32]);
    assert_eq!(&jose[32..63], &[0; 31]);
    assert_eq!(jose[63], 1);
    assert_eq!(ecdsa_der_to_jose(Alg::ES512, &der).expect("P-521 is wider").len(), 132);
}

#[test]
fn ecdsa_der_to_jose_refuses_what_is_not_one_ecdsa_signature() {
    let valid = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01];
    let mut trailing = valid.to_vec();
    trailing.push(0);
    let mut too_wide = vec![0x30, 0x25, 0x02, 0x21, 0x01];
    too_wide.extend([0; 32]);
    too_wide.extend([0x02, 0x01, 0x01]);
    let cases: [(&str, Alg, &[u8]); 7] = [
        ("empty", Alg::ES256, &[]),
        ("truncated", Alg::ES256, &valid[..6]),
        ("trailing bytes", Alg::ES256, &trailing),
        (
            "negative r",
            Alg::ES256,
            &[0x30, 0x06, 0x02, 0x01, 0x80, 0x02, 0x01, 0x01],
        ),
        ("zero s", Alg::ES256, &[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00]),
        ("r wider than the curve", Alg::ES256, &too_wide),
        ("not ECDSA", Alg::EdDSA, &valid),
    ];
    for (case, alg, der) in cases {
        let error = ecdsa_der_to_jose(alg, der).expect_err(case);
        assert!(matches!(error, Error::InvalidArgument(_)), "{case}: {error:?}");
    }
    assert_eq!(ecdsa_der_to_jose(Alg::ES256, &valid).expect("valid").len(), 64);
}

#[test]
fn a_signer_serving_several_algorithms_signs_with_the_one_the_header_names() {
    /// An RSA key in a KMS that signs RS256 and PS256 alike.
    struct RsaKms(Key);
    impl Signer for RsaKms {
        fn jws_alg(&self) -> Option<Alg> {
            None
        }
        fn sign(&self, alg: Alg, input: &[u8]) -> rjose::Result<Vec<u8>> {
            Signer::sign(&self.0, alg, input)
        }
    }
    let pair = generate_key_pair(Alg::PS256, KeyPairOptions::default()).expect("RSA key");
    // Through PKCS#8 and SPKI: keys not bound to PS256.
    let private = Key::from_pkcs8_der(&pair.private_key.to_pkcs8_der().expect("PKCS#8")).expect("RSA key");
    let public = Key::from_spki_der(&pair.public_key.to_spki_der().expect("SPKI")).expect("RSA key");
    let kms = RsaKms(private);
    for alg in [Alg::RS256, Alg::PS256] {
        let token = SignJwt::default()
            .protected_header(alg)
            .audience("api")
            .expiration_time("5m")
            .sign(&kms)
            .expect("signs");
        let options = VerifyOptions::new().algorithms([alg]).audience("api");
        jwt_verify::<JsonObject>(&token, &public, &options).expect("verifies");
    }
    let error = SignJwt::default()
        .expiration_time("5m")
        .sign(&kms)
        .expect_err("which one?");
    assert_eq!(error.code(), "ERR_JWS_INVALID", "{error:?}");
}
