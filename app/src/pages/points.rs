use jifen_shared::api::PointsSummary;
use jifen_shared::domain::{LedgerKind, RuleCategory};
use jifen_shared::words::Word;
use leptos::prelude::*;

use super::appeals::member::DeductionAppeals;
use crate::api;
use crate::components::{EmptyState, FormError, FormSubmit, LastSeenBanner, Loaded, PointsCell};
use crate::i18n::tr;
use crate::offline::remembered;
use crate::session::Session;

/// The year's account at a glance, then by quarter, then entry by entry.
#[component]
pub fn PointsSummaryView(summary: PointsSummary) -> impl IntoView {
    let cards = [
        (tr(Word::PointsBase), summary.base, "base"),
        (tr(Word::PointsBonus), summary.bonus, "bonus"),
        (tr(Word::Deductions), summary.deduction, "deduction"),
        (tr(Word::Total), summary.total, "total"),
    ];
    let entries = summary.entries.clone();
    view! {
        <div class="cards">
            {cards.into_iter().map(|(label, value, class)| view! {
                <div class=format!("card card-{class}")><span class="card-value">{value}</span><span class="card-label">{label}</span></div>
            }).collect_view()}
        </div>
        <table class="quarters">
            <caption>{tr(Word::ByQuarter)}</caption>
            <thead><tr>
                <th scope="col">{tr(Word::PointsQuarter)}</th><th scope="col">{tr(Word::Base)}</th>
                <th scope="col">{tr(Word::Bonus)}</th><th scope="col">{tr(Word::Deduct)}</th>
                <th scope="col">{tr(Word::PointsTotal)}</th>
            </tr></thead>
            <tbody>
                {summary.quarters.into_iter().map(|q| view! {
                    <tr><th scope="row">{format!("Q{}", q.quarter)}</th><td>{q.base}</td><td>{q.bonus}</td><td>{q.deduction}</td><td>{q.total}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h3 class="section-title">{tr(Word::Entries)}</h3>
        {if entries.is_empty() {
            view! { <EmptyState text=tr(Word::NoEntriesThisYearYet)/> }.into_any()
        } else {
            view! {
                <div class="cells">
                    {entries.into_iter().rev().map(|e| {
                        let kind = match (e.kind, e.category) {
                            (LedgerKind::Reversal, _) => tr(Word::Reversal),
                            (_, RuleCategory::Base) => tr(Word::Base),
                            (_, RuleCategory::Bonus) => tr(Word::Bonus),
                            (_, RuleCategory::Deduction) => tr(Word::Deduction),
                        };
                        view! {
                            <PointsCell title=e.note.clone() points=e.points>
                                {kind} " · " {format!("Q{}", e.quarter)} " · " {crate::time::show(e.created_at)}
                            </PointsCell>
                        }
                    }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}

#[component]
pub fn PointsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let year = RwSignal::new(crate::time::current_year());
    let member_id = session.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let standing_of = member_id.clone();
    let statement_of = member_id.clone();
    let print = FormSubmit::new(
        move |year: &i32| {
            let (member_id, year) = (statement_of.clone(), *year);
            async move { api::open_statement(&member_id, year).await }
        },
        |()| {},
    );
    // With no network, the year's account as last seen.
    let seen = RwSignal::new(None::<f64>);
    let summary = LocalResource::new(move || {
        let (member_id, year) = (member_id.clone(), year.get());
        async move {
            let key = remembered::key_of(&member_id, &format!("points.{year}"));
            remembered::or_last_seen(&key, api::points(&member_id, year).await, seen)
        }
    });
    view! {
        <header class="page-header">
            <h1>{tr(Word::MyPoints)}</h1>
            <div class="year-switch">
                <button class="btn btn-mini" aria-label=tr(Word::PreviousYear) on:click=move |_| year.update(|y| *y -= 1)>"‹"</button>
                <span aria-live="polite">{move || year.get()}</span>
                <button class="btn btn-mini" aria-label=tr(Word::NextYear) on:click=move |_| year.update(|y| *y += 1)>"›"</button>
            </div>
        </header>
        <LastSeenBanner seen/>
        <super::standing::StandingNotice member_id=standing_of.clone() year=year/>
        <Loaded resource=summary let:s>
            <PointsSummaryView summary=s.clone()/>
            <DeductionAppeals entries=s.entries/>
        </Loaded>
        <button class="btn" id="print-statement" disabled=move || print.pending().get()
            on:click=move |_| print.send(year.get_untracked())>
            {tr(Word::PrintStatement)}
        </button>
        <p class="hint">{tr(Word::PrintStatementHint)}</p>
        <FormError form=print marks_no_fields=true/>
    }
}
