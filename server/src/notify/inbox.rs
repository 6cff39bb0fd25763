//! The in-app inbox: the same notices WeChat users get, for everyone, worded when read in the
//! reader's language.

use jifen_shared::api::{NotificationPage, NotificationView};
use jifen_shared::i18n::Lang;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;

use crate::entity::notification;
use crate::error::{AppError, AppResult, Missing};
use crate::ids;
use crate::startup::AppState;

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
    state: &AppState,
    member_id: &str,
    cursor: Option<&str>,
    limit: Option<u64>,
    lang: Lang,
) -> AppResult<NotificationPage> {
    let limit = limit.unwrap_or(20).clamp(1, 100);
    let db = state.db.conn();
    let mut query = notification::Entity::find()
        .filter(notification::Column::MemberId.eq(member_id))
        .order_by_desc(notification::Column::Id)
        .limit(limit + 1);
    if let Some(cursor) = cursor {
        if !ids::is_valid(cursor) {
            return Err(AppError::Malformed(
                "cursor is not one this server gave".into(),
            ));
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
        items: rows.into_iter().map(|n| view(n, lang)).collect(),
        unread,
        next_cursor,
    })
}

/// Marks one of the member's notices read; someone else's answers 404.
pub async fn mark_read(state: &AppState, member_id: &str, id: &str) -> AppResult<()> {
    let missing = AppError::NotFound(Missing::Notification);
    if !ids::is_valid(id) {
        return Err(missing);
    }
    let txn = state.db.begin_write().await?;
    let found = notification::Entity::find_by_id(id.to_owned())
        .filter(notification::Column::MemberId.eq(member_id))
        .one(&*txn)
        .await?
        .ok_or(missing)?;
    if found.read_at.is_none() {
        notification::Entity::update_many()
            .col_expr(notification::Column::ReadAt, Expr::value(state.clock.now()))
            .filter(notification::Column::Id.eq(found.id))
            .exec(&*txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Marks every notice of the member read.
pub async fn mark_all_read(state: &AppState, member_id: &str) -> AppResult<()> {
    let txn = state.db.begin_write().await?;
    notification::Entity::update_many()
        .col_expr(notification::Column::ReadAt, Expr::value(state.clock.now()))
        .filter(notification::Column::MemberId.eq(member_id))
        .filter(notification::Column::ReadAt.is_null())
        .exec(&*txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

fn view(n: notification::Model, lang: Lang) -> NotificationView {
    let p: Params = serde_json::from_str(&n.params).unwrap_or_default();
    let reason = p.reason.as_deref().unwrap_or("");
    let title = &p.title;
    let (heading, body) = match (n.kind.as_str(), lang) {
        ("deed.approved", Lang::ZhCn) => (
            "申报已通过".to_owned(),
            format!("“{title}”已通过审核，获得 {} 分。", p.points.unwrap_or(0)),
        ),
        ("deed.approved", Lang::En) => (
            "Deed approved".to_owned(),
            format!("“{title}” was approved: {} points.", p.points.unwrap_or(0)),
        ),
        ("deed.rejected", Lang::ZhCn) => (
            "申报未通过".to_owned(),
            format!("“{title}”未通过审核。理由：{reason}"),
        ),
        ("deed.rejected", Lang::En) => (
            "Deed not approved".to_owned(),
            format!("“{title}” was not approved. Reason: {reason}"),
        ),
        ("deed.returned", Lang::ZhCn) => (
            "申报被退回，请补充".to_owned(),
            format!("“{title}”需要补充信息：{reason}。请修改后重新提交。"),
        ),
        ("deed.returned", Lang::En) => (
            "Deed returned for more information".to_owned(),
            format!("“{title}” needs more information: {reason}. Revise and resubmit it."),
        ),
        ("deed.revoked", Lang::ZhCn) => (
            "积分已撤销".to_owned(),
            format!("“{title}”的积分已被撤销。理由：{reason}"),
        ),
        ("deed.revoked", Lang::En) => (
            "Points revoked".to_owned(),
            format!("The points for “{title}” were revoked. Reason: {reason}"),
        ),
        ("board.published", Lang::ZhCn) => (
            "本季度积分已张榜公布".to_owned(),
            format!(
                "{}{}年第{}季度党员积分已经书记签字确认并张榜公布，欢迎查看和监督。",
                p.branch,
                p.year.unwrap_or_default(),
                p.quarter.unwrap_or_default()
            ),
        ),
        ("board.published", Lang::En) => (
            "Quarterly points posted".to_owned(),
            format!(
                "{}'s points for Q{} {} were signed by the secretary and posted on the public board.",
                p.branch,
                p.quarter.unwrap_or_default(),
                p.year.unwrap_or_default()
            ),
        ),
        ("points.deducted", Lang::ZhCn) => (
            "违规扣分".to_owned(),
            format!(
                "支委会根据群众反映，按“{title}”扣 {} 分。理由：{reason}",
                -p.points.unwrap_or(0)
            ),
        ),
        ("points.deducted", Lang::En) => (
            "Points deducted".to_owned(),
            format!(
                "After feedback from the masses, the committee deducted {} points for “{title}”. Reason: {reason}",
                -p.points.unwrap_or(0)
            ),
        ),
        (other, _) => (other.to_owned(), title.clone()),
    };
    NotificationView {
        id: n.id,
        kind: n.kind,
        title: heading,
        body,
        deed_id: n.deed_id,
        created_at: n.created_at,
        read: n.read_at.is_some(),
    }
}
