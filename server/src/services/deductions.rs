//! Deductions the committee decides (违规扣分) take two people: one committee member proposes (for a
//! deed of the member's, on the masses' feedback, or on what the committee saw itself), a second
//! confirms, and only then is the ledger entry written and the member told why. Either may drop
//! a proposal with a reason instead; nobody proposes or confirms a deduction of their own points.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use jifen_shared::api::{
    AcceptFeedbackRequest, DeductionPage, DeductionQuery, DeductionView, ProposeDeductionRequest,
};
use jifen_shared::domain::{
    CycleQuarter, DeductionStatus, FeedbackStatus, LedgerKind, Points, Reason, RuleCategory,
};
use jifen_shared::words::Word;
use sea_orm::sea_query::{Expr, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;

use crate::entity::{deduction, feedback, member, point_rule};
use crate::error::{invalid, AppError, AppResult, FieldIssue, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{visible_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::ledger::{self, NewEntry};

/// The list's page size: default and largest.
pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 100;

/// A deduction item of the branch's catalogue (active, category `deduction`) and the points to
/// take: its standard points unless `points` is given, which must then be negative. What is
/// wrong is added to `issues`.
pub(crate) async fn item_and_points(
    db: &impl ConnectionTrait,
    branch_id: &str,
    rule_id: &str,
    points: Option<i32>,
    issues: &mut Vec<FieldIssue>,
) -> AppResult<Option<(point_rule::Model, i32)>> {
    let rule = if ids::is_valid(rule_id) {
        point_rule::Entity::find_by_id(rule_id.to_owned())
            .one(db)
            .await?
            .filter(|r| r.branch_id == branch_id && r.active)
    } else {
        None
    };
    let rule = match rule {
        Some(r) if r.category()? == RuleCategory::Deduction => Some(r),
        Some(_) => {
            issues.push(FieldIssue::worded(
                "rule_id",
                "rule.not_deduction",
                Word::FeedbackChooseADeductionItem,
            ));
            None
        }
        None => {
            issues.push(FieldIssue::worded(
                "rule_id",
                "rule.unknown",
                Word::RuleUnknown,
            ));
            None
        }
    };
    let points = match (&rule, points) {
        (Some(r), None) => Some(r.standard_points),
        (_, Some(p)) => match Points::parse(p) {
            Ok(p) if p.value() < 0 => Some(p.value()),
            Ok(_) => {
                issues.push(FieldIssue::worded(
                    "points",
                    "points.wrong_sign",
                    Word::DeductionMustBeNegative,
                ));
                None
            }
            Err(e) => {
                issues.push(FieldIssue::explained("points", &e));
                None
            }
        },
        (None, None) => None,
    };
    Ok(rule.zip(points))
}

/// A proposal to write, each part checked.
pub(crate) struct Proposal<'a> {
    pub branch_id: &'a str,
    pub member_id: &'a str,
    pub rule: &'a point_rule::Model,
    pub points: i32,
    pub reason: &'a str,
    pub feedback_id: Option<&'a str>,
    pub proposed_by: &'a str,
}

/// Writes a proposal and its audit event; call inside the transaction that causes it, after
/// [`audit::lock_chain`] on the branch.
pub(crate) async fn write_proposal(
    db: &impl ConnectionTrait,
    p: Proposal<'_>,
    now: DateTime<Utc>,
) -> AppResult<deduction::Model> {
    let row = deduction::Model {
        id: ids::new(),
        branch_id: p.branch_id.to_owned(),
        member_id: p.member_id.to_owned(),
        rule_id: p.rule.id.clone(),
        rule_version: p.rule.version,
        points: p.points,
        reason: p.reason.to_owned(),
        feedback_id: p.feedback_id.map(str::to_owned),
        status: DeductionStatus::Proposed.as_str().to_owned(),
        proposed_by: p.proposed_by.to_owned(),
        proposed_at: now,
        decided_by: None,
        decided_at: None,
        drop_reason: None,
        ledger_entry_id: None,
    };
    deduction::Entity::insert(deduction::ActiveModel {
        id: Set(row.id.clone()),
        branch_id: Set(row.branch_id.clone()),
        member_id: Set(row.member_id.clone()),
        rule_id: Set(row.rule_id.clone()),
        rule_version: Set(row.rule_version),
        points: Set(row.points),
        reason: Set(row.reason.clone()),
        feedback_id: Set(row.feedback_id.clone()),
        status: Set(row.status.clone()),
        proposed_by: Set(row.proposed_by.clone()),
        proposed_at: Set(row.proposed_at),
        decided_by: Set(None),
        decided_at: Set(None),
        drop_reason: Set(None),
        ledger_entry_id: Set(None),
    })
    .exec(db)
    .await?;
    audit::record(
        db,
        Event {
            chain_id: &row.branch_id,
            actor_id: Some(&row.proposed_by),
            action: "deduction.proposed",
            entity_type: "deduction",
            entity_id: &row.id,
            before: None,
            after: Some(json!({
                "status": row.status,
                "member_id": row.member_id,
                "rule_id": row.rule_id,
                "rule_version": row.rule_version,
                "points": row.points,
                "feedback_id": row.feedback_id,
            })),
            reason: Some(&row.reason),
        },
        now,
    )
    .await?;
    Ok(row)
}

/// A member of the branch the caller may see; anyone else is not found.
async fn member_seen_by(
    db: &impl ConnectionTrait,
    access: &Access,
    member_id: &str,
) -> AppResult<member::Model> {
    let not_found = || AppError::NotFound(Missing::Member);
    if !ids::is_valid(member_id) {
        return Err(not_found());
    }
    let found = member::Entity::find_by_id(member_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !access.can_see(db, &found.home_branch_id).await? {
        return Err(not_found());
    }
    Ok(found)
}

/// A committee member (or the secretary, or an administrator above the branch) proposes a
/// deduction for a member of the branch. With `feedback_id` it is the same as accepting that
/// feedback (see [`crate::services::feedback::decide`]).
pub async fn propose(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    member_id: &str,
    req: ProposeDeductionRequest,
) -> AppResult<DeductionView> {
    let conn = db.conn();
    let target = member_seen_by(conn, access, member_id).await?;
    let branch_id = target.home_branch_id.clone();
    if !access.can_review(conn, &branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if target.id == access.id() {
        return Err(AppError::Forbidden(Refusal::OwnDeduction));
    }
    if let Some(feedback_id) = req.feedback_id.as_deref() {
        return propose_on_feedback(db, now, access, &target, feedback_id, req.clone()).await;
    }
    let mut issues = Vec::new();
    let reason = Reason::parse(&req.reason)
        .map_err(|e| issues.push(FieldIssue::explained("reason", &e)))
        .ok();
    let item = item_and_points(conn, &branch_id, &req.rule_id, req.points, &mut issues).await?;
    let (Some(reason), Some((rule, points)), true) = (reason, item, issues.is_empty()) else {
        return Err(AppError::Validation(issues));
    };
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch_id).await?;
    let row = write_proposal(
        &*txn,
        Proposal {
            branch_id: &branch_id,
            member_id: &target.id,
            rule: &rule,
            points,
            reason: reason.as_str(),
            feedback_id: None,
            proposed_by: access.id(),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    one_view(conn, row).await
}

/// A proposal that answers the masses' feedback: the feedback must be on the member's branch and
/// about this member or about nobody; it becomes accepted, linked to the proposal.
async fn propose_on_feedback(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    target: &member::Model,
    feedback_id: &str,
    req: ProposeDeductionRequest,
) -> AppResult<DeductionView> {
    let conn = db.conn();
    let found = if ids::is_valid(feedback_id) {
        feedback::Entity::find_by_id(feedback_id.to_owned())
            .one(conn)
            .await?
            .filter(|f| f.branch_id == target.home_branch_id)
    } else {
        None
    };
    let Some(found) = found else {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "feedback_id",
            "feedback.unknown",
            Word::FeedbackNotFound,
        )]));
    };
    let accepted = crate::services::feedback::decide(
        db,
        now,
        access,
        &found.id,
        crate::services::feedback::Decision::Accept(AcceptFeedbackRequest {
            rule_id: req.rule_id,
            points: req.points,
            member_id: Some(target.id.clone()),
            reason: req.reason,
        }),
    )
    .await?;
    let id = accepted
        .deduction_id
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("accepted feedback without proposal")))?;
    let row = deduction::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(Missing::Deduction))?;
    one_view(conn, row).await
}

