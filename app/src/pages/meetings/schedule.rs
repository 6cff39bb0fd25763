//! 安排会议: the secretary's form. Times are the phone's local wall clock; what attendance earns
//! and absence costs are picked from the branch's catalogue (or left out: no points).

use chrono::Timelike;
use jifen_shared::api::{MeetingView, NewMeetingRequest, RuleView};
use jifen_shared::domain::{MeetingKind, RuleCategory};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::words;
use crate::api;
use crate::components::{
    field_message, my_branches, BranchPicker, FieldErrorText, FormError, FormSubmit, Loaded,
};
use crate::i18n::tr;
use crate::session::Session;
use crate::time;

#[derive(Clone, Copy)]
struct Typed {
    kind: RwSignal<MeetingKind>,
    title: RwSignal<String>,
    starts: RwSignal<String>,
    ends: RwSignal<String>,
    place: RwSignal<String>,
    online_url: RwSignal<String>,
    remote: RwSignal<bool>,
    attendance_rule: RwSignal<String>,
    absence_rule: RwSignal<String>,
}

impl Typed {
    fn blank() -> Self {
        // Next hour on the hour, for an hour: a start the secretary mostly adjusts.
        let later = chrono::Utc::now() + chrono::Duration::hours(1);
        let start = later
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(later);
        Self {
            kind: RwSignal::new(MeetingKind::BranchAssembly),
            title: RwSignal::new(String::new()),
            starts: RwSignal::new(time::to_input(start)),
            ends: RwSignal::new(time::to_input(start + chrono::Duration::hours(1))),
            place: RwSignal::new(String::new()),
            online_url: RwSignal::new(String::new()),
            remote: RwSignal::new(false),
            attendance_rule: RwSignal::new(String::new()),
            absence_rule: RwSignal::new(String::new()),
        }
    }

    /// The request, or the time fields the browser could not read.
    fn read(&self) -> Result<NewMeetingRequest, Vec<jifen_shared::problem::FieldError>> {
        let starts = time::from_input(&self.starts.get_untracked());
        let ends = time::from_input(&self.ends.get_untracked());
        let (Some(starts_at), Some(ends_at)) = (starts, ends) else {
            let mut found = Vec::new();
            if starts.is_none() {
                found.push(field_message(
                    "starts_at",
                    "time.missing",
                    Word::EnterTheTime,
                ));
            }
            if ends.is_none() {
                found.push(field_message("ends_at", "time.missing", Word::EnterTheTime));
            }
            return Err(found);
        };
        let some = |s: RwSignal<String>| Some(s.get_untracked()).filter(|v| !v.trim().is_empty());
        Ok(NewMeetingRequest {
            kind: self.kind.get_untracked(),
            title: self.title.get_untracked(),
            starts_at,
            ends_at,
            place: self.place.get_untracked(),
            online_url: some(self.online_url),
            remote_allowed: self.remote.get_untracked(),
            attendance_rule_id: some(self.attendance_rule),
            absence_rule_id: some(self.absence_rule),
        })
    }
}

