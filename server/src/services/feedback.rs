//! The masses' feedback on a posted board (接受群众监督): anyone may write, without an account, about
//! the quarter or about one member on it; the branch's committee reads it and either turns it into
//! a deduction (群众反映 → 违规扣分) or dismisses it, with a reason either way.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use jifen_shared::api::{
    AcceptFeedbackRequest, BulkDismissRequest, BulkDismissed, FeedbackCounts, FeedbackPage,
    FeedbackQuery, FeedbackRequest, FeedbackView,
};
use jifen_shared::domain::{
    CycleQuarter, FeedbackBody, FeedbackContact, FeedbackStatus, LedgerKind, Points, Reason,
    RuleCategory,
};
use jifen_shared::words::Word;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::entity::{feedback, member, point_rule};
use crate::error::{invalid, AppError, AppResult, FieldIssue, Missing, Refusal, Throttle};
use crate::infra::config::Secret;
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{visible_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::ledger::{self, NewEntry};

/// Feedback kept waiting per branch and quarter, from all senders together: a safety net far
/// above anything genuine, so that even many senders cannot fill the database.
pub const MAX_WAITING: u64 = 100_000;
/// Feedback one sender (one client address) may keep waiting on a quarter. More is refused until
/// the committee has decided some: one person cannot drown the others, and what they sent stays
/// reachable for the committee.
pub const MAX_WAITING_PER_SENDER: u64 = 20;
/// What the refusal tells the sender to wait: the committee decides in hours or days, not seconds.
pub const SENDER_RETRY_SECS: u64 = 3600;
/// Feedback the committee may set aside in one request.
pub const MAX_BULK: usize = 500;
/// The committee's page size: default and largest.
pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 100;
/// Hex characters of the sender's hash shown to the committee as a tag.
const SENDER_TAG: usize = 12;

type HmacSha256 = Hmac<Sha256>;

/// The key senders' addresses are hashed with, so that the database holds no address and a
/// stolen copy of it cannot be matched against addresses without the server's key. Derived from
/// the server's signing secret, so every instance of one deployment hashes alike.
#[derive(Clone)]
pub struct ClientKey(Vec<u8>);

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientKey(***)")
    }
}