/// A proposal the caller may see, with the check that they review its branch.
async fn decidable(
    db: &impl ConnectionTrait,
    access: &Access,
    id: &str,
) -> AppResult<deduction::Model> {
    let not_found = || AppError::NotFound(Missing::Deduction);
    if !ids::is_valid(id) {
        return Err(not_found());
    }
    let found = deduction::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !access.can_see(db, &found.branch_id).await? {
        return Err(not_found());
    }
    if !access.can_review(db, &found.branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    if found.status()? != DeductionStatus::Proposed {
        return Err(AppError::DeductionDecided);
    }
    if found.member_id == access.id() {
        return Err(AppError::Forbidden(Refusal::OwnDeduction));
    }
    Ok(found)
}

/// Reads the proposal again inside the write transaction (locking its row on PostgreSQL): a
/// decision made meanwhile by someone else answers 409.
async fn still_proposed(db: &impl ConnectionTrait, id: &str) -> AppResult<deduction::Model> {
    let mut again = deduction::Entity::find_by_id(id.to_owned());
    if db.get_database_backend() == DbBackend::Postgres {
        again = again.lock(LockType::Update);
    }
    let row = again
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Deduction))?;
    if row.status()? != DeductionStatus::Proposed {
        return Err(AppError::DeductionDecided);
    }
    Ok(row)
}

