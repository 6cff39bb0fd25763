//! The points ledger of a unit: every entry written in the branches at or below it (a branch, a
//! town's branches, a county's towns and their branches, migrant organisations included), for a
//! cycle year or one quarter of it, in the order written. Read by keyset pages on the entry's id
//! (UUIDv7, growing in write order): JSON a page at a time, files page after page.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jifen_shared::api::{LedgerCause, UnitLedgerEntry, UnitLedgerPage, UnitLedgerQuery};
use jifen_shared::domain::{LedgerKind, RuleCategory};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, Value};

use crate::entity::stored::word;
use crate::error::{invalid, AppError, AppResult};
use crate::infra::db::placeholder;
use crate::infra::ids;
use crate::services::access::{overseen_unit, Access};
use crate::services::orgs::tree::MAX_DEPTH;
pub use crate::services::stats::Period;

pub const DEFAULT_PAGE: u64 = 50;
pub const MAX_PAGE: u64 = 100;

/// A checked page request of the JSON ledger.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub period: Period,
    pub cursor: Option<String>,
    pub limit: u64,
}

impl PageRequest {
    pub fn parse(q: &UnitLedgerQuery, now: DateTime<Utc>) -> AppResult<Self> {
        let period = Period::asked(q.year, q.quarter, now)?;
        let mut issues = Vec::new();
        let cursor = q.cursor.clone().filter(|c| !c.is_empty());
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
        Ok(Self {
            period,
            cursor,
            limit,
        })
    }
}

/// What the caller may read: the unit (checked once) and the period.
#[derive(Debug, Clone)]
pub struct Scope {
    pub unit_id: Arc<str>,
    pub period: Period,
}

/// The unit's ledger, if the caller oversees it (its committee or secretary for a branch, an
/// administrator or committee above for everything below); 403 for a plain member of the
/// branch, 404 for anyone else.
pub async fn scope(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
    period: Period,
) -> AppResult<Scope> {
    let unit = overseen_unit(db, access, unit_id).await?;
    Ok(Scope {
        unit_id: unit.id.into(),
        period,
    })
}

/// One page of the JSON ledger.
pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    unit_id: &str,
    request: PageRequest,
) -> AppResult<UnitLedgerPage> {
    let scope = scope(db, access, unit_id, request.period).await?;
    let mut items = page(db, &scope, request.cursor.as_deref(), request.limit + 1).await?;
    let next_cursor = (items.len() as u64 > request.limit).then(|| {
        items.truncate(request.limit as usize);
        items.last().map(|e| e.id.clone()).unwrap_or_default()
    });
    Ok(UnitLedgerPage {
        year: request.period.year(),
        quarter: request.period.quarter(),
        items,
        next_cursor,
    })
}

#[derive(Debug, FromQueryResult)]
struct EntryRow {
    id: String,
    created_at: DateTime<Utc>,
    cycle_year: i32,
    cycle_quarter: i16,
    branch_id: String,
    branch_name: String,
    member_id: String,
    member_name: String,
    kind: String,
    category: String,
    rule_id: Option<String>,
    version_name: Option<String>,
    rule_name: Option<String>,
    rule_version: Option<i32>,
    points: i32,
    deed_id: Option<String>,
    reverses_id: Option<String>,
    note: String,
}

impl EntryRow {
    fn view(self) -> AppResult<UnitLedgerEntry> {
        let kind: LedgerKind = word("ledger_entry", &self.id, "kind", &self.kind)?;
        let category: RuleCategory = word("ledger_entry", &self.id, "category", &self.category)?;
        let cause = if self.reverses_id.is_some() {
            LedgerCause::Reversal
        } else if self.deed_id.is_some() {
            LedgerCause::Deed
        } else if self.rule_id.is_some() {
            LedgerCause::Decision
        } else {
            LedgerCause::Allotment
        };
        Ok(UnitLedgerEntry {
            id: self.id,
            created_at: self.created_at,
            year: self.cycle_year,
            quarter: self.cycle_quarter as u8,
            branch_id: self.branch_id,
            branch_name: self.branch_name,
            member_id: self.member_id,
            member_name: self.member_name,
            kind,
            category,
            rule_id: self.rule_id,
            // The name the item had in the entry's version; the current name for entries
            // written before versions were kept.
            rule_name: self.version_name.or(self.rule_name),
            rule_version: self.rule_version,
            points: self.points,
            cause,
            deed_id: self.deed_id,
            reverses_id: self.reverses_id,
            reason: self.note,
        })
    }
}

/// Up to `limit` entries of the scope written after `after` (an entry id), in write order.
///
/// The units below are found by a recursive common table expression in the same statement
/// (SQLite and PostgreSQL both run it), so a county of thousands of branches costs one query per
/// page and no list of ids in memory or in bound parameters.
pub async fn page(
    db: &impl ConnectionTrait,
    scope: &Scope,
    after: Option<&str>,
    limit: u64,
) -> AppResult<Vec<UnitLedgerEntry>> {
    let backend = db.get_database_backend();
    let mut values: Vec<Value> = Vec::new();
    let mut bind = |v: Value| {
        values.push(v);
        placeholder(backend, values.len())
    };
    let unit = bind(scope.unit_id.as_ref().into());
    let year = bind(scope.period.year().into());
    let quarter = scope
        .period
        .quarter()
        .map(|q| format!(" AND e.cycle_quarter = {}", bind(i16::from(q).into())))
        .unwrap_or_default();
    let after = after
        .map(|id| format!(" AND e.id > {}", bind(id.into())))
        .unwrap_or_default();
    let limit = bind((limit as i64).into());
    let sql = format!(
        "WITH RECURSIVE below(id, depth) AS ( \
           SELECT id, 0 FROM org_unit WHERE id = {unit} \
           UNION ALL \
           SELECT o.id, below.depth + 1 FROM org_unit o \
             JOIN below ON o.parent_id = below.id WHERE below.depth < {MAX_DEPTH} \
         ) \
         SELECT e.id, e.created_at, e.cycle_year, e.cycle_quarter, e.branch_id, \
           b.name AS branch_name, e.member_id, m.name AS member_name, e.kind, e.category, \
           e.rule_id, v.name AS version_name, r.name AS rule_name, e.rule_version, e.points, \
           e.deed_id, e.reverses_id, e.note \
         FROM ledger_entry e \
           JOIN org_unit b ON b.id = e.branch_id \
           JOIN member m ON m.id = e.member_id \
           LEFT JOIN point_rule_version v ON v.rule_id = e.rule_id AND v.version = e.rule_version \
           LEFT JOIN point_rule r ON r.id = e.rule_id \
         WHERE e.branch_id IN (SELECT id FROM below) AND e.cycle_year = {year}{quarter}{after} \
         ORDER BY e.id \
         LIMIT {limit}"
    );
    EntryRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values))
        .all(db)
        .await?
        .into_iter()
        .map(EntryRow::view)
        .collect()
}
