//! [`RandomSource`] on the thread-local CSPRNG (ChaCha12 seeded and reseeded from the OS).

use calndr_ports::RandomSource;
use rand::Rng;

/// Uniform numbers for codes and PINs, without modulo bias (`random_range`).
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRandom;

impl RandomSource for OsRandom {
    fn uniform(&self, bound: u32) -> u32 {
        rand::rng().random_range(0..bound.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_below_the_bound_and_varies() {
        let r = OsRandom;
        let draws: Vec<u32> = (0..200).map(|_| r.uniform(32)).collect();
        assert!(draws.iter().all(|d| *d < 32));
        assert!(draws.iter().any(|d| *d != draws[0]));
    }
}
