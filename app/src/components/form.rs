use std::future::Future;

use jifen_shared::problem::FieldError;
use leptos::prelude::*;

use crate::api::ApiError;
use crate::i18n::lang;

/// What went wrong with the last attempt, beyond what the fields show.
#[derive(Clone, Debug, PartialEq)]
struct Problem {
    message: String,
    /// The server named fields, shown next to them by [`super::FieldErrorText`].
    about_fields: bool,
}

/// A form's submission, or any one request a button sends: whether it is in flight, the fields
/// found wrong (in the browser or by the server), the problem to show otherwise ([`FormError`]),
/// and what happens on success.
pub struct FormSubmit<I: 'static, T: 'static> {
    action: Action<I, Result<T, ApiError>>,
    /// The fields found wrong, for [`super::FieldErrorText`].
    pub errors: RwSignal<Vec<FieldError>>,
    problem: RwSignal<Option<Problem>>,
}

impl<I, T> Clone for FormSubmit<I, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<I, T> Copy for FormSubmit<I, T> {}

impl<I, T> FormSubmit<I, T>
where
    I: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    /// `send` makes the request from the input; `on_success` takes the server's answer.
    pub fn new<Fu>(send: impl Fn(&I) -> Fu + 'static, on_success: impl Fn(T) + 'static) -> Self
    where
        Fu: Future<Output = Result<T, ApiError>> + 'static,
    {
        let action = Action::new_local(send);
        let errors = RwSignal::new(Vec::new());
        let problem = RwSignal::new(None);
        Effect::new(move |_| match action.value().get() {
            Some(Ok(answer)) => {
                errors.set(Vec::new());
                problem.set(None);
                on_success(answer);
            }
            Some(Err(e)) => {
                let fields = e.field_errors();
                problem.set(Some(Problem {
                    message: e.message(lang()),
                    about_fields: !fields.is_empty(),
                }));
                errors.set(fields);
            }
            None => {}
        });
        Self {
            action,
            errors,
            problem,
        }
    }

    /// Sends `input`, unless the browser already `found` fields wrong: those show instead.
    pub fn submit(&self, found: Vec<FieldError>, input: I) {
        self.problem.set(None);
        let clean = found.is_empty();
        self.errors.set(found);
        if clean {
            self.action.dispatch(input);
        }
    }

    /// Sends `input` (nothing to check in the browser).
    pub fn send(&self, input: I) {
        self.submit(Vec::new(), input);
    }

    /// A problem found in the browser that belongs to no field.
    pub fn fail(&self, message: String) {
        self.problem.set(Some(Problem {
            message,
            about_fields: false,
        }));
    }

    pub fn pending(&self) -> Memo<bool> {
        self.action.pending()
    }
}

/// The last attempt's problem, in the reader's language. A problem about fields shows next to
/// them instead, unless the form `marks_no_fields`.
#[component]
pub fn FormError<I, T>(
    form: FormSubmit<I, T>,
    #[prop(optional)] marks_no_fields: bool,
) -> impl IntoView
where
    I: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    move || {
        form.problem
            .get()
            .filter(|p| marks_no_fields || !p.about_fields)
            .map(|p| view! { <p class="form-error" role="alert">{p.message}</p> })
    }
}
