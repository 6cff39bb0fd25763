//! The member's side of an appeal (积分申述): the form on a rejected or returned deed and on each
//! deduction, and where an appeal filed stands. The inputs use prop:value + on:input: these views
//! are rebuilt when their page reloads (see review/decision.rs).

use jifen_shared::api::{AppealView, FileAppealRequest, LedgerEntryView};
use jifen_shared::domain::{AppealStatus, LedgerKind, Reason};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{field_error, FieldErrorText, FormError, FormSubmit, Loaded, PointsCell};
use crate::i18n::tr;

/// What a member appeals.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    Deed(String),
    Entry(String),
}

impl Subject {
    fn request(&self, reason: String) -> FileAppealRequest {
        let (deed_id, ledger_entry_id) = match self {
            Subject::Deed(id) => (Some(id.clone()), None),
            Subject::Entry(id) => (None, Some(id.clone())),
        };
        FileAppealRequest {
            deed_id,
            ledger_entry_id,
            reason,
        }
    }

    fn matches(&self, a: &AppealView) -> bool {
        match self {
            Subject::Deed(id) => a.deed_id.as_ref() == Some(id),
            Subject::Entry(id) => a.ledger_entry_id.as_ref() == Some(id),
        }
    }

    /// A field id unique on the page.
    fn field(&self) -> String {
        match self {
            Subject::Deed(id) | Subject::Entry(id) => format!("appeal-reason-{id}"),
        }
    }
}

/// The badge of an appeal's status.
pub fn status_badge(status: AppealStatus) -> impl IntoView {
    let (class, word) = match status {
        AppealStatus::Waiting => ("badge badge-submitted", Word::AppealWaiting),
        AppealStatus::Upheld => ("badge badge-rejected", Word::AppealUpheld),
        AppealStatus::Overturned => ("badge badge-approved", Word::AppealOverturned),
    };
    view! { <span class=class>{tr(word)}</span> }
}

/// Where the member's appeal stands: their reason, and once decided, the committee's.
#[component]
pub fn AppealState(appeal: AppealView) -> impl IntoView {
    view! {
        <div class="cell cell-top appeal-state" data-status=appeal.status.as_str()>
            <span class="cell-body">
                <span class="cell-title">{tr(Word::Appeals)} " " {status_badge(appeal.status)}</span>
                <span class="account">{appeal.reason.clone()}</span>
                {appeal.decision_reason.clone().map(|r| view! {
                    <span class="hint">{tr(Word::AppealDecisionLabel)} ": " {r}
                        {appeal.decided_by_name.clone().map(|n| format!(" · {n}"))}</span>
                })}
            </span>
        </div>
    }
}

/// An "appeal" button that opens the form: the reason, then send.
#[component]
pub fn AppealForm(subject: Subject, #[prop(into)] on_filed: Callback<()>) -> impl IntoView {
    let open = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let field = subject.field();
    let subject = StoredValue::new(subject);
    let form = FormSubmit::new(
        |req: &FileAppealRequest| {
            let req = req.clone();
            async move { api::file_appeal(&req).await }
        },
        move |_| on_filed.run(()),
    );
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = reason.get_untracked();
        let found = Reason::parse(&text)
            .err()
            .map(|e| vec![field_error("reason", &e)])
            .unwrap_or_default();
        form.submit(found, subject.with_value(|s| s.request(text)));
    };
    view! {
        <Show when=move || open.get() fallback=move || view! {
            <button class="btn btn-default appeal-open" on:click=move |_| open.set(true)>
                {tr(Word::AppealAction)}</button>
        }>
            <form class="cells appeal-form" on:submit=send>
                <label class="cell cell-top" for=field.clone()>
                    <span class="cell-label">{tr(Word::AppealReasonLabel)}</span>
                    <textarea id=field.clone() rows="3" maxlength="500" prop:value=move || reason.get()
                        on:input=move |ev| reason.set(event_target_value(&ev))
                        placeholder=tr(Word::AppealReasonHint)></textarea>
                </label>
                <FieldErrorText errors=form.errors field="reason"/>
                <p class="field-hint">{tr(Word::AppealOnce)}</p>
                <FormError form/>
                <div class="cell">
                    <button type="submit" class="btn btn-primary appeal-send" disabled=move || form.pending().get()>
                        {tr(Word::AppealSend)}</button>
                </div>
            </form>
        </Show>
    }
}

/// A deed's appeal on its page: where it stands, or for a rejected or returned deed, the form.
#[component]
pub fn DeedAppeal(
    deed_id: String,
    /// Whether the deed may still be appealed (rejected or returned).
    appealable: bool,
    #[prop(into)] on_filed: Callback<()>,
) -> impl IntoView {
    let mine = LocalResource::new(|| api::appeals(false));
    let subject = StoredValue::new(Subject::Deed(deed_id));
    view! {
        <Loaded resource=mine let:page>
            {match page.items.into_iter().find(|a| subject.with_value(|s| s.matches(a))) {
                Some(appeal) => view! { <div class="cells"><AppealState appeal/></div> }.into_any(),
                None if appealable => view! {
                    <AppealForm subject=subject.get_value() on_filed/>
                }.into_any(),
                None => ().into_any(),
            }}
        </Loaded>
    }
}

/// The year's deductions on the member's points screen, each with its appeal or the form.
#[component]
pub fn DeductionAppeals(entries: Vec<LedgerEntryView>) -> impl IntoView {
    let deductions: Vec<LedgerEntryView> = entries
        .into_iter()
        .filter(|e| e.kind == LedgerKind::Deduction)
        .collect();
    if deductions.is_empty() {
        return ().into_any();
    }
    let deductions = StoredValue::new(deductions);
    let mine = LocalResource::new(|| api::appeals(false));
    view! {
        <h3 class="section-title">{tr(Word::AppealDeductionsTitle)}</h3>
        <Loaded resource=mine let:page>
            <div id="deduction-appeals">
                {deductions.get_value().into_iter().map(|e| {
                    let subject = Subject::Entry(e.id.clone());
                    let filed = page.items.iter().find(|a| subject.matches(a)).cloned();
                    view! {
                        <div class="cells appeal-item" id=format!("deduction-{}", e.id)>
                            <PointsCell title=e.note.clone() points=e.points>
                                {format!("Q{}", e.quarter)} " · " {crate::time::show(e.created_at)}
                            </PointsCell>
                            {match filed {
                                Some(appeal) => view! { <AppealState appeal/> }.into_any(),
                                None => view! {
                                    <AppealForm subject on_filed=move |_| mine.refetch()/>
                                }.into_any(),
                            }}
                        </div>
                    }
                }).collect_view()}
            </div>
        </Loaded>
    }
    .into_any()
}
