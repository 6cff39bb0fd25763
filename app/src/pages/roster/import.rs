//! 导入名册: the secretary downloads the template, chooses the filled-in file and sees what it would
//! do row by row (to add, to update, unchanged, and each problem with its row and column, as the
//! spreadsheet numbers them); a file with problems is corrected and chosen again; committing
//! imports it all at once and shows the new members' invite slips to print, once.

use jifen_shared::api::{RosterImport, RosterInvite};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;
use wasm_bindgen::JsCast;

use super::slips::Slips;
use super::{managed_branches, status_word};
use crate::api::{self, ApiError};
use crate::components::{BranchPicker, ErrorState, LoadingState};
use crate::i18n::{lang, tr};
use crate::session::Session;

/// One line of the preview table.
#[derive(Clone)]
struct Line {
    row: u32,
    outcome: Outcome,
    name: String,
    username: String,
    details: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Add,
    Update,
    Unchanged,
    Problem,
}

impl Outcome {
    fn word(self) -> Word {
        match self {
            Outcome::Add => Word::RosterCountAdd,
            Outcome::Update => Word::RosterCountUpdate,
            Outcome::Unchanged => Word::RosterCountUnchanged,
            Outcome::Problem => Word::RosterCountProblems,
        }
    }

    fn class(self) -> &'static str {
        match self {
            Outcome::Add => "preview-add",
            Outcome::Update => "preview-update",
            Outcome::Unchanged => "preview-unchanged",
            Outcome::Problem => "preview-problem",
        }
    }
}

