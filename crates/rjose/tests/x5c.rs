//! JWS signed by an X.509 chain (`x5c`, issue 15): chains made here with
//! rcgen at fixed dates, validated at a fixed time, each failure asserted
//! by its exact code.

use rcgen::{
    BasicConstraints, Certificate, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519, PKCS_RSA_SHA256, SignatureAlgorithm,
    date_time_ymd,
};
use rjose::jws::{CompactSign, JwsHeader, JwsVerifyOptions, compact_verify};
use rjose::jwt::{SignJwt, VerifyOptions, jwt_verify_json};
use rjose::x5c::{X5cFailure, X5cKeySource, encode_certificate, leaf_thumbprint};
use rjose::{Alg, Error, Key};
use serde_json::{Value, json};

const PAYLOAD: &[u8] = b"signed by a certificate";
/// 2026-06-01T00:00:00Z: inside every validity period below unless a test
/// says otherwise.
const NOW: i64 = 1_780_272_000;
/// Extended key usage OIDs of the tests: code signing and a private one.
const CODE_SIGNING: &str = "1.3.6.1.5.5.7.3.3";
const PRIVATE_EKU: &[u64] = &[1, 3, 6, 1, 4, 1, 55555, 1];
const PRIVATE_EKU_TEXT: &str = "1.3.6.1.4.1.55555.1";

/// A certificate and, for a CA, what it takes to issue below it.
struct Ca {
    cert: Certificate,
    issuer: Issuer<'static, KeyPair>,
}

/// What a CA or leaf certificate should say.
struct Spec {
    name: &'static str,
    years: (i32, i32),
    is_ca: IsCa,
    key_usages: Vec<KeyUsagePurpose>,
    ekus: Vec<ExtendedKeyUsagePurpose>,
}

impl Spec {
    fn ca(name: &'static str) -> Spec {
        Spec {
            name,
            years: (2025, 2030),
            is_ca: IsCa::Ca(BasicConstraints::Unconstrained),
            key_usages: vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign],
            ekus: Vec::new(),
        }
    }

    fn leaf(name: &'static str) -> Spec {
        Spec {
            name,
            years: (2026, 2027),
            is_ca: IsCa::ExplicitNoCa,
            key_usages: vec![KeyUsagePurpose::DigitalSignature],
            ekus: vec![ExtendedKeyUsagePurpose::CodeSigning],
        }
    }

    fn years(mut self, from: i32, to: i32) -> Spec {
        self.years = (from, to);
        self
    }

    fn ca_flag(mut self, is_ca: IsCa) -> Spec {
        self.is_ca = is_ca;
        self
    }

    fn key_usages(mut self, usages: Vec<KeyUsagePurpose>) -> Spec {
        self.key_usages = usages;
        self
    }

    fn ekus(mut self, ekus: Vec<ExtendedKeyUsagePurpose>) -> Spec {
        self.ekus = ekus;
        self
    }

    fn params(&self) -> CertificateParams {
        let mut params = CertificateParams::default();
        params.distinguished_name = rcgen::DistinguishedName::new();
        params.distinguished_name.push(DnType::CommonName, self.name);
        params.not_before = date_time_ymd(self.years.0, 1, 1);
        params.not_after = date_time_ymd(self.years.1, 1, 1);
        params.is_ca = self.is_ca;
        params.key_usages = self.key_usages.clone();
        params.extended_key_usages = self.ekus.clone();
        params.use_authority_key_identifier_extension = true;
        params
    }
}

fn key_pair(alg: &'static SignatureAlgorithm) -> KeyPair {
    if alg == &PKCS_RSA_SHA256 {
        // rcgen runs on ring here (no aws-lc in the rust-crypto test
        // build), which signs with RSA but cannot generate a key: a fixed
        // 2048-bit test key instead.
        KeyPair::from_pem_and_sign_algo(include_str!("fixtures/pem/rsa2048.pkcs8.pem"), alg).expect("RSA key")
    } else {
        KeyPair::generate_for(alg).expect("key")
    }
}

fn root(spec: Spec) -> Ca {
    let key = key_pair(&PKCS_ECDSA_P256_SHA256);
    let params = spec.params();
    let cert = params.self_signed(&key).expect("root");
    Ca {
        cert,
        issuer: Issuer::new(params, key),
    }
}

