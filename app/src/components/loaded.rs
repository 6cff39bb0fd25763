use leptos::prelude::*;

use super::{EmptyState, ErrorState, LoadingState};
use crate::api::ApiError;

/// A resource on screen, never a blank one: the spinner while it first loads, the error with a
/// way to try again, `empty`'s words when `empty_when` finds nothing to show, else `children` with
/// the data. A reload keeps the data shown until the new data arrives.
#[component]
pub fn Loaded<T, F, V>(
    resource: LocalResource<Result<T, ApiError>>,
    /// The view of the data.
    children: F,
    /// What "try again" does: reloads `resource`, unless this says otherwise (for a resource that
    /// only puts others together).
    #[prop(optional, into)]
    retry: Option<Callback<()>>,
    /// Whether the data holds nothing to show; `empty` then says so.
    #[prop(optional)]
    empty_when: Option<fn(&T) -> bool>,
    #[prop(optional, into)] empty: Option<Signal<&'static str>>,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let children = StoredValue::new(children);
    let retry = retry.unwrap_or_else(|| Callback::new(move |()| resource.refetch()));
    let empty = empty.unwrap_or_default();
    view! {
        <Transition fallback=|| view! { <LoadingState/> }>
            {move || Suspend::new(async move {
                match resource.await {
                    Err(error) => view! { <ErrorState error retry/> }.into_any(),
                    Ok(data) if empty_when.is_some_and(|is_empty| is_empty(&data)) => {
                        view! { <EmptyState text=empty/> }.into_any()
                    }
                    Ok(data) => children.with_value(|view| view(data)).into_any(),
                }
            })}
        </Transition>
    }
}
