//! Opening a branch's points year: the year is recorded and each member taking part gets the
//! branch's base allotment, all in one write transaction and audited in the branch's chain.

use chrono::{DateTime, Utc};
use jifen_shared::api::YearView;
use jifen_shared::domain::{CycleQuarter, LedgerKind, RuleCategory};
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use sea_orm::{ConnectionTrait, EntityTrait, SqlErr};
use serde_json::json;

use super::{check_year, openable, opened, view};
use crate::entity::{cycle_year, org_unit};
use crate::error::{AppError, AppResult, FieldIssue};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{managed_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::orgs::taking_part;
use crate::services::{ledger, settings};

/// The secretary (or an administrator above the branch) opens `year`: the current year, or the
/// next one ahead of New Year. A year opened already answers 409, however it was opened.
pub async fn open(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    year: i32,
) -> AppResult<YearView> {
    let branch = managed_branch(db.conn(), access, branch_id).await?;
    let year = check_year(year)?;
    if !openable(year, now) {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "year",
            "year.not_openable",
            Word::YearNotOpenable,
        )]));
    }
    let txn = db.begin_write().await?;
    open_in(&*txn, &branch, year, Some(access.id()), now).await?;
    txn.commit().await?;
    view(db.conn(), now, access, &branch, year).await
}

/// Records `year` as open for `branch` and gives the allotment; call inside a write transaction
/// and commit it after. `actor` is none when the year opens on its own after New Year.
pub(crate) async fn open_in(
    txn: &impl ConnectionTrait,
    branch: &org_unit::Model,
    year: i32,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<cycle_year::Model> {
    audit::lock_chain(txn, &branch.id).await?;
    let already = || AppError::YearAlreadyOpen { year };
    if opened(txn, &branch.id, year).await?.is_some() {
        return Err(already());
    }
    let base = settings::of(txn, &branch.id).await?.base_points_per_year;
    let members = taking_part(txn, &branch.id).await?;
    let row = cycle_year::Model {
        id: ids::new(),
        branch_id: branch.id.clone(),
        cycle_year: year,
        base_points: base,
        members_given: if base > 0 { members.len() as i32 } else { 0 },
        opened_at: now,
        opened_by: actor.map(str::to_owned),
    };
    // The unique key on (branch_id, cycle_year) settles a race the check above did not see (two
    // PostgreSQL transactions that both read before either wrote).
    if let Err(e) = cycle_year::Entity::insert(cycle_year::ActiveModel::from(row.clone()))
        .exec(txn)
        .await
    {
        return Err(match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => already(),
            _ => e.into(),
        });
    }
    audit::record(
        txn,
        Event {
            chain_id: &branch.id,
            actor_id: actor,
            action: "year.opened",
            entity_type: "cycle_year",
            entity_id: &row.id,
            before: None,
            after: Some(json!({
                "year": year,
                "base_points": base,
                "members_given": row.members_given,
                "automatic": actor.is_none(),
            })),
            reason: None,
        },
        now,
    )
    .await?;
    if base > 0 {
        // The allotment belongs to the first quarter, unless the secretary has signed that
        // quarter already (a year opened late): then it goes into the quarter open now.
        let quarter =
            ledger::open_quarter_for(txn, &branch.id, CycleQuarter { year, quarter: 1 }, now)
                .await?;
        // Stored words are written in the branch's language, as the reasons people type are.
        let note = Word::YearBaseNote.fill(Lang::ZhCn, &[("year", &year)]);
        for m in &members {
            ledger::write(
                txn,
                ledger::NewEntry {
                    member_id: &m.id,
                    branch_id: &branch.id,
                    quarter,
                    kind: LedgerKind::Base,
                    category: RuleCategory::Base,
                    points: base,
                    deed_id: None,
                    rule_id: None,
                    reverses_id: None,
                    rule_version: None,
                    note: &note,
                    actor_id: actor,
                },
                now,
            )
            .await?;
        }
    }
    Ok(row)
}
