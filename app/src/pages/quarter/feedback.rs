//! The masses' feedback on a posted quarter; the committee turns each into a proposed deduction
//! (which a second committee member confirms on the deductions screen) or sets it aside, with a
//! reason. The list comes a page at a time, oldest first, filtered by status; a
//! flood of spam is chosen several at a time and set aside at once.

use std::collections::BTreeSet;

use jifen_shared::api::{
    AcceptFeedbackRequest, BulkDismissRequest, FeedbackCounts, FeedbackView, RuleView,
};
use jifen_shared::domain::{CycleQuarter, DeductionStatus, FeedbackStatus, Reason, RuleCategory};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::{
    field_error, field_message, FieldErrorText, FormError, FormSubmit, Loaded, PagedList,
};
use crate::i18n::{lang, tr};

/// What deciding feedback needs: the branch's deduction items, and its members (whom feedback
/// that names nobody can be about).
#[derive(Clone)]
struct Tools {
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
    let rules = LocalResource::new(move || {
        let b = branch.get();
        async move { api::rules(&b).await }
    });
    // The branch's members as its committee knows them (the public board may mask names).
    let members = LocalResource::new(move || {
        let (b, q) = (branch.get(), quarter.get());
        async move {
            api::year(&b, q.year).await.map(|y| {
                y.members
                    .into_iter()
                    .map(|m| (m.id, m.name))
                    .collect::<Vec<_>>()
            })
        }
    });
    // Only puts the two together: a reload of either shows here.
    let tools = LocalResource::new(move || async move {
        let rules = rules
            .await?
            .into_iter()
            .filter(|r| r.category == RuleCategory::Deduction && r.active)
            .collect();
        Ok(Tools {
            rules,
            members: members.await?,
        })
    });
    let status = RwSignal::new(None::<FeedbackStatus>);
    let counts = RwSignal::new(None::<FeedbackCounts>);
    let selected = RwSignal::new(BTreeSet::<String>::new());
    // The waiting feedback on screen, for choosing all of it at once.
    let shown_waiting = RwSignal::new(Vec::<String>::new());
    let reload = Trigger::new();
    // Read when the first page is (re)read: another branch, quarter or filter starts over.
    let fetch = move |cursor: Option<String>| {
        let first = cursor.is_none();
        let (b, q, s) = if first {
            (branch.get(), quarter.get(), status.get())
        } else {
            (
                branch.get_untracked(),
                quarter.get_untracked(),
                status.get_untracked(),
            )
        };
        async move {
            let page = api::feedback_list(&b, q.year, q.quarter, s, cursor).await?;
            counts.set(Some(page.counts.clone()));
            let waiting = page
                .items
                .iter()
                .filter(|f| f.status == FeedbackStatus::Received)
                .map(|f| f.id.clone());
            if first {
                shown_waiting.set(waiting.collect());
                selected.set(BTreeSet::new());
            } else {
                shown_waiting.update(|all| all.extend(waiting));
            }
            Ok((page.items, page.next_cursor))
        }
    };
    let on_done = Callback::new(move |()| {
        reload.notify();
        on_decided.run(());
    });
    view! {
        <FeedbackFilter status counts/>
        <BulkDismiss branch quarter selected shown_waiting on_done/>
        <Loaded resource=tools let:tools>
            <PagedList fetch reload id="feedback-list"
                key=|f: &FeedbackView| (f.id.clone(), f.status)
                empty=tr(Word::NoFeedbackOnThisQuarter) more=tr(Word::LoadMore) let:feedback>
                <FeedbackItem feedback rules=tools.rules.clone() members=tools.members.clone()
                    selected on_done/>
            </PagedList>
        </Loaded>
    }
}

/// Which feedback is listed, and how much there is of each.
#[component]
fn FeedbackFilter(
    status: RwSignal<Option<FeedbackStatus>>,
    counts: RwSignal<Option<FeedbackCounts>>,
) -> impl IntoView {
    const CHOICES: [(Option<FeedbackStatus>, Word); 4] = [
        (None, Word::All),
        (Some(FeedbackStatus::Received), Word::Waiting),
        (Some(FeedbackStatus::Accepted), Word::Deducted),
        (Some(FeedbackStatus::Dismissed), Word::FeedbackSetAside),
    ];
    view! {
        <div class="filters">
            <label>
                <span class="sr-only">{tr(Word::Status)}</span>
                <select id="feedback-status"
                    on:change=move |ev| status.set(event_target_value(&ev).parse().ok())>
                    {CHOICES.map(|(s, word)| view! {
                        <option value=s.map(|s| s.as_str()).unwrap_or_default()
                            selected=move || status.get() == s>{tr(word)}</option>
                    }).collect_view()}
                </select>
            </label>
            <span class="hint" id="feedback-counts">{move || counts.get().map(|c| Word::FeedbackCountsLine.fill(lang(), &[
                ("received", &c.received), ("accepted", &c.accepted), ("dismissed", &c.dismissed),
            ]))}</span>
        </div>
    }
}

