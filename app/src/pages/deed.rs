use jifen_shared::api::{DeedHistory, DeedView, HistoryEntry};
use jifen_shared::domain::DeedStatus;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::appeals::member::DeedAppeal;
use super::deed_form::DeedForm;
use crate::api::{self, ApiError};
use crate::components::{FormError, FormSubmit, Loaded, StatusBadge, Timeline};
use crate::i18n::tr;

/// The deed's facts: what, when, where, photos.
#[component]
pub fn DeedFacts(deed: DeedView) -> impl IntoView {
    let coords = deed.place.lat.zip(deed.place.lng).map(|(a, b)| {
        format!(
            " ({}, {})",
            crate::time::coordinate(a),
            crate::time::coordinate(b)
        )
    });
    view! {
        <div class="cells">
            <div class="cell"><span class="cell-label">{tr(Word::Status)}</span><StatusBadge status=deed.status/></div>
            // Registered by the branch for a member without a phone (登记建账), shown alike to the
            // member and to the committee.
            {deed.registered_by_name.clone().map(|name| {
                let lang = expect_context::<crate::session::Session>().lang;
                view! { <p class="cell notice registered-by">{move || Word::RegisteredBy.fill(lang.get(), &[("name", &name)])}</p> }
            })}
            {deed.attestations.clone().into_iter().map(|a| {
                let lang = expect_context::<crate::session::Session>().lang;
                view! { <p class="cell notice attestation">{move || Word::AttestedBy.fill(lang.get(), &[
                    ("org", &a.org_unit_name), ("name", &a.attested_by_name), ("comment", &a.comment)])}</p> }
            }).collect_view()}
            <div class="cell"><span class="cell-label">{tr(Word::Item)}</span><span>{deed.rule_name.clone()}
                {deed.rule_version.map(|v| {
                    let lang = expect_context::<crate::session::Session>().lang;
                    view! { " · " <span class="rule-version">{move || Word::CatalogueVersion.fill(lang.get(), &[("version", &v)])}</span> }
                })}</span></div>
            <div class="cell"><span class="cell-label">{tr(Word::DeedPoints)}</span>
                <span class="points">{deed.points_awarded.unwrap_or(deed.points_claimed)}</span></div>
            <div class="cell"><span class="cell-label">{tr(Word::When)}</span><span>{crate::time::show(deed.occurred_at)}
                {format!(" · {}Q{}", deed.year, deed.quarter)}</span></div>
            <div class="cell"><span class="cell-label">{tr(Word::Where)}</span><span>{deed.place.name.clone()}{coords}</span></div>
            <div class="cell cell-top"><span class="cell-label">{tr(Word::WhatHappened)}</span><p class="account">{deed.account.clone()}</p></div>
            {(!deed.photo_ids.is_empty()).then(|| view! { <Photos ids=deed.photo_ids.clone()/> })}
            {deed.decision_reason.clone().map(|r| view! {
                <div class="cell cell-top notice"><span class="cell-label">{tr(Word::Reason)}</span><p>{r}</p></div>
            })}
        </div>
    }
}

/// Photos load through the API client, which holds the access token. The list outlives a
/// re-render of the deed (after a decision), so it is filled with `try_set`.
#[component]
pub fn Photos(ids: Vec<String>) -> impl IntoView {
    let urls = RwSignal::new(Vec::<String>::new());
    leptos::task::spawn_local(async move {
        let mut out = Vec::new();
        for id in ids {
            out.push(api::photo_url(&id).await.unwrap_or_default());
        }
        urls.try_set(out);
    });
    view! {
        <div class="cell cell-top">
            <span class="cell-label">{tr(Word::Photos)}</span>
            <div class="photos">
                {move || urls.try_get().unwrap_or_default().into_iter().map(|u| {
                    let href = u.clone();
                    view! { <a class="thumb" href=href target="_blank"><img src=u alt=tr(Word::DeedPhoto)/></a> }
                }).collect_view()}
            </div>
        </div>
    }
}

/// What happened to a deed so far, oldest first.
#[component]
pub fn DeedHistorySection(events: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <h3 class="section-title">{tr(Word::History)}</h3>
        <Timeline events/>
    }
}

/// One of my deeds: facts, history, and what I can still do with it.
#[component]
pub fn DeedPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let data = LocalResource::new(move || {
        let id = id();
        async move {
            let deed = api::deed(&id).await?;
            let history = api::history(&id).await?;
            Ok::<(DeedView, DeedHistory), ApiError>((deed, history))
        }
    });
    let withdraw = FormSubmit::new(
        |id: &String| {
            let id = id.clone();
            async move { api::withdraw(&id).await }
        },
        move |_| data.refetch(),
    );
    let editing = RwSignal::new(false);
    view! {
        <header class="page-header"><h1>{tr(Word::Deed)}</h1></header>
        <Loaded resource=data let:loaded>
            <MyDeed deed=loaded.0 history=loaded.1 withdraw editing on_revised=move || data.refetch()/>
        </Loaded>
    }
}

#[component]
fn MyDeed(
    deed: DeedView,
    history: DeedHistory,
    withdraw: FormSubmit<String, DeedView>,
    /// Whether the revision form is open (a returned deed).
    editing: RwSignal<bool>,
    #[prop(into)] on_revised: Callback<()>,
) -> impl IntoView {
    let status = deed.status;
    let returned = (status == DeedStatus::Returned).then(|| deed.clone());
    let deed_id = deed.id.clone();
    // A rejection or return may be appealed; an appeal filed shows where it stands.
    let appeal = (status.appealable() || history.events.iter().any(|e| e.action == "appeal.filed"))
        .then(|| deed.id.clone());
    view! {
        <h2 class="deed-title">{deed.title.clone()}</h2>
        <DeedFacts deed=deed/>
        <FormError form=withdraw marks_no_fields=true/>
        {appeal.map(|deed_id| view! {
            <DeedAppeal deed_id appealable=status.appealable() on_filed=move |_| on_revised.run(())/>
        })}
        {returned.map(|deed| view! { <ReviseReturned deed editing on_revised/> })}
        {matches!(status, DeedStatus::Submitted | DeedStatus::Returned).then(|| view! {
            <button class="btn btn-warn" disabled=move || withdraw.pending().get()
                on:click=move |_| withdraw.send(deed_id.clone())>
                {tr(Word::Withdraw)}</button>
        })}
        <DeedHistorySection events=history.events/>
    }
}

/// A returned deed: the form to revise and resubmit it, behind a button.
#[component]
fn ReviseReturned(
    deed: DeedView,
    editing: RwSignal<bool>,
    on_revised: Callback<()>,
) -> impl IntoView {
    view! {
        <Show when=move || editing.get() fallback=move || view! {
            <button class="btn btn-primary" on:click=move |_| editing.set(true)>
                {tr(Word::ReviseAndResubmit)}</button>
        }>
            <DeedForm editing=Some(deed.clone()) on_done=move |_| {
                editing.set(false);
                on_revised.run(());
            }/>
        </Show>
    }
}
