//! Deductions the committee decides (违规扣分), with two people: one committee member proposes (the
//! member, a deduction item of the catalogue, the points, the reason the member will read), and
//! the proposals waiting for a second signature are listed below, each with 确认扣分 for anyone
//! but its proposer, or 不予扣分 with a reason. Made for a tablet at the committee's meeting.

use jifen_shared::api::{DeductionView, ProposeDeductionRequest, RuleView};
use jifen_shared::domain::{CycleQuarter, Reason, RuleCategory};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    field_error, field_message, my_branches, BranchPicker, EmptyState, FieldErrorText, FormError,
    FormSubmit, Loaded,
};
use crate::i18n::{lang, tr};
use crate::session::Session;

/// What proposing needs: the branch's members (but oneself) and its active deduction items.
#[derive(Clone)]
struct Choices {
    members: Vec<(String, String)>,
    rules: Vec<RuleView>,
}

#[component]
pub fn DeductionsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = my_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let me = session.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let me = StoredValue::new(me);
    let choices = LocalResource::new(move || {
        let b = branch.get();
        let year = CycleQuarter::of(chrono::Utc::now()).year;
        async move {
            let members = api::year(&b, year).await?.members;
            let rules = api::rules(&b).await?;
            Ok(Choices {
                members: members
                    .into_iter()
                    .filter(|m| me.with_value(|me| *me != m.id))
                    .map(|m| (m.id, m.name))
                    .collect(),
                rules: rules
                    .into_iter()
                    .filter(|r| r.category == RuleCategory::Deduction && r.active)
                    .collect(),
            })
        }
    });
    let waiting = LocalResource::new(move || {
        let b = branch.get();
        async move { api::waiting_deductions(&b).await.map(|p| p.items) }
    });
    view! {
        <header class="page-header"><h1>{tr(Word::Deductions)}</h1></header>
        <BranchPicker branches branch/>
        <h2 class="section-title">{tr(Word::ProposeDeduction)}</h2>
        <p class="field-hint">{tr(Word::DeductionProposeHint)}</p>
        <Loaded resource=choices let:choices>
            <ProposeForm choices on_proposed=move || waiting.refetch()/>
        </Loaded>
        <h2 class="section-title">{tr(Word::AwaitingSecondSignature)}</h2>
        <section id="deductions-waiting" aria-label=tr(Word::AwaitingSecondSignature)>
            <Loaded resource=waiting let:items>
                {if items.is_empty() {
                    view! { <EmptyState text=tr(Word::NoDeductionsWaiting)/> }.into_any()
                } else {
                    items.into_iter().map(|deduction| view! {
                        <WaitingDeduction deduction me=me.get_value() on_decided=move || waiting.refetch()/>
                    }).collect_view().into_any()
                }}
            </Loaded>
        </section>
    }
}

