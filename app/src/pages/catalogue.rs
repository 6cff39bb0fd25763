//! The branch's rules catalogue (积分细则), by kind: base points, contribution bonus, violation
//! deductions. The secretary adds items, edits them (each edit that changes what an item is worth
//! or means becomes its next version) and retires or brings them back; everyone in the branch
//! reads the catalogue and each item's versions, so a member can see what earns points.

use jifen_shared::api::{CreateRuleRequest, PatchRuleRequest, RuleVersionView, RuleView};
use jifen_shared::domain::RuleCategory;
use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{
    field_message, my_branches, BranchPicker, FieldErrorText, FormError, FormSubmit, Loaded,
    MyBranch,
};
use crate::i18n::tr;
use crate::session::Session;

/// A word with one number filled in, following the language switch.
fn filled(word: Word, blank: &'static str, value: i32) -> impl Fn() -> String + Send + Sync {
    let lang = expect_context::<Session>().lang;
    move || word.fill(lang.get(), &[(blank, &value)])
}

fn category_title(c: RuleCategory) -> Word {
    match c {
        RuleCategory::Base => Word::CatalogueBaseItems,
        RuleCategory::Bonus => Word::CatalogueBonusItems,
        RuleCategory::Deduction => Word::CatalogueDeductionItems,
    }
}

/// The branches whose catalogue the member reads: their home branch, and every branch whose
/// committee they sit on (editable where they manage the branch: its secretary or an
/// administrator above).
fn readable_branches(session: Session) -> Vec<MyBranch> {
    let mut out = my_branches(session);
    if let Some(me) = session.me.get_untracked() {
        if !out.iter().any(|b| b.id == me.home_branch_id) {
            out.insert(
                0,
                MyBranch {
                    id: me.home_branch_id,
                    name: me.home_branch_name,
                    secretary: false,
                    manages: false,
                },
            );
        }
    }
    out
}

#[component]
pub fn CataloguePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let branches = readable_branches(session);
    let branch = RwSignal::new(branches.first().map(|b| b.id.clone()).unwrap_or_default());
    let managed = StoredValue::new(
        branches
            .iter()
            .filter(|b| b.manages)
            .map(|b| b.id.clone())
            .collect::<Vec<_>>(),
    );
    let editable = Memo::new(move |_| managed.with_value(|ids| ids.contains(&branch.get())));
    let rules = LocalResource::new(move || {
        let b = branch.get();
        async move { api::rules(&b).await }
    });
    let changed = Callback::new(move |()| rules.refetch());
    // The one item being edited, so that one edit form is open at a time.
    let editing = RwSignal::new(None::<String>);
    view! {
        <header class="page-header"><h1>{tr(Word::CatalogueTitle)}</h1></header>
        <BranchPicker branches branch/>
        <p class="hint catalogue-hint">{tr(Word::CatalogueReadOnlyHint)}</p>
        <Show when=move || editable.get()>
            <NewItem branch on_added=changed/>
        </Show>
        <Loaded resource=rules let:list>
            {[RuleCategory::Base, RuleCategory::Bonus, RuleCategory::Deduction]
                .into_iter()
                .map(|category| {
                    let items: Vec<RuleView> =
                        list.iter().filter(|r| r.category == category).cloned().collect();
                    view! {
                        <CategorySection category items editable=editable.get_untracked()
                            editing on_change=changed/>
                    }
                })
                .collect_view()}
        </Loaded>
    }
}

