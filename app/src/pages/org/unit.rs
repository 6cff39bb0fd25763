//! One unit: what it is, and for its administrators the forms that rename, move and re-code it
//! and create a unit below it; then its office holders and, for a branch, its invite codes.

use std::collections::{HashMap, HashSet};

use jifen_shared::api::{NewOrgUnit, OrgNode, PatchOrgUnit};
use jifen_shared::domain::{OrgCode, OrgKind, Role, RuleName};
use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;

use super::{invites::Invites, kind_word, roles::Roles};
use crate::api;
use crate::components::{field_error, FieldErrorText, FormError, FormSubmit};
use crate::i18n::{lang, tr};

/// Which form of the panel is open, one at a time.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    Nothing,
    Edit,
    New,
}

#[component]
pub fn UnitPanel(
    node: OrgNode,
    units: Vec<OrgNode>,
    open: RwSignal<HashSet<String>>,
    selected: RwSignal<Option<String>>,
    /// What the last change did, kept by the page: creating a unit chooses it, which builds the
    /// panel anew.
    notice: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let form = RwSignal::new(Open::Nothing);
    let admin = node.role == Role::OrgAdmin;
    let may_hold_any = OrgKind::ALL.iter().any(|k| node.kind.may_hold(*k));
    let board = node.code.clone().map(|c| format!("/board/{c}"));
    let search_unit = match node.kind {
        OrgKind::Group => node.parent_id.clone().unwrap_or_else(|| node.id.clone()),
        _ => node.id.clone(),
    };
    let branch = (node.kind == OrgKind::Branch && node.role.can_manage()).then(|| node.id.clone());
    view! {
        <div class="org-unit" data-unit=node.id.clone()>
            <h2 class="org-unit-name">{node.name.clone()}</h2>
            <p class="hint">
                {tr(kind_word(node.kind))}
                {board.map(|address| view! {
                    " · " <a href=address.clone() target="_blank" rel="noopener">
                        {Word::AdminBoardAddress.fill(lang(), &[("address", &address)])}
                    </a>
                })}
            </p>
            {admin.then(|| view! {
                <div class="button-row">
                    <button type="button" id="org-edit" class="btn btn-default"
                        aria-expanded=move || (form.get() == Open::Edit).to_string()
                        on:click=move |_| { notice.set(None); form.update(|f| *f = if *f == Open::Edit { Open::Nothing } else { Open::Edit }) }>
                        {tr(Word::AdminEdit)}
                    </button>
                    {may_hold_any.then(|| view! {
                        <button type="button" id="org-new" class="btn btn-default"
                            aria-expanded=move || (form.get() == Open::New).to_string()
                            on:click=move |_| { notice.set(None); form.update(|f| *f = if *f == Open::New { Open::Nothing } else { Open::New }) }>
                            {tr(Word::AdminNewUnit)}
                        </button>
                    })}
                </div>
            })}
            {move || notice.get().map(|n| view! { <p class="form-ok" role="status" id="org-notice">{n}</p> })}
            {
                let (edit_node, edit_units, new_node) = (node.clone(), units.clone(), node.clone());
                move || match form.get() {
                    Open::Edit => view! {
                        <EditUnit node=edit_node.clone() units=edit_units.clone()
                            on_saved=Callback::new(move |()| { form.set(Open::Nothing); notice.set(Some(tr(Word::AdminSaved)().to_owned())); on_change.run(()) })/>
                    }.into_any(),
                    Open::New => view! {
                        <NewUnit parent=new_node.clone()
                            on_created=Callback::new(move |made: OrgNode| {
                                form.set(Open::Nothing);
                                notice.set(Some(Word::AdminCreated.fill(lang(), &[("name", &made.name)])));
                                if let Some(p) = made.parent_id.clone() {
                                    open.update(|o| { o.insert(p); });
                                }
                                selected.set(Some(made.id));
                                on_change.run(());
                            })/>
                    }.into_any(),
                    Open::Nothing => ().into_any(),
                }
            }
            <Roles unit_id=node.id.clone() search_unit=search_unit.clone()/>
            {branch.map(|b| view! { <Invites branch_id=b/> })}
        </div>
    }
}

/// The units `node` could move under: administered by the member, of a kind that holds it, and
/// neither the unit itself nor one below it.
fn destinations(node: &OrgNode, units: &[OrgNode]) -> Vec<OrgNode> {
    let parent_of: HashMap<&str, Option<&str>> = units
        .iter()
        .map(|u| (u.id.as_str(), u.parent_id.as_deref()))
        .collect();
    let below_node = |id: &str| {
        let mut next = Some(id);
        while let Some(i) = next {
            if i == node.id {
                return true;
            }
            next = parent_of.get(i).copied().flatten();
        }
        false
    };
    units
        .iter()
        .filter(|u| u.role == Role::OrgAdmin && u.kind.may_hold(node.kind) && !below_node(&u.id))
        .cloned()
        .collect()
}

