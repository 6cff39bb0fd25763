//! Closing a meeting (secretary, once, after it ends), in one write transaction under the
//! unit's chain lock: every expected member not checked in is on leave (granted) or absent;
//! each who attended earns the meeting's attendance item, each absent without leave takes its
//! absence item, and leave earns nothing and loses nothing. Two closes racing write once: the
//! second finds the meeting closed (409). A member the item's cap would pass gets no entry
//! rather than holding up the close.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use jifen_shared::api::MeetingClosed;
use jifen_shared::domain::{AttendanceMode, CycleQuarter, LeaveStatus, LedgerKind};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::entity::{leave_request, meeting, meeting_attendance, point_rule};
use crate::error::{AppError, AppResult, MeetingRefusal, Missing};
use crate::infra::db::Db;
use crate::services::access::Access;
use crate::services::audit::{self, Event};
use crate::services::ledger;

pub async fn close(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    meeting_id: &str,
) -> AppResult<MeetingClosed> {
    let conn = db.conn();
    let m = super::managed(conn, access, meeting_id).await?;
    if m.closed_at.is_some() {
        return Err(AppError::Meeting(MeetingRefusal::Closed));
    }
    if now < m.ends_at {
        return Err(AppError::Meeting(MeetingRefusal::NotEnded));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &m.org_unit_id).await?;
    // Only the close that moves `closed_at` from nothing goes on; a racing one stops here.
    let claimed = meeting::Entity::update_many()
        .col_expr(meeting::Column::ClosedAt, Expr::value(now))
        .col_expr(meeting::Column::ClosedBy, Expr::value(access.id()))
        .filter(meeting::Column::Id.eq(m.id.clone()))
        .filter(meeting::Column::ClosedAt.is_null())
        .exec(&*txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(AppError::Meeting(MeetingRefusal::Closed));
    }
    let m = meeting::Entity::find_by_id(m.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Meeting))?;
    let written = settle(&*txn, &m, access.id(), now).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &m.org_unit_id,
            actor_id: Some(access.id()),
            action: "meeting.closed",
            entity_type: "meeting",
            entity_id: &m.id,
            before: None,
            after: Some(json!({ "entries_written": written })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    let attendance = super::sheet(conn, &m).await?;
    Ok(MeetingClosed {
        meeting: super::view(conn, m, &access.member).await?,
        attendance,
        entries_written: written,
    })
}

/// Writes the absent and leave lines and the points entries of a meeting just closed; returns
/// how many entries it wrote. Inside the closing transaction.
pub async fn settle(
    db: &impl ConnectionTrait,
    m: &meeting::Model,
    actor_id: &str,
    now: DateTime<Utc>,
) -> AppResult<u32> {
    let expected = super::expected(db, m).await?;
    let attended: HashMap<String, meeting_attendance::Model> = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(m.id.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.member_id.clone(), a))
        .collect();
    let on_leave: HashSet<String> = leave_request::Entity::find()
        .filter(leave_request::Column::MeetingId.eq(m.id.clone()))
        .filter(leave_request::Column::Status.eq(LeaveStatus::Granted.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.member_id)
        .collect();
    let rule = |id: &Option<String>| {
        let id = id.clone();
        async move {
            match id {
                Some(id) => point_rule::Entity::find_by_id(id).one(db).await,
                None => Ok(None),
            }
        }
    };
    let attendance_rule = rule(&m.attendance_rule_id).await?;
    let absence_rule = rule(&m.absence_rule_id).await?;
    let quarter =
        ledger::open_quarter_for(db, &m.org_unit_id, CycleQuarter::of(m.starts_at), now).await?;
    let mut written = 0;
    for mb in &expected {
        match attended.get(&mb.id) {
            Some(line) => {
                if let Some(r) = &attendance_rule {
                    if let Some(entry) = entry(db, m, r, &mb.id, quarter, actor_id, now).await? {
                        meeting_attendance::Entity::update(meeting_attendance::ActiveModel {
                            id: Set(line.id.clone()),
                            ledger_entry_id: Set(Some(entry)),
                            ..Default::default()
                        })
                        .exec(db)
                        .await?;
                        written += 1;
                    }
                }
            }
            None if on_leave.contains(&mb.id) => {
                super::checkin::record(db, m, &mb.id, AttendanceMode::Leave, None, now).await?;
            }
            None => {
                let mut entry_id = None;
                if let Some(r) = &absence_rule {
                    entry_id = entry(db, m, r, &mb.id, quarter, actor_id, now).await?;
                    written += u32::from(entry_id.is_some());
                }
                super::checkin::record(db, m, &mb.id, AttendanceMode::Absent, entry_id, now)
                    .await?;
            }
        }
    }
    Ok(written)
}

/// One entry of `rule`'s standard points for the member, unless its cap is reached.
async fn entry(
    db: &impl ConnectionTrait,
    m: &meeting::Model,
    rule: &point_rule::Model,
    member_id: &str,
    quarter: CycleQuarter,
    actor_id: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<String>> {
    let points = rule.standard_points;
    match ledger::check_caps(db, rule, member_id, quarter, points).await {
        Ok(()) => {}
        Err(AppError::CapExceeded { .. }) => return Ok(None),
        Err(e) => return Err(e),
    }
    let category = rule.category()?;
    let written = ledger::write(
        db,
        ledger::NewEntry {
            member_id,
            branch_id: &m.org_unit_id,
            quarter,
            kind: LedgerKind::from(category),
            category,
            points,
            deed_id: None,
            rule_id: Some(&rule.id),
            rule_version: None,
            reverses_id: None,
            note: &m.title,
            actor_id: Some(actor_id),
        },
        now,
    )
    .await?;
    Ok(Some(written.id))
}
