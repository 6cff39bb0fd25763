//! 星级评定: each branch's stars for the year, drawn large, and, a tap away, why: every indicator's
//! figure against its threshold with the numbers behind it. A branch's committee sees its own
//! branch; an administrator of a town or county sees every branch beneath, changes the town's
//! rules and adjusts a branch's stars with a reason.

use jifen_shared::api::{
    AdjustRatingRequest, AtLeastPercent, AtMostPercent, BranchRating, IndicatorRating,
    IndicatorThreshold, OnTimeReview, RatingIndicator, RatingRules, RatingRulesView, RatingsView,
    SignedOnTime,
};
use jifen_shared::domain::{OrgKind, Role};
use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{field_message, FieldErrorText, FormError, FormSubmit, Loaded};
use crate::i18n::{lang, tr};
use crate::session::Session;

/// A unit the reader holds a committee, secretary or administrator role on.
#[derive(Clone, Debug, PartialEq)]
struct Unit {
    id: String,
    name: String,
}

fn level(kind: Option<OrgKind>) -> u8 {
    match kind {
        Some(OrgKind::County) => 0,
        Some(OrgKind::Town) => 1,
        Some(OrgKind::Branch) | None => 2,
        Some(OrgKind::Migrant) | Some(OrgKind::Group) => 3,
    }
}

/// The units whose ratings the reader may open, highest first, each once.
fn my_units(session: Session) -> Vec<Unit> {
    let mut roles: Vec<_> = session
        .me
        .get_untracked()
        .map(|m| m.roles)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.role.can_review() && r.org_unit_kind != Some(OrgKind::Migrant))
        .collect();
    roles.sort_by_key(|r| (level(r.org_unit_kind), r.role != Role::OrgAdmin));
    let mut out: Vec<Unit> = Vec::new();
    for r in roles {
        if !out.iter().any(|u| u.id == r.org_unit_id) {
            out.push(Unit {
                id: r.org_unit_id,
                name: r.org_unit_name,
            });
        }
    }
    out
}

fn indicator_word(i: RatingIndicator) -> Word {
    match i {
        RatingIndicator::Participation => Word::RatingParticipation,
        RatingIndicator::Attendance => Word::RatingAttendance,
        RatingIndicator::ReviewOnTime => Word::RatingReviewOnTime,
        RatingIndicator::FeedbackHandled => Word::RatingFeedbackHandled,
        RatingIndicator::UnderAlert => Word::RatingUnderAlert,
        RatingIndicator::QuartersSigned => Word::RatingQuartersSigned,
    }
}

/// The indicator as the API names it, for tests to find its line.
fn indicator_key(i: RatingIndicator) -> &'static str {
    match i {
        RatingIndicator::Participation => "participation",
        RatingIndicator::Attendance => "attendance",
        RatingIndicator::ReviewOnTime => "review_on_time",
        RatingIndicator::FeedbackHandled => "feedback_handled",
        RatingIndicator::UnderAlert => "under_alert",
        RatingIndicator::QuartersSigned => "quarters_signed",
    }
}

/// A share as a percentage, one decimal when it is not whole (46.7%, 50%).
fn percent(rate: Option<f64>) -> String {
    match rate {
        None => "—".into(),
        Some(r) => {
            let p = (r * 1000.0).round() / 10.0;
            if p.fract() == 0.0 {
                format!("{p:.0}%")
            } else {
                format!("{p:.1}%")
            }
        }
    }
}

