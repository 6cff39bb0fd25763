use jifen_shared::explain::Explain;
use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
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

/// A field's error found in the browser that no domain type words.
pub fn field_message(field: &str, code: &str, word: Word) -> FieldError {
    FieldError {
        field: field.into(),
        code: code.into(),
        message: word.text(lang()).into(),
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
