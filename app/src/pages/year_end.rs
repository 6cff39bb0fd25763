//! The year end (年终评定) at the committee's table: the secretary grades the closed year by points,
//! the committee adjusts a grade with a reason, the secretary confirms, and anyone on the
//! committee downloads the grades as CSV or Excel for the appraisal's paperwork.

use jifen_shared::api::{AdjustGradeRequest, GradeRow, GradesView};
use jifen_shared::domain::{Grade, GradingStatus};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{my_branches, BranchPicker, FieldErrorText, FormError, FormSubmit, Loaded};
use crate::i18n::{lang, tr};
use crate::session::Session;

pub fn grade_word(g: Grade) -> Word {
    match g {
        Grade::Excellent => Word::GradeExcellent,
        Grade::Qualified => Word::GradeQualified,
        Grade::BasicallyQualified => Word::GradeBasicallyQualified,
        Grade::Unqualified => Word::GradeUnqualified,
    }
}

#[component]
pub fn YearEndPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = my_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let secretary_of = StoredValue::new(
        branches
            .iter()
            .filter(|b| b.secretary)
            .map(|b| b.id.clone())
            .collect::<Vec<_>>(),
    );
    let is_secretary = move || secretary_of.with_value(|ids| ids.contains(&branch.get()));
    // The year to grade is usually the one that just ended.
    let year = RwSignal::new(crate::time::current_year() - 1);
    let grades = LocalResource::new(move || {
        let (b, y) = (branch.get(), year.get());
        async move { api::grades(&b, y).await }
    });
    let changed = Callback::new(move |()| grades.refetch());
    let close = FormSubmit::new(
        move |y: &i32| {
            let (b, y) = (branch.get_untracked(), *y);
            async move { api::close_year(&b, y).await }
        },
        move |_: GradesView| changed.run(()),
    );
    view! {
        <header class="page-header">
            <h1>{tr(Word::YearEnd)}</h1>
            <div class="year-switch">
                <button class="btn btn-mini" aria-label=tr(Word::PreviousYear) on:click=move |_| year.update(|y| *y -= 1)>"‹"</button>
                <span aria-live="polite" id="grades-year">{move || year.get()}</span>
                <button class="btn btn-mini" aria-label=tr(Word::NextYear) on:click=move |_| year.update(|y| *y += 1)>"›"</button>
            </div>
        </header>
        <BranchPicker branches branch/>
        <Loaded resource=grades let:found>
            {match found {
                None => view! {
                    <p class="notice" id="grades-not-closed">{tr(Word::YearEndNotClosed)}</p>
                    <Show when=is_secretary>
                        <button id="close-year" class="btn btn-primary" disabled=move || close.pending().get()
                            on:click=move |_| close.send(year.get_untracked())>{tr(Word::YearEndClose)}</button>
                    </Show>
                }.into_any(),
                Some(view) => view! {
                    <Grades view secretary=is_secretary() on_changed=changed/>
                }.into_any(),
            }}
        </Loaded>
        <FormError form=close marks_no_fields=true/>
    }
}

#[component]
fn Grades(view: GradesView, secretary: bool, on_changed: Callback<()>) -> impl IntoView {
    let session = expect_context::<Session>();
    let me = session.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let draft = view.status == GradingStatus::Draft;
    let (branch, year) = (view.branch_id.clone(), view.year);
    let confirm = {
        let branch = branch.clone();
        FormSubmit::new(
            move |_: &()| {
                let b = branch.clone();
                async move { api::confirm_grades(&b, year).await }
            },
            move |_: GradesView| on_changed.run(()),
        )
    };
    let download = {
        let branch = branch.clone();
        FormSubmit::new(
            move |format: &&'static str| {
                let (b, f) = (branch.clone(), *format);
                async move { api::download_grades(&b, year, f).await }
            },
            |_: ()| {},
        )
    };
    let t = view.thresholds;
    let thresholds = Word::YearEndThresholds.fill(
        lang(),
        &[
            ("excellent", &t.excellent),
            ("qualified", &t.qualified),
            ("basic", &t.basic),
        ],
    );
    let status = if draft {
        tr(Word::YearEndDraft)
    } else {
        tr(Word::YearEndConfirmed)
    };
    view! {
        <div class="cells">
            <div class="cell"><span class="cell-title" id="grades-status">{status}</span></div>
            <div class="cell"><span class="hint">{thresholds}</span></div>
            {view.excellent_cap.map(|cap| view! {
                <div class="cell"><span class="hint">{Word::YearEndCap.fill(lang(), &[("cap", &cap)])}</span></div>
            })}
        </div>
        <div class="button-row">
            <button id="download-csv" class="btn btn-default" disabled=move || download.pending().get()
                on:click=move |_| download.send("csv")>{tr(Word::DownloadCsv)}</button>
            <button id="download-xlsx" class="btn btn-default" disabled=move || download.pending().get()
                on:click=move |_| download.send("xlsx")>{tr(Word::DownloadXlsx)}</button>
        </div>
        <FormError form=download marks_no_fields=true/>
        <div class="cells" id="grades">
            {view.rows.into_iter().map(|row| {
                let adjustable = draft && row.member_id != me;
                view! { <GradeLine row branch=branch.clone() year adjustable on_changed/> }
            }).collect_view()}
        </div>
        {(draft && secretary).then(|| view! {
            <button id="confirm-grades" class="btn btn-primary" disabled=move || confirm.pending().get()
                on:click=move |_| confirm.send(())>{tr(Word::YearEndConfirm)}</button>
            <FormError form=confirm marks_no_fields=true/>
        })}
    }
}

