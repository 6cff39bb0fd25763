//! The queue pane: filters, the deeds that match, and approving several at once.

use std::collections::BTreeMap;

use jifen_shared::api::{DeedPage, DeedQuery, DeedView};
use jifen_shared::domain::DeedStatus;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{self, ApiError, Decision};
use crate::components::{LastSeenBanner, Loaded, StatusBadge};
use crate::i18n::{lang, tr};
use crate::offline::remembered;
use crate::session::Session;

/// Which deeds the queue shows.
#[derive(Clone, Copy)]
struct QueueFilter {
    /// `None` for every status.
    status: RwSignal<Option<DeedStatus>>,
    /// A quarter of this year, or the whole year.
    quarter: RwSignal<Option<u8>>,
    member: RwSignal<Option<String>>,
}

impl QueueFilter {
    fn new() -> Self {
        Self {
            status: RwSignal::new(Some(DeedStatus::Submitted)),
            quarter: RwSignal::new(None),
            member: RwSignal::new(None),
        }
    }

    fn query(&self) -> DeedQuery {
        let quarter = self.quarter.get();
        DeedQuery {
            scope: Some("review".into()),
            status: self.status.get().map(|s| s.as_str().to_owned()),
            quarter,
            year: quarter.map(|_| crate::time::current_year()),
            member_id: self.member.get(),
            limit: Some(100),
            ..Default::default()
        }
    }
}

/// The queue, and the deed open beside it marked. `reload` reads it again (after a decision).
#[component]
pub fn QueuePane(selected: Memo<Option<String>>, reload: Trigger) -> impl IntoView {
    let filter = QueueFilter::new();
    let me = expect_context::<Session>()
        .me
        .get_untracked()
        .map(|m| m.id)
        .unwrap_or_default();
    // With no network, the queue as last seen with these filters.
    let seen = RwSignal::new(None::<f64>);
    let queue = LocalResource::new(move || {
        let query = filter.query();
        reload.track();
        let key = remembered::key_of(
            &me,
            &format!(
                "review.{}",
                serde_json::to_string(&query).unwrap_or_default()
            ),
        );
        async move { remembered::or_last_seen(&key, api::deeds(&query).await, seen) }
    });
    let checked = RwSignal::new(Vec::<String>::new());
    view! {
        <section class="queue" aria-label=tr(Word::Queue)>
            <LastSeenBanner seen/>
            <QueueFilters filter queue/>
            <BatchApprove checked reload/>
            <Loaded resource=queue empty_when={|page: &DeedPage| page.items.is_empty()}
                empty=tr(Word::NothingToReview) let:page>
                <div class="cells" id="review-queue">
                    {page.items.into_iter().map(|deed| view! { <QueueItem deed selected checked/> }).collect_view()}
                </div>
            </Loaded>
        </section>
    }
}

#[component]
fn QueueFilters(
    filter: QueueFilter,
    queue: LocalResource<Result<DeedPage, ApiError>>,
) -> impl IntoView {
    const STATUSES: [DeedStatus; 4] = [
        DeedStatus::Submitted,
        DeedStatus::Approved,
        DeedStatus::Returned,
        DeedStatus::Rejected,
    ];
    // The members whose deeds are listed.
    let members = move || -> BTreeMap<String, String> {
        queue
            .get()
            .and_then(Result::ok)
            .map(|p| {
                p.items
                    .into_iter()
                    .map(|d| (d.member_id, d.member_name))
                    .collect()
            })
            .unwrap_or_default()
    };
    view! {
        <div class="filters">
            <label>
                <span class="sr-only">{tr(Word::Status)}</span>
                <select id="filter-status" on:change=move |ev| filter.status.set(event_target_value(&ev).parse().ok())>
                    {STATUSES.map(|s| {
                        let word = Word::from(s);
                        view! { <option value=s.as_str()>{tr(word)}</option> }
                    }).collect_view()}
                    <option value="">{tr(Word::All)}</option>
                </select>
            </label>
            <label>
                <span class="sr-only">{tr(Word::PointsQuarter)}</span>
                <select id="filter-quarter" on:change=move |ev| filter.quarter.set(event_target_value(&ev).parse().ok())>
                    <option value="">{tr(Word::WholeYear)}</option>
                    {(1..=4u8).map(|q| view! { <option value=q.to_string()>{format!("Q{q}")}</option> }).collect_view()}
                </select>
            </label>
            <label>
                <span class="sr-only">{tr(Word::Member)}</span>
                <select id="filter-member"
                    on:change=move |ev| filter.member.set(Some(event_target_value(&ev)).filter(|m| !m.is_empty()))>
                    <option value="">{tr(Word::AllMembers)}</option>
                    {move || members().into_iter().map(|(id, name)| {
                        let chosen = Some(id.clone());
                        view! { <option value=id selected=move || filter.member.get() == chosen>{name}</option> }
                    }).collect_view()}
                </select>
            </label>
        </div>
    }
}

