//! 出勤率: for the committee, each member's and each closed meeting's attendance this year.

use jifen_shared::api::AttendanceReport;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{BranchPicker, Loaded, MyBranch};
use crate::i18n::tr;
use crate::time;

#[component]
pub fn AttendanceRates(branches: Vec<MyBranch>) -> impl IntoView {
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let report = LocalResource::new(move || {
        let b = branch.get();
        async move { api::attendance(&b, time::current_year()).await }
    });
    view! {
        <h2 class="section-title" id="attendance-rates">{tr(Word::MeetingsAttendanceRates)}</h2>
        <BranchPicker branches branch/>
        <Loaded resource=report empty_when=|r: &AttendanceReport| r.meetings.is_empty()
            empty=tr(Word::MeetingsNoClosedYet) let:r>
            <table class="rates">
                <caption>{tr(Word::MeetingsRatePerMember)}</caption>
                <tbody>
                    {r.members.into_iter().map(|m| view! {
                        <tr>
                            <th scope="row">{m.member_name}</th>
                            <td class="num">{format!("{}%", m.rate_percent)}</td>
                            <td class="hint">{format!("{}/{}", m.attended, m.expected)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <table class="rates">
                <caption>{tr(Word::MeetingsRatePerMeeting)}</caption>
                <tbody>
                    {r.meetings.into_iter().map(|m| view! {
                        <tr>
                            <th scope="row">{m.title}</th>
                            <td class="num">{format!("{}%", m.rate_percent)}</td>
                            <td class="hint">{format!("{}/{}", m.attended, m.expected)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Loaded>
    }
}
