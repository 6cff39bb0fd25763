//! The report form, for a new deed or for revising a returned one. It checks each field with the
//! same domain rules the server uses, then shows the server's own field errors if any remain.

use jifen_shared::api::{DeedView, PlaceDto, ReviseDeedRequest, RuleView, SubmitDeedRequest};
use jifen_shared::domain::{DeedAccount, DeedTitle, Place, PlaceError, RuleCategory};
use jifen_shared::problem::FieldError;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::components::{field_error, ErrorState, FieldErrorText, LoadingState};
use crate::i18n::{lang, tr};
use crate::session::Session;

fn new_request_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| {
            format!(
                "{}-{}",
                js_sys::Date::now() as u64,
                (js_sys::Math::random() * 1e9) as u64
            )
        })
}

/// A photo on its way up, or up.
#[derive(Clone, Debug, PartialEq)]
struct Photo {
    id: Option<String>,
    preview: String,
    failed: bool,
}

#[component]
pub fn DeedForm(
    editing: Option<DeedView>,
    #[prop(into)] on_done: Callback<DeedView>,
) -> impl IntoView {
    let session = expect_context::<Session>();
    let branch_id = session
        .me
        .get_untracked()
        .map(|m| m.home_branch_id)
        .unwrap_or_default();
    let rules = LocalResource::new(move || {
        let branch_id = branch_id.clone();
        async move { api::rules(&branch_id).await }
    });

    let initial = editing.clone();
    let rule_id = RwSignal::new(
        initial
            .as_ref()
            .map(|d| d.rule_id.clone())
            .unwrap_or_default(),
    );
    let title = RwSignal::new(
        initial
            .as_ref()
            .map(|d| d.title.clone())
            .unwrap_or_default(),
    );
    let account = RwSignal::new(
        initial
            .as_ref()
            .map(|d| d.account.clone())
            .unwrap_or_default(),
    );
    let occurred = RwSignal::new(crate::time::to_input(
        initial
            .as_ref()
            .map(|d| d.occurred_at)
            .unwrap_or_else(chrono::Utc::now),
    ));
    let place = RwSignal::new(
        initial
            .as_ref()
            .map(|d| d.place.name.clone())
            .unwrap_or_default(),
    );
    let coords = RwSignal::new(initial.as_ref().and_then(|d| d.place.lat.zip(d.place.lng)));
    let photos: RwSignal<Vec<Photo>> = RwSignal::new(
        initial
            .as_ref()
            .map(|d| {
                d.photo_ids
                    .iter()
                    .map(|id| Photo {
                        id: Some(id.clone()),
                        preview: String::new(),
                        failed: false,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<ApiError>);
    let locating = RwSignal::new(false);
    let request_id = StoredValue::new(new_request_id());
    let editing_id = editing.as_ref().map(|d| d.id.clone());

    let check = move || -> Result<(), Vec<FieldError>> {
        let mut errs = Vec::new();
        if rule_id.get_untracked().is_empty() {
            errs.push(FieldError {
                field: "rule_id".into(),
                code: "rule.unknown".into(),
                message: lang().pick("请选择积分项目", "Choose an item").into(),
            });
        }
        if let Err(e) = DeedTitle::parse(&title.get_untracked()) {
            errs.push(field_error("title", &e));
        }
        if let Err(e) = DeedAccount::parse(&account.get_untracked()) {
            errs.push(field_error("account", &e));
        }
        let (lat, lng) = coords.get_untracked().unzip();
        if let Err(e) = Place::parse(&place.get_untracked(), lat, lng) {
            let field = if matches!(e, PlaceError::Name(_)) {
                "place.name"
            } else {
                "place.lat"
            };
            errs.push(field_error(field, &e));
        }
        if crate::time::from_input(&occurred.get_untracked()).is_none() {
            errs.push(FieldError {
                field: "occurred_at".into(),
                code: "time.invalid".into(),
                message: lang().pick("请填写时间", "Enter the time").into(),
            });
        }
        if photos
            .get_untracked()
            .iter()
            .any(|p| p.id.is_none() && !p.failed)
        {
            errs.push(FieldError {
                field: "photo_ids".into(),
                code: "photo.uploading".into(),
                message: lang()
                    .pick(
                        "照片还在上传，请稍候",
                        "Photos are still uploading; please wait",
                    )
                    .into(),
            });
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs)
        }
    };

    let save = Action::new_local(move |_: &()| {
        let editing_id = editing_id.clone();
        let (lat, lng) = coords.get_untracked().unzip();
        let place = PlaceDto {
            name: place.get_untracked(),
            lat,
            lng,
        };
        let occurred_at =
            crate::time::from_input(&occurred.get_untracked()).unwrap_or_else(chrono::Utc::now);
        let photo_ids: Vec<String> = photos
            .get_untracked()
            .into_iter()
            .filter_map(|p| p.id)
            .collect();
        let (rule_id, title, account) = (
            rule_id.get_untracked(),
            title.get_untracked(),
            account.get_untracked(),
        );
        async move {
            match editing_id {
                Some(id) => {
                    let req = ReviseDeedRequest {
                        rule_id,
                        title,
                        account,
                        occurred_at,
                        place,
                        photo_ids,
                    };
                    api::revise(&id, &req).await
                }
                None => {
                    let req = SubmitDeedRequest {
                        rule_id,
                        title,
                        account,
                        occurred_at,
                        place,
                        photo_ids,
                        // Kept across retries so a resend after a timeout cannot make a second deed.
                        client_request_id: request_id.get_value(),
                    };
                    api::submit(&req).await
                }
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(deed)) => {
            request_id.set_value(new_request_id());
            errors.set(vec![]);
            failure.set(None);
            on_done.run(deed);
        }
        Some(Err(e)) => {
            errors.set(e.field_errors());
            failure.set(Some(e));
        }
        None => {}
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        failure.set(None);
        match check() {
            Ok(()) => {
                errors.set(vec![]);
                save.dispatch(());
            }
            Err(errs) => errors.set(errs),
        }
    };

    let locate = move |_| {
        let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
            return;
        };
        locating.set(true);
        let ok = wasm_bindgen::closure::Closure::once_into_js(move |pos: wasm_bindgen::JsValue| {
            let read = |obj: &wasm_bindgen::JsValue, key: &str| {
                js_sys::Reflect::get(obj, &key.into()).ok()
            };
            let c = read(&pos, "coords");
            let lat = c
                .as_ref()
                .and_then(|c| read(c, "latitude"))
                .and_then(|v| v.as_f64());
            let lng = c
                .as_ref()
                .and_then(|c| read(c, "longitude"))
                .and_then(|v| v.as_f64());
            if let (Some(lat), Some(lng)) = (lat, lng) {
                coords.set(Some((lat, lng)));
                if place.get_untracked().trim().is_empty() {
                    place.set(format!(
                        "{}, {}",
                        crate::time::coordinate(lat),
                        crate::time::coordinate(lng)
                    ));
                }
            }
            locating.set(false);
        });
        let fail = wasm_bindgen::closure::Closure::once_into_js(move |_: wasm_bindgen::JsValue| {
            locating.set(false);
            errors.update(|e| {
                e.retain(|f| f.field != "place.lat");
                e.push(FieldError {
                    field: "place.lat".into(),
                    code: "place.unavailable".into(),
                    message: lang()
                        .pick(
                            "无法获取位置，请手动填写地点",
                            "Location unavailable; type the place instead",
                        )
                        .into(),
                })
            });
        });
        let _ = geo.get_current_position_with_error_callback(
            ok.unchecked_ref(),
            Some(fail.unchecked_ref()),
        );
    };

    let add_photos = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(files) = input.files() else { return };
        let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        input.set_value("");
        for file in files {
            leptos::task::spawn_local(async move {
                let Ok(blob) = crate::photos::downscale(&file).await else {
                    photos.update(|p| {
                        p.push(Photo {
                            id: None,
                            preview: String::new(),
                            failed: true,
                        })
                    });
                    return;
                };
                let preview = web_sys::Url::create_object_url_with_blob(&blob).unwrap_or_default();
                photos.update(|p| {
                    p.push(Photo {
                        id: None,
                        preview: preview.clone(),
                        failed: false,
                    })
                });
                let uploaded = api::upload_photo(&blob).await;
                photos.update(|list| {
                    if let Some(p) = list.iter_mut().find(|p| p.preview == preview) {
                        match uploaded {
                            Ok(v) => p.id = Some(v.id),
                            Err(_) => p.failed = true,
                        }
                    }
                });
            });
        }
    };

    let rule_options = move |list: Vec<RuleView>| {
        list.into_iter()
            .filter(|r| r.active && r.category != RuleCategory::Deduction)
            .map(|r| {
                let cap = r.cap_per_quarter.map(|c| format!(" · ≤{c}/季")).unwrap_or_default();
                let label = format!("{} (+{}){}", r.name, r.standard_points, cap);
                view! { <option value=r.id.clone() selected=move || rule_id.get() == r.id>{label}</option> }
            })
            .collect_view()
    };

    view! {
        <form class="deed-form" on:submit=submit novalidate>
            <div class="cells">
                <label class="cell" for="rule">
                    <span class="cell-label">{tr("积分项目", "Item")}</span>
                    <Transition fallback=|| view! { <LoadingState/> }>
                        {move || Suspend::new(async move {
                            match rules.await {
                                Ok(list) => view! {
                                    <select id="rule" name="rule" on:change=move |ev| rule_id.set(event_target_value(&ev))
                                        aria-describedby="err-rule_id">
                                        <option value="" disabled selected=move || rule_id.get().is_empty()>
                                            {tr("请选择", "Choose…")}
                                        </option>
                                        {rule_options(list)}
                                    </select>
                                }.into_any(),
                                Err(e) => view! { <ErrorState error=e retry=move || rules.refetch()/> }.into_any(),
                            }
                        })}
                    </Transition>
                </label>
                <FieldErrorText errors field="rule_id"/>
                <label class="cell" for="title">
                    <span class="cell-label">{tr("标题", "Title")}</span>
                    <input id="title" name="title" maxlength="80" bind:value=title aria-describedby="err-title"
                        placeholder=tr("例如：清扫村口积雪", "e.g. Cleared snow at the village gate")/>
                </label>
                <FieldErrorText errors field="title"/>
                <label class="cell cell-top" for="account">
                    <span class="cell-label">{tr("经过", "What happened")}</span>
                    <textarea id="account" name="account" rows="4" maxlength="2000" bind:value=account
                        aria-describedby="err-account"
                        placeholder=tr("做了什么、和谁一起、帮助了谁", "What you did, with whom, for whom")></textarea>
                </label>
                <FieldErrorText errors field="account"/>
                <label class="cell" for="occurred">
                    <span class="cell-label">{tr("时间", "When")}</span>
                    <input id="occurred" name="occurred" type="datetime-local" bind:value=occurred aria-describedby="err-occurred_at"/>
                </label>
                <FieldErrorText errors field="occurred_at"/>
                <label class="cell" for="place">
                    <span class="cell-label">{tr("地点", "Where")}</span>
                    <input id="place" name="place" maxlength="120" bind:value=place aria-describedby="err-place-name"
                        placeholder=tr("例如：东关村村口", "e.g. Village gate")/>
                </label>
                <div class="cell cell-actions">
                    <button type="button" class="btn btn-mini" on:click=locate disabled=move || locating.get()>
                        {move || if locating.get() { tr("正在定位…", "Locating…")() } else { tr("使用我的位置", "Use my location")() }}
                    </button>
                    <span class="hint">
                        {move || coords.get().map(|(a, b)| format!("{}, {}", crate::time::coordinate(a), crate::time::coordinate(b)))}
                    </span>
                </div>
                <FieldErrorText errors field="place.name"/>
                <FieldErrorText errors field="place.lat"/>
                <FieldErrorText errors field="place.lng"/>
                <div class="cell cell-top">
                    <span class="cell-label">{tr("照片", "Photos")}</span>
                    <div class="photos">
                        <For each=move || photos.get() key=|p| (p.preview.clone(), p.id.clone(), p.failed) let:p>
                            <figure class=if p.failed { "thumb failed" } else if p.id.is_none() { "thumb uploading" } else { "thumb" }>
                                {(!p.preview.is_empty()).then(|| view! { <img src=p.preview.clone() alt=""/> })}
                                <figcaption>
                                    {if p.failed { tr("上传失败", "Upload failed")() } else if p.id.is_none() { tr("上传中…", "Uploading…")() } else { tr("已上传", "Uploaded")() }}
                                </figcaption>
                            </figure>
                        </For>
                        <label class="thumb add" for="photo-input">
                            <span aria-hidden="true">"+"</span>
                            <span class="sr-only">{tr("添加照片", "Add photos")}</span>
                        </label>
                        <input id="photo-input" class="sr-only" type="file" accept="image/*" multiple on:change=add_photos/>
                    </div>
                </div>
                <FieldErrorText errors field="photo_ids"/>
            </div>
            {move || failure.get().filter(|e| e.field_errors().is_empty()).map(|e| view! {
                <p class="form-error" role="alert">{e.message(lang())}</p>
            })}
            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                {move || match (save.pending().get(), editing.is_some()) {
                    (true, _) => tr("正在提交…", "Submitting…")(),
                    (false, true) => tr("修改后重新提交", "Resubmit")(),
                    (false, false) => tr("提交申报", "Submit")(),
                }}
            </button>
        </form>
    }
}
