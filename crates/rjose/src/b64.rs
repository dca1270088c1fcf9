//! Strict base64url (RFC 4648 section 5, no padding), as JOSE requires.
//!
//! Decoding refuses padding, the `+`/`/` alphabet, whitespace and
//! non-canonical trailing bits, so that one token has exactly one encoding:
//! a lenient decoder would let an attacker mint many spellings of the same
//! signature and defeat replay caches keyed on the token text.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const STRICT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(false),
);

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    STRICT.encode(bytes)
}

/// Appends the unpadded base64url encoding of `bytes` to `out`.
pub(crate) fn encode_into(bytes: &[u8], out: &mut String) {
    STRICT.encode_string(bytes, out);
}

/// Decodes strict unpadded base64url; `None` on any deviation.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    STRICT.decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(decode(encode(&bytes).as_bytes()), Some(bytes));
        }
    }

    #[test]
    fn rejects_padding() {
        assert_eq!(decode(b"YQ"), Some(b"a".to_vec()));
        assert_eq!(decode(b"YQ=="), None);
    }

    #[test]
    fn rejects_standard_alphabet() {
        assert_eq!(decode(b"-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(decode(b"+/8"), None);
    }

    #[test]
    fn rejects_whitespace() {
        assert_eq!(decode(b"YW Jj"), None);
        assert_eq!(decode(b"YWJj\n"), None);
    }

    #[test]
    fn rejects_non_canonical_trailing_bits() {
        // "YQ" is canonical for "a"; "YR" decodes to the same byte with a stray bit set.
        assert_eq!(decode(b"YR"), None);
    }

    #[test]
    fn rejects_impossible_length() {
        assert_eq!(decode(b"Y"), None);
    }
}
