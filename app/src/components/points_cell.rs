use leptos::prelude::*;

/// One addition or deduction in a list: what it was for, a line of detail, the signed points.
#[component]
pub fn PointsCell(title: String, points: i32, children: Children) -> impl IntoView {
    view! {
        <div class="cell">
            <span class="cell-body">
                <span class="cell-title">{title}</span>
                <span class="hint">{children()}</span>
            </span>
            <span class=if points < 0 { "points negative" } else { "points" }>{format!("{points:+}")}</span>
        </div>
    }
}