fn intermediate(spec: Spec, parent: &Ca) -> Ca {
    let key = key_pair(&PKCS_ECDSA_P384_SHA384);
    let params = spec.params();
    let cert = params.signed_by(&key, &parent.issuer).expect("intermediate");
    Ca {
        cert,
        issuer: Issuer::new(params, key),
    }
}

/// A leaf certificate and the private key that signs tokens with it.
fn leaf_with(spec: Spec, parent: &Ca, alg: &'static SignatureAlgorithm) -> (Certificate, Key) {
    let key = key_pair(alg);
    let cert = spec.params().signed_by(&key, &parent.issuer).expect("leaf");
    let signing = Key::from_pkcs8_der(&key.serialize_der()).expect("import");
    (cert, signing)
}

fn leaf(spec: Spec, parent: &Ca) -> (Certificate, Key) {
    leaf_with(spec, parent, &PKCS_ECDSA_P256_SHA256)
}

/// Root, intermediate and a code-signing leaf, all valid at [`NOW`].
struct Pki {
    root: Ca,
    intermediate: Ca,
    leaf: Certificate,
    key: Key,
}

fn pki() -> Pki {
    let root = root(Spec::ca("Test Root"));
    let intermediate = intermediate(Spec::ca("Test Intermediate"), &root);
    let (leaf, key) = leaf(Spec::leaf("Test Signer"), &intermediate);
    Pki {
        root,
        intermediate,
        leaf,
        key,
    }
}

fn x5c(certs: &[&Certificate]) -> Value {
    Value::from(certs.iter().map(|c| encode_certificate(c.der())).collect::<Vec<_>>())
}

fn token_with(header: JwsHeader, key: &Key) -> String {
    CompactSign::new(PAYLOAD)
        .protected_header(header)
        .sign(key)
        .expect("signing")
}

fn token(alg: Alg, chain: Value, key: &Key) -> String {
    token_with(JwsHeader::new(alg).insert("x5c", chain).expect("header"), key)
}

fn verifier(root: &Ca) -> X5cKeySource {
    X5cKeySource::new([root.cert.pem()]).expect("anchor").current_time(NOW)
}

fn verify(token: &str, verifier: &X5cKeySource) -> Result<Vec<u8>, Error> {
    compact_verify(token, verifier, &JwsVerifyOptions::new()).map(|v| v.payload)
}

#[track_caller]
fn assert_refused(result: Result<Vec<u8>, Error>, failure: X5cFailure) {
    match result {
        Err(Error::X5cInvalid { reason, message }) => {
            assert_eq!(reason, failure, "{message}");
            assert_eq!(Error::X5cInvalid { reason, message }.code(), failure.code());
        }
        other => panic!("expected {}, got {other:?}", failure.code()),
    }
}

#[track_caller]
fn assert_code(result: Result<Vec<u8>, Error>, code: &str) {
    match result {
        Err(e) => assert_eq!(e.code(), code, "{e}"),
        Ok(_) => panic!("expected {code}, got a verified token"),
    }
}

#[test]
fn valid_three_certificate_chain_verifies_an_es256_jws_with_the_leaf_key() {
    let p = pki();
    let t = token(Alg::ES256, x5c(&[&p.leaf, &p.intermediate.cert]), &p.key);
    assert_eq!(verify(&t, &verifier(&p.root)).expect("verifies"), PAYLOAD);
}

#[test]
fn chain_that_also_carries_its_root_verifies() {
    let p = pki();
    let t = token(Alg::ES256, x5c(&[&p.leaf, &p.intermediate.cert, &p.root.cert]), &p.key);
    assert_eq!(verify(&t, &verifier(&p.root)).expect("verifies"), PAYLOAD);
}

#[test]
fn rsa_leaf_verifies_rs256_and_ps256_and_refuses_es256() {
    let p = pki();
    let (leaf, key) = leaf_with(Spec::leaf("RSA Signer"), &p.intermediate, &PKCS_RSA_SHA256);
    let chain = x5c(&[&leaf, &p.intermediate.cert]);
    for alg in [Alg::RS256, Alg::PS256] {
        let t = token(alg, chain.clone(), &key);
        assert_eq!(verify(&t, &verifier(&p.root)).expect("verifies"), PAYLOAD, "{alg}");
    }
    // An ES256 token naming the RSA leaf: the leaf's key type decides.
    let es256 = token(Alg::ES256, chain.clone(), &p.key);
    assert_code(verify(&es256, &verifier(&p.root)), "ERR_JOSE_ALG_NOT_ALLOWED");
}