#[component]
pub fn RatingsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let units = my_units(session);
    let unit = RwSignal::new(units.first().map(|u| u.id.clone()).unwrap_or_default());
    let year = RwSignal::new(crate::time::current_year());
    let ratings = LocalResource::new(move || {
        let (u, y) = (unit.get(), year.get());
        async move { api::ratings(&u, y).await }
    });
    let rules = LocalResource::new(move || {
        let u = unit.get();
        async move { api::rating_rules(&u).await }
    });
    // The branch opened stays open while the list reloads after a change.
    let open: RwSignal<Option<String>> = RwSignal::new(None);
    // A committee sees one branch: open it as soon as it is loaded.
    Effect::new(move |_| {
        let only = ratings.with(|r| match r {
            Some(Ok(v)) if v.branches.len() == 1 => Some(v.branches[0].branch_id.clone()),
            _ => None,
        });
        if only.is_some() && open.get_untracked() != only {
            open.set(only);
        }
    });
    let changed = Callback::new(move |()| {
        ratings.refetch();
        rules.refetch();
    });
    let none = units.is_empty();
    view! {
        <header class="page-header">
            <h1>{tr(Word::RatingsTitle)}</h1>
            <div class="year-switch">
                <button class="btn btn-mini" aria-label=tr(Word::PreviousYear) on:click=move |_| year.update(|y| *y -= 1)>"‹"</button>
                <span aria-live="polite" id="ratings-year">{move || year.get()}</span>
                <button class="btn btn-mini" aria-label=tr(Word::NextYear) on:click=move |_| year.update(|y| *y += 1)>"›"</button>
            </div>
        </header>
        {(units.len() > 1).then(|| view! {
            <div class="filters">
                <select id="ratings-unit" aria-label=tr(Word::RatingsUnit) on:change=move |ev| unit.set(event_target_value(&ev))>
                    {units.into_iter().map(|u| view! { <option value=u.id>{u.name}</option> }).collect_view()}
                </select>
            </div>
        })}
        {if none {
            view! { <p class="notice">{tr(Word::RatingsNoUnit)}</p> }.into_any()
        } else {
            view! {
                <Loaded resource=rules let:r>
                    <RulesPanel view=r on_changed=changed/>
                </Loaded>
                <Loaded resource=ratings empty_when=|v: &RatingsView| v.branches.is_empty()
                    empty=tr(Word::RatingsNoBranches) let:v>
                    <Branches view=v open on_changed=changed/>
                </Loaded>
            }.into_any()
        }}
    }
}

/// The stars, drawn: filled for each one earned, hollow for the rest.
#[component]
fn Stars(stars: u8, max: u8) -> impl IntoView {
    let label = Word::RatingsStarsOf.fill(lang(), &[("stars", &stars), ("max", &max)]);
    let drawn: String = (0..max)
        .map(|i| if i < stars { '★' } else { '☆' })
        .collect();
    view! {
        <span class="rating-stars" role="img" aria-label=label data-stars=stars.to_string()>{drawn}</span>
    }
}

#[component]
fn Branches(
    view: RatingsView,
    open: RwSignal<Option<String>>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let year = view.year;
    let org = view.org_unit_id.clone();
    let several = view.branches.len() > 1;
    view! {
        {several.then(|| view! { <p class="hint rating-hint">{tr(Word::RatingsTapForWhy)}</p> })}
        <div class="cells rating-list" id="ratings">
            {view.branches.into_iter().map(|b| {
                let id = b.branch_id.clone();
                let is_open = {
                    let id = id.clone();
                    move || open.get().as_deref() == Some(id.as_str())
                };
                let expanded = is_open.clone();
                let toggle = {
                    let id = id.clone();
                    move |_| open.update(|o| *o = if o.as_deref() == Some(id.as_str()) { None } else { Some(id.clone()) })
                };
                let detail = StoredValue::new(b.clone());
                let org = org.clone();
                view! {
                    <button class="cell cell-link rating-branch" data-branch=id.clone()
                        aria-expanded=move || expanded().to_string() on:click=toggle>
                        <span class="cell-body">
                            <span class="cell-title">{b.branch_name.clone()}</span>
                            {b.parent_name.clone().map(|p| view! { <span class="hint">{p}</span> })}
                        </span>
                        <span class="cell-side">
                            <Stars stars=b.stars max=b.max_stars/>
                            {b.adjustment.is_some().then(|| view! {
                                <span class="badge badge-returned">{tr(Word::RatingsAdjustedBadge)}</span>
                            })}
                        </span>
                    </button>
                    <Show when=is_open>
                        <BranchDetail rating=detail.get_value() org=org.clone() year on_changed/>
                    </Show>
                }
            }).collect_view()}
        </div>
    }
}

