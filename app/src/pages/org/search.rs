//! Finding a member of a unit by part of their name, username or phone (the roster's search),
//! to appoint or to issue an invite code for.

use jifen_shared::words::Word;
use leptos::prelude::*;

use crate::api;
use crate::i18n::{lang, tr};

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
    let unit = StoredValue::new(unit_id);
    let found = LocalResource::new(move || {
        let q = q.get();
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