#[component]
fn EditUnit(node: OrgNode, units: Vec<OrgNode>, on_saved: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(node.name.clone());
    let code = RwSignal::new(node.code.clone().unwrap_or_default());
    let parent = RwSignal::new(node.parent_id.clone().unwrap_or_default());
    // A unit at the top of what the member sees stays where it is; so does one whose parent the
    // member does not administer (the list would not hold where it is now).
    let choices = node
        .parent_id
        .is_some()
        .then(|| destinations(&node, &units))
        .filter(|c| c.iter().any(|u| Some(&u.id) == node.parent_id.as_ref()))
        .unwrap_or_default();
    let has_code = node.kind.has_code();
    let original = StoredValue::new(node.clone());
    let save = FormSubmit::new(
        move |(id, patch): &(String, PatchOrgUnit)| {
            let (id, patch) = (id.clone(), patch.clone());
            async move { api::patch_org(&id, &patch).await }
        },
        move |_| on_saved.run(()),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let was = original.get_value();
        let mut found: Vec<FieldError> = Vec::new();
        let typed_name = name.get_untracked();
        if let Err(e) = RuleName::parse(&typed_name) {
            found.push(field_error("name", &e));
        }
        let typed_code = code.get_untracked();
        let new_code = if has_code && !typed_code.trim().is_empty() {
            match OrgCode::parse(&typed_code) {
                Ok(c) => Some(c.into_inner()).filter(|c| Some(c) != was.code.as_ref()),
                Err(e) => {
                    found.push(field_error("code", &e));
                    None
                }
            }
        } else {
            None
        };
        let new_parent = Some(parent.get_untracked())
            .filter(|p| !p.is_empty() && Some(p) != was.parent_id.as_ref());
        let patch = PatchOrgUnit {
            name: Some(typed_name.trim().to_owned()).filter(|n| *n != was.name),
            parent_id: new_parent,
            code: new_code,
        };
        save.submit(found, (was.id.clone(), patch));
    };
    let errors = save.errors;
    view! {
        <form class="org-form" id="org-edit-form" on:submit=submit novalidate>
            <div class="cells">
                <label class="cell" for="org-edit-name">
                    <span class="cell-label">{tr(Word::AdminUnitName)}</span>
                    <input id="org-edit-name" type="text" bind:value=name aria-describedby="err-name"/>
                </label>
                <FieldErrorText errors field="name"/>
                {has_code.then(|| view! {
                    <label class="cell" for="org-edit-code">
                        <span class="cell-label">{tr(Word::AdminCode)}</span>
                        <input id="org-edit-code" type="text" autocapitalize="off" spellcheck="false"
                            bind:value=code aria-describedby="err-code"/>
                    </label>
                    <FieldErrorText errors field="code"/>
                    <p class="hint org-hint">{tr(Word::AdminCodeHint)}</p>
                })}
                {(!choices.is_empty()).then(|| {
                    let current = node.parent_id.clone().unwrap_or_default();
                    view! {
                        <label class="cell" for="org-edit-parent">
                            <span class="cell-label">{tr(Word::AdminParent)}</span>
                            <select id="org-edit-parent" on:change=move |ev| parent.set(event_target_value(&ev))
                                aria-describedby="err-parent_id">
                                {choices.into_iter().map(|c| {
                                    let chosen = c.id == current;
                                    view! { <option value=c.id.clone() selected=chosen>{c.name.clone()}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <FieldErrorText errors field="parent_id"/>
                    }
                })}
            </div>
            <button type="submit" id="org-save" class="btn btn-primary" disabled=move || save.pending().get()>
                {tr(Word::AdminSave)}
            </button>
            <FormError form=save/>
        </form>
    }
}

#[component]
fn NewUnit(parent: OrgNode, on_created: Callback<OrgNode>) -> impl IntoView {
    let kinds: Vec<OrgKind> = OrgKind::ALL
        .iter()
        .copied()
        .filter(|k| parent.kind.may_hold(*k))
        .collect();
    let kind = RwSignal::new(kinds.first().copied().unwrap_or(OrgKind::Group));
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let parent_id = StoredValue::new(parent.id.clone());
    let create = FormSubmit::new(
        move |new: &NewOrgUnit| {
            let new = new.clone();
            async move { api::create_org(&new).await }
        },
        move |made: OrgNode| on_created.run(made),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Vec::new();
        let typed_name = name.get_untracked();
        if let Err(e) = RuleName::parse(&typed_name) {
            found.push(field_error("name", &e));
        }
        let k = kind.get_untracked();
        let typed_code = code.get_untracked();
        let new_code = if k.has_code() && !typed_code.trim().is_empty() {
            match OrgCode::parse(&typed_code) {
                Ok(c) => Some(c.into_inner()),
                Err(e) => {
                    found.push(field_error("code", &e));
                    None
                }
            }
        } else {
            None
        };
        create.submit(
            found,
            NewOrgUnit {
                parent_id: parent_id.get_value(),
                kind: k,
                name: typed_name.trim().to_owned(),
                code: new_code,
            },
        );
    };
    let errors = create.errors;
    view! {
        <form class="org-form" id="org-new-form" on:submit=submit novalidate>
            <div class="cells">
                <label class="cell" for="org-new-kind">
                    <span class="cell-label">{tr(Word::AdminUnitKind)}</span>
                    <select id="org-new-kind" on:change=move |ev| {
                        if let Ok(k) = event_target_value(&ev).parse() {
                            kind.set(k);
                        }
                    }>
                        {kinds.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind.get() == k>{tr(kind_word(k))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <FieldErrorText errors field="kind"/>
                <label class="cell" for="org-new-name">
                    <span class="cell-label">{tr(Word::AdminUnitName)}</span>
                    <input id="org-new-name" type="text" bind:value=name aria-describedby="err-name"/>
                </label>
                <FieldErrorText errors field="name"/>
                <Show when=move || kind.get().has_code()>
                    <label class="cell" for="org-new-code">
                        <span class="cell-label">{tr(Word::AdminCode)}</span>
                        <input id="org-new-code" type="text" autocapitalize="off" spellcheck="false"
                            bind:value=code aria-describedby="err-code"/>
                    </label>
                    <FieldErrorText errors field="code"/>
                    <p class="hint org-hint">{tr(Word::AdminCodeHint)}</p>
                </Show>
            </div>
            <button type="submit" id="org-create" class="btn btn-primary" disabled=move || create.pending().get()>
                {tr(Word::AdminCreate)}
            </button>
            <FormError form=create/>
        </form>
    }
}
