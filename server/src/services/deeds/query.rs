//! Reading deeds: a member's own list, a committee's review queue, one deed's history.

use jifen_shared::words::Word;
use std::collections::HashMap;
use uuid::Uuid;

use jifen_shared::api::{DeedHistory, DeedPage, DeedQuery, HistoryEntry};
use jifen_shared::domain::{CycleQuarter, DeedStatus};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QueryOrder, QueryResult, QuerySelect,
};

use crate::entity::stored;
use crate::entity::{audit_event, deed, deed_attestation, ledger_entry, member, point_rule};
use crate::error::{invalid, AppError, AppResult, FieldIssue, Missing};
use crate::infra::changes::Deps;
use crate::services::access::{Access, Reach};

pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Mine,
    Review,
    /// Deeds of the members attached to the migrant members' organisations whose committee the
    /// caller sits on.
    Attest,
}

/// A checked `GET /deeds` query: every field typed, ids parsed, and only the fields the scope
/// uses kept (`branch_id` and `member_id` only narrow the review queue), so that it can key the
/// read cache without letting a request choose how much memory its key takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Filter {
    pub scope: Scope,
    pub branch_id: Option<Uuid>,
    pub member_id: Option<Uuid>,
    pub status: Option<DeedStatus>,
    pub year: Option<i32>,
    pub quarter: Option<u8>,
    pub cursor: Option<Uuid>,
    pub limit: u64,
}

/// An id given in the query, parsed; a field issue naming the parameter if it is not an id.
fn query_id(field: &str, given: Option<&str>, issues: &mut Vec<FieldIssue>) -> Option<Uuid> {
    let given = given?;
    match Uuid::try_parse(given) {
        Ok(id) => Some(id),
        Err(_) => {
            issues.push(FieldIssue::worded(field, "query.invalid", Word::IdInvalid));
            None
        }
    }
}

impl TryFrom<DeedQuery> for Filter {
    type Error = AppError;

    fn try_from(q: DeedQuery) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let mut bad = |issue: FieldIssue| issues.push(issue);
        let invalid_field =
            |field: &str, word: Word| FieldIssue::worded(field, "query.invalid", word);
        let scope = match q.scope.as_deref() {
            None | Some("mine") => Scope::Mine,
            Some("review") => Scope::Review,
            Some("attest") => Scope::Attest,
            Some(_) => {
                bad(invalid_field("scope", Word::ScopeInvalid));
                Scope::Mine
            }
        };
        let status = match q.status.as_deref() {
            None => None,
            Some(s) => s
                .parse()
                .map_err(|_| bad(invalid_field("status", Word::UnknownStatus)))
                .ok(),
        };
        if let Some(y) = q.year {
            if CycleQuarter::check_year(y).is_err() {
                bad(invalid::year());
            }
        }
        if let Some(qn) = q.quarter {
            if !(1..=4).contains(&qn) {
                bad(invalid_field("quarter", Word::QuarterNumberInvalid));
            }
        }
        let cursor = match q.cursor.as_deref().map(Uuid::try_parse) {
            None => None,
            Some(Ok(c)) => Some(c),
            Some(Err(_)) => {
                bad(invalid::cursor());
                None
            }
        };
        let limit = q.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            bad(invalid::limit());
        }
        let branch_id = query_id("branch_id", q.branch_id.as_deref(), &mut issues);
        let member_id = query_id("member_id", q.member_id.as_deref(), &mut issues);
        if !issues.is_empty() {
            return Err(AppError::Validation(issues));
        }
        let review = scope == Scope::Review;
        let narrows_members = review || scope == Scope::Attest;
        Ok(Filter {
            scope,
            branch_id: branch_id.filter(|_| review),
            member_id: member_id.filter(|_| narrows_members),
            status,
            year: q.year,
            quarter: q.quarter,
            cursor,
            limit,
        })
    }
}

impl Filter {
    /// Every field spelled out, for keying cached pages; a field added later is included as well.
    pub fn key(&self) -> String {
        format!("{self:?}")
    }
}

/// A deed as listed, with the names shown beside it.
struct Listed {
    deed: deed::Model,
    member_name: Option<String>,
    rule_name: Option<String>,
    rule_category: Option<String>,
    /// Whether the deed has co-signatures, so that only those are looked up.
    attested: bool,
}

