//! Strict base64url (RFC 4648 section 5, no padding), as JOSE requires.
//!
//! Decoding refuses padding, the `+`/`/` alphabet, whitespace and
//! non-canonical trailing bits, so that one token has exactly one encoding:
//! a lenient decoder would let an attacker mint many spellings of the same
//! signature and defeat replay caches keyed on the token text.
//!
//! Each job goes to the crate measured faster at it: `base64-simd`
//! encodes, and decodes what a token's header, claims and signature take
//! (it needs no set-up per call, and took two thirds of the time of
//! `base64`'s engine on the three segments of an access token); `base64`'s
//! SIMD engine decodes long texts (a JWE's ciphertext: 128 µs for a
//! megabyte against 170 µs). `base64-simd` also appends to a `String`
//! without checking again that the bytes it wrote are ASCII (a check that
//! costs a third of encoding a megabyte). Tests hold both to the scalar
//! engine of `base64`.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurposeConfig};

const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_encode_padding(false)
    .with_decode_padding_mode(DecodePaddingMode::RequireNone)
    .with_decode_allow_trailing_bits(false);

/// Where the CPU has them, the SIMD engine (AVX2, NEON, picked once at run
/// time) with the same configuration: it applies the scalar engine's rules
/// (alphabet, padding, trailing bits) and decodes a token's three segments
/// about three times faster. Elsewhere (wasm32), the scalar engine.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
static STRICT: std::sync::LazyLock<base64::engine::Simd> =
    std::sync::LazyLock::new(|| base64::engine::Simd::url_safe(CONFIG));
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
static STRICT: base64::engine::GeneralPurpose =
    base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);

/// Encodes `bytes` as unpadded base64url.
pub(crate) fn encode(bytes: &[u8]) -> String {
    base64_simd::URL_SAFE_NO_PAD.encode_to_string(bytes)
}

/// The length of the unpadded base64url encoding of `len` bytes.
pub(crate) const fn encoded_len(len: usize) -> usize {
    len / 3 * 4 + [0, 2, 3][len % 3]
}

/// Appends the unpadded base64url encoding of `bytes` to `out`, encoded
/// in place (no intermediate buffer).
pub(crate) fn encode_into(bytes: &[u8], out: &mut Vec<u8>) {
    base64_simd::URL_SAFE_NO_PAD.encode_append(bytes, out);
}

/// [`encode_into`] for a `String`, which it grows without checking again
/// that the bytes are ASCII.
pub(crate) fn encode_into_string(bytes: &[u8], out: &mut String) {
    base64_simd::URL_SAFE_NO_PAD.encode_append(bytes, out);
}

/// Texts up to this many bytes are decoded by `base64-simd`, longer ones
/// by `base64`'s engine: the two cross between 330 bytes (an access
/// token's claims, `base64-simd` 1.5 times faster) and 4 KiB (`base64`
/// 1.3 times faster).
const LONG_TEXT: usize = 2048;

/// Decodes strict unpadded base64url; `None` on any deviation.
pub(crate) fn decode(text: &[u8]) -> Option<Vec<u8>> {
    if text.len() <= LONG_TEXT {
        // Not forgiving: refuses padding, other alphabets, whitespace and
        // stray trailing bits, as `CONFIG` does.
        base64_simd::URL_SAFE_NO_PAD.decode_to_vec(text).ok()
    } else {
        STRICT.decode(text).ok()
    }
}

/// Decoded bytes, kept in place when they are as short as a signature of
/// HMAC, ECDSA or EdDSA (ES512's 132 bytes at most) or a typical protected
/// header, so that verifying allocates nothing for them; on the heap
/// otherwise (RSA and ML-DSA signatures, long headers).
pub(crate) enum ShortBytes {
    Inline {
        bytes: [u8; ShortBytes::INLINE],
        len: usize,
    },
    Heap(Vec<u8>),
}

impl ShortBytes {
    const INLINE: usize = 132;
}

impl std::ops::Deref for ShortBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            ShortBytes::Inline { bytes, len } => &bytes[..*len],
            ShortBytes::Heap(bytes) => bytes,
        }
    }
}