#[test]
fn ed25519_leaf_verifies_eddsa() {
    let p = pki();
    let (leaf, key) = leaf_with(Spec::leaf("Ed25519 Signer"), &p.intermediate, &PKCS_ED25519);
    let t = token(Alg::EdDSA, x5c(&[&leaf, &p.intermediate.cert]), &key);
    assert_eq!(verify(&t, &verifier(&p.root)).expect("verifies"), PAYLOAD);
}

#[test]
fn jwt_signed_by_the_leaf_verifies_through_jwt_verify() {
    let p = pki();
    let header = JwsHeader::new(Alg::ES256)
        .insert("x5c", x5c(&[&p.leaf, &p.intermediate.cert]))
        .expect("header");
    let jwt = SignJwt::new(&json!({ "sub": "device-1" }))
        .protected_header(header)
        .expiration_time(NOW + 60)
        .sign(&p.key)
        .expect("signs");
    let options = VerifyOptions::new().current_time(NOW);
    let verified = jwt_verify_json(&jwt, &verifier(&p.root), &options).expect("verifies");
    assert_eq!(verified.registered().sub.as_deref(), Some("device-1"));
}

#[test]
fn forged_jws_signature_with_a_valid_chain_is_a_signature_failure() {
    let p = pki();
    let other = key_pair(&PKCS_ECDSA_P256_SHA256);
    let other = Key::from_pkcs8_der(&other.serialize_der()).expect("import");
    let t = token(Alg::ES256, x5c(&[&p.leaf, &p.intermediate.cert]), &other);
    assert_code(verify(&t, &verifier(&p.root)), "ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
}

#[test]
fn rejects_expired_leaf() {
    let p = pki();
    let (leaf, key) = leaf(Spec::leaf("Old Signer").years(2024, 2026), &p.intermediate);
    let t = token(Alg::ES256, x5c(&[&leaf, &p.intermediate.cert]), &key);
    assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::Expired);
}

#[test]
fn rejects_leaf_not_yet_valid() {
    let p = pki();
    let (leaf, key) = leaf(Spec::leaf("Future Signer").years(2027, 2028), &p.intermediate);
    let t = token(Alg::ES256, x5c(&[&leaf, &p.intermediate.cert]), &key);
    assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::NotYetValid);
}

#[test]
fn rejects_expired_intermediate() {
    let root = root(Spec::ca("Test Root"));
    let old = intermediate(Spec::ca("Old Intermediate").years(2020, 2026), &root);
    let (leaf, key) = leaf(Spec::leaf("Signer"), &old);
    let t = token(Alg::ES256, x5c(&[&leaf, &old.cert]), &key);
    assert_refused(verify(&t, &verifier(&root)), X5cFailure::Expired);
}

#[test]
fn same_chain_verifies_at_a_time_inside_every_validity_period() {
    let p = pki();
    let (leaf, key) = leaf(Spec::leaf("Old Signer").years(2024, 2026), &p.intermediate);
    let t = token(Alg::ES256, x5c(&[&leaf, &p.intermediate.cert]), &key);
    let mid_2025 = 1_750_000_000;
    assert!(verify(&t, &verifier(&p.root).current_time(mid_2025)).is_ok());
}

#[test]
fn required_eku_accepts_a_leaf_that_lists_it() {
    let p = pki();
    let (leaf, key) = leaf(
        Spec::leaf("Private Signer").ekus(vec![ExtendedKeyUsagePurpose::Other(PRIVATE_EKU.to_vec())]),
        &p.intermediate,
    );
    let t = token(Alg::ES256, x5c(&[&leaf, &p.intermediate.cert]), &key);
    assert_eq!(
        verify(&t, &verifier(&p.root).required_eku(PRIVATE_EKU_TEXT)).expect("verifies"),
        PAYLOAD
    );
    let code_signing = token(Alg::ES256, x5c(&[&p.leaf, &p.intermediate.cert]), &p.key);
    assert!(verify(&code_signing, &verifier(&p.root).required_eku(CODE_SIGNING)).is_ok());
}

#[test]
fn rejects_leaf_with_the_wrong_eku() {
    let p = pki();
    let (leaf, key) = leaf(
        Spec::leaf("TLS Server").ekus(vec![ExtendedKeyUsagePurpose::ServerAuth]),
        &p.intermediate,
    );
    let t = token(Alg::ES256, x5c(&[&leaf, &p.intermediate.cert]), &key);
    assert_refused(
        verify(&t, &verifier(&p.root).required_eku(CODE_SIGNING)),
        X5cFailure::WrongUsage,
    );
}