/// Why the branch has its stars: each indicator against its threshold, and any adjustment.
#[component]
fn BranchDetail(
    rating: BranchRating,
    org: String,
    year: i32,
    on_changed: Callback<()>,
) -> impl IntoView {
    let rules_from = match &rating.rules_from_name {
        Some(unit) => Word::RatingsRulesFrom.fill(lang(), &[("unit", unit)]),
        None => tr(Word::RatingsRulesDefault)().to_owned(),
    };
    let computed = Word::RatingsComputed.fill(lang(), &[("stars", &rating.computed_stars)]);
    let adjusted = rating.adjustment.as_ref().map(|a| {
        Word::RatingsAdjustedBy.fill(
            lang(),
            &[
                ("name", &a.adjusted_by_name),
                ("stars", &a.stars),
                ("reason", &a.reason),
            ],
        )
    });
    view! {
        <div class="rating-detail" data-detail=rating.branch_id.clone()>
            {rating.indicators.into_iter().map(|i| view! { <IndicatorLine i/> }).collect_view()}
            <div class="cell"><span class="hint">{computed}</span></div>
            {adjusted.map(|a| view! { <div class="cell rating-adjusted"><span class="hint">{a}</span></div> })}
            <div class="cell"><span class="hint">{rules_from}</span></div>
            {rating.may_adjust.then(|| view! {
                <AdjustForm org branch=rating.branch_id.clone() year max=rating.max_stars
                    current=rating.stars on_changed/>
            })}
        </div>
    }
}

#[component]
fn IndicatorLine(i: IndicatorRating) -> impl IntoView {
    let figure = percent(i.rate);
    let numbers = match i.threshold {
        _ if i.of == 0 && !matches!(i.threshold, IndicatorThreshold::AtLeastQuarters { .. }) => {
            tr(Word::RatingNothingCounted)().to_owned()
        }
        IndicatorThreshold::AtLeastPercent { percent } => Word::RatingAtLeastPercent.fill(
            lang(),
            &[
                ("figure", &figure),
                ("count", &i.count),
                ("of", &i.of),
                ("percent", &percent),
            ],
        ),
        IndicatorThreshold::AtMostPercent { percent } => Word::RatingAtMostPercent.fill(
            lang(),
            &[
                ("figure", &figure),
                ("count", &i.count),
                ("of", &i.of),
                ("percent", &percent),
            ],
        ),
        IndicatorThreshold::AtLeastQuarters { quarters, .. } => Word::RatingAtLeastQuarters.fill(
            lang(),
            &[("count", &i.count), ("of", &i.of), ("quarters", &quarters)],
        ),
    };
    let days = i
        .within_days
        .map(|d| Word::RatingWithinDays.fill(lang(), &[("days", &d)]));
    let (mark, class, word) = if i.met {
        ("✓", "rating-met", Word::RatingMet)
    } else {
        ("✗", "rating-not-met", Word::RatingNotMet)
    };
    view! {
        <div class="cell cell-top rating-indicator" data-indicator=indicator_key(i.indicator)>
            <span class=format!("rating-mark {class}") role="img" aria-label=tr(word)>{mark}</span>
            <span class="cell-body">
                <span class="cell-title">{tr(indicator_word(i.indicator))}</span>
                <span class="hint">{numbers}</span>
                {days.map(|d| view! { <span class="hint">{d}</span> })}
            </span>
        </div>
    }
}

