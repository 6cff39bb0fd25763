//! What the committee reads: the branch's proposals, a page at a time, with the names they
//! concern.

use std::collections::{BTreeSet, HashMap};

use jifen_shared::api::{DeductionPage, DeductionQuery, DeductionView};
use jifen_shared::domain::DeductionStatus;
use jifen_shared::words::Word;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{deduction, member, point_rule};
use crate::error::{invalid, AppError, AppResult, FieldIssue, Missing};
use crate::infra::ids;
use crate::services::access::{reviewed_branch, Access};

/// The list's page size: default and largest.
pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 100;

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
    let branch = reviewed_branch(db, access, branch_id).await?;
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

pub(super) async fn reread(db: &impl ConnectionTrait, id: &str) -> AppResult<DeductionView> {
    let row = deduction::Entity::find_by_id(id.to_owned())
        .one(db)
        .await?
        .ok_or(AppError::NotFound(Missing::Deduction))?;
    one_view(db, row).await
}

pub(super) async fn one_view(
    db: &impl ConnectionTrait,
    row: deduction::Model,
) -> AppResult<DeductionView> {
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
