//! Telling members what happened to them. Every notice lands in the in-app inbox; a member with a
//! bound WeChat and a subscription left for the template also gets a subscribe message, queued in
//! the outbox in the same transaction as the event, so that no message is lost or invented when
//! the transaction fails.

pub mod consent;
pub mod inbox;
pub mod message;
pub mod outbox;

use chrono::{DateTime, Utc};
use jifen_shared::domain::{CycleQuarter, DeedStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::entity::{
    deed, notification, org_unit, outbox as outbox_row, subscription_consent, wechat_identity,
};
use crate::error::AppResult;
use crate::ids;
use crate::startup::AppState;

/// What an outbox row carries: the message without its recipient, who is looked up when it is
/// sent (an account may be unbound in between).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Payload {
    pub page: String,
    pub data: serde_json::Value,
}

/// Records a committee decision on a deed for its member. Returns whether a WeChat message was
/// queued (then wake the outbox worker after the commit).
pub async fn deed_decided(
    db: &impl ConnectionTrait,
    state: &AppState,
    deed: &deed::Model,
    outcome: DeedStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let kind = match outcome {
        DeedStatus::Approved => "deed.approved",
        DeedStatus::Rejected => "deed.rejected",
        DeedStatus::Returned => "deed.returned",
        DeedStatus::Revoked => "deed.revoked",
        DeedStatus::Submitted | DeedStatus::Withdrawn => return Ok(false),
    };
    let params = json!({
        "title": deed.title,
        "points": deed.points_awarded,
        "reason": reason,
    });
    to_inbox(db, &deed.member_id, kind, Some(&deed.id), params, at).await?;
    let Some(template) = state
        .wechat
        .as_ref()
        .and_then(|w| w.config.template_deed_result.clone())
    else {
        return Ok(false);
    };
    let payload = Payload {
        page: format!("pages/deed/detail?id={}", deed.id),
        data: message::deed_result(&deed.title, outcome, deed.points_awarded, reason, at),
    };
    queue_wechat(db, &deed.member_id, &template, &payload, at).await
}

/// Tells a member that their branch's quarter was posted on the public board.
pub async fn board_published(
    db: &impl ConnectionTrait,
    state: &AppState,
    member_id: &str,
    branch: &org_unit::Model,
    quarter: CycleQuarter,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let params = json!({
        "branch": branch.name,
        "code": branch.code,
        "year": quarter.year,
        "quarter": quarter.quarter,
    });
    to_inbox(db, member_id, "board.published", None, params, at).await?;
    let Some(template) = state
        .wechat
        .as_ref()
        .and_then(|w| w.config.template_board_published.clone())
    else {
        return Ok(false);
    };
    let payload = Payload {
        page: format!(
            "pages/board/board?code={}&year={}&quarter={}",
            branch.code.as_deref().unwrap_or_default(),
            quarter.year,
            quarter.quarter
        ),
        data: message::board_published(&branch.name, quarter, at),
    };
    queue_wechat(db, member_id, &template, &payload, at).await
}

/// Tells a member that the committee recorded a deduction (from the masses' feedback). Inbox only:
/// the WeChat templates configured so far are for deed results and the posted board.
pub async fn deducted(
    db: &impl ConnectionTrait,
    member_id: &str,
    item: &str,
    points: i32,
    reason: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let params = json!({ "title": item, "points": points, "reason": reason });
    to_inbox(db, member_id, "points.deducted", None, params, at).await
}

/// Writes a notice to the member's inbox; it is worded when read (see [`inbox`]).
async fn to_inbox(
    db: &impl ConnectionTrait,
    member_id: &str,
    kind: &str,
    deed_id: Option<&str>,
    params: serde_json::Value,
    at: DateTime<Utc>,
) -> AppResult<()> {
    notification::Entity::insert(notification::ActiveModel {
        id: Set(ids::new()),
        member_id: Set(member_id.to_owned()),
        kind: Set(kind.to_owned()),
        deed_id: Set(deed_id.map(str::to_owned)),
        params: Set(params.to_string()),
        created_at: Set(at),
        read_at: Set(None),
    })
    .exec(db)
    .await?;
    Ok(())
}

/// Queues a subscribe message when the member is bound and has a subscription left for the
/// template, spending that subscription.
async fn queue_wechat(
    db: &impl ConnectionTrait,
    member_id: &str,
    template_id: &str,
    payload: &Payload,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    let bound = wechat_identity::Entity::find()
        .filter(wechat_identity::Column::MemberId.eq(member_id))
        .one(db)
        .await?
        .is_some();
    if !bound {
        return Ok(false);
    }
    let Some(consent) = subscription_consent::Entity::find()
        .filter(subscription_consent::Column::MemberId.eq(member_id))
        .filter(subscription_consent::Column::TemplateId.eq(template_id))
        .filter(subscription_consent::Column::SpentAt.is_null())
        .order_by_asc(subscription_consent::Column::GrantedAt)
        .one(db)
        .await?
    else {
        return Ok(false);
    };
    subscription_consent::Entity::update_many()
        .col_expr(subscription_consent::Column::SpentAt, Expr::value(at))
        .filter(subscription_consent::Column::Id.eq(consent.id))
        .exec(db)
        .await?;
    outbox_row::Entity::insert(outbox_row::ActiveModel {
        id: Set(ids::new()),
        member_id: Set(member_id.to_owned()),
        channel: Set("wechat".into()),
        template_id: Set(template_id.to_owned()),
        payload: Set(serde_json::to_string(payload).map_err(anyhow::Error::from)?),
        status: Set(outbox::PENDING.into()),
        attempts: Set(0),
        // The worker schedules by the wall clock, whatever clock stamps the event.
        next_attempt_at: Set(Utc::now()),
        lease_until: Set(None),
        last_error: Set(None),
        created_at: Set(Utc::now()),
        sent_at: Set(None),
    })
    .exec(db)
    .await?;
    Ok(true)
}
