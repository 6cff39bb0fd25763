//! `GET /orgs/{id}/members`: the members at home in a branch, or in every branch beneath a town
//! or county, by name, a page at a time; searched by name, username or phone.

use jifen_shared::api::{MemberQuery, RosterPage};
use jifen_shared::domain::MemberStatus;
use jifen_shared::words::Word;
use sea_orm::sea_query::{Expr, Func, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::scope::{branches_beneath, managed_unit};
use super::views::roster_members;
use crate::entity::member;
use crate::error::{invalid, AppError, AppResult, FieldIssue};
use crate::infra::ids;
use crate::services::access::Access;

const DEFAULT_PAGE: u64 = 50;
const MAX_PAGE: u64 = 100;
/// Longest search text: a name, a username or a phone number.
const MAX_SEARCH_CHARS: usize = 40;

/// A checked `GET /orgs/{id}/members` query.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Lower-cased search text.
    pub search: Option<String>,
    /// None: those still taking part (active and migrant).
    pub status: Option<MemberStatus>,
    pub cursor: Option<String>,
    pub limit: u64,
}

impl TryFrom<MemberQuery> for Filter {
    type Error = AppError;

    fn try_from(q: MemberQuery) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let search =
            q.q.map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty());
        if search
            .as_deref()
            .is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS)
        {
            issues.push(FieldIssue::filled(
                "q",
                "query.invalid",
                Word::TextTooLong,
                &[("max", &MAX_SEARCH_CHARS)],
            ));
        }
        let status = match q.status.as_deref() {
            None | Some("") => None,
            Some(s) => s
                .parse::<MemberStatus>()
                .map_err(|_| {
                    issues.push(FieldIssue::worded(
                        "status",
                        "query.invalid",
                        Word::UnknownStatus,
                    ))
                })
                .ok(),
        };
        let cursor = q.cursor.filter(|c| !c.is_empty());
        if cursor.as_deref().is_some_and(|c| !ids::is_valid(c)) {
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
            search,
            status,
            cursor,
            limit,
        })
    }
}

/// `%text%` with the pattern characters of the text itself taken literally.
fn contains(text: &str) -> LikeExpr {
    let mut p = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    LikeExpr::new(p).escape('\\')
}

/// A page of members of the unit's branches, by name then id. The cursor is the last member of
/// the previous page: the next page starts after their (name, id).
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
    filter: Filter,
) -> AppResult<RosterPage> {
    let unit = managed_unit(db, access, unit_id).await?;
    let branches = branches_beneath(db, &unit).await?;
    let mut query = member::Entity::find().filter(member::Column::HomeBranchId.is_in(branches));
    query = match filter.status {
        Some(s) => query.filter(member::Column::Status.eq(s.as_str())),
        None => query.filter(member::Column::Status.ne(MemberStatus::Transferred.as_str())),
    };
    if let Some(text) = &filter.search {
        let lower = |c: member::Column| Expr::expr(Func::lower(Expr::col(c)));
        query = query.filter(
            Condition::any()
                .add(lower(member::Column::Name).like(contains(text)))
                .add(lower(member::Column::Username).like(contains(text)))
                .add(Expr::col(member::Column::Phone).like(contains(text))),
        );
    }
    if let Some(cursor) = &filter.cursor {
        let after = member::Entity::find_by_id(cursor.clone())
            .one(db)
            .await?
            .ok_or_else(|| AppError::Validation(vec![invalid::cursor()]))?;
        query = query.filter(
            Condition::any()
                .add(member::Column::Name.gt(after.name.clone()))
                .add(
                    Condition::all()
                        .add(member::Column::Name.eq(after.name))
                        .add(member::Column::Id.gt(after.id)),
                ),
        );
    }
    let mut rows = query
        .order_by_asc(member::Column::Name)
        .order_by_asc(member::Column::Id)
        .limit(filter.limit + 1)
        .all(db)
        .await?;
    let next_cursor = (rows.len() as u64 > filter.limit).then(|| {
        rows.truncate(filter.limit as usize);
        rows.last().map(|r| r.id.clone()).unwrap_or_default()
    });
    Ok(RosterPage {
        items: roster_members(db, rows).await?,
        next_cursor,
    })
}
