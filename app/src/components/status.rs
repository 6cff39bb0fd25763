use jifen_shared::domain::DeedStatus;
use leptos::prelude::*;

use crate::i18n::tr;

pub fn label(status: DeedStatus) -> (&'static str, &'static str) {
    match status {
        DeedStatus::Submitted => ("待审核", "Pending"),
        DeedStatus::Approved => ("已通过", "Approved"),
        DeedStatus::Rejected => ("未通过", "Rejected"),
        DeedStatus::Returned => ("已退回", "Returned"),
        DeedStatus::Withdrawn => ("已撤回", "Withdrawn"),
        DeedStatus::Revoked => ("已撤销", "Revoked"),
    }
}

#[component]
pub fn StatusBadge(status: DeedStatus) -> impl IntoView {
    let (zh, en) = label(status);
    view! { <span class=format!("badge badge-{}", status.as_str())>{tr(zh, en)}</span> }
}