/// [`decode`] into [`ShortBytes`]: the same strictness, in place when the
/// result fits.
pub(crate) fn decode_short(text: &[u8]) -> Option<ShortBytes> {
    let len = base64_simd::URL_SAFE_NO_PAD.decoded_length(text).ok()?;
    let mut bytes = [0; ShortBytes::INLINE];
    let Some(out) = bytes.get_mut(..len) else {
        return decode(text).map(ShortBytes::Heap);
    };
    base64_simd::URL_SAFE_NO_PAD
        .decode(text, base64_simd::Out::from_slice(out))
        .ok()?;
    Some(ShortBytes::Inline { bytes, len })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_length() {
        let scalar = base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
        for len in 0..300usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(37)).collect();
            let text = encode(&bytes);
            assert_eq!(text, scalar.encode(&bytes), "length {len}");
            let mut appended = String::from("x.");
            encode_into_string(&bytes, &mut appended);
            assert_eq!(appended, format!("x.{text}"), "length {len}");
            assert_eq!(decode(text.as_bytes()), Some(bytes));
        }
    }

    #[test]
    fn encodes_in_place_after_what_is_there() {
        for len in 0..40u8 {
            let bytes: Vec<u8> = (0..len).map(|i| i.wrapping_mul(37)).collect();
            let mut out = b"prefix.".to_vec();
            encode_into(&bytes, &mut out);
            assert_eq!(out.len(), 7 + encoded_len(bytes.len()));
            assert_eq!(&out[7..], encode(&bytes).as_bytes(), "length {len}");
        }
    }

    #[test]
    fn short_decoding_agrees_with_decode_in_place_and_on_the_heap() {
        for len in 0..200usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(29)).collect();
            let text = encode(&bytes);
            let short = decode_short(text.as_bytes()).expect("valid");
            assert_eq!(&*short, &bytes[..], "length {len}");
            assert_eq!(
                matches!(short, ShortBytes::Inline { .. }),
                len <= ShortBytes::INLINE,
                "length {len}"
            );
            for bad in [format!("{text}="), format!("{text} "), format!("{text}A")] {
                assert_eq!(
                    decode_short(bad.as_bytes()).map(|b| b.to_vec()),
                    decode(bad.as_bytes()),
                    "{bad:?}"
                );
            }
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

    /// Both decoders against `base64`'s scalar engine, on valid encodings
    /// and on each of them with one byte replaced: they must accept and
    /// refuse the same inputs, at every length and every position (the
    /// SIMD code decodes in blocks and leaves the tail to scalar code).
    /// The lengths cover both sides of [`LONG_TEXT`], where the decoder
    /// changes, and [`decode_short`] is held to the same answers.
    #[test]
    fn agrees_with_the_scalar_engine_on_every_corruption() {
        let scalar = base64::engine::GeneralPurpose::new(&base64::alphabet::URL_SAFE, CONFIG);
        let corruptions = [b'=', b'+', b'/', b' ', b'\n', b'.', 0x00, 0x80, 0xff, b'A', b'_', b'-'];
        let around_the_switch = LONG_TEXT / 4 * 3 - 8..LONG_TEXT / 4 * 3 + 8;
        for len in (0..160usize).chain(around_the_switch) {
            let bytes: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(131).wrapping_add(7)).collect();
            let text = encode(&bytes);
            assert_eq!(decode(text.as_bytes()), Some(bytes.clone()), "length {len}");
            // Long texts: the head and the tail, where the blocks end.
            let positions: Vec<usize> = if text.len() <= 256 {
                (0..text.len()).collect()
            } else {
                (0..128).chain(text.len() - 128..text.len()).collect()
            };
            for position in positions {
                for &byte in &corruptions {
                    let mut corrupted = text.clone().into_bytes();
                    corrupted[position] = byte;
                    let expected = scalar.decode(&corrupted).ok();
                    assert_eq!(
                        decode(&corrupted),
                        expected,
                        "length {len}, byte {byte:#04x} at {position}"
                    );
                    assert_eq!(
                        decode_short(&corrupted).map(|b| b.to_vec()),
                        expected,
                        "short, length {len}, byte {byte:#04x} at {position}"
                    );
                }
            }
            let mut longer = text.clone().into_bytes();
            longer.push(b'A');
            assert_eq!(decode(&longer), scalar.decode(&longer).ok(), "length {len} + 1");
            assert_eq!(
                decode_short(&longer).map(|b| b.to_vec()),
                scalar.decode(&longer).ok(),
                "short, length {len} + 1"
            );
        }
    }
}
