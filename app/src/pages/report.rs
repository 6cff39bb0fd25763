use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::deed_form::DeedForm;
use crate::i18n::tr;

/// A member reports a deed.
#[component]
pub fn ReportPage() -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <header class="page-header"><h1>{tr(Word::ReportADeed)}</h1></header>
        <super::outbox::WaitingReports/>
        <DeedForm editing=None on_done=Callback::new(move |d: jifen_shared::api::DeedView| {
            navigate(&format!("/deeds/{}", d.id), Default::default())
        })/>
    }
}
