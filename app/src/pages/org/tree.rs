//! The tree itself: one row per unit whose parents are all open, indented by its depth, with a
//! button to open or close its children and the unit's name to choose it.

use std::collections::{HashMap, HashSet};

use jifen_shared::api::OrgNode;
use jifen_shared::words::Word;
use leptos::prelude::*;

use super::kind_word;
use crate::i18n::{lang, tr};

/// Each unit's depth below the top of what the member sees, and which units have children.
fn shape(units: &[OrgNode]) -> (HashMap<String, usize>, HashSet<String>) {
    let mut depth: HashMap<String, usize> = HashMap::new();
    let mut parents = HashSet::new();
    // Parents come before their children in the list.
    for u in units {
        let d = match u.parent_id.as_ref().and_then(|p| depth.get(p)) {
            Some(d) => d + 1,
            None => 0,
        };
        depth.insert(u.id.clone(), d);
        if let Some(p) = &u.parent_id {
            parents.insert(p.clone());
        }
    }
    (depth, parents)
}

/// Whether every unit above `u` is open.
fn shown(u: &OrgNode, by_id: &HashMap<String, OrgNode>, open: &HashSet<String>) -> bool {
    let mut next = u.parent_id.clone();
    while let Some(p) = next {
        if !open.contains(&p) {
            return false;
        }
        next = by_id.get(&p).and_then(|n| n.parent_id.clone());
    }
    true
}

#[component]
pub fn Tree(
    units: Vec<OrgNode>,
    open: RwSignal<HashSet<String>>,
    selected: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let (depth, parents) = shape(&units);
    let by_id: HashMap<String, OrgNode> = units.iter().map(|u| (u.id.clone(), u.clone())).collect();
    let (depth, parents, by_id) = (
        StoredValue::new(depth),
        StoredValue::new(parents),
        StoredValue::new(by_id),
    );
    let units = StoredValue::new(units);
    view! {
        <nav class="org-tree" aria-label=tr(Word::AdminTitle)>
            <ul class="cells org-rows">
                {move || {
                    let opened = open.get();
                    units.with_value(|all| {
                        all.iter()
                            .filter(|u| by_id.with_value(|b| shown(u, b, &opened)))
                            .map(|u| {
                                let d = depth.with_value(|d| d.get(&u.id).copied().unwrap_or(0));
                                let has_children = parents.with_value(|p| p.contains(&u.id));
                                view! { <Row node=u.clone() depth=d has_children open selected notice/> }
                            })
                            .collect_view()
                    })
                }}
            </ul>
        </nav>
    }
}

#[component]
fn Row(
    node: OrgNode,
    depth: usize,
    has_children: bool,
    open: RwSignal<HashSet<String>>,
    selected: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let id = StoredValue::new(node.id.clone());
    let is_open = move || open.with(|o| o.contains(&id.get_value()));
    let is_selected = move || selected.get().as_deref() == Some(id.get_value().as_str());
    let name = node.name.clone();
    let toggle_label = move || {
        let word = if is_open() {
            Word::AdminCollapse
        } else {
            Word::AdminExpand
        };
        word.fill(lang(), &[("name", &name)])
    };
    view! {
        <li class="cell org-row" class:current=is_selected style=format!("--depth: {depth}") data-unit=node.id.clone()>
            {if has_children {
                view! {
                    <button type="button" class="btn btn-mini org-toggle" aria-expanded=move || is_open().to_string()
                        aria-label=toggle_label
                        on:click=move |_| open.update(|o| {
                            let id = id.get_value();
                            if !o.remove(&id) {
                                o.insert(id);
                            }
                        })>
                        {move || if is_open() { "▾" } else { "▸" }}
                    </button>
                }.into_any()
            } else {
                view! { <span class="org-toggle-space" aria-hidden="true"></span> }.into_any()
            }}
            <button type="button" class="org-pick" aria-current=move || is_selected().then_some("true")
                on:click=move |_| {
                    notice.set(None);
                    selected.set(Some(id.get_value()));
                }>
                <span class="cell-title">{node.name.clone()}</span>
                <span class="hint">
                    {tr(kind_word(node.kind))}
                    {node.code.clone().map(|c| format!(" · {c}"))}
                </span>
            </button>
        </li>
    }
}
