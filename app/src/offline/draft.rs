//! The half-written report, kept in IndexedDB as it is typed, photos included (as blobs), so that
//! closing the page or restarting the phone loses nothing.

use serde::{Deserialize, Serialize};

use super::idb::{self, DRAFTS};

const NEW_REPORT: &str = "new";

/// The form's fields as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Typed {
    pub rule_id: String,
    pub title: String,
    pub account: String,
    pub occurred: String,
    pub place: String,
    pub coords: Option<(f64, f64)>,
    /// Photos the server already has.
    pub photo_ids: Vec<String>,
    /// Set when the draft is a kept report taken back to be fixed: it is sent under the same id.
    #[serde(default)]
    pub client_request_id: Option<String>,
    /// The member a committee member registers the report for (登记建账); none for one's own.
    #[serde(default)]
    pub member_id: Option<String>,
}

pub async fn keep(typed: &Typed, photos: &[web_sys::Blob]) {
    let meta = serde_json::to_string(typed).unwrap_or_default();
    let _ = idb::put(DRAFTS, NEW_REPORT, &idb::record(&meta, photos)).await;
}

pub async fn load() -> Option<(Typed, Vec<web_sys::Blob>)> {
    let value = idb::get(DRAFTS, NEW_REPORT).await.ok().flatten()?;
    let (meta, photos) = idb::unpack(&value)?;
    Some((serde_json::from_str(&meta).ok()?, photos))
}

pub async fn clear() {
    let _ = idb::delete(DRAFTS, NEW_REPORT).await;
}