#[test]
fn rejects_leaf_without_eku_when_one_is_required() {
    let p = pki();
    let (leaf, key) = leaf(Spec::leaf("Any Signer").ekus(Vec::new()), &p.intermediate);
    let t = token(Alg::ES256, x5c(&[&leaf, &p.intermediate.cert]), &key);
    assert_refused(
        verify(&t, &verifier(&p.root).required_eku(CODE_SIGNING)),
        X5cFailure::WrongUsage,
    );
}

#[test]
fn rejects_intermediate_restricted_to_another_eku() {
    let root = root(Spec::ca("Test Root"));
    let tls_ca = intermediate(
        Spec::ca("TLS Intermediate").ekus(vec![ExtendedKeyUsagePurpose::ServerAuth]),
        &root,
    );
    let (leaf, key) = leaf(Spec::leaf("Signer"), &tls_ca);
    let t = token(Alg::ES256, x5c(&[&leaf, &tls_ca.cert]), &key);
    assert_refused(
        verify(&t, &verifier(&root).required_eku(CODE_SIGNING)),
        X5cFailure::WrongUsage,
    );
}

#[test]
fn rejects_leaf_whose_key_usage_lacks_digital_signature() {
    let p = pki();
    let (leaf, key) = leaf(
        Spec::leaf("Encipherer").key_usages(vec![KeyUsagePurpose::KeyEncipherment]),
        &p.intermediate,
    );
    let t = token(Alg::ES256, x5c(&[&leaf, &p.intermediate.cert]), &key);
    assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::WrongUsage);
}

#[test]
fn rejects_intermediate_whose_key_usage_lacks_key_cert_sign() {
    let root = root(Spec::ca("Test Root"));
    let crl_only = intermediate(
        Spec::ca("CRL Intermediate").key_usages(vec![KeyUsagePurpose::CrlSign]),
        &root,
    );
    let (leaf, key) = leaf(Spec::leaf("Signer"), &crl_only);
    let t = token(Alg::ES256, x5c(&[&leaf, &crl_only.cert]), &key);
    assert_refused(verify(&t, &verifier(&root)), X5cFailure::WrongUsage);
}

#[test]
fn rejects_intermediate_that_is_not_a_ca() {
    let root = root(Spec::ca("Test Root"));
    for is_ca in [IsCa::ExplicitNoCa, IsCa::NoCa] {
        let not_ca = intermediate(Spec::ca("Not A CA").ca_flag(is_ca).key_usages(Vec::new()), &root);
        let (leaf, key) = leaf(Spec::leaf("Signer"), &not_ca);
        let t = token(Alg::ES256, x5c(&[&leaf, &not_ca.cert]), &key);
        assert_refused(verify(&t, &verifier(&root)), X5cFailure::NotACa);
    }
}

#[test]
fn rejects_ca_certificate_as_the_leaf() {
    let root = root(Spec::ca("Test Root"));
    let ca = intermediate(
        Spec::ca("Signing CA").key_usages(vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature]),
        &root,
    );
    let (_, key) = leaf(Spec::leaf("Signer"), &ca);
    let t = token(Alg::ES256, x5c(&[&ca.cert]), &key);
    assert_refused(verify(&t, &verifier(&root)), X5cFailure::LeafIsCa);
}

#[test]
fn rejects_chain_longer_than_max_chain_len_before_any_work() {
    let p = pki();
    let chain = x5c(&[&p.leaf, &p.intermediate.cert, &p.root.cert]);
    let t = token(Alg::ES256, chain, &p.key);
    assert_refused(
        verify(&t, &verifier(&p.root).max_chain_len(2)),
        X5cFailure::ChainTooLong,
    );
    // Five entries against the default of four, none of them even decodable.
    let junk = Value::from(vec!["!"; 5]);
    assert_refused(
        verify(&token(Alg::ES256, junk, &p.key), &verifier(&p.root)),
        X5cFailure::ChainTooLong,
    );
}

