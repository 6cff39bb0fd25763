//! Reading the QR code on the meeting's screen with the phone's camera: the browser's
//! `BarcodeDetector` on a `getUserMedia` video. web-sys has no binding for the detector, so both
//! are reached through `Reflect`. Where the browser lacks either (Safari, Firefox, an old
//! WebView), the member types the code instead; the typed field is always there.

use jifen_shared::words::Word;
use js_sys::{Array, Function, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::i18n::tr;

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &key.into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}

fn call(target: &JsValue, method: &str, args: &Array) -> Result<JsValue, JsValue> {
    let f: Function = get(target, method).ok_or(JsValue::NULL)?.dyn_into()?;
    Reflect::apply(&f, target, args)
}

async fn awaited(value: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(value.dyn_into::<Promise>()?).await
}

async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Whether this browser can read a QR code from the camera.
fn supported() -> bool {
    web_sys::window().is_some_and(|w| {
        get(&w, "BarcodeDetector").is_some() && get(&w.navigator(), "mediaDevices").is_some()
    })
}

/// The back camera, playing into a video element, and a detector for QR codes.
struct Camera {
    stream: JsValue,
    detector: JsValue,
}

impl Camera {
    async fn open(video: &JsValue) -> Result<Self, JsValue> {
        let window = web_sys::window().ok_or(JsValue::NULL)?;
        let ctor: Function = get(&window, "BarcodeDetector")
            .ok_or(JsValue::NULL)?
            .dyn_into()?;
        let options = Object::new();
        Reflect::set(&options, &"formats".into(), &Array::of1(&"qr_code".into()))?;
        let detector = Reflect::construct(&ctor, &Array::of1(&options))?;
        let devices = get(&window.navigator(), "mediaDevices").ok_or(JsValue::NULL)?;
        let wanted = Object::new();
        let facing = Object::new();
        Reflect::set(&facing, &"facingMode".into(), &"environment".into())?;
        Reflect::set(&wanted, &"video".into(), &facing)?;
        Reflect::set(&wanted, &"audio".into(), &JsValue::FALSE)?;
        let stream = awaited(call(&devices, "getUserMedia", &Array::of1(&wanted))?).await?;
        Reflect::set(video, &"muted".into(), &JsValue::TRUE)?;
        Reflect::set(video, &"playsInline".into(), &JsValue::TRUE)?;
        Reflect::set(video, &"srcObject".into(), &stream)?;
        let camera = Self { stream, detector };
        if let Err(e) = awaited(call(video, "play", &Array::new())?).await {
            camera.stop();
            return Err(e);
        }
        Ok(camera)
    }

    /// The text of a QR code in view now, if any.
    async fn read(&self, video: &JsValue) -> Option<String> {
        let found = awaited(call(&self.detector, "detect", &Array::of1(video)).ok()?)
            .await
            .ok()?;
        let found: Array = found.dyn_into().ok()?;
        found.iter().find_map(|c| get(&c, "rawValue")?.as_string())
    }

    /// Turns the camera off (its light goes out).
    fn stop(&self) {
        if let Ok(tracks) = call(&self.stream, "getTracks", &Array::new()) {
            if let Ok(tracks) = tracks.dyn_into::<Array>() {
                for t in tracks.iter() {
                    let _ = call(&t, "stop", &Array::new());
                }
            }
        }
    }
}

/// 扫码签到: opens the camera and hands the first QR code it reads to `on_code`. Leaving the
/// screen or 停止扫码 turns the camera off.
#[component]
pub fn Scanner(on_code: Callback<String>, #[prop(into)] id: String) -> impl IntoView {
    let video = NodeRef::<leptos::html::Video>::new();
    let scanning = RwSignal::new(false);
    let problem = RwSignal::new(None::<Word>);
    let start = move |_| {
        problem.set(None);
        if !supported() {
            problem.set(Some(Word::MeetingScanUnsupported));
            return;
        }
        let Some(el) = video.get_untracked() else {
            return;
        };
        let el: JsValue = el.into();
        scanning.set(true);
        leptos::task::spawn_local(async move {
            let camera = match Camera::open(&el).await {
                Ok(c) => c,
                Err(_) => {
                    let _ = problem.try_set(Some(Word::MeetingCameraFailed));
                    let _ = scanning.try_set(false);
                    return;
                }
            };
            let mut found = None;
            // Ends when the member stops, a code is read, or the screen is gone.
            while scanning.try_get_untracked() == Some(true) {
                if let Some(code) = camera.read(&el).await {
                    found = Some(code);
                    break;
                }
                sleep(250).await;
            }
            camera.stop();
            if scanning.try_set(false).is_none() {
                if let Some(code) = found {
                    on_code.run(code);
                }
            }
        });
    };
    view! {
        <div class="scanner">
            <video node_ref=video class="scanner-video" muted=true playsinline=true
                hidden=move || !scanning.get()></video>
            <Show when=move || scanning.get()
                fallback=move || view! {
                    <button type="button" class="btn btn-primary scan" id=id.clone() on:click=start>
                        {tr(Word::MeetingCheckinScan)}
                    </button>
                }>
                <button type="button" class="btn btn-default" on:click=move |_| scanning.set(false)>
                    {tr(Word::MeetingScanStop)}
                </button>
            </Show>
            {move || problem.get().map(|w| view! { <p class="hint" role="status">{tr(w)}</p> })}
        </div>
    }
}
