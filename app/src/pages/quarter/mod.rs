//! The committee's quarter (支委会季度审核): where the quarter stands, the secretary's sign-off and
//! posting (书记签字、张榜公布), and the masses' feedback on the posted board, each one turned into a
//! deduction or set aside with a reason.

mod feedback;
mod standing;

use jifen_shared::domain::CycleQuarter;
use jifen_shared::words::Word;
use leptos::prelude::*;

use self::feedback::FeedbackDesk;
use self::standing::QuarterStanding;
use crate::api::{self, QuarterStep};
use crate::components::{my_branches, BranchPicker, FormError, FormSubmit, Loaded};
use crate::i18n::tr;
use crate::session::Session;

fn step(q: CycleQuarter, by: i32) -> CycleQuarter {
    let index = q.year * 4 + i32::from(q.quarter) - 1 + by;
    CycleQuarter {
        year: index.div_euclid(4),
        quarter: (index.rem_euclid(4) + 1) as u8,
    }
}

#[component]
pub fn QuarterPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = my_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    // The quarter to sign is usually the one that just ended.
    let quarter = RwSignal::new(step(CycleQuarter::of(chrono::Utc::now()), -1));
    let signs_for = StoredValue::new(
        branches
            .iter()
            .filter(|b| b.secretary)
            .map(|b| b.id.clone())
            .collect::<Vec<_>>(),
    );
    let is_secretary = move || signs_for.with_value(|ids| ids.contains(&branch.get()));
    let status = LocalResource::new(move || {
        let (b, q) = (branch.get(), quarter.get());
        async move { api::quarter(&b, q.year, q.quarter).await }
    });
    let sign_off = FormSubmit::new(
        move |step: &QuarterStep| {
            let (b, q, step) = (branch.get_untracked(), quarter.get_untracked(), *step);
            async move { api::quarter_step(&b, q.year, q.quarter, step).await }
        },
        move |_| status.refetch(),
    );

    view! {
        <header class="page-header">
            <h1>{tr(Word::QuarterReview)}</h1>
            <QuarterSwitch quarter/>
        </header>
        <BranchPicker branches branch/>
        <Loaded resource=status let:s>
            <QuarterStanding status=s secretary=is_secretary() busy=sign_off.pending()
                act=move |step| sign_off.send(step)/>
        </Loaded>
        <FormError form=sign_off marks_no_fields=true/>
        <h2 class="section-title">{tr(Word::FeedbackFromTheMasses)}</h2>
        <FeedbackDesk branch quarter on_decided=move || status.refetch()/>
    }
}

/// The quarter shown, one step back or forth.
#[component]
fn QuarterSwitch(quarter: RwSignal<CycleQuarter>) -> impl IntoView {
    view! {
        <div class="year-switch">
            <button class="btn btn-mini" aria-label=tr(Word::PreviousQuarter)
                on:click=move |_| quarter.update(|q| *q = step(*q, -1))>"‹"</button>
            <span aria-live="polite" id="quarter-label">{move || { let q = quarter.get(); format!("{}Q{}", q.year, q.quarter) }}</span>
            <button class="btn btn-mini" aria-label=tr(Word::NextQuarter)
                on:click=move |_| quarter.update(|q| *q = step(*q, 1))>"›"</button>
        </div>
    }
}