/// webpki keeps a trust anchor's name and key only; the root's own
/// `pathLenConstraint` is applied by the key source.
#[test]
fn rejects_path_beyond_the_roots_own_path_len_constraint() {
    let limited = root(Spec::ca("Constrained Root").ca_flag(IsCa::Ca(BasicConstraints::Constrained(1))));
    let upper = intermediate(Spec::ca("Upper Intermediate"), &limited);
    let lower = intermediate(Spec::ca("Lower Intermediate"), &upper);
    let (too_deep, key) = leaf(Spec::leaf("Signer"), &lower);
    let t = token(Alg::ES256, x5c(&[&too_deep, &lower.cert, &upper.cert]), &key);
    assert_refused(verify(&t, &verifier(&limited)), X5cFailure::PathLenExceeded);
    // One intermediate is within the root's limit of one.
    let (within, within_key) = leaf(Spec::leaf("Signer Within"), &upper);
    let t = token(Alg::ES256, x5c(&[&within, &upper.cert]), &within_key);
    assert!(verify(&t, &verifier(&limited)).is_ok());

    // pathLen 0: the root issues leaves only.
    let strict = root(Spec::ca("Leaf-only Root").ca_flag(IsCa::Ca(BasicConstraints::Constrained(0))));
    let middle = intermediate(Spec::ca("Any Intermediate"), &strict);
    let (under_middle, middle_key) = leaf(Spec::leaf("Signer Below"), &middle);
    let t = token(Alg::ES256, x5c(&[&under_middle, &middle.cert]), &middle_key);
    assert_refused(verify(&t, &verifier(&strict)), X5cFailure::PathLenExceeded);
    let (direct, direct_key) = leaf(Spec::leaf("Direct Signer"), &strict);
    let t = token(Alg::ES256, x5c(&[&direct]), &direct_key);
    assert!(verify(&t, &verifier(&strict)).is_ok());
}

#[test]
fn rejects_path_beyond_a_path_len_constraint() {
    let root = root(Spec::ca("Test Root"));
    let upper = intermediate(
        Spec::ca("Upper Intermediate").ca_flag(IsCa::Ca(BasicConstraints::Constrained(0))),
        &root,
    );
    let lower = intermediate(Spec::ca("Lower Intermediate"), &upper);
    let (too_deep, key) = leaf(Spec::leaf("Signer"), &lower);
    let t = token(Alg::ES256, x5c(&[&too_deep, &lower.cert, &upper.cert]), &key);
    assert_refused(verify(&t, &verifier(&root)), X5cFailure::PathLenExceeded);
    // pathLen 0 still lets the constrained CA issue leaves directly.
    let (direct, direct_key) = leaf(Spec::leaf("Direct Signer"), &upper);
    let t = token(Alg::ES256, x5c(&[&direct, &upper.cert]), &direct_key);
    assert!(verify(&t, &verifier(&root)).is_ok());
}

#[test]
fn rejects_self_signed_leaf_not_among_the_anchors() {
    let p = pki();
    let key = key_pair(&PKCS_ECDSA_P256_SHA256);
    let leaf = Spec::leaf("Self Signer")
        .params()
        .self_signed(&key)
        .expect("self-signed");
    let signing = Key::from_pkcs8_der(&key.serialize_der()).expect("import");
    let t = token(Alg::ES256, x5c(&[&leaf]), &signing);
    assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::UnknownIssuer);
}

#[test]
fn rejects_chain_in_the_wrong_order() {
    let root = root(Spec::ca("Test Root"));
    let upper = intermediate(Spec::ca("Upper Intermediate"), &root);
    let lower = intermediate(Spec::ca("Lower Intermediate"), &upper);
    let (leaf, key) = leaf(Spec::leaf("Signer"), &lower);
    let right = token(Alg::ES256, x5c(&[&leaf, &lower.cert, &upper.cert]), &key);
    assert!(verify(&right, &verifier(&root)).is_ok());
    let swapped = token(Alg::ES256, x5c(&[&leaf, &upper.cert, &lower.cert]), &key);
    assert_refused(verify(&swapped, &verifier(&root)), X5cFailure::WrongOrder);
    let reversed = token(Alg::ES256, x5c(&[&upper.cert, &lower.cert, &leaf]), &key);
    assert_refused(verify(&reversed, &verifier(&root)), X5cFailure::WrongOrder);
}

#[test]
fn rejects_chain_to_an_unknown_root() {
    let p = pki();
    let stranger = root(Spec::ca("Another Root"));
    let t = token(Alg::ES256, x5c(&[&p.leaf, &p.intermediate.cert]), &p.key);
    assert_refused(verify(&t, &verifier(&stranger)), X5cFailure::UnknownIssuer);
}