#[component]
pub fn ScheduleMeetingPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let branches: Vec<_> = my_branches(session)
        .into_iter()
        .filter(|b| b.secretary)
        .collect();
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let rules = LocalResource::new(move || {
        let b = branch.get();
        async move { api::rules(&b).await }
    });
    let typed = Typed::blank();
    let schedule = FormSubmit::new(
        move |req: &NewMeetingRequest| {
            let (b, req) = (branch.get_untracked(), req.clone());
            async move { api::schedule_meeting(&b, &req).await }
        },
        move |m: MeetingView| navigate(&format!("/meetings/{}/live", m.id), Default::default()),
    );
    let errors = schedule.errors;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match typed.read() {
            Ok(req) => schedule.send(req),
            Err(found) => schedule.submit(
                found,
                NewMeetingRequest {
                    kind: MeetingKind::BranchAssembly,
                    title: String::new(),
                    starts_at: chrono::Utc::now(),
                    ends_at: chrono::Utc::now(),
                    place: String::new(),
                    online_url: None,
                    remote_allowed: false,
                    attendance_rule_id: None,
                    absence_rule_id: None,
                },
            ),
        }
    };
    let text = move |field: &'static str,
                     label: Word,
                     value: RwSignal<String>,
                     kind: &'static str| {
        view! {
            <label class="cell" for=field>
                <span class="cell-label">{tr(label)}</span>
                <input id=field type=kind bind:value=value aria-describedby=format!("err-{field}")/>
            </label>
            <FieldErrorText errors field/>
        }
    };
    view! {
        <header class="page-header"><h1>{tr(Word::MeetingSchedule)}</h1></header>
        <BranchPicker branches branch/>
        <form class="meeting-form" id="new-meeting" on:submit=submit novalidate>
            <div class="cells">
                <label class="cell" for="kind">
                    <span class="cell-label">{tr(Word::MeetingKindLabel)}</span>
                    <select id="kind" on:change=move |ev| {
                        if let Ok(k) = event_target_value(&ev).parse() {
                            typed.kind.set(k);
                        }
                    }>
                        {MeetingKind::ALL.iter().map(|k| view! {
                            <option value=k.as_str() selected=move || typed.kind.get() == *k>{tr(words::kind(*k))}</option>
                        }).collect_view()}
                    </select>
                </label>
                {text("title", Word::MeetingTitleLabel, typed.title, "text")}
                {text("starts_at", Word::MeetingStartsLabel, typed.starts, "datetime-local")}
                {text("ends_at", Word::MeetingEndsLabel, typed.ends, "datetime-local")}
                {text("place", Word::MeetingPlaceLabel, typed.place, "text")}
                {text("online_url", Word::MeetingOnlineUrlLabel, typed.online_url, "url")}
                <label class="cell" for="remote_allowed">
                    <span class="cell-label">{tr(Word::MeetingRemoteAllowedLabel)}</span>
                    <input id="remote_allowed" type="checkbox" class="switch" bind:checked=typed.remote/>
                </label>
            </div>
            <Loaded resource=rules let:rules>
                <div class="cells">
                    <RulePick id="attendance_rule_id" label=Word::MeetingAttendanceRuleLabel
                        category=RuleCategory::Base rules=rules.clone() value=typed.attendance_rule errors/>
                    <RulePick id="absence_rule_id" label=Word::MeetingAbsenceRuleLabel
                        category=RuleCategory::Deduction rules value=typed.absence_rule errors/>
                </div>
            </Loaded>
            <FormError form=schedule/>
            <button type="submit" id="create-meeting" class="btn btn-primary"
                disabled=move || schedule.pending().get()>{tr(Word::MeetingSchedule)}</button>
        </form>
    }
}

/// A choice among the branch's active items of one kind, or none (no points).
#[component]
fn RulePick(
    id: &'static str,
    label: Word,
    category: RuleCategory,
    rules: Vec<RuleView>,
    value: RwSignal<String>,
    errors: RwSignal<Vec<jifen_shared::problem::FieldError>>,
) -> impl IntoView {
    let fitting: Vec<_> = rules
        .into_iter()
        .filter(|r| r.active && r.category == category)
        .collect();
    view! {
        <label class="cell" for=id>
            <span class="cell-label">{tr(label)}</span>
            <select id=id on:change=move |ev| value.set(event_target_value(&ev))>
                <option value="" selected=move || value.get().is_empty()>{tr(Word::MeetingNoRule)}</option>
                {fitting.into_iter().map(|r| {
                    let rid = r.id.clone();
                    view! {
                        <option value=r.id.clone() selected=move || value.get() == rid>
                            {format!("{} ({:+})", r.name, r.standard_points)}
                        </option>
                    }
                }).collect_view()}
            </select>
        </label>
        <FieldErrorText errors field=id/>
    }
}