/// Moves a proposal out of `proposed`, only if it still is: of two decisions racing, one wins
/// and the other answers 409 (its transaction is dropped, writing nothing).
async fn settle(
    db: &impl ConnectionTrait,
    id: &str,
    to: DeductionStatus,
    by: &str,
    now: DateTime<Utc>,
    drop_reason: Option<&str>,
    ledger_entry_id: Option<&str>,
) -> AppResult<()> {
    let done = deduction::Entity::update_many()
        .col_expr(deduction::Column::Status, Expr::value(to.as_str()))
        .col_expr(deduction::Column::DecidedBy, Expr::value(by))
        .col_expr(deduction::Column::DecidedAt, Expr::value(now))
        .col_expr(
            deduction::Column::DropReason,
            Expr::value(drop_reason.map(str::to_owned)),
        )
        .col_expr(
            deduction::Column::LedgerEntryId,
            Expr::value(ledger_entry_id.map(str::to_owned)),
        )
        .filter(deduction::Column::Id.eq(id))
        .filter(deduction::Column::Status.eq(DeductionStatus::Proposed.as_str()))
        .exec(db)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::DeductionDecided);
    }
    Ok(())
}

/// A second committee member confirms a proposal: the entry is written (into the quarter the
/// feedback concerns or the proposal was made in, unless the secretary has signed it, then into
/// the quarter open now), the member is told with the reason, and feedback it answers points
/// to the entry.
pub async fn confirm(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    id: &str,
) -> AppResult<DeductionView> {
    let conn = db.conn();
    let found = decidable(conn, access, id).await?;
    if found.proposed_by == access.id() {
        return Err(AppError::Forbidden(Refusal::DeductionSecondPerson));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let before = still_proposed(&*txn, &found.id).await?;
    let rule = point_rule::Entity::find_by_id(before.rule_id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Rule))?;
    let answered = match before.feedback_id.as_deref() {
        Some(fid) => {
            feedback::Entity::find_by_id(fid.to_owned())
                .one(&*txn)
                .await?
        }
        None => None,
    };
    let concerns = match &answered {
        Some(f) => CycleQuarter {
            year: f.cycle_year,
            quarter: f.cycle_quarter as u8,
        },
        None => CycleQuarter::of(before.proposed_at),
    };
    let quarter = ledger::open_quarter_for(&*txn, &before.branch_id, concerns, now).await?;
    ledger::check_caps(&*txn, &rule, &before.member_id, quarter, before.points).await?;
    let entry = ledger::write(
        &*txn,
        NewEntry {
            member_id: &before.member_id,
            branch_id: &before.branch_id,
            quarter,
            kind: LedgerKind::Deduction,
            category: RuleCategory::Deduction,
            points: before.points,
            deed_id: None,
            rule_id: Some(&rule.id),
            reverses_id: None,
            note: &before.reason,
            actor_id: Some(access.id()),
        },
        now,
    )
    .await?;
    settle(
        &*txn,
        &before.id,
        DeductionStatus::Confirmed,
        access.id(),
        now,
        None,
        Some(&entry.id),
    )
    .await?;
    if let Some(f) = &answered {
        feedback::Entity::update_many()
            .col_expr(
                feedback::Column::LedgerEntryId,
                Expr::value(entry.id.clone()),
            )
            .filter(feedback::Column::Id.eq(f.id.clone()))
            .exec(&*txn)
            .await?;
    }
    crate::services::notify::deducted(
        &*txn,
        &before.member_id,
        &rule.name,
        before.points,
        &before.reason,
        now,
    )
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &before.branch_id,
            actor_id: Some(access.id()),
            action: "deduction.confirmed",
            entity_type: "deduction",
            entity_id: &before.id,
            before: Some(json!({ "status": before.status })),
            after: Some(json!({
                "status": DeductionStatus::Confirmed.as_str(),
                "ledger_entry_id": entry.id,
                "feedback_id": before.feedback_id,
            })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    reread(conn, &before.id).await
}

/// Any committee member, the proposer included, drops a proposal with a reason: no entry is
/// written. Feedback it answered is set aside with that reason.
pub async fn drop_proposal(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    id: &str,
    reason: &str,
) -> AppResult<DeductionView> {
    let conn = db.conn();
    let found = decidable(conn, access, id).await?;
    let reason = Reason::parse(reason).map_err(|e| AppError::field("reason", &e))?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let before = still_proposed(&*txn, &found.id).await?;
    settle(
        &*txn,
        &before.id,
        DeductionStatus::Dropped,
        access.id(),
        now,
        Some(reason.as_str()),
        None,
    )
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &before.branch_id,
            actor_id: Some(access.id()),
            action: "deduction.dropped",
            entity_type: "deduction",
            entity_id: &before.id,
            before: Some(json!({ "status": before.status })),
            after: Some(json!({
                "status": DeductionStatus::Dropped.as_str(),
                "feedback_id": before.feedback_id,
            })),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await?;
    if let Some(fid) = &before.feedback_id {
        set_feedback_aside(&*txn, fid, &before.branch_id, access, reason.as_str(), now).await?;
    }
    txn.commit().await?;
    reread(conn, &before.id).await
}

/// Feedback whose deduction was dropped: the committee did not take it up after all.
async fn set_feedback_aside(
    db: &impl ConnectionTrait,
    feedback_id: &str,
    branch_id: &str,
    access: &Access,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    feedback::Entity::update_many()
        .col_expr(
            feedback::Column::Status,
            Expr::value(FeedbackStatus::Dismissed.as_str()),
        )
        .col_expr(feedback::Column::DecidedBy, Expr::value(access.id()))
        .col_expr(feedback::Column::DecidedAt, Expr::value(now))
        .col_expr(feedback::Column::DecisionReason, Expr::value(reason))
        .filter(feedback::Column::Id.eq(feedback_id))
        .exec(db)
        .await?;
    audit::record(
        db,
        Event {
            chain_id: branch_id,
            actor_id: Some(access.id()),
            action: "feedback.dismissed",
            entity_type: "feedback",
            entity_id: feedback_id,
            before: Some(json!({ "status": FeedbackStatus::Accepted.as_str() })),
            after: Some(json!({ "status": FeedbackStatus::Dismissed.as_str() })),
            reason: Some(reason),
        },
        now,
    )
    .await
}

/// A checked query of the committee's list.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub status: Option<DeductionStatus>,
    pub cursor: Option<String>,
    pub limit: u64,
}

