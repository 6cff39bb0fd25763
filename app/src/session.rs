//! Who is signed in, and the person's display preferences, kept in the browser's storage.
//!
//! The refresh token is never kept where a script can read it: the server sets it as the
//! `HttpOnly` cookie `jifen_refresh`, which the browser sends to `/api/v1/auth` only. The page
//! keeps the short-lived access token in session storage, and in local storage only a mark that
//! there is a session to resume.

use jifen_shared::api::{MeResponse, TokenResponse};
use leptos::prelude::*;

use jifen_shared::i18n::Lang;

const ACCESS: &str = "jifen.access";
/// Where earlier versions kept the refresh token; removed when found.
const OLD_REFRESH: &str = "jifen.refresh";
const SIGNED_IN: &str = "jifen.signed_in";
const LANG: &str = "jifen.lang";
const LARGE: &str = "jifen.large";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok()?
}

fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}

fn tab_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

pub fn access_token() -> Option<String> {
    tab_storage()?.get_item(ACCESS).ok()?
}

/// Whether a session may be resumed (with the refresh cookie).
pub fn signed_in() -> bool {
    get(SIGNED_IN).is_some() || get(OLD_REFRESH).is_some()
}

/// Keeps the access token; the refresh token in the answer is left to the cookie.
pub fn store_tokens(t: &TokenResponse) {
    if let Some(s) = tab_storage() {
        let _ = s.set_item(ACCESS, &t.access_token);
    }
    set(SIGNED_IN, "1");
    remove(OLD_REFRESH);
}

pub fn clear_tokens() {
    if let Some(s) = tab_storage() {
        let _ = s.remove_item(ACCESS);
    }
    remove(ACCESS);
    remove(SIGNED_IN);
    crate::offline::seen::forget_all();
    remove(OLD_REFRESH);
}

pub fn stored_lang() -> Lang {
    match get(LANG).as_deref() {
        Some("en") => Lang::En,
        _ => Lang::ZhCn,
    }
}

/// App-wide state, provided as context.
#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in member, once known.
    pub me: RwSignal<Option<MeResponse>>,
    /// True while the app finds out whether stored tokens still work.
    pub checking: RwSignal<bool>,
    pub lang: RwSignal<Lang>,
    pub large_text: RwSignal<bool>,
}

impl Session {
    pub fn new() -> Self {
        Self {
            me: RwSignal::new(None),
            checking: RwSignal::new(signed_in()),
            lang: RwSignal::new(stored_lang()),
            large_text: RwSignal::new(get(LARGE).as_deref() == Some("1")),
        }
    }

    pub fn set_lang(&self, lang: Lang) {
        set(LANG, lang.tag());
        self.lang.set(lang);
    }

    pub fn set_large_text(&self, on: bool) {
        set(LARGE, if on { "1" } else { "0" });
        self.large_text.set(on);
    }

    /// Whether the member reviews deeds anywhere.
    pub fn is_reviewer(&self) -> bool {
        self.me
            .get()
            .is_some_and(|m| m.roles.iter().any(|r| r.role.can_review()))
    }
}
