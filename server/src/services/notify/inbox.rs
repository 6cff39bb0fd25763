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
use jifen_shared::words::Word;

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
    /// A points alert's total so far, the alert line and how far below it.
    total: Option<i32>,
    threshold: Option<i32>,
    behind: Option<i32>,
    /// The role a role notice is about.
    role: Option<jifen_shared::domain::Role>,
}

/// The newest notices first, `limit` at a time, older than `cursor`.
pub async fn page(
    db: &impl ConnectionTrait,
    member_id: &str,
    cursor: Option<&str>,
    limit: Option<u64>,
    lang: Lang,
) -> AppResult<NotificationPage> {
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(AppError::Validation(vec![invalid::limit()]));
    }
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
    let points = p.points.unwrap_or(0);
    let (year, quarter) = (p.year.unwrap_or_default(), p.quarter.unwrap_or_default());
    let (heading, body) = match kind {
        NotificationKind::DeedApproved => (Word::NoticeDeedApproved, Word::NoticeDeedApprovedBody),
        NotificationKind::DeedRejected => (Word::NoticeDeedRejected, Word::NoticeDeedRejectedBody),
        NotificationKind::DeedReturned => (Word::NoticeDeedReturned, Word::NoticeDeedReturnedBody),
        NotificationKind::DeedRevoked => (Word::NoticeDeedRevoked, Word::NoticeDeedRevokedBody),
        NotificationKind::BoardPublished => {
            (Word::NoticeBoardPublished, Word::NoticeBoardPublishedBody)
        }
        NotificationKind::PointsDeducted => {
            (Word::NoticePointsDeducted, Word::NoticePointsDeductedBody)
        }
        NotificationKind::WechatBound => (Word::NoticeWechatBound, Word::NoticeWechatBoundBody),
        NotificationKind::WechatUnbound => {
            (Word::NoticeWechatUnbound, Word::NoticeWechatUnboundBody)
        }
        NotificationKind::PointsAwarded => {
            (Word::NoticePointsAwarded, Word::NoticePointsAwardedBody)
        }
        NotificationKind::PasswordChanged => {
            (Word::NoticePasswordChanged, Word::NoticePasswordChangedBody)
        }
        NotificationKind::PointsAlert => (Word::NoticePointsAlert, Word::NoticePointsAlertBody),
        NotificationKind::AppealUpheld => (Word::NoticeAppealUpheld, Word::NoticeAppealUpheldBody),
        NotificationKind::MemberTransferredIn => (
            Word::NoticeMemberTransferredIn,
            Word::NoticeMemberTransferredInBody,
        ),
        NotificationKind::AppealOverturned => (
            Word::NoticeAppealOverturned,
            // An overturned deed waits for the committee again; a deduction gives points back.
            if n.deed_id.is_some() {
                Word::NoticeAppealOverturnedDeedBody
            } else {
                Word::NoticeAppealOverturnedDeductionBody
            },
        ),
        NotificationKind::RoleGranted => (Word::NoticeRoleGranted, Word::NoticeRoleGrantedBody),
        NotificationKind::RoleRevoked => (Word::NoticeRoleRevoked, Word::NoticeRoleRevokedBody),
    };
    // A deduction is worded as the points taken away.
    let shown = if kind == NotificationKind::PointsDeducted {
        -points
    } else {
        points
    };
    let role = p.role.map(role_word).map(|w| w.text(lang)).unwrap_or("");
    let heading = heading.text(lang).to_owned();
    let body = body.fill(
        lang,
        &[
            ("title", &p.title),
            ("points", &shown),
            ("reason", &reason),
            ("branch", &p.branch),
            ("year", &year),
            ("quarter", &quarter),
            ("total", &p.total.unwrap_or_default()),
            ("threshold", &p.threshold.unwrap_or_default()),
            ("behind", &p.behind.unwrap_or_default()),
            ("role", &role),
        ],
    );
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

/// How a role is named to the member who holds it.
fn role_word(role: jifen_shared::domain::Role) -> Word {
    use jifen_shared::domain::Role;
    match role {
        Role::Member => Word::Member,
        Role::Committee => Word::Committee,
        Role::Secretary => Word::Secretary,
        Role::OrgAdmin => Word::Administrator,
    }
}