/// An administrator above the branch sets its stars, with a reason.
#[component]
fn AdjustForm(
    org: String,
    branch: String,
    year: i32,
    max: u8,
    current: u8,
    on_changed: Callback<()>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let stars = RwSignal::new(current);
    let reason = RwSignal::new(String::new());
    let adjust = FormSubmit::new(
        move |req: &AdjustRatingRequest| {
            let (o, req) = (org.clone(), req.clone());
            async move { api::adjust_rating(&o, &req).await }
        },
        move |_: BranchRating| {
            editing.set(false);
            on_changed.run(());
        },
    );
    view! {
        <Show when=move || !editing.get()>
            <button class="btn btn-default adjust-rating" on:click=move |_| editing.set(true)>{tr(Word::RatingsAdjust)}</button>
        </Show>
        <Show when=move || editing.get()>
            {
                let branch = branch.clone();
                view! {
                    <form class="form rating-adjust" on:submit=move |ev| {
                        ev.prevent_default();
                        adjust.send(AdjustRatingRequest {
                            branch_id: branch.clone(),
                            year,
                            stars: i32::from(stars.get_untracked()),
                            reason: reason.get_untracked(),
                        });
                    }>
                        <label class="cell">
                            <span class="cell-label">{tr(Word::RatingsAdjustStars)}</span>
                            <select name="stars" on:change=move |ev| {
                                if let Ok(n) = event_target_value(&ev).parse::<u8>() {
                                    stars.set(n);
                                }
                            }>
                                {(0..=max).rev().map(|n| view! {
                                    <option value=n.to_string() selected=move || stars.get() == n>
                                        {Word::RatingsStarsOf.fill(lang(), &[("stars", &n), ("max", &max)])}
                                    </option>
                                }).collect_view()}
                            </select>
                        </label>
                        <FieldErrorText errors=adjust.errors field="stars"/>
                        <label class="cell">
                            <textarea name="reason" rows="2" placeholder=tr(Word::RatingsAdjustReasonHint)
                                aria-label=tr(Word::RatingsAdjustReasonHint)
                                prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                        </label>
                        <FieldErrorText errors=adjust.errors field="reason"/>
                        <div class="button-row">
                            <button type="button" class="btn btn-default" on:click=move |_| editing.set(false)>{tr(Word::GradesCancel)}</button>
                            <button type="submit" class="btn btn-primary" disabled=move || adjust.pending().get()>{tr(Word::RatingsAdjustSave)}</button>
                        </div>
                        <FormError form=adjust/>
                    </form>
                }
            }
        </Show>
    }
}

/// Where the rules come from, and the form to change them for those who may.
#[component]
fn RulesPanel(view: RatingRulesView, on_changed: Callback<()>) -> impl IntoView {
    let from = match &view.source_org_unit_name {
        Some(unit) => Word::RatingsRulesFrom.fill(lang(), &[("unit", unit)]),
        None => tr(Word::RatingsRulesDefault)().to_owned(),
    };
    let editing = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let editable = view.editable;
    let org = view.org_unit_id.clone();
    let rules = view.rules.clone();
    view! {
        <div class="cells rating-rules">
            <div class="cell"><span class="cell-title" id="rating-rules-from">{from}</span></div>
            <div class="cell"><span class="hint">{tr(Word::RatingsRulesHint)}</span></div>
        </div>
        <Show when=move || saved.get()>
            <p class="form-ok" role="status" id="rating-rules-saved">{tr(Word::RatingsRulesSaved)}</p>
        </Show>
        {editable.then(|| view! {
            <Show when=move || !editing.get()>
                <button id="edit-rating-rules" class="btn btn-default" on:click=move |_| { saved.set(false); editing.set(true) }>
                    {tr(Word::RatingsRulesEdit)}
                </button>
            </Show>
            <Show when=move || editing.get()>
                <RulesForm org=org.clone() rules=rules.clone() on_saved=Callback::new(move |()| {
                    editing.set(false);
                    saved.set(true);
                    on_changed.run(());
                }) on_cancel=Callback::new(move |()| editing.set(false))/>
            </Show>
        })}
    }
}

