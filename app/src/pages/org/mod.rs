//! 组织管理: the organisation tree for org admins and secretaries. Pick a unit in the tree (each
//! level opens and closes, big targets for a phone); see and change it (name, place in the
//! tree, a branch's public code), create a unit below it, appoint and revoke its office holders,
//! and keep a branch's WeChat invite codes.

mod invites;
mod roles;
mod search;
mod tree;
mod unit;

use std::collections::HashSet;

use jifen_shared::api::{OrgNode, OrgTree};
use jifen_shared::domain::{OrgKind, Role};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{EmptyState, Loaded};
use crate::i18n::tr;

fn kind_word(kind: OrgKind) -> Word {
    match kind {
        OrgKind::County => Word::KindCounty,
        OrgKind::Town => Word::KindTown,
        OrgKind::Branch => Word::KindBranch,
        OrgKind::Group => Word::KindGroup,
        OrgKind::Migrant => Word::KindMigrant,
    }
}

fn role_word(role: Role) -> Word {
    match role {
        Role::Member => Word::Member,
        Role::Committee => Word::Committee,
        Role::Secretary => Word::Secretary,
        Role::OrgAdmin => Word::Administrator,
    }
}

#[component]
pub fn OrgPage() -> impl IntoView {
    let tree = LocalResource::new(api::org_tree);
    let selected = RwSignal::new(None::<String>);
    // The tops start open; everything else opens on demand (a county has a thousand units).
    let open = RwSignal::new(HashSet::<String>::new());
    let changed = Callback::new(move |()| tree.refetch());
    let notice = RwSignal::new(None::<String>);
    view! {
        <header class="page-header"><h1>{tr(Word::AdminTitle)}</h1></header>
        <Loaded resource=tree let:tree empty_when={|t: &OrgTree| t.units.is_empty()} empty=tr(Word::AdminEmpty)>
            {
                let units = tree.units;
                if open.with_untracked(HashSet::is_empty) {
                    open.set(units.iter().filter(|u| u.parent_id.is_none()).map(|u| u.id.clone()).collect());
                }
                if selected.get_untracked().is_none_or(|s| !units.iter().any(|u| u.id == s)) {
                    selected.set(units.first().map(|u| u.id.clone()));
                }
                let all = StoredValue::new(units.clone());
                view! {
                    <div class="org-layout">
                        <tree::Tree units open selected notice/>
                        <section class="org-panel" aria-live="polite">
                            {move || {
                                let node: Option<OrgNode> = selected.get().and_then(|id| {
                                    all.with_value(|u| u.iter().find(|n| n.id == id).cloned())
                                });
                                match node {
                                    Some(node) => view! {
                                        <unit::UnitPanel node units=all.get_value() open selected notice on_change=changed/>
                                    }.into_any(),
                                    None => view! { <EmptyState text=tr(Word::AdminPickUnit)/> }.into_any(),
                                }
                            }}
                        </section>
                    </div>
                }
            }
        </Loaded>
    }
}
