//! Listing appeals: the member's own, or those of the branches the caller reviews.

use jifen_shared::api::{AppealPage, AppealQuery};
use jifen_shared::domain::AppealStatus;
use jifen_shared::words::Word;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::views;
use crate::entity::appeal;
use crate::error::{invalid, AppError, AppResult, FieldIssue, Missing, Refusal};
use crate::infra::ids;
use crate::services::access::Access;

const DEFAULT_PAGE: u64 = 50;
const MAX_PAGE: u64 = 100;

/// Whose appeals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Mine,
    Review,
}

/// A checked `GET /appeals` query.
#[derive(Debug, Clone)]
pub struct Filter {
    pub scope: Scope,
    pub status: Option<AppealStatus>,
    pub branch_id: Option<String>,
    pub cursor: Option<String>,
    pub limit: u64,
}

impl TryFrom<AppealQuery> for Filter {
    type Error = AppError;

    fn try_from(q: AppealQuery) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let scope = match q.scope.as_deref() {
            None | Some("") | Some("mine") => Scope::Mine,
            Some("review") => Scope::Review,
            Some(_) => {
                issues.push(FieldIssue::worded(
                    "scope",
                    "query.invalid",
                    Word::ScopeInvalid,
                ));
                Scope::Mine
            }
        };
        let status = match q.status.as_deref() {
            None | Some("") => None,
            Some(s) => s
                .parse::<AppealStatus>()
                .map_err(|_| {
                    issues.push(FieldIssue::worded(
                        "status",
                        "query.invalid",
                        Word::UnknownStatus,
                    ))
                })
                .ok(),
        };
        let branch_id = q.branch_id.filter(|b| !b.is_empty());
        if branch_id.as_deref().is_some_and(|b| !ids::is_valid(b)) {
            issues.push(FieldIssue::worded(
                "branch_id",
                "query.invalid",
                Word::IdInvalid,
            ));
        }
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
        Ok(Filter {
            scope,
            status,
            branch_id,
            cursor: q.cursor,
            limit,
        })
    }
}

/// A page of appeals, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    filter: Filter,
) -> AppResult<AppealPage> {
    let mut query = appeal::Entity::find();
    match filter.scope {
        Scope::Mine => query = query.filter(appeal::Column::MemberId.eq(access.id())),
        Scope::Review => {
            let branches = access.reviewable_branches(db).await?;
            if branches.is_empty() {
                return Err(AppError::Forbidden(Refusal::Role));
            }
            query = match &filter.branch_id {
                Some(b) if branches.contains(b) => query.filter(appeal::Column::BranchId.eq(b)),
                Some(_) => return Err(AppError::NotFound(Missing::OrgUnit)),
                None => query.filter(appeal::Column::BranchId.is_in(branches)),
            };
        }
    }
    if let Some(status) = filter.status {
        query = query.filter(appeal::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = &filter.cursor {
        query = query.filter(appeal::Column::Id.lt(cursor.as_str()));
    }
    let mut rows = query
        .order_by_desc(appeal::Column::Id)
        .limit(filter.limit + 1)
        .all(db)
        .await?;
    let next_cursor = (rows.len() as u64 > filter.limit).then(|| {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| r.id.clone()).unwrap_or_default()
    });
    Ok(AppealPage {
        items: views(db, access, rows).await?,
        next_cursor,
    })
}
