//! Ids and chance, both from one seeded generator per branch, so that a run is repeatable: the
//! same seed, plan and day give the same database, whatever order branches are written in.

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, RngCore, SeedableRng};

pub struct Dice {
    rng: StdRng,
}

impl Dice {
    /// The generator of one part of the run (`stream`: a branch's number, say).
    pub fn new(seed: u64, stream: u64) -> Self {
        let mixed = seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(stream.wrapping_mul(0xBF58_476D_1CE4_E5B9))
            ^ 0x94D0_49BB_1331_11EB;
        Self {
            rng: StdRng::seed_from_u64(mixed),
        }
    }

    /// A UUIDv7 string for a row made at `at`: sorted by time like the server's own ids.
    pub fn id(&mut self, at: DateTime<Utc>) -> String {
        let mut random = [0u8; 10];
        self.rng.fill_bytes(&mut random);
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &random)
            .into_uuid()
            .to_string()
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.rng.gen_bool(p.clamp(0.0, 1.0))
    }

    /// A number in `lo..hi` (`lo` when the range is empty).
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            self.rng.gen_range(lo..hi)
        }
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.gen_range(0..n)
        }
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn unit(&mut self) -> f64 {
        self.rng.gen()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_ids_and_they_sort_by_time() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let mut a = Dice::new(7, 3);
        let mut b = Dice::new(7, 3);
        let early = a.id(t("2026-01-01T00:00:00Z"));
        assert_eq!(early, b.id(t("2026-01-01T00:00:00Z")));
        let late = a.id(t("2026-06-01T00:00:00Z"));
        assert!(early < late, "{early} sorts before {late}");
        assert!(crate::infra::ids::is_valid(&late));
        assert_ne!(Dice::new(8, 3).id(t("2026-01-01T00:00:00Z")), early);
    }
}
