//! The period of the figures: a cycle year, and the whole of it or one quarter. Periods after the
//! current quarter cannot be chosen (there is nothing in them yet).

use jifen_shared::domain::CycleQuarter;
use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::i18n::{lang, tr};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    /// None: the whole year.
    pub quarter: Option<u8>,
}

impl Period {
    /// The quarter running now.
    pub fn now() -> Self {
        let q = CycleQuarter::of(chrono::Utc::now());
        Self {
            year: q.year,
            quarter: Some(q.quarter),
        }
    }

    /// `2026年4季度`, `2026年全年`.
    pub fn words(self) -> String {
        match self.quarter {
            Some(q) => {
                Word::StatsPeriodQuarter.fill(lang(), &[("year", &self.year), ("quarter", &q)])
            }
            None => Word::StatsPeriodYear.fill(lang(), &[("year", &self.year)]),
        }
    }

    /// For file names: `2026-Q4`, `2026`.
    pub fn slug(self) -> String {
        match self.quarter {
            Some(q) => format!("{}-Q{q}", self.year),
            None => self.year.to_string(),
        }
    }
}

/// `Q3` in the reader's language (`3季度`).
pub fn quarter_word(q: u8) -> String {
    Word::StatsQuarterShort.fill(lang(), &[("quarter", &q)])
}

#[component]
pub fn PeriodPicker(period: RwSignal<Period>) -> impl IntoView {
    let now = Period::now();
    let running = now.quarter.unwrap_or(4);
    let year = move || period.get().year;
    let chip = move |quarter: Option<u8>| {
        let label = match quarter {
            Some(q) => quarter_word(q),
            None => tr(Word::StatsWholeYear)().to_owned(),
        };
        let later = move || year() == now.year && quarter.is_some_and(|q| q > running);
        view! {
            <button type="button" class="btn btn-mini" data-quarter=quarter.map(|q| q.to_string()).unwrap_or_default()
                aria-pressed={move || if period.get().quarter == quarter { "true" } else { "false" }}
                disabled=later
                on:click=move |_| period.update(|p| p.quarter = quarter)>{label}</button>
        }
    };
    view! {
        <div class="stats-period no-print" role="group" aria-label=tr(Word::StatsPeriod)>
            <div class="year-switch">
                <button type="button" class="btn btn-mini" aria-label=tr(Word::PreviousYear)
                    on:click=move |_| period.update(|p| p.year -= 1)>"‹"</button>
                <span aria-live="polite" id="stats-year">{year}</span>
                <button type="button" class="btn btn-mini" aria-label=tr(Word::NextYear)
                    disabled={move || year() >= now.year}
                    on:click=move |_| period.update(|p| {
                        p.year += 1;
                        // The running year has no figures after its current quarter.
                        if p.year == now.year && p.quarter.is_some_and(|q| q > running) {
                            p.quarter = Some(running);
                        }
                    })>"›"</button>
            </div>
            <div class="chips">
                {chip(None)}
                {(1..=4).map(|q| chip(Some(q))).collect_view()}
            </div>
        </div>
    }
}
