//! On the member's points screen: how far below the branch's alert line they are (积分预警), and the
//! catalogue items that could still help, best first.

use jifen_shared::api::MemberStanding;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::i18n::{lang, tr};

/// Says nothing when the standing cannot be read: the points below it are the screen's subject.
#[component]
pub fn StandingNotice(member_id: String, #[prop(into)] year: Signal<i32>) -> impl IntoView {
    let standing = LocalResource::new(move || {
        let (m, y) = (member_id.clone(), year.get());
        async move { api::standing(&m, y).await }
    });
    move || {
        standing
            .get()
            .and_then(|r| r.ok())
            .map(|s| view! { <Standing s/> })
    }
}

#[component]
fn Standing(s: MemberStanding) -> impl IntoView {
    if s.behind == 0 {
        let text = Word::StandingOnTrack.fill(lang(), &[("threshold", &s.threshold)]);
        return view! { <p class="hint catalogue-hint" id="standing">{text}</p> }.into_any();
    }
    let text = Word::StandingBehind.fill(
        lang(),
        &[("threshold", &s.threshold), ("behind", &s.behind)],
    );
    view! {
        <p class="notice" role="status" id="standing">{text}</p>
        {(!s.helpful.is_empty()).then(|| view! {
            <h3 class="section-title">{tr(Word::StandingHelpful)}</h3>
            <div class="cells" id="helpful-items">
                {s.helpful.into_iter().map(|item| {
                    let still = item.remaining.map(|n| Word::StandingRemaining.fill(lang(), &[("n", &n)]));
                    view! {
                        <div class="cell">
                            <span class="cell-title">{item.name}</span>
                            <span>{format!("+{}", item.standard_points)}</span>
                            {still.map(|t| view! { <span class="hint">{t}</span> })}
                        </div>
                    }
                }).collect_view()}
            </div>
        })}
    }
    .into_any()
}
