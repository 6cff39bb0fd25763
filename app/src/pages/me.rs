use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use super::login::LangSwitch;
use crate::api;
use crate::i18n::tr;
use crate::session::Session;

fn role_label(role: jifen_shared::domain::Role) -> (&'static str, &'static str) {
    use jifen_shared::domain::Role::*;
    match role {
        Member => ("党员", "Member"),
        Committee => ("支委", "Committee"),
        Secretary => ("书记", "Secretary"),
        OrgAdmin => ("管理员", "Administrator"),
    }
}

#[component]
pub fn MePage() -> impl IntoView {
    let session = expect_context::<Session>();
    let navigate = use_navigate();
    let me = session.me.get_untracked();
    let logout = Action::new_local(|_: &()| api::logout());
    let unread =
        LocalResource::new(|| async { api::notifications(None).await.ok().map(|p| p.unread) });
    Effect::new(move |_| {
        if logout.value().get().is_some() {
            session.me.set(None);
            navigate("/login", Default::default());
        }
    });
    view! {
        <header class="page-header"><h1>{tr("我的", "Me")}</h1></header>
        {me.map(|m| view! {
            <div class="cells">
                <div class="cell"><span class="cell-label">{tr("姓名", "Name")}</span><span>{m.name}</span></div>
                <div class="cell"><span class="cell-label">{tr("支部", "Branch")}</span><span>{m.home_branch_name}</span></div>
                <A href="/inbox" attr:class="cell cell-link" attr:id="to-inbox">
                    <span class="cell-label">{tr("消息", "Messages")}</span>
                    <span>{move || unread.get().flatten().map(|n| match n {
                        0 => tr("没有未读消息", "No unread messages")().to_owned(),
                        n => format!("{n} {}", tr("条未读", "unread")()),
                    })}</span>
                </A>
                {m.home_branch_code.map(|code| view! {
                    <A href=format!("/board/{code}") attr:class="cell cell-link">
                        <span class="cell-label">{tr("积分公示", "Points board")}</span>
                        <span>{tr("查看本支部公示栏", "Open my branch's board")}</span>
                    </A>
                })}
                {m.roles.into_iter().map(|r| {
                    let (zh, en) = role_label(r.role);
                    view! { <div class="cell"><span class="cell-label">{tr(zh, en)}</span><span>{r.org_unit_name}</span></div> }
                }).collect_view()}
            </div>
        })}
        <div class="cells">
            <div class="cell"><span class="cell-label">{tr("语言", "Language")}</span><LangSwitch/></div>
            <label class="cell" for="large-text">
                <span class="cell-label">{tr("大字模式", "Large text")}</span>
                <input id="large-text" type="checkbox" class="switch" prop:checked=move || session.large_text.get()
                    on:change=move |ev| session.set_large_text(event_target_checked(&ev))/>
            </label>
        </div>
        <button class="btn btn-warn" on:click=move |_| { logout.dispatch(()); }>{tr("退出登录", "Sign out")}</button>
    }
}
