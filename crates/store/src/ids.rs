//! Application-generated 64-bit ids.
//!
//! Layout: milliseconds since 2024-01-01 in the high bits, 12 low bits that
//! start random in each millisecond and count up within the process. Ids are
//! therefore increasing in time (newest first = highest id), unique within a
//! process, and collide across processes only by chance — an insert that hits
//! a taken id retries with a fresh one. They stay below 2^53, so JavaScript
//! clients read them exactly.

use std::sync::atomic::{AtomicI64, Ordering};

use rand::Rng;

/// 2024-01-01T00:00:00Z in unix milliseconds.
const EPOCH_MS: i64 = 1_704_067_200_000;

#[derive(Debug, Default)]
pub(crate) struct IdGenerator {
    last: AtomicI64,
}

impl IdGenerator {
    pub(crate) fn next(&self, now_ms: i64) -> i64 {
        let base = (now_ms - EPOCH_MS).max(0) << 12;
        let candidate = base | rand::rng().random_range(0..1024);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let next = candidate.max(last + 1);
            match self.last.compare_exchange_weak(last, next, Ordering::Relaxed, Ordering::Relaxed) {
                Ok(_) => return next,
                Err(actual) => last = actual,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_increase_and_stay_js_safe() {
        let generator = IdGenerator::default();
        let now = 1_800_000_000_000; // 2027
        let mut previous = 0;
        for i in 0..10_000 {
            let id = generator.next(now + i / 100);
            assert!(id > previous);
            assert!(id < (1 << 53));
            previous = id;
        }
    }
}