#[component]
fn CategorySection(
    category: RuleCategory,
    items: Vec<RuleView>,
    editable: bool,
    editing: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    view! {
        <section class="catalogue-section" id=format!("catalogue-{}", category.as_str())>
            <h2 class="section-title">{tr(category_title(category))}</h2>
            {if items.is_empty() {
                view! { <p class="state">{tr(Word::CatalogueNoItems)}</p> }.into_any()
            } else {
                view! {
                    <ul class="cells catalogue-list">
                        {items.into_iter()
                            .map(|rule| view! { <CatalogueItem rule editable editing on_change/> })
                            .collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// One item: what it is worth, its version and caps; the secretary's edit, retire and bring-back;
/// its versions for anyone.
#[component]
fn CatalogueItem(
    rule: RuleView,
    editable: bool,
    editing: RwSignal<Option<String>>,
    on_change: Callback<()>,
) -> impl IntoView {
    let id = StoredValue::new(rule.id.clone());
    let is_editing = move || editing.get().as_deref() == Some(id.get_value().as_str());
    let show_versions = RwSignal::new(false);
    let active = rule.active;
    let toggle = FormSubmit::new(
        move |active: &bool| {
            let (id, active) = (id.get_value(), *active);
            async move {
                api::patch_rule(
                    &id,
                    &PatchRuleRequest {
                        name: None,
                        description: None,
                        standard_points: None,
                        cap_per_quarter: None,
                        cap_per_year: None,
                        evidence_required: None,
                        active: Some(active),
                    },
                )
                .await
            }
        },
        move |_| on_change.run(()),
    );
    let edit_rule = StoredValue::new(rule.clone());
    let facts = RuleFacts {
        points: rule.standard_points,
        cap_per_quarter: rule.cap_per_quarter,
        cap_per_year: rule.cap_per_year,
        evidence_required: rule.evidence_required,
    };
    view! {
        <li class="cell cell-top catalogue-item" class:retired=!active id=format!("rule-{}", rule.id)>
            <div class="cell-body">
                <span class="cell-title">
                    {rule.name.clone()} " "
                    <span class="badge badge-version">{filled(Word::CatalogueVersion, "version", rule.version)}</span>
                    {(!active).then(|| view! { " " <span class="badge badge-withdrawn">{tr(Word::CatalogueRetired)}</span> })}
                </span>
                {(!rule.description.is_empty()).then(|| view! { <span class="hint">{rule.description.clone()}</span> })}
                <FactsLine facts/>
                <div class="button-row catalogue-actions">
                    {editable.then(|| view! {
                        <button type="button" class="btn btn-mini edit-rule"
                            on:click=move |_| editing.set(Some(id.get_value()))>{tr(Word::CatalogueEdit)}</button>
                        <button type="button" class="btn btn-mini toggle-rule" disabled=move || toggle.pending().get()
                            on:click=move |_| toggle.send(!active)>
                            {if active { tr(Word::CatalogueRetire) } else { tr(Word::CatalogueReactivate) }}
                        </button>
                    })}
                    <button type="button" class="btn btn-mini show-versions" aria-expanded=move || show_versions.get().to_string()
                        on:click=move |_| show_versions.update(|s| *s = !*s)>
                        {move || if show_versions.get() { tr(Word::CatalogueHideVersions)() } else { tr(Word::CatalogueShowVersions)() }}
                    </button>
                </div>
                <FormError form=toggle marks_no_fields=true/>
                <Show when=is_editing>
                    <EditItem rule=edit_rule.get_value() editing on_saved=on_change/>
                </Show>
                <Show when=move || show_versions.get()>
                    <Versions rule_id=id.get_value()/>
                </Show>
            </div>
            <span class=if rule.standard_points < 0 { "points negative" } else { "points" }>
                {format!("{:+}", rule.standard_points)}
            </span>
        </li>
    }
}

/// What an award under an item (or one of its versions) is worth and needs.
#[derive(Clone, Copy)]
struct RuleFacts {
    points: i32,
    cap_per_quarter: Option<i32>,
    cap_per_year: Option<i32>,
    evidence_required: bool,
}

#[component]
fn FactsLine(facts: RuleFacts) -> impl IntoView {
    let lang = expect_context::<Session>().lang;
    move || {
        let l = lang.get();
        let mut parts = Vec::new();
        if let Some(c) = facts.cap_per_quarter {
            parts.push(Word::CapPerQuarter.fill(l, &[("cap", &c)]));
        }
        if let Some(c) = facts.cap_per_year {
            parts.push(Word::CatalogueCapYearShort.fill(l, &[("cap", &c)]));
        }
        if facts.evidence_required {
            parts.push(Word::CatalogueNeedsPhoto.text(l).to_owned());
        }
        (!parts.is_empty()).then(|| view! { <span class="hint">{parts.join(" · ")}</span> })
    }
}

/// An item's versions, newest first.
#[component]
fn Versions(rule_id: String) -> impl IntoView {
    let versions = LocalResource::new(move || {
        let id = rule_id.clone();
        async move { api::rule_versions(&id).await }
    });
    view! {
        <Loaded resource=versions let:list>
            <ol class="timeline versions">
                {list.into_iter().map(|v| view! { <VersionEntry v/> }).collect_view()}
            </ol>
        </Loaded>
    }
}

#[component]
fn VersionEntry(v: RuleVersionView) -> impl IntoView {
    let facts = RuleFacts {
        points: v.standard_points,
        cap_per_quarter: v.cap_per_quarter,
        cap_per_year: v.cap_per_year,
        evidence_required: v.evidence_required,
    };
    let by = v.created_by_name.clone();
    view! {
        <li class="version" data-version=v.version>
            <p class="timeline-title">
                {filled(Word::CatalogueVersion, "version", v.version)} " · " {v.name.clone()} " "
                <span class=if facts.points < 0 { "points negative" } else { "points" }>{format!("{:+}", facts.points)}</span>
            </p>
            {(!v.description.is_empty()).then(|| view! { <p class="hint">{v.description.clone()}</p> })}
            <FactsLine facts/>
            <p class="hint">
                {crate::time::show(v.created_at)} " · "
                {match by {
                    Some(name) => view! { <span>{name}</span> }.into_any(),
                    None => view! { <span>{tr(Word::CatalogueFirstVersion)}</span> }.into_any(),
                }}
            </p>
        </li>
    }
}

/// The item's values as typed.
#[derive(Clone, Copy)]
struct Typed {
    category: RwSignal<RuleCategory>,
    name: RwSignal<String>,
    description: RwSignal<String>,
    points: RwSignal<String>,
    cap_quarter: RwSignal<String>,
    cap_year: RwSignal<String>,
    evidence: RwSignal<bool>,
}

/// The values, read as the server will take them; numbers not whole are marked here.
struct Values {
    category: RuleCategory,
    name: String,
    description: String,
    standard_points: i32,
    cap_per_quarter: Option<i32>,
    cap_per_year: Option<i32>,
    evidence_required: bool,
}

impl Typed {
    fn blank() -> Self {
        Typed {
            category: RwSignal::new(RuleCategory::Bonus),
            name: RwSignal::new(String::new()),
            description: RwSignal::new(String::new()),
            points: RwSignal::new(String::new()),
            cap_quarter: RwSignal::new(String::new()),
            cap_year: RwSignal::new(String::new()),
            evidence: RwSignal::new(false),
        }
    }

    /// Empties the form for the next new item (the kind stays as chosen).
    fn clear(&self) {
        for text in [
            self.name,
            self.description,
            self.points,
            self.cap_quarter,
            self.cap_year,
        ] {
            text.set(String::new());
        }
        self.evidence.set(false);
    }

    fn of(r: &RuleView) -> Self {
        let cap = |c: Option<i32>| RwSignal::new(c.map(|c| c.to_string()).unwrap_or_default());
        Typed {
            category: RwSignal::new(r.category),
            name: RwSignal::new(r.name.clone()),
            description: RwSignal::new(r.description.clone()),
            points: RwSignal::new(r.standard_points.to_string()),
            cap_quarter: cap(r.cap_per_quarter),
            cap_year: cap(r.cap_per_year),
            evidence: RwSignal::new(r.evidence_required),
        }
    }

    fn read(&self) -> Result<Values, Vec<FieldError>> {
        let mut found = Vec::new();
        let mut whole = |field: &str, text: String| -> Option<i32> {
            match text.trim().parse::<i32>() {
                Ok(v) => Some(v),
                Err(_) => {
                    found.push(field_message(
                        field,
                        "rule.not_a_number",
                        Word::SettingsWholeNumber,
                    ));
                    None
                }
            }
        };
        let standard_points = whole("standard_points", self.points.get_untracked());
        let mut cap = |field: &str, text: RwSignal<String>| -> Option<Option<i32>> {
            let t = text.get_untracked();
            if t.trim().is_empty() {
                Some(None)
            } else {
                whole(field, t).map(Some)
            }
        };
        let cap_per_quarter = cap("cap_per_quarter", self.cap_quarter);
        let cap_per_year = cap("cap_per_year", self.cap_year);
        match (standard_points, cap_per_quarter, cap_per_year) {
            (Some(standard_points), Some(cap_per_quarter), Some(cap_per_year)) => Ok(Values {
                category: self.category.get_untracked(),
                name: self.name.get_untracked(),
                description: self.description.get_untracked(),
                standard_points,
                cap_per_quarter,
                cap_per_year,
                evidence_required: self.evidence.get_untracked(),
            }),
            _ => Err(found),
        }
    }
}

/// The item's fields; the kind only for a new item (an item never changes kind).
#[component]
fn RuleFields(
    typed: Typed,
    errors: RwSignal<Vec<FieldError>>,
    /// Prefix of the inputs' ids, so the new-item form and an edit form can be open together.
    prefix: &'static str,
    new: bool,
) -> impl IntoView {
    let id = move |field: &str| format!("{prefix}-{field}");
    let text = move |field: &'static str, label: Word, value: RwSignal<String>, numeric: bool| {
        view! {
            <label class="cell" for=id(field)>
                <span class="cell-label">{tr(label)}</span>
                <input id=id(field) type="text" inputmode=if numeric { "numeric" } else { "text" }
                    bind:value=value aria-describedby=format!("err-{field}")/>
            </label>
            <FieldErrorText errors field/>
        }
    };
    let category_label = |c: RuleCategory| match c {
        RuleCategory::Base => Word::Base,
        RuleCategory::Bonus => Word::Bonus,
        RuleCategory::Deduction => Word::Deduction,
    };
    view! {
        <div class="cells rule-fields">
            {new.then(|| view! {
                <label class="cell" for=id("category")>
                    <span class="cell-label">{tr(Word::CatalogueCategory)}</span>
                    <select id=id("category") on:change=move |ev| {
                        if let Ok(c) = event_target_value(&ev).parse() {
                            typed.category.set(c);
                        }
                    }>
                        {[RuleCategory::Base, RuleCategory::Bonus, RuleCategory::Deduction].map(|c| view! {
                            <option value=c.as_str() selected=move || typed.category.get() == c>{tr(category_label(c))}</option>
                        }).collect_view()}
                    </select>
                </label>
            })}
            {text("name", Word::CatalogueName, typed.name, false)}
            <label class="cell cell-top" for=id("description")>
                <span class="cell-label">{tr(Word::CatalogueDescription)}</span>
                <textarea id=id("description") rows="2" bind:value=typed.description
                    aria-describedby="err-description"></textarea>
            </label>
            <FieldErrorText errors field="description"/>
            {text("standard_points", Word::CatalogueStandardPoints, typed.points, true)}
            <p class="hint field-hint">{tr(Word::CatalogueStandardPointsHint)}</p>
            {text("cap_per_quarter", Word::CatalogueCapQuarter, typed.cap_quarter, true)}
            {text("cap_per_year", Word::CatalogueCapYear, typed.cap_year, true)}
            <label class="cell" for=id("evidence")>
                <span class="cell-label">{tr(Word::CatalogueEvidence)}</span>
                <input id=id("evidence") type="checkbox" class="switch" bind:checked=typed.evidence/>
            </label>
        </div>
    }
}

/// The secretary's "add an item": a button, then the form.
#[component]
fn NewItem(branch: RwSignal<String>, on_added: Callback<()>) -> impl IntoView {
    let open = RwSignal::new(false);
    let typed = Typed::blank();
    let added = RwSignal::new(false);
    let create = FormSubmit::new(
        move |req: &CreateRuleRequest| {
            let (b, req) = (branch.get_untracked(), req.clone());
            async move { api::create_rule(&b, &req).await }
        },
        move |_| {
            open.set(false);
            added.set(true);
            on_added.run(());
        },
    );
    let errors = create.errors;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let blank = CreateRuleRequest {
            category: RuleCategory::Bonus,
            name: String::new(),
            description: String::new(),
            standard_points: 0,
            cap_per_quarter: None,
            cap_per_year: None,
            evidence_required: false,
        };
        match typed.read() {
            Ok(v) => create.send(CreateRuleRequest {
                category: v.category,
                name: v.name,
                description: v.description,
                standard_points: v.standard_points,
                cap_per_quarter: v.cap_per_quarter,
                cap_per_year: v.cap_per_year,
                evidence_required: v.evidence_required,
            }),
            Err(found) => create.submit(found, blank),
        }
    };
    view! {
        <Show when=move || added.get() && !open.get()>
            <p class="form-ok" role="status" id="rule-added">{tr(Word::CatalogueAdded)}</p>
        </Show>
        <Show when=move || open.get()
            fallback=move || view! {
                <button type="button" id="add-rule" class="btn btn-primary"
                    on:click=move |_| { typed.clear(); added.set(false); open.set(true); }>
                    {tr(Word::CatalogueAdd)}
                </button>
            }>
            <form class="rule-form" id="new-rule" on:submit=submit novalidate>
                <h2 class="section-title">{tr(Word::CatalogueAdd)}</h2>
                <RuleFields typed errors prefix="new" new=true/>
                <FormError form=create/>
                <div class="button-row">
                    <button type="button" class="btn btn-default" on:click=move |_| open.set(false)>
                        {tr(Word::CatalogueCancel)}
                    </button>
                    <button type="submit" id="create-rule" class="btn btn-primary" disabled=move || create.pending().get()>
                        {tr(Word::CatalogueCreate)}
                    </button>
                </div>
            </form>
        </Show>
    }
}

/// The secretary's edit of an item; saving makes its next version.
#[component]
fn EditItem(
    rule: RuleView,
    editing: RwSignal<Option<String>>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let typed = Typed::of(&rule);
    let next = rule.version + 1;
    let id = rule.id.clone();
    let save = FormSubmit::new(
        move |req: &PatchRuleRequest| {
            let (id, req) = (id.clone(), req.clone());
            async move { api::patch_rule(&id, &req).await }
        },
        move |_| {
            editing.set(None);
            on_saved.run(());
        },
    );
    let errors = save.errors;
    let nothing = PatchRuleRequest {
        name: None,
        description: None,
        standard_points: None,
        cap_per_quarter: None,
        cap_per_year: None,
        evidence_required: None,
        active: None,
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match typed.read() {
            Ok(v) => save.send(PatchRuleRequest {
                name: Some(v.name),
                description: Some(v.description),
                standard_points: Some(v.standard_points),
                cap_per_quarter: Some(v.cap_per_quarter),
                cap_per_year: Some(v.cap_per_year),
                evidence_required: Some(v.evidence_required),
                active: None,
            }),
            Err(found) => save.submit(found, nothing.clone()),
        }
    };
    view! {
        <form class="rule-form edit-rule-form" on:submit=submit novalidate>
            <p class="notice" id="next-version">{filled(Word::CatalogueEditMakesVersion, "version", next)}</p>
            <RuleFields typed errors prefix="edit" new=false/>
            <FormError form=save/>
            <div class="button-row">
                <button type="button" class="btn btn-default" on:click=move |_| editing.set(None)>
                    {tr(Word::CatalogueCancel)}
                </button>
                <button type="submit" id="save-rule" class="btn btn-primary" disabled=move || save.pending().get()>
                    {filled(Word::CatalogueSaveVersion, "version", next)}
                </button>
            </div>
        </form>
    }
}
