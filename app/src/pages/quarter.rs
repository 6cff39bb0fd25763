//! The committee's quarter (支委会季度审核): where the quarter stands, the secretary's sign-off and
//! posting (书记签字、张榜公布), and the masses' feedback on the posted board, each one turned into a
//! deduction or set aside with a reason.

use jifen_shared::api::{AcceptFeedbackRequest, FeedbackView, QuarterReviewView, RuleView};
use jifen_shared::domain::{CycleQuarter, Reason, Role, RuleCategory};
use jifen_shared::problem::FieldError;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{self, ApiError};
use crate::components::{field_error, EmptyState, ErrorState, FieldErrorText, LoadingState};
use crate::i18n::{lang, tr};
use crate::session::Session;

fn step(q: CycleQuarter, by: i32) -> CycleQuarter {
    let index = q.year * 4 + i32::from(q.quarter) - 1 + by;
    CycleQuarter {
        year: index.div_euclid(4),
        quarter: (index.rem_euclid(4) + 1) as u8,
    }
}

/// The branches the signed-in member reviews, and whether they are its secretary.
fn my_branches(session: Session) -> Vec<(String, String, bool)> {
    let mut out: Vec<(String, String, bool)> = Vec::new();
    for r in session
        .me
        .get_untracked()
        .map(|m| m.roles)
        .unwrap_or_default()
    {
        if !matches!(r.role, Role::Committee | Role::Secretary) {
            continue;
        }
        let secretary = r.role == Role::Secretary;
        match out.iter_mut().find(|(id, _, _)| *id == r.org_unit_id) {
            Some(b) => b.2 |= secretary,
            None => out.push((r.org_unit_id, r.org_unit_name, secretary)),
        }
    }
    out
}

