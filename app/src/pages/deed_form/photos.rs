use jifen_shared::problem::FieldError;
use jifen_shared::words::Word;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::draft::Photo;
use crate::api;
use crate::components::FieldErrorText;
use crate::i18n::tr;

/// The deed's photos: each downscaled in the browser, then uploaded at once.
#[component]
pub fn PhotoPicker(
    photos: RwSignal<Vec<Photo>>,
    errors: RwSignal<Vec<FieldError>>,
) -> impl IntoView {
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
            leptos::task::spawn_local(upload(file, photos));
        }
    };
    view! {
        <div class="cell cell-top">
            <span class="cell-label">{tr(Word::Photos)}</span>
            <div class="photos">
                <For each=move || photos.get() key=|p| (p.preview.clone(), p.id.clone(), p.failed) let:photo>
                    <PhotoThumb photo/>
                </For>
                // The camera first (a photo taken now carries its own time and place for the
                // committee); the picker beside it for photos already taken.
                <label class="thumb add camera" for="photo-camera">
                    <span aria-hidden="true">"📷"</span>
                    <span class="sr-only">{tr(Word::CameraFirst)}</span>
                </label>
                <input id="photo-camera" class="sr-only" type="file" accept="image/*" capture="environment" on:change=add_photos/>
                <label class="thumb add" for="photo-input">
                    <span aria-hidden="true">"+"</span>
                    <span class="sr-only">{tr(Word::AddPhotos)}</span>
                </label>
                <input id="photo-input" class="sr-only" type="file" accept="image/*" multiple on:change=add_photos/>
            </div>
        </div>
        <FieldErrorText errors field="photo_ids"/>
    }
}

#[component]
fn PhotoThumb(photo: Photo) -> impl IntoView {
    let (class, caption) = match (photo.failed, &photo.id) {
        // Kept on the phone: sent with the report when the network returns.
        (true, None) if photo.blob.is_some() => ("thumb", tr(Word::PhotoSentWithReport)),
        (true, _) => ("thumb failed", tr(Word::UploadFailed)),
        (false, None) => ("thumb uploading", tr(Word::Uploading)),
        (false, Some(_)) => ("thumb", tr(Word::Uploaded)),
    };
    view! {
        <figure class=class>
            {(!photo.preview.is_empty()).then(|| view! { <img src=photo.preview.clone() alt=""/> })}
            <figcaption>{caption}</figcaption>
        </figure>
    }
}

/// Downscales one picked file, shows it, and uploads it; the list marks what became of it.
async fn upload(file: web_sys::File, photos: RwSignal<Vec<Photo>>) {
    let Ok(blob) = crate::photos::downscale(&file).await else {
        photos.update(|p| {
            p.push(Photo {
                id: None,
                preview: String::new(),
                failed: true,
                blob: None,
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
            blob: Some(blob.clone()),
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
}
