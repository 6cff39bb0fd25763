//! The public board (张榜公布): a branch's posted quarter for everyone, members and the masses
//! alike, without signing in, and a form for feedback that the branch committee reads.

use jifen_shared::api::{BoardView, FeedbackRequest};
use jifen_shared::domain::{FeedbackBody, FeedbackContact, RuleCategory};
use jifen_shared::problem::FieldError;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::{self, ApiError};
use crate::components::{
    field_error, EmptyState, ErrorState, FieldErrorText, LoadingState, PointsCell,
};
use crate::i18n::{lang, tr, Lang};
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
        <Transition fallback=|| view! { <LoadingState/> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <Board board=b code=code()/> }.into_any(),
                    Err(e) => view! {
                        <header class="page-header"><h1>{tr("积分公示", "Points board")}</h1></header>
                        <ErrorState error=e retry=move || board.refetch()/>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Board(board: BoardView, code: String) -> impl IntoView {
    let session = expect_context::<Session>();
    let title = {
        let (name, year, q) = (board.branch_name.clone(), board.year, board.quarter);
        move || match session.lang.get() {
            Lang::En => format!("{name}: points board, Q{q} {year}"),
            Lang::ZhCn => format!("{name} {year}年第{q}季度积分公示"),
        }
    };
    let members: Vec<(String, String)> = board
        .rows
        .iter()
        .map(|r| (r.member_id.clone(), r.member_name.clone()))
        .collect();
    view! {
        <header class="page-header"><h1>{title}</h1></header>
        <p class="hint board-meta">
            {tr("书记签字", "Signed by the secretary")} ": " {board.signed_by_name.clone()}
            " · " {tr("公示于", "Posted")} " " {crate::time::show(board.published_at)}
        </p>
        <div class="table-scroll">
            <table class="quarters board">
                <caption>{tr("本季度积分", "This quarter")}</caption>
                <thead><tr>
                    <th scope="col">{tr("姓名", "Name")}</th><th scope="col">{tr("基础", "Base")}</th>
                    <th scope="col">{tr("加分", "Bonus")}</th><th scope="col">{tr("扣分", "Deduct.")}</th>
                    <th scope="col">{tr("本季", "Quarter")}</th><th scope="col">{tr("全年", "Year")}</th>
                </tr></thead>
                <tbody>
                    {board.rows.into_iter().map(|r| view! {
                        <tr>
                            <th scope="row">{r.member_name}</th><td>{r.base}</td><td>{r.bonus}</td>
                            <td>{r.deduction}</td><td>{r.total}</td><td>{r.year_total}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2 class="section-title">{tr("加分和扣分明细", "Additions and deductions")}</h2>
        {if board.entries.is_empty() {
            view! { <EmptyState text=Signal::derive(tr("本季度没有加分或扣分", "No additions or deductions this quarter"))/> }.into_any()
        } else {
            view! {
                <div class="cells" id="board-entries">
                    {board.entries.into_iter().map(|e| {
                        let kind = match e.category {
                            RuleCategory::Base => tr("基础", "Base"),
                            RuleCategory::Bonus => tr("加分", "Bonus"),
                            RuleCategory::Deduction => tr("扣分", "Deduction"),
                        };
                        view! {
                            <PointsCell title=e.note points=e.points>{e.member_name} " · " {kind}</PointsCell>
                        }
                    }).collect_view()}
                </div>
            }.into_any()
        }}
        <FeedbackForm code year=board.year quarter=board.quarter members/>
        <p class="hint board-meta">
            {tr("审计锚点（可用于核验公示后记录未被改动）", "Audit anchor (proves the records were not changed after posting)")}
            ": " <code>{board.audit_anchor}</code>
        </p>
    }
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
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<ApiError>);
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
    let send = Action::new_local(move |_: &()| {
        let code = code.clone();
        let req = FeedbackRequest {
            year,
            quarter,
            about_member_id: Some(about.get_untracked()).filter(|a| !a.is_empty()),
            body: body.get_untracked(),
            contact: Some(contact.get_untracked()).filter(|c| !c.trim().is_empty()),
        };
        async move { api::give_feedback(&code, &req).await }
    });
    Effect::new(move |_| match send.value().get() {
        Some(Ok(_)) => {
            received.set(true);
            body.set(String::new());
            contact.set(String::new());
            about.set(String::new());
            errors.set(Vec::new());
            failure.set(None);
        }
        Some(Err(e)) => {
            errors.set(e.field_errors());
            failure.set(Some(e));
        }
        None => {}
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        received.set(false);
        let errs = check();
        if errs.is_empty() {
            errors.set(Vec::new());
            failure.set(None);
            send.dispatch(());
        } else {
            errors.set(errs);
        }
    };
    view! {
        <h2 class="section-title">{tr("群众意见", "Your feedback")}</h2>
        <form class="feedback-form" on:submit=submit novalidate>
            <div class="cells">
                <label class="cell" for="about">
                    <span class="cell-label">{tr("关于", "About")}</span>
                    <select id="about" name="about" on:change=move |ev| about.set(event_target_value(&ev))
                        prop:value=move || about.get()>
                        <option value="">{tr("本季度公示整体", "The whole board")}</option>
                        {members.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label class="cell cell-top" for="feedback-body">
                    <span class="cell-label">{tr("意见", "Feedback")}</span>
                    <textarea id="feedback-body" name="body" rows="4" maxlength="500" bind:value=body
                        aria-describedby="err-body"
                        placeholder=tr("您了解的情况、对积分的看法", "What you know, what you think of the points")></textarea>
                </label>
                <FieldErrorText errors field="body"/>
                <label class="cell" for="feedback-contact">
                    <span class="cell-label">{tr("联系方式", "Contact")}</span>
                    <input id="feedback-contact" name="contact" maxlength="60" bind:value=contact
                        aria-describedby="err-contact"
                        placeholder=tr("选填，仅支委会可见", "Optional; only the committee sees it")/>
                </label>
                <FieldErrorText errors field="contact"/>
            </div>
            {move || failure.get().filter(|e| e.field_errors().is_empty()).map(|e| view! {
                <p class="form-error" role="alert">{e.message(lang())}</p>
            })}
            {move || received.get().then(|| view! {
                <p class="notice received" role="status">
                    {tr("已收到您的意见，支委会将逐条核实。", "Received; the committee will look into it.")}
                </p>
            })}
            <button type="submit" class="btn btn-primary" disabled=move || send.pending().get()>
                {move || if send.pending().get() { tr("正在提交…", "Sending…")() } else { tr("提交意见", "Send feedback")() }}
            </button>
        </form>
    }
}
