//! 签到大屏: the secretary's screen at the meeting (a tablet on the table or a projector). The QR
//! code of the current check-in code and the code itself, fetched again every 10 seconds and as
//! soon as it expires; who has checked in, on site or from afar, who is on leave, whose leave
//! waits for a decision, who is still missing; and, after the end, closing into points.

use chrono::{DateTime, Utc};
use jifen_shared::api::{
    AttendanceLine, AttendanceSheet, CheckinCode, LeaveRequestView, MeetingClosed, MeetingDetail,
};
use jifen_shared::domain::{AttendanceMode, LeaveStatus};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::words;
use crate::api;
use crate::components::{FormError, FormSubmit, Loaded};
use crate::i18n::{lang, tr};
use crate::time;

/// How often the screen asks again, besides when the code expires.
const REFRESH_SECS: u32 = 10;

/// What the secretary is in the middle of, kept above the sheet (which is drawn again on every
/// refresh); while it lasts the sheet is not refreshed, so a reason being typed keeps its focus.
#[derive(Clone, Copy)]
struct Busy {
    /// The request for leave whose refusal is being written.
    refusing: RwSignal<Option<String>>,
    reason: RwSignal<String>,
    /// 结束会议 was pressed; its second step shows.
    confirming: RwSignal<bool>,
}

impl Busy {
    fn any(&self) -> bool {
        self.refusing.get_untracked().is_some() || self.confirming.get_untracked()
    }
}

#[component]
pub fn MeetingLivePage() -> impl IntoView {
    let busy = Busy {
        refusing: RwSignal::new(None),
        reason: RwSignal::new(String::new()),
        confirming: RwSignal::new(false),
    };
    provide_context(busy);
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let detail = LocalResource::new(move || {
        let id = id();
        async move { api::meeting(&id).await }
    });
    let code = LocalResource::new(move || {
        let id = id();
        async move { api::checkin_code(&id).await }
    });
    // One tick a second: the countdown moves, the code is fetched again once it has expired,
    // and everything every REFRESH_SECS.
    let now = RwSignal::new(Utc::now());
    let ticks = StoredValue::new(0u32);
    let fetched_for = StoredValue::new(None::<DateTime<Utc>>);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            now.set(Utc::now());
            ticks.update_value(|t| *t += 1);
            let expired = code
                .get_untracked()
                .and_then(Result::ok)
                .map(|c| c.expires_at)
                .filter(|at| *at <= Utc::now() && fetched_for.get_value() != Some(*at));
            if let Some(at) = expired {
                fetched_for.set_value(Some(at));
                code.refetch();
            }
            if ticks.get_value().is_multiple_of(REFRESH_SECS) {
                if !busy.any() {
                    detail.refetch();
                }
                if expired.is_none() {
                    code.refetch();
                }
            }
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    let reload = Callback::new(move |()| detail.refetch());
    view! {
        <Loaded resource=detail let:d>
            <LiveMeeting detail=d code now reload/>
        </Loaded>
    }
}

#[component]
fn LiveMeeting(
    detail: MeetingDetail,
    code: LocalResource<Result<CheckinCode, api::ApiError>>,
    now: RwSignal<DateTime<Utc>>,
    reload: Callback<()>,
) -> impl IntoView {
    let m = detail.meeting;
    let open = m.closed_at.is_none();
    let ended = m.ends_at;
    let when = format!("{} – {}", time::show(m.starts_at), time::show(m.ends_at));
    view! {
        <header class="page-header">
            <h1>{tr(Word::MeetingLive)}</h1>
        </header>
        <section class="meeting-live">
            <div class="live-head">
                <span class="cell-label">{tr(words::kind(m.kind))}</span>
                <h2 class="section-title" id="live-title">{m.title}</h2>
                <p class="hint">{when} " · " {m.place}</p>
            </div>
            {open.then(|| view! { <LiveCode code now/> })}
            <div class="live-side">
                {detail.attendance.map(|sheet| view! { <Sheet sheet open reload/> })}
                {open.then(|| view! { <CloseMeeting id=m.id.clone() ended now reload/> })}
                {(!open).then(|| view! { <p class="notice" id="meeting-closed">{tr(Word::MeetingClosed)}</p> })}
            </div>
        </section>
    }
}

