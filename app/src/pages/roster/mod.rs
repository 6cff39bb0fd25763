//! 党员名册: the secretary (or an administrator above the branch) finds members by name, username
//! or phone, adds and edits them, transfers one to another branch and marks one as having left;
//! the import of a whole roster file is its own screen ([`import`]).

mod edit;
pub mod import;
mod slips;

use jifen_shared::api::RosterMember;
use jifen_shared::domain::{MemberStatus, Role};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::{my_branches, BranchPicker, MyBranch, PagedList};
use crate::i18n::tr;
use crate::session::Session;

use self::edit::{Deactivate, MemberForm, TransferForm};

/// The branches whose roster the signed-in member keeps: as secretary, or as an administrator
/// above them.
pub fn managed_branches(session: Session) -> Vec<MyBranch> {
    my_branches(session)
        .into_iter()
        .filter(|b| b.manages)
        .collect()
}

/// Whether the member keeps any roster: a secretary, or an administrator.
pub fn keeps_a_roster(session: Session) -> bool {
    session.me.get().is_some_and(|m| {
        m.roles
            .iter()
            .any(|r| matches!(r.role, Role::Secretary | Role::OrgAdmin))
    })
}

pub fn status_word(s: MemberStatus) -> Word {
    match s {
        MemberStatus::Active => Word::RosterActive,
        MemberStatus::Migrant => Word::RosterMigrant,
        MemberStatus::Transferred => Word::RosterLeft,
    }
}

/// What a member's row has open under it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    Edit,
    Transfer,
    Deactivate,
}

#[component]
pub fn RosterPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = managed_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let reload = Trigger::new();
    let adding = RwSignal::new(false);
    let fetch = move |cursor: Option<String>| {
        let (b, q, s) = (branch.get(), search.get(), status.get());
        async move {
            api::roster(&b, q.trim(), &s, cursor)
                .await
                .map(|p| (p.items, p.next_cursor))
        }
    };
    let key = |m: &RosterMember| {
        format!(
            "{}|{}|{}|{:?}|{}",
            m.id, m.name, m.status, m.phone, m.branch_id
        )
    };
    view! {
        <div class="roster-page">
            <header class="page-header">
                <h1>{tr(Word::RosterTitle)}</h1>
                <A href="/roster/import" attr:class="btn btn-mini btn-default" attr:id="to-roster-import">
                    {tr(Word::RosterImport)}
                </A>
            </header>
            <BranchPicker branches branch/>
            <div class="filters roster-filters">
                <input type="search" id="roster-search" placeholder=tr(Word::RosterSearch)
                    aria-label=tr(Word::RosterSearch) maxlength="40"
                    on:change=move |ev| search.set(event_target_value(&ev))/>
                <select id="roster-status" aria-label=tr(Word::Status)
                    on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">{tr(Word::RosterTakingPart)}</option>
                    <option value="active">{tr(Word::RosterActive)}</option>
                    <option value="migrant">{tr(Word::RosterMigrant)}</option>
                    <option value="transferred">{tr(Word::RosterLeft)}</option>
                </select>
            </div>
            <Show when=move || !adding.get()
                fallback=move || view! {
                    <MemberForm branch=branch.get_untracked() member=None
                        done=Callback::new(move |()| { adding.set(false); reload.notify(); })/>
                }>
                <button class="btn btn-primary roster-add" id="roster-add" on:click=move |_| adding.set(true)>
                    {tr(Word::RosterAdd)}
                </button>
            </Show>
            <PagedList fetch key id="roster-list" reload
                empty=tr(Word::RosterNone) more=tr(Word::LoadMore)
                children=move |m: RosterMember| view! { <MemberRow member=m reload/> }/>
        </div>
    }
}

#[component]
fn MemberRow(member: RosterMember, reload: Trigger) -> impl IntoView {
    let open = RwSignal::new(Open::Nothing);
    let left = member.status == MemberStatus::Transferred;
    let m = StoredValue::new(member.clone());
    let done = Callback::new(move |()| {
        open.set(Open::Nothing);
        reload.notify();
    });
    let toggle = move |what: Open| {
        move |_| open.update(|o| *o = if *o == what { Open::Nothing } else { what })
    };
    view! {
        <div class="roster-member" data-username=member.username.clone()>
            <div class="cell cell-top">
                <div class="cell-body">
                    <span class="cell-title roster-name">{member.name.clone()}</span>
                    <span class="hint">
                        {member.username.clone()}
                        {member.phone.clone().map(|p| format!(" · {p}"))}
                        {member.wechat_bound.then(|| view! { " · " {tr(Word::RosterWechatBound)} })}
                    </span>
                </div>
                <span class=format!("badge roster-status-{}", member.status.as_str())>
                    {tr(status_word(member.status))}
                </span>
            </div>
            {(!left).then(|| view! {
                <div class="cell cell-actions roster-actions">
                    <button class="btn btn-mini btn-default roster-edit" on:click=toggle(Open::Edit)
                        aria-pressed=move || (open.get() == Open::Edit).to_string()>{tr(Word::RosterEdit)}</button>
                    <button class="btn btn-mini btn-default roster-transfer" on:click=toggle(Open::Transfer)
                        aria-pressed=move || (open.get() == Open::Transfer).to_string()>{tr(Word::RosterTransfer)}</button>
                    <button class="btn btn-mini btn-warn roster-deactivate" on:click=toggle(Open::Deactivate)
                        aria-pressed=move || (open.get() == Open::Deactivate).to_string()>{tr(Word::RosterDeactivate)}</button>
                </div>
            })}
            {move || match open.get() {
                Open::Nothing => ().into_any(),
                Open::Edit => view! {
                    <MemberForm branch=m.with_value(|m| m.branch_id.clone()) member=Some(m.get_value()) done/>
                }.into_any(),
                Open::Transfer => view! { <TransferForm member=m.get_value() done/> }.into_any(),
                Open::Deactivate => view! {
                    <Deactivate member=m.get_value() done cancel=Callback::new(move |()| open.set(Open::Nothing))/>
                }.into_any(),
            }}
        </div>
    }
}