/// One indicator of the form as typed: on or off, and its numbers.
#[derive(Clone, Copy)]
struct TypedIndicator {
    on: RwSignal<bool>,
    first: RwSignal<String>,
    second: RwSignal<String>,
}

impl TypedIndicator {
    fn new(on: bool, first: Option<i32>, second: Option<i32>) -> Self {
        let text = |v: Option<i32>| RwSignal::new(v.map(|v| v.to_string()).unwrap_or_default());
        Self {
            on: RwSignal::new(on),
            first: text(first),
            second: text(second),
        }
    }
}

/// The form's fields, by indicator, each with the names the server gives its errors.
#[derive(Clone, Copy)]
struct Typed {
    participation: TypedIndicator,
    attendance: TypedIndicator,
    review: TypedIndicator,
    feedback: TypedIndicator,
    under_alert: TypedIndicator,
    signed: TypedIndicator,
}

impl Typed {
    fn of(r: &RatingRules) -> Self {
        let d = RatingRules::default();
        let pct = |x: Option<AtLeastPercent>, d: Option<AtLeastPercent>| {
            TypedIndicator::new(
                x.is_some(),
                x.or(d).map(|p| p.min_percent).or(Some(80)),
                None,
            )
        };
        let review = r.review_on_time.or(d.review_on_time);
        let signed = r.quarters_signed.or(d.quarters_signed);
        Typed {
            participation: pct(r.participation, d.participation),
            attendance: pct(r.attendance, d.attendance),
            review: TypedIndicator::new(
                r.review_on_time.is_some(),
                review.map(|x| x.min_percent),
                review.map(|x| x.within_days),
            ),
            feedback: pct(r.feedback_handled, d.feedback_handled),
            under_alert: TypedIndicator::new(
                r.under_alert.is_some(),
                r.under_alert.or(d.under_alert).map(|x| x.max_percent),
                None,
            ),
            signed: TypedIndicator::new(
                r.quarters_signed.is_some(),
                signed.map(|x| x.min_quarters),
                signed.map(|x| x.within_days),
            ),
        }
    }

    /// The rules as typed, or each switched-on field that is not a whole number.
    fn read(&self) -> Result<RatingRules, Vec<FieldError>> {
        let mut found = Vec::new();
        let mut number = |field: &str, text: RwSignal<String>| -> i32 {
            match text.get_untracked().trim().parse::<i32>() {
                Ok(v) => v,
                Err(_) => {
                    found.push(field_message(
                        field,
                        "rating.not_a_number",
                        Word::SettingsWholeNumber,
                    ));
                    0
                }
            }
        };
        let on = |t: TypedIndicator| t.on.get_untracked();
        let rules = RatingRules {
            participation: on(self.participation).then(|| AtLeastPercent {
                min_percent: number("participation.min_percent", self.participation.first),
            }),
            attendance: on(self.attendance).then(|| AtLeastPercent {
                min_percent: number("attendance.min_percent", self.attendance.first),
            }),
            review_on_time: on(self.review).then(|| OnTimeReview {
                min_percent: number("review_on_time.min_percent", self.review.first),
                within_days: number("review_on_time.within_days", self.review.second),
            }),
            feedback_handled: on(self.feedback).then(|| AtLeastPercent {
                min_percent: number("feedback_handled.min_percent", self.feedback.first),
            }),
            under_alert: on(self.under_alert).then(|| AtMostPercent {
                max_percent: number("under_alert.max_percent", self.under_alert.first),
            }),
            quarters_signed: on(self.signed).then(|| SignedOnTime {
                min_quarters: number("quarters_signed.min_quarters", self.signed.first),
                within_days: number("quarters_signed.within_days", self.signed.second),
            }),
        };
        if found.is_empty() {
            Ok(rules)
        } else {
            Err(found)
        }
    }
}

