//! Jifen's web app: members report deeds from their phones, committees review them on tablets.

mod api;
mod app;
mod components;
mod i18n;
mod offline;
mod pages;
mod photos;
mod session;
mod time;

fn main() {
    // A panic shows in the browser console with its message, not as a bare "unreachable".
    console_error_panic_hook::set_once();
    // The page shows a static splash until the app takes over.
    if let Some(boot) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("boot"))
    {
        boot.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
