//! 统计: how a unit and each unit directly below it are doing in a year or one of its quarters,
//! for branch committees and the levels above them. It opens on the highest unit the reader holds
//! a committee or administrator role on; `?org=` goes down a level (county → town → branch), and
//! `&member=` shows one member of a branch. Charts and tables fit a phone, sit in two columns on
//! a tablet, and print on A4.

mod charts;
mod crumbs;
mod exports;
mod figures;
mod members;
mod period;
mod units;

use jifen_shared::api::OrgStats;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::api;
use crate::components::{EmptyState, Loaded};
use crate::i18n::tr;
use crate::session::Session;
use period::{Period, PeriodPicker};

#[component]
pub fn StatsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let mine = crumbs::my_units(session);
    let start = StoredValue::new(mine.first().cloned());
    let query = use_query_map();
    let org = Memo::new(move |_| {
        query
            .with(|q| q.get("org"))
            .filter(|id| !id.is_empty())
            .or_else(|| start.with_value(|s| s.as_ref().map(|c| c.id.clone())))
    });
    let member = Memo::new(move |_| query.with(|q| q.get("member")));
    let period = RwSignal::new(Period::now());
    let stats = LocalResource::new(move || {
        let (org, p) = (org.get(), period.get());
        async move {
            match org {
                Some(org) => api::stats(&org, p.year, p.quarter).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let trail = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(Some(s))) = stats.get() {
            start.with_value(|start| trail.update(|t| crumbs::follow(t, &s, start.as_ref())));
        }
    });
    let member_name = Signal::derive(move || {
        let id = member.get()?;
        stats.with(|s| match s {
            Some(Ok(Some(s))) => s
                .members
                .iter()
                .find(|m| m.member_id == id)
                .map(|m| m.name.clone()),
            _ => None,
        })
    });
    let navigate = use_navigate();
    let pick = Callback::new(move |id: String| navigate(&crumbs::href(&id), Default::default()));
    view! {
        <div class="stats-page">
        <header class="page-header">
            <h1>{tr(Word::StatsTitle)}</h1>
        </header>
        <crumbs::UnitPicker units=mine current=org/>
        <crumbs::Crumbs trail member=member_name/>
        <PeriodPicker period/>
        <Loaded resource=stats empty_when={|s: &Option<OrgStats>| s.is_none()} empty=tr(Word::StatsNoUnit) let:found>
            {found.map(|s| view! { <Figures s member period=period.get_untracked() pick/> })}
        </Loaded>
        </div>
    }
}

/// Everything about one unit in one period, or about one member of it.
#[component]
fn Figures(
    s: OrgStats,
    member: Memo<Option<String>>,
    period: Period,
    pick: Callback<String>,
) -> impl IntoView {
    let s = StoredValue::new(s);
    move || match member.get() {
        Some(id) => s.with_value(|s| match s.members.iter().find(|m| m.member_id == id) {
            Some(m) => view! { <members::MemberPanel member=m.clone()/> }.into_any(),
            None => view! { <EmptyState text=tr(Word::StatsMemberNotFound)/> }.into_any(),
        }),
        None => s.with_value(|s| view! { <UnitView s=s.clone() period pick/> }.into_any()),
    }
}

#[component]
fn UnitView(s: OrgStats, period: Period, pick: Callback<String>) -> impl IntoView {
    let unit = s.unit.clone();
    let heading = format!("{} · {}", unit.name, period.words());
    let below = !s.children.is_empty();
    let is_branch = unit.kind == jifen_shared::domain::OrgKind::Branch;
    view! {
        <h2 class="stats-unit" id="stats-unit-name">{heading}</h2>
        <exports::Exports org=unit.org_unit_id.clone() name=unit.name.clone() period/>
        <figures::KeyFigures unit/>
        <div class="stats-grid">
            <charts::PointsChart trend=s.trend.clone()/>
            <charts::ReviewChart trend=s.trend.clone()/>
            {below.then(|| view! {
                <charts::RatesChart children=s.children.clone() on_pick=pick/>
            })}
            <div class="stats-trend">
                <p class="hint">{tr(Word::StatsTrendHint)}</p>
                <charts::TrendTable trend=s.trend.clone()/>
            </div>
        </div>
        {if below {
            view! {
                <p class="hint stats-hint no-print">{tr(Word::StatsTapToOpen)}</p>
                <units::UnitsTable children=s.children.clone()/>
            }.into_any()
        } else if is_branch {
            view! { <members::MembersTable members=s.members.clone() org=s.unit.org_unit_id.clone()/> }.into_any()
        } else {
            view! { <EmptyState text=tr(Word::StatsNoUnitsBelow)/> }.into_any()
        }}
    }
}
