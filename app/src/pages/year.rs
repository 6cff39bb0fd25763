//! The branch's points year (年度与基础分): whether the year is open and each member's base points
//! in it; the secretary opens it, giving everyone the base allotment; the committee awards a base
//! item (dues paid on time, ...) to many members at once. Made for a tablet at the committee's
//! table, and usable on a phone.

use std::collections::BTreeSet;

use jifen_shared::api::{AwardRequest, AwardResult, RuleView, YearView};
use jifen_shared::domain::{Reason, RuleCategory};
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    field_error, field_message, my_branches, BranchPicker, EmptyState, FieldErrorText, FormError,
    FormSubmit, Loaded,
};
use crate::i18n::{lang, tr};
use crate::session::Session;

#[component]
pub fn YearPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = my_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let managed = StoredValue::new(
        branches
            .iter()
            .filter(|b| b.manages)
            .map(|b| b.id.clone())
            .collect::<Vec<_>>(),
    );
    let year = RwSignal::new(crate::time::current_year());
    let view_of_year = LocalResource::new(move || {
        let (b, y) = (branch.get(), year.get());
        async move { api::year(&b, y).await }
    });
    let rules = LocalResource::new(move || {
        let b = branch.get();
        async move { api::rules(&b).await }
    });
    let changed = Callback::new(move |()| view_of_year.refetch());
    // What the last opening or award did; kept here, as the year reloads after each.
    let opened_now = RwSignal::new(None::<u32>);
    let done = RwSignal::new(None::<AwardResult>);
    view! {
        <header class="page-header">
            <h1>{tr(Word::YearPageTitle)}</h1>
            <div class="year-switch">
                <button class="btn btn-mini" aria-label=tr(Word::PreviousYear) on:click=move |_| year.update(|y| *y -= 1)>"‹"</button>
                <span aria-live="polite" id="year-shown">{move || year.get()}</span>
                <button class="btn btn-mini" aria-label=tr(Word::NextYear) on:click=move |_| year.update(|y| *y += 1)>"›"</button>
            </div>
        </header>
        <BranchPicker branches branch/>
        <Loaded resource=view_of_year let:y>
            <YearState year=y.clone() secretary=managed.with_value(|ids| ids.contains(&y.branch_id))
                opened_now on_opened=changed/>
            <Awards year=y rules done on_awarded=changed/>
        </Loaded>
        <Show when=move || opened_now.get().is_some()>
            <p class="form-ok" role="status" id="year-opened">
                {move || Word::YearOpenedDone.fill(session.lang.get(), &[("n", &opened_now.get().unwrap_or_default())])}
            </p>
        </Show>
        {move || done.get().map(|r| view! {
            <p class="form-ok" role="status" id="award-done">
                {Word::AwardsDone.fill(lang(), &[("n", &r.entries.len()), ("points", &r.points)])}
            </p>
        })}
    }
}

/// Open or not; the secretary's button to open it, asked twice because it cannot be undone.
#[component]
fn YearState(
    year: YearView,
    secretary: bool,
    opened_now: RwSignal<Option<u32>>,
    on_opened: Callback<()>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let (branch, y) = (year.branch_id.clone(), year.year);
    let asking = RwSignal::new(false);
    let open = FormSubmit::new(
        move |_: &()| {
            let b = branch.clone();
            async move { api::open_year(&b, y).await }
        },
        move |v: YearView| {
            asking.set(false);
            opened_now.set(v.opened.map(|o| o.members_given));
            on_opened.run(());
        },
    );
    let text = move |word: Word, values: Vec<(&'static str, String)>| {
        move || {
            let values: Vec<(&str, &dyn std::fmt::Display)> = values
                .iter()
                .map(|(k, v)| (*k, v as &dyn std::fmt::Display))
                .collect();
            word.fill(session.lang.get(), &values)
        }
    };
    let state = match &year.opened {
        Some(o) => view! {
            <div class="cell"><span class="cell-title" id="year-state">{text(Word::YearOpenedOn, vec![
                ("year", y.to_string()),
                ("at", crate::time::show(o.opened_at)),
                ("points", o.base_points.to_string()),
            ])}</span></div>
            <div class="cell"><span class="hint">{match o.opened_by_name.clone() {
                Some(name) => text(Word::YearOpenedBy, vec![("name", name)]).into_any(),
                None => tr(Word::YearOpenedAutomatically).into_any(),
            }}</span></div>
        }
        .into_any(),
        None => view! {
            <div class="cell"><span class="cell-title" id="year-state">{text(Word::YearNotOpen, vec![("year", y.to_string())])}</span></div>
            <div class="cell"><span class="hint">{text(Word::YearOpenExplain, vec![("points", year.base_points_per_year.to_string())])}</span></div>
        }
        .into_any(),
    };
    let may_open = year.may_open;
    view! {
        <div class="cells">{state}</div>
        {(year.opened.is_none() && !may_open && !secretary).then(|| view! {
            <p class="hint catalogue-hint">{tr(Word::YearSecretaryOpens)}</p>
        })}
        {may_open.then(|| view! {
            <Show when=move || asking.get()
                fallback=move || view! {
                    <button id="open-year" class="btn btn-primary" on:click=move |_| asking.set(true)>
                        {text(Word::YearOpenButton, vec![("year", y.to_string())])}
                    </button>
                }>
                <p class="notice" role="alert">{text(Word::YearOpenConfirm, vec![("year", y.to_string())])}</p>
                <div class="button-row">
                    <button class="btn btn-default" on:click=move |_| asking.set(false)>{tr(Word::YearCancel)}</button>
                    <button id="confirm-open-year" class="btn btn-primary" disabled=move || open.pending().get()
                        on:click=move |_| open.send(())>{tr(Word::YearConfirmYes)}</button>
                </div>
            </Show>
            <FormError form=open marks_no_fields=true/>
        })}
    }
}

