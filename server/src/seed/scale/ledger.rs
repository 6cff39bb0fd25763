//! Ledger entries as [`crate::services::ledger::write`] makes them: the row, and the
//! `ledger.entry_written` event that `jifen audit verify` recomputes the ledger from (the same
//! fields, the note as the event's reason).

use chrono::{DateTime, Utc};
use jifen_shared::domain::{CycleQuarter, LedgerKind, RuleCategory};
use serde_json::json;

use super::branch::Branch;
use super::rows::{Table, Val};

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

impl Branch<'_> {
    /// Writes an entry of this branch and its event; returns the entry's id.
    pub fn entry(&mut self, e: Entry<'_>) -> String {
        let id = self.dice.id(e.at);
        let quarter = e.quarter.quarter as i16;
        let (rule_id, rule_version) = match e.rule {
            Some((id, v)) => (Some(id), Some(v)),
            None => (None, None),
        };
        self.batch.row(
            Table::LedgerEntry,
            &[
                Val::Text(&id),
                Val::Text(e.member_id),
                Val::Text(&self.id),
                Val::Int(e.quarter.year.into()),
                Val::Int(quarter.into()),
                Val::Text(e.kind.as_str()),
                Val::Text(e.category.as_str()),
                Val::Int(e.points.into()),
                Val::text(e.deed_id),
                Val::text(rule_id),
                Val::text(e.reverses_id),
                Val::Text(e.note),
                Val::int(rule_version),
                Val::text(e.actor_id),
                Val::At(e.at),
            ],
        );
        self.events.push(
            e.at,
            e.actor_id,
            "ledger.entry_written",
            "ledger_entry",
            &id,
            None,
            Some(json!({
                "member_id": e.member_id,
                "kind": e.kind.as_str(),
                "category": e.category.as_str(),
                "points": e.points,
                "year": e.quarter.year,
                "quarter": quarter,
                "deed_id": e.deed_id,
                "rule_id": rule_id,
                "rule_version": rule_version,
                "reverses_id": e.reverses_id,
            })),
            Some(e.note).filter(|n| !n.is_empty()),
        );
        id
    }
}
