//! The shape of the province: branches under towns under counties, in the sizes real ones have
//! (a town holds about ten village branches, a county about twenty towns). There is no province
//! kind of unit (`OrgKind`): counties are the top units, as they are in the product. A unit's
//! row with the start of its chain, and a role granted in it, are written here for branches too.

use chrono::{DateTime, Utc};
use jifen_shared::domain::{OrgKind, Role};
use serde_json::json;

use super::audit::Events;
use super::catalogue::place;
use super::ids::Dice;
use super::rows::{Batch, Table, Val};

/// How many branches each town of each county holds.
pub fn shape(units: u32, seed: u64) -> Vec<Vec<u32>> {
    let mut dice = Dice::new(seed, 1 << 42);
    let mut counties = Vec::new();
    let mut left = units;
    while left > 0 {
        let towns = dice.between(15, 26);
        let mut county = Vec::new();
        for _ in 0..towns {
            if left == 0 {
                break;
            }
            let n = u32::try_from(dice.between(6, 15)).unwrap_or(10).min(left);
            county.push(n);
            left -= n;
        }
        counties.push(county);
    }
    counties
}

/// A county or a town: its row, its chain and the administrator it gets.
pub struct Unit {
    pub id: String,
    pub events: Events,
    dice: Dice,
    at: DateTime<Utc>,
}

impl Unit {
    /// Creates the unit's row and the first event of its chain.
    pub fn create(
        kind: OrgKind,
        n: usize,
        parent_id: Option<&str>,
        mut dice: Dice,
        at: DateTime<Utc>,
        batch: &mut Batch,
    ) -> Self {
        let id = dice.id(at);
        let name = match kind {
            OrgKind::County => format!("{}县委", place(n * 7 + 3)),
            _ => format!("{}镇党委", place(n * 3 + 1)),
        };
        let events = open_unit(batch, &id, parent_id, kind, &name, None, at);
        Self {
            id,
            events,
            dice,
            at,
        }
    }

    /// Makes `member_id` the unit's administrator (a member of a branch beneath it).
    pub fn grant_admin(&mut self, member_id: &str, batch: &mut Batch) {
        let at = self.at + chrono::Duration::hours(1);
        grant(
            &mut self.dice,
            batch,
            &mut self.events,
            member_id,
            &self.id,
            Role::OrgAdmin,
            at,
        );
    }

    /// Writes the unit's chain; returns how many events.
    pub fn finish(mut self, key: &crate::services::audit::SealKey, batch: &mut Batch) -> u64 {
        let id = self.id.clone();
        self.events.write(&id, &mut self.dice, key, batch)
    }
}

/// Writes an org unit's row (a branch has a `code`) and opens its chain with `org_unit.created`.
pub fn open_unit(
    batch: &mut Batch,
    id: &str,
    parent_id: Option<&str>,
    kind: OrgKind,
    name: &str,
    code: Option<&str>,
    at: DateTime<Utc>,
) -> Events {
    batch.row(
        Table::OrgUnit,
        &[
            Val::Text(id),
            Val::text(parent_id),
            Val::Text(kind.as_str()),
            Val::Text(name),
            Val::text(code),
            Val::At(at),
        ],
    );
    let mut events = Events::default();
    events.push(
        at,
        None,
        "org_unit.created",
        "org_unit",
        id,
        None,
        Some(json!({"parent_id": parent_id, "kind": kind.as_str(), "name": name, "code": code})),
        None,
    );
    events
}

/// Gives `member_id` `role` in the unit `org_unit_id`: the row and its `role.granted` event in
/// the unit's chain.
pub fn grant(
    dice: &mut Dice,
    batch: &mut Batch,
    events: &mut Events,
    member_id: &str,
    org_unit_id: &str,
    role: Role,
    at: DateTime<Utc>,
) {
    let id = dice.id(at);
    batch.row(
        Table::RoleAssignment,
        &[
            Val::Text(&id),
            Val::Text(member_id),
            Val::Text(org_unit_id),
            Val::Text(role.as_str()),
            Val::At(at),
        ],
    );
    events.push(
        at,
        None,
        "role.granted",
        "role_assignment",
        &id,
        None,
        Some(json!({"member_id": member_id, "org_unit_id": org_unit_id, "role": role})),
        None,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_branch_has_a_town_and_towns_are_village_sized() {
        for units in [1, 60, 1000, 33_334] {
            let s = shape(units, 1);
            let total: u32 = s.iter().flatten().sum();
            assert_eq!(total, units);
            assert!(s.iter().flatten().all(|&n| (1..=14).contains(&n)));
            assert!(s.iter().all(|c| (1..=25).contains(&c.len())));
        }
        assert_eq!(shape(60, 1), shape(60, 1), "repeatable");
    }
}
