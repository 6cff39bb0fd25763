//! The masses' feedback on a posted quarter; the committee turns each into a deduction or sets it
//! aside, with a reason.

use jifen_shared::api::{AcceptFeedbackRequest, FeedbackView, RuleView};
use jifen_shared::domain::{CycleQuarter, FeedbackStatus, Reason, RuleCategory};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    field_error, field_message, FieldErrorText, FormError, FormSubmit, Loaded,
};
use crate::i18n::tr;
use crate::session::Session;

/// A quarter's feedback, with what deciding it needs: the branch's deduction items, and the
/// members on the posted board (whom feedback that names nobody can be about).
#[derive(Clone)]
struct Desk {
    list: Vec<FeedbackView>,
    rules: Vec<RuleView>,
    members: Vec<(String, String)>,
}

#[component]
pub fn FeedbackDesk(
    branch: RwSignal<String>,
    quarter: RwSignal<CycleQuarter>,
    /// A piece of feedback was decided (the quarter's standing may have changed).
    #[prop(into)]
    on_decided: Callback<()>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let feedback = LocalResource::new(move || {
        let (b, q) = (branch.get(), quarter.get());
        async move { api::feedback_list(&b, q.year, q.quarter).await }
    });
    let rules = LocalResource::new(move || {
        let b = branch.get();
        async move { api::rules(&b).await }
    });
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
    // Only puts the three together: a reload of any of them shows here.
    let desk = LocalResource::new(move || async move {
        let rules = rules
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.category == RuleCategory::Deduction && r.active)
            .collect();
        let members = members.await;
        let list = feedback.await?;
        Ok(Desk {
            list,
            rules,
            members,
        })
    });
    let on_done = Callback::new(move |()| {
        feedback.refetch();
        on_decided.run(());
    });
    view! {
        <Loaded resource=desk retry=move || feedback.refetch() empty_when={|d: &Desk| d.list.is_empty()}
            empty=tr(Word::NoFeedbackOnThisQuarter) let:desk>
            <div id="feedback-list">
                {desk.list.into_iter().map(|feedback| view! {
                    <FeedbackItem feedback rules=desk.rules.clone() members=desk.members.clone() on_done/>
                }).collect_view()}
            </div>
        </Loaded>
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
    let undecided = feedback.status == FeedbackStatus::Received;
    let (id, about_nobody) = (feedback.id.clone(), feedback.about_member_id.is_none());
    view! {
        <div class="cells feedback-item">
            <FeedbackSummary feedback/>
            {undecided.then(|| view! {
                <FeedbackDecision id rules members=about_nobody.then_some(members) on_done/>
            })}
        </div>
    }
}

#[component]
fn FeedbackSummary(feedback: FeedbackView) -> impl IntoView {
    let state = match feedback.status {
        FeedbackStatus::Received => Word::Waiting,
        FeedbackStatus::Accepted => Word::Deducted,
        FeedbackStatus::Dismissed => Word::FeedbackSetAside,
    };
    view! {
        <div class="cell cell-top">
            <span class="cell-body">
                <span class="cell-title">{feedback.about_member_name.clone().map(|n| view! { <span>{n}</span> }.into_any())
                    .unwrap_or_else(|| view! { <span>{tr(Word::AboutTheWholeBoard)}</span> }.into_any())}</span>
                <span class="account">{feedback.body.clone()}</span>
                <span class="hint">{crate::time::show(feedback.created_at)}
                    {feedback.contact.clone().map(|c| format!(" · {c}"))}</span>
                {feedback.decision_reason.clone().map(|r| view! { <span class="hint">{tr(Word::Decision)} ": " {r}</span> })}
            </span>
            <span class=format!("badge badge-feedback-{}", feedback.status.as_str())>{tr(state)}</span>
        </div>
    }
}

/// Deduct (a deduction item, its points, the member when the feedback names nobody) or set
/// aside; a reason either way. No item is preselected: which deduction applies is the
/// committee's deliberate choice.
#[component]
fn FeedbackDecision(
    id: String,
    rules: Vec<RuleView>,
    /// The members to choose from, when the feedback names nobody.
    members: Option<Vec<(String, String)>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let rule_id = RwSignal::new(String::new());
    let points = RwSignal::new(String::new());
    let member = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let field = |name: &str| format!("{name}-{id}");
    let (rule_field, points_field, member_field, reason_field) = (
        field("rule"),
        field("points"),
        field("member"),
        field("reason"),
    );
    let decide = FormSubmit::new(
        move |accept: &bool| {
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
        },
        move |_| on_done.run(()),
    );
    let errors = decide.errors;
    let submit = move |accept: bool| {
        let mut found = Vec::new();
        if let Err(e) = Reason::parse(&reason.get_untracked()) {
            found.push(field_error("reason", &e));
        }
        if accept && rule_id.get_untracked().is_empty() {
            found.push(field_message(
                "rule_id",
                "rule.unknown",
                Word::ChooseADeductionItem,
            ));
        }
        decide.submit(found, accept);
    };
    let standard: Vec<(String, i32)> = rules
        .iter()
        .map(|r| (r.id.clone(), r.standard_points))
        .collect();
    let choose_rule = move |ev| {
        let v = event_target_value(&ev);
        if let Some((_, p)) = standard.iter().find(|(id, _)| *id == v) {
            points.set(p.to_string());
        }
        rule_id.set(v);
    };
    let choose = tr(Word::Choose);
    view! {
        <label class="cell" for=rule_field.clone()>
            <span class="cell-label">{tr(Word::FeedbackDeduction)}</span>
            <select id=rule_field.clone() on:change=choose_rule>
                <option value="">{choose}</option>
                {rules.into_iter().map(|r| view! { <option value=r.id>{format!("{} ({})", r.name, r.standard_points)}</option> }).collect_view()}
            </select>
        </label>
        <FieldErrorText errors field="rule_id"/>
        <label class="cell" for=points_field.clone()>
            <span class="cell-label">{tr(Word::FeedbackPoints)}</span>
            <input id=points_field.clone() type="number" inputmode="numeric" bind:value=points/>
        </label>
        <FieldErrorText errors field="points"/>
        {members.map(|members| view! {
            <label class="cell" for=member_field.clone()>
                <span class="cell-label">{tr(Word::Member)}</span>
                <select id=member_field.clone() on:change=move |ev| member.set(event_target_value(&ev))>
                    <option value="">{choose}</option>
                    {members.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </label>
            <FieldErrorText errors field="member_id"/>
        })}
        <label class="cell cell-top" for=reason_field.clone()>
            <span class="cell-label">{tr(Word::FeedbackReason)}</span>
            <textarea id=reason_field.clone() rows="2" maxlength="500" bind:value=reason aria-describedby="err-reason"
                placeholder=tr(Word::DecisionReasonHint)></textarea>
        </label>
        <FieldErrorText errors field="reason"/>
        <FormError form=decide/>
        <div class="cell actions">
            <button class="btn btn-warn accept" disabled=move || decide.pending().get()
                on:click=move |_| submit(true)>{tr(Word::TrueDeduct)}</button>
            <button class="btn btn-default dismiss" disabled=move || decide.pending().get()
                on:click=move |_| submit(false)>{tr(Word::SetAside)}</button>
        </div>
    }
}
