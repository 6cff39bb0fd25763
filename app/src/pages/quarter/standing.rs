use jifen_shared::api::QuarterReviewView;
use jifen_shared::domain::QuarterStatus;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::QuarterStep;
use crate::i18n::tr;

/// Where the quarter stands; for the secretary, the one next step (sign, then post).
#[component]
pub fn QuarterStanding(
    status: QuarterReviewView,
    secretary: bool,
    #[prop(into)] busy: Signal<bool>,
    #[prop(into)] act: Callback<QuarterStep>,
) -> impl IntoView {
    let next = match (secretary, status.status) {
        (true, QuarterStatus::Open) if status.pending_deeds == 0 => {
            Some((QuarterStep::Sign, tr("书记签字确认", "Sign the quarter")))
        }
        (true, QuarterStatus::Signed) => {
            Some((QuarterStep::Publish, tr("张榜公布", "Post on the board")))
        }
        _ => None,
    };
    let (zh, en) = match status.status {
        QuarterStatus::Open => ("审核中", "Open"),
        QuarterStatus::Signed => ("已签字，待公示", "Signed, not yet posted"),
        QuarterStatus::Published => ("已张榜公布", "Posted on the board"),
    };
    view! {
        <div class="cells" id="quarter-status">
            <div class="cell"><span class="cell-label">{tr("状态", "Status")}</span><span class="quarter-state">{tr(zh, en)}</span></div>
            <div class="cell"><span class="cell-label">{tr("待审核申报", "Reports waiting")}</span><span>{status.pending_deeds}</span></div>
            {status.signed_at.map(|at| view! {
                <div class="cell"><span class="cell-label">{tr("签字时间", "Signed")}</span><span>{crate::time::show(at)}</span></div>
            })}
            {(status.pending_deeds > 0).then(|| view! {
                <A href="/review" attr:class="cell cell-link">{tr("审完这些申报后才能签字 ›", "Decide them before signing ›")}</A>
            })}
        </div>
        {next.map(|(step, label)| view! {
            <button id=step.as_str() class="btn btn-primary" disabled=move || busy.get() on:click=move |_| act.run(step)>{label}</button>
        })}
    }
}
