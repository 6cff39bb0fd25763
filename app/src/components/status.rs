use jifen_shared::domain::DeedStatus;
use leptos::prelude::*;

use jifen_shared::words::Word;

use crate::i18n::tr;

#[component]
pub fn StatusBadge(status: DeedStatus) -> impl IntoView {
    view! { <span class=format!("badge badge-{}", status.as_str())>{tr(Word::from(status))}</span> }
}