/// Chooses all waiting feedback shown, and sets the chosen aside with one reason.
#[component]
fn BulkDismiss(
    branch: RwSignal<String>,
    quarter: RwSignal<CycleQuarter>,
    selected: RwSignal<BTreeSet<String>>,
    shown_waiting: RwSignal<Vec<String>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(None::<String>);
    let dismiss = FormSubmit::new(
        move |ids: &Vec<String>| {
            let (b, q) = (branch.get_untracked(), quarter.get_untracked());
            let req = BulkDismissRequest {
                ids: ids.clone(),
                reason: reason.get_untracked(),
            };
            async move { api::dismiss_many_feedback(&b, q.year, q.quarter, &req).await }
        },
        move |done: jifen_shared::api::BulkDismissed| {
            note.set(Some(
                Word::FeedbackBulkDone.fill(lang(), &[("n", &done.dismissed.len())]),
            ));
            reason.set(String::new());
            selected.set(BTreeSet::new());
            on_done.run(());
        },
    );
    let errors = dismiss.errors;
    let submit = move |_| {
        let mut found = Vec::new();
        if let Err(e) = Reason::parse(&reason.get_untracked()) {
            found.push(field_error("reason", &e));
        }
        dismiss.submit(found, selected.get_untracked().into_iter().collect());
    };
    view! {
        <Show when=move || shown_waiting.with(|w| !w.is_empty())>
            <div class="cell actions">
                <button class="btn btn-mini" id="feedback-select-shown"
                    on:click=move |_| selected.set(shown_waiting.get_untracked().into_iter().collect())>
                    {tr(Word::FeedbackSelectShown)}</button>
            </div>
        </Show>
        <Show when=move || selected.with(|s| !s.is_empty())>
            <div class="batch-bar cells" id="feedback-bulk">
                <label class="cell cell-top" for="feedback-bulk-reason">
                    <span class="cell-label">{tr(Word::FeedbackReason)}</span>
                    <textarea id="feedback-bulk-reason" rows="2" maxlength="500" bind:value=reason
                        placeholder=tr(Word::FeedbackBulkReasonHint)></textarea>
                </label>
                <FieldErrorText errors field="reason"/>
                <FieldErrorText errors field="ids"/>
                <FormError form=dismiss/>
                <div class="cell actions">
                    <button class="btn btn-warn" id="feedback-dismiss-selected"
                        disabled=move || dismiss.pending().get() on:click=submit>
                        {move || Word::FeedbackSetAsideSelected.fill(lang(), &[("n", &selected.with(BTreeSet::len))])}
                    </button>
                </div>
            </div>
        </Show>
        {move || note.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
    }
}

/// One piece of feedback; while undecided, the committee deducts or sets it aside, or checks it
/// to set aside with others.
#[component]
fn FeedbackItem(
    feedback: FeedbackView,
    rules: Vec<RuleView>,
    members: Vec<(String, String)>,
    selected: RwSignal<BTreeSet<String>>,
    on_done: Callback<()>,
) -> impl IntoView {
    let undecided = feedback.status == FeedbackStatus::Received;
    let (id, about_nobody) = (feedback.id.clone(), feedback.about_member_id.is_none());
    let check = undecided.then(|| {
        let label = format!("{} {}", Word::Select.text(lang()), feedback.body);
        let (id, id_toggle) = (id.clone(), id.clone());
        let toggle = move |_| {
            selected.update(|s| {
                if !s.remove(&id_toggle) {
                    s.insert(id_toggle.clone());
                }
            })
        };
        view! {
            <label class="cell">
                <input type="checkbox" class="check feedback-pick" aria-label=label
                    prop:checked=move || selected.with(|s| s.contains(&id)) on:change=toggle/>
                <span class="hint">{tr(Word::Select)}</span>
            </label>
        }
    });
    view! {
        <div class="cells feedback-item">
            {check}
            <FeedbackSummary feedback/>
            {undecided.then(|| view! {
                <FeedbackDecision id rules members=about_nobody.then_some(members) on_done/>
            })}
        </div>
    }
}

/// An accepted feedback's deduction waits for a second committee member's signature before it
/// counts; until then it says so, and leads to the deductions screen where it is confirmed.
#[component]
fn FeedbackSummary(feedback: FeedbackView) -> impl IntoView {
    let awaiting = feedback.status == FeedbackStatus::Accepted
        && feedback.deduction_status == Some(DeductionStatus::Proposed);
    let (state, badge) = match feedback.status {
        FeedbackStatus::Received => (Word::Waiting, "received"),
        FeedbackStatus::Accepted if awaiting => (Word::AwaitingSecondSignature, "awaiting"),
        FeedbackStatus::Accepted => (Word::Deducted, "accepted"),
        FeedbackStatus::Dismissed => (Word::FeedbackSetAside, "dismissed"),
    };
    view! {
        <div class="cell cell-top">
            <span class="cell-body">
                <span class="cell-title">{feedback.about_member_name.clone().map(|n| view! { <span>{n}</span> }.into_any())
                    .unwrap_or_else(|| view! { <span>{tr(Word::AboutTheWholeBoard)}</span> }.into_any())}</span>
                <span class="account">{feedback.body.clone()}</span>
                <span class="hint">{crate::time::show(feedback.created_at)}
                    {feedback.contact.clone().map(|c| format!(" · {c}"))}
                    {feedback.sender.clone().map(|t| format!(" · {}", Word::FeedbackSender.fill(lang(), &[("sender", &t)])))}</span>
                {feedback.decision_reason.clone().map(|r| view! { <span class="hint">{tr(Word::Decision)} ": " {r}</span> })}
            </span>
            <span class=format!("badge badge-feedback-{badge}")>{tr(state)}</span>
        </div>
        {awaiting.then(|| view! {
            <A href="/deductions" attr:class="cell cell-link to-deductions">
                <span class="cell-label">{tr(Word::Deductions)}</span>
                <span>{tr(Word::AwaitingSecondSignature)}</span>
            </A>
        })}
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
