//! The secretary schedules a meeting: its kind, title, window, place, an online link, whether
//! members may attend from afar, and the catalogue items closing writes. Audited.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::api::{MeetingView, NewMeetingRequest};
use jifen_shared::domain::{DeedTitle, MeetingKind, PlaceName, RuleCategory};
use jifen_shared::words::Word;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::json;

use crate::entity::{meeting, point_rule};
use crate::error::{AppError, AppResult, FieldIssue, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};

/// The longest meeting (a 主题党日 may take the day).
pub const MAX_HOURS: i64 = 24;
/// The longest online link kept.
pub const MAX_URL_CHARS: usize = 500;

/// A meeting to schedule, parsed.
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub title: DeedTitle,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: PlaceName,
    pub online_url: Option<String>,
    pub remote_allowed: bool,
    pub attendance_rule_id: Option<String>,
    pub absence_rule_id: Option<String>,
}

impl TryFrom<NewMeetingRequest> for NewMeeting {
    type Error = AppError;

    fn try_from(r: NewMeetingRequest) -> AppResult<Self> {
        let mut issues = Vec::new();
        let title = DeedTitle::parse(&r.title)
            .map_err(|e| issues.push(FieldIssue::explained("title", &e)))
            .ok();
        let place = PlaceName::parse(&r.place)
            .map_err(|e| issues.push(FieldIssue::explained("place", &e)))
            .ok();
        if r.ends_at <= r.starts_at || r.ends_at - r.starts_at > Duration::hours(MAX_HOURS) {
            issues.push(FieldIssue::worded(
                "ends_at",
                "meeting.window_invalid",
                Word::MeetingEndsBeforeStart,
            ));
        }
        let online_url = r
            .online_url
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        if let Some(u) = &online_url {
            let scheme = u.starts_with("https://") || u.starts_with("http://");
            if !scheme || u.chars().count() > MAX_URL_CHARS || u.chars().any(char::is_control) {
                issues.push(FieldIssue::worded(
                    "online_url",
                    "meeting.url_invalid",
                    Word::MeetingUrlInvalid,
                ));
            }
        }
        let (Some(title), Some(place), true) = (title, place, issues.is_empty()) else {
            return Err(AppError::Validation(issues));
        };
        Ok(Self {
            kind: r.kind,
            title,
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            place,
            online_url,
            remote_allowed: r.remote_allowed,
            attendance_rule_id: r.attendance_rule_id,
            absence_rule_id: r.absence_rule_id,
        })
    }
}

/// Schedules `new` for `unit_id`, by its secretary (or an administrator above it).
pub async fn schedule(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    unit_id: &str,
    new: NewMeeting,
) -> AppResult<MeetingView> {
    let conn = db.conn();
    let unit = super::meeting_unit(conn, access, unit_id).await?;
    if !access.can_manage(conn, &unit.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let mut issues = Vec::new();
    let attendance = item(
        conn,
        "attendance_rule_id",
        new.attendance_rule_id.as_deref(),
        &unit.id,
        RuleCategory::Base,
        &mut issues,
    )
    .await?;
    let absence = item(
        conn,
        "absence_rule_id",
        new.absence_rule_id.as_deref(),
        &unit.id,
        RuleCategory::Deduction,
        &mut issues,
    )
    .await?;
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    let row = meeting::Model {
        id: ids::new(),
        org_unit_id: unit.id.clone(),
        kind: new.kind.as_str().to_owned(),
        title: new.title.into_inner(),
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        place: new.place.into_inner(),
        online_url: new.online_url,
        remote_allowed: new.remote_allowed,
        attendance_rule_id: attendance,
        absence_rule_id: absence,
        created_by: access.id().to_owned(),
        created_at: now,
        closed_by: None,
        closed_at: None,
    };
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &unit.id).await?;
    meeting::Entity::insert(meeting::ActiveModel {
        id: Set(row.id.clone()),
        org_unit_id: Set(row.org_unit_id.clone()),
        kind: Set(row.kind.clone()),
        title: Set(row.title.clone()),
        starts_at: Set(row.starts_at),
        ends_at: Set(row.ends_at),
        place: Set(row.place.clone()),
        online_url: Set(row.online_url.clone()),
        remote_allowed: Set(row.remote_allowed),
        attendance_rule_id: Set(row.attendance_rule_id.clone()),
        absence_rule_id: Set(row.absence_rule_id.clone()),
        created_by: Set(row.created_by.clone()),
        created_at: Set(row.created_at),
        closed_by: Set(None),
        closed_at: Set(None),
    })
    .exec(&*txn)
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &unit.id,
            actor_id: Some(access.id()),
            action: "meeting.scheduled",
            entity_type: "meeting",
            entity_id: &row.id,
            before: None,
            after: Some(json!({
                "kind": row.kind,
                "title": row.title,
                "starts_at": row.starts_at,
                "ends_at": row.ends_at,
                "place": row.place,
                "remote_allowed": row.remote_allowed,
                "attendance_rule_id": row.attendance_rule_id,
                "absence_rule_id": row.absence_rule_id,
            })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    super::view(conn, row, &access.member).await
}

/// The catalogue item named for `field`, when it is an active item of `category` of the unit.
async fn item(
    db: &impl ConnectionTrait,
    field: &'static str,
    rule_id: Option<&str>,
    unit_id: &str,
    category: RuleCategory,
    issues: &mut Vec<FieldIssue>,
) -> AppResult<Option<String>> {
    let Some(rule_id) = rule_id.filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let rule = if ids::is_valid(rule_id) {
        point_rule::Entity::find_by_id(rule_id.to_owned())
            .one(db)
            .await?
    } else {
        None
    };
    let wrong = match category {
        RuleCategory::Deduction => Word::MeetingRuleNotDeduction,
        _ => Word::MeetingRuleNotBase,
    };
    match rule {
        None => issues.push(FieldIssue::worded(
            field,
            "rule.unknown",
            Word::RuleDoesNotExist,
        )),
        Some(r) if r.branch_id != unit_id => issues.push(FieldIssue::worded(
            field,
            "rule.other_branch",
            Word::RuleOtherBranch,
        )),
        Some(r) if !r.active => issues.push(FieldIssue::worded(
            field,
            "rule.inactive",
            Word::RuleInactive,
        )),
        Some(r) if r.category()? != category => {
            issues.push(FieldIssue::worded(field, "meeting.rule_category", wrong))
        }
        Some(r) => return Ok(Some(r.id)),
    }
    Ok(None)
}
