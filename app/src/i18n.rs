//! The app speaks zh-CN (default) and English; every word comes from the shared wording table
//! ([`jifen_shared::words`]). The server words its errors itself, following the
//! `Accept-Language` the API client sends.

pub use jifen_shared::i18n::Lang;
pub use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::session::Session;

/// A piece of text that follows the language switch.
pub fn tr(word: Word) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = expect_context::<Session>().lang;
    move || word.text(lang.get())
}

/// The current language, read once.
pub fn lang() -> Lang {
    expect_context::<Session>().lang.get_untracked()
}
