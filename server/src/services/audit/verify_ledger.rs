//! The ledger, recomputed from the audit history: every `ledger.entry_written` event says what
//! entry it wrote (see [`crate::services::ledger::write`]); the table must hold exactly those
//! entries, each as written. The points screen reads the table, so this is what shows an SQL
//! edit of a member's points.

use std::collections::{BTreeSet, HashMap};

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use serde::Deserialize;

use crate::entity::{audit_event, ledger_entry, member};

/// The first ledger entry that is not what the events wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the ledger disagrees with the audit history at ledger entry {entry_id} of member {member} [{member_id}]: {what}")]
pub struct LedgerMismatch {
    pub member_id: String,
    /// The member's name and username, as far as the member table tells.
    pub member: String,
    pub entry_id: String,
    /// What the events say against what the table says.
    pub what: String,
}

pub(super) struct Checked {
    pub entries: usize,
    pub members: usize,
}

/// A movement of points: as an event wrote it, or as the table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Movement {
    branch_id: String,
    member_id: String,
    kind: String,
    category: String,
    points: i32,
    year: i32,
    quarter: i16,
    deed_id: Option<String>,
    rule_id: Option<String>,
    rule_version: Option<i32>,
    reverses_id: Option<String>,
    note: String,
}

impl Movement {
    fn of_row(e: ledger_entry::Model) -> Self {
        Self {
            branch_id: e.branch_id,
            member_id: e.member_id,
            kind: e.kind,
            category: e.category,
            points: e.points,
            year: e.cycle_year,
            quarter: e.cycle_quarter,
            deed_id: e.deed_id,
            rule_id: e.rule_id,
            rule_version: e.rule_version,
            reverses_id: e.reverses_id,
            note: e.note,
        }
    }

    fn of_event(e: &audit_event::Model) -> Option<Self> {
        /// What `ledger::write` puts in the event's `after`.
        #[derive(Deserialize)]
        struct Written {
            member_id: String,
            kind: String,
            category: String,
            points: i32,
            year: i32,
            quarter: i16,
            deed_id: Option<String>,
            rule_id: Option<String>,
            /// Absent in events written before the catalogue had versions.
            #[serde(default)]
            rule_version: Option<i32>,
            reverses_id: Option<String>,
        }
        let w: Written = serde_json::from_str(e.after.as_deref()?).ok()?;
        Some(Self {
            branch_id: e.chain_id.clone(),
            member_id: w.member_id,
            kind: w.kind,
            category: w.category,
            points: w.points,
            year: w.year,
            quarter: w.quarter,
            deed_id: w.deed_id,
            rule_id: w.rule_id,
            rule_version: w.rule_version,
            reverses_id: w.reverses_id,
            note: e.reason.clone().unwrap_or_default(),
        })
    }

    /// "+5 points (bonus, 2026 Q4, deed D)".
    fn describe(&self) -> String {
        let mut s = format!(
            "{:+} points ({}, {} Q{}",
            self.points, self.kind, self.year, self.quarter
        );
        if let Some(d) = &self.deed_id {
            s.push_str(&format!(", deed {d}"));
        }
        if let Some(r) = &self.reverses_id {
            s.push_str(&format!(", reversing {r}"));
        }
        s.push(')');
        s
    }

    /// Each field that differs: "points: +5 by the events, +50 in the table".
    fn differences(&self, table: &Movement) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, events: String, in_table: String| {
            if events != in_table {
                out.push(format!(
                    "{name}: {events} by the events, {in_table} in the table"
                ));
            }
        };
        let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
        field(
            "points",
            format!("{:+}", self.points),
            format!("{:+}", table.points),
        );
        field("member", self.member_id.clone(), table.member_id.clone());
        field("branch", self.branch_id.clone(), table.branch_id.clone());
        field("kind", self.kind.clone(), table.kind.clone());
        field("category", self.category.clone(), table.category.clone());
        field(
            "quarter",
            format!("{} Q{}", self.year, self.quarter),
            format!("{} Q{}", table.year, table.quarter),
        );
        field("deed", opt(&self.deed_id), opt(&table.deed_id));
        field("rule", opt(&self.rule_id), opt(&table.rule_id));
        let version = |v: Option<i32>| v.map_or_else(|| "none".into(), |v| format!("v{v}"));
        field(
            "rule version",
            version(self.rule_version),
            version(table.rule_version),
        );
        field("reverses", opt(&self.reverses_id), opt(&table.reverses_id));
        field(
            "note",
            format!("{:?}", self.note),
            format!("{:?}", table.note),
        );
        out
    }
}

