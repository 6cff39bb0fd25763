//! The rotating check-in code: an HMAC of (meeting id, 30-second window) under a key derived
//! from the audit key, so that every instance behind a load balancer shows and accepts the same
//! code with nothing stored. A photo of the code forwarded to someone at home stops working
//! within a minute: the current window's code and the one before it (a grace of 30 s for a
//! member who scanned just before the change) are accepted, nothing older.

use chrono::{DateTime, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::infra::config::Secret;

type HmacSha256 = Hmac<Sha256>;

/// Seconds each code is shown.
pub const WINDOW_SECS: i64 = 30;
/// Characters of a code, from an alphabet without look-alikes (30 bits).
pub const CODE_LEN: usize = 6;
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The key check-in codes are made with.
#[derive(Clone)]
pub struct CheckinKey(Vec<u8>);

impl std::fmt::Debug for CheckinKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CheckinKey(***)")
    }
}

impl CheckinKey {
    pub fn new(audit_key: &Secret) -> Self {
        let mut mac = HmacSha256::new_from_slice(audit_key.expose().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"jifen.meeting.checkin.key.v1");
        Self(mac.finalize().into_bytes().to_vec())
    }

    fn code_of(&self, meeting_id: &str, window: i64) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(format!("{meeting_id}\n{window}").as_bytes());
        let bytes = mac.finalize().into_bytes();
        let mut bits = u64::from_be_bytes(bytes[..8].try_into().expect("8 bytes"));
        (0..CODE_LEN)
            .map(|_| {
                let c = ALPHABET[(bits & 31) as usize] as char;
                bits >>= 5;
                c
            })
            .collect()
    }

    /// The code shown at `now`, and when it changes.
    pub fn current(&self, meeting_id: &str, now: DateTime<Utc>) -> (String, DateTime<Utc>) {
        let w = window(now);
        let changes = Utc
            .timestamp_opt((w + 1) * WINDOW_SECS, 0)
            .single()
            .unwrap_or(now);
        (self.code_of(meeting_id, w), changes)
    }

    /// Whether `typed` is this meeting's code now or the one just before it. Case and spaces
    /// do not matter, and the look-alikes O/I/L read as 0/1/1, for a code typed by hand.
    pub fn accepts(&self, meeting_id: &str, typed: &str, now: DateTime<Utc>) -> bool {
        let typed: String = typed
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        if typed.len() != CODE_LEN {
            return false;
        }
        let w = window(now);
        [w, w - 1].into_iter().any(|w| {
            let code = self.code_of(meeting_id, w);
            // Constant time: the code is a secret for 60 seconds.
            code.bytes()
                .zip(typed.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
        })
    }
}

fn window(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(WINDOW_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_code_lives_its_window_and_one_more() {
        let key = CheckinKey::new(&Secret::new("audit-key-audit-key-audit-key-audit-0123"));
        let (code, changes) = key.current("m1", at("2026-05-01T02:00:05Z"));
        assert_eq!(changes, at("2026-05-01T02:00:30Z"));
        assert!(key.accepts("m1", &code, at("2026-05-01T02:00:29Z")));
        assert!(key.accepts("m1", &code.to_lowercase(), at("2026-05-01T02:00:59Z")));
        assert!(
            !key.accepts("m1", &code, at("2026-05-01T02:01:00Z")),
            "stale"
        );
        assert!(
            !key.accepts("m2", &code, at("2026-05-01T02:00:10Z")),
            "another meeting"
        );
        let other = CheckinKey::new(&Secret::new("another-key-another-key-another-key-01"));
        assert_ne!(other.current("m1", at("2026-05-01T02:00:05Z")).0, code);
    }
}
