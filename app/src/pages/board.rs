//! The public board (张榜公布): a branch's posted quarter for everyone, members and the masses
//! alike, without signing in, and a form for feedback that the branch committee reads.

use jifen_shared::api::{BoardEntry, BoardRow, BoardView, FeedbackRequest};
use jifen_shared::domain::{FeedbackBody, FeedbackContact, RuleCategory};
use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{self, ApiError};
use crate::components::{
    field_error, EmptyState, FieldErrorText, FormError, FormSubmit, Loaded, PointsCell,
};
use crate::i18n::tr;
use crate::session::Session;

#[component]
pub fn BoardPage() -> impl IntoView {
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let board = LocalResource::new(move || {
        let code = code();
        async move { api::board(&code, None).await }
    });
    view! {
        <BoardTitle board/>
        <Loaded resource=board let:b>
            <Board board=b code=code()/>
        </Loaded>
    }
}

/// The board's heading once it has loaded: the branch and quarter, or just "points board" when it
/// could not be read.
#[component]
fn BoardTitle(board: LocalResource<Result<BoardView, ApiError>>) -> impl IntoView {
    let session = expect_context::<Session>();
    let failed = tr(Word::PointsBoard);
    let title = move || {
        let lang = session.lang.get();
        board.map(|loaded| match loaded {
            Ok(b) => Word::BoardTitle.fill(
                lang,
                &[
                    ("branch", &b.branch_name),
                    ("year", &b.year),
                    ("quarter", &b.quarter),
                ],
            ),
            Err(_) => failed().to_owned(),
        })
    };
    move || title().map(|title| view! { <header class="page-header"><h1>{title}</h1></header> })
}

#[component]
fn Board(board: BoardView, code: String) -> impl IntoView {
    let members: Vec<(String, String)> = board
        .rows
        .iter()
        .map(|r| (r.member_id.clone(), r.member_name.clone()))
        .collect();
    view! {
        <p class="hint board-meta">
            {tr(Word::SignedByTheSecretary)} ": " {board.signed_by_name.clone()}
            " · " {tr(Word::Posted)} " " {crate::time::show(board.published_at)}
        </p>
        <BoardTable rows=board.rows/>
        <h2 class="section-title">{tr(Word::AdditionsAndDeductions)}</h2>
        <BoardEntries entries=board.entries/>
        <FeedbackForm code year=board.year quarter=board.quarter members/>
        <p class="hint board-meta">
            {tr(Word::AuditAnchor)}
            ": " <code>{board.audit_anchor}</code>
        </p>
    }
}

/// Each member's base, bonus, deduction and total for the quarter, and the year so far.
#[component]
fn BoardTable(rows: Vec<BoardRow>) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="quarters board">
                <caption>{tr(Word::ThisQuarter)}</caption>
                <thead><tr>
                    <th scope="col">{tr(Word::Name)}</th><th scope="col">{tr(Word::Base)}</th>
                    <th scope="col">{tr(Word::Bonus)}</th><th scope="col">{tr(Word::Deduct)}</th>
                    <th scope="col">{tr(Word::Quarter)}</th><th scope="col">{tr(Word::Year)}</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row">{r.member_name}</th><td>{r.base}</td><td>{r.bonus}</td>
                            <td>{r.deduction}</td><td>{r.total}</td><td>{r.year_total}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Every addition and deduction of the quarter.
#[component]
fn BoardEntries(entries: Vec<BoardEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! {
            <EmptyState text=tr(Word::NoAdditionsOrDeductionsThisQuarter)/>
        }
        .into_any();
    }
    view! {
        <div class="cells" id="board-entries">
            {entries.into_iter().map(|e| {
                let kind = match e.category {
                    RuleCategory::Base => tr(Word::Base),
                    RuleCategory::Bonus => tr(Word::Bonus),
                    RuleCategory::Deduction => tr(Word::Deduction),
                };
                view! {
                    <PointsCell title=e.note points=e.points>{e.member_name} " · " {kind}</PointsCell>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}

/// Anyone may comment on the posted quarter, about the whole or about one member.
#[component]
fn FeedbackForm(
    code: String,
    year: i32,
    quarter: u8,
    members: Vec<(String, String)>,
) -> impl IntoView {
    let about = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let received = RwSignal::new(false);

    let check = move || -> Vec<FieldError> {
        let mut errs = Vec::new();
        if let Err(e) = FeedbackBody::parse(&body.get_untracked()) {
            errs.push(field_error("body", &e));
        }
        let c = contact.get_untracked();
        if !c.trim().is_empty() {
            if let Err(e) = FeedbackContact::parse(c.trim()) {
                errs.push(field_error("contact", &e));
            }
        }
        errs
    };
    let send = FormSubmit::new(
        move |_: &()| {
            let code = code.clone();
            let req = FeedbackRequest {
                year,
                quarter,
                about_member_id: Some(about.get_untracked()).filter(|a| !a.is_empty()),
                body: body.get_untracked(),
                contact: Some(contact.get_untracked()).filter(|c| !c.trim().is_empty()),
            };
            async move { api::give_feedback(&code, &req).await }
        },
        move |_| {
            received.set(true);
            body.set(String::new());
            contact.set(String::new());
            about.set(String::new());
        },
    );
    let errors = send.errors;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        received.set(false);
        send.submit(check(), ());
    };
    view! {
        <h2 class="section-title">{tr(Word::YourFeedback)}</h2>
        <form class="feedback-form" on:submit=submit novalidate>
            <div class="cells">
                <label class="cell" for="about">
                    <span class="cell-label">{tr(Word::About)}</span>
                    <select id="about" name="about" on:change=move |ev| about.set(event_target_value(&ev))
                        prop:value=move || about.get()>
                        <option value="">{tr(Word::TheWholeBoard)}</option>
                        {members.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label class="cell cell-top" for="feedback-body">
                    <span class="cell-label">{tr(Word::Feedback)}</span>
                    <textarea id="feedback-body" name="body" rows="4" maxlength="500" bind:value=body
                        aria-describedby="err-body"
                        placeholder=tr(Word::FeedbackHint)></textarea>
                </label>
                <FieldErrorText errors field="body"/>
                <label class="cell" for="feedback-contact">
                    <span class="cell-label">{tr(Word::Contact)}</span>
                    <input id="feedback-contact" name="contact" maxlength="60" bind:value=contact
                        aria-describedby="err-contact"
                        placeholder=tr(Word::OptionalOnlyTheCommitteeSeesIt)/>
                </label>
                <FieldErrorText errors field="contact"/>
            </div>
            <FormError form=send/>
            {move || received.get().then(|| view! {
                <p class="notice received" role="status">
                    {tr(Word::FeedbackReceived)}
                </p>
            })}
            <button type="submit" class="btn btn-primary" disabled=move || send.pending().get()>
                {move || if send.pending().get() { tr(Word::Sending)() } else { tr(Word::SendFeedback)() }}
            </button>
        </form>
    }
}