/// The QR code and the typed code, with the seconds until they change.
#[component]
fn LiveCode(
    code: LocalResource<Result<CheckinCode, api::ApiError>>,
    now: RwSignal<DateTime<Utc>>,
) -> impl IntoView {
    let current = move || code.get().and_then(Result::ok);
    view! {
        <div class="live-code">
            {move || current().map(|c| {
                let left = move || (c.expires_at - now.get()).num_seconds().clamp(0, 30);
                view! {
                    // The SVG is the server's own drawing of the code, not anyone's text.
                    <div class="qr" id="checkin-qr" inner_html=c.qr_svg.clone()></div>
                    <p class="live-code-text"><span class="cell-label">{tr(Word::MeetingCheckinCodeLabel)}</span>
                        " " <strong id="checkin-code">{c.code.clone()}</strong></p>
                    <p class="hint" aria-live="off">
                        {move || Word::MeetingCodeExpires.fill(lang(), &[("secs", &left())])}
                    </p>
                }
            })}
            {move || code.get().and_then(Result::err).map(|e| view! {
                <p class="form-error" role="alert">{e.message(lang())}</p>
            })}
            <p class="hint">{tr(Word::MeetingLiveHint)}</p>
        </div>
    }
}

fn line_of(l: &AttendanceLine, open: bool) -> (Word, &'static str) {
    match (l.mode, &l.leave) {
        (Some(mode), _) => words::mode(mode),
        (None, Some(leave)) if leave.status != LeaveStatus::Refused => words::leave(leave.status),
        (None, _) if open => (Word::AttendanceMissing, "badge-returned"),
        (None, _) => (Word::AttendanceAbsent, "badge-rejected"),
    }
}

/// Who is there, grouped: checked in, on leave or waiting for it, missing.
#[component]
fn Sheet(sheet: AttendanceSheet, open: bool, reload: Callback<()>) -> impl IntoView {
    let rate = Word::MeetingRate.fill(
        lang(),
        &[
            ("rate", &sheet.rate_percent),
            ("expected", &sheet.expected),
            ("on_site", &sheet.on_site),
            ("remote", &sheet.remote),
            ("leave", &sheet.on_leave),
            ("missing", &sheet.missing),
        ],
    );
    let attended = |l: &AttendanceLine| l.mode.is_some_and(AttendanceMode::attended);
    let waiting = |l: &AttendanceLine| {
        l.mode.is_none()
            && l.leave
                .as_ref()
                .is_some_and(|r| r.status == LeaveStatus::Waiting)
    };
    let mut present = Vec::new();
    let mut leave = Vec::new();
    let mut asking = Vec::new();
    let mut missing = Vec::new();
    for l in sheet.lines {
        if attended(&l) {
            present.push(l);
        } else if waiting(&l) {
            asking.push(l);
        } else if l.mode == Some(AttendanceMode::Leave)
            || l.leave
                .as_ref()
                .is_some_and(|r| r.status == LeaveStatus::Granted)
        {
            leave.push(l);
        } else {
            missing.push(l);
        }
    }
    let group = move |id: &'static str, title: Word, lines: Vec<AttendanceLine>| {
        view! {
            <h3 class="section-title">{tr(title)} " " <span class="count">{lines.len()}</span></h3>
            <div class="cells live-group" id=id>
                {lines.into_iter().map(|l| {
                    let (w, class) = line_of(&l, open);
                    let at = l.checked_in_at.map(time::show);
                    view! {
                        <div class="cell attendance-line">
                            <span class="cell-title">{l.member_name}</span>
                            <span class="hint">{at}</span>
                            <span class=format!("badge {class}")>{tr(w)}</span>
                        </div>
                    }
                }).collect_view()}
            </div>
        }
    };
    view! {
        <p class="notice" id="meeting-rate" aria-live="polite">{rate}</p>
        <div class="live-sheet">
            {group("live-present", Word::MeetingCheckedIn, present)}
            {(!asking.is_empty()).then(|| view! {
                <h3 class="section-title">{tr(Word::LeaveWaiting)}</h3>
                <div class="cells" id="live-leave-waiting">
                    {asking.into_iter().filter_map(|l| l.leave).map(|r| view! {
                        <LeaveDecision request=r open reload/>
                    }).collect_view()}
                </div>
            })}
            {group("live-leave", Word::AttendanceLeave, leave)}
            {group("live-missing", if open { Word::AttendanceMissing } else { Word::AttendanceAbsent }, missing)}
        </div>
    }
}

