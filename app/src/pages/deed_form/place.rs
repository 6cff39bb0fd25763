use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

use crate::components::{field_message, FieldErrorText};
use crate::i18n::tr;
use crate::time::coordinate;

/// Where it happened: typed, or the phone's position ("use my location").
#[component]
pub fn PlaceField(
    place: RwSignal<String>,
    coords: RwSignal<Option<(f64, f64)>>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
    let locating = RwSignal::new(false);
    let locate = move |_| {
        let Some(geo) = web_sys::window().and_then(|w| w.navigator().geolocation().ok()) else {
            return;
        };
        locating.set(true);
        let found = Closure::once_into_js(move |position: JsValue| {
            if let Some((lat, lng)) = position_coords(&position) {
                coords.set(Some((lat, lng)));
                if place.get_untracked().trim().is_empty() {
                    place.set(format!("{}, {}", coordinate(lat), coordinate(lng)));
                }
            }
            locating.set(false);
        });
        let failed = Closure::once_into_js(move |_: JsValue| {
            locating.set(false);
            errors.update(|e| {
                e.retain(|f| f.field != "place.lat");
                e.push(field_message(
                    "place.lat",
                    "place.unavailable",
                    Word::LocationUnavailable,
                ))
            });
        });
        let _ = geo.get_current_position_with_error_callback(
            found.unchecked_ref(),
            Some(failed.unchecked_ref()),
        );
    };
    view! {
        <label class="cell" for="place">
            <span class="cell-label">{tr(Word::Where)}</span>
            <input id="place" name="place" maxlength="120" bind:value=place aria-describedby="err-place-name"
                placeholder=tr(Word::PlaceExample)/>
        </label>
        <div class="cell cell-actions">
            <button type="button" class="btn btn-mini" on:click=locate disabled=move || locating.get()>
                {move || if locating.get() { tr(Word::Locating)() } else { tr(Word::UseMyLocation)() }}
            </button>
            <span class="hint">
                {move || coords.get().map(|(a, b)| format!("{}, {}", coordinate(a), coordinate(b)))}
            </span>
        </div>
        <FieldErrorText errors field="place.name"/>
        <FieldErrorText errors field="place.lat"/>
        <FieldErrorText errors field="place.lng"/>
    }
}

/// Latitude and longitude of a `GeolocationPosition`.
fn position_coords(position: &JsValue) -> Option<(f64, f64)> {
    let read = |obj: &JsValue, key: &str| js_sys::Reflect::get(obj, &key.into()).ok();
    let coords = read(position, "coords")?;
    let lat = read(&coords, "latitude")?.as_f64()?;
    let lng = read(&coords, "longitude")?.as_f64()?;
    Some((lat, lng))
}
