//! Base64url (RFC 4648 section 5), as JOSE writes it: for `--secret-b64`
//! and for detached JSON payloads. Written without padding; read with or
//! without it, since secrets are often pasted from tools that pad.

use base64::Engine as _;
use base64::alphabet::URL_SAFE;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};

/// Padding optional (none, or the canonical `=`s); trailing bits must be 0.
const LENIENT_PADDING: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encodes without padding.
pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url, padded or not. `None` for any other character
/// (including the `+` and `/` of standard base64), more `=` than the
/// canonical padding, non-zero trailing bits or an impossible length.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    LENIENT_PADDING.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors_round_trip_without_padding() {
        let vectors = [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded).as_deref(), Some(plain.as_bytes()));
        }
    }

    #[test]
    fn url_alphabet_is_used_and_standard_alphabet_refused() {
        assert_eq!(encode(&[0xfb, 0xff]), "-_8");
        assert_eq!(decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode("+/8"), None);
    }

    #[test]
    fn padding_is_optional_and_impossible_lengths_refused() {
        assert_eq!(decode("Zg=="), Some(b"f".to_vec()));
        assert_eq!(decode("Zg"), Some(b"f".to_vec()));
        assert_eq!(decode("Z"), None);
        assert_eq!(decode("Zm9v="), None);
        assert_eq!(decode("Zg==="), None);
        assert_eq!(decode("Zm9vY"), None);
    }

    #[test]
    fn nonzero_trailing_bits_are_refused() {
        // "Zh" decodes to 'f' with two stray bits set.
        assert_eq!(decode("Zh"), None);
    }
}
