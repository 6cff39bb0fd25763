//! Ledger entries as [`crate::services::ledger::write`] makes them: the row, and the
//! `ledger.entry_written` event that `jifen audit verify` recomputes the ledger from (the same
//! fields, the note as the event's reason). The caller (a branch) gives the ids' dice, its chain
//! and the batch, so this file knows nothing of branches.

use chrono::{DateTime, Utc};
use jifen_shared::domain::{CycleQuarter, LedgerKind, RuleCategory};
use serde_json::json;

use super::audit::Events;
use super::ids::Dice;
use super::rows::{Batch, Table, Val};

pub struct Entry<'a> {
    pub member_id: &'a str,
    pub quarter: CycleQuarter,
    pub kind: LedgerKind,
    pub category: RuleCategory,
    pub points: i32,
    pub deed_id: Option<&'a str>,
    /// The rule and the version the points were given under.
    pub rule: Option<(&'a str, i32)>,
    pub reverses_id: Option<&'a str>,
    pub note: &'a str,
    pub actor_id: Option<&'a str>,
    pub at: DateTime<Utc>,
}

impl Entry<'_> {
    /// Writes the entry as one of `branch_id`'s, its event in `events`; returns the entry's id.
    pub fn write(
        self,
        branch_id: &str,
        dice: &mut Dice,
        events: &mut Events,
        batch: &mut Batch,
    ) -> String {
        let id = dice.id(self.at);
        let quarter = self.quarter.quarter as i16;
        let (rule_id, rule_version) = match self.rule {
            Some((id, v)) => (Some(id), Some(v)),
            None => (None, None),
        };
        batch.row(
            Table::LedgerEntry,
            &[
                Val::Text(&id),
                Val::Text(self.member_id),
                Val::Text(branch_id),
                Val::Int(self.quarter.year.into()),
                Val::Int(quarter.into()),
                Val::Text(self.kind.as_str()),
                Val::Text(self.category.as_str()),
                Val::Int(self.points.into()),
                Val::text(self.deed_id),
                Val::text(rule_id),
                Val::text(self.reverses_id),
                Val::Text(self.note),
                Val::int(rule_version),
                Val::text(self.actor_id),
                Val::At(self.at),
            ],
        );
        events.push(
            self.at,
            self.actor_id,
            "ledger.entry_written",
            "ledger_entry",
            &id,
            None,
            Some(json!({
                "member_id": self.member_id,
                "kind": self.kind.as_str(),
                "category": self.category.as_str(),
                "points": self.points,
                "year": self.quarter.year,
                "quarter": quarter,
                "deed_id": self.deed_id,
                "rule_id": rule_id,
                "rule_version": rule_version,
                "reverses_id": self.reverses_id,
            })),
            Some(self.note).filter(|n| !n.is_empty()),
        );
        id
    }
}
