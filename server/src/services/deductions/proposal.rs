//! A proposal's parts checked against the branch, and the proposal written with its audit event:
//! what proposing a deduction and accepting the masses' feedback as one share.

use chrono::{DateTime, Utc};
use jifen_shared::domain::{DeductionStatus, Points, RuleCategory};
use jifen_shared::words::Word;
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};
use serde_json::json;

use crate::entity::{deduction, point_rule};
use crate::error::{AppResult, FieldIssue};
use crate::infra::ids;
use crate::services::audit::{self, Event};

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
