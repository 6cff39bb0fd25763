//! 会议: the meetings of the member's branch and of their migrant members' organisation, upcoming
//! first, each with the member's part in it and, while it runs, the way to check in.

use chrono::Utc;
use jifen_shared::api::MeetingView;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use super::checkin::{in_window, MeetingActions};
use super::words;
use crate::api::{self, ApiError};
use crate::components::{committee_branches, EmptyState, Loaded};
use crate::i18n::tr;
use crate::session::Session;
use crate::time;

/// The units whose meetings the member sees: home branch, migrant organisation, and the branches
/// on whose committee they sit.
fn my_units(session: Session) -> Vec<String> {
    let mut units = Vec::new();
    if let Some(me) = session.me.get_untracked() {
        units.push(me.home_branch_id.clone());
        units.extend(me.migrant_org_id.clone());
    }
    for b in committee_branches(session) {
        if !units.contains(&b.id) {
            units.push(b.id);
        }
    }
    units
}

async fn all_meetings(units: Vec<String>) -> Result<Vec<MeetingView>, ApiError> {
    let mut all = Vec::new();
    for unit in units {
        all.extend(api::meetings(&unit).await?.items);
    }
    Ok(all)
}

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let units = my_units(session);
    let committee: Vec<_> = committee_branches(session);
    let secretary = committee.iter().any(|b| b.secretary);
    let list = LocalResource::new(move || all_meetings(units.clone()));
    let reload = Callback::new(move |()| list.refetch());
    let rates_for = committee.clone();
    let committee = StoredValue::new(committee);
    view! {
        <header class="page-header">
            <h1>{tr(Word::MeetingsTitle)}</h1>
            {secretary.then(|| view! {
                <A href="/meetings/new" attr:class="btn btn-primary btn-mini" attr:id="schedule-meeting">
                    {tr(Word::MeetingSchedule)}
                </A>
            })}
        </header>
        <Loaded resource=list let:items>
            {
                let now = Utc::now();
                let (mut upcoming, mut past): (Vec<_>, Vec<_>) =
                    items.into_iter().partition(|m| m.closed_at.is_none() && m.ends_at >= now);
                upcoming.sort_by_key(|m| m.starts_at);
                past.sort_by_key(|m| std::cmp::Reverse(m.starts_at));
                let card = move |m: MeetingView| {
                    let reviews = committee.with_value(|c| c.iter().any(|b| b.id == m.branch_id));
                    view! { <MeetingCard meeting=m reviews on_done=reload/> }
                };
                view! {
                    <h2 class="section-title">{tr(Word::MeetingsUpcoming)}</h2>
                    {if upcoming.is_empty() {
                        view! { <EmptyState text=tr(Word::MeetingsEmpty)/> }.into_any()
                    } else {
                        view! {
                            <div class="cells" id="meetings-upcoming">
                                {upcoming.into_iter().map(card).collect_view()}
                            </div>
                        }.into_any()
                    }}
                    {(!past.is_empty()).then(|| view! {
                        <h2 class="section-title">{tr(Word::MeetingsPast)}</h2>
                        <div class="cells" id="meetings-past">
                            {past.into_iter().map(card).collect_view()}
                        </div>
                    })}
                }
            }
        </Loaded>
        {(!rates_for.is_empty()).then(|| view! { <super::rates::AttendanceRates branches=rates_for/> })}
    }
}

/// The member's part in a meeting, as a badge.
fn my_part(m: &MeetingView) -> Option<(Word, &'static str)> {
    if let Some(mode) = m.my_attendance {
        return Some(words::mode(mode));
    }
    if let Some(l) = &m.my_leave {
        return Some(words::leave(l.status));
    }
    (m.expected && (in_window(m) || m.closed_at.is_some()))
        .then_some((Word::AttendanceMissing, "badge-returned"))
}

#[component]
fn MeetingCard(meeting: MeetingView, reviews: bool, on_done: Callback<()>) -> impl IntoView {
    let part = my_part(&meeting);
    let when = format!(
        "{} – {}",
        time::show(meeting.starts_at),
        time::show(meeting.ends_at)
    );
    let acts = meeting.expected && meeting.my_attendance.is_none() && meeting.closed_at.is_none();
    let live = format!("/meetings/{}/live", meeting.id);
    let online = meeting
        .online_url
        .clone()
        .filter(|_| meeting.closed_at.is_none());
    view! {
        <article class="cell cell-top meeting" id=format!("meeting-{}", meeting.id)>
            <div class="cell-body">
                <span class="cell-label">{tr(words::kind(meeting.kind))}</span>
                <span class="cell-title">{meeting.title.clone()}</span>
                <span class="hint">{when}</span>
                <span class="hint">{meeting.place.clone()}</span>
                {meeting.my_leave.as_ref().and_then(|l| l.decision_reason.clone()).map(|r| view! {
                    <p class="notice">{r}</p>
                })}
            </div>
            <div class="cell-side">
                {part.map(|(w, class)| view! {
                    <span class=format!("badge {class} my-part")>{tr(w)}</span>
                })}
            </div>
            <div class="cell-actions">
                {online.map(|url| view! {
                    <a href=url class="btn btn-default btn-mini" rel="external noopener" target="_blank">
                        {tr(Word::MeetingOnlineJoin)}
                    </a>
                })}
                {reviews.then(|| view! {
                    <A href=live attr:class="btn btn-default btn-mini to-live">{tr(Word::MeetingLive)}</A>
                })}
                {acts.then(|| view! { <MeetingActions meeting=meeting.clone() on_done/> })}
            </div>
        </article>
    }
}
