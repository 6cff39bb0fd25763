use jifen_shared::api::QuarterReviewView;
use jifen_shared::domain::QuarterStatus;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::QuarterStep;
use crate::i18n::tr;
use crate::session::Session;

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
            Some((QuarterStep::Sign, tr(Word::SignTheQuarter)))
        }
        (true, QuarterStatus::Signed) => Some((QuarterStep::Publish, tr(Word::PostOnTheBoard))),
        _ => None,
    };
    // A posted quarter of one's own branch links to its board, the server's page for any phone.
    let board = (status.status == QuarterStatus::Published)
        .then(|| expect_context::<Session>().me.get_untracked())
        .flatten()
        .filter(|m| m.home_branch_id == status.branch_id)
        .and_then(|m| m.home_branch_code)
        .map(|code| {
            format!(
                "/board/{code}?year={}&quarter={}",
                status.year, status.quarter
            )
        });
    let state = match status.status {
        QuarterStatus::Open => Word::Open,
        QuarterStatus::Signed => Word::SignedNotYetPosted,
        QuarterStatus::Published => Word::PostedOnTheBoard,
    };
    view! {
        <div class="cells" id="quarter-status">
            <div class="cell"><span class="cell-label">{tr(Word::Status)}</span><span class="quarter-state">{tr(state)}</span></div>
            <div class="cell"><span class="cell-label">{tr(Word::ReportsWaiting)}</span><span>{status.pending_deeds}</span></div>
            {status.signed_at.map(|at| view! {
                <div class="cell"><span class="cell-label">{tr(Word::Signed)}</span><span>{crate::time::show(at)}</span></div>
            })}
            {board.map(|href| view! {
                <a href=href class="cell cell-link" rel="external" id="to-board">{tr(Word::OpenMyBranchsBoard)}</a>
            })}
            {(status.pending_deeds > 0).then(|| view! {
                <A href="/review" attr:class="cell cell-link">{tr(Word::DecideThemBeforeSigning)}</A>
            })}
        </div>
        {next.map(|(step, label)| view! {
            <button id=step.as_str() class="btn btn-primary" disabled=move || busy.get() on:click=move |_| act.run(step)>{label}</button>
        })}
    }
}
