//! The committee's review queue: list on the left and the chosen deed on the right from 768 px
//! up, one pane at a time on phones.

mod decision;
mod detail;
mod evidence;
mod queue;

use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use self::detail::ReviewDetail;
use self::queue::QueuePane;
use crate::components::EmptyState;
use crate::i18n::tr;

#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let selected = Memo::new(move |_| params.read().get("id"));
    let reload = Trigger::new();
    view! {
        <header class="page-header">
            <h1>{tr(Word::ReviewDeeds)}</h1>
            <A href="/quarter" attr:class="btn btn-mini" attr:id="to-quarter">{tr(Word::QuarterBoard)}</A>
            <A href="/appeals" attr:class="btn btn-mini" attr:id="to-appeals">{tr(Word::Appeals)}</A>
        </header>
        <div class=move || if selected.get().is_some() { "split has-selection" } else { "split" }>
            <QueuePane selected reload/>
            <section class="detail" aria-label=tr(Word::Deed)>
                {move || match selected.get() {
                    Some(id) => view! { <ReviewDetail id on_change=move || reload.notify()/> }.into_any(),
                    None => view! { <EmptyState text=tr(Word::ChooseADeedFromTheList)/> }.into_any(),
                }}
            </section>
        </div>
    }
}
