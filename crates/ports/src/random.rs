//! Randomness for codes and PINs.

/// Uniform random numbers from a cryptographically secure generator (codes, PINs).
#[cfg_attr(feature = "mock", mockall::automock)]
pub trait RandomSource: Send + Sync {
    /// A uniform value in `0..bound` (`bound > 0`).
    fn uniform(&self, bound: u32) -> u32;
}
