use std::future::Future;
use std::hash::Hash;

use leptos::prelude::*;
use leptos::tachys::view::keyed::SerializableKey;

use super::{ErrorState, Loaded, LoadingState};
use crate::api::ApiError;

/// One page of a list read by cursor: its items, and the cursor of the page after it, if any.
pub type Page<T> = (Vec<T>, Option<String>);

/// A list read a page at a time, newest first. The first page shows as a [`Loaded`] resource
/// (loading, error, `empty`, the list); then a `more` button reads the next page for as long as
/// the server names one. `reload` starts over from the first page (after a write).
#[component]
pub fn PagedList<T, F, Fut, K, KF, V, VF>(
    /// Reads the page after the cursor, or the first page for `None`.
    fetch: F,
    /// Tells items apart, and changes when an item must be drawn again.
    key: KF,
    /// The view of one item.
    children: VF,
    /// The list's element id.
    id: &'static str,
    #[prop(into)] empty: Signal<&'static str>,
    #[prop(into)] more: Signal<&'static str>,
    #[prop(optional)] reload: Option<Trigger>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(Option<String>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>, ApiError>> + 'static,
    K: Eq + Hash + SerializableKey + 'static,
    KF: Fn(&T) -> K + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
    VF: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    let fetch = StoredValue::new(fetch);
    let first = LocalResource::new(move || {
        if let Some(reload) = reload {
            reload.track();
        }
        fetch.with_value(|fetch| fetch(None))
    });
    // The pages read so far, from the first one; made again whenever the first page is read again.
    let pages = move |(items, next): Page<T>| {
        let items = RwSignal::new(items);
        let next = RwSignal::new(next);
        let failure = RwSignal::new(None::<ApiError>);
        let load = Action::new_local(move |cursor: &String| {
            let cursor = Some(cursor.clone());
            fetch.with_value(|fetch| fetch(cursor))
        });
        Effect::new(move |_| match load.value().get() {
            Some(Ok((page, after))) => {
                items.update(|all| all.extend(page));
                next.set(after);
                failure.set(None);
            }
            Some(Err(e)) => failure.set(Some(e)),
            None => {}
        });
        let load_next = move || {
            if let Some(cursor) = next.get_untracked() {
                load.dispatch(cursor);
            }
        };
        view! {
            <div class="cells" id=id>
                <For each=move || items.get() key=key.clone() children=children.clone()/>
            </div>
            {move || {
                if load.pending().get() {
                    view! { <LoadingState/> }.into_any()
                } else if let Some(error) = failure.get() {
                    view! { <ErrorState error retry=move || load_next()/> }.into_any()
                } else {
                    next.with(Option::is_some).then(|| view! {
                        <button class="btn btn-default" on:click=move |_| load_next()>{more}</button>
                    }).into_any()
                }
            }}
        }
    };
    view! {
        <Loaded resource=first empty_when={|page: &Page<T>| page.0.is_empty()} empty let:page>
            {pages(page)}
        </Loaded>
    }
}
