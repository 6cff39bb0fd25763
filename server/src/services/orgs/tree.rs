//! Walking the organisation tree (county → town → branch → group): the units above a unit, and
//! the counties, towns and branches beneath one. Every walk of the tree (access, statistics,
//! ratings, the roster, the unit ledger) goes through here or bounds itself by [`MAX_DEPTH`].

use std::collections::HashSet;

use jifen_shared::domain::OrgKind;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Statement, Value};

use crate::entity::org_unit;
use crate::error::AppResult;
use crate::infra::db::placeholder;

/// Deepest tree walked, up or down. A real tree has four levels (county, town, branch, group);
/// the bound only keeps a loop written into the data behind the application's back from
/// running forever.
pub const MAX_DEPTH: usize = 16;

/// `unit` and every unit above it, nearest first; empty when `unit` does not exist. One query
/// (a recursive common table expression, which SQLite and PostgreSQL both run), however deep.
pub async fn ancestors(db: &impl ConnectionTrait, unit: &str) -> AppResult<Vec<org_unit::Model>> {
    let backend = db.get_database_backend();
    let p = placeholder(backend, 1);
    let sql = format!(
        "WITH RECURSIVE up(id, parent_id, depth) AS ( \
           SELECT id, parent_id, 0 FROM org_unit WHERE id = {p} \
           UNION ALL \
           SELECT o.id, o.parent_id, up.depth + 1 FROM org_unit o \
             JOIN up ON o.id = up.parent_id WHERE up.depth < {MAX_DEPTH} \
         ) SELECT o.* FROM up JOIN org_unit o ON o.id = up.id ORDER BY up.depth"
    );
    let rows = org_unit::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            sql,
            [Value::from(unit)],
        ))
        .all(db)
        .await?;
    // A loop in the data comes round again: the chain ends before the first unit met twice.
    let mut seen = HashSet::new();
    Ok(rows
        .into_iter()
        .take_while(|u| seen.insert(u.id.clone()))
        .collect())
}

/// The ids of `unit` and every unit above it, nearest first.
pub async fn ancestor_ids(db: &impl ConnectionTrait, unit: &str) -> AppResult<Vec<String>> {
    Ok(ancestors(db, unit)
        .await?
        .into_iter()
        .map(|u| u.id)
        .collect())
}

/// The counties, towns and branches beneath `roots` (the roots left out), level by level, each
/// level by name: every unit comes after its parent. One query per level of the tree, not per
/// unit. The walk goes down through counties and towns only: party groups sit inside a branch
/// and hold no members of their own, and migrant organisations have nothing beneath them.
pub async fn beneath(
    db: &impl ConnectionTrait,
    roots: &[String],
) -> AppResult<Vec<org_unit::Model>> {
    let mut out = Vec::new();
    let mut seen: HashSet<String> = roots.iter().cloned().collect();
    let mut frontier = roots.to_vec();
    for _ in 0..MAX_DEPTH {
        if frontier.is_empty() {
            break;
        }
        let mut found = org_unit::Entity::find()
            .filter(org_unit::Column::ParentId.is_in(std::mem::take(&mut frontier)))
            .all(db)
            .await?;
        found.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        for u in found {
            let kind = u.kind()?;
            let walked = matches!(kind, OrgKind::County | OrgKind::Town);
            if !(walked || kind == OrgKind::Branch) || !seen.insert(u.id.clone()) {
                continue;
            }
            if walked {
                frontier.push(u.id.clone());
            }
            out.push(u);
        }
    }
    Ok(out)
}

/// The branches at or beneath `unit`: the unit itself when it is a branch, else every branch
/// below it, level by level and by name.
pub async fn branches_beneath(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
) -> AppResult<Vec<org_unit::Model>> {
    if unit.kind()? == OrgKind::Branch {
        return Ok(vec![unit.clone()]);
    }
    let mut below = beneath(db, std::slice::from_ref(&unit.id)).await?;
    below.retain(|u| u.kind == OrgKind::Branch.as_str());
    Ok(below)
}
