use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::{lang, tr};

#[component]
pub fn LoadingState() -> impl IntoView {
    view! {
        <div class="state loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {tr(Word::Loading)}
        </div>
    }
}

/// An error in the reader's language, with a way to try again.
#[component]
pub fn ErrorState(error: ApiError, #[prop(into)] retry: Callback<()>) -> impl IntoView {
    let message = error.message(lang());
    let request_id = match &error {
        ApiError::Problem(p) => p.request_id.clone(),
        _ => None,
    };
    view! {
        <div class="state error" role="alert">
            <p>{message}</p>
            {request_id.map(|id| view! { <p class="hint">{tr(Word::RequestId)} ": " {id}</p> })}
            <button class="btn btn-default" on:click=move |_| retry.run(())>{tr(Word::TryAgain)}</button>
        </div>
    }
}

#[component]
pub fn EmptyState(#[prop(into)] text: Signal<&'static str>) -> impl IntoView {
    view! { <div class="state empty"><p>{move || text.get()}</p></div> }
}
