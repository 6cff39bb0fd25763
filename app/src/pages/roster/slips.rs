//! The invite slips for the village meeting: one per new member, with the branch, the name, the
//! username, the invite code and how to bind WeChat, cut apart along dashed lines. Built from the
//! commit's answer, the only time the codes exist outside their hashes; printed on A4, eight to a
//! page.

use jifen_shared::api::RosterInvite;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::i18n::{lang, tr};

/// Beijing time's date of `at`, as the slip prints it.
fn date(at: chrono::DateTime<chrono::Utc>) -> String {
    let beijing = chrono::FixedOffset::east_opt(jifen_shared::domain::SHANGHAI_OFFSET_SECS)
        .expect("a valid offset");
    at.with_timezone(&beijing).format("%Y-%m-%d").to_string()
}

#[component]
pub fn Slips(invites: Vec<RosterInvite>, branch_name: String) -> impl IntoView {
    let print = move |_| {
        if let Some(w) = web_sys::window() {
            let body = w.document().and_then(|d| d.body());
            if let Some(b) = &body {
                let _ = b.set_attribute("data-printing", "roster-slips");
            }
            let _ = w.print();
            if let Some(b) = &body {
                let _ = b.remove_attribute("data-printing");
            }
        }
    };
    let l = lang();
    view! {
        <section class="roster-slips" id="roster-slips">
            <h2 class="section-title no-print">{tr(Word::RosterSlips)}</h2>
            <p class="hint no-print roster-hint">{tr(Word::RosterSlipsHint)}</p>
            <button class="btn btn-primary no-print" id="print-slips" on:click=print>{tr(Word::RosterPrintSlips)}</button>
            <div class="slip-sheet">
                {invites.into_iter().map(|i| view! {
                    <article class="slip" data-member=i.member_id.clone()>
                        <p class="slip-branch">{branch_name.clone()}</p>
                        <p class="slip-name">{i.name}</p>
                        <p class="slip-line"><span>{tr(Word::Username)}</span>" "<strong class="slip-username">{i.username}</strong></p>
                        <p class="slip-line"><span>{tr(Word::RosterSlipCode)}</span></p>
                        <p class="slip-code">{i.code}</p>
                        <p class="slip-how">{tr(Word::RosterSlipHow)}</p>
                        <p class="slip-expires">{Word::RosterSlipExpires.fill(l, &[("date", &date(i.expires_at))])}</p>
                    </article>
                }).collect_view()}
            </div>
        </section>
    }
}
