use jifen_shared::domain::Role;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::i18n::tr;
use crate::session::Session;

/// A branch the signed-in member sits on the committee of.
#[derive(Clone, Debug, PartialEq)]
pub struct MyBranch {
    pub id: String,
    pub name: String,
    /// The member is its secretary: signs, posts and manages.
    pub secretary: bool,
}

/// The branches whose committee the signed-in member sits on, each once.
pub fn my_branches(session: Session) -> Vec<MyBranch> {
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
            Some(b) => b.secretary |= secretary,
            None => out.push(MyBranch {
                id: r.org_unit_id,
                name: r.org_unit_name,
                secretary,
            }),
        }
    }
    out
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
