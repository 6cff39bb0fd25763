use jifen_shared::problem::FieldError;
use leptos::prelude::*;

/// The message for one field, if the last attempt found it wrong.
#[component]
pub fn FieldErrorText(errors: RwSignal<Vec<FieldError>>, field: &'static str) -> impl IntoView {
    let id = format!("err-{}", field.replace('.', "-"));
    move || {
        errors
            .get()
            .into_iter()
            .find(|e| e.field == field)
            .map(|e| view! { <p class="field-error" id=id.clone() role="alert">{e.message}</p> })
    }
}
