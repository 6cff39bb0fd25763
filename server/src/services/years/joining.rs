//! A member who joins a branch while its year is open gets the base allotment the year was opened
//! with, in proportion to the days left ([`jifen_shared::domain::pro_rata`]); a year opened ahead
//! (next year, before New Year) gives them the whole allotment, as it gave everyone else.

use chrono::{DateTime, Utc};
use jifen_shared::domain::{pro_rata, CycleQuarter, LedgerKind, MemberStatus, RuleCategory};
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{cycle_year, member};
use crate::error::AppResult;
use crate::services::ledger;

/// Gives the member just added their share of every open year of their branch from the current
/// one on; call inside the transaction that adds them (see [`crate::services::orgs::add_member`]).
pub async fn on_joining(
    db: &impl ConnectionTrait,
    m: &member::Model,
    actor: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if m.status()? == MemberStatus::Transferred {
        return Ok(());
    }
    let current = CycleQuarter::of(now);
    let years = cycle_year::Entity::find()
        .filter(cycle_year::Column::BranchId.eq(m.home_branch_id.as_str()))
        .filter(cycle_year::Column::CycleYear.gte(current.year))
        .order_by_asc(cycle_year::Column::CycleYear)
        .all(db)
        .await?;
    for y in years {
        let (points, quarter, note) = if y.cycle_year == current.year {
            let share = pro_rata(y.base_points, now);
            let note = Word::YearBaseShareNote.fill(
                Lang::ZhCn,
                &[
                    ("year", &y.cycle_year),
                    ("days", &share.remaining_days),
                    ("total", &share.days_in_year),
                ],
            );
            (share.points, current, note)
        } else {
            let note = Word::YearBaseNote.fill(Lang::ZhCn, &[("year", &y.cycle_year)]);
            let first = CycleQuarter {
                year: y.cycle_year,
                quarter: 1,
            };
            (y.base_points, first, note)
        };
        if points <= 0 {
            continue;
        }
        ledger::write(
            db,
            ledger::NewEntry {
                member_id: &m.id,
                branch_id: &m.home_branch_id,
                quarter,
                kind: LedgerKind::Base,
                category: RuleCategory::Base,
                points,
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
    Ok(())
}
