use jifen_shared::api::MeResponse;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::components::{FormError, FormSubmit};
use crate::i18n::{lang, tr};
use crate::session::Session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = FormSubmit::new(
        move |_: &()| {
            let (u, p) = (username.get_untracked(), password.get_untracked());
            async move {
                api::login(&u, &p).await?;
                api::me().await
            }
        },
        move |me: MeResponse| {
            let home = if me.roles.iter().any(|r| r.role.can_review()) {
                "/review"
            } else {
                "/report"
            };
            crate::offline::remembered::keep("me", &me);
            session.me.set(Some(me));
            session.checking.set(false);
            // Reports kept on this phone from before go out now.
            leptos::task::spawn_local(crate::offline::outbox::flush());
            navigate(home, Default::default());
        },
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if username.get_untracked().trim().is_empty() || password.get_untracked().is_empty() {
            sign_in.fail(Word::EnterYourUsernameAndPassword.text(lang()).into());
            return;
        }
        sign_in.send(());
    };

    view! {
        <section class="login">
            <h1 class="brand">"积分" <small>{tr(Word::PartyMemberPoints)}</small></h1>
            <form on:submit=submit novalidate>
                <div class="cells">
                    <label class="cell" for="username">
                        <span class="cell-label">{tr(Word::Username)}</span>
                        <input id="username" name="username" autocomplete="username" autocapitalize="off"
                            bind:value=username/>
                    </label>
                    <label class="cell" for="password">
                        <span class="cell-label">{tr(Word::Password)}</span>
                        <input id="password" name="password" type="password" autocomplete="current-password"
                            bind:value=password/>
                    </label>
                </div>
                <FormError form=sign_in marks_no_fields=true/>
                <button type="submit" class="btn btn-primary" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { tr(Word::SigningIn)() } else { tr(Word::SignIn)() }}
                </button>
            </form>
            <LangSwitch/>
        </section>
    }
}

/// 中文 / English, one tap each.
#[component]
pub fn LangSwitch() -> impl IntoView {
    let session = expect_context::<Session>();
    use jifen_shared::i18n::Lang;
    view! {
        <div class="lang-switch" role="group" aria-label="Language / 语言">
            <button class="btn btn-mini" aria-pressed=move || (session.lang.get() == Lang::ZhCn).to_string()
                on:click=move |_| session.set_lang(Lang::ZhCn)>"中文"</button>
            <button class="btn btn-mini" aria-pressed=move || (session.lang.get() == Lang::En).to_string()
                on:click=move |_| session.set_lang(Lang::En)>"English"</button>
        </div>
    }
}
