//! Where in the organisation the reader is: the units they hold a committee or administrator role
//! on (the highest is where 统计 starts), and the trail from there down to the unit shown, so that
//! each level above is one tap away.

use jifen_shared::api::OrgStats;
use jifen_shared::domain::{OrgKind, Role};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::i18n::tr;
use crate::session::Session;

/// A unit on the trail, with the units directly below it as last seen (to tell a step down from a
/// jump elsewhere).
#[derive(Clone, Debug, PartialEq)]
pub struct Crumb {
    pub id: String,
    pub name: String,
    children: Vec<String>,
}

fn level(kind: Option<OrgKind>) -> u8 {
    match kind {
        Some(OrgKind::County) => 0,
        Some(OrgKind::Town) => 1,
        Some(OrgKind::Migrant) => 2,
        Some(OrgKind::Branch) | None => 3,
        Some(OrgKind::Group) => 4,
    }
}

/// The units the signed-in member holds a role other than member on, each once, highest first.
pub fn my_units(session: Session) -> Vec<Crumb> {
    let mut roles: Vec<_> = session
        .me
        .get_untracked()
        .map(|m| m.roles)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.role != Role::Member)
        .collect();
    roles.sort_by_key(|r| level(r.org_unit_kind));
    let mut out: Vec<Crumb> = Vec::new();
    for r in roles {
        if !out.iter().any(|c| c.id == r.org_unit_id) {
            out.push(Crumb {
                id: r.org_unit_id,
                name: r.org_unit_name,
                children: Vec::new(),
            });
        }
    }
    out
}

/// The trail after `stats` arrived: back up to a unit already on it, one step down from its end,
/// or else from `start` (where the reader began) straight to the unit.
pub fn follow(trail: &mut Vec<Crumb>, stats: &OrgStats, start: Option<&Crumb>) {
    let here = Crumb {
        id: stats.unit.org_unit_id.clone(),
        name: stats.unit.name.clone(),
        children: stats
            .children
            .iter()
            .map(|c| c.org_unit_id.clone())
            .collect(),
    };
    if let Some(i) = trail.iter().position(|c| c.id == here.id) {
        trail.truncate(i);
    } else if !trail.last().is_some_and(|c| c.children.contains(&here.id)) {
        trail.clear();
        if let Some(start) = start.filter(|s| s.id != here.id) {
            trail.push(start.clone());
        }
    }
    trail.push(here);
}

/// The path of the statistics of unit `org`.
pub fn href(org: &str) -> String {
    format!("/stats?org={org}")
}

/// The trail as links; the member shown, if any, at its end.
#[component]
pub fn Crumbs(
    trail: RwSignal<Vec<Crumb>>,
    #[prop(into)] member: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        let crumbs = trail.get();
        let member = member.get();
        let last = crumbs.len().saturating_sub(1);
        (crumbs.len() > 1 || member.is_some()).then(|| {
            view! {
                <nav class="crumbs" aria-label=tr(Word::StatsLevels)>
                    <ol>
                        {crumbs.into_iter().enumerate().map(|(i, c)| {
                            if i == last && member.is_none() {
                                view! { <li><span aria-current="page">{c.name}</span></li> }.into_any()
                            } else {
                                view! { <li><A href=href(&c.id)>{c.name}</A></li> }.into_any()
                            }
                        }).collect_view()}
                        {member.clone().map(|name| view! { <li><span aria-current="page">{name}</span></li> })}
                    </ol>
                </nav>
            }
        })
    }
}

/// For someone holding roles on several units: which one to start from.
#[component]
pub fn UnitPicker(
    units: Vec<Crumb>,
    #[prop(into)] current: Signal<Option<String>>,
) -> impl IntoView {
    let navigate = use_navigate();
    (units.len() > 1).then(|| {
        view! {
            <div class="filters no-print">
                <select aria-label=tr(Word::StatsMyUnits) id="stats-unit"
                    on:change=move |ev| navigate(&href(&event_target_value(&ev)), Default::default())>
                    {units.into_iter().map(|u| {
                        let id = u.id.clone();
                        view! { <option value=u.id selected=move || current.get().as_deref() == Some(id.as_str())>{u.name}</option> }
                    }).collect_view()}
                </select>
            </div>
        }
    })
}
