use jifen_shared::i18n::Explain;
use jifen_shared::problem::FieldError;
use leptos::prelude::*;

use crate::i18n::lang;

/// A field's error found in the browser, worded as the server would word it.
pub fn field_error(field: &str, err: &impl Explain) -> FieldError {
    FieldError {
        field: field.into(),
        code: err.code().into(),
        message: err.explain(lang()),
    }
}

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
