//! 为党员登记: a committee member or secretary records a deed for a member of their branch who
//! has no phone (登记建账). The member is chosen on the form; the deed is theirs, shows who
//! registered it, and is reviewed by someone else.

use jifen_shared::domain::{OrgKind, Role};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::i18n::tr;
use crate::offline::remembered;
use crate::session::Session;

/// A member the signed-in committee member may register a deed for.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Registrable {
    pub id: String,
    pub name: String,
    pub branch_id: String,
}

/// The branches (not migrant organisations: their members' points are kept at home) whose
/// committee the signed-in member sits on.
fn registering_branches(session: Session) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in session
        .me
        .get_untracked()
        .map(|m| m.roles)
        .unwrap_or_default()
    {
        let branch = r.org_unit_kind.is_none_or(|k| k == OrgKind::Branch);
        if branch
            && matches!(r.role, Role::Committee | Role::Secretary)
            && !out.contains(&r.org_unit_id)
        {
            out.push(r.org_unit_id);
        }
    }
    out
}

/// The members of those branches but oneself, kept for registering with no network.
async fn registrable(me: String, branches: Vec<String>) -> Vec<Registrable> {
    let year = crate::time::current_year();
    let mut out = Vec::new();
    for b in branches {
        let key = remembered::key_of(&me, &format!("registrable.{b}"));
        let answer = api::year(&b, year).await.map(|y| {
            y.members
                .into_iter()
                .filter(|m| m.id != me)
                .map(|m| Registrable {
                    id: m.id,
                    name: m.name,
                    branch_id: b.clone(),
                })
                .collect::<Vec<_>>()
        });
        if let Ok((members, _)) = remembered::or_kept(&key, answer) {
            out.extend(members);
        }
    }
    out
}

/// Whom the report is for: oneself (the default), or a member of the branch. Shows nothing to a
/// member who sits on no branch's committee. `chosen` holds the member's name and branch too, for
/// the rules and for saying afterwards whom it was registered for.
#[component]
pub fn RegisterFor(
    member_id: RwSignal<Option<String>>,
    chosen: RwSignal<Option<Registrable>>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = registering_branches(session);
    if branches.is_empty() {
        return ().into_any();
    }
    let me = session.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let members = LocalResource::new(move || registrable(me.clone(), branches.clone()));
    // The chosen member, once the list is known (also for a draft kept from before).
    Effect::new(move |_| {
        let list = members.get().unwrap_or_default();
        let found = member_id
            .get()
            .and_then(|id| list.iter().find(|m| m.id == id).cloned());
        chosen.set(found);
    });
    view! {
        <label class="cell" for="register-for">
            <span class="cell-label">{tr(Word::RegisterForMember)}</span>
            <select id="register-for" name="register-for" aria-describedby="register-hint"
                on:change=move |ev| member_id.set(Some(event_target_value(&ev)).filter(|m| !m.is_empty()))>
                <option value="" selected=move || member_id.get().is_none()>{tr(Word::RegisterMyself)}</option>
                {move || members.get().unwrap_or_default().into_iter().map(|m| {
                    let id = Some(m.id.clone());
                    view! { <option value=m.id selected=move || member_id.get() == id>{m.name}</option> }
                }).collect_view()}
            </select>
        </label>
        <Show when=move || member_id.get().is_some()>
            <p class="field-hint" id="register-hint">{tr(Word::RegisterForMemberHint)}</p>
        </Show>
    }
    .into_any()
}
