use jifen_shared::api::DeedView;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::deed_form::DeedForm;
use crate::i18n::tr;
use crate::session::Session;

/// A member reports a deed. A committee member who registers one for a member of the branch
/// (登记建账) stays here with an empty form for the next, told whom the deed was registered for.
#[component]
pub fn ReportPage() -> impl IntoView {
    let navigate = use_navigate();
    let lang = expect_context::<Session>().lang;
    let registered = RwSignal::new(None::<DeedView>);
    let on_done = Callback::new(move |d: DeedView| {
        if d.registered_by.is_some() {
            registered.set(Some(d));
        } else {
            navigate(&format!("/deeds/{}", d.id), Default::default())
        }
    });
    view! {
        <header class="page-header"><h1>{tr(Word::ReportADeed)}</h1></header>
        <super::outbox::WaitingReports/>
        {move || registered.get().map(|d| {
            let name = d.member_name.clone();
            view! {
                <A href=format!("/deeds/{}", d.id) attr:class="notice" attr:id="registered-for" attr:role="status">
                    {move || Word::RegisteredFor.fill(lang.get(), &[("name", &name)])}
                </A>
            }
        })}
        // A new form after each registration, so the next one starts empty.
        {move || {
            registered.track();
            view! { <DeedForm editing=None on_done/> }
        }}
    }
}