#[test]
fn rejects_chain_to_a_root_with_the_same_name_but_another_key() {
    let p = pki();
    let impostor = root(Spec::ca("Test Root"));
    let t = token(Alg::ES256, x5c(&[&p.leaf, &p.intermediate.cert]), &p.key);
    assert_refused(verify(&t, &verifier(&impostor)), X5cFailure::BadSignature);
}

#[test]
fn rejects_leaf_with_a_tampered_signature() {
    let p = pki();
    let mut der = p.leaf.der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0x01;
    let chain = Value::from(vec![
        encode_certificate(&der),
        encode_certificate(p.intermediate.cert.der()),
    ]);
    let t = token(Alg::ES256, chain, &p.key);
    assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::BadSignature);
}

#[test]
fn header_thumbprint_must_be_the_leaf_s() {
    let p = pki();
    let chain = x5c(&[&p.leaf, &p.intermediate.cert]);
    let header = |x5t: String| {
        JwsHeader::new(Alg::ES256)
            .insert("x5c", chain.clone())
            .and_then(|h| h.insert("x5t#S256", x5t))
            .expect("header")
    };
    let right = token_with(header(leaf_thumbprint(p.leaf.der())), &p.key);
    assert!(verify(&right, &verifier(&p.root)).is_ok());
    let wrong = token_with(header(leaf_thumbprint(p.intermediate.cert.der())), &p.key);
    assert_refused(verify(&wrong, &verifier(&p.root)), X5cFailure::ThumbprintMismatch);
}

#[test]
fn pinned_verifier_accepts_only_the_pinned_leaf() {
    let p = pki();
    let t = token(Alg::ES256, x5c(&[&p.leaf, &p.intermediate.cert]), &p.key);
    let pinned = verifier(&p.root).pin_leaf_sha256(leaf_thumbprint(p.leaf.der()));
    assert!(verify(&t, &pinned).is_ok());
    let (other, other_key) = leaf(Spec::leaf("Other Signer"), &p.intermediate);
    let t = token(Alg::ES256, x5c(&[&other, &p.intermediate.cert]), &other_key);
    assert_refused(verify(&t, &pinned), X5cFailure::PinMismatch);
}

#[test]
fn header_jwk_other_than_the_leaf_key_is_refused_and_kid_is_ignored() {
    let p = pki();
    let chain = x5c(&[&p.leaf, &p.intermediate.cert]);
    let same = p.key.to_public_jwk().expect("jwk");
    let with_jwk = |jwk| {
        JwsHeader::new(Alg::ES256)
            .kid("not-a-key-id-anyone-knows")
            .insert("x5c", chain.clone())
            .and_then(|h| h.insert("jwk", jwk))
            .expect("header")
    };
    let t = token_with(with_jwk(serde_json::to_value(&same).expect("json")), &p.key);
    assert!(verify(&t, &verifier(&p.root)).is_ok());
    let other = key_pair(&PKCS_ECDSA_P256_SHA256);
    let other = Key::from_pkcs8_der(&other.serialize_der()).expect("import");
    let other_jwk = serde_json::to_value(other.to_public_jwk().expect("jwk")).expect("json");
    let t = token_with(with_jwk(other_jwk), &p.key);
    assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::KeyMismatch);
}

#[test]
fn token_without_x5c_is_refused_as_missing() {
    let p = pki();
    let t = token_with(JwsHeader::new(Alg::ES256), &p.key);
    assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::Missing);
}

#[test]
fn x5c_entries_must_be_standard_padded_base64() {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let p = pki();
    let intermediate = encode_certificate(p.intermediate.cert.der());
    let der = p.leaf.der();
    let standard = encode_certificate(der);
    let mut variants: Vec<String> = [&URL_SAFE, &STANDARD_NO_PAD, &URL_SAFE_NO_PAD]
        .into_iter()
        .map(|engine| engine.encode(der))
        .filter(|text| *text != standard)
        .collect();
    // Only a certificate whose base64 had no `+`, `/` or padding would
    // leave nothing to test: a few hundred random bytes always have some.
    assert!(!variants.is_empty());
    variants.push(format!("{standard}\n"));
    for text in variants {
        let t = token(Alg::ES256, Value::from(vec![text, intermediate.clone()]), &p.key);
        assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::Malformed);
    }
    for bad in [json!("not an array"), json!([]), json!([42]), json!(["AAAA"])] {
        let t = token(Alg::ES256, bad, &p.key);
        assert_refused(verify(&t, &verifier(&p.root)), X5cFailure::Malformed);
    }
}