impl ClientKey {
    pub fn new(secret: &Secret) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"jifen.feedback.sender.v1");
        Self(mac.finalize().into_bytes().to_vec())
    }

    /// Hex HMAC of the address. An IPv6 client usually holds a whole /64, so only that prefix
    /// counts: a sender cannot become many senders by changing the address's last half.
    pub fn hash(&self, addr: IpAddr) -> String {
        let counted = match addr {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        };
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(counted.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// Hex SHA-256 of a text, for the audit history: it proves what was received without keeping
/// the text there for ever.
fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Feedback as the masses wrote it, checked.
#[derive(Debug, Clone)]
pub struct NewFeedback {
    pub quarter: CycleQuarter,
    /// Checked against the posted board when it is received.
    pub about_member_id: Option<String>,
    pub body: FeedbackBody,
    pub contact: Option<FeedbackContact>,
}

impl TryFrom<&FeedbackRequest> for NewFeedback {
    type Error = AppError;

    fn try_from(raw: &FeedbackRequest) -> Result<Self, AppError> {
        let quarter = CycleQuarter::parse(raw.year, raw.quarter)
            .map_err(|_| AppError::Validation(vec![invalid::quarter()]))?;
        let mut issues = Vec::new();
        let body = FeedbackBody::parse(&raw.body)
            .map_err(|e| issues.push(FieldIssue::explained("body", &e)))
            .ok();
        let contact = match raw
            .contact
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => FeedbackContact::parse(c)
                .map_err(|e| issues.push(FieldIssue::explained("contact", &e)))
                .ok(),
            None => None,
        };
        match body {
            Some(body) if issues.is_empty() => Ok(NewFeedback {
                quarter,
                about_member_id: raw.about_member_id.clone(),
                body,
                contact,
            }),
            _ => Err(AppError::Validation(issues)),
        }
    }
}

/// Records feedback on a posted quarter of the branch with public code `code`, from the sender
/// whose address hashes to `sender` (see [`ClientKey`]). Everything that can refuse it is read
/// before the write lock is taken, so that junk never queues in front of real work; the counts
/// are checked again under the lock.
pub async fn receive(
    db: &Db,
    now: DateTime<Utc>,
    code: &str,
    feedback: NewFeedback,
    sender: &str,
) -> AppResult<FeedbackView> {
    let NewFeedback {
        quarter,
        about_member_id,
        body,
        contact,
    } = feedback;
    let conn = db.conn();
    let (branch, _) = crate::services::quarters::posted(conn, code, Some(quarter)).await?;
    let about = match about_member_id.as_deref() {
        Some(id) => {
            let found = if ids::is_valid(id) {
                member::Entity::find_by_id(id.to_owned())
                    .one(conn)
                    .await?
                    .filter(|m| m.home_branch_id == branch.id)
            } else {
                None
            };
            if found.is_none() {
                return Err(AppError::Validation(vec![FieldIssue::worded(
                    "about_member_id",
                    "feedback.unknown_member",
                    Word::FeedbackUnknownMember,
                )]));
            }
            found
        }
        None => None,
    };
    check_waiting(conn, &branch.id, quarter, sender).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    check_waiting(&*txn, &branch.id, quarter, sender).await?;
    let row = feedback::Model {
        id: ids::new(),
        branch_id: branch.id.clone(),
        cycle_year: quarter.year,
        cycle_quarter: quarter.quarter as i16,
        about_member_id: about.as_ref().map(|m| m.id.clone()),
        body: body.into_inner(),
        contact: contact.map(FeedbackContact::into_inner),
        status: FeedbackStatus::Received.as_str().into(),
        created_at: now,
        decided_by: None,
        decided_at: None,
        decision_reason: None,
        ledger_entry_id: None,
        client_hash: Some(sender.to_owned()),
    };
    feedback::Entity::insert(feedback::ActiveModel {
        id: Set(row.id.clone()),
        branch_id: Set(row.branch_id.clone()),
        cycle_year: Set(row.cycle_year),
        cycle_quarter: Set(row.cycle_quarter),
        about_member_id: Set(row.about_member_id.clone()),
        body: Set(row.body.clone()),
        contact: Set(row.contact.clone()),
        status: Set(row.status.clone()),
        created_at: Set(row.created_at),
        client_hash: Set(row.client_hash.clone()),
        ..Default::default()
    })
    .exec(&*txn)
    .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: None,
            action: "feedback.received",
            entity_type: "feedback",
            entity_id: &row.id,
            before: None,
            after: Some(json!({
                "year": row.cycle_year,
                "quarter": row.cycle_quarter,
                "about_member_id": row.about_member_id,
                // The text stays in its table; the history keeps only proof of it.
                "body_sha256": sha256(&row.body),
                "contact_sha256": row.contact.as_deref().map(sha256),
            })),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    view(row, about.map(|m| m.name), false)
}

/// Refuses feedback when its sender already has [`MAX_WAITING_PER_SENDER`] waiting on the
/// quarter, or the quarter [`MAX_WAITING`] from everyone.
async fn check_waiting(
    db: &impl ConnectionTrait,
    branch_id: &str,
    quarter: CycleQuarter,
    sender: &str,
) -> AppResult<()> {
    let waiting = || {
        feedback::Entity::find()
            .filter(feedback::Column::BranchId.eq(branch_id))
            .filter(feedback::Column::CycleYear.eq(quarter.year))
            .filter(feedback::Column::CycleQuarter.eq(quarter.quarter as i16))
            .filter(feedback::Column::Status.eq(FeedbackStatus::Received.as_str()))
    };
    let from_sender = waiting()
        .filter(feedback::Column::ClientHash.eq(sender))
        .count(db)
        .await?;
    if from_sender >= MAX_WAITING_PER_SENDER {
        return Err(AppError::TooMany {
            limit: Throttle::Feedback,
            retry_after_secs: SENDER_RETRY_SECS,
        });
    }
    if waiting().count(db).await? >= MAX_WAITING {
        return Err(AppError::FeedbackFull);
    }
    Ok(())
}

/// A checked query of the committee's list.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub status: Option<FeedbackStatus>,
    pub cursor: Option<String>,
    pub limit: u64,
}

impl TryFrom<FeedbackQuery> for ListFilter {
    type Error = AppError;