/// One member's grade; in a draft, a committee member may open the adjustment form under it.
#[component]
fn GradeLine(
    row: GradeRow,
    branch: String,
    year: i32,
    adjustable: bool,
    on_changed: Callback<()>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let grade = RwSignal::new(row.grade);
    let reason = RwSignal::new(String::new());
    let member_id = row.member_id.clone();
    let adjust = FormSubmit::new(
        move |req: &AdjustGradeRequest| {
            let (b, m, req) = (branch.clone(), member_id.clone(), req.clone());
            async move { api::adjust_grade(&b, year, &m, &req).await }
        },
        move |_: GradesView| {
            editing.set(false);
            on_changed.run(());
        },
    );
    let computed = (row.computed != row.grade).then(|| {
        let by_points = tr(grade_word(row.computed))();
        Word::YearEndComputed.fill(lang(), &[("grade", &by_points)])
    });
    let adjusted = row
        .adjust_reason
        .clone()
        .map(|r| Word::YearEndAdjusted.fill(lang(), &[("reason", &r)]));
    let grades = [
        Grade::Excellent,
        Grade::Qualified,
        Grade::BasicallyQualified,
        Grade::Unqualified,
    ];
    view! {
        <div class="cell grade-row" data-member=row.member_id.clone()>
            <span class="grade-rank">{row.rank}</span>
            <span class="cell-title">{row.member_name.clone()}</span>
            <span>{row.total}</span>
            <span class="badge badge-approved grade">{tr(grade_word(row.grade))}</span>
            {adjustable.then(|| view! {
                <button class="btn btn-mini adjust" on:click=move |_| editing.update(|e| *e = !*e)>{tr(Word::YearEndAdjust)}</button>
            })}
        </div>
        {computed.map(|c| view! { <div class="cell"><span class="hint">{c}</span></div> })}
        {adjusted.map(|a| view! { <div class="cell"><span class="hint">{a}</span></div> })}
        <Show when=move || editing.get()>
            <form class="form adjust-form" on:submit=move |ev| {
                ev.prevent_default();
                adjust.send(AdjustGradeRequest { grade: grade.get_untracked(), reason: reason.get_untracked() });
            }>
                <select aria-label=tr(Word::GradesColumnGrade)
                    on:change=move |ev| {
                        let picked = event_target_value(&ev);
                        if let Some(g) = grades.iter().find(|g| g.as_str() == picked) {
                            grade.set(*g);
                        }
                    }>
                    {grades.into_iter().map(|g| view! {
                        <option value=g.as_str() selected=move || grade.get() == g>{tr(grade_word(g))}</option>
                    }).collect_view()}
                </select>
                <textarea name="reason" rows="2" placeholder=tr(Word::YearEndAdjustReasonHint)
                    aria-label=tr(Word::GradesColumnReason)
                    prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <FieldErrorText errors=adjust.errors field="reason"/>
                <div class="button-row">
                    <button type="button" class="btn btn-default" on:click=move |_| editing.set(false)>{tr(Word::GradesCancel)}</button>
                    <button type="submit" class="btn btn-primary" disabled=move || adjust.pending().get()>{tr(Word::GradesSave)}</button>
                </div>
                <FormError form=adjust/>
            </form>
        </Show>
    }
}
