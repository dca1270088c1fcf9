//! The ROCA fingerprint (Nemec, Sys, Svenda, Klinec, Matyas: "The Return
//! of Coppersmith's Attack", ACM CCS 2017; CVE-2017-15361): RSA moduli
//! made by the Infineon RSALib have primes of the form `k * M + (65537^a
//! mod M)`, with `M` the product of the first primes, so the modulus lies,
//! modulo each small prime `p` of `M`, in the subgroup that 65537 generates
//! modulo `p`. Such a modulus can be factored; a random one passes this
//! test with negligible probability.
//!
//! This is arithmetic on public numbers, not cryptography: a remainder by
//! a small prime and a table lookup per prime, linear in the modulus size.

/// The small primes of the published test (3 to 167).
const PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
    113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// The generator of the subgroups.
const GENERATOR: u32 = 65537;

/// The residues modulo each prime of [`PRIMES`] that powers of 65537
/// reach, as a bit set (bit `r` for residue `r`; every prime is below 192).
const SUBGROUPS: [[u64; 3]; PRIMES.len()] = subgroups();

const fn subgroups() -> [[u64; 3]; PRIMES.len()] {
    let mut table = [[0u64; 3]; PRIMES.len()];
    let mut i = 0;
    while i < PRIMES.len() {
        let p = PRIMES[i];
        let g = GENERATOR % p;
        let mut power = 1;
        // The powers of g cycle back to 1 within p - 1 steps.
        loop {
            table[i][(power / 64) as usize] |= 1 << (power % 64);
            power = power * g % p;
            if power == 1 {
                break;
            }
        }
        i += 1;
    }
    table
}

/// `n mod p` for a big-endian `n`.
fn remainder(n: &[u8], p: u32) -> u32 {
    n.iter().fold(0, |r, &byte| ((r << 8) | u32::from(byte)) % p)
}

/// Whether the big-endian modulus `n` has the ROCA fingerprint.
pub(crate) fn has_fingerprint(n: &[u8]) -> bool {
    PRIMES.iter().zip(&SUBGROUPS).all(|(&p, subgroup)| {
        let r = remainder(n, p);
        subgroup[(r / 64) as usize] & (1 << (r % 64)) != 0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each subgroup recomputed the slow way: every residue `r` with
    /// `r = 65537^k mod p` for some `k < p`.
    #[test]
    fn subgroups_are_the_powers_of_65537() {
        for (&p, subgroup) in PRIMES.iter().zip(&SUBGROUPS) {
            let mut expected = [0u64; 3];
            let mut power = 1u64;
            for _ in 0..p {
                expected[(power / 64) as usize] |= 1 << (power % 64);
                power = power * u64::from(GENERATOR) % u64::from(p);
            }
            assert_eq!(*subgroup, expected, "p = {p}");
        }
        // The published masks for the first primes: {1, 2} mod 3, {1, 2, 3, 4} mod 5.
        assert_eq!(SUBGROUPS[0][0], 6);
        assert_eq!(SUBGROUPS[1][0], 30);
    }

    #[test]
    fn remainder_reads_big_endian() {
        assert_eq!(remainder(&[0x01, 0x00], 7), 256 % 7);
        assert_eq!(remainder(&[0xff; 40], 167), {
            let mut r = 0u64;
            for _ in 0..40 {
                r = (r * 256 + 255) % 167;
            }
            r as u32
        });
    }
}
