//! The committee's review queue: list on the left and the chosen deed on the right from 768 px
//! up, one pane at a time on phones.

use std::collections::BTreeMap;

use jifen_shared::api::{DeedHistory, DeedQuery, DeedView, PointsSummary, RuleView};
use jifen_shared::domain::DeedStatus;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::deed::DeedFacts;
use crate::api::{self, ApiError};
use crate::components::{EmptyState, ErrorState, LoadingState, StatusBadge, Timeline};
use crate::i18n::{lang, tr};
use crate::session::Session;

const COMMON_REASONS: &[(&str, &str)] = &[
    (
        "请补充具体时间和地点",
        "Please add the exact time and place",
    ),
    ("请补充现场照片", "Please add a photo"),
    ("与已申报事项重复", "Duplicates an earlier report"),
    ("不符合本支部积分细则", "Not covered by the branch's rules"),
];

#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let selected = Memo::new(move |_| params.read().get("id"));
    let status = RwSignal::new("submitted".to_string());
    let quarter = RwSignal::new(String::new());
    let member = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let checked = RwSignal::new(Vec::<String>::new());
    let batch_note = RwSignal::new(None::<String>);

    let queue = LocalResource::new(move || {
        let q = DeedQuery {
            scope: Some("review".into()),
            status: Some(status.get()).filter(|s| !s.is_empty()),
            quarter: quarter.get().parse().ok(),
            year: Some(crate::time::current_year()).filter(|_| !quarter.get().is_empty()),
            member_id: Some(member.get()).filter(|s| !s.is_empty()),
            limit: Some(100),
            ..Default::default()
        };
        version.track();
        async move { api::deeds(&q).await }
    });

    let batch = Action::new_local(move |ids: &Vec<String>| {
        let ids = ids.clone();
        async move {
            let (mut ok, mut failed) = (0, Vec::<String>::new());
            for id in ids {
                match api::approve(&id, None).await {
                    Ok(_) => ok += 1,
                    Err(e) => failed.push(e.message(lang())),
                }
            }
            (ok, failed)
        }
    });
    Effect::new(move |_| {
        if let Some((ok, failed)) = batch.value().get() {
            let mut note = match lang() {
                jifen_shared::i18n::Lang::ZhCn => format!("已通过 {ok} 条"),
                jifen_shared::i18n::Lang::En => format!("{ok} approved"),
            };
            for f in failed {
                note.push('；');
                note.push_str(&f);
            }
            batch_note.set(Some(note));
            checked.set(vec![]);
            version.update(|v| *v += 1);
        }
    });

    let toggle = move |id: String| {
        checked.update(|c| {
            if let Some(i) = c.iter().position(|x| *x == id) {
                c.remove(i);
            } else {
                c.push(id);
            }
        })
    };

    view! {
        <header class="page-header">
            <h1>{tr("审核申报", "Review")}</h1>
            <A href="/quarter" attr:class="btn btn-mini" attr:id="to-quarter">{tr("季度审核与公示 ›", "Quarter & board ›")}</A>
        </header>
        <div class=move || if selected.get().is_some() { "split has-selection" } else { "split" }>
            <section class="queue" aria-label=tr("待审核列表", "Queue")>
                <div class="filters">
                    <label>
                        <span class="sr-only">{tr("状态", "Status")}</span>
                        <select id="filter-status" on:change=move |ev| status.set(event_target_value(&ev))>
                            <option value="submitted">{tr("待审核", "Pending")}</option>
                            <option value="approved">{tr("已通过", "Approved")}</option>
                            <option value="returned">{tr("已退回", "Returned")}</option>
                            <option value="rejected">{tr("未通过", "Rejected")}</option>
                            <option value="">{tr("全部", "All")}</option>
                        </select>
                    </label>
                    <label>
                        <span class="sr-only">{tr("季度", "Quarter")}</span>
                        <select id="filter-quarter" on:change=move |ev| quarter.set(event_target_value(&ev))>
                            <option value="">{tr("全年", "Whole year")}</option>
                            <option value="1">"Q1"</option><option value="2">"Q2"</option>
                            <option value="3">"Q3"</option><option value="4">"Q4"</option>
                        </select>
                    </label>
                    <label>
                        <span class="sr-only">{tr("党员", "Member")}</span>
                        <select id="filter-member" on:change=move |ev| member.set(event_target_value(&ev))>
                            <option value="">{tr("全部党员", "All members")}</option>
                            {move || {
                                let names: BTreeMap<String, String> = queue.get().and_then(Result::ok)
                                    .map(|p| p.items.into_iter().map(|d| (d.member_id, d.member_name)).collect())
                                    .unwrap_or_default();
                                names.into_iter().map(|(id, name)| view! {
                                    <option value=id.clone() selected=move || member.get() == id>{name}</option>
                                }).collect_view()
                            }}
                        </select>
                    </label>
                </div>
                <Show when=move || !checked.get().is_empty()>
                    <div class="batch-bar">
                        <button class="btn btn-primary" id="batch-approve" disabled=move || batch.pending().get()
                            on:click=move |_| { batch.dispatch(checked.get_untracked()); }>
                            {move || format!("{} ({})", tr("批量通过", "Approve selected")(), checked.get().len())}
                        </button>
                    </div>
                </Show>
                {move || batch_note.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
                <Transition fallback=|| view! { <LoadingState/> }>
                    {move || Suspend::new(async move {
                        match queue.await {
                            Err(e) => view! { <ErrorState error=e retry=move || queue.refetch()/> }.into_any(),
                            Ok(page) if page.items.is_empty() => view! {
                                <EmptyState text=Signal::derive(tr("没有需要处理的申报", "Nothing to review"))/>
                            }.into_any(),
                            Ok(page) => view! {
                                <div class="cells" id="review-queue">
                                    {page.items.into_iter().map(|d| {
                                        let id = d.id.clone();
                                        let id_check = d.id.clone();
                                        let pending = d.status == DeedStatus::Submitted;
                                        let points = d.points_awarded.unwrap_or(d.points_claimed);
                                        view! {
                                            <div class=move || if selected.get().as_deref() == Some(id.as_str()) { "cell queue-item current" } else { "cell queue-item" }>
                                                {pending.then(|| {
                                                    let id_toggle = id_check.clone();
                                                    let label = format!("{} {}", lang().pick("选择", "Select"), d.title);
                                                    view! {
                                                        <input type="checkbox" class="check" aria-label=label
                                                            prop:checked=move || checked.get().contains(&id_check)
                                                            on:change=move |_| toggle(id_toggle.clone())/>
                                                    }
                                                })}
                                                <A href=format!("/review/{}", d.id) attr:class="cell-body cell-link">
                                                    <span class="cell-title">{d.title.clone()}</span>
                                                    <span class="hint">{d.member_name.clone()} " · " {d.rule_name.clone()} " · " {crate::time::show(d.occurred_at)}</span>
                                                </A>
                                                <span class="cell-side"><span class="points">{format!("{points:+}")}</span><StatusBadge status=d.status/></span>
                                            </div>
                                        }
                                    }).collect_view()}
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </section>
            <section class="detail" aria-label=tr("申报详情", "Deed")>
                {move || match selected.get() {
                    Some(id) => view! { <ReviewDetail id=id on_change=Callback::new(move |_| version.update(|v| *v += 1))/> }.into_any(),
                    None => view! { <EmptyState text=Signal::derive(tr("从左侧选择一条申报", "Choose a deed from the list"))/> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[derive(Clone)]
struct Detail {
    deed: DeedView,
    history: DeedHistory,
    points: PointsSummary,
    rule: Option<RuleView>,
}

/// What is left under the rule's quarterly and yearly caps for this member.
fn cap_remaining(d: &Detail) -> Option<(Option<i32>, Option<i32>)> {
    let rule = d.rule.as_ref()?;
    let for_rule = || {
        d.points
            .entries
            .iter()
            .filter(|e| e.rule_id.as_deref() == Some(rule.id.as_str()))
    };
    let quarter_used: i32 = for_rule()
        .filter(|e| e.quarter == d.deed.quarter)
        .map(|e| e.points)
        .sum();
    let year_used: i32 = for_rule().map(|e| e.points).sum();
    let q = rule
        .cap_per_quarter
        .map(|c| (c - quarter_used.abs()).max(0));
    let y = rule.cap_per_year.map(|c| (c - year_used.abs()).max(0));
    (q.is_some() || y.is_some()).then_some((q, y))
}

// The inputs below use prop:value + on:input rather than bind:value: this view is rebuilt after
// every decision, and a bind: inside a re-rendered Suspend panics on a disposed value (Leptos 0.8).
#[component]
fn ReviewDetail(id: String, #[prop(into)] on_change: Callback<()>) -> impl IntoView {
    let session = expect_context::<Session>();
    let my_id = session.me.get_untracked().map(|m| m.id).unwrap_or_default();
    let reload = RwSignal::new(0u32);
    let data = LocalResource::new(move || {
        let id = id.clone();
        reload.track();
        async move {
            let deed = api::deed(&id).await?;
            let history = api::history(&id).await?;
            let points = api::points(&deed.member_id, deed.year).await?;
            let rule = api::rules(&deed.branch_id)
                .await?
                .into_iter()
                .find(|r| r.id == deed.rule_id);
            Ok::<Detail, ApiError>(Detail {
                deed,
                history,
                points,
                rule,
            })
        }
    });
    let points_input = RwSignal::new(String::new());
    // The award starts at what the member claimed; the committee may change it.
    Effect::new(move |_| {
        if let Some(Ok(d)) = data.get() {
            points_input.set(d.deed.points_claimed.to_string());
        }
    });
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // (deed id, action, points for an approval); the other decisions carry the reason typed.
    let decide = Action::new_local(
        move |(id, action, points): &(String, &'static str, Option<i32>)| {
            let (id, action, points) = (id.clone(), *action, *points);
            let reason = reason.get_untracked();
            async move {
                match action {
                    "approve" => api::approve(&id, points).await,
                    other => api::decide(&id, other, reason).await,
                }
            }
        },
    );
    Effect::new(move |_| match decide.value().get() {
        Some(Ok(_)) => {
            error.set(None);
            reason.set(String::new());
            reload.update(|n| *n += 1);
            on_change.run(());
        }
        Some(Err(e)) => error.set(Some(e.message(lang()))),
        None => {}
    });

    view! {
        <Transition fallback=|| view! { <LoadingState/> }>
            {move || {
                let my_id = my_id.clone();
                Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorState error=e retry=move || data.refetch()/> }.into_any(),
                    Ok(detail) => {
                        let caps = cap_remaining(&detail);
                        let Detail { deed, history, points, .. } = detail;
                        let own = deed.member_id == my_id;
                        let status = deed.status;
                        let id = deed.id.clone();
                        let (id_a, id_r, id_t, id_v) = (id.clone(), id.clone(), id.clone(), id);
                        view! {
                            <A href="/review" attr:class="back-link">{tr("‹ 返回列表", "‹ Back to list")}</A>
                            <h2 class="deed-title">{deed.title.clone()} " · " {deed.member_name.clone()}</h2>
                            <div class="cells member-points">
                                <div class="cell"><span class="cell-label">{tr("本年总分", "Total this year")}</span><span class="points">{points.total}</span></div>
                                <div class="cell"><span class="cell-label">{tr("其中加分", "of which bonus")}</span><span>{points.bonus}</span></div>
                                {caps.map(|(q, y)| view! {
                                    <div class="cell" id="cap-remaining"><span class="cell-label">{tr("上限剩余", "Left under cap")}</span>
                                        <span>
                                            {q.map(|q| format!("{}: {q}", lang().pick("本季度", "quarter")))}
                                            {y.map(|y| format!(" {}: {y}", lang().pick("本年度", "year")))}
                                        </span>
                                    </div>
                                })}
                            </div>
                            <DeedFacts deed=deed/>
                            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                            {own.then(|| view! { <p class="notice">{tr("这是您自己的申报，请由其他支委审核", "This is your own deed; another committee member must review it")}</p> })}
                            {(!own && status == DeedStatus::Submitted).then(|| view! {
                                <div class="review-actions">
                                    <label class="cell" for="award-points">
                                        <span class="cell-label">{tr("核定分值", "Points to award")}</span>
                                        <input id="award-points" type="number" inputmode="numeric" prop:value=move || points_input.get() on:input=move |ev| points_input.set(event_target_value(&ev))/>
                                    </label>
                                    <button class="btn btn-primary" id="approve" disabled=move || decide.pending().get()
                                        on:click=move |_| {
                                            let points = points_input.get_untracked().trim().parse::<i32>().ok();
                                            decide.dispatch((id_a.clone(), "approve", points));
                                        }>{tr("通过", "Approve")}</button>
                                    <label class="cell cell-top" for="reason">
                                        <span class="cell-label">{tr("意见", "Reason")}</span>
                                        <textarea id="reason" rows="2" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))
                                            placeholder=tr("退回或不通过时必须填写", "Required to return or reject")></textarea>
                                    </label>
                                    <div class="chips" role="group" aria-label=tr("常用意见", "Common reasons")>
                                        {COMMON_REASONS.iter().map(|(zh, en)| view! {
                                            <button type="button" class="chip" on:click=move |_| reason.set(lang().pick(zh, en).to_owned())>
                                                {tr(zh, en)}</button>
                                        }).collect_view()}
                                    </div>
                                    <div class="button-row">
                                        <button class="btn btn-default" id="return" disabled=move || decide.pending().get()
                                            on:click=move |_| { decide.dispatch((id_r.clone(), "return", None)); }>{tr("退回补充", "Return")}</button>
                                        <button class="btn btn-warn" id="reject" disabled=move || decide.pending().get()
                                            on:click=move |_| { decide.dispatch((id_t.clone(), "reject", None)); }>{tr("不通过", "Reject")}</button>
                                    </div>
                                </div>
                            })}
                            {(!own && status == DeedStatus::Approved).then(|| view! {
                                <div class="review-actions">
                                    <label class="cell cell-top" for="reason">
                                        <span class="cell-label">{tr("撤销理由", "Why revoke")}</span>
                                        <textarea id="reason" rows="2" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                                    </label>
                                    <button class="btn btn-warn" id="revoke" disabled=move || decide.pending().get()
                                        on:click=move |_| { decide.dispatch((id_v.clone(), "revoke", None)); }>{tr("撤销通过", "Revoke approval")}</button>
                                </div>
                            })}
                            <h3 class="section-title">{tr("处理记录", "History")}</h3>
                            <Timeline events=history.events/>
                        }.into_any()
                    }
                }
            })}}
        </Transition>
    }
}
