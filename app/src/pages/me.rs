use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::login::LangSwitch;
use crate::api;
use crate::i18n::tr;
use crate::session::Session;

fn role_label(role: jifen_shared::domain::Role) -> Word {
    use jifen_shared::domain::Role::*;
    match role {
        Member => Word::Member,
        Committee => Word::Committee,
        Secretary => Word::Secretary,
        OrgAdmin => Word::Administrator,
    }
}

#[component]
pub fn MePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let me = session.me.get_untracked();
    let logout = Action::new_local(|_: &()| api::logout());
    let unread =
        LocalResource::new(|| async { api::notifications(None).await.ok().map(|p| p.unread) });
    Effect::new(move |_| {
        if logout.value().get().is_some() {
            session.me.set(None);
            navigate("/login", Default::default());
        }
    });
    view! {
        <header class="page-header"><h1>{tr(Word::Me)}</h1></header>
        {me.map(|m| view! {
            <div class="cells">
                <div class="cell"><span class="cell-label">{tr(Word::Name)}</span><span>{m.name}</span></div>
                <div class="cell"><span class="cell-label">{tr(Word::Branch)}</span><span>{m.home_branch_name}</span></div>
                // Dual organisational life: the migrant members' organisation where they work.
                {m.migrant_org_name.map(|name| view! {
                    <div class="cell" id="migrant-org"><span class="cell-label">{tr(Word::MigrantOrgLabel)}</span><span>{name}</span></div>
                })}
                <A href="/inbox" attr:class="cell cell-link" attr:id="to-inbox">
                    <span class="cell-label">{tr(Word::Messages)}</span>
                    <span>{move || unread.get().flatten().map(|n| match n {
                        0 => tr(Word::NoUnreadMessages)().to_owned(),
                        n => format!("{n} {}", tr(Word::Unread)()),
                    })}</span>
                </A>
                // The board is a page of the server's (plain HTML for any phone), not a screen of
                // the app: `rel="external"` makes the router let the browser load it.
                {m.home_branch_code.map(|code| view! {
                    <a href=format!("/board/{code}") class="cell cell-link" rel="external" id="to-board">
                        <span class="cell-label">{tr(Word::PointsBoard)}</span>
                        <span>{tr(Word::OpenMyBranchsBoard)}</span>
                    </a>
                })}
                <A href="/meetings" attr:class="cell cell-link" attr:id="to-meetings">
                    <span class="cell-label">{tr(Word::MeetingsTitle)}</span>
                    <span>{tr(Word::MeetingsLinkHint)}</span>
                </A>
                <A href="/catalogue" attr:class="cell cell-link" attr:id="to-catalogue">
                    <span class="cell-label">{tr(Word::CatalogueTitle)}</span>
                    <span>{tr(Word::CatalogueOpenHint)}</span>
                </A>
                // The committee of a migrant members' organisation co-signs its members' deeds.
                {(!super::attest::my_migrant_orgs(session).is_empty()).then(|| view! {
                    <A href="/attest" attr:class="cell cell-link" attr:id="to-attest">
                        <span class="cell-label">{tr(Word::AttestQueue)}</span>
                        <span>{tr(Word::AttestAction)}</span>
                    </A>
                })}
                <Show when=move || session.is_reviewer()>
                    <A href="/deductions" attr:class="cell cell-link" attr:id="to-deductions">
                        <span class="cell-label">{tr(Word::Deductions)}</span>
                        <span>{tr(Word::DeductionsLinkHint)}</span>
                    </A>
                </Show>
                <Show when=move || session.is_reviewer()>
                    <A href="/settings" attr:class="cell cell-link" attr:id="to-settings">
                        <span class="cell-label">{tr(Word::SettingsOpen)}</span>
                        <span>{tr(Word::SettingsTitle)}</span>
                    </A>
                </Show>
                <Show when=move || session.is_reviewer()>
                    <A href="/alerts" attr:class="cell cell-link" attr:id="to-alerts">
                        <span class="cell-label">{tr(Word::Alerts)}</span>
                        <span>{tr(Word::AlertsLinkHint)}</span>
                    </A>
                </Show>
                <Show when=move || session.is_reviewer()>
                    <A href="/year-end" attr:class="cell cell-link" attr:id="to-year-end">
                        <span class="cell-label">{tr(Word::YearEnd)}</span>
                        <span>{tr(Word::YearEndLinkHint)}</span>
                    </A>
                </Show>
                <Show when=move || session.is_reviewer()>
                    <A href="/year" attr:class="cell cell-link" attr:id="to-year">
                        <span class="cell-label">{tr(Word::YearPageTitle)}</span>
                        <span>{tr(Word::YearLinkHint)}</span>
                    </A>
                </Show>
                // Issue 14: stats_app (add this part's links below this line)
                // Committees see their branch; secretaries and administrators of towns and
                // counties see every unit below.
                <Show when=move || session.is_reviewer()>
                    <A href="/stats" attr:class="cell cell-link" attr:id="to-stats">
                        <span class="cell-label">{tr(Word::StatsTitle)}</span>
                        <span>{tr(Word::StatsLinkHint)}</span>
                    </A>
                </Show>
                // Issue 14: roster (add this part's links below this line)
                // Secretaries and administrators keep the roster.
                <Show when=move || super::roster::keeps_a_roster(session)>
                    <A href="/roster" attr:class="cell cell-link" attr:id="to-roster">
                        <span class="cell-label">{tr(Word::RosterTitle)}</span>
                        <span>{tr(Word::RosterLinkHint)}</span>
                    </A>
                </Show>
                // Issue 14: ratings (add this part's links below this line)
                // A branch's committee sees its own branch; administrators every branch beneath.
                <Show when=move || session.is_reviewer()>
                    <A href="/ratings" attr:class="cell cell-link" attr:id="to-ratings">
                        <span class="cell-label">{tr(Word::RatingsTitle)}</span>
                        <span>{tr(Word::RatingsLinkHint)}</span>
                    </A>
                </Show>
                // Issue 14: admin (add this part's links below this line)
                // Org admins keep the tree; secretaries appoint and invite in their branch.
                <Show when=move || session.me.get().is_some_and(|m| m.roles.iter().any(|r| r.role.can_manage()))>
                    <A href="/org" attr:class="cell cell-link" attr:id="to-org">
                        <span class="cell-label">{tr(Word::AdminTitle)}</span>
                        <span>{tr(Word::AdminLinkHint)}</span>
                    </A>
                </Show>
                {m.roles.into_iter().map(|r| {
                    let word = role_label(r.role);
                    view! { <div class="cell"><span class="cell-label">{tr(word)}</span><span>{r.org_unit_name}</span></div> }
                }).collect_view()}
            </div>
        })}
        <div class="cells">
            <div class="cell"><span class="cell-label">{tr(Word::Language)}</span><LangSwitch/></div>
            <label class="cell" for="large-text">
                <span class="cell-label">{tr(Word::LargeText)}</span>
                <input id="large-text" type="checkbox" class="switch" prop:checked=move || session.large_text.get()
                    on:change=move |ev| session.set_large_text(event_target_checked(&ev))/>
            </label>
        </div>
        <button class="btn btn-warn" on:click=move |_| { logout.dispatch(()); }>{tr(Word::SignOut)}</button>
    }
}
