//! The detail pane: the chosen deed, the member's points beside it, and the committee's decision.

use jifen_shared::api::{DeedHistory, DeedView, PointsSummary, RuleView};
use jifen_shared::domain::DeedStatus;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use super::decision::{DecidePending, DecisionInputs, RevokeApproval};
use super::evidence::EvidenceCheck;
use crate::api::{self, ApiError, Decision};
use crate::components::{FormError, FormSubmit, Loaded};
use crate::i18n::{lang, tr};
use crate::pages::deed::{DeedFacts, DeedHistorySection};
use crate::session::Session;

#[derive(Clone)]
struct Detail {
    deed: DeedView,
    history: DeedHistory,
    points: PointsSummary,
    rule: Option<RuleView>,
}

/// What is left under the rule's quarterly and yearly caps for this member.
fn cap_remaining(d: &Detail) -> Option<(Option<i32>, Option<i32>)> {
    let rule = d.rule.as_ref()?;
    let for_rule = || {
        d.points
            .entries
            .iter()
            .filter(|e| e.rule_id.as_deref() == Some(rule.id.as_str()))
    };
    let quarter_used: i32 = for_rule()
        .filter(|e| e.quarter == d.deed.quarter)
        .map(|e| e.points)
        .sum();
    let year_used: i32 = for_rule().map(|e| e.points).sum();
    let q = rule
        .cap_per_quarter
        .map(|c| (c - quarter_used.abs()).max(0));
    let y = rule.cap_per_year.map(|c| (c - year_used.abs()).max(0));
    (q.is_some() || y.is_some()).then_some((q, y))
}

#[component]
pub fn ReviewDetail(id: String, #[prop(into)] on_change: Callback<()>) -> impl IntoView {
    let session = expect_context::<Session>();
    let my_id = session.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let data = LocalResource::new(move || {
        let id = id.clone();
        async move {
            let deed = api::deed(&id).await?;
            let history = api::history(&id).await?;
            let points = api::points(&deed.member_id, deed.year).await?;
            let rule = api::rules(&deed.branch_id)
                .await?
                .into_iter()
                .find(|r| r.id == deed.rule_id);
            Ok::<Detail, ApiError>(Detail {
                deed,
                history,
                points,
                rule,
            })
        }
    });
    let points = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(Ok(d)) = data.get() {
            points.set(d.deed.points_claimed.to_string());
        }
    });
    let reason = RwSignal::new(String::new());
    let decide = FormSubmit::new(
        |(id, decision): &(String, Decision)| {
            let (id, decision) = (id.clone(), decision.clone());
            async move { api::decide(&id, decision).await }
        },
        move |_| {
            reason.set(String::new());
            data.refetch();
            on_change.run(());
        },
    );
    let inputs = DecisionInputs {
        points,
        reason,
        decide,
    };
    view! {
        <Loaded resource=data let:detail>
            <DeedUnderReview own={detail.deed.member_id == my_id}
                registered={detail.deed.registered_by.as_deref() == Some(my_id.as_str())} detail inputs/>
        </Loaded>
    }
}

#[component]
fn DeedUnderReview(
    detail: Detail,
    own: bool,
    registered: bool,
    inputs: DecisionInputs,
) -> impl IntoView {
    let caps = cap_remaining(&detail);
    let Detail {
        deed,
        history,
        points,
        ..
    } = detail;
    let (id, status) = (deed.id.clone(), deed.status);
    // Only the reviewing committee is sent it (never for its own deeds).
    let evidence = deed.evidence.clone();
    view! {
        <A href="/review" attr:class="back-link">{tr(Word::BackToList)}</A>
        <h2 class="deed-title">{deed.title.clone()} " · " {deed.member_name.clone()}</h2>
        <MemberPoints points caps/>
        <DeedFacts deed=deed/>
        {evidence.map(|evidence| view! { <EvidenceCheck evidence/> })}
        <FormError form=inputs.decide marks_no_fields=true/>
        {own.then(|| view! { <p class="notice">{tr(Word::OwnDeedHint)}</p> })}
        {(registered && !own).then(|| view! { <p class="notice">{tr(Word::RegistrarReviewHint)}</p> })}
        // Nobody decides a deed they reported or registered.
        {match (own || registered, status) {
            (false, DeedStatus::Submitted) => Some(view! { <DecidePending id inputs/> }.into_any()),
            (false, DeedStatus::Approved) => Some(view! { <RevokeApproval id inputs/> }.into_any()),
            _ => None,
        }}
        <DeedHistorySection events=history.events/>
    }
}

/// The member's year so far, and what the deed's rule still allows.
#[component]
fn MemberPoints(points: PointsSummary, caps: Option<(Option<i32>, Option<i32>)>) -> impl IntoView {
    view! {
        <div class="cells member-points">
            <div class="cell"><span class="cell-label">{tr(Word::TotalThisYear)}</span><span class="points">{points.total}</span></div>
            <div class="cell"><span class="cell-label">{tr(Word::OfWhichBonus)}</span><span>{points.bonus}</span></div>
            {caps.map(|(q, y)| view! {
                <div class="cell" id="cap-remaining"><span class="cell-label">{tr(Word::LeftUnderCap)}</span>
                    <span>
                        {q.map(|q| format!("{}: {q}", Word::DetailQuarter.text(lang())))}
                        {y.map(|y| format!(" {}: {y}", Word::DetailYear.text(lang())))}
                    </span>
                </div>
            })}
        </div>
    }
}
