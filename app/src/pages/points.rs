use jifen_shared::api::PointsSummary;
use jifen_shared::domain::{LedgerKind, RuleCategory};
use leptos::prelude::*;

use crate::api;
use crate::components::{EmptyState, Loaded, PointsCell};
use crate::i18n::tr;
use crate::session::Session;

/// The year's account at a glance, then by quarter, then entry by entry.
#[component]
pub fn PointsSummaryView(summary: PointsSummary) -> impl IntoView {
    let cards = [
        (tr("基础积分", "Base"), summary.base, "base"),
        (tr("贡献加分", "Bonus"), summary.bonus, "bonus"),
        (tr("违规扣分", "Deductions"), summary.deduction, "deduction"),
        (tr("总分", "Total"), summary.total, "total"),
    ];
    let entries = summary.entries.clone();
    view! {
        <div class="cards">
            {cards.into_iter().map(|(label, value, class)| view! {
                <div class=format!("card card-{class}")><span class="card-value">{value}</span><span class="card-label">{label}</span></div>
            }).collect_view()}
        </div>
        <table class="quarters">
            <caption>{tr("按季度", "By quarter")}</caption>
            <thead><tr>
                <th scope="col">{tr("季度", "Quarter")}</th><th scope="col">{tr("基础", "Base")}</th>
                <th scope="col">{tr("加分", "Bonus")}</th><th scope="col">{tr("扣分", "Deduct.")}</th>
                <th scope="col">{tr("合计", "Total")}</th>
            </tr></thead>
            <tbody>
                {summary.quarters.into_iter().map(|q| view! {
                    <tr><th scope="row">{format!("Q{}", q.quarter)}</th><td>{q.base}</td><td>{q.bonus}</td><td>{q.deduction}</td><td>{q.total}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <h3 class="section-title">{tr("积分明细", "Entries")}</h3>
        {if entries.is_empty() {
            view! { <EmptyState text=tr("本年度还没有积分记录", "No entries this year yet")/> }.into_any()
        } else {
            view! {
                <div class="cells">
                    {entries.into_iter().rev().map(|e| {
                        let kind = match (e.kind, e.category) {
                            (LedgerKind::Reversal, _) => tr("撤销", "Reversal"),
                            (_, RuleCategory::Base) => tr("基础", "Base"),
                            (_, RuleCategory::Bonus) => tr("加分", "Bonus"),
                            (_, RuleCategory::Deduction) => tr("扣分", "Deduction"),
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
    let summary = LocalResource::new(move || {
        let (member_id, year) = (member_id.clone(), year.get());
        async move { api::points(&member_id, year).await }
    });
    view! {
        <header class="page-header">
            <h1>{tr("我的积分", "My points")}</h1>
            <div class="year-switch">
                <button class="btn btn-mini" aria-label=tr("上一年", "Previous year") on:click=move |_| year.update(|y| *y -= 1)>"‹"</button>
                <span aria-live="polite">{move || year.get()}</span>
                <button class="btn btn-mini" aria-label=tr("下一年", "Next year") on:click=move |_| year.update(|y| *y += 1)>"›"</button>
            </div>
        </header>
        <Loaded resource=summary let:s>
            <PointsSummaryView summary=s/>
        </Loaded>
    }
}
