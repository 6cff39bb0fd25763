//! The last good answers, kept in local storage, for screens to show (marked as such) when the
//! network is gone: who is signed in, first of all, so that the app opens offline. Storage only;
//! [`super::remembered`] puts answers and kept answers together.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
const PREFIX: &str = "jifen.seen.";

#[derive(Serialize, Deserialize)]
struct Seen<T> {
    at: f64,
    value: T,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn keep<T: Serialize>(key: &str, value: &T) {
    let seen = Seen {
        at: js_sys::Date::now(),
        value,
    };
    if let (Some(s), Ok(json)) = (storage(), serde_json::to_string(&seen)) {
        let _ = s.set_item(&format!("{PREFIX}{key}"), &json);
    }
}

/// The kept answer and when it was seen (milliseconds since the epoch).
pub fn recall<T: DeserializeOwned>(key: &str) -> Option<(T, f64)> {
    let json = storage()?.get_item(&format!("{PREFIX}{key}")).ok()??;
    let seen: Seen<T> = serde_json::from_str(&json).ok()?;
    Some((seen.value, seen.at))
}

/// Forgets every kept answer (on signing out: the next person on this phone sees none of them).
pub fn forget_all() {
    let Some(s) = storage() else { return };
    let keys: Vec<String> = (0..s.length().unwrap_or(0))
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    for k in keys {
        let _ = s.remove_item(&k);
    }
}

/// The key of a screen's answer for the member signed in as `member_id`.
pub fn key_of(member_id: &str, screen: &str) -> String {
    format!("{member_id}.{screen}")
}
