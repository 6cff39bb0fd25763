//! What a member can do about a meeting they are expected at: check in within its window (scan
//! the code, type it, or from afar where allowed) and ask for leave before it closes.

use chrono::Utc;
use jifen_shared::api::{CheckinView, LeaveRequestView, MeetingView};
use jifen_shared::words::Word;
use leptos::prelude::*;

use super::scanner::Scanner;
use crate::api;
use crate::components::{FieldErrorText, FormError, FormSubmit};
use crate::i18n::tr;

/// Whether check-in is open now (by the phone's clock; the server has the last word).
pub fn in_window(m: &MeetingView) -> bool {
    let now = Utc::now();
    m.closed_at.is_none() && m.checkin_opens_at <= now && now <= m.ends_at
}

#[component]
pub fn MeetingActions(meeting: MeetingView, on_done: Callback<()>) -> impl IntoView {
    let open = in_window(&meeting);
    let can_leave = meeting.my_leave.is_none() && meeting.closed_at.is_none();
    let id = meeting.id.clone();
    let checkin = FormSubmit::new(
        move |code: &Option<String>| {
            let (id, code) = (id.clone(), code.clone());
            async move { api::check_in(&id, code).await }
        },
        move |_: CheckinView| on_done.run(()),
    );
    let id = meeting.id.clone();
    let leave = FormSubmit::new(
        move |reason: &String| {
            let (id, reason) = (id.clone(), reason.clone());
            async move { api::ask_leave(&id, reason).await }
        },
        move |_: LeaveRequestView| on_done.run(()),
    );
    let code = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let asking = RwSignal::new(false);
    let (scan_id, code_id) = (
        format!("scan-{}", meeting.id),
        format!("code-{}", meeting.id),
    );
    let reason_id = StoredValue::new(format!("reason-{}", meeting.id));
    let scanned = Callback::new(move |c: String| {
        code.set(c.clone());
        checkin.send(Some(c));
    });
    let errors = checkin.errors;
    let leave_errors = leave.errors;
    view! {
        {open.then(|| view! {
            <div class="meeting-checkin">
                <Scanner on_code=scanned id=scan_id/>
                <form class="checkin-code" on:submit=move |ev| {
                    ev.prevent_default();
                    checkin.send(Some(code.get_untracked().trim().to_owned()));
                }>
                    <label class="cell" for=code_id.clone()>
                        <span class="cell-label">{tr(Word::MeetingCheckinCodeLabel)}</span>
                        <input id=code_id.clone() class="code-input" type="text" autocapitalize="characters"
                            autocomplete="off" bind:value=code/>
                    </label>
                    <FieldErrorText errors field="code"/>
                    <button type="submit" class="btn btn-primary checkin-submit"
                        disabled=move || checkin.pending().get()>{tr(Word::MeetingCheckinSubmit)}</button>
                </form>
                {meeting.remote_allowed.then(|| view! {
                    <button type="button" class="btn btn-default checkin-remote"
                        disabled=move || checkin.pending().get()
                        on:click=move |_| checkin.send(None)>{tr(Word::MeetingCheckinRemote)}</button>
                })}
                <FormError form=checkin marks_no_fields=true/>
            </div>
        })}
        {can_leave.then(|| view! {
            <Show when=move || asking.get()
                fallback=move || view! {
                    <button type="button" class="btn btn-default ask-leave"
                        on:click=move |_| asking.set(true)>{tr(Word::MeetingAskLeave)}</button>
                }>
                <form class="leave-form" on:submit=move |ev| {
                    ev.prevent_default();
                    leave.send(reason.get_untracked());
                }>
                    <label class="cell cell-top" for=reason_id.get_value()>
                        <span class="cell-label">{tr(Word::MeetingLeaveReasonLabel)}</span>
                        <textarea id=reason_id.get_value() rows="2" bind:value=reason></textarea>
                    </label>
                    <FieldErrorText errors=leave_errors field="reason"/>
                    <FormError form=leave/>
                    <button type="submit" class="btn btn-primary send-leave"
                        disabled=move || leave.pending().get()>{tr(Word::MeetingAskLeave)}</button>
                </form>
            </Show>
        })}
    }
}
