//! Walking the organisation tree in one query each way (a recursive common table expression,
//! which SQLite and PostgreSQL both run), so that a county of a thousand units costs one round
//! trip, not one per level or per unit.

use std::collections::{HashMap, HashSet};

use jifen_shared::domain::Role;
use sea_orm::{ConnectionTrait, EntityTrait, Statement, Value as SqlValue};

use crate::entity::org_unit;
use crate::error::AppResult;
use crate::infra::db::placeholder;
use crate::services::orgs::tree::MAX_DEPTH;

/// Every unit on which `member` holds a role other than membership, and every unit below
/// those, each once.
pub async fn beneath_roles(
    db: &impl ConnectionTrait,
    member: &str,
) -> AppResult<Vec<org_unit::Model>> {
    let backend = db.get_database_backend();
    let sql = format!(
        "WITH RECURSIVE sub(id, depth) AS ( \
           SELECT org_unit_id, 0 FROM role_assignment WHERE member_id = {p} AND role <> 'member' \
           UNION \
           SELECT o.id, sub.depth + 1 FROM org_unit o \
             JOIN sub ON o.parent_id = sub.id WHERE sub.depth < {MAX_DEPTH} \
         ) SELECT o.id, o.parent_id, o.kind, o.name, o.code, o.created_at FROM org_unit o \
           WHERE o.id IN (SELECT id FROM sub)",
        p = placeholder(backend, 1)
    );
    Ok(org_unit::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            sql,
            [SqlValue::from(member)],
        ))
        .all(db)
        .await?)
}

/// `units` (a closed set: each unit's parent is in it or above all of it) in the order a tree
/// is read: each unit after its parent, siblings by kind and name; with the caller's highest
/// role over each, from `grants` held on it or carried down from its parent.
pub fn ordered(
    units: Vec<org_unit::Model>,
    grants: &[(String, Role)],
) -> Vec<(org_unit::Model, Role)> {
    let ids: HashSet<String> = units.iter().map(|u| u.id.clone()).collect();
    let mut children: HashMap<Option<String>, Vec<org_unit::Model>> = HashMap::new();
    for u in units {
        let parent = u.parent_id.clone().filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| (&a.kind, &a.name, &a.id).cmp(&(&b.kind, &b.name, &b.id)));
    }
    let own = |id: &str| Role::highest(grants.iter().filter(|(u, _)| u == id).map(|(_, r)| *r));
    let mut out = Vec::new();
    // Depth first, by an explicit stack, children pushed in reverse to come out in order.
    let mut stack: Vec<(org_unit::Model, Option<Role>)> = children
        .remove(&None)
        .unwrap_or_default()
        .into_iter()
        .rev()
        .map(|u| (u, None))
        .collect();
    while let Some((unit, inherited)) = stack.pop() {
        let role = Role::highest(inherited.into_iter().chain(own(&unit.id)));
        let Some(role) = role else { continue };
        if let Some(kids) = children.remove(&Some(unit.id.clone())) {
            stack.extend(kids.into_iter().rev().map(|k| (k, Some(role))));
        }
        out.push((unit, role));
    }
    out
}