#[component]
pub fn QuarterPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = my_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.0.clone()).unwrap_or_default());
    // The quarter to sign is usually the one that just ended.
    let quarter = RwSignal::new(step(CycleQuarter::of(chrono::Utc::now()), -1));
    let signs_for = StoredValue::new(
        branches
            .iter()
            .filter(|b| b.2)
            .map(|b| b.0.clone())
            .collect::<Vec<_>>(),
    );
    let is_secretary = move || signs_for.with_value(|ids| ids.contains(&branch.get()));
    let status = LocalResource::new(move || {
        let (b, q) = (branch.get(), quarter.get());
        async move { api::quarter(&b, q.year, q.quarter).await }
    });
    let feedback = LocalResource::new(move || {
        let (b, q) = (branch.get(), quarter.get());
        async move { api::feedback_list(&b, q.year, q.quarter).await }
    });
    let rules = LocalResource::new(move || {
        let b = branch.get();
        async move { api::rules(&b).await }
    });
    // Members on the posted board: whom feedback that names nobody can be about.
    let members = LocalResource::new(move || {
        let (b, q) = (branch.get(), quarter.get());
        let code = session
            .me
            .get_untracked()
            .filter(|m| m.home_branch_id == b)
            .and_then(|m| m.home_branch_code);
        async move {
            match code {
                Some(code) => api::board(&code, Some((q.year, q.quarter)))
                    .await
                    .map(|b| {
                        b.rows
                            .into_iter()
                            .map(|r| (r.member_id, r.member_name))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default(),
                None => Vec::new(),
            }
        }
    });

    let sign_off = Action::new_local(move |step: &&'static str| {
        let (b, q, step) = (branch.get_untracked(), quarter.get_untracked(), *step);
        async move { api::quarter_step(&b, q.year, q.quarter, step).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = sign_off.value().get() {
            status.refetch();
        }
    });
    let refresh = Callback::new(move |()| {
        feedback.refetch();
        status.refetch();
    });

    view! {
        <header class="page-header">
            <h1>{tr("季度审核", "Quarter")}</h1>
            <div class="year-switch">
                <button class="btn btn-mini" aria-label=tr("上一季度", "Previous quarter")
                    on:click=move |_| quarter.update(|q| *q = step(*q, -1))>"‹"</button>
                <span aria-live="polite" id="quarter-label">{move || { let q = quarter.get(); format!("{}Q{}", q.year, q.quarter) }}</span>
                <button class="btn btn-mini" aria-label=tr("下一季度", "Next quarter")
                    on:click=move |_| quarter.update(|q| *q = step(*q, 1))>"›"</button>
            </div>
        </header>
        {(branches.len() > 1).then(|| view! {
            <div class="filters">
                <select aria-label=tr("支部", "Branch") on:change=move |ev| branch.set(event_target_value(&ev))>
                    {branches.iter().map(|(id, name, _)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                </select>
            </div>
        })}
        <Transition fallback=|| view! { <LoadingState/> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) => view! {
                        <QuarterStatus status=s secretary=is_secretary() busy=sign_off.pending().into()
                            act=Callback::new(move |step| { sign_off.dispatch(step); })/>
                    }.into_any(),
                    Err(e) => view! { <ErrorState error=e retry=move || status.refetch()/> }.into_any(),
                }
            })}
        </Transition>
        {move || sign_off.value().get().and_then(Result::err).map(|e| view! {
            <p class="form-error" role="alert">{e.message(lang())}</p>
        })}
        <h2 class="section-title">{tr("群众意见", "Feedback from the masses")}</h2>
        <Transition fallback=|| view! { <LoadingState/> }>
            {move || Suspend::new(async move {
                let rules: Vec<RuleView> = rules.await.unwrap_or_default()
                    .into_iter().filter(|r| r.category == RuleCategory::Deduction && r.active).collect();
                let members = members.await;
                match feedback.await {
                    Ok(list) if list.is_empty() => view! {
                        <EmptyState text=Signal::derive(tr("这个季度还没有收到群众意见", "No feedback on this quarter"))/>
                    }.into_any(),
                    Ok(list) => view! {
                        <div id="feedback-list">
                            {list.into_iter().map(|f| view! {
                                <FeedbackItem feedback=f rules=rules.clone() members=members.clone() on_done=refresh/>
                            }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorState error=e retry=move || feedback.refetch()/> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Where the quarter stands; for the secretary, the one next step (sign, then post).
#[component]
fn QuarterStatus(
    status: QuarterReviewView,
    secretary: bool,
    busy: Signal<bool>,
    act: Callback<&'static str>,
) -> impl IntoView {
    let next = match (secretary, status.status.as_str()) {
        (true, "open") if status.pending_deeds == 0 => {
            Some(("sign", tr("书记签字确认", "Sign the quarter")))
        }
        (true, "signed") => Some(("publish", tr("张榜公布", "Post on the board"))),
        _ => None,
    };
    let (zh, en) = match status.status.as_str() {
        "signed" => ("已签字，待公示", "Signed, not yet posted"),
        "published" => ("已张榜公布", "Posted on the board"),
        _ => ("审核中", "Open"),
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
            <button id=step class="btn btn-primary" disabled=move || busy.get() on:click=move |_| act.run(step)>{label}</button>
        })}
    }
}

/// One piece of feedback; while undecided, the committee deducts or sets it aside.
#[component]
fn FeedbackItem(
    feedback: FeedbackView,
    rules: Vec<RuleView>,
    members: Vec<(String, String)>,
    on_done: Callback<()>,
) -> impl IntoView {
    let id = feedback.id.clone();
    let undecided = feedback.status == "received";
    let about_nobody = feedback.about_member_id.is_none();
    // No item is preselected: which deduction applies is the committee's deliberate choice.
    let rule_id = RwSignal::new(String::new());
    let points = RwSignal::new(String::new());
    let member = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let standard: Vec<(String, i32)> = rules
        .iter()
        .map(|r| (r.id.clone(), r.standard_points))
        .collect();

    let decide = Action::new_local(move |accept: &bool| {
        let (id, accept) = (id.clone(), *accept);
        let req = AcceptFeedbackRequest {
            rule_id: rule_id.get_untracked(),
            points: points.get_untracked().trim().parse().ok(),
            member_id: Some(member.get_untracked()).filter(|m| !m.is_empty()),
            reason: reason.get_untracked(),
        };
        async move {
            if accept {
                api::accept_feedback(&id, &req).await
            } else {
                api::dismiss_feedback(&id, req.reason).await
            }
        }
    });
    Effect::new(move |_| match decide.value().get() {
        Some(Ok(_)) => on_done.run(()),
        Some(Err(e)) => {
            errors.set(e.field_errors());
            failure.set(Some(e));
        }
        None => {}
    });
    let submit = move |accept: bool| {
        failure.set(None);
        let mut errs = Vec::new();
        if let Err(e) = Reason::parse(&reason.get_untracked()) {
            errs.push(field_error("reason", &e));
        }
        if accept && rule_id.get_untracked().is_empty() {
            errs.push(FieldError {
                field: "rule_id".into(),
                code: "rule.unknown".into(),
                message: lang()
                    .pick("请选择扣分项目", "Choose a deduction item")
                    .into(),
            });
        }
        if errs.is_empty() {
            errors.set(Vec::new());
            decide.dispatch(accept);
        } else {
            errors.set(errs);
        }
    };
    let (state_zh, state_en) = match feedback.status.as_str() {
        "accepted" => ("已扣分", "Deducted"),
        "dismissed" => ("未采纳", "Set aside"),
        _ => ("待处理", "Waiting"),
    };
    let reason_id = format!("reason-{}", feedback.id);
    view! {
        <div class="cells feedback-item">
            <div class="cell cell-top">
                <span class="cell-body">
                    <span class="cell-title">{feedback.about_member_name.clone().map(|n| view! { <span>{n}</span> }.into_any())
                        .unwrap_or_else(|| view! { <span>{tr("关于本季度公示整体", "About the whole board")}</span> }.into_any())}</span>
                    <span class="account">{feedback.body.clone()}</span>
                    <span class="hint">{crate::time::show(feedback.created_at)}
                        {feedback.contact.clone().map(|c| format!(" · {c}"))}</span>
                    {feedback.decision_reason.clone().map(|r| view! { <span class="hint">{tr("处理意见", "Decision")} ": " {r}</span> })}
                </span>
                <span class=format!("badge badge-feedback-{}", feedback.status)>{tr(state_zh, state_en)}</span>
            </div>
            {undecided.then(|| view! {
                <label class="cell" for=format!("rule-{}", feedback.id)>
                    <span class="cell-label">{tr("扣分项目", "Deduction")}</span>
                    <select id=format!("rule-{}", feedback.id) on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if let Some((_, p)) = standard.iter().find(|(id, _)| *id == v) {
                            points.set(p.to_string());
                        }
                        rule_id.set(v);
                    }>
                        <option value="">{tr("请选择", "Choose…")}</option>
                        {rules.iter().map(|r| view! { <option value=r.id.clone()>{format!("{} ({})", r.name, r.standard_points)}</option> }).collect_view()}
                    </select>
                </label>
                <FieldErrorText errors field="rule_id"/>
                <label class="cell" for=format!("points-{}", feedback.id)>
                    <span class="cell-label">{tr("扣分", "Points")}</span>
                    <input id=format!("points-{}", feedback.id) type="number" inputmode="numeric" bind:value=points/>
                </label>
                <FieldErrorText errors field="points"/>
                {about_nobody.then(|| view! {
                    <label class="cell" for=format!("member-{}", feedback.id)>
                        <span class="cell-label">{tr("党员", "Member")}</span>
                        <select id=format!("member-{}", feedback.id) on:change=move |ev| member.set(event_target_value(&ev))>
                            <option value="">{tr("请选择", "Choose…")}</option>
                            {members.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <FieldErrorText errors field="member_id"/>
                })}
                <label class="cell cell-top" for=reason_id.clone()>
                    <span class="cell-label">{tr("处理意见", "Reason")}</span>
                    <textarea id=reason_id.clone() rows="2" maxlength="500" bind:value=reason aria-describedby="err-reason"
                        placeholder=tr("核实情况，扣分或不采纳都须填写", "What was found; needed either way")></textarea>
                </label>
                <FieldErrorText errors field="reason"/>
                {move || failure.get().filter(|e| e.field_errors().is_empty()).map(|e| view! {
                    <p class="form-error" role="alert">{e.message(lang())}</p>
                })}
                <div class="cell actions">
                    <button class="btn btn-warn accept" disabled=move || decide.pending().get()
                        on:click=move |_| submit(true)>{tr("属实，扣分", "True: deduct")}</button>
                    <button class="btn btn-default dismiss" disabled=move || decide.pending().get()
                        on:click=move |_| submit(false)>{tr("不采纳", "Set aside")}</button>
                </div>
            })}
        </div>
    }
}
