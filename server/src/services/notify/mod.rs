//! Telling members what happened to them. Every notice lands in the in-app inbox; a member with a
//! bound WeChat and a subscription left for the template also gets a subscribe message, queued in
//! the outbox in the same transaction as the event, so that no message is lost or invented when
//! the transaction fails.

pub mod consent;
pub mod inbox;
pub mod message;

use chrono::{DateTime, Utc};
use jifen_shared::domain::{CycleQuarter, DeedStatus, NotificationKind};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;

use crate::entity::{
    deed, notification, org_unit, outbox as outbox_row, subscription_consent, wechat_identity,
};
use crate::error::AppResult;
use crate::infra::config::WechatConfig;
use crate::infra::ids;
use crate::infra::outbox::{OutboxStatus, Payload};

/// The subscribe-message templates this server sends, by what they announce; none when WeChat
/// is not configured.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    pub deed_result: Option<String>,
    pub board_published: Option<String>,
    pub points_alert: Option<String>,
}

impl Templates {
    pub fn of(config: &WechatConfig) -> Self {
        Self {
            deed_result: config.template_deed_result.clone(),
            board_published: config.template_board_published.clone(),
            points_alert: config.template_points_alert.clone(),
        }
    }

    /// Every configured template id.
    pub fn ids(&self) -> Vec<String> {
        [&self.deed_result, &self.board_published, &self.points_alert]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}

/// Whether a notice queued a WeChat message; the caller wakes the outbox worker after its
/// transaction commits.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Queued(pub bool);

impl Queued {
    pub const NOTHING: Queued = Queued(false);
}

impl std::ops::BitOrAssign for Queued {
    fn bitor_assign(&mut self, other: Queued) {
        self.0 |= other.0;
    }
}

/// Records a committee decision on a deed for its member.
pub async fn deed_decided(
    db: &impl ConnectionTrait,
    templates: &Templates,
    deed: &deed::Model,
    outcome: DeedStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> AppResult<Queued> {
    let kind = match outcome {
        DeedStatus::Approved => NotificationKind::DeedApproved,
        DeedStatus::Rejected => NotificationKind::DeedRejected,
        DeedStatus::Returned => NotificationKind::DeedReturned,
        DeedStatus::Revoked => NotificationKind::DeedRevoked,
        DeedStatus::Submitted | DeedStatus::Withdrawn => return Ok(Queued::NOTHING),
    };
    let params = json!({
        "title": deed.title,
        "points": deed.points_awarded,
        "reason": reason,
    });
    to_inbox(db, &deed.member_id, kind, Some(&deed.id), params, at).await?;
    let Some(template) = &templates.deed_result else {
        return Ok(Queued::NOTHING);
    };
    let payload = Payload {
        page: format!("pages/deed/detail?id={}", deed.id),
        data: message::deed_result(&deed.title, outcome, deed.points_awarded, reason, at),
    };
    queue_wechat(db, &deed.member_id, template, &payload, at).await
}

/// Tells a member that their branch's quarter was posted on the public board.
pub async fn board_published(
    db: &impl ConnectionTrait,
    templates: &Templates,
    member_id: &str,
    branch: &org_unit::Model,
    quarter: CycleQuarter,
    at: DateTime<Utc>,
) -> AppResult<Queued> {
    let params = json!({
        "branch": branch.name,
        "code": branch.code,
        "year": quarter.year,
        "quarter": quarter.quarter,
    });
    to_inbox(
        db,
        member_id,
        NotificationKind::BoardPublished,
        None,
        params,
        at,
    )
    .await?;
    let Some(template) = &templates.board_published else {
        return Ok(Queued::NOTHING);
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
    queue_wechat(db, member_id, template, &payload, at).await
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
    to_inbox(
        db,
        member_id,
        NotificationKind::PointsDeducted,
        None,
        params,
        at,
    )
    .await
}

/// Tells a member that the committee awarded them a base item (dues paid on time, ...) with the
/// reason it gave. Inbox only, like deductions.
pub async fn awarded(
    db: &impl ConnectionTrait,
    member_id: &str,
    item: &str,
    points: i32,
    reason: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let params = json!({ "title": item, "points": points, "reason": reason });
    to_inbox(
        db,
        member_id,
        NotificationKind::PointsAwarded,
        None,
        params,
        at,
    )
    .await
}

/// Tells a member how their appeal was decided: `overturned` or upheld, with the reason. `title`
/// names what was appealed; `points` are those given back by an overturned deduction. Inbox
/// only, written in the deciding transaction; a deed's appeal links to the deed.
#[allow(clippy::too_many_arguments)]
pub async fn appeal_decided(
    db: &impl ConnectionTrait,
    member_id: &str,
    deed_id: Option<&str>,
    title: &str,
    overturned: bool,
    points: Option<i32>,
    reason: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let kind = if overturned {
        NotificationKind::AppealOverturned
    } else {
        NotificationKind::AppealUpheld
    };
    let params = json!({ "title": title, "points": points, "reason": reason });
    to_inbox(db, member_id, kind, deed_id, params, at).await
}

/// Tells a member they are behind at the end of `quarter` (积分预警): their total so far, the
/// branch's alert line and how far below it. The caller makes sure it happens once per quarter.
pub async fn points_alert(
    db: &impl ConnectionTrait,
    templates: &Templates,
    member_id: &str,
    quarter: CycleQuarter,
    total: i32,
    threshold: i32,
    at: DateTime<Utc>,
) -> AppResult<Queued> {
    let behind = threshold - total;
    let params = json!({
        "year": quarter.year,
        "quarter": quarter.quarter,
        "total": total,
        "threshold": threshold,
        "behind": behind,
    });
    to_inbox(
        db,
        member_id,
        NotificationKind::PointsAlert,
        None,
        params,
        at,
    )
    .await?;
    let Some(template) = &templates.points_alert else {
        return Ok(Queued::NOTHING);
    };
    let payload = Payload {
        page: format!("pages/points/points?year={}", quarter.year),
        data: message::points_alert(quarter, total, threshold, behind),
    };
    queue_wechat(db, member_id, template, &payload, at).await
}

/// Tells a member that a WeChat account was bound to them (`bound`) or unbound, so that a binding
/// they did not make does not go unnoticed. Inbox only, and written in the same transaction.
pub async fn wechat_binding(
    db: &impl ConnectionTrait,
    member_id: &str,
    bound: bool,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let kind = if bound {
        NotificationKind::WechatBound
    } else {
        NotificationKind::WechatUnbound
    };
    to_inbox(db, member_id, kind, None, json!({}), at).await
}

/// Tells a member that their password was set or changed (and their other sessions ended), so
/// that a change they did not make does not go unnoticed. Inbox only.
pub async fn password_changed(
    db: &impl ConnectionTrait,
    member_id: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    to_inbox(
        db,
        member_id,
        NotificationKind::PasswordChanged,
        None,
        json!({}),
        at,
    )
    .await
}

/// Tells a member that a role on `unit` was granted to them or revoked, so that a change of what
/// they may do never goes unnoticed. Inbox only.
pub async fn role_changed(
    db: &impl ConnectionTrait,
    member_id: &str,
    granted: bool,
    unit: &str,
    role: jifen_shared::domain::Role,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let kind = if granted {
        NotificationKind::RoleGranted
    } else {
        NotificationKind::RoleRevoked
    };
    to_inbox(
        db,
        member_id,
        kind,
        None,
        json!({"branch": unit, "role": role}),
        at,
    )
    .await
}

/// Tells a branch's secretary that a member was transferred in (`member_name`, from the branch
/// named `from_branch`), so that the receiving side of 组织关系转接 knows at once. Inbox only.
pub async fn member_transferred_in(
    db: &impl ConnectionTrait,
    secretary_id: &str,
    member_name: &str,
    from_branch: &str,
    at: DateTime<Utc>,
) -> AppResult<()> {
    to_inbox(
        db,
        secretary_id,
        NotificationKind::MemberTransferredIn,
        None,
        json!({ "title": member_name, "branch": from_branch }),
        at,
    )
    .await
}

/// Writes a notice to the member's inbox; it is worded when read (see [`inbox`]).
async fn to_inbox(
    db: &impl ConnectionTrait,
    member_id: &str,
    kind: NotificationKind,
    deed_id: Option<&str>,
    params: serde_json::Value,
    at: DateTime<Utc>,
) -> AppResult<()> {
    notification::Entity::insert(notification::ActiveModel {
        id: Set(ids::new()),
        member_id: Set(member_id.to_owned()),
        kind: Set(kind.as_str().to_owned()),
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
) -> AppResult<Queued> {
    let bound = wechat_identity::Entity::find()
        .filter(wechat_identity::Column::MemberId.eq(member_id))
        .one(db)
        .await?
        .is_some();
    if !bound {
        return Ok(Queued::NOTHING);
    }
    let Some(consent) = subscription_consent::Entity::find()
        .filter(subscription_consent::Column::MemberId.eq(member_id))
        .filter(subscription_consent::Column::TemplateId.eq(template_id))
        .filter(subscription_consent::Column::SpentAt.is_null())
        .order_by_asc(subscription_consent::Column::GrantedAt)
        .one(db)
        .await?
    else {
        return Ok(Queued::NOTHING);
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
        status: Set(OutboxStatus::Pending.as_str().into()),
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
    Ok(Queued(true))
}
