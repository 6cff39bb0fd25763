//! The migrant members' organisation's committee: the deeds of the members attached to it, and
//! co-signing one done in its city (证明此事). The home branch still decides every deed.

use jifen_shared::api::{DeedQuery, DeedView};
use jifen_shared::domain::{DeedStatus, OrgKind, Role};
use jifen_shared::words::Word;
use leptos::prelude::*;

use super::my_deeds::DeedCell;
use crate::api;
use crate::components::{FieldErrorText, FormError, FormSubmit, PagedList};
use crate::i18n::{lang, tr};
use crate::session::Session;

/// The migrant organisations whose committee the signed-in member sits on.
pub fn my_migrant_orgs(session: Session) -> Vec<String> {
    session
        .me
        .get_untracked()
        .map(|m| m.roles)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.org_unit_kind == Some(OrgKind::Migrant))
        .filter(|r| matches!(r.role, Role::Committee | Role::Secretary))
        .map(|r| r.org_unit_id)
        .collect()
}

#[component]
pub fn AttestPage() -> impl IntoView {
    let reload = Trigger::new();
    let fetch = |cursor: Option<String>| async move {
        let query = DeedQuery {
            scope: Some("attest".into()),
            cursor,
            ..Default::default()
        };
        let page = api::deeds(&query).await?;
        Ok((page.items, page.next_cursor))
    };
    view! {
        <header class="page-header"><h1>{tr(Word::AttestQueue)}</h1></header>
        <PagedList fetch id="attest-queue" reload
            key=|d: &DeedView| (d.id.clone(), d.status, d.attestations.len())
            empty=tr(Word::AttestQueueEmpty)
            more=tr(Word::LoadMore) let:deed>
            <AttestItem deed reload/>
        </PagedList>
    }
}

/// One attached member's deed: what it is, the co-signatures it has, and for one not yet
/// co-signed by this organisation and still open to it, a comment and 证明此事.
#[component]
fn AttestItem(deed: DeedView, reload: Trigger) -> impl IntoView {
    let session = expect_context::<Session>();
    let mine = my_migrant_orgs(session);
    let attested = deed
        .attestations
        .iter()
        .any(|a| mine.contains(&a.org_unit_id));
    let closed = matches!(
        deed.status,
        DeedStatus::Withdrawn | DeedStatus::Rejected | DeedStatus::Revoked
    );
    let signatures = deed
        .attestations
        .iter()
        .map(|a| {
            let text = Word::AttestedBy.fill(
                lang(),
                &[
                    ("org", &a.org_unit_name),
                    ("name", &a.attested_by_name),
                    ("comment", &a.comment),
                ],
            );
            view! { <p class="cell hint attestation">{text}</p> }
        })
        .collect_view();
    let place = deed.place.name.clone();
    let id = deed.id.clone();
    let href = format!("/deeds/{id}");
    let action = (!attested && !closed).then(|| view! { <AttestForm id=id.clone() reload/> });
    view! {
        <div class="attest-item" data-deed=id>
            <DeedCell href deed/>
            <p class="cell hint">{tr(Word::Where)} ": " {place}</p>
            {signatures}
            {attested.then(|| view! { <p class="cell notice attested">{tr(Word::AttestDone)}</p> })}
            {action}
        </div>
    }
}

#[component]
fn AttestForm(id: String, reload: Trigger) -> impl IntoView {
    let comment = RwSignal::new(String::new());
    let (label_for, field) = (
        format!("attest-comment-{id}"),
        format!("attest-comment-{id}"),
    );
    let save = FormSubmit::new(
        move |comment: &String| {
            let (id, comment) = (id.clone(), comment.clone());
            async move { api::attest(&id, comment).await }
        },
        move |_| reload.notify(),
    );
    let errors = save.errors;
    view! {
        <form class="attest-form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save.send(comment.get_untracked());
        }>
            <label class="cell cell-top" for=label_for>
                <span class="cell-label">{tr(Word::AttestCommentLabel)}</span>
                <textarea id=field name="comment" rows="2" maxlength="500" bind:value=comment
                    aria-describedby="err-comment"></textarea>
            </label>
            <FieldErrorText errors field="comment"/>
            <FormError form=save/>
            <button type="submit" class="btn btn-primary attest" disabled=move || save.pending().get()>
                {tr(Word::AttestAction)}
            </button>
        </form>
    }
}