    fn try_from(q: FeedbackQuery) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let status = match q.status.as_deref() {
            None | Some("") => None,
            Some(s) => s
                .parse::<FeedbackStatus>()
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

/// The feedback on a branch's quarter for those who review the branch: a page at a time, oldest
/// first (so the earliest waiting feedback is always on the first page of the waiting), with the
/// quarter's counts per status.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
    filter: ListFilter,
) -> AppResult<FeedbackPage> {
    let branch = visible_branch(db, access, branch_id).await?;
    if !access.can_review(db, &branch.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let of_quarter = Condition::all()
        .add(feedback::Column::BranchId.eq(branch.id.as_str()))
        .add(feedback::Column::CycleYear.eq(quarter.year))
        .add(feedback::Column::CycleQuarter.eq(quarter.quarter as i16));
    let mut query = feedback::Entity::find().filter(of_quarter.clone());
    if let Some(status) = filter.status {
        query = query.filter(feedback::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = &filter.cursor {
        query = query.filter(feedback::Column::Id.gt(cursor.as_str()));
    }
    let mut rows = query
        .order_by_asc(feedback::Column::Id)
        .limit(filter.limit + 1)
        .all(db)
        .await?;
    let next_cursor = (rows.len() as u64 > filter.limit).then(|| {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| r.id.clone()).unwrap_or_default()
    });
    let counted: Vec<(String, i64)> = feedback::Entity::find()
        .select_only()
        .column(feedback::Column::Status)
        .column_as(Expr::col(feedback::Column::Id).count(), "n")
        .filter(of_quarter)
        .group_by(feedback::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = FeedbackCounts {
        received: 0,
        accepted: 0,
        dismissed: 0,
    };
    for (status, n) in counted {
        let n = n.max(0) as u64;
        match crate::entity::stored::word("feedback", "-", "status", &status)? {
            FeedbackStatus::Received => counts.received = n,
            FeedbackStatus::Accepted => counts.accepted = n,
            FeedbackStatus::Dismissed => counts.dismissed = n,
        }
    }
    let about: Vec<String> = rows
        .iter()
        .filter_map(|f| f.about_member_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: HashMap<String, String> = if about.is_empty() {
        HashMap::new()
    } else {
        member::Entity::find()
            .filter(member::Column::Id.is_in(about))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect()
    };
    let items = rows
        .into_iter()
        .map(|f| {
            let name = f
                .about_member_id
                .as_ref()
                .and_then(|id| names.get(id).cloned());
            view(f, name, true)
        })
        .collect::<AppResult<_>>()?;
    Ok(FeedbackPage {
        items,
        next_cursor,
        counts,
    })
}

/// Sets many waiting pieces of feedback of one quarter aside with one reason, in one transaction
/// and one audit event (which lists them). Feedback decided already is left as it is and named
/// in the answer; an id that is not feedback of this quarter refuses the whole request.
pub async fn dismiss_many(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    quarter: CycleQuarter,
    req: BulkDismissRequest,
) -> AppResult<BulkDismissed> {
    let conn = db.conn();
    let branch = visible_branch(conn, access, branch_id).await?;
    if !access.can_review(conn, &branch.id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    let mut issues = Vec::new();
    let wanted: BTreeSet<String> = req.ids.iter().cloned().collect();
    if wanted.is_empty() || wanted.len() > MAX_BULK {
        issues.push(FieldIssue::filled(
            "ids",
            "feedback.bulk_size",
            Word::FeedbackBulkSize,
            &[("max", &MAX_BULK)],
        ));
    }
    let reason = Reason::parse(&req.reason)
        .map_err(|e| issues.push(FieldIssue::explained("reason", &e)))
        .ok();
    let (Some(reason), true) = (reason, issues.is_empty()) else {
        return Err(AppError::Validation(issues));
    };
    let of_quarter = || {
        feedback::Entity::find()
            .filter(feedback::Column::BranchId.eq(branch.id.as_str()))
            .filter(feedback::Column::CycleYear.eq(quarter.year))
            .filter(feedback::Column::CycleQuarter.eq(quarter.quarter as i16))
    };
    let valid: Vec<String> = wanted
        .iter()
        .filter(|id| ids::is_valid(id))
        .cloned()
        .collect();
    let found = of_quarter()
        .filter(feedback::Column::Id.is_in(valid.clone()))
        .count(conn)
        .await?;
    if valid.len() != wanted.len() || found != wanted.len() as u64 {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "ids",
            "feedback.unknown",
            Word::FeedbackNotOfThisQuarter,
        )]));
    }

    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let rows = of_quarter()
        .filter(feedback::Column::Id.is_in(valid))
        .order_by_asc(feedback::Column::Id)
        .all(&*txn)
        .await?;
    let mut dismissed = Vec::new();
    let mut already_decided = Vec::new();
    for row in rows {
        if row.status()? == FeedbackStatus::Received {
            dismissed.push(row.id);
        } else {
            already_decided.push(row.id);
        }
    }
    if !dismissed.is_empty() {
        feedback::Entity::update_many()
            .col_expr(
                feedback::Column::Status,
                Expr::value(FeedbackStatus::Dismissed.as_str()),
            )
            .col_expr(feedback::Column::DecidedBy, Expr::value(access.id()))
            .col_expr(feedback::Column::DecidedAt, Expr::value(now))
            .col_expr(
                feedback::Column::DecisionReason,
                Expr::value(reason.as_str()),
            )
            .filter(feedback::Column::Id.is_in(dismissed.clone()))
            .filter(feedback::Column::Status.eq(FeedbackStatus::Received.as_str()))
            .exec(&*txn)
            .await?;
        let batch = ids::new();
        audit::record(
            &*txn,
            Event {
                chain_id: &branch.id,
                actor_id: Some(access.id()),
                action: "feedback.dismissed_many",
                entity_type: "feedback",
                entity_id: &batch,
                before: Some(json!({ "status": FeedbackStatus::Received.as_str() })),
                after: Some(json!({
                    "status": FeedbackStatus::Dismissed.as_str(),
                    "year": quarter.year,
                    "quarter": quarter.quarter,
                    "ids": dismissed,
                })),
                reason: Some(reason.as_str()),
            },
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(BulkDismissed {
        dismissed,
        already_decided,
    })
}

fn view(
    f: feedback::Model,
    about_member_name: Option<String>,
    committee: bool,
) -> AppResult<FeedbackView> {
    let status = f.status()?;
    Ok(FeedbackView {
        id: f.id,
        year: f.cycle_year,
        quarter: f.cycle_quarter as u8,
        about_member_id: f.about_member_id,
        about_member_name,
        body: f.body,
        contact: if committee { f.contact } else { None },
        status,
        created_at: f.created_at,
        decided_at: f.decided_at.filter(|_| committee),
        decision_reason: f.decision_reason.filter(|_| committee),
        ledger_entry_id: f.ledger_entry_id.filter(|_| committee),
        sender: f
            .client_hash
            .filter(|_| committee)
            .map(|h| h.chars().take(SENDER_TAG).collect()),
    })
}

/// What the committee decides about one piece of feedback.
pub enum Decision {
    /// A deduction for the member it is about (or `member_id` when it names nobody).
    Accept(AcceptFeedbackRequest),
    Dismiss(String),
}

/// Accepts feedback as a deduction or dismisses it. The deduction goes into the quarter the
/// feedback concerns unless that one is signed (it usually is: feedback comes from the posted
/// board), then into the quarter open now; the member is told in their inbox.
pub async fn decide(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    feedback_id: &str,
    decision: Decision,
) -> AppResult<FeedbackView> {
    let conn = db.conn();
    let not_found = || AppError::NotFound(Missing::Feedback);
    if !ids::is_valid(feedback_id) {
        return Err(not_found());
    }
    let found = feedback::Entity::find_by_id(feedback_id.to_owned())
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    visible_branch(conn, access, &found.branch_id)
        .await
        .map_err(|_| not_found())?;
    if !access.can_review(conn, &found.branch_id).await? {
        return Err(AppError::Forbidden(Refusal::Role));
    }
    // Checked before anything is written: the reason, and for a deduction, who, which item, how much.
    let reason = match &decision {
        Decision::Accept(req) => &req.reason,
        Decision::Dismiss(reason) => reason,
    };
    let reason = Reason::parse(reason).map_err(|e| AppError::field("reason", &e))?;
    let deduction = match &decision {
        Decision::Dismiss(_) => None,
        Decision::Accept(req) => Some(deduction_of(conn, &found, req).await?),
    };
    if let Some((m, _, _)) = &deduction {
        if m.id == access.id() {
            return Err(AppError::Forbidden(Refusal::SelfReview));
        }
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    let before = feedback::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .ok_or_else(not_found)?;
    if before.status()? != FeedbackStatus::Received {
        return Err(AppError::FeedbackDecided);
    }
    let mut after = before.clone();
    after.decided_by = Some(access.id().to_owned());
    after.decided_at = Some(now);
    after.decision_reason = Some(reason.as_str().to_owned());
    if let Some((m, rule, points)) = &deduction {
        let concerns = CycleQuarter {
            year: before.cycle_year,
            quarter: before.cycle_quarter as u8,
        };
        let quarter = ledger::open_quarter_for(&*txn, &before.branch_id, concerns, now).await?;
        ledger::check_caps(&*txn, rule, &m.id, quarter, *points).await?;
        let entry = ledger::write(
            &*txn,
            NewEntry {
                member_id: &m.id,
                branch_id: &before.branch_id,
                quarter,
                kind: LedgerKind::Deduction,
                category: RuleCategory::Deduction,
                points: *points,
                deed_id: None,
                rule_id: Some(&rule.id),
                reverses_id: None,
                note: reason.as_str(),
                actor_id: Some(access.id()),
            },
            now,
        )
        .await?;
        crate::services::notify::deducted(&*txn, &m.id, &rule.name, *points, reason.as_str(), now)
            .await?;
        after.status = FeedbackStatus::Accepted.as_str().into();
        after.about_member_id = Some(m.id.clone());
        after.ledger_entry_id = Some(entry.id);
    } else {
        after.status = FeedbackStatus::Dismissed.as_str().into();
    }
    let mut active: feedback::ActiveModel = before.clone().into();
    active.status = Set(after.status.clone());
    active.about_member_id = Set(after.about_member_id.clone());
    active.decided_by = Set(after.decided_by.clone());
    active.decided_at = Set(after.decided_at);
    active.decision_reason = Set(after.decision_reason.clone());
    active.ledger_entry_id = Set(after.ledger_entry_id.clone());
    let after = sea_orm::ActiveModelTrait::update(active, &*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &after.branch_id,
            actor_id: Some(access.id()),
            action: if deduction.is_some() {
                "feedback.accepted"
            } else {
                "feedback.dismissed"
            },
            entity_type: "feedback",
            entity_id: &after.id,
            before: Some(
                json!({"status": before.status, "about_member_id": before.about_member_id}),
            ),
            after: Some(json!({
                "status": after.status,
                "about_member_id": after.about_member_id,
                "ledger_entry_id": after.ledger_entry_id,
            })),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    let name = deduction
        .map(|(m, _, _)| m.name)
        .or(match &after.about_member_id {
            Some(id) => member::Entity::find_by_id(id.clone())
                .one(conn)
                .await?
                .map(|m| m.name),
            None => None,
        });
    view(after, name, true)
}

/// The member, deduction item and points an acceptance names, each checked against the branch.
async fn deduction_of(
    db: &impl ConnectionTrait,
    found: &feedback::Model,
    req: &AcceptFeedbackRequest,
) -> AppResult<(member::Model, point_rule::Model, i32)> {
    let mut issues = Vec::new();
    // `member_id` chooses the member only for feedback that names nobody: feedback about one
    // member cannot be turned into a deduction for another.
    if let (Some(named), Some(asked)) = (&found.about_member_id, &req.member_id) {
        if named != asked {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "member_id",
                "feedback.member_named",
                Word::FeedbackNamesItsMember,
            )]));
        }
    }
    let member_id = found
        .about_member_id
        .as_deref()
        .or(req.member_id.as_deref());
    let member = match member_id.filter(|id| ids::is_valid(id)) {
        Some(id) => member::Entity::find_by_id(id.to_owned())
            .one(db)
            .await?
            .filter(|m| m.home_branch_id == found.branch_id),
        None => None,
    };
    if member.is_none() {
        issues.push(FieldIssue::worded(
            "member_id",
            "member.unknown",
            Word::ChooseAMemberOfThisBranch,
        ));
    }
    let rule = if ids::is_valid(&req.rule_id) {
        point_rule::Entity::find_by_id(req.rule_id.clone())
            .one(db)
            .await?
            .filter(|r| r.branch_id == found.branch_id && r.active)
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
    let points = match (&rule, req.points) {
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
    match (member, rule, points) {
        (Some(m), Some(r), Some(p)) if issues.is_empty() => Ok((m, r, p)),
        _ => Err(AppError::Validation(issues)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(secret: &str) -> ClientKey {
        ClientKey::new(&Secret::new(secret))
    }

    #[test]
    fn a_sender_is_a_keyed_hash_of_the_address_and_an_ipv6_client_is_its_slash_64() {
        let k = key("one-server-secret-one-server-secret");
        let a = |s: &str| s.parse::<IpAddr>().unwrap();
        let v4 = k.hash(a("203.0.113.7"));
        assert_eq!(v4.len(), 64);
        assert!(!v4.contains("203"), "no address in the hash");
        assert_eq!(
            v4,
            k.hash(a("::ffff:203.0.113.7")),
            "a mapped address is the same"
        );
        assert_ne!(v4, k.hash(a("203.0.113.8")));
        assert_eq!(
            k.hash(a("2001:db8:1:2::1")),
            k.hash(a("2001:db8:1:2:ffff::9")),
            "one /64, one sender"
        );
        assert_ne!(k.hash(a("2001:db8:1:2::1")), k.hash(a("2001:db8:1:3::1")));
        assert_ne!(
            v4,
            key("another-server-secret-another-secret").hash(a("203.0.113.7")),
            "without the key the hash cannot be matched to an address"
        );
    }
}
