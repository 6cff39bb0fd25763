//! Finding a member of a unit by part of their name, username or phone (the roster's search),
//! to appoint or to issue an invite code for.

use std::time::Duration;

use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::i18n::{lang, tr};

/// How long typing pauses before the search is sent.
const SEARCH_PAUSE: Duration = Duration::from_millis(300);

/// A member chosen from the search: id and name.
pub type Picked = Option<(String, String)>;

#[component]
pub fn MemberSearch(
    /// Whose members are searched (a party group's are its branch's).
    unit_id: String,
    picked: RwSignal<Picked>,
    /// Prefix of the input's id, so that two searches can be on one screen.
    prefix: &'static str,
) -> impl IntoView {
    let q = RwSignal::new(String::new());
    // What is searched: the input once typing has paused, so that a name typed letter by letter
    // asks the server once, not once a keystroke. Each keystroke starts a new generation; only
    // the newest one's timeout searches. An emptied input clears the matches at once.
    let asked = RwSignal::new(String::new());
    let generation = StoredValue::new(0u64);
    Effect::new(move |_| {
        let typed = q.get();
        generation.update_value(|g| *g += 1);
        if typed.trim().is_empty() {
            asked.set(typed);
            return;
        }
        let mine = generation.get_value();
        set_timeout(
            move || {
                // The screen may have closed meanwhile: then nothing is there to set.
                if generation.try_get_value() == Some(mine) {
                    let _ = asked.try_set(typed);
                }
            },
            SEARCH_PAUSE,
        );
    });
    let unit = StoredValue::new(unit_id);
    let found = LocalResource::new(move || {
        let q = asked.get();
        let unit = unit.get_value();
        async move {
            if q.trim().is_empty() {
                return Ok(None);
            }
            api::member_search(&unit, q.trim()).await.map(Some)
        }
    });
    let input_id = format!("{prefix}-search");
    let label_for = input_id.clone();
    view! {
        <label class="cell" for=label_for>
            <span class="sr-only">{tr(Word::AdminSearchMember)}</span>
            <input id=input_id type="search" autocomplete="off" placeholder=tr(Word::AdminSearchMember)
                bind:value=q/>
        </label>
        {move || picked.get().map(|(_, name)| view! {
            <p class="hint org-picked" role="status">{Word::AdminPicked.fill(lang(), &[("name", &name)])}</p>
        })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match found.await {
                    Ok(None) => ().into_any(),
                    Ok(Some(page)) if page.items.is_empty() => {
                        view! { <p class="hint org-no-match">{tr(Word::AdminNoMatch)}</p> }.into_any()
                    }
                    Ok(Some(page)) => view! {
                        <ul class="cells org-matches">
                            {page.items.into_iter().map(|m| {
                                let (id, name) = (m.id.clone(), m.name.clone());
                                view! {
                                    <li>
                                        <button type="button" class="cell cell-link org-match" data-member=m.id.clone()
                                            on:click=move |_| {
                                                picked.set(Some((id.clone(), name.clone())));
                                                q.set(String::new());
                                            }>
                                            <span class="cell-body">
                                                <span class="cell-title">{m.name.clone()}</span>
                                                <span class="hint">{m.username.clone()} " · " {m.branch_name.clone()}</span>
                                            </span>
                                        </button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message(lang())}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
