//! The app's words in zh-CN (default) and English. The server words its errors itself, following
//! the `Accept-Language` the API client sends.

pub use jifen_shared::i18n::Lang;
use leptos::prelude::*;

use crate::session::Session;

/// A piece of text that follows the language switch.
pub fn tr(
    zh: &'static str,
    en: &'static str,
) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
    let lang = expect_context::<Session>().lang;
    move || lang.get().pick(zh, en)
}

/// The current language, read once.
pub fn lang() -> Lang {
    expect_context::<Session>().lang.get_untracked()
}

pub fn tag(lang: Lang) -> &'static str {
    match lang {
        Lang::ZhCn => "zh-CN",
        Lang::En => "en",
    }
}