#[component]
fn RulesForm(
    org: String,
    rules: RatingRules,
    on_saved: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let typed = Typed::of(&rules);
    let save = FormSubmit::new(
        move |rules: &RatingRules| {
            let (o, r) = (org.clone(), rules.clone());
            async move { api::put_rating_rules(&o, &r).await }
        },
        move |_: RatingRulesView| on_saved.run(()),
    );
    let errors = save.errors;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match typed.read() {
            Ok(rules) => save.send(rules),
            Err(found) => save.submit(found, rules_placeholder()),
        }
    };
    let number = move |id: String,
                       label: Word,
                       value: RwSignal<String>,
                       on: RwSignal<bool>,
                       field: &'static str| {
        let label_for = id.clone();
        view! {
            <label class="cell" for=label_for>
                <span class="cell-label">{tr(label)}</span>
                <input id=id type="text" inputmode="numeric" bind:value=value disabled=move || !on.get()
                    aria-describedby=format!("err-{}", field.replace('.', "-"))/>
            </label>
            <FieldErrorText errors field/>
        }
    };
    let group = move |key: &'static str,
                      word: Word,
                      t: TypedIndicator,
                      first: (Word, &'static str),
                      second: Option<(Word, &'static str)>| {
        let switch = format!("rule-{key}-on");
        let label_for = switch.clone();
        view! {
            <h2 class="section-title">{tr(word)}</h2>
            <div class="cells" data-rule=key>
                <label class="cell" for=label_for>
                    <span class="cell-label">{tr(Word::RatingsIndicatorOn)}</span>
                    <input id=switch type="checkbox" class="switch" bind:checked=t.on/>
                </label>
                {number(format!("rule-{key}-first"), first.0, t.first, t.on, first.1)}
                {second.map(|(w, f)| number(format!("rule-{key}-second"), w, t.second, t.on, f))}
            </div>
        }
    };
    view! {
        <form class="settings-form rating-rules-form" on:submit=submit novalidate>
            <h2 class="section-title">{tr(Word::RatingsRulesTitle)}</h2>
            <p class="hint rating-hint">{tr(Word::RatingsRulesHint)}</p>
            {group("participation", Word::RatingParticipation, typed.participation,
                (Word::RatingsMinPercent, "participation.min_percent"), None)}
            {group("attendance", Word::RatingAttendance, typed.attendance,
                (Word::RatingsMinPercent, "attendance.min_percent"), None)}
            {group("review", Word::RatingReviewOnTime, typed.review,
                (Word::RatingsMinPercent, "review_on_time.min_percent"),
                Some((Word::RatingsWithinDaysLabel, "review_on_time.within_days")))}
            {group("feedback", Word::RatingFeedbackHandled, typed.feedback,
                (Word::RatingsMinPercent, "feedback_handled.min_percent"), None)}
            {group("under-alert", Word::RatingUnderAlert, typed.under_alert,
                (Word::RatingsMaxPercent, "under_alert.max_percent"), None)}
            {group("signed", Word::RatingQuartersSigned, typed.signed,
                (Word::RatingsMinQuarters, "quarters_signed.min_quarters"),
                Some((Word::RatingsWithinDaysLabel, "quarters_signed.within_days")))}
            <FieldErrorText errors field="rules"/>
            <FormError form=save/>
            <div class="button-row">
                <button type="button" class="btn btn-default" on:click=move |_| on_cancel.run(())>{tr(Word::GradesCancel)}</button>
                <button type="submit" id="save-rating-rules" class="btn btn-primary" disabled=move || save.pending().get()>
                    {tr(Word::RatingsRulesSave)}
                </button>
            </div>
        </form>
    }
}

/// What `submit` is given alongside errors found in the browser; never sent.
fn rules_placeholder() -> RatingRules {
    RatingRules::default()
}
