//! What RSA keys every provider refuses, whatever parses them: moduli
//! outside the size bounds and public numbers with a known weakness.

/// Smallest modulus accepted for signing or verifying, in bits.
pub(crate) const MIN_BITS: usize = 2048;
/// Largest modulus the backend handles, in bits.
pub(crate) const MAX_BITS: usize = 8192;

/// Why the public numbers `n` and `e` (big-endian) make a weak key, if
/// they do: an exponent below 3 or even (RFC 8017 section 3.1 requires it
/// odd and at least 3; 1 makes the "signature" the message itself), wider
/// than the 32 bits the backend handles, or a modulus with the ROCA
/// fingerprint.
pub(crate) fn weakness(n: &[u8], e: &[u8]) -> Option<&'static str> {
    let e = strip_leading_zeros(e);
    let odd = e.last().is_some_and(|low| low & 1 == 1);
    if !odd || e == [1] {
        return Some("the RSA public exponent must be odd and at least 3");
    }
    if e.len() > 4 {
        return Some("the RSA public exponent is wider than 32 bits");
    }
    if super::roca::has_fingerprint(strip_leading_zeros(n)) {
        return Some(
            "the RSA modulus has the ROCA fingerprint (CVE-2017-15361): its generator was flawed and it can be factored",
        );
    }
    None
}

pub(crate) fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Bits in a big-endian number, leading zeros not counted.
pub(crate) fn bit_len(be: &[u8]) -> usize {
    let be = strip_leading_zeros(be);
    match be.first() {
        Some(&top) => be.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_public_exponents_are_named() {
        let n = [0xc5; 256];
        for e in [&[][..], &[0], &[1], &[0, 1], &[2], &[1, 0, 0], &[1, 0, 0, 0, 1]] {
            assert!(weakness(&n, e).is_some(), "e = {e:?}");
        }
        for e in [&[3][..], &[1, 0, 1], &[0, 1, 0, 1], &[0xff, 0xff, 0xff, 0xff]] {
            assert_eq!(weakness(&n, e), None, "e = {e:?}");
        }
    }
}
