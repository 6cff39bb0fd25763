//! The ledger, recomputed from the audit history: every `ledger.entry_written` event says what
//! entry it wrote (see [`crate::services::ledger::write`]); the table must hold exactly those
//! entries, each as written. The points screen reads the table, so this is what shows an SQL
//! edit of a member's points.

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
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

    fn of_event(e: &WrittenEvent) -> Option<Self> {
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

/// Checks that the ledger table holds exactly the entries the events wrote. Reads the table by
/// id, `page` entries at a time, each with the events that wrote the ids up to its last, so that
/// memory holds a page, not the ledger. The mismatch named is the first by member, then entry
/// id (ids are UUIDv7: a member's oldest first), with that member's totals on either side.
pub(super) async fn check(
    db: &impl ConnectionTrait,
    page: u64,
) -> Result<Checked, super::VerifyError> {
    let mut first: Option<Mismatch> = None;
    let entries = each_entry(db, page, |entry_id, written, held| {
        if let Some(found) = mismatch(entry_id, written, held) {
            if first.as_ref().is_none_or(|f| found.order() < f.order()) {
                first = Some(found);
            }
        }
    })
    .await?;
    let Some(Mismatch {
        member_id,
        entry_id,
        what,
    }) = first
    else {
        // Every entry agrees, so the members the events name are the table's.
        let members: i64 = ledger_entry::Entity::find()
            .select_only()
            .expr(Expr::col(ledger_entry::Column::MemberId).count_distinct())
            .into_tuple()
            .one(db)
            .await?
            .unwrap_or(0);
        return Ok(Checked {
            entries,
            members: members as usize,
        });
    };
    let mut by_events = 0;
    each_entry(db, page, |_, written, _| {
        if let Some(Ok(w)) = written {
            if w.member_id == member_id {
                by_events += w.points;
            }
        }
    })
    .await?;
    let in_table: i32 = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::Points)
        .filter(ledger_entry::Column::MemberId.eq(member_id.as_str()))
        .into_tuple::<i32>()
        .all(db)
        .await?
        .into_iter()
        .sum();
    let member = member::Entity::find_by_id(member_id.clone())
        .one(db)
        .await?
        .map(|m| format!("{} ({})", m.name, m.username))
        .unwrap_or_else(|| "(unknown)".into());
    Err(LedgerMismatch {
        member_id,
        member,
        entry_id,
        what: format!(
            "{what}; the member's points over all years: {by_events} by the events, \
             {in_table} in the table"
        ),
    }
    .into())
}

/// A ledger entry that is not what the events wrote.
struct Mismatch {
    /// The member it is named under: the one the events or the table name, whichever sorts
    /// first; none ("") for an entry only an unreadable event wrote.
    member_id: String,
    entry_id: String,
    what: String,
}

impl Mismatch {
    fn order(&self) -> (&str, &str) {
        (&self.member_id, &self.entry_id)
    }
}

/// What is wrong with entry `entry_id`, given what the events wrote (an error when that cannot
/// be told) and what the table holds.
fn mismatch(
    entry_id: &str,
    written: Option<&Result<Movement, String>>,
    held: Option<&Movement>,
) -> Option<Mismatch> {
    let what = match (written, held) {
        (Some(Ok(w)), Some(h)) if w == h => return None,
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
        (None, None) => return None,
    };
    let by_events = written.and_then(|w| w.as_ref().ok()).map(|w| &w.member_id);
    let member_id = [by_events, held.map(|h| &h.member_id)]
        .into_iter()
        .flatten()
        .min()
        .cloned()
        .unwrap_or_default();
    Some(Mismatch {
        member_id,
        entry_id: entry_id.to_owned(),
        what,
    })
}

