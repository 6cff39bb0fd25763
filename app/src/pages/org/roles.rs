//! A unit's office holders: each with the role they hold, revoked after a confirmation by those
//! who may; and appointing a member found by name to one of the roles the member may grant.

use jifen_shared::api::{GrantRoleRequest, RoleHolder, UnitRoles};
use jifen_shared::domain::Role;
use jifen_shared::words::Word;
use leptos::prelude::*;

use super::role_word;
use super::search::{MemberSearch, Picked};
use crate::api;
use crate::components::{FormError, FormSubmit, Loaded};
use crate::i18n::{lang, tr};

#[component]
pub fn Roles(unit_id: String, search_unit: String) -> impl IntoView {
    let unit = StoredValue::new(unit_id);
    let roles = LocalResource::new(move || {
        let id = unit.get_value();
        async move { api::unit_roles(&id).await }
    });
    let changed = Callback::new(move |()| roles.refetch());
    let search_unit = StoredValue::new(search_unit);
    // Outside the list, which is built anew when it reloads after the appointment.
    let done = RwSignal::new(None::<String>);
    view! {
        <section class="org-roles" id="org-roles">
            <h3 class="section-title">{tr(Word::AdminRoles)}</h3>
            <Loaded resource=roles let:listed>
                <HolderList listed=listed.clone() on_change=changed/>
                {(!listed.grantable.is_empty()).then(|| view! {
                    <Appoint unit_id=unit.get_value() search_unit=search_unit.get_value()
                        grantable=listed.grantable.clone() done on_change=changed/>
                })}
            </Loaded>
            {move || done.get().map(|d| view! { <p class="form-ok" role="status" id="appointed">{d}</p> })}
        </section>
    }
}

#[component]
fn HolderList(listed: UnitRoles, on_change: Callback<()>) -> impl IntoView {
    if listed.holders.is_empty() {
        return view! { <p class="state">{tr(Word::AdminNoRoles)}</p> }.into_any();
    }
    view! {
        <ul class="cells org-holders">
            {listed.holders.into_iter().map(|h| view! { <Holder holder=h on_change/> }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn Holder(holder: RoleHolder, on_change: Callback<()>) -> impl IntoView {
    let asking = RwSignal::new(false);
    let id = StoredValue::new(holder.id.clone());
    let revoke = FormSubmit::new(
        move |(): &()| {
            let id = id.get_value();
            async move { api::revoke_role(&id).await }
        },
        move |()| on_change.run(()),
    );
    let question = Word::AdminRevokeRoleConfirm.fill(
        lang(),
        &[
            ("name", &holder.member_name),
            ("role", &role_word(holder.role).text(lang())),
        ],
    );
    view! {
        <li class="cell cell-top org-holder" data-role=holder.role.as_str() data-member=holder.member_id.clone()>
            <div class="cell-body">
                <span class="cell-title">{holder.member_name.clone()}</span>
                <span class="hint">{tr(role_word(holder.role))} " · " {holder.home_branch_name.clone()}</span>
                <Show when=move || asking.get()>
                    <p class="notice" role="alert">{question.clone()}</p>
                    <div class="button-row">
                        <button type="button" class="btn btn-default" on:click=move |_| asking.set(false)>
                            {tr(Word::AdminCancel)}
                        </button>
                        <button type="button" class="btn btn-warn org-revoke-confirm" disabled=move || revoke.pending().get()
                            on:click=move |_| revoke.send(())>{tr(Word::AdminRevoke)}</button>
                    </div>
                </Show>
                <FormError form=revoke marks_no_fields=true/>
            </div>
            {holder.revocable.then(|| view! {
                <Show when=move || !asking.get()>
                    <button type="button" class="btn btn-mini org-revoke" on:click=move |_| asking.set(true)>
                        {tr(Word::AdminRevoke)}
                    </button>
                </Show>
            })}
        </li>
    }
}

/// Appoint a member found by name to a role the signed-in member may grant.
#[component]
fn Appoint(
    unit_id: String,
    search_unit: String,
    grantable: Vec<Role>,
    done: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let picked = RwSignal::new(Picked::None);
    let role = RwSignal::new(grantable.first().copied().unwrap_or(Role::Committee));
    let unit = StoredValue::new(unit_id);
    let appoint = FormSubmit::new(
        move |req: &GrantRoleRequest| {
            let (unit, req) = (unit.get_value(), req.clone());
            async move { api::grant_role(&unit, &req).await }
        },
        move |h: RoleHolder| {
            let role = role_word(h.role).text(lang());
            done.set(Some(
                Word::AdminGranted.fill(lang(), &[("name", &h.member_name), ("role", &role)]),
            ));
            picked.set(None);
            on_change.run(());
        },
    );
    view! {
        <div class="org-appoint">
            <h3 class="section-title">{tr(Word::AdminGrant)}</h3>
            <div class="cells">
                <MemberSearch unit_id=search_unit picked prefix="appoint"/>
                <label class="cell" for="appoint-role">
                    <span class="cell-label">{tr(Word::AdminRole)}</span>
                    <select id="appoint-role" on:change=move |ev| {
                        if let Ok(r) = event_target_value(&ev).parse() {
                            role.set(r);
                        }
                    }>
                        {grantable.into_iter().map(|r| view! {
                            <option value=r.as_str() selected=move || role.get() == r>{tr(role_word(r))}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <button type="button" id="appoint" class="btn btn-primary"
                disabled=move || picked.get().is_none() || appoint.pending().get()
                on:click=move |_| {
                    done.set(None);
                    if let Some((member_id, _)) = picked.get_untracked() {
                        appoint.send(GrantRoleRequest { member_id, role: role.get_untracked() });
                    }
                }>
                {tr(Word::AdminGrant)}
            </button>
            <FormError form=appoint marks_no_fields=true/>
        </div>
    }
}
