//! The key numbers of a unit as cards: who is counted, how many took part, points, deeds, review
//! time, meetings, the masses' feedback and who is below the alert line.

use jifen_shared::api::{DeedCounts, UnitFigures};
use jifen_shared::domain::{DeedStatus, OrgKind};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::components::charts::{decimal, percent};
use crate::i18n::{lang, tr};

/// A rate as a percentage, or "none" when there was nothing to count.
pub fn rate(rate: Option<f64>) -> String {
    rate.map(percent)
        .unwrap_or_else(|| Word::StatsNoValue.text(lang()).to_owned())
}

/// Hours with one decimal, or "none".
pub fn hours(h: Option<f64>) -> String {
    match h {
        Some(h) => Word::StatsHours.fill(lang(), &[("hours", &decimal(h))]),
        None => Word::StatsNoValue.text(lang()).to_owned(),
    }
}

/// Deeds by status, the statuses that have any: `已通过 3 · 待审核 1`.
fn deed_line(d: &DeedCounts) -> String {
    [
        (DeedStatus::Approved, d.approved),
        (DeedStatus::Submitted, d.submitted),
        (DeedStatus::Returned, d.returned),
        (DeedStatus::Rejected, d.rejected),
        (DeedStatus::Withdrawn, d.withdrawn),
        (DeedStatus::Revoked, d.revoked),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(s, n)| format!("{} {n}", Word::from(s).text(lang())))
    .collect::<Vec<_>>()
    .join(" · ")
}

#[component]
pub fn Card(
    id: &'static str,
    label: Word,
    value: String,
    #[prop(optional)] detail: Option<String>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! {
        <div class=format!("card stat-card {class}") id=id>
            <span class="card-value">{value}</span>
            <span class="card-label">{tr(label)}</span>
            {detail.filter(|d| !d.is_empty()).map(|d| view! { <span class="hint">{d}</span> })}
        </div>
    }
}

#[component]
pub fn KeyFigures(unit: UnitFigures) -> impl IntoView {
    let l = lang();
    let m = unit.members;
    let p = unit.participation;
    let points = &unit.points;
    let d = unit.deeds;
    let deeds = d.submitted + d.approved + d.rejected + d.returned + d.withdrawn + d.revoked;
    let r = unit.review_time;
    let meetings = unit.meetings.map(|mf| {
        let a = mf.attendance;
        (
            rate(a.rate),
            Word::StatsMeetingsDetail
                .fill(l, &[("held", &mf.held), ("count", &a.count), ("of", &a.of)]),
        )
    });
    let (meeting_value, meeting_detail) = meetings.unwrap_or_else(|| {
        (
            Word::StatsNoValue.text(l).to_owned(),
            Word::StatsNoMeetings.text(l).to_owned(),
        )
    });
    view! {
        <div class="cards stat-cards" id="stats-figures">
            <Card id="fig-members" label=Word::StatsMembers value=(m.active + m.migrant).to_string()
                detail=Word::StatsMembersDetail.fill(l, &[("active", &m.active), ("migrant", &m.migrant)])/>
            {(unit.kind != OrgKind::Branch).then(|| view! {
                <Card id="fig-branches" label=Word::StatsBranches value=unit.branches.to_string()/>
            })}
            <Card id="fig-participation" label=Word::StatsParticipation value=rate(p.rate)
                detail=Word::StatsParticipationDetail.fill(l, &[("count", &p.count), ("of", &p.of)])/>
            <Card id="fig-points" label=Word::StatsPointsSum value=points.total.sum.to_string()
                detail=Word::StatsPointsDetail.fill(l, &[
                    ("base", &points.base.sum), ("bonus", &points.bonus.sum), ("deduction", &points.deduction.sum),
                ])/>
            <Card id="fig-median" label=Word::StatsPointsMedian
                value=points.total.median.map(decimal).unwrap_or_else(|| Word::StatsNoValue.text(l).to_owned())/>
            <Card id="fig-deeds" label=Word::StatsDeeds value=deeds.to_string() detail=deed_line(&d)/>
            <Card id="fig-review" label=Word::StatsReviewTime value=hours(r.median_hours)
                detail=Word::StatsReviewDetail.fill(l, &[("p90", &hours(r.p90_hours)), ("decided", &r.decided)])/>
            <Card id="fig-meetings" label=Word::StatsMeetings value=meeting_value detail=meeting_detail/>
            <Card id="fig-feedback" label=Word::FeedbackFromTheMasses value=unit.feedback.received.to_string()
                detail=Word::StatsFeedbackDetail.fill(l, &[
                    ("received", &unit.feedback.received), ("handled", &unit.feedback.handled),
                ])/>
            <Card id="fig-under-alert" label=Word::StatsUnderAlert value=unit.under_alert.to_string()
                class={if unit.under_alert > 0 { "card-alert" } else { "" }}/>
        </div>
    }
}
