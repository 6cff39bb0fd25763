//! Who is signed in, and the person's display preferences, kept in the browser's local storage.

use jifen_shared::api::{MeResponse, TokenResponse};
use leptos::prelude::*;

use jifen_shared::i18n::Lang;

const ACCESS: &str = "jifen.access";
const REFRESH: &str = "jifen.refresh";
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

pub fn access_token() -> Option<String> {
    get(ACCESS)
}

pub fn refresh_token() -> Option<String> {
    get(REFRESH)
}

pub fn store_tokens(t: &TokenResponse) {
    set(ACCESS, &t.access_token);
    set(REFRESH, &t.refresh_token);
}

pub fn clear_tokens() {
    remove(ACCESS);
    remove(REFRESH);
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
            checking: RwSignal::new(refresh_token().is_some()),
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