/// Chooses the member, the item (its standard points filled in, which may be changed) and the
/// reason. No member or item is preselected: each is the committee's deliberate choice.
#[component]
fn ProposeForm(choices: Choices, #[prop(into)] on_proposed: Callback<()>) -> impl IntoView {
    let member = RwSignal::new(String::new());
    let rule_id = RwSignal::new(String::new());
    let points = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(None::<&'static str>);
    let propose = FormSubmit::new(
        move |(member, req): &(String, ProposeDeductionRequest)| {
            let (member, req) = (member.clone(), req.clone());
            async move { api::propose_deduction(&member, &req).await }
        },
        move |_| {
            note.set(Some(Word::DeductionProposedNotice.text(lang())));
            reason.set(String::new());
            on_proposed.run(());
        },
    );
    let errors = propose.errors;
    let submit = move |_| {
        note.set(None);
        let mut found = Vec::new();
        if member.get_untracked().is_empty() {
            found.push(field_message(
                "member_id",
                "member.unknown",
                Word::ChooseAMemberOfThisBranch,
            ));
        }
        if rule_id.get_untracked().is_empty() {
            found.push(field_message(
                "rule_id",
                "rule.unknown",
                Word::ChooseADeductionItem,
            ));
        }
        if let Err(e) = Reason::parse(&reason.get_untracked()) {
            found.push(field_error("reason", &e));
        }
        let req = ProposeDeductionRequest {
            rule_id: rule_id.get_untracked(),
            points: points.get_untracked().trim().parse().ok(),
            reason: reason.get_untracked(),
            feedback_id: None,
        };
        propose.submit(found, (member.get_untracked(), req));
    };
    let standard: Vec<(String, i32)> = choices
        .rules
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
        <div class="cells" id="deduction-form">
            <label class="cell" for="deduction-member">
                <span class="cell-label">{tr(Word::Member)}</span>
                <select id="deduction-member" aria-describedby="err-member_id"
                    on:change=move |ev| member.set(event_target_value(&ev))>
                    <option value="">{choose}</option>
                    {choices.members.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
            </label>
            <FieldErrorText errors field="member_id"/>
            <label class="cell" for="deduction-rule">
                <span class="cell-label">{tr(Word::FeedbackDeduction)}</span>
                <select id="deduction-rule" aria-describedby="err-rule_id" on:change=choose_rule>
                    <option value="">{choose}</option>
                    {choices.rules.into_iter().map(|r| view! {
                        <option value=r.id>{format!("{} ({})", r.name, r.standard_points)}</option>
                    }).collect_view()}
                </select>
            </label>
            <FieldErrorText errors field="rule_id"/>
            <label class="cell" for="deduction-points">
                <span class="cell-label">{tr(Word::FeedbackPoints)}</span>
                <input id="deduction-points" type="number" inputmode="numeric" max="-1"
                    aria-describedby="err-points" bind:value=points/>
            </label>
            <FieldErrorText errors field="points"/>
            <label class="cell cell-top" for="deduction-reason">
                <span class="cell-label">{tr(Word::FeedbackReason)}</span>
                <textarea id="deduction-reason" rows="3" maxlength="500" bind:value=reason
                    aria-describedby="err-reason" placeholder=tr(Word::DeductionReasonHint)></textarea>
            </label>
            <FieldErrorText errors field="reason"/>
            <FormError form=propose/>
            {move || note.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            <div class="cell actions">
                <button class="btn btn-warn" id="propose-deduction"
                    disabled=move || propose.pending().get() on:click=submit>
                    {tr(Word::ProposeButton)}</button>
            </div>
        </div>
    }
}

/// A proposal waiting for a second signature: what, about whom, why, who proposed it; 确认扣分 for
/// anyone but the proposer (and the member it is about), 不予扣分 with a reason for anyone but
/// that member.
#[component]
fn WaitingDeduction(
    deduction: DeductionView,
    me: String,
    #[prop(into)] on_decided: Callback<()>,
) -> impl IntoView {
    let id = StoredValue::new(deduction.id.clone());
    let reason = RwSignal::new(String::new());
    let item = format!("deduction-{}", deduction.id);
    let field = format!("deduction-drop-{}", deduction.id);
    let decide = FormSubmit::new(
        move |drop_reason: &Option<String>| {
            let (id, drop_reason) = (id.get_value(), drop_reason.clone());
            async move {
                match drop_reason {
                    None => api::confirm_deduction(&id).await,
                    Some(reason) => api::drop_deduction(&id, reason).await,
                }
            }
        },
        move |_| on_decided.run(()),
    );
    let errors = decide.errors;
    let confirm = move |_| decide.send(None);
    let drop_it = move |_| {
        let text = reason.get_untracked();
        let found = Reason::parse(&text)
            .err()
            .map(|e| vec![field_error("reason", &e)])
            .unwrap_or_default();
        decide.submit(found, Some(text));
    };
    let about_me = deduction.member_id == me;
    let mine = deduction.proposed_by == me;
    let by = Word::DeductionProposedBy.fill(
        lang(),
        &[
            ("name", &deduction.proposed_by_name),
            ("time", &crate::time::show(deduction.proposed_at)),
        ],
    );
    view! {
        <div class="cells deduction-item" id=item>
            <div class="cell cell-top">
                <span class="cell-body">
                    <span class="cell-title">{deduction.member_name.clone()} " · "
                        {deduction.rule_name.clone()} {format!(" ({})", deduction.points)}</span>
                    <span class="account">{deduction.reason.clone()}</span>
                    <span class="hint">{by}</span>
                </span>
                <span class="badge badge-deduction-proposed">{tr(Word::AwaitingSecondSignature)}</span>
            </div>
            {if about_me {
                view! { <p class="field-hint">{tr(Word::OwnDeduction)}</p> }.into_any()
            } else {
                view! {
                    {mine.then(|| view! { <p class="field-hint">{tr(Word::YouProposedThis)}</p> })}
                    <label class="cell cell-top" for=field.clone()>
                        <span class="cell-label">{tr(Word::DropReasonHint)}</span>
                        <textarea id=field.clone() class="drop-reason" rows="2" maxlength="500"
                            bind:value=reason placeholder=tr(Word::DropReasonHint)></textarea>
                    </label>
                    <FieldErrorText errors field="reason"/>
                    <FormError form=decide/>
                    <div class="cell button-row">
                        <button class="btn btn-default drop" disabled=move || decide.pending().get()
                            on:click=drop_it>{tr(Word::DropDeduction)}</button>
                        {(!mine).then(|| view! {
                            <button class="btn btn-warn confirm" disabled=move || decide.pending().get()
                                on:click=confirm>{tr(Word::ConfirmDeduction)}</button>
                        })}
                    </div>
                }.into_any()
            }}
        </div>
    }
}
