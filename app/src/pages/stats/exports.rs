//! Taking the figures away: printing the screen (charts and tables on A4, see the print styles)
//! and downloading them as CSV or Excel for the paperwork upwards.

use jifen_shared::words::Word;
use leptos::prelude::*;

use super::period::Period;
use crate::api;
use crate::components::{FormError, FormSubmit};
use crate::i18n::tr;

/// The browser's print dialogue, for this page as the print styles lay it out.
fn print() {
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

#[component]
pub fn Exports(org: String, name: String, period: Period) -> impl IntoView {
    let file = format!("{name}-{}", period.slug());
    let download = FormSubmit::new(
        move |format: &&'static str| {
            let (org, file, format) = (org.clone(), file.clone(), *format);
            async move { api::download_stats(&org, period.year, period.quarter, format, &file).await }
        },
        |_: ()| {},
    );
    view! {
        <div class="button-row stats-actions no-print">
            <button type="button" id="stats-print" class="btn btn-default" on:click=|_| print()>{tr(Word::StatsPrint)}</button>
            <button type="button" id="stats-csv" class="btn btn-default" disabled=move || download.pending().get()
                on:click=move |_| download.send("csv")>{tr(Word::DownloadCsv)}</button>
            <button type="button" id="stats-xlsx" class="btn btn-default" disabled=move || download.pending().get()
                on:click=move |_| download.send("xlsx")>{tr(Word::DownloadXlsx)}</button>
        </div>
        <FormError form=download marks_no_fields=true/>
    }
}
