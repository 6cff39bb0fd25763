//! A branch's WeChat invite codes: issue one for a member found by name and show it this once,
//! in large type with a print button (the code is never shown again); the open codes and the
//! requests waiting for a second office holder, each revoked after a confirmation.

use jifen_shared::api::{BranchInvites, InviteView};
use jifen_shared::words::Word;
use leptos::prelude::*;

use super::search::{MemberSearch, Picked};
use crate::api::{self, IssuedInvite};
use crate::components::{FormError, FormSubmit, Loaded};
use crate::i18n::{lang, tr};
use crate::time;

#[component]
pub fn Invites(branch_id: String) -> impl IntoView {
    let branch = StoredValue::new(branch_id);
    let listed = LocalResource::new(move || {
        let id = branch.get_value();
        async move { api::branch_invites(&id).await }
    });
    let changed = Callback::new(move |()| listed.refetch());
    view! {
        <section class="org-invites" id="org-invites">
            <h3 class="section-title">{tr(Word::AdminInvites)}</h3>
            <Issue branch_id=branch.get_value() on_change=changed/>
            <Loaded resource=listed let:invites>
                <OpenList invites on_change=changed/>
            </Loaded>
        </section>
    }
}

#[component]
fn Issue(branch_id: String, on_change: Callback<()>) -> impl IntoView {
    let picked = RwSignal::new(Picked::None);
    let shown = RwSignal::new(None::<(String, InviteView)>);
    let waiting = RwSignal::new(false);
    let issue = FormSubmit::new(
        move |member_id: &String| {
            let id = member_id.clone();
            async move { api::issue_invite(&id).await }
        },
        move |issued: IssuedInvite| {
            let name = picked.get_untracked().map(|(_, n)| n).unwrap_or_default();
            match issued {
                IssuedInvite::Code(invite) => shown.set(Some((name, invite))),
                IssuedInvite::Waiting(_) => waiting.set(true),
            }
            picked.set(None);
            on_change.run(());
        },
    );
    view! {
        <div class="cells">
            <MemberSearch unit_id=branch_id picked prefix="invite"/>
        </div>
        <button type="button" id="issue-invite" class="btn btn-primary"
            disabled=move || picked.get().is_none() || issue.pending().get()
            on:click=move |_| {
                shown.set(None);
                waiting.set(false);
                if let Some((id, _)) = picked.get_untracked() {
                    issue.send(id);
                }
            }>
            {tr(Word::AdminIssueFor)}
        </button>
        <FormError form=issue marks_no_fields=true/>
        <Show when=move || waiting.get()>
            <p class="notice" role="status" id="invite-waiting">{tr(Word::AdminInviteWaiting)}</p>
        </Show>
        {move || shown.get().map(|(name, invite)| view! { <Slip name invite done=shown/> })}
    }
}

/// The code, this once, large enough to read out and to print for the member.
#[component]
fn Slip(
    name: String,
    invite: InviteView,
    done: RwSignal<Option<(String, InviteView)>>,
) -> impl IntoView {
    let until = time::show(invite.expires_at);
    // The print styles keep only the slip while the body says so.
    let print = move |_| {
        let body = document().body();
        if let Some(b) = &body {
            let _ = b.set_attribute("data-printing", "invite-slip");
        }
        if let Some(w) = web_sys::window() {
            let _ = w.print();
        }
        if let Some(b) = &body {
            let _ = b.remove_attribute("data-printing");
        }
    };
    view! {
        <div class="invite-slip" id="invite-slip" role="status">
            <p class="invite-for">{Word::AdminInviteFor.fill(lang(), &[("name", &name)])}</p>
            <p class="invite-code" id="invite-code">{invite.code.clone()}</p>
            <p class="hint">{Word::AdminInviteUntil.fill(lang(), &[("at", &until)])}</p>
            <p class="notice no-print">{tr(Word::AdminCodeOnce)}</p>
            <div class="button-row no-print">
                <button type="button" class="btn btn-default" id="print-invite" on:click=print>{tr(Word::AdminPrint)}</button>
                <button type="button" class="btn btn-primary" id="invite-done" on:click=move |_| done.set(None)>{tr(Word::AdminDone)}</button>
            </div>
        </div>
    }
}

#[component]
fn OpenList(invites: BranchInvites, on_change: Callback<()>) -> impl IntoView {
    if invites.open.is_empty() && invites.requests.is_empty() {
        return view! { <p class="state">{tr(Word::AdminNoInvites)}</p> }.into_any();
    }
    let open = invites.open.into_iter().map(|i| {
        let line = Word::AdminIssuedBy.fill(
            lang(),
            &[
                ("by", &i.issued_by_name),
                ("at", &time::show(i.issued_at)),
                ("until", &time::show(i.expires_at)),
            ],
        );
        view! { <OpenItem id=i.id name=i.member_name line on_change/> }
    });
    let requests = invites.requests.into_iter().map(|r| {
        let line = Word::AdminRequestedBy.fill(
            lang(),
            &[
                ("by", &r.requested_by_name),
                ("at", &time::show(r.requested_at)),
            ],
        );
        view! { <OpenItem id=r.id name=r.member_name line on_change/> }
    });
    view! {
        <ul class="cells org-open-invites">
            {open.collect_view()}
            {requests.collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn OpenItem(id: String, name: String, line: String, on_change: Callback<()>) -> impl IntoView {
    let asking = RwSignal::new(false);
    let invite = StoredValue::new(id.clone());
    let revoke = FormSubmit::new(
        move |(): &()| {
            let id = invite.get_value();
            async move { api::revoke_invite(&id).await }
        },
        move |()| on_change.run(()),
    );
    view! {
        <li class="cell cell-top org-invite" data-invite=id>
            <div class="cell-body">
                <span class="cell-title">{name}</span>
                <span class="hint">{line}</span>
                <Show when=move || asking.get()>
                    <p class="notice" role="alert">{tr(Word::AdminRevokeInviteConfirm)}</p>
                    <div class="button-row">
                        <button type="button" class="btn btn-default" on:click=move |_| asking.set(false)>
                            {tr(Word::AdminCancel)}
                        </button>
                        <button type="button" class="btn btn-warn invite-revoke-confirm" disabled=move || revoke.pending().get()
                            on:click=move |_| revoke.send(())>{tr(Word::AdminRevoke)}</button>
                    </div>
                </Show>
                <FormError form=revoke marks_no_fields=true/>
            </div>
            <Show when=move || !asking.get()>
                <button type="button" class="btn btn-mini invite-revoke" on:click=move |_| asking.set(true)>
                    {tr(Word::AdminRevoke)}
                </button>
            </Show>
        </li>
    }
}
