//! The evidence check beside a deed under review: how far its place lies from the branch's usual
//! area, whether each photo's own capture time and place agree with the deed, and photos attached
//! to other deeds too. It informs the committee; it never decides.

use jifen_shared::api::{AreaCheck, AreaSource, EvidenceView, PhotoEvidence, PhotoReuse};
use jifen_shared::domain::Agreement;
use jifen_shared::words::Word;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::tr;
use crate::session::Session;

/// Kilometres with one decimal.
fn km(metres: u32) -> String {
    format!("{:.1}", f64::from(metres) / 1000.0)
}

#[component]
pub fn EvidenceCheck(evidence: EvidenceView) -> impl IntoView {
    let warns = evidence.warns();
    let class = if warns {
        "cells evidence warns"
    } else {
        "cells evidence"
    };
    let EvidenceView { area, photos } = evidence;
    view! {
        <section class=class id="evidence" aria-labelledby="evidence-title">
            <h3 class="section-title" id="evidence-title">{tr(Word::EvidenceTitle)}</h3>
            {match area {
                Some(a) => view! { <Area area=a/> }.into_any(),
                None => view! { <p class="cell hint">{tr(Word::EvidenceNoArea)}</p> }.into_any(),
            }}
            {photos.into_iter().enumerate().map(|(i, p)| view! { <PhotoCheck n=i + 1 photo=p/> }).collect_view()}
            {(!warns).then(|| view! { <p class="cell">{tr(Word::EvidenceNothingToNote)}</p> })}
            <p class="cell hint">{tr(Word::EvidenceInformOnly)}</p>
        </section>
    }
}

#[component]
fn Area(area: AreaCheck) -> impl IntoView {
    let lang = expect_context::<Session>().lang;
    let (distance, radius) = (km(area.distance_m), km(area.radius_m));
    let source = match area.source {
        AreaSource::Settings => Word::EvidenceAreaSettings,
        AreaSource::ApprovedMedian => Word::EvidenceAreaMedian,
    };
    view! {
        <div class=if area.outside { "cell cell-top notice area-outside" } else { "cell cell-top" }>
            <p>
                {area.outside.then(|| view! { <strong>{tr(Word::EvidenceAreaOutside)}</strong><br/> })}
                {move || Word::EvidenceAreaDistance.fill(lang.get(), &[("km", &distance), ("radius", &radius)])}
            </p>
            <p class="hint">{tr(source)}</p>
        </div>
    }
}

#[component]
fn PhotoCheck(n: usize, photo: PhotoEvidence) -> impl IntoView {
    let lang = expect_context::<Session>().lang;
    let no_capture = photo.taken_at.is_none() && photo.taken_lat.is_none();
    let taken = photo.taken_at.map(crate::time::show);
    let hours = photo.hours_apart.unwrap_or_default();
    let metres = km(photo.metres_apart.unwrap_or_default());
    let time = match photo.time {
        Agreement::Agrees => Some((false, Word::EvidenceTimeAgrees)),
        Agreement::Disagrees => Some((true, Word::EvidenceTimeDisagrees)),
        Agreement::Unknown => None,
    };
    let place = match photo.place {
        Agreement::Agrees => (false, Word::EvidencePlaceAgrees),
        Agreement::Disagrees => (true, Word::EvidencePlaceDisagrees),
        Agreement::Unknown => (false, Word::EvidencePlaceUnknown),
    };
    let line = move |(warn, word): (bool, Word)| {
        let metres = metres.clone();
        let text = move || word.fill(lang.get(), &[("hours", &hours), ("km", &metres)]);
        view! { <li class=if warn { "warn" } else { "ok" }>{text}</li> }
    };
    view! {
        <div class="cell cell-top photo-check">
            <span class="cell-label">{move || Word::EvidencePhotoN.fill(lang.get(), &[("n", &n)])}</span>
            <ul class="checks">
                {no_capture.then(|| view! { <li>{tr(Word::EvidenceNoCapture)}</li> })}
                {taken.map(|t| view! { <li>{move || Word::EvidenceTaken.fill(lang.get(), &[("time", &t)])}</li> })}
                {(!no_capture).then(|| view! { {time.map(line.clone())} {line(place)} })}
                {photo.also_on.into_iter().map(|r| view! { <Reuse reuse=r/> }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
fn Reuse(reuse: PhotoReuse) -> impl IntoView {
    let lang = expect_context::<Session>().lang;
    match reuse.deed_id {
        Some(id) => {
            let title = reuse.title.unwrap_or_default();
            let name = reuse.member_name.unwrap_or_default();
            view! {
                <li class="warn reuse">
                    <A href=format!("/review/{id}")>
                        {move || Word::EvidenceReused.fill(lang.get(), &[("title", &title), ("name", &name)])}
                    </A>
                </li>
            }
            .into_any()
        }
        None => {
            view! { <li class="warn reuse">{tr(Word::EvidenceReusedElsewhere)}</li> }.into_any()
        }
    }
}