/// The file's rows in order, each problem on a line of its own.
fn lines(p: &RosterImport) -> Vec<Line> {
    let l = lang();
    let field_name = |f: &str| match f {
        "name" => Word::Name.text(l),
        "phone" => Word::RosterPhone.text(l),
        _ => Word::Status.text(l),
    };
    let shown = |field: &str, v: &Option<String>| match (field, v.as_deref()) {
        (_, None) => "—".to_owned(),
        ("status", Some(s)) => s
            .parse()
            .map(|s| status_word(s).text(l).to_owned())
            .unwrap_or_else(|_| s.to_owned()),
        (_, Some(v)) => v.to_owned(),
    };
    let mut out: Vec<Line> = Vec::new();
    out.extend(p.add.iter().map(|a| {
        Line {
            row: a.row,
            outcome: Outcome::Add,
            name: a.name.clone(),
            username: a.username.clone(),
            details: [
                a.phone.clone(),
                Some(status_word(a.status).text(l).to_owned()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
        }
    }));
    out.extend(p.update.iter().map(|u| {
        Line {
            row: u.row,
            outcome: Outcome::Update,
            name: u.name.clone(),
            username: u.username.clone(),
            details: u
                .changes
                .iter()
                .map(|c| {
                    format!(
                        "{}: {} → {}",
                        field_name(&c.field),
                        shown(&c.field, &c.from),
                        shown(&c.field, &c.to)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        }
    }));
    out.extend(p.unchanged.iter().map(|u| Line {
        row: u.row,
        outcome: Outcome::Unchanged,
        name: u.name.clone(),
        username: u.username.clone(),
        details: String::new(),
    }));
    out.extend(p.problems.iter().map(|pr| Line {
        row: pr.row,
        outcome: Outcome::Problem,
        name: String::new(),
        username: String::new(),
        details: Word::RosterProblemAt.fill(
            l,
            &[
                ("row", &pr.row),
                ("column", &pr.column),
                ("message", &pr.message),
            ],
        ),
    }));
    out.sort_by_key(|line| (line.row, line.outcome == Outcome::Problem));
    out
}

/// Where the import stands.
#[derive(Clone)]
enum Step {
    Choose,
    Checking,
    Preview(RosterImport),
    Committing(RosterImport),
    Failed(ApiError),
    Done(RosterImport),
}

#[component]
pub fn RosterImportPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = managed_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let file = RwSignal::new_local(None::<web_sys::File>);
    let step = RwSignal::new_local(Step::Choose);
    let send = Action::new_local(move |dry_run: &bool| {
        let dry_run = *dry_run;
        let (b, f) = (branch.get_untracked(), file.get_untracked());
        async move {
            match f {
                Some(f) => Some(api::import_roster(&b, &f, dry_run).await),
                None => None,
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Some(answer)) = send.value().get() {
            step.set(match answer {
                Ok(done) if done.committed => Step::Done(done),
                Ok(preview) => Step::Preview(preview),
                Err(e) => Step::Failed(e),
            });
        }
    });
    Effect::new(move |_| {
        branch.track();
        step.set(Step::Choose);
    });
    let chosen = move |ev: leptos::ev::Event| {
        let input: Option<web_sys::HtmlInputElement> = ev.target().and_then(|t| t.dyn_into().ok());
        let picked = input
            .as_ref()
            .and_then(|i| i.files())
            .and_then(|l| l.get(0));
        if let Some(f) = picked {
            file.set(Some(f));
            step.set(Step::Checking);
            send.dispatch(true);
        }
        // Choosing the same file again (corrected on disk) must fire `change` again.
        if let Some(i) = input {
            i.set_value("");
        }
    };
    let template = Action::new_local(move |format: &&'static str| {
        let (b, f) = (branch.get_untracked(), *format);
        async move { api::download_roster_template(&b, f).await }
    });
    view! {
        <div class="roster-import-page">
            <header class="page-header no-print">
                <h1>{tr(Word::RosterImport)}</h1>
                <A href="/roster" attr:class="btn btn-mini btn-default">{tr(Word::RosterToRoster)}</A>
            </header>
            <div class="no-print">
                <BranchPicker branches branch/>
                <p class="hint roster-hint">{tr(Word::RosterImportHint)}</p>
                <div class="filters">
                    <button class="btn btn-mini btn-default" id="template-xlsx"
                        on:click=move |_| { template.dispatch("xlsx"); }>{tr(Word::RosterTemplateXlsx)}</button>
                    <button class="btn btn-mini btn-default" id="template-csv"
                        on:click=move |_| { template.dispatch("csv"); }>{tr(Word::RosterTemplateCsv)}</button>
                </div>
                <label class="btn btn-primary roster-file" for="roster-file">
                    {tr(Word::RosterChooseFile)}
                    <input id="roster-file" type="file" class="sr-only"
                        accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                        on:change=chosen/>
                </label>
            </div>
            {move || match step.get() {
                Step::Choose => ().into_any(),
                Step::Checking => view! { <LoadingState/> }.into_any(),
                Step::Failed(error) => view! {
                    <ErrorState error retry=move || { step.set(Step::Checking); send.dispatch(true); }/>
                }.into_any(),
                Step::Preview(p) => view! {
                    <Preview preview=p.clone() busy=false
                        commit=Callback::new(move |()| {
                            step.set(Step::Committing(p.clone()));
                            send.dispatch(false);
                        })/>
                }.into_any(),
                Step::Committing(p) => view! {
                    <Preview preview=p busy=true commit=Callback::new(|()| {})/>
                }.into_any(),
                Step::Done(done) => view! { <Committed done/> }.into_any(),
            }}
        </div>
    }
}

/// The counts, the table of rows, the members not in the file, and the commit button when the
/// file has no problem and something to do.
#[component]
fn Preview(preview: RosterImport, busy: bool, commit: Callback<()>) -> impl IntoView {
    let count = |word: Word, n: usize, class: &'static str| {
        view! {
            <div class=format!("card preview-count {class}")>
                <span class="card-value">{n}</span>
                <span class="card-label">{tr(word)}</span>
            </div>
        }
    };
    let problems = preview.problems.len();
    let work = preview.add.len() + preview.update.len();
    let rows = lines(&preview);
    let absent = preview.not_in_file.clone();
    view! {
        <section class="roster-preview" id="roster-preview">
            <div class="preview-counts">
                {count(Word::RosterCountAdd, preview.add.len(), "preview-add")}
                {count(Word::RosterCountUpdate, preview.update.len(), "preview-update")}
                {count(Word::RosterCountUnchanged, preview.unchanged.len(), "preview-unchanged")}
                {count(Word::RosterCountNotInFile, preview.not_in_file.len(), "preview-absent")}
                {count(Word::RosterCountProblems, problems, "preview-problem")}
            </div>
            {(problems > 0).then(|| view! {
                <p class="form-error roster-fix" role="alert" id="roster-fix">{tr(Word::RosterFixFile)}</p>
            })}
            <div class="preview-scroll">
                <table class="preview-table">
                    <thead><tr>
                        <th scope="col">{tr(Word::RosterRow)}</th>
                        <th scope="col">{tr(Word::RosterOutcome)}</th>
                        <th scope="col">{tr(Word::Name)}</th>
                        <th scope="col">{tr(Word::Username)}</th>
                        <th scope="col">{tr(Word::RosterDetails)}</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|l| view! {
                            <tr class=l.outcome.class() data-row=l.row>
                                <td class="num">{l.row}</td>
                                <td>{tr(l.outcome.word())}</td>
                                <td>{l.name}</td>
                                <td>{l.username}</td>
                                <td>{l.details}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {(!absent.is_empty()).then(|| view! {
                <details class="preview-absent-list">
                    <summary>{tr(Word::RosterNotInFileHint)}</summary>
                    <ul>{absent.into_iter().map(|m| view! { <li>{m.name} " (" {m.username} ")"</li> }).collect_view()}</ul>
                </details>
            })}
            {match (problems, work) {
                (0, 0) => view! { <p class="form-ok" role="status">{tr(Word::RosterNothingToDo)}</p> }.into_any(),
                (0, _) => view! {
                    <button class="btn btn-primary" id="roster-commit" disabled=busy on:click=move |_| commit.run(())>
                        {tr(Word::RosterCommit)}
                    </button>
                }.into_any(),
                _ => ().into_any(),
            }}
        </section>
    }
}

/// What the commit did, and the slips of the new members' invite codes.
#[component]
fn Committed(done: RosterImport) -> impl IntoView {
    let said = Word::RosterCommitted.fill(
        lang(),
        &[("added", &done.add.len()), ("updated", &done.update.len())],
    );
    let invites: Vec<RosterInvite> = done.invites.clone();
    view! {
        <p class="form-ok no-print" role="status" id="roster-committed">{said}</p>
        {(!invites.is_empty()).then(|| view! {
            <Slips invites branch_name=done.branch_name.clone()/>
        })}
    }
}
