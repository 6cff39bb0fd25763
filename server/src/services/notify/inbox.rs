//! The in-app inbox: the same notices WeChat users get, for everyone, worded when read in the
//! reader's language.

use chrono::{DateTime, Utc};
use jifen_shared::api::{NotificationPage, NotificationView};
use jifen_shared::i18n::Lang;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Deserialize;

use jifen_shared::domain::NotificationKind;

use crate::entity::{notification, stored};
use crate::error::{invalid, AppError, AppResult, Missing};
use crate::infra::db::Db;
use crate::infra::ids;

#[derive(Debug, Default, Deserialize)]
struct Params {
    #[serde(default)]
    title: String,
    points: Option<i32>,
    reason: Option<String>,
    #[serde(default)]
    branch: String,
    year: Option<i32>,
    quarter: Option<u8>,
}

/// The newest notices first, `limit` at a time, older than `cursor`.
pub async fn page(
    db: &impl ConnectionTrait,
    member_id: &str,
    cursor: Option<&str>,
    limit: Option<u64>,
    lang: Lang,
) -> AppResult<NotificationPage> {
    let limit = limit.unwrap_or(20).clamp(1, 100);
    let mut query = notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member_id))
        .order_by_desc(notification::Column::Id)
        .limit(limit + 1);
    if let Some(cursor) = cursor {
        if !ids::is_valid(cursor) {
            return Err(AppError::Validation(vec![invalid::cursor()]));
        }
        query = query.filter(notification::Column::Id.lt(cursor));
    }
    let mut rows = query.all(db).await?;
    let next_cursor = (rows.len() as u64 > limit).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|r| r.id.clone()).unwrap_or_default()
    });
    let unread = notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?;
    Ok(NotificationPage {
        items: rows
            .into_iter()
            .map(|n| view(n, lang))
            .collect::<AppResult<_>>()?,
        unread,
        next_cursor,
    })
}

/// Marks one of the member's notices read; someone else's answers 404.
pub async fn mark_read(db: &Db, now: DateTime<Utc>, member_id: &str, id: &str) -> AppResult<()> {
    let missing = AppError::NotFound(Missing::Notification);
    if !ids::is_valid(id) {
        return Err(missing);
    }
    let txn = db.begin_write().await?;
    let found = notification::Entity::find_by_id(id.to_owned())
        .filter(notification::Column::MemberId.eq(member_id))
        .one(&*txn)
        .await?
        .ok_or(missing)?;
    if found.read_at.is_none() {
        notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(now))
            .filter(notification::Column::Id.eq(found.id))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Marks every notice of the member read.
pub async fn mark_all_read(db: &Db, now: DateTime<Utc>, member_id: &str) -> AppResult<()> {
    let txn = db.begin_write().await?;
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(now))
        .filter(notification::Column::MemberId.eq(member_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

fn view(n: notification::Model, lang: Lang) -> AppResult<NotificationView> {
    let kind: NotificationKind = stored::word("notification", &n.id, "kind", &n.kind)?;
    let p: Params = serde_json::from_str(&n.params).unwrap_or_default();
    let reason = p.reason.as_deref().unwrap_or("");
    let title = &p.title;
    let (heading, body) = match (kind, lang) {
        (NotificationKind::DeedApproved, Lang::ZhCn) => (
            "申报已通过".to_owned(),
            format!("“{title}”已通过审核，获得 {} 分。", p.points.unwrap_or(0)),
        ),
        (NotificationKind::DeedApproved, Lang::En) => (
            "Deed approved".to_owned(),
            format!("“{title}” was approved: {} points.", p.points.unwrap_or(0)),
        ),
        (NotificationKind::DeedRejected, Lang::ZhCn) => (
            "申报未通过".to_owned(),
            format!("“{title}”未通过审核。理由：{reason}"),
        ),
        (NotificationKind::DeedRejected, Lang::En) => (
            "Deed not approved".to_owned(),
            format!("“{title}” was not approved. Reason: {reason}"),
        ),
        (NotificationKind::DeedReturned, Lang::ZhCn) => (
            "申报被退回，请补充".to_owned(),
            format!("“{title}”需要补充信息：{reason}。请修改后重新提交。"),
        ),
        (NotificationKind::DeedReturned, Lang::En) => (
            "Deed returned for more information".to_owned(),
            format!("“{title}” needs more information: {reason}. Revise and resubmit it."),
        ),
        (NotificationKind::DeedRevoked, Lang::ZhCn) => (
            "积分已撤销".to_owned(),
            format!("“{title}”的积分已被撤销。理由：{reason}"),
        ),
        (NotificationKind::DeedRevoked, Lang::En) => (
            "Points revoked".to_owned(),
            format!("The points for “{title}” were revoked. Reason: {reason}"),
        ),
        (NotificationKind::BoardPublished, Lang::ZhCn) => (
            "本季度积分已张榜公布".to_owned(),
            format!(
                "{}{}年第{}季度党员积分已经书记签字确认并张榜公布，欢迎查看和监督。",
                p.branch,
                p.year.unwrap_or_default(),
                p.quarter.unwrap_or_default()
            ),
        ),
        (NotificationKind::BoardPublished, Lang::En) => (
            "Quarterly points posted".to_owned(),
            format!(
                "{}'s points for Q{} {} were signed by the secretary and posted on the public board.",
                p.branch,
                p.quarter.unwrap_or_default(),
                p.year.unwrap_or_default()
            ),
        ),
        (NotificationKind::PointsDeducted, Lang::ZhCn) => (
            "违规扣分".to_owned(),
            format!(
                "支委会根据群众反映，按“{title}”扣 {} 分。理由：{reason}",
                -p.points.unwrap_or(0)
            ),
        ),
        (NotificationKind::PointsDeducted, Lang::En) => (
            "Points deducted".to_owned(),
            format!(
                "After feedback from the masses, the committee deducted {} points for “{title}”. Reason: {reason}",
                -p.points.unwrap_or(0)
            ),
        ),
    };
    Ok(NotificationView {
        id: n.id,
        kind,
        title: heading,
        body,
        deed_id: n.deed_id,
        created_at: n.created_at,
        read: n.read_at.is_some(),
    })
}
