//! Reports kept on the phone until the server has them. Each is stored in IndexedDB with its
//! `client_request_id` and photos (as blobs) before the first try, so closing the page or
//! restarting the phone loses nothing; it is sent on the next start and whenever the network
//! returns. The server answers a repeated `client_request_id` with the first deed, so a retry
//! never makes a second one.
//!
//! A 4xx answer is the member's to fix (the problem shows, and the report can be edited and sent
//! again); a 5xx or no answer is retried with backoff.

use std::cell::Cell;

use jifen_shared::api::{DeedView, SubmitDeedRequest};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

use super::idb::{self, OUTBOX};
use crate::api::{self, ApiError};

/// Where a kept report is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum State {
    Waiting { attempts: u32 },
    Sending,
    Sent { deed_id: String },
    Failed { why: String },
}

/// A kept report as stored (`meta` of its record); the photos not yet uploaded are the record's
/// blobs, `uploaded[i]` the id the server gave blob `i` once it has it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Kept {
    /// Who was signed in when it was written: it is shown to and sent for nobody else, so that a
    /// phone shared by several members never sends one's report under another's name.
    #[serde(default)]
    owner: Option<String>,
    request: SubmitDeedRequest,
    uploaded: Vec<Option<String>>,
    state: State,
    kept_at: f64,
}

/// A kept report as the list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Queued {
    pub id: String,
    pub title: String,
    pub state: State,
}

thread_local! {
    static FLUSHING: Cell<bool> = const { Cell::new(false) };
    static STARTED: Cell<bool> = const { Cell::new(false) };
    static LIST: RwSignal<Vec<Queued>> = RwSignal::new(Vec::new());
}

/// The kept reports, newest first, for the screens.
pub fn list() -> RwSignal<Vec<Queued>> {
    LIST.with(|l| *l)
}

fn online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

async fn load(id: &str) -> Option<(Kept, Vec<web_sys::Blob>)> {
    let value = idb::get(OUTBOX, id).await.ok().flatten()?;
    let (meta, photos) = idb::unpack(&value)?;
    Some((serde_json::from_str(&meta).ok()?, photos))
}

async fn save(kept: &Kept, photos: &[web_sys::Blob]) {
    let meta = serde_json::to_string(kept).unwrap_or_default();
    let _ = idb::put(
        OUTBOX,
        &kept.request.client_request_id,
        &idb::record(&meta, photos),
    )
    .await;
}

/// The member signed in on this phone (as last seen, so also offline).
fn signed_in_member() -> Option<String> {
    super::seen::recall::<jifen_shared::api::MeResponse>("me").map(|(me, _)| me.id)
}

impl Kept {
    fn mine(&self, me: &Option<String>) -> bool {
        self.owner.is_none() || self.owner == *me
    }
}

/// Reads the signed-in member's kept reports into [`list`].
pub async fn refresh() {
    let me = signed_in_member();
    let mut all: Vec<Kept> = idb::all(OUTBOX)
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(idb::unpack)
        .filter_map(|(meta, _)| serde_json::from_str::<Kept>(&meta).ok())
        .filter(|k| k.mine(&me))
        .collect();
    all.sort_by(|a, b| b.kept_at.total_cmp(&a.kept_at));
    list().set(
        all.into_iter()
            .map(|k| Queued {
                id: k.request.client_request_id,
                title: k.request.title,
                state: k.state,
            })
            .collect(),
    );
}

/// Keeps a report (with the photos the server does not have yet) before anything is sent.
pub async fn keep(request: SubmitDeedRequest, photos: Vec<web_sys::Blob>) {
    let kept = Kept {
        owner: signed_in_member(),
        uploaded: vec![None; photos.len()],
        request,
        state: State::Waiting { attempts: 0 },
        kept_at: js_sys::Date::now(),
    };
    save(&kept, &photos).await;
    refresh().await;
}

/// What one try of a kept report came to.
pub enum Sent {
    Deed(Box<DeedView>),
    /// The server refused it; the member fixes it.
    Refused(ApiError),
    /// No answer, or the server's trouble: tried again later.
    Later,
}