/// Calls `visit` once for every ledger entry id that the events or the table know, with what the
/// events wrote and what the table holds; returns how many entries the table holds. The table is
/// read by id, `page` rows after the last one read, together with the events that wrote the ids
/// after it up to the page's last (to the end on the last page).
async fn each_entry(
    db: &impl ConnectionTrait,
    page: u64,
    mut visit: impl FnMut(&str, Option<&Result<Movement, String>>, Option<&Movement>),
) -> Result<usize, sea_orm::DbErr> {
    let mut entries = 0;
    let mut after: Option<String> = None;
    loop {
        let mut rows = entries_between(after.as_deref(), None)
            .limit(page)
            .all(db)
            .await?;
        let mut upto = match rows.len() as u64 == page {
            true => rows.last().map(|r| r.id.clone()),
            false => None,
        };
        let most = 2 * page;
        let mut events = events_between(after.as_deref(), upto.as_deref())
            .limit(most + 1)
            .into_model::<WrittenEvent>()
            .all(db)
            .await?;
        if events.len() as u64 > most {
            // Far more events than entries: entries deleted from the table. Take the ids only
            // up to the last event kept (all the events of that id), so memory still holds a page.
            upto = events.get(most as usize - 1).map(|e| e.entity_id.clone());
            events = events_between(after.as_deref(), upto.as_deref())
                .into_model::<WrittenEvent>()
                .all(db)
                .await?;
            rows = entries_between(after.as_deref(), upto.as_deref())
                .all(db)
                .await?;
        }
        entries += rows.len();
        let written = written_by(events);
        let mut held: HashMap<String, Movement> = rows
            .into_iter()
            .map(|r| (r.id.clone(), Movement::of_row(r)))
            .collect();
        for (id, w) in &written {
            visit(id, Some(w), held.remove(id).as_ref());
        }
        for (id, h) in &held {
            visit(id, None, Some(h));
        }
        match upto {
            Some(upto) => after = Some(upto),
            None => return Ok(entries),
        }
    }
}

/// The ledger entries with ids after `after` and up to `upto`, by id.
fn entries_between(
    after: Option<&str>,
    upto: Option<&str>,
) -> sea_orm::Select<ledger_entry::Entity> {
    let mut query = ledger_entry::Entity::find();
    if let Some(after) = after {
        query = query.filter(ledger_entry::Column::Id.gt(after));
    }
    if let Some(upto) = upto {
        query = query.filter(ledger_entry::Column::Id.lte(upto));
    }
    query.order_by_asc(ledger_entry::Column::Id)
}

/// What [`Movement::of_event`] reads of a `ledger.entry_written` event: not its hashes, which the
/// walk checked, so that a page of them sorts in memory.
#[derive(Debug, FromQueryResult)]
struct WrittenEvent {
    id: String,
    chain_id: String,
    entity_id: String,
    after: Option<String>,
    reason: Option<String>,
}

/// The `ledger.entry_written` events of the entry ids after `after` and up to `upto`, by entry
/// id, then oldest first. `ledger::write` records them as about a `ledger_entry`; asking for that
/// type lets both databases answer from the (entity_type, entity_id) index. (An event whose type
/// was changed no longer hashes as written, and with the key no longer matches its seal: the
/// walk names it before the ledger is read.)
fn events_between(after: Option<&str>, upto: Option<&str>) -> sea_orm::Select<audit_event::Entity> {
    use audit_event::Column as E;
    let mut query = audit_event::Entity::find()
        .select_only()
        .columns([E::Id, E::ChainId, E::EntityId, E::After, E::Reason])
        .filter(audit_event::Column::EntityType.eq("ledger_entry"))
        .filter(audit_event::Column::Action.eq("ledger.entry_written"));
    if let Some(after) = after {
        query = query.filter(audit_event::Column::EntityId.gt(after));
    }
    if let Some(upto) = upto {
        query = query.filter(audit_event::Column::EntityId.lte(upto));
    }
    query
        .order_by_asc(audit_event::Column::EntityId)
        .order_by_asc(audit_event::Column::Id)
}

/// What the events wrote, by entry id: the movement, or why it cannot be told. Takes every
/// event of each id it is given, oldest first.
fn written_by(events: Vec<WrittenEvent>) -> HashMap<String, Result<Movement, String>> {
    let mut written = HashMap::new();
    for e in events {
        let movement =
            Movement::of_event(&e).ok_or_else(|| format!("its event {} cannot be read", e.id));
        if written.insert(e.entity_id.clone(), movement).is_some() {
            written.insert(
                e.entity_id.clone(),
                Err(format!("two events wrote it (the second is {})", e.id)),
            );
        }
    }
    written
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
