//! Appeals (积分申述). The committee's screen lists the appeals of the branches it reviews: those
//! waiting, each with what was decided, the member's reason and, for someone who may decide it,
//! the reason box with "uphold" and "overturn"; below, those decided. The member's side (the
//! form and the state of an appeal) lives in [`member`], shown on the deed and points screens.

pub mod member;

use jifen_shared::api::{AppealPage, AppealView};
use jifen_shared::domain::{AppealStatus, Reason};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use self::member::status_badge;
use crate::api;
use crate::components::{field_error, EmptyState, FieldErrorText, FormError, FormSubmit, Loaded};
use crate::i18n::tr;

#[component]
pub fn AppealsPage() -> impl IntoView {
    let list = LocalResource::new(|| api::appeals(true));
    view! {
        <header class="page-header">
            <h1>{tr(Word::Appeals)}</h1>
            <A href="/review" attr:class="btn btn-mini">{tr(Word::ReviewDeeds)}</A>
        </header>
        <Loaded resource=list let:page>
            <AppealLists page on_decided=move || list.refetch()/>
        </Loaded>
    }
}

#[component]
fn AppealLists(page: AppealPage, #[prop(into)] on_decided: Callback<()>) -> impl IntoView {
    let (waiting, decided): (Vec<_>, Vec<_>) = page
        .items
        .into_iter()
        .partition(|a| a.status == AppealStatus::Waiting);
    view! {
        <section id="appeals-waiting" aria-label=tr(Word::AppealWaiting)>
            {if waiting.is_empty() {
                view! { <EmptyState text=tr(Word::AppealsNoneWaiting)/> }.into_any()
            } else {
                waiting.into_iter().map(|appeal| view! { <WaitingAppeal appeal on_decided/> })
                    .collect_view().into_any()
            }}
        </section>
        <h2 class="section-title">{tr(Word::AppealsDecided)}</h2>
        <section id="appeals-decided">
            {if decided.is_empty() {
                view! { <EmptyState text=tr(Word::AppealsNoneDecided)/> }.into_any()
            } else {
                decided.into_iter().map(|appeal| {
                    let id = format!("appeal-{}", appeal.id);
                    view! { <div class="cells appeal-item" id=id><AppealFacts appeal/></div> }
                }).collect_view().into_any()
            }}
        </section>
    }
}

/// What was appealed, by whom and why, and where it stands.
#[component]
fn AppealFacts(appeal: AppealView) -> impl IntoView {
    let kind = if appeal.deed_id.is_some() {
        Word::AppealDeedKind
    } else {
        Word::AppealDeductionKind
    };
    let subject = match &appeal.deed_id {
        Some(deed) => {
            view! { <A href=format!("/review/{deed}")>{appeal.subject.clone()}</A> }.into_any()
        }
        None => view! { <span>{appeal.subject.clone()}</span> }.into_any(),
    };
    view! {
        <div class="cell cell-top">
            <span class="cell-body">
                <span class="cell-title">{appeal.member_name.clone()} " · " {tr(kind)} " · " {subject}
                    {appeal.points.map(|p| format!(" ({p:+})"))}</span>
                <span class="hint">{format!("{}Q{}", appeal.year, appeal.quarter)} " · "
                    {crate::time::show(appeal.filed_at)}</span>
                {appeal.decision_appealed.clone().map(|r| view! {
                    <span class="hint">{tr(Word::AppealOriginalReason)} ": " {r}</span>
                })}
                <span class="account"><span class="cell-label">{tr(Word::AppealMemberReason)} ": "</span>
                    {appeal.reason.clone()}</span>
                {appeal.decision_reason.clone().map(|r| view! {
                    <span class="hint">{tr(Word::AppealDecisionLabel)} ": " {r}
                        {appeal.decided_by_name.clone().map(|n| format!(" · {n}"))}</span>
                })}
            </span>
            {status_badge(appeal.status)}
        </div>
    }
}

/// A waiting appeal: for whoever may decide it, the reason and the two verdicts.
#[component]
fn WaitingAppeal(appeal: AppealView, on_decided: Callback<()>) -> impl IntoView {
    let reason = RwSignal::new(String::new());
    let id = StoredValue::new(appeal.id.clone());
    let field = format!("appeal-decision-{}", appeal.id);
    let item = format!("appeal-{}", appeal.id);
    let decide = FormSubmit::new(
        move |(overturn, reason): &(bool, String)| {
            let (overturn, reason, id) = (*overturn, reason.clone(), id.get_value());
            async move { api::decide_appeal(&id, overturn, reason).await }
        },
        move |_| on_decided.run(()),
    );
    let verdict = move |overturn: bool| {
        move |_: leptos::ev::MouseEvent| {
            let text = reason.get_untracked();
            let found = Reason::parse(&text)
                .err()
                .map(|e| vec![field_error("reason", &e)])
                .unwrap_or_default();
            decide.submit(found, (overturn, text));
        }
    };
    let can_decide = appeal.can_decide;
    view! {
        <div class="cells appeal-item" id=item>
            <AppealFacts appeal/>
            {if can_decide {
                view! {
                    <label class="cell cell-top" for=field.clone()>
                        <span class="cell-label">{tr(Word::AppealDecisionLabel)}</span>
                        <textarea id=field.clone() rows="2" maxlength="500" prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev))
                            placeholder=tr(Word::AppealDecisionHint)></textarea>
                    </label>
                    <FieldErrorText errors=decide.errors field="reason"/>
                    <FormError form=decide/>
                    <div class="cell button-row">
                        <button class="btn btn-default uphold" disabled=move || decide.pending().get()
                            on:click=verdict(false)>{tr(Word::AppealUphold)}</button>
                        <button class="btn btn-primary overturn" disabled=move || decide.pending().get()
                            on:click=verdict(true)>{tr(Word::AppealOverturn)}</button>
                    </div>
                }.into_any()
            } else {
                view! { <p class="field-hint">{tr(Word::AppealNotYours)}</p> }.into_any()
            }}
        </div>
    }
}
