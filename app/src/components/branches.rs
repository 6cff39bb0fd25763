use std::cell::{Cell, RefCell};

use jifen_shared::domain::{OrgKind, Role};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::i18n::tr;
use crate::session::Session;

/// A branch the signed-in member sits on the committee of, or administers from above.
#[derive(Clone, Debug, PartialEq)]
pub struct MyBranch {
    pub id: String,
    pub name: String,
    /// The member is its secretary: signs and posts its quarters, closes its year.
    pub secretary: bool,
    /// The member may change its settings, catalogue and year (as the server's
    /// `managed_branch` allows): its secretary, or an administrator above it.
    pub manages: bool,
}

thread_local! {
    /// The branches beneath the signed-in org admin's units (`GET /orgs`), with the id of the
    /// member they were loaded for: fetched once per page load and member.
    static ADMINISTERED: RefCell<Option<(String, Vec<MyBranch>)>> = const { RefCell::new(None) };
    static LOADING: Cell<bool> = const { Cell::new(false) };
}

/// The branches whose committee the signed-in member sits on, each once, without the ones they
/// administer from above (for screens that fetch something of every branch listed).
pub fn committee_branches(session: Session) -> Vec<MyBranch> {
    let mut out: Vec<MyBranch> = Vec::new();
    for r in session
        .me
        .get_untracked()
        .map(|m| m.roles)
        .unwrap_or_default()
    {
        if !matches!(r.role, Role::Committee | Role::Secretary) {
            continue;
        }
        let secretary = r.role == Role::Secretary;
        match out.iter_mut().find(|b| b.id == r.org_unit_id) {
            Some(b) => {
                b.secretary |= secretary;
                b.manages |= secretary;
            }
            None => out.push(MyBranch {
                id: r.org_unit_id,
                name: r.org_unit_name,
                secretary,
                manages: secretary,
            }),
        }
    }
    out
}

/// The branches a picker offers: those whose committee the member sits on, then, for an org
/// admin, every branch beneath the units they administer (not as their secretary: signing stays
/// the secretary's). An org admin's branches arrive after the first call; the screen is then
/// built again with them.
pub fn my_branches(session: Session) -> Vec<MyBranch> {
    let mut out = committee_branches(session);
    for b in administered(session).unwrap_or_default() {
        match out.iter_mut().find(|o| o.id == b.id) {
            // A committee member of a branch they also administer from above manages it.
            Some(o) => o.manages = true,
            None => out.push(b),
        }
    }
    out
}

/// The branches beneath the member's org-admin units, once loaded; starts loading them.
fn administered(session: Session) -> Option<Vec<MyBranch>> {
    let me = session.me.get_untracked()?;
    if !me.roles.iter().any(|r| r.role == Role::OrgAdmin) {
        return None;
    }
    let known = ADMINISTERED.with(|a| {
        a.borrow()
            .as_ref()
            .filter(|(member, _)| *member == me.id)
            .map(|(_, branches)| branches.clone())
    });
    if known.is_none() && !LOADING.get() {
        LOADING.set(true);
        leptos::task::spawn_local(async move {
            let loaded = api::org_tree().await;
            let branches = loaded
                .as_ref()
                .map(|tree| {
                    tree.units
                        .iter()
                        .filter(|u| u.kind == OrgKind::Branch && u.role == Role::OrgAdmin)
                        .map(|u| MyBranch {
                            id: u.id.clone(),
                            name: u.name.clone(),
                            secretary: false,
                            manages: true,
                        })
                        .collect()
                })
                .unwrap_or_default();
            ADMINISTERED.with(|a| *a.borrow_mut() = Some((me.id.clone(), branches)));
            LOADING.set(false);
            // The screen that asked is built again (its guard follows `me`); a failure leaves
            // the committee's branches alone, without asking again on every screen.
            if loaded.is_ok() {
                session.me.update(|_| {});
            }
        });
    }
    known
}

/// For a member of several branches' committees: which one. Shows nothing for one branch.
#[component]
pub fn BranchPicker(branches: Vec<MyBranch>, branch: RwSignal<String>) -> impl IntoView {
    (branches.len() > 1).then(|| {
        view! {
            <div class="filters">
                <select aria-label=tr(Word::Branch) on:change=move |ev| branch.set(event_target_value(&ev))>
                    {branches.into_iter().map(|b| view! { <option value=b.id>{b.name}</option> }).collect_view()}
                </select>
            </div>
        }
    })
}
