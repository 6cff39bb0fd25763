use jifen_shared::api::RuleView;
use jifen_shared::domain::RuleCategory;
use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::components::{FieldErrorText, Loaded};
use crate::i18n::{lang, tr};
use crate::offline::remembered;
use crate::session::Session;

/// The branch's catalogue of additions, each with its standard points and quarterly cap; the
/// catalogue last seen when there is no network, so that a report can be written offline.
#[component]
pub fn RulePicker(
    rule_id: RwSignal<String>,
    errors: RwSignal<Vec<FieldError>>,
    /// The branch whose catalogue applies: the member's home branch, or the branch of the member
    /// a deed is registered for.
    #[prop(into)]
    branch_id: Signal<String>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let me = session.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let rules = LocalResource::new(move || {
        let branch_id = branch_id.get();
        let key = remembered::key_of(&me, &format!("rules.{branch_id}"));
        async move { remembered::or_kept(&key, api::rules(&branch_id).await).map(|(rules, _)| rules) }
    });
    view! {
        <label class="cell" for="rule">
            <span class="cell-label">{tr(Word::RuleItem)}</span>
            <Loaded resource=rules let:list>
                <select id="rule" name="rule" on:change=move |ev| rule_id.set(event_target_value(&ev))
                    aria-describedby="err-rule_id">
                    <option value="" disabled selected=move || rule_id.get().is_empty()>
                        {tr(Word::Choose)}
                    </option>
                    {list.into_iter()
                        .filter(|r| r.active && r.category != RuleCategory::Deduction)
                        .map(|rule| view! { <RuleOption rule rule_id/> })
                        .collect_view()}
                </select>
            </Loaded>
        </label>
        <FieldErrorText errors field="rule_id"/>
    }
}

#[component]
fn RuleOption(rule: RuleView, rule_id: RwSignal<String>) -> impl IntoView {
    let cap = rule
        .cap_per_quarter
        .map(|c| format!(" · {}", Word::CapPerQuarter.fill(lang(), &[("cap", &c)])))
        .unwrap_or_default();
    let label = format!("{} (+{}){}", rule.name, rule.standard_points, cap);
    let id = rule.id.clone();
    view! { <option value=rule.id selected=move || rule_id.get() == id>{label}</option> }
}