impl FromQueryResult for Listed {
    fn from_query_result(row: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        Ok(Self {
            deed: deed::Model::from_query_result(row, pre)?,
            member_name: row.try_get(pre, "member_name")?,
            rule_name: row.try_get(pre, "rule_name")?,
            rule_category: row.try_get(pre, "rule_category")?,
            attested: row.try_get::<i32>(pre, "attested")? != 0,
        })
    }
}

/// One page of deeds, newest first, with the chains it depends on for the read cache: the viewer's own deeds
/// live in their home branch (and any branch they reported in before a transfer); the review
/// queue in the branches the viewer reviews. A change in who sees what (roles, transfers) moves
/// every kept answer, so these need not cover it. The migrant organisations' attestation lists
/// span members of many branches and depend on everything.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    f: Filter,
) -> AppResult<(DeedPage, Deps)> {
    let (cond, deps) = match f.scope {
        Scope::Mine => {
            let mut chains: Vec<String> = deed::Entity::find()
                .select_only()
                .column(deed::Column::BranchId)
                .filter(deed::Column::MemberId.eq(access.id()))
                .distinct()
                .into_tuple::<String>()
                .all(db)
                .await?;
            chains.push(access.member.home_branch_id.clone());
            (
                Condition::all().add(deed::Column::MemberId.eq(access.id())),
                Deps::scopes(chains),
            )
        }
        Scope::Review => return review_queue(db, access.reach(), f).await,
        Scope::Attest => {
            let attached = crate::services::migrant::attached_members(db, access).await?;
            let cond = match f.member_id.map(|m| m.to_string()) {
                Some(m) if attached.contains(&m) => deed::Column::MemberId.eq(m),
                Some(_) => return Err(AppError::NotFound(Missing::Member)),
                None => deed::Column::MemberId.is_in(attached),
            };
            (Condition::all().add(cond), Deps::Everything)
        }
    };
    page(db, cond, f).await.map(|p| (p, deps))
}

/// The review queue of the branches `reach` reviews (all of them, or the one `f` names). Needs
/// no more of the viewer than their reach, so a kept one serves it with a single query.
pub async fn review_queue(
    db: &impl ConnectionTrait,
    reach: &Reach,
    f: Filter,
) -> AppResult<(DeedPage, Deps)> {
    let branches = reach.reviewable_branches(db).await?;
    let mut cond = Condition::all();
    match f.branch_id.map(|b| b.to_string()) {
        Some(b) if branches.contains(&b) => cond = cond.add(deed::Column::BranchId.eq(b)),
        Some(_) => return Err(AppError::NotFound(Missing::OrgUnit)),
        None => cond = cond.add(deed::Column::BranchId.is_in(branches.iter().cloned())),
    }
    if let Some(m) = f.member_id {
        cond = cond.add(deed::Column::MemberId.eq(m.to_string()));
    }
    let page = page(db, cond, f).await?;
    Ok((page, Deps::scopes(branches)))
}

