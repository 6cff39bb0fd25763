//! A screen's answer, or with no network the one kept the last time ([`super::seen`]), with when
//! it was seen.

use leptos::prelude::{RwSignal, Set};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub use super::seen::{keep, key_of, recall};
use crate::api::ApiError;

/// An answer, kept when it came from the server; with no network, the answer kept the last time
/// instead, with when that was.
pub fn or_kept<T: Serialize + DeserializeOwned>(
    key: &str,
    answer: Result<T, ApiError>,
) -> Result<(T, Option<f64>), ApiError> {
    match answer {
        Ok(value) => {
            keep(key, &value);
            Ok((value, None))
        }
        Err(ApiError::Network) => {
            let (value, at) = recall(key).ok_or(ApiError::Network)?;
            Ok((value, Some(at)))
        }
        Err(e) => Err(e),
    }
}

/// A screen's answer as [`or_kept`] gives it, and in `seen` when the kept one was seen (cleared
/// again by a fresh answer), for the screen to say so. Keys are the signed-in member's
/// ([`key_of`]), so nobody sees another's data on a shared phone.
pub fn or_last_seen<T: Serialize + DeserializeOwned>(
    key: &str,
    answer: Result<T, ApiError>,
    seen: RwSignal<Option<f64>>,
) -> Result<T, ApiError> {
    let (value, at) = or_kept(key, answer)?;
    let _ = seen.try_set(at);
    Ok(value)
}