/// The members with their base points this year, each ticked or not, and the award form: a base
/// item, a reason, confirm, the result.
#[component]
fn Awards(
    year: YearView,
    rules: LocalResource<Result<Vec<RuleView>, api::ApiError>>,
    done: RwSignal<Option<AwardResult>>,
    on_awarded: Callback<()>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let branch = year.branch_id.clone();
    let members = StoredValue::new(year.members.clone());
    let all: Vec<String> = year.members.iter().map(|m| m.id.clone()).collect();
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let rule = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let asking = RwSignal::new(false);
    let award = FormSubmit::new(
        move |req: &AwardRequest| {
            let (b, r) = (branch.clone(), req.clone());
            async move { api::award(&b, &r).await }
        },
        move |result: AwardResult| {
            asking.set(false);
            selected.set(BTreeSet::new());
            reason.set(String::new());
            done.set(Some(result));
            on_awarded.run(());
        },
    );
    let errors = award.errors;
    let base_rules = move || {
        rules
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.active && r.category == RuleCategory::Base)
            .collect::<Vec<_>>()
    };
    // The first base item is chosen until the committee picks another.
    Effect::new(move |_| {
        let list = base_rules();
        if !list.iter().any(|r| r.id == rule.get_untracked()) {
            rule.set(list.first().map(|r| r.id.clone()).unwrap_or_default());
        }
    });
    let chosen = move || base_rules().into_iter().find(|r| r.id == rule.get());
    let request = move || AwardRequest {
        rule_id: rule.get_untracked(),
        member_ids: selected.get_untracked().into_iter().collect(),
        reason: reason.get_untracked(),
    };
    // Checked in the browser first, worded as the server words it.
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        done.set(None);
        let mut found = Vec::new();
        if selected.with_untracked(BTreeSet::is_empty) {
            found.push(field_message(
                "member_ids",
                "award.member_count",
                Word::AwardsChooseMembers,
            ));
        }
        if let Err(e) = Reason::parse(&reason.get_untracked()) {
            found.push(field_error("reason", &e));
        }
        if found.is_empty() {
            errors.set(Vec::new());
            asking.set(true);
        } else {
            award.submit(found, request());
        }
    };
    let all = StoredValue::new(all);
    let name_of = move |field: &str| -> Option<String> {
        // `member_ids[i]` names the i-th ticked member, in the order they were sent.
        let i: usize = field
            .strip_prefix("member_ids[")?
            .strip_suffix(']')?
            .parse()
            .ok()?;
        let id = selected.with_untracked(|s| s.iter().nth(i).cloned())?;
        members.with_value(|ms| ms.iter().find(|m| m.id == id).map(|m| m.name.clone()))
    };
    let member_problems = move || {
        errors
            .get()
            .into_iter()
            .filter(|e| e.field.starts_with("member_ids["))
            .map(|e| match name_of(&e.field) {
                // The server names members it may show; others are named here by their place.
                Some(name) if !e.message.contains(&name) => format!("{name}: {}", e.message),
                _ => e.message,
            })
            .collect::<Vec<_>>()
    };
    view! {
        <h2 class="section-title">{tr(Word::AwardsTitle)}</h2>
        <Show when=move || !base_rules().is_empty()
            fallback=move || view! { <EmptyState text=tr(Word::AwardsNoBaseItems)/> }>
            <form class="award-form" on:submit=ask novalidate>
                <div class="cells">
                    <label class="cell" for="award-rule">
                        <span class="cell-label">{tr(Word::AwardsItem)}</span>
                        <select id="award-rule" on:change=move |ev| rule.set(event_target_value(&ev))
                            prop:value=move || rule.get()>
                            {move || base_rules().into_iter().map(|r| {
                                let label = format!("{} (+{})", r.name, r.standard_points);
                                view! { <option value=r.id>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <FieldErrorText errors field="rule_id"/>
                </div>
                <div class="filters">
                    <button type="button" id="select-all" class="btn btn-mini"
                        on:click=move |_| selected.set(all.get_value().into_iter().collect())>{tr(Word::AwardsSelectAll)}</button>
                    <button type="button" class="btn btn-mini"
                        on:click=move |_| selected.set(BTreeSet::new())>{tr(Word::AwardsSelectNone)}</button>
                    <span class="hint" aria-live="polite" id="award-selected">
                        {move || Word::AwardsSelected.fill(session.lang.get(), &[("n", &selected.with(BTreeSet::len))])}
                    </span>
                </div>
                <fieldset class="cells award-members" aria-describedby="err-member_ids">
                    <legend class="sr-only">{tr(Word::AwardsMembers)}</legend>
                    {move || members.get_value().into_iter().map(|m| {
                        let id = m.id.clone();
                        let check_id = format!("award-{}", m.id);
                        let label_for = check_id.clone();
                        let ticked = {
                            let id = id.clone();
                            move || selected.with(|s| s.contains(&id))
                        };
                        view! {
                            <label class="cell" for=label_for>
                                <input id=check_id type="checkbox" class="check" prop:checked=ticked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        selected.update(|s| {
                                            if on { s.insert(id.clone()); } else { s.remove(&id); }
                                        });
                                    }/>
                                <span class="cell-body"><span class="cell-title">{m.name}</span></span>
                                <span class="cell-side">
                                    <span class="points">{m.base}</span>
                                    <span class="hint">{tr(Word::YearMembersBase)}</span>
                                </span>
                            </label>
                        }
                    }).collect_view()}
                    {members.with_value(Vec::is_empty).then(|| view! {
                        <EmptyState text=tr(Word::YearMembersEmpty)/>
                    })}
                </fieldset>
                <FieldErrorText errors field="member_ids"/>
                {move || member_problems().into_iter().map(|text| view! {
                    <p class="field-error" role="alert">{text}</p>
                }).collect_view()}
                <div class="cells">
                    <label class="cell" for="award-reason">
                        <span class="cell-label">{tr(Word::AwardsReason)}</span>
                        <input id="award-reason" type="text" bind:value=reason
                            placeholder=tr(Word::AwardsReasonHint) aria-describedby="err-reason"/>
                    </label>
                    <FieldErrorText errors field="reason"/>
                </div>
                <Show when=move || asking.get()
                    fallback=move || view! {
                        <button type="submit" id="award-submit" class="btn btn-primary">
                            {move || Word::AwardsSubmit.fill(session.lang.get(), &[("n", &selected.with(BTreeSet::len))])}
                        </button>
                    }>
                    <p class="notice" role="alert" id="award-confirm-text">{move || {
                        let (item, points) = chosen().map(|r| (r.name, r.standard_points)).unwrap_or_default();
                        Word::AwardsConfirm.fill(session.lang.get(), &[
                            ("item", &item),
                            ("n", &selected.with(BTreeSet::len)),
                            ("points", &points),
                        ])
                    }}</p>
                    <div class="button-row">
                        <button type="button" class="btn btn-default" on:click=move |_| asking.set(false)>{tr(Word::YearCancel)}</button>
                        <button type="button" id="award-confirm" class="btn btn-primary" disabled=move || award.pending().get()
                            on:click=move |_| { asking.set(false); award.send(request()); }>{tr(Word::YearConfirmYes)}</button>
                    </div>
                </Show>
                <FormError form=award/>
            </form>
        </Show>
    }
}
