//! The few IndexedDB calls the app needs, over plain `web-sys` (no crate): open the database,
//! put, get, list and delete a value by key. Each call is its own transaction. Values are
//! JavaScript objects, so photos are kept as `Blob`s as they are.
//!
//! Plain `web-sys` rather than `rexie` or `indexed_db_futures`: four calls, no extra dependency
//! tree in the wasm, and the API is the browser's own.

use js_sys::{Array, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransactionMode};

const NAME: &str = "jifen";
const VERSION: u32 = 1;
/// Reports waiting to be sent (or sent, until the member clears them), by client request id.
pub const OUTBOX: &str = "outbox";
/// The half-written report, as typed.
pub const DRAFTS: &str = "drafts";

/// What a request resolves to, or its error.
async fn done(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        let ok_req = req.clone();
        let ok = Closure::once_into_js(move |_: JsValue| {
            let _ = resolve.call1(
                &JsValue::NULL,
                &ok_req.result().unwrap_or(JsValue::UNDEFINED),
            );
        });
        let err_req = req.clone();
        let err = Closure::once_into_js(move |_: JsValue| {
            let why = err_req
                .error()
                .ok()
                .flatten()
                .map(JsValue::from)
                .unwrap_or_else(|| JsValue::from_str("indexeddb error"));
            let _ = reject.call1(&JsValue::NULL, &why);
        });
        req.set_onsuccess(Some(ok.unchecked_ref()));
        req.set_onerror(Some(err.unchecked_ref()));
    });
    JsFuture::from(promise).await
}

async fn open() -> Result<IdbDatabase, JsValue> {
    let factory = web_sys::window()
        .ok_or("no window")?
        .indexed_db()?
        .ok_or("no indexeddb")?;
    let req = factory.open_with_u32(NAME, VERSION)?;
    let upgrading = req.clone();
    let upgrade = Closure::<dyn FnMut(JsValue)>::new(move |_: JsValue| {
        if let Ok(db) = upgrading.result().and_then(|r| r.dyn_into::<IdbDatabase>()) {
            for store in [OUTBOX, DRAFTS] {
                if !db.object_store_names().contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = done(&req).await?;
    drop(upgrade);
    db.dyn_into()
}

async fn store(name: &str, mode: IdbTransactionMode) -> Result<IdbObjectStore, JsValue> {
    open()
        .await?
        .transaction_with_str_and_mode(name, mode)?
        .object_store(name)
}

pub async fn put(name: &str, key: &str, value: &JsValue) -> Result<(), JsValue> {
    let store = store(name, IdbTransactionMode::Readwrite).await?;
    done(&store.put_with_key(value, &JsValue::from_str(key))?).await?;
    Ok(())
}

pub async fn get(name: &str, key: &str) -> Result<Option<JsValue>, JsValue> {
    let store = store(name, IdbTransactionMode::Readonly).await?;
    let value = done(&store.get(&JsValue::from_str(key))?).await?;
    Ok((!value.is_undefined()).then_some(value))
}

pub async fn all(name: &str) -> Result<Vec<JsValue>, JsValue> {
    let store = store(name, IdbTransactionMode::Readonly).await?;
    let values: Array = done(&store.get_all()?).await?.dyn_into()?;
    Ok(values.iter().collect())
}

pub async fn delete(name: &str, key: &str) -> Result<(), JsValue> {
    let store = store(name, IdbTransactionMode::Readwrite).await?;
    done(&store.delete(&JsValue::from_str(key))?).await?;
    Ok(())
}

/// A stored record: what serde can write (`meta`, as JSON text) and the photos as blobs.
pub fn record(meta: &str, photos: &[web_sys::Blob]) -> JsValue {
    let obj = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&obj, &"meta".into(), &JsValue::from_str(meta));
    let list: Array = photos.iter().collect();
    let _ = js_sys::Reflect::set(&obj, &"photos".into(), &list);
    obj.into()
}

/// The `meta` text and the photos of a stored record.
pub fn unpack(value: &JsValue) -> Option<(String, Vec<web_sys::Blob>)> {
    let meta = js_sys::Reflect::get(value, &"meta".into())
        .ok()?
        .as_string()?;
    let photos = js_sys::Reflect::get(value, &"photos".into())
        .ok()
        .and_then(|p| p.dyn_into::<Array>().ok())
        .map(|a| a.iter().filter_map(|b| b.dyn_into().ok()).collect())
        .unwrap_or_default();
    Some((meta, photos))
}
