use jifen_shared::api::{DeedQuery, DeedView};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{self, ApiError};
use crate::components::{EmptyState, ErrorState, LoadingState, StatusBadge};
use crate::i18n::{lang, tr};

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
    let items = RwSignal::new(Vec::<DeedView>::new());
    let cursor = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let loading = RwSignal::new(true);
    let load = move |after: Option<String>| {
        loading.set(true);
        leptos::task::spawn_local(async move {
            let q = DeedQuery {
                scope: Some("mine".into()),
                cursor: after.clone(),
                ..Default::default()
            };
            match api::deeds(&q).await {
                Ok(page) => {
                    items.update(|list| {
                        if after.is_none() {
                            list.clear();
                        }
                        list.extend(page.items)
                    });
                    cursor.set(page.next_cursor);
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
            loading.set(false);
        });
    };
    load(None);

    view! {
        <header class="page-header"><h1>{tr("我的申报", "My deeds")}</h1></header>
        <Show when=move || !items.get().is_empty() fallback=move || view! {
            <Show when=move || !loading.get() && error.get().is_none() fallback=|| ()>
                <EmptyState text=Signal::derive(tr("还没有申报，去申报第一件好人好事吧", "No deeds yet; report your first one"))/>
            </Show>
        }>
            <div class="cells" id="my-deeds">
                <For each=move || items.get() key=|d| (d.id.clone(), d.status, d.updated_at) let:d>
                    <DeedCell href=format!("/deeds/{}", d.id) deed=d/>
                </For>
            </div>
        </Show>
        {move || loading.get().then(|| view! { <LoadingState/> })}
        {move || error.get().map(|e| view! { <ErrorState error=e retry=move || load(cursor.get_untracked())/> })}
        <Show when=move || cursor.get().is_some() && !loading.get()>
            <button class="btn btn-default" on:click=move |_| load(cursor.get_untracked())>{tr("加载更多", "Load more")}</button>
        </Show>
        <p class="sr-only" aria-live="polite">{move || if loading.get() { lang().pick("加载中", "Loading") } else { "" }}</p>
    }
}
