//! The committee's decision on a deed. The inputs use prop:value + on:input rather than
//! bind:value: this view is rebuilt after every decision, and a bind: inside a re-rendered
//! Suspend panics on a disposed value (Leptos 0.8).

use jifen_shared::api::DeedView;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api::Decision;
use crate::components::FormSubmit;
use crate::i18n::{lang, tr};

/// The committee's inputs, kept across the reloads after each decision.
#[derive(Clone, Copy)]
pub struct DecisionInputs {
    /// The points to award; starts at what the member claimed.
    pub points: RwSignal<String>,
    pub reason: RwSignal<String>,
    pub decide: FormSubmit<(String, Decision), DeedView>,
}

const COMMON_REASONS: &[Word] = &[
    Word::ReasonAddTimeAndPlace,
    Word::ReasonAddPhoto,
    Word::ReasonDuplicate,
    Word::ReasonNotCovered,
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
                <span class="cell-label">{tr(Word::PointsToAward)}</span>
                <input id="award-points" type="number" inputmode="numeric" prop:value=move || points.get()
                    on:input=move |ev| points.set(event_target_value(&ev))/>
            </label>
            <button class="btn btn-primary" id="approve" disabled=move || decide.pending().get()
                on:click=approve>{tr(Word::Approve)}</button>
            <ReasonBox reason label=tr(Word::Reason) placeholder=tr(Word::RequiredToReturnOrReject)/>
            <div class="chips" role="group" aria-label=tr(Word::CommonReasons)>
                {COMMON_REASONS.iter().map(|&word| view! {
                    <button type="button" class="chip" on:click=move |_| reason.set(word.text(lang()).to_owned())>
                        {tr(word)}</button>
                }).collect_view()}
            </div>
            <div class="button-row">
                <button class="btn btn-default" id="return" disabled=move || decide.pending().get()
                    on:click=with_reason(|reason| Decision::Return { reason })>{tr(Word::Return)}</button>
                <button class="btn btn-warn" id="reject" disabled=move || decide.pending().get()
                    on:click=with_reason(|reason| Decision::Reject { reason })>{tr(Word::Reject)}</button>
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
            <ReasonBox reason label=tr(Word::WhyRevoke)/>
            <button class="btn btn-warn" id="revoke" disabled=move || decide.pending().get()
                on:click=revoke>{tr(Word::RevokeApproval)}</button>
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