/// Approves the checked deeds, each with its rule's standard points, and says how it went.
#[component]
fn BatchApprove(checked: RwSignal<Vec<String>>, reload: Trigger) -> impl IntoView {
    let note = RwSignal::new(None::<String>);
    let batch = Action::new_local(move |ids: &Vec<String>| {
        let ids = ids.clone();
        async move {
            let (mut ok, mut failed) = (0, Vec::<String>::new());
            for id in ids {
                match api::decide(&id, Decision::Approve { points: None }).await {
                    Ok(_) => ok += 1,
                    Err(e) => failed.push(e.message(lang())),
                }
            }
            (ok, failed)
        }
    });
    Effect::new(move |_| {
        if let Some((ok, failed)) = batch.value().get() {
            let mut text = Word::BatchApproved.fill(lang(), &[("n", &ok)]);
            for f in failed {
                text.push('；');
                text.push_str(&f);
            }
            note.set(Some(text));
            checked.set(vec![]);
            reload.notify();
        }
    });
    view! {
        <Show when=move || !checked.get().is_empty()>
            <div class="batch-bar">
                <button class="btn btn-primary" id="batch-approve" disabled=move || batch.pending().get()
                    on:click=move |_| { batch.dispatch(checked.get_untracked()); }>
                    {move || format!("{} ({})", tr(Word::ApproveSelected)(), checked.get().len())}
                </button>
            </div>
        </Show>
        {move || note.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
    }
}

/// A deed in the queue; a pending one has a box to check for approving several at once.
#[component]
fn QueueItem(
    deed: DeedView,
    selected: Memo<Option<String>>,
    checked: RwSignal<Vec<String>>,
) -> impl IntoView {
    let points = deed.points_awarded.unwrap_or(deed.points_claimed);
    let id = deed.id.clone();
    let current = move || selected.with(|s| s.as_deref() == Some(id.as_str()));
    let check = (deed.status == DeedStatus::Submitted).then(|| {
        let label = format!("{} {}", Word::Select.text(lang()), deed.title);
        let (id, id_toggle) = (deed.id.clone(), deed.id.clone());
        let toggle = move |_| {
            checked.update(|c| match c.iter().position(|x| *x == id_toggle) {
                Some(i) => {
                    c.remove(i);
                }
                None => c.push(id_toggle.clone()),
            })
        };
        view! {
            <input type="checkbox" class="check" aria-label=label
                prop:checked=move || checked.get().contains(&id) on:change=toggle/>
        }
    });
    view! {
        <div class=move || if current() { "cell queue-item current" } else { "cell queue-item" }>
            {check}
            <A href=format!("/review/{}", deed.id) attr:class="cell-body cell-link">
                <span class="cell-title">{deed.title.clone()}</span>
                <span class="hint">{deed.member_name.clone()} " · " {deed.rule_name.clone()} " · " {crate::time::show(deed.occurred_at)}</span>
                // Registered by the branch for a member without a phone (登记建账).
                {deed.registered_by_name.clone().map(|name| view! {
                    <span class="hint registered-by">{Word::RegisteredBy.fill(lang(), &[("name", &name)])}</span>
                })}
            </A>
            <span class="cell-side"><span class="points">{format!("{points:+}")}</span><StatusBadge status=deed.status/></span>
        </div>
    }
}
