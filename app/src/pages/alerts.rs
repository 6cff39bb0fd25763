//! The committee's points alerts (积分预警): who in the branch is below the alert line at a quarter's
//! end (so far, for the quarter running), how far behind, whether they were told, and one button
//! that tells those not told yet.

use jifen_shared::api::{AlertsNotified, AlertsView};
use jifen_shared::domain::CycleQuarter;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{my_branches, BranchPicker, EmptyState, FormError, FormSubmit, Loaded};
use crate::i18n::{lang, tr};
use crate::session::Session;

fn step(q: CycleQuarter, by: i32) -> CycleQuarter {
    let index = q.year * 4 + i32::from(q.quarter) - 1 + by;
    CycleQuarter {
        year: index.div_euclid(4),
        quarter: (index.rem_euclid(4) + 1) as u8,
    }
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = my_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let quarter = RwSignal::new(CycleQuarter::of(chrono::Utc::now()));
    let alerts = LocalResource::new(move || {
        let (b, q) = (branch.get(), quarter.get());
        async move { api::alerts(&b, q.year, q.quarter).await }
    });
    let done = RwSignal::new(None::<AlertsNotified>);
    let notify = FormSubmit::new(
        move |q: &CycleQuarter| {
            let (b, q) = (branch.get_untracked(), *q);
            async move { api::notify_alerts(&b, q.year, q.quarter).await }
        },
        move |d: AlertsNotified| {
            done.set(Some(d));
            alerts.refetch();
        },
    );
    let shown = move || {
        let q = quarter.get();
        Word::AlertsQuarter.fill(lang(), &[("year", &q.year), ("quarter", &q.quarter)])
    };
    view! {
        <header class="page-header">
            <h1>{tr(Word::Alerts)}</h1>
            <div class="year-switch">
                <button class="btn btn-mini" aria-label=tr(Word::PreviousQuarter)
                    on:click=move |_| { done.set(None); quarter.update(|q| *q = step(*q, -1)) }>"‹"</button>
                <span aria-live="polite" id="alerts-quarter">{shown}</span>
                <button class="btn btn-mini" aria-label=tr(Word::NextQuarter)
                    on:click=move |_| { done.set(None); quarter.update(|q| *q = step(*q, 1)) }>"›"</button>
            </div>
        </header>
        <BranchPicker branches branch/>
        <Loaded resource=alerts let:view>
            <AlertList view=view.clone()/>
            {(!view.below.is_empty()).then(|| view! {
                <button id="notify-alerts" class="btn btn-primary" disabled=move || notify.pending().get()
                    on:click=move |_| notify.send(quarter.get_untracked())>{tr(Word::AlertsNotify)}</button>
            })}
        </Loaded>
        <FormError form=notify marks_no_fields=true/>
        {move || done.get().map(|d| view! {
            <p class="form-ok" role="status" id="alerts-notified">
                {Word::AlertsNotifyDone.fill(lang(), &[("n", &d.notified), ("m", &d.already_notified)])}
            </p>
        })}
    }
}

#[component]
fn AlertList(view: AlertsView) -> impl IntoView {
    let line = Word::AlertsLine.fill(
        lang(),
        &[("threshold", &view.threshold), ("members", &view.members)],
    );
    view! {
        <p class="hint catalogue-hint" id="alerts-line">{line}</p>
        {if view.below.is_empty() {
            view! { <EmptyState text=tr(Word::AlertsNone)/> }.into_any()
        } else {
            view! {
                <div class="cells" id="alerts-below">
                    {view.below.into_iter().map(|r| view! {
                        <div class="cell alert-row">
                            <span class="cell-title">{r.member_name}</span>
                            <span>{r.total}</span>
                            <span class="badge badge-rejected">
                                {Word::AlertsBehind.fill(lang(), &[("n", &r.behind)])}
                            </span>
                            {r.notified.then(|| view! { <span class="badge badge-withdrawn">{tr(Word::AlertsTold)}</span> })}
                        </div>
                    }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}
