//! The input of the Concat KDF as JOSE uses it, RFC 7518 section 4.6.2
//! (NIST SP 800-56A section 5.8.1): the same bytes for every provider,
//! which differ only in how they hash them.

use super::Rejected;

/// OtherInfo: `AlgorithmID || PartyUInfo || PartyVInfo || SuppPubInfo`,
/// the first three each prefixed with their 32-bit big-endian length,
/// SuppPubInfo the output length in bits (32-bit big-endian), and
/// SuppPrivInfo empty. Refuses an empty output and lengths that do not fit
/// the 32-bit fields.
pub(crate) fn other_info(algorithm_id: &[u8], apu: &[u8], apv: &[u8], key_len: usize) -> Result<Vec<u8>, Rejected> {
    if key_len == 0 {
        return Err(Rejected);
    }
    let key_bits = key_len
        .checked_mul(8)
        .and_then(|bits| u32::try_from(bits).ok())
        .ok_or(Rejected)?;
    let mut other_info = Vec::with_capacity(16 + algorithm_id.len() + apu.len() + apv.len());
    for field in [algorithm_id, apu, apv] {
        let len = u32::try_from(field.len()).map_err(|_| Rejected)?;
        other_info.extend_from_slice(&len.to_be_bytes());
        other_info.extend_from_slice(field);
    }
    other_info.extend_from_slice(&key_bits.to_be_bytes());
    Ok(other_info)
}
