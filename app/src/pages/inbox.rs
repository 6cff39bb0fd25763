//! A member's messages: decisions on their reports, deductions, the posted board. The same notices
//! go to WeChat when the member subscribed; here they all are, worded in the reader's language.

use jifen_shared::api::{NotificationPage, NotificationView};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{self, ApiError};
use crate::components::{EmptyState, ErrorState, LoadingState};
use crate::i18n::tr;

#[component]
pub fn InboxPage() -> impl IntoView {
    let items = RwSignal::new(Vec::<NotificationView>::new());
    let unread = RwSignal::new(0u64);
    let cursor = RwSignal::new(None::<String>);
    let failure = RwSignal::new(None::<ApiError>);
    let loaded = RwSignal::new(false);
    // `true` loads the page after those shown; `false` starts over.
    let load = Action::new_local(move |more: &bool| {
        let (more, after) = (*more, cursor.get_untracked());
        async move {
            let page = api::notifications(if more { after } else { None }).await;
            (more, page)
        }
    });
    Effect::new(move |_| match load.value().get() {
        Some((
            more,
            Ok(NotificationPage {
                items: page,
                unread: n,
                next_cursor,
            }),
        )) => {
            if more {
                items.update(|all| all.extend(page));
            } else {
                items.set(page);
            }
            unread.set(n);
            cursor.set(next_cursor);
            failure.set(None);
            loaded.set(true);
        }
        Some((_, Err(e))) => failure.set(Some(e)),
        None => {}
    });
    load.dispatch(false);
    let read_all = Action::new_local(|_: &()| api::mark_all_read());
    Effect::new(move |_| {
        if let Some(Ok(())) = read_all.value().get() {
            load.dispatch(false);
        }
    });

    view! {
        <header class="page-header">
            <h1>{tr("消息", "Messages")}</h1>
            <Show when=move || { unread.get() > 0 }>
                <button id="read-all" class="btn btn-mini" disabled=move || read_all.pending().get()
                    on:click=move |_| { read_all.dispatch(()); }>{tr("全部已读", "Mark all read")}</button>
            </Show>
        </header>
        {move || match (failure.get(), loaded.get()) {
            (Some(e), _) => view! { <ErrorState error=e retry=move || { load.dispatch(false); }/> }.into_any(),
            (None, false) => view! { <LoadingState/> }.into_any(),
            (None, true) if items.with(Vec::is_empty) => view! {
                <EmptyState text=Signal::derive(tr("还没有消息", "No messages yet"))/>
            }.into_any(),
            (None, true) => view! {
                <div class="cells" id="inbox">
                    <For each=move || items.get() key=|n| (n.id.clone(), n.read) let:n>
                        <Message n/>
                    </For>
                </div>
                <Show when=move || cursor.with(Option::is_some)>
                    <button class="btn btn-default" disabled=move || load.pending().get()
                        on:click=move |_| { load.dispatch(true); }>{tr("更早的消息", "Older messages")}</button>
                </Show>
            }.into_any(),
        }}
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