impl TryFrom<DeductionQuery> for ListFilter {
    type Error = AppError;

    fn try_from(q: DeductionQuery) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let status = match q.status.as_deref() {
            None | Some("") => None,
            Some(s) => s
                .parse::<DeductionStatus>()
                .map_err(|_| {
                    issues.push(FieldIssue::worded(
                        "status",
                        "query.invalid",
                        Word::UnknownStatus,
                    ))
                })
                .ok(),
        };
        if q.cursor.as_deref().is_some_and(|c| !ids::is_valid(c)) {
            issues.push(invalid::cursor());
        }
        let limit = q.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            issues.push(invalid::limit());
        }
        if !issues.is_empty() {
            return Err(AppError::Validation(issues));
        }
        Ok(ListFilter {
            status,
            cursor: q.cursor,
            limit,
        })
    }
}

/// A branch's deductions for those who review it, oldest first, a page at a time.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
    filter: ListFilter,
) -> AppResult<DeductionPage> {
    let branch = visible_branch(db, access, branch_id).await?;
    if !access.can_review(db, &branch.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let mut query = deduction::Entity::find().filter(deduction::Column::BranchId.eq(branch.id));
    if let Some(status) = filter.status {
        query = query.filter(deduction::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = &filter.cursor {
        query = query.filter(deduction::Column::Id.gt(cursor.as_str()));
    }
    let mut rows = query
        .order_by_asc(deduction::Column::Id)
        .limit(filter.limit + 1)
        .all(db)
        .await?;
    let next_cursor = (rows.len() as u64 > filter.limit).then(|| {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| r.id.clone()).unwrap_or_default()
    });
    Ok(DeductionPage {
        items: views(db, rows).await?,
        next_cursor,
    })
}

/// The proposal of each of these feedback ids (the newest, should there be more than one).
pub(crate) async fn of_feedback(
    db: &impl ConnectionTrait,
    feedback_ids: Vec<String>,
) -> AppResult<HashMap<String, (String, DeductionStatus)>> {
    if feedback_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found = HashMap::new();
    for row in deduction::Entity::find()
        .filter(deduction::Column::FeedbackId.is_in(feedback_ids))
        .order_by_asc(deduction::Column::Id)
        .all(db)
        .await?
    {
        let status = row.status()?;
        if let Some(fid) = row.feedback_id {
            found.insert(fid, (row.id, status));
        }
    }
    Ok(found)
}

async fn reread(db: &impl ConnectionTrait, id: &str) -> AppResult<DeductionView> {
    let row = deduction::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Deduction))?;
    one_view(db, row).await
}

