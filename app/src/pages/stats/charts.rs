//! The unit's figures as charts: points by quarter and category, review time by quarter (with
//! their numbers in a table beside), and participation and attendance of each unit below.

use jifen_shared::api::{QuarterTrend, UnitFigures};
use jifen_shared::words::Word;
use leptos::prelude::*;

use super::figures::{hours, rate};
use super::period::quarter_word;
use crate::components::charts::{
    decimal, BarRow, HBars, LineChart, Series, StackGroup, StackedBars,
};
use crate::i18n::{lang, tr};

fn text(word: Word) -> String {
    word.text(lang()).to_owned()
}

/// A chart's words for screen readers: its title, then what each bar or point says.
fn summary(title: Word, parts: Vec<String>) -> String {
    format!("{}: {}", text(title), parts.join("; "))
}

#[component]
pub fn PointsChart(trend: Vec<QuarterTrend>) -> impl IntoView {
    let l = lang();
    let parts = trend
        .iter()
        .map(|t| {
            Word::StatsPointsQuarterSummary.fill(
                l,
                &[
                    ("quarter", &t.quarter),
                    ("base", &t.base),
                    ("bonus", &t.bonus),
                    ("deduction", &t.deduction),
                ],
            )
        })
        .collect();
    let series = vec![
        Series::new(text(Word::Base), "s-base"),
        Series::new(text(Word::Bonus), "s-bonus"),
        Series::new(text(Word::Deduct), "s-deduction").down(),
    ];
    let groups = trend
        .iter()
        .map(|t| StackGroup {
            label: quarter_word(t.quarter),
            values: vec![t.base, t.bonus, t.deduction],
        })
        .collect();
    view! {
        <StackedBars id="chart-points" title=text(Word::StatsChartPoints)
            summary=summary(Word::StatsChartPoints, parts) series groups/>
    }
}

#[component]
pub fn ReviewChart(trend: Vec<QuarterTrend>) -> impl IntoView {
    let l = lang();
    let parts = trend
        .iter()
        .map(|t| {
            let r = t.review_time;
            Word::StatsReviewQuarterSummary.fill(
                l,
                &[
                    ("quarter", &t.quarter),
                    ("median", &hours(r.median_hours)),
                    ("p90", &hours(r.p90_hours)),
                ],
            )
        })
        .collect();
    let series = vec![
        Series::new(text(Word::StatsMedian), "s-median").down(),
        Series::new(text(Word::StatsP90), "s-p90"),
    ];
    let values = vec![
        trend.iter().map(|t| t.review_time.median_hours).collect(),
        trend.iter().map(|t| t.review_time.p90_hours).collect(),
    ];
    let labels = trend.iter().map(|t| quarter_word(t.quarter)).collect();
    view! {
        <LineChart id="chart-review" title=text(Word::StatsChartReview)
            summary=summary(Word::StatsChartReview, parts) labels series values/>
    }
}

/// The trend charts' numbers, for reading and for print.
#[component]
pub fn TrendTable(trend: Vec<QuarterTrend>) -> impl IntoView {
    let none = || text(Word::StatsNoValue);
    view! {
        <div class="table-scroll">
            <table class="quarters stats-table" id="stats-trend">
                <caption>{tr(Word::StatsTrendTable)}</caption>
                <thead><tr>
                    <th scope="col">{tr(Word::PointsQuarter)}</th>
                    <th scope="col">{tr(Word::Base)}</th>
                    <th scope="col">{tr(Word::Bonus)}</th>
                    <th scope="col">{tr(Word::Deduct)}</th>
                    <th scope="col">{tr(Word::StatsMedian)}</th>
                    <th scope="col">{tr(Word::StatsP90)}</th>
                </tr></thead>
                <tbody>
                    {trend.into_iter().map(|t| view! {
                        <tr>
                            <th scope="row">{quarter_word(t.quarter)}</th>
                            <td>{t.base}</td><td>{t.bonus}</td><td>{t.deduction}</td>
                            <td>{t.review_time.median_hours.map(decimal).unwrap_or_else(none)}</td>
                            <td>{t.review_time.p90_hours.map(decimal).unwrap_or_else(none)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Participation and attendance of each unit below, sortable; a tap goes down into the unit.
#[component]
pub fn RatesChart(children: Vec<UnitFigures>, on_pick: Callback<String>) -> impl IntoView {
    let l = lang();
    let attendance = |u: &UnitFigures| u.meetings.and_then(|m| m.attendance.rate);
    let parts = children
        .iter()
        .map(|u| {
            Word::StatsRatesRowSummary.fill(
                l,
                &[
                    ("name", &u.name),
                    ("participation", &rate(u.participation.rate)),
                    ("attendance", &rate(attendance(u))),
                ],
            )
        })
        .collect();
    let rows = children
        .iter()
        .map(|u| BarRow {
            id: u.org_unit_id.clone(),
            label: u.name.clone(),
            values: vec![u.participation.rate, attendance(u)],
            texts: vec![rate(u.participation.rate), rate(attendance(u))],
        })
        .collect();
    let series = vec![
        Series::new(text(Word::StatsParticipation), "s-participation"),
        Series::new(text(Word::StatsAttendance), "s-attendance"),
    ];
    view! {
        <HBars id="chart-rates" title=text(Word::StatsChartRates)
            summary=summary(Word::StatsChartRates, parts) series rows max=1.0
            sort_label=text(Word::StatsSortBy) name_label=text(Word::StatsName)
            missing=text(Word::StatsNoValue) on_pick/>
    }
}
