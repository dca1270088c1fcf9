pub(crate) enum KeyDer {
    Spki(Vec<u8>),
    Pkcs8(zeroize::Zeroizing<Vec<u8>>),
}
#[derive(Debug)]
pub(crate) struct DerError(pub(crate) &'static str);
pub(crate) fn decode_pem(_pem: &str, _password: Option<&[u8]>) -> Result<KeyDer, DerError> {
    Err(DerError("x"))
}
pub(crate) fn decode_der(_der: &[u8]) -> Result<KeyDer, DerError> {
    Err(DerError("x"))
}
pub(crate) fn spki_pem(_spki_der: &[u8]) -> String {
    String::new()
}
pub(crate) fn pkcs8_pem(_pkcs8_der: &[u8]) -> zeroize::Zeroizing<String> {
    zeroize::Zeroizing::new(String::new())
}
pub(crate) fn encrypted_pkcs8_pem(_pkcs8_der: &[u8], _password: &[u8]) -> Result<zeroize::Zeroizing<String>, DerError> {
    Err(DerError("x"))
}
pub(crate) fn certificate_spki(_cert_der: &[u8]) -> Result<Vec<u8>, DerError> {
    Err(DerError("x"))
}