async fn one_view(db: &impl ConnectionTrait, row: deduction::Model) -> AppResult<DeductionView> {
    views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a deduction's view went missing")))
}

/// The rows with the names of the members and items they name, read in two queries.
async fn views(
    db: &impl ConnectionTrait,
    rows: Vec<deduction::Model>,
) -> AppResult<Vec<DeductionView>> {
    let people: BTreeSet<String> = rows
        .iter()
        .flat_map(|r| {
            [
                Some(&r.member_id),
                Some(&r.proposed_by),
                r.decided_by.as_ref(),
            ]
            .into_iter()
            .flatten()
            .cloned()
        })
        .collect();
    let names: HashMap<String, String> = if people.is_empty() {
        HashMap::new()
    } else {
        member::Entity::find()
            .filter(member::Column::Id.is_in(people))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect()
    };
    let items: BTreeSet<String> = rows.iter().map(|r| r.rule_id.clone()).collect();
    let rules: HashMap<String, String> = if items.is_empty() {
        HashMap::new()
    } else {
        point_rule::Entity::find()
            .filter(point_rule::Column::Id.is_in(items))
            .all(db)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect()
    };
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    rows.into_iter()
        .map(|r| {
            Ok(DeductionView {
                status: r.status()?,
                member_name: name(&r.member_id),
                proposed_by_name: name(&r.proposed_by),
                decided_by_name: r.decided_by.as_deref().map(name),
                rule_name: rules.get(&r.rule_id).cloned().unwrap_or_default(),
                id: r.id,
                branch_id: r.branch_id,
                member_id: r.member_id,
                rule_id: r.rule_id,
                rule_version: r.rule_version,
                points: r.points,
                reason: r.reason,
                feedback_id: r.feedback_id,
                proposed_by: r.proposed_by,
                proposed_at: r.proposed_at,
                decided_by: r.decided_by,
                decided_at: r.decided_at,
                drop_reason: r.drop_reason,
                ledger_entry_id: r.ledger_entry_id,
            })
        })
        .collect()
}
