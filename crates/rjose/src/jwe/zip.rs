//! The `"zip":"DEF"` compression of RFC 7516 section 4.1.3: raw DEFLATE
//! (RFC 1951), with neither a zlib nor a gzip wrapper.
//!
//! Inflating is where the danger lies: a few hundred bytes of DEFLATE can
//! claim gigabytes, so decompression is bounded by the caller's limit and
//! never allocates past it.

use miniz_oxide::deflate::compress_to_vec;
use miniz_oxide::inflate::decompress_to_vec_with_limit;

/// zlib's default level: a good ratio without the slow top levels. JWE
/// payloads are small, so the choice barely matters for speed.
const LEVEL: u8 = 6;

/// Compresses `data` to a raw DEFLATE stream.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    compress_to_vec(data, LEVEL)
}

/// Decompresses a raw DEFLATE stream of at most `max_output` bytes.
///
/// Refuses malformed or truncated streams and any stream that would inflate
/// beyond `max_output`; the output buffer grows by doubling but is capped at
/// `max_output`, so a decompression bomb costs at most that much memory.
pub(crate) fn inflate(data: &[u8], max_output: usize) -> Result<Vec<u8>, ()> {
    // The error carries the partial output, which is dropped unseen.
    decompress_to_vec_with_limit(data, max_output).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: usize = 250_000;

    #[test]
    fn round_trips() {
        let text =
            b"You can trust us to stick with you through thick and thin\xe2\x80\x93to the bitter end. ".repeat(40);
        for data in [&b""[..], b"x", &text, &[0u8; 10_000]] {
            let compressed = deflate(data);
            assert_eq!(inflate(&compressed, LIMIT).unwrap(), data);
        }
        assert!(deflate(&text).len() < text.len() / 4);
    }

    #[test]
    fn output_of_exactly_the_limit_is_accepted() {
        let data = vec![0x61u8; LIMIT];
        assert_eq!(inflate(&deflate(&data), LIMIT).unwrap(), data);
        assert!(inflate(&deflate(&data), LIMIT - 1).is_err());
    }

    #[test]
    fn is_raw_deflate_without_a_zlib_header() {
        // RFC 7520 section 5.5 compresses with raw DEFLATE. A zlib stream
        // starts with the header 0x78 0x9c, which a raw inflater misreads as
        // a stored block with inconsistent LEN/NLEN, so it is refused.
        let zlib = miniz_oxide::deflate::compress_to_vec_zlib(b"hello hello hello", LEVEL);
        assert!(inflate(&zlib, LIMIT).is_err());
        // A stored (uncompressed) raw block: BFINAL=1, BTYPE=00, LEN, NLEN, data.
        assert_eq!(
            inflate(&[0x01, 0x02, 0x00, 0xfd, 0xff, b'h', b'i'], LIMIT).unwrap(),
            b"hi"
        );
    }

    #[test]
    fn decompression_bomb_is_refused() {
        let bomb = deflate(&vec![0u8; 10_000_000]);
        assert!(bomb.len() < 20_000);
        assert!(inflate(&bomb, LIMIT).is_err());
    }

    #[test]
    fn garbage_and_truncated_streams_are_refused() {
        let compressed = deflate(&b"some payload that compresses, some payload that compresses".repeat(10));
        assert!(inflate(&compressed[..compressed.len() / 2], LIMIT).is_err());
        // BTYPE=11 is reserved.
        assert!(inflate(&[0xff; 64], LIMIT).is_err());
        // A stored block whose NLEN is not the complement of LEN.
        assert!(inflate(&[0x01, 0x02, 0x00, 0x00, 0x00, b'h', b'i'], LIMIT).is_err());
        // A stored block claiming more bytes than follow.
        assert!(inflate(&[0x01, 0x10, 0x00, 0xef, 0xff, b'h', b'i'], LIMIT).is_err());
        assert!(inflate(&[], LIMIT).is_err());
    }

    proptest::proptest! {
        #[test]
        fn random_bytes_never_panic(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..1024)) {
            if let Ok(out) = inflate(&data, 4_096) {
                proptest::prop_assert!(out.len() <= 4_096);
            }
        }
    }
}