/// A waiting request for leave: 准假, or 不准假 with the reason the member reads.
#[component]
fn LeaveDecision(request: LeaveRequestView, open: bool, reload: Callback<()>) -> impl IntoView {
    let busy = expect_context::<Busy>();
    let id = request.id.clone();
    let decide = FormSubmit::new(
        move |refusal: &Option<String>| {
            let (id, refusal) = (id.clone(), refusal.clone());
            async move { api::decide_leave(&id, refusal).await }
        },
        move |_: LeaveRequestView| {
            busy.refusing.set(None);
            reload.run(());
        },
    );
    let (refusing, reason) = (busy.refusing, busy.reason);
    let mine = StoredValue::new(request.id.clone());
    let is_mine = move || refusing.get() == Some(mine.get_value());
    let reason_id = format!("refuse-{}", request.id);
    view! {
        <div class="cell cell-top leave-request" id=format!("leave-{}", request.id)>
            <div class="cell-body">
                <span class="cell-title">{request.member_name}</span>
                <span class="hint">{request.reason}</span>
            </div>
            {open.then(|| view! {
                <div class="cell-actions">
                    <button type="button" class="btn btn-primary btn-mini grant-leave"
                        disabled=move || decide.pending().get()
                        on:click=move |_| decide.send(None)>{tr(Word::MeetingGrant)}</button>
                    <button type="button" class="btn btn-default btn-mini refuse-leave"
                        on:click=move |_| {
                            let next = (refusing.get_untracked() != Some(mine.get_value()))
                                .then(|| mine.get_value());
                            reason.set(String::new());
                            refusing.set(next);
                        }>{tr(Word::MeetingRefuse)}</button>
                </div>
                <Show when=is_mine>
                    <form class="refuse-form" on:submit=move |ev| {
                        ev.prevent_default();
                        decide.send(Some(reason.get_untracked()));
                    }>
                        <label class="cell cell-top" for=reason_id.clone()>
                            <span class="cell-label">{tr(Word::MeetingRefuseReasonLabel)}</span>
                            <textarea id=reason_id.clone() rows="2" bind:value=reason></textarea>
                        </label>
                        <button type="submit" class="btn btn-warn btn-mini send-refusal"
                            disabled=move || decide.pending().get()>{tr(Word::MeetingRefuse)}</button>
                    </form>
                </Show>
            })}
            <FormError form=decide marks_no_fields=true/>
        </div>
    }
}

/// 结束会议并记分, after the end, with a second step that says what closing does.
#[component]
fn CloseMeeting(
    id: String,
    ended: DateTime<Utc>,
    now: RwSignal<DateTime<Utc>>,
    reload: Callback<()>,
) -> impl IntoView {
    let done = RwSignal::new(None::<u32>);
    let confirming = expect_context::<Busy>().confirming;
    let close = FormSubmit::new(
        move |id: &String| {
            let id = id.clone();
            async move { api::close_meeting(&id).await }
        },
        move |c: MeetingClosed| {
            confirming.set(false);
            done.set(Some(c.entries_written));
            reload.run(());
        },
    );
    let id = StoredValue::new(id);
    let after_end = move || now.get() >= ended;
    view! {
        <Show when=after_end>
            <Show when=move || confirming.get()
                fallback=move || view! {
                    <button type="button" class="btn btn-warn" id="close-meeting"
                        on:click=move |_| confirming.set(true)>{tr(Word::MeetingClose)}</button>
                }>
                <p class="notice">{tr(Word::MeetingCloseConfirm)}</p>
                <div class="button-row">
                    <button type="button" class="btn btn-default" on:click=move |_| confirming.set(false)>
                        {tr(Word::CatalogueCancel)}
                    </button>
                    <button type="button" class="btn btn-warn" id="confirm-close"
                        disabled=move || close.pending().get()
                        on:click=move |_| close.send(id.get_value())>{tr(Word::MeetingClose)}</button>
                </div>
            </Show>
        </Show>
        <FormError form=close marks_no_fields=true/>
        {move || done.get().map(|n| view! {
            <p class="form-ok" role="status" id="meeting-closed">
                {Word::MeetingClosedDone.fill(lang(), &[("n", &n)])}
            </p>
        })}
    }
}
