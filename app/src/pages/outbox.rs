//! The reports kept on this phone: waiting to send, sending, sent, or refused with the server's
//! reason (the member fixes it in the form and sends it again).

use jifen_shared::api::{PlaceDto, SubmitDeedRequest};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::i18n::{lang, tr};
use crate::offline::draft::{self, Typed};
use crate::offline::outbox::{self, Queued, State};

#[component]
pub fn OutboxPage() -> impl IntoView {
    let list = outbox::list();
    leptos::task::spawn_local(outbox::refresh());
    view! {
        <header class="page-header"><h1>{tr(Word::QueuedReports)}</h1></header>
        <div class="cells" id="outbox">
            <For each=move || list.get() key=|q| (q.id.clone(), format!("{:?}", q.state)) let:item>
                <QueuedCell item/>
            </For>
        </div>
        <Show when=move || list.with(Vec::is_empty)>
            <p class="empty">{tr(Word::QueueEmpty)}</p>
        </Show>
    }
}

#[component]
fn QueuedCell(item: Queued) -> impl IntoView {
    let navigate = use_navigate();
    let id = item.id.clone();
    let status = match &item.state {
        State::Waiting { .. } => tr(Word::QueueWaiting)().to_owned(),
        State::Sending => tr(Word::QueueSending)().to_owned(),
        State::Sent { .. } => tr(Word::QueueSent)().to_owned(),
        State::Failed { why } => Word::QueueFailed.fill(lang(), &[("why", why)]),
    };
    let state_name = match &item.state {
        State::Waiting { .. } => "waiting",
        State::Sending => "sending",
        State::Sent { .. } => "sent",
        State::Failed { .. } => "failed",
    };
    let actions = match item.state.clone() {
        State::Sent { deed_id } => {
            let id = id.clone();
            view! {
                <A href=format!("/deeds/{deed_id}") attr:class="btn">{tr(Word::QueueSent)}</A>
                <button type="button" class="btn" on:click=move |_| {
                    let id = id.clone();
                    leptos::task::spawn_local(async move { outbox::remove(&id).await });
                }>{tr(Word::QueueRemove)}</button>
            }
            .into_any()
        }
        State::Failed { .. } => {
            let (fix_id, again_id) = (id.clone(), id.clone());
            view! {
                <button type="button" class="btn btn-primary fix" on:click=move |_| {
                    let (id, navigate) = (fix_id.clone(), navigate.clone());
                    leptos::task::spawn_local(async move {
                        if let Some((request, photos)) = outbox::take(&id).await {
                            draft::keep(&typed_from(&request), &photos).await;
                            navigate("/report", Default::default());
                        }
                    });
                }>{tr(Word::QueueFixAndResend)}</button>
                <button type="button" class="btn" on:click=move |_| {
                    let id = again_id.clone();
                    leptos::task::spawn_local(async move { outbox::send_again(&id).await });
                }>{tr(Word::QueueSendAgain)}</button>
            }
            .into_any()
        }
        State::Waiting { .. } | State::Sending => ().into_any(),
    };
    view! {
        <div class="cell queued" data-state=state_name>
            <span class="cell-body">
                <span class="cell-title">{item.title.clone()}</span>
                <span class="hint" role="status">{status}</span>
            </span>
            <span class="cell-side">{actions}</span>
        </div>
    }
}

/// A refused report back in the form, under the same `client_request_id`.
fn typed_from(r: &SubmitDeedRequest) -> Typed {
    let PlaceDto { name, lat, lng } = r.place.clone();
    Typed {
        rule_id: r.rule_id.clone(),
        title: r.title.clone(),
        account: r.account.clone(),
        occurred: crate::time::to_input(r.occurred_at),
        place: name,
        coords: lat.zip(lng),
        photo_ids: r.photo_ids.clone(),
        client_request_id: Some(r.client_request_id.clone()),
        member_id: r.member_id.clone(),
    }
}

/// On the report screen: how many reports wait on this phone, as a link to them.
#[component]
pub fn WaitingReports() -> impl IntoView {
    let list = outbox::list();
    let waiting = move || {
        list.with(|l| {
            l.iter()
                .filter(|q| !matches!(q.state, State::Sent { .. }))
                .count()
        })
    };
    view! {
        <Show when=move || { waiting() > 0 }>
            <A href="/outbox" attr:class="notice" attr:id="waiting-reports">
                {move || Word::QueueWaitingCount.fill(lang(), &[("n", &waiting())])}
            </A>
        </Show>
    }
}
