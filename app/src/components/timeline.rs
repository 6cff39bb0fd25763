use jifen_shared::api::HistoryEntry;
use leptos::prelude::*;

use crate::i18n::tr;

fn action_label(action: &str) -> (&'static str, &'static str) {
    match action {
        "deed.submitted" => ("提交申报", "Submitted"),
        "deed.resubmitted" => ("修改后重新提交", "Revised and resubmitted"),
        "deed.approved" => ("审核通过", "Approved"),
        "deed.rejected" => ("审核未通过", "Rejected"),
        "deed.returned" => ("退回补充", "Returned for more information"),
        "deed.withdrawn" => ("本人撤回", "Withdrawn"),
        "deed.revoked" => ("撤销通过", "Approval revoked"),
        "ledger.entry_written" => ("记入积分账户", "Points recorded"),
        _ => ("其他", "Other"),
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
                    let (zh, en) = action_label(&e.action);
                    view! {
                        <li>
                            <p class="timeline-title">
                                {tr(zh, en)}
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