/// The page of deeds that meet `cond` and `f`'s filters, newest first.
async fn page(db: &impl ConnectionTrait, mut cond: Condition, f: Filter) -> AppResult<DeedPage> {
    if let Some(s) = f.status {
        cond = cond.add(deed::Column::Status.eq(s.as_str()));
    }
    if let Some(y) = f.year {
        cond = cond.add(deed::Column::CycleYear.eq(y));
    }
    if let Some(q) = f.quarter {
        cond = cond.add(deed::Column::CycleQuarter.eq(q as i16));
    }
    if let Some(c) = f.cursor {
        cond = cond.add(deed::Column::Id.lt(c.to_string()));
    }
    // One query: the deeds with their members' names and their rules' names and categories.
    let mut rows = deed::Entity::find()
        .filter(cond)
        .join(
            JoinType::LeftJoin,
            deed::Entity::belongs_to(member::Entity)
                .from(deed::Column::MemberId)
                .to(member::Column::Id)
                .into(),
        )
        .join(
            JoinType::LeftJoin,
            deed::Entity::belongs_to(point_rule::Entity)
                .from(deed::Column::RuleId)
                .to(point_rule::Column::Id)
                .into(),
        )
        .column_as(member::Column::Name, "member_name")
        .column_as(point_rule::Column::Name, "rule_name")
        .column_as(point_rule::Column::Category, "rule_category")
        .column_as::<sea_orm::sea_query::SimpleExpr, _>(
            Expr::case(
                Expr::exists(
                    Query::select()
                        .expr(Expr::val(1))
                        .from(deed_attestation::Entity)
                        .and_where(
                            Expr::col((deed_attestation::Entity, deed_attestation::Column::DeedId))
                                .equals((deed::Entity, deed::Column::Id)),
                        )
                        .to_owned(),
                ),
                1,
            )
            .finally(0)
            .into(),
            "attested",
        )
        .order_by_desc(deed::Column::Id)
        .limit(f.limit + 1)
        .into_model::<Listed>()
        .all(db)
        .await?;
    let next_cursor = if rows.len() as u64 > f.limit {
        rows.truncate(f.limit as usize);
        rows.last().map(|l| l.deed.id.clone())
    } else {
        None
    };
    let attested: Vec<String> = rows
        .iter()
        .filter(|l| l.attested)
        .map(|l| l.deed.id.clone())
        .collect();
    let mut items: Vec<_> = rows
        .into_iter()
        .map(|l| {
            let category = stored::word(
                "point_rule",
                &l.deed.rule_id,
                "category",
                l.rule_category.as_deref().unwrap_or_default(),
            )?;
            super::view_named(
                l.deed,
                l.member_name.unwrap_or_default(),
                l.rule_name.unwrap_or_default(),
                category,
            )
        })
        .collect::<AppResult<_>>()?;
    super::attested::annotate_known(db, &mut items, attested).await?;
    Ok(DeedPage { items, next_cursor })
}

/// Everything that happened to a deed, oldest first: its own events, its ledger entries' and its
/// appeal's.
pub async fn history(
    db: &impl ConnectionTrait,
    access: &Access,
    deed_id: &str,
) -> AppResult<DeedHistory> {
    let (d, _) = super::visible(db, access, deed_id).await?;
    let entry_ids: Vec<String> = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::DeedId.eq(d.id.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    // The member's appeal of the deed and its decision belong to the deed's story too.
    let appeal_ids: Vec<String> = crate::entity::appeal::Entity::find()
        .filter(crate::entity::appeal::Column::DeedId.eq(d.id.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let events = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(d.branch_id.clone()))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(audit_event::Column::EntityType.eq("deed"))
                        .add(audit_event::Column::EntityId.eq(d.id.clone())),
                )
                .add(
                    Condition::all()
                        .add(audit_event::Column::EntityType.eq("ledger_entry"))
                        .add(audit_event::Column::EntityId.is_in(entry_ids)),
                )
                .add(
                    Condition::all()
                        .add(audit_event::Column::EntityType.eq("appeal"))
                        .add(audit_event::Column::EntityId.is_in(appeal_ids)),
                ),
        )
        .order_by_asc(audit_event::Column::Seq)
        .all(db)
        .await?;
    let actor_ids: Vec<String> = events.iter().filter_map(|e| e.actor_id.clone()).collect();
    let names: HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(actor_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let events = events
        .into_iter()
        .map(|e| {
            let after: Option<serde_json::Value> = e
                .after
                .as_deref()
                .and_then(|a| serde_json::from_str(a).ok());
            let field = |k: &str| after.as_ref().and_then(|a| a.get(k)).cloned();
            let (status, points) = if e.entity_type == "deed" {
                (
                    field("status").and_then(|s| s.as_str().and_then(|s| s.parse().ok())),
                    field("points_awarded")
                        .and_then(|p| p.as_i64())
                        .map(|p| p as i32),
                )
            } else {
                (
                    None,
                    field("points").and_then(|p| p.as_i64()).map(|p| p as i32),
                )
            };
            HistoryEntry {
                at: e.at,
                actor_name: e.actor_id.as_ref().and_then(|a| names.get(a).cloned()),
                actor_id: e.actor_id,
                action: e.action,
                status,
                reason: e.reason,
                points,
            }
        })
        .collect();
    Ok(DeedHistory {
        deed_id: d.id,
        events,
    })
}