pub(super) async fn check(db: &impl ConnectionTrait) -> Result<Checked, super::VerifyError> {
    let mut written: HashMap<String, Result<Movement, String>> = HashMap::new();
    let mut pages = audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq("ledger.entry_written"))
        .order_by_asc(audit_event::Column::Id)
        .paginate(db, 1000);
    while let Some(page) = pages.fetch_and_next().await? {
        for e in page {
            let movement =
                Movement::of_event(&e).ok_or_else(|| format!("its event {} cannot be read", e.id));
            if written.insert(e.entity_id.clone(), movement).is_some() {
                written.insert(
                    e.entity_id.clone(),
                    Err(format!("two events wrote it (the second is {})", e.id)),
                );
            }
        }
    }
    let mut held: HashMap<String, Movement> = HashMap::new();
    let mut pages = ledger_entry::Entity::find()
        .order_by_asc(ledger_entry::Column::Id)
        .paginate(db, 1000);
    while let Some(page) = pages.fetch_and_next().await? {
        for e in page {
            held.insert(e.id.clone(), Movement::of_row(e));
        }
    }

    // Every entry either side knows, member by member, oldest first (ids are UUIDv7).
    let mut entries: BTreeSet<(String, String)> = BTreeSet::new();
    for (id, m) in &written {
        if let Ok(m) = m {
            entries.insert((m.member_id.clone(), id.clone()));
        }
    }
    for (id, m) in &held {
        entries.insert((m.member_id.clone(), id.clone()));
    }
    for (id, m) in &written {
        if m.is_err() && !held.contains_key(id) {
            entries.insert((String::new(), id.clone()));
        }
    }
    let mut members = BTreeSet::new();
    for (member_id, entry_id) in &entries {
        members.insert(member_id.clone());
        let what = match (written.get(entry_id), held.get(entry_id)) {
            (Some(Ok(w)), Some(h)) if w == h => continue,
            (Some(Ok(w)), Some(h)) => w.differences(h).join("; "),
            (Some(Err(why)), _) => why.clone(),
            (Some(Ok(w)), None) => format!(
                "the events wrote {} but the table no longer has it (deleted)",
                w.describe()
            ),
            (None, Some(h)) => format!(
                "the table has {} but no event ever wrote it (inserted behind the application's back)",
                h.describe()
            ),
            (None, None) => continue,
        };
        let totals = |side: &dyn Fn(&str) -> Option<i32>| -> i32 {
            entries
                .iter()
                .filter(|(m, _)| m == member_id)
                .filter_map(|(_, id)| side(id))
                .sum()
        };
        let by_events = totals(&|id| match written.get(id) {
            Some(Ok(w)) if w.member_id == *member_id => Some(w.points),
            _ => None,
        });
        let in_table = totals(&|id| {
            held.get(id)
                .filter(|h| h.member_id == *member_id)
                .map(|h| h.points)
        });
        let member = member::Entity::find_by_id(member_id.clone())
            .one(db)
            .await?
            .map(|m| format!("{} ({})", m.name, m.username))
            .unwrap_or_else(|| "(unknown)".into());
        return Err(LedgerMismatch {
            member_id: member_id.clone(),
            member,
            entry_id: entry_id.clone(),
            what: format!(
                "{what}; the member's points over all years: {by_events} by the events, \
                 {in_table} in the table"
            ),
        }
        .into());
    }
    Ok(Checked {
        entries: held.len(),
        members: members.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn award(points: i32) -> Movement {
        Movement {
            branch_id: "b".into(),
            member_id: "m".into(),
            kind: "bonus".into(),
            category: "bonus".into(),
            points,
            year: 2026,
            quarter: 4,
            deed_id: Some("d".into()),
            rule_id: Some("r".into()),
            rule_version: Some(1),
            reverses_id: None,
            note: "扫雪".into(),
        }
    }

    #[test]
    fn only_the_fields_that_differ_are_named() {
        assert!(award(5).differences(&award(5)).is_empty());
        assert_eq!(
            award(5).differences(&award(50)),
            vec!["points: +5 by the events, +50 in the table".to_owned()]
        );
    }

    #[test]
    fn a_rule_version_changed_in_the_table_is_named() {
        let edited = Movement {
            rule_version: Some(2),
            ..award(5)
        };
        assert_eq!(
            award(5).differences(&edited),
            vec!["rule version: v1 by the events, v2 in the table".to_owned()]
        );
    }
}