/// Tries to send one kept report now.
pub async fn send(id: &str) -> Sent {
    let Some((mut kept, photos)) = load(id).await else {
        return Sent::Later;
    };
    if matches!(kept.state, State::Sent { .. }) || !online() || !kept.mine(&signed_in_member()) {
        return Sent::Later;
    }
    kept.state = State::Sending;
    save(&kept, &photos).await;
    refresh().await;
    let result = upload_and_submit(&mut kept, &photos).await;
    let (state, outcome) = match result {
        Ok(deed) => (
            State::Sent {
                deed_id: deed.id.clone(),
            },
            Sent::Deed(Box::new(deed)),
        ),
        Err(e) if fixable(&e) => (
            State::Failed {
                why: e.message(crate::session::stored_lang()),
            },
            Sent::Refused(e),
        ),
        Err(_) => {
            let attempts = match kept.state {
                State::Waiting { attempts } => attempts,
                _ => previous_attempts(id),
            } + 1;
            retry_after(backoff_ms(attempts));
            (State::Waiting { attempts }, Sent::Later)
        }
    };
    kept.state = state;
    save(&kept, &photos).await;
    refresh().await;
    outcome
}

fn previous_attempts(id: &str) -> u32 {
    list().with_untracked(|l| {
        l.iter()
            .find(|q| q.id == id)
            .and_then(|q| match q.state {
                State::Waiting { attempts } => Some(attempts),
                _ => None,
            })
            .unwrap_or(0)
    })
}

/// A problem the member can do something about: the report itself is wrong (4xx, but not "too
/// many requests" or "try later").
fn fixable(e: &ApiError) -> bool {
    match e {
        ApiError::Problem(p) => {
            (400..500).contains(&p.status) && p.status != 429 && p.status != 408
        }
        ApiError::Decode(_) => true,
        ApiError::Network | ApiError::SignedOut => false,
    }
}

/// 2 s, 4 s, 8 s … up to five minutes.
fn backoff_ms(attempts: u32) -> i32 {
    (1000 * 2_i32.saturating_pow(attempts.min(8))).min(300_000)
}

fn retry_after(ms: i32) {
    let again = Closure::once_into_js(|| leptos::task::spawn_local(flush()));
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(again.unchecked_ref(), ms);
    }
}

async fn upload_and_submit(
    kept: &mut Kept,
    photos: &[web_sys::Blob],
) -> Result<DeedView, ApiError> {
    kept.uploaded.resize(photos.len(), None);
    for (i, blob) in photos.iter().enumerate() {
        if kept.uploaded[i].is_none() {
            kept.uploaded[i] = Some(api::upload_photo(blob).await?.id);
            save(kept, photos).await;
        }
    }
    let mut request = kept.request.clone();
    request
        .photo_ids
        .extend(kept.uploaded.iter().flatten().cloned());
    api::submit(&request).await
}

/// Sends every report that waits, one after another (never two sends at once from this page).
pub async fn flush() {
    if FLUSHING.with(|f| f.replace(true)) || !crate::session::signed_in() {
        FLUSHING.with(|f| f.set(false));
        return;
    }
    refresh().await;
    let waiting: Vec<String> = list().with_untracked(|l| {
        l.iter()
            // `Sending` here was cut short by a closed page: send it again.
            .filter(|q| matches!(q.state, State::Waiting { .. } | State::Sending))
            .map(|q| q.id.clone())
            .collect()
    });
    for id in waiting {
        if !online() {
            break;
        }
        send(&id).await;
    }
    FLUSHING.with(|f| f.set(false));
}

/// The member sends a refused or waiting report again as it is.
pub async fn send_again(id: &str) {
    if let Some((mut kept, photos)) = load(id).await {
        kept.state = State::Waiting { attempts: 0 };
        save(&kept, &photos).await;
        send(id).await;
    }
}

/// Takes a kept report out of the outbox, for the member to fix in the form; its request (with
/// the same `client_request_id`) and the photos the server does not have.
pub async fn take(id: &str) -> Option<(SubmitDeedRequest, Vec<web_sys::Blob>)> {
    let (kept, photos) = load(id).await?;
    let _ = idb::delete(OUTBOX, id).await;
    refresh().await;
    let mut request = kept.request;
    let mut left = Vec::new();
    for (blob, uploaded) in photos.into_iter().zip(kept.uploaded) {
        match uploaded {
            Some(photo_id) => request.photo_ids.push(photo_id),
            None => left.push(blob),
        }
    }
    Some((request, left))
}

pub async fn remove(id: &str) {
    let _ = idb::delete(OUTBOX, id).await;
    refresh().await;
}

/// At start: read the outbox, send what waits, and again whenever the network returns.
pub fn start() {
    if STARTED.with(|s| s.replace(true)) {
        return;
    }
    if let Some(w) = web_sys::window() {
        let on_online = Closure::<dyn Fn()>::new(|| leptos::task::spawn_local(flush()));
        let _ = w.add_event_listener_with_callback("online", on_online.as_ref().unchecked_ref());
        on_online.forget();
    }
    leptos::task::spawn_local(flush());
}
