//! The report form, for a new deed or for revising a returned one. It checks each field with the
//! same domain rules the server uses, then shows the server's own field errors if any remain.

mod draft;
mod photos;
mod place;
mod register;
mod rule;

use jifen_shared::api::DeedView;
use jifen_shared::words::Word;
use leptos::prelude::*;

use self::draft::Draft;
use self::photos::PhotoPicker;
use self::place::PlaceField;
use self::register::{RegisterFor, Registrable};
use self::rule::RulePicker;
use crate::api;
use crate::components::{FieldErrorText, FormError, FormSubmit};
use crate::i18n::tr;
use crate::offline;
use crate::offline::draft::Typed;
use crate::offline::outbox::{self, Sent};

fn new_request_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| {
            format!(
                "{}-{}",
                js_sys::Date::now() as u64,
                (js_sys::Math::random() * 1e9) as u64
            )
        })
}

/// A new report is kept on the phone first (photos the network did not take included), then
/// sent; `None` when it stays in the outbox to be sent when the network returns. A refusal shows
/// in the form as before, and the report is the form's again (kept as a draft).
async fn send_new(
    report: jifen_shared::api::SubmitDeedRequest,
    mut typed: Typed,
    photos: Vec<web_sys::Blob>,
) -> Result<Option<DeedView>, api::ApiError> {
    let id = report.client_request_id.clone();
    outbox::keep(report, photos.clone()).await;
    offline::draft::clear().await;
    match outbox::send(&id).await {
        Sent::Deed(deed) => {
            outbox::remove(&id).await;
            Ok(Some(*deed))
        }
        Sent::Refused(e) => {
            outbox::remove(&id).await;
            typed.client_request_id = Some(id);
            offline::draft::keep(&typed, &photos).await;
            Err(e)
        }
        Sent::Later => Ok(None),
    }
}

/// A new report's fields are kept on the phone as they are typed, and found again on the next
/// visit (after a reload or a restart); a report being revised is not.
fn keep_as_typed(draft: Draft, revising: bool, request_id: StoredValue<String>) {
    if revising {
        return;
    }
    let restored = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        if let Some((typed, blobs)) = offline::draft::load().await {
            if let Some(id) = typed.client_request_id.clone() {
                request_id.set_value(id);
            }
            draft.restore(typed, blobs);
        }
        restored.set(true);
    });
    Effect::new(move |_| {
        draft.rule_id.track();
        draft.title.track();
        draft.account.track();
        draft.occurred.track();
        draft.place.track();
        draft.coords.track();
        draft.photos.track();
        draft.member_id.track();
        if !restored.get() {
            return;
        }
        let (mut typed, blobs) = draft.typed();
        typed.client_request_id = Some(request_id.get_value());
        leptos::task::spawn_local(async move { offline::draft::keep(&typed, &blobs).await });
    });
}

#[component]
pub fn DeedForm(
    editing: Option<DeedView>,
    #[prop(into)] on_done: Callback<DeedView>,
) -> impl IntoView {
    let draft = Draft::new(editing.as_ref());
    let editing_id = editing.map(|d| d.id);
    let revising = editing_id.is_some();
    let request_id = StoredValue::new(new_request_id());
    let navigate = leptos_router::hooks::use_navigate();
    // Registering for a member of one's branch (登记建账): their branch's catalogue applies.
    let chosen = RwSignal::new(None::<Registrable>);
    let home = expect_context::<crate::session::Session>()
        .me
        .get_untracked()
        .map(|m| m.home_branch_id)
        .unwrap_or_default();
    let rules_branch = Signal::derive(move || {
        chosen
            .with(|c| c.as_ref().map(|m| m.branch_id.clone()))
            .unwrap_or_else(|| home.clone())
    });
    let save = FormSubmit::new(
        move |_: &()| {
            let editing_id = editing_id.clone();
            let (revision, report) = (draft.revision(), draft.report(request_id.get_value()));
            let (typed, photos) = draft.typed();
            async move {
                match editing_id {
                    Some(id) => api::revise(&id, &revision).await.map(Some),
                    None => send_new(report, typed, photos).await,
                }
            }
        },
        move |sent: Option<DeedView>| {
            request_id.set_value(new_request_id());
            match sent {
                Some(deed) => on_done.run(deed),
                // Kept on the phone: the outbox shows it until it is sent.
                None => navigate("/outbox", Default::default()),
            }
        },
    );
    keep_as_typed(draft, revising, request_id);
    let errors = save.errors;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.submit(draft.check(), ());
    };

    view! {
        <form class="deed-form" on:submit=submit novalidate>
            <div class="cells">
                {(!revising).then(|| view! { <RegisterFor member_id=draft.member_id chosen/> })}
                <RulePicker rule_id=draft.rule_id errors branch_id=rules_branch/>
                <label class="cell" for="title">
                    <span class="cell-label">{tr(Word::Title)}</span>
                    <input id="title" name="title" maxlength="80" bind:value=draft.title aria-describedby="err-title"
                        placeholder=tr(Word::TitleExample)/>
                </label>
                <FieldErrorText errors field="title"/>
                <label class="cell cell-top" for="account">
                    <span class="cell-label">{tr(Word::WhatHappened)}</span>
                    <textarea id="account" name="account" rows="4" maxlength="2000" bind:value=draft.account
                        aria-describedby="err-account"
                        placeholder=tr(Word::AccountHint)></textarea>
                </label>
                <FieldErrorText errors field="account"/>
                <label class="cell" for="occurred">
                    <span class="cell-label">{tr(Word::When)}</span>
                    <input id="occurred" name="occurred" type="datetime-local" bind:value=draft.occurred
                        aria-describedby="err-occurred_at"/>
                </label>
                <FieldErrorText errors field="occurred_at"/>
                <PlaceField place=draft.place coords=draft.coords errors/>
                <PhotoPicker photos=draft.photos errors/>
            </div>
            <FormError form=save/>
            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                {move || match (save.pending().get(), revising) {
                    (true, _) => tr(Word::Submitting)(),
                    (false, true) => tr(Word::Resubmit)(),
                    (false, false) => tr(Word::Submit)(),
                }}
            </button>
        </form>
    }
}