#[test]
fn unusable_options_are_reported_by_each_verification() {
    let p = pki();
    let t = token(Alg::ES256, x5c(&[&p.leaf, &p.intermediate.cert]), &p.key);
    for bad in [
        verifier(&p.root).required_eku("code signing"),
        verifier(&p.root).max_chain_len(0),
        verifier(&p.root).pin_leaf_sha256("too short"),
        verifier(&p.root).current_time(-1),
    ] {
        assert_code(verify(&t, &bad), "ERR_JOSE_INVALID_ARGUMENT");
    }
    assert_code(
        X5cKeySource::new([b"not a certificate".as_slice()]).map(|_| Vec::new()),
        "ERR_JOSE_INVALID_ARGUMENT",
    );
}

/// Apple's own test notification (tests/fixtures/app-store/SOURCE.md),
/// checked as Apple's `ChainVerifier` checks it offline.
mod app_store {
    use super::*;
    use der::Decode;
    use der::asn1::ObjectIdentifier;
    use x509_cert::Certificate as X509;

    const NOTIFICATION: &str = include_str!("fixtures/app-store/testNotification");
    const ROOT: &[u8] = include_bytes!("fixtures/app-store/testCA.der");
    /// The payload's `signedDate` (milliseconds 1681314324000): Apple's
    /// verifier validates the chain at that time when not online.
    const SIGNED_DATE: i64 = 1_681_314_324;
    const RECEIPT_SIGNER: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113635.100.6.11.1");
    const WWDR_INTERMEDIATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113635.100.6.2.1");

    fn apple_verifier() -> X5cKeySource {
        X5cKeySource::new([ROOT])
            .expect("root")
            .max_chain_len(3)
            .current_time(SIGNED_DATE)
    }

    fn es256_only() -> JwsVerifyOptions {
        JwsVerifyOptions::new().algorithms([Alg::ES256])
    }

    fn has_extension(der: &[u8], oid: ObjectIdentifier) -> bool {
        let cert = X509::from_der(der).expect("certificate");
        cert.tbs_certificate()
            .extensions()
            .is_some_and(|extensions| extensions.iter().any(|e| e.extn_id == oid))
    }

    #[test]
    fn apple_test_notification_verifies_at_its_signed_date_with_apple_s_rules() {
        let verified = compact_verify(NOTIFICATION.trim(), &apple_verifier(), &es256_only()).expect("verifies");
        let payload: Value = serde_json::from_slice(&verified.payload).expect("JSON");
        assert_eq!(payload["notificationType"], "TEST");
        assert_eq!(payload["signedDate"], SIGNED_DATE * 1000);

        // Apple's rules beyond the chain: exactly three certificates and the
        // marker extensions on the leaf and the intermediate.
        let header = verified.protected_header.expect("protected header");
        let x5c = header.other["x5c"].as_array().expect("x5c");
        assert_eq!(x5c.len(), 3);
        let der = |i: usize| {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(x5c[i].as_str().expect("string"))
                .expect("base64")
        };
        assert!(has_extension(&der(0), RECEIPT_SIGNER));
        assert!(has_extension(&der(1), WWDR_INTERMEDIATE));
    }

    #[test]
    fn apple_test_notification_is_refused_outside_its_certificates_validity() {
        let before = apple_verifier().current_time(1_640_995_200); // 2022-01-01
        assert_refused(
            compact_verify(NOTIFICATION.trim(), &before, &es256_only()).map(|v| v.payload),
            X5cFailure::NotYetValid,
        );
        let after = apple_verifier().current_time(2_051_222_400); // 2035-01-01
        assert_refused(
            compact_verify(NOTIFICATION.trim(), &after, &es256_only()).map(|v| v.payload),
            X5cFailure::Expired,
        );
    }

    #[test]
    fn apple_test_notification_is_refused_under_another_root() {
        let stranger = root(Spec::ca("Test Root"));
        let verifier = X5cKeySource::new([stranger.cert.der()])
            .expect("root")
            .current_time(SIGNED_DATE);
        assert_refused(
            compact_verify(NOTIFICATION.trim(), &verifier, &es256_only()).map(|v| v.payload),
            X5cFailure::UnknownIssuer,
        );
    }
}
