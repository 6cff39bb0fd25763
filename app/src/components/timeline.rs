use jifen_shared::api::HistoryEntry;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::i18n::tr;

fn action_label(action: &str) -> Word {
    match action {
        "deed.submitted" => Word::Submitted,
        "deed.resubmitted" => Word::RevisedAndResubmitted,
        "deed.registered" => Word::TimelineRegistered,
        "deed.attested" => Word::TimelineAttested,
        "deed.approved" => Word::TimelineApproved,
        "deed.rejected" => Word::TimelineRejected,
        "deed.returned" => Word::ReturnedForMoreInformation,
        "deed.withdrawn" => Word::TimelineWithdrawn,
        "deed.revoked" => Word::ApprovalRevoked,
        "ledger.entry_written" => Word::PointsRecorded,
        "appeal.filed" => Word::TimelineAppealFiled,
        "appeal.upheld" => Word::TimelineAppealUpheld,
        "appeal.overturned" => Word::TimelineAppealOverturned,
        "deed.reopened" => Word::TimelineDeedReopened,
        _ => Word::Other,
    }
}

/// A deed's history, oldest first.
#[component]
pub fn Timeline(events: Vec<HistoryEntry>) -> impl IntoView {
    view! {
        <ol class="timeline">
            {events
                .into_iter()
                .map(|e| {
                    let word = action_label(&e.action);
                    view! {
                        <li>
                            <p class="timeline-title">
                                {tr(word)}
                                {e.points.map(|p| view! { <span class="points">{format!(" {p:+}")}</span> })}
                            </p>
                            <p class="hint">
                                {crate::time::show(e.at)} " · " {e.actor_name.unwrap_or_default()}
                            </p>
                            {e.reason.map(|r| view! { <p class="reason">{r}</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
