//! The last good answers, kept in local storage, for screens to show (marked as such) when the
//! network is gone: who is signed in, first of all, so that the app opens offline.

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

pub fn forget(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(&format!("{PREFIX}{key}"));
    }
}
