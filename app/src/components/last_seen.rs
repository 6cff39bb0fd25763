use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::session::Session;

/// Over a screen showing the answer kept from the last time (no network now): since when. The
/// clock time alone for today, the date too for an older answer.
#[component]
pub fn LastSeenBanner(seen: RwSignal<Option<f64>>) -> impl IntoView {
    let lang = expect_context::<Session>().lang;
    let when = move |at: f64| {
        let shown = chrono::DateTime::from_timestamp_millis(at as i64)
            .map(crate::time::show)
            .unwrap_or_default();
        let today = crate::time::show(chrono::Utc::now());
        if shown.get(..10) == today.get(..10) {
            shown.get(11..).unwrap_or_default().to_owned()
        } else {
            shown
        }
    };
    move || {
        seen.get().map(|at| {
            let time = when(at);
            view! {
                <p class="notice offline-banner" role="status" id="last-seen">
                    {move || Word::OfflineShowingFrom.fill(lang.get(), &[("time", &time)])}
                </p>
            }
        })
    }
}
