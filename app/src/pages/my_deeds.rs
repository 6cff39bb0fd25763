use jifen_shared::api::{DeedQuery, DeedView};
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api;
use crate::components::{LastSeenBanner, PagedList, StatusBadge};
use crate::i18n::{lang, tr};
use crate::offline::remembered;
use crate::session::Session;

/// One deed as a cell of a list.
#[component]
pub fn DeedCell(deed: DeedView, href: String) -> impl IntoView {
    let points = deed.points_awarded.unwrap_or(deed.points_claimed);
    view! {
        <A href=href attr:class="cell cell-link">
            <span class="cell-body">
                <span class="cell-title">{deed.title.clone()}</span>
                <span class="hint">
                    {deed.rule_name.clone()} " · " {crate::time::show(deed.occurred_at)}
                    {(!deed.member_name.is_empty()).then(|| format!(" · {}", deed.member_name))}
                </span>
                // Registered by the branch for a member without a phone (登记建账).
                {deed.registered_by_name.clone().map(|name| view! {
                    <span class="hint registered-by">{Word::RegisteredBy.fill(lang(), &[("name", &name)])}</span>
                })}
            </span>
            <span class="cell-side">
                <span class="points">{format!("{points:+}")}</span>
                <StatusBadge status=deed.status/>
            </span>
        </A>
    }
}

/// The member's own deeds, newest first, a page at a time.
#[component]
pub fn MyDeedsPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let me = session.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let key = StoredValue::new(remembered::key_of(&me, "deeds.mine"));
    // With no network, the first page as last seen (later pages need the network).
    let seen = RwSignal::new(None::<f64>);
    let fetch = move |cursor: Option<String>| async move {
        let first = cursor.is_none();
        let query = DeedQuery {
            scope: Some("mine".into()),
            cursor,
            ..Default::default()
        };
        let answer = api::deeds(&query).await;
        let page = match first {
            true => remembered::or_last_seen(&key.get_value(), answer, seen)?,
            false => answer?,
        };
        Ok((page.items, page.next_cursor))
    };
    view! {
        <header class="page-header"><h1>{tr(Word::MyDeeds)}</h1></header>
        <LastSeenBanner seen/>
        <PagedList fetch id="my-deeds" key=|d: &DeedView| (d.id.clone(), d.status, d.updated_at)
            empty=tr(Word::NoDeedsYet)
            more=tr(Word::LoadMore) let:d>
            <DeedCell href=format!("/deeds/{}", d.id) deed=d/>
        </PagedList>
    }
}
