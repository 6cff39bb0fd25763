//! The roster's forms: a member added or edited, a transfer to another branch, and leaving, each
//! with the server's words next to the field they concern.

use jifen_shared::api::{NewRosterMember, PatchRosterMember, RosterMember};
use jifen_shared::domain::{MemberStatus, MobilePhone};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{field_error, FieldErrorText, FormError, FormSubmit};
use crate::i18n::{lang, tr};

/// What the form sends: a new member for the branch, or a change to one.
#[derive(Clone)]
enum Change {
    Add(String, NewRosterMember),
    Edit(String, PatchRosterMember),
}

/// Adds a member to `branch` (no `member`) or edits `member`.
#[component]
pub fn MemberForm(
    branch: String,
    member: Option<RosterMember>,
    done: Callback<()>,
) -> impl IntoView {
    let editing = member.is_some();
    let id = member.as_ref().map(|m| m.id.clone()).unwrap_or_default();
    let name = RwSignal::new(member.as_ref().map(|m| m.name.clone()).unwrap_or_default());
    let phone = RwSignal::new(
        member
            .as_ref()
            .and_then(|m| m.phone.clone())
            .unwrap_or_default(),
    );
    let username = RwSignal::new(String::new());
    let migrant = RwSignal::new(
        member
            .as_ref()
            .is_some_and(|m| m.status == MemberStatus::Migrant),
    );
    let save = FormSubmit::new(
        |change: &Change| {
            let change = change.clone();
            async move {
                match change {
                    Change::Add(b, req) => api::add_member(&b, &req).await,
                    Change::Edit(id, req) => api::edit_member(&id, &req).await,
                }
            }
        },
        move |_| done.run(()),
    );
    let errors = save.errors;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed_phone = phone.get_untracked();
        // The number is checked here as the server checks it, so a typo shows before sending.
        let found = match typed_phone.trim() {
            "" => Vec::new(),
            p => MobilePhone::parse(p)
                .err()
                .map(|e| vec![field_error("phone", &e)])
                .unwrap_or_default(),
        };
        let status = if migrant.get_untracked() {
            MemberStatus::Migrant
        } else {
            MemberStatus::Active
        };
        let change = if editing {
            Change::Edit(
                id.clone(),
                PatchRosterMember {
                    name: Some(name.get_untracked()),
                    phone: Some(typed_phone),
                    status: Some(status),
                },
            )
        } else {
            Change::Add(
                branch.clone(),
                NewRosterMember {
                    name: name.get_untracked(),
                    phone: Some(typed_phone).filter(|p| !p.trim().is_empty()),
                    status: Some(status),
                    username: Some(username.get_untracked()).filter(|u| !u.trim().is_empty()),
                },
            )
        };
        save.submit(found, change);
    };
    let prefix = if editing { "edit" } else { "new" };
    view! {
        <form class="roster-form cells" on:submit=submit novalidate>
            <label class="cell" for=format!("{prefix}-name")>
                <span class="cell-label">{tr(Word::Name)}</span>
                <input id=format!("{prefix}-name") type="text" maxlength="80" bind:value=name aria-describedby="err-name"/>
            </label>
            <FieldErrorText errors field="name"/>
            <label class="cell" for=format!("{prefix}-phone")>
                <span class="cell-label">{tr(Word::RosterPhone)}</span>
                <input id=format!("{prefix}-phone") type="tel" inputmode="tel" maxlength="20" bind:value=phone aria-describedby="err-phone"/>
            </label>
            <FieldErrorText errors field="phone"/>
            {(!editing).then(|| view! {
                <label class="cell" for="new-username">
                    <span class="cell-label">{tr(Word::Username)}</span>
                    <input id="new-username" type="text" maxlength="64" autocapitalize="off"
                        placeholder=tr(Word::RosterUsernameHint) bind:value=username aria-describedby="err-username"/>
                </label>
                <FieldErrorText errors field="username"/>
            })}
            <label class="cell" for=format!("{prefix}-migrant")>
                <span class="cell-label">{tr(Word::RosterMigrant)}</span>
                <input id=format!("{prefix}-migrant") type="checkbox" class="switch" bind:checked=migrant/>
            </label>
            <FieldErrorText errors field="status"/>
            <FormError form=save/>
            <div class="cell cell-actions">
                <button type="submit" class="btn btn-mini btn-primary roster-save" disabled=move || save.pending().get()>
                    {tr(Word::RosterSave)}
                </button>
                <button type="button" class="btn btn-mini btn-default" on:click=move |_| done.run(())>
                    {tr(Word::RosterCancel)}
                </button>
            </div>
        </form>
    }
}

/// Sends the member to the branch with the code typed.
#[component]
pub fn TransferForm(member: RosterMember, done: Callback<()>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let id = member.id.clone();
    let send = FormSubmit::new(
        move |to: &String| {
            let (id, to) = (id.clone(), to.clone());
            async move { api::transfer_member(&id, &to).await }
        },
        move |_| done.run(()),
    );
    let errors = send.errors;
    view! {
        <form class="roster-form cells" novalidate on:submit=move |ev| {
            ev.prevent_default();
            send.send(code.get_untracked().trim().to_owned());
        }>
            <p class="hint roster-form-hint">{tr(Word::RosterTransferHint)}</p>
            <label class="cell" for="transfer-to">
                <span class="cell-label">{tr(Word::RosterTransferTo)}</span>
                <input id="transfer-to" type="text" autocapitalize="off" maxlength="40" bind:value=code
                    aria-describedby="err-branch_id"/>
            </label>
            <FieldErrorText errors field="branch_id"/>
            <FormError form=send/>
            <div class="cell cell-actions">
                <button type="submit" class="btn btn-mini btn-primary" id="transfer-confirm"
                    disabled=move || send.pending().get() || code.get().trim().is_empty()>
                    {tr(Word::RosterTransfer)}
                </button>
                <button type="button" class="btn btn-mini btn-default" on:click=move |_| done.run(())>
                    {tr(Word::RosterCancel)}
                </button>
            </div>
        </form>
    }
}

/// Asks once more before the member is marked as having left.
#[component]
pub fn Deactivate(member: RosterMember, done: Callback<()>, cancel: Callback<()>) -> impl IntoView {
    let id = member.id.clone();
    let send = FormSubmit::new(
        move |_: &()| {
            let id = id.clone();
            async move { api::deactivate_member(&id).await }
        },
        move |_| done.run(()),
    );
    let question = Word::RosterDeactivateConfirm.fill(lang(), &[("name", &member.name)]);
    view! {
        <div class="roster-form cells" role="alertdialog" aria-labelledby="deactivate-question">
            <p class="cell" id="deactivate-question">{question}</p>
            <FormError form=send marks_no_fields=true/>
            <div class="cell cell-actions">
                <button class="btn btn-mini btn-warn" id="deactivate-confirm" disabled=move || send.pending().get()
                    on:click=move |_| send.send(())>{tr(Word::RosterConfirm)}</button>
                <button class="btn btn-mini btn-default" on:click=move |_| cancel.run(())>{tr(Word::RosterCancel)}</button>
            </div>
        </div>
    }
}
