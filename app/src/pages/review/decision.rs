//! The committee's decision on a deed. The inputs use prop:value + on:input rather than
//! bind:value: this view is rebuilt after every decision, and a bind: inside a re-rendered
//! Suspend panics on a disposed value (Leptos 0.8).

use leptos::prelude::*;

use super::detail::DecisionInputs;
use crate::api::Decision;
use crate::i18n::{lang, tr};

const COMMON_REASONS: &[(&str, &str)] = &[
    (
        "请补充具体时间和地点",
        "Please add the exact time and place",
    ),
    ("请补充现场照片", "Please add a photo"),
    ("与已申报事项重复", "Duplicates an earlier report"),
    ("不符合本支部积分细则", "Not covered by the branch's rules"),
];

/// A pending deed: approve with adjustable points, or return or reject with a reason.
#[component]
pub fn DecidePending(id: String, inputs: DecisionInputs) -> impl IntoView {
    let DecisionInputs {
        points,
        reason,
        decide,
    } = inputs;
    let id = StoredValue::new(id);
    let dispatch = move |decision: Decision| decide.send((id.get_value(), decision));
    let with_reason = move |decision: fn(String) -> Decision| {
        move |_: leptos::ev::MouseEvent| dispatch(decision(reason.get_untracked()))
    };
    let approve = move |_| {
        let points = points.get_untracked().trim().parse::<i32>().ok();
        dispatch(Decision::Approve { points });
    };
    view! {
        <div class="review-actions">
            <label class="cell" for="award-points">
                <span class="cell-label">{tr("核定分值", "Points to award")}</span>
                <input id="award-points" type="number" inputmode="numeric" prop:value=move || points.get()
                    on:input=move |ev| points.set(event_target_value(&ev))/>
            </label>
            <button class="btn btn-primary" id="approve" disabled=move || decide.pending().get()
                on:click=approve>{tr("通过", "Approve")}</button>
            <ReasonBox reason label=tr("意见", "Reason") placeholder=tr("退回或不通过时必须填写", "Required to return or reject")/>
            <div class="chips" role="group" aria-label=tr("常用意见", "Common reasons")>
                {COMMON_REASONS.iter().map(|(zh, en)| view! {
                    <button type="button" class="chip" on:click=move |_| reason.set(lang().pick(zh, en).to_owned())>
                        {tr(zh, en)}</button>
                }).collect_view()}
            </div>
            <div class="button-row">
                <button class="btn btn-default" id="return" disabled=move || decide.pending().get()
                    on:click=with_reason(|reason| Decision::Return { reason })>{tr("退回补充", "Return")}</button>
                <button class="btn btn-warn" id="reject" disabled=move || decide.pending().get()
                    on:click=with_reason(|reason| Decision::Reject { reason })>{tr("不通过", "Reject")}</button>
            </div>
        </div>
    }
}

/// An approved deed: the committee may take the approval back, with a reason.
#[component]
pub fn RevokeApproval(id: String, inputs: DecisionInputs) -> impl IntoView {
    let DecisionInputs { reason, decide, .. } = inputs;
    let revoke = move |_| {
        let reason = reason.get_untracked();
        decide.send((id.clone(), Decision::Revoke { reason }));
    };
    view! {
        <div class="review-actions">
            <ReasonBox reason label=tr("撤销理由", "Why revoke")/>
            <button class="btn btn-warn" id="revoke" disabled=move || decide.pending().get()
                on:click=revoke>{tr("撤销通过", "Revoke approval")}</button>
        </div>
    }
}

/// The committee's reason, required for anything but an approval.
#[component]
fn ReasonBox(
    reason: RwSignal<String>,
    #[prop(into)] label: Signal<&'static str>,
    #[prop(optional, into)] placeholder: Option<Signal<&'static str>>,
) -> impl IntoView {
    view! {
        <label class="cell cell-top" for="reason">
            <span class="cell-label">{label}</span>
            <textarea id="reason" rows="2" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))
                placeholder=placeholder></textarea>
        </label>
    }
}
