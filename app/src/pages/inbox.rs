//! A member's messages: decisions on their reports, deductions, the posted board. The same notices
//! go to WeChat when the member subscribed; here they all are, worded in the reader's language.

use jifen_shared::api::NotificationView;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::{FormSubmit, PagedList};
use crate::i18n::tr;

#[component]
pub fn InboxPage() -> impl IntoView {
    let unread = RwSignal::new(0u64);
    let reload = Trigger::new();
    let fetch = move |cursor: Option<String>| async move {
        let page = api::notifications(cursor).await?;
        unread.set(page.unread);
        Ok((page.items, page.next_cursor))
    };
    let read_all = FormSubmit::new(|_: &()| api::mark_all_read(), move |()| reload.notify());

    view! {
        <header class="page-header">
            <h1>{tr(Word::Messages)}</h1>
            <Show when=move || { unread.get() > 0 }>
                <button id="read-all" class="btn btn-mini" disabled=move || read_all.pending().get()
                    on:click=move |_| read_all.send(())>{tr(Word::MarkAllRead)}</button>
            </Show>
        </header>
        <PagedList fetch reload id="inbox" key=|n: &NotificationView| (n.id.clone(), n.read)
            empty=tr(Word::NoMessagesYet) more=tr(Word::OlderMessages) let:n>
            <Message n/>
        </PagedList>
    }
}

#[component]
fn Message(n: NotificationView) -> impl IntoView {
    let body = view! {
        <span class="cell-body">
            <span class=if n.read { "cell-title" } else { "cell-title unread" }>{n.title.clone()}</span>
            <span class="account">{n.body.clone()}</span>
            <span class="hint">{crate::time::show(n.created_at)}</span>
        </span>
    };
    match n.deed_id {
        Some(id) => {
            view! { <A href=format!("/deeds/{id}") attr:class="cell cell-top cell-link">{body}</A> }
                .into_any()
        }
        None => view! { <div class="cell cell-top">{body}</div> }.into_any(),
    }
}
