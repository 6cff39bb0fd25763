//! The branches beneath a unit (found by [`crate::services::orgs::tree::beneath`], one query
//! per level of the tree, not per unit), and which unit directly below it each one sits in.

use std::collections::HashMap;

use jifen_shared::domain::OrgKind;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::org_unit;
use crate::error::AppResult;
use crate::services::orgs::tree;

/// A unit's branches and the units directly below it that statistics list.
pub(super) struct Layout {
    /// Every branch beneath the unit (the unit itself when it is a branch).
    pub branches: Vec<org_unit::Model>,
    /// The counties, towns and branches directly below the unit, by name, each with the indexes
    /// in `branches` of the branches beneath it (itself, for a branch).
    pub children: Vec<(org_unit::Model, Vec<usize>)>,
}

/// Whether statistics count members under a unit of this kind: branches and the units above
/// them. Party groups sit inside a branch, and a migrant organisation's members keep their
/// points at home.
pub(super) fn counted(kind: OrgKind) -> bool {
    matches!(kind, OrgKind::County | OrgKind::Town | OrgKind::Branch)
}

pub(super) async fn layout(db: &impl ConnectionTrait, root: &org_unit::Model) -> AppResult<Layout> {
    if root.kind()? == OrgKind::Branch {
        return Ok(Layout {
            branches: vec![root.clone()],
            children: Vec::new(),
        });
    }
    let mut branches = Vec::new();
    let mut children: Vec<(org_unit::Model, Vec<usize>)> = Vec::new();
    // Each unit found below the root: the index in `children` of the child it descends from.
    let mut under: HashMap<String, usize> = HashMap::new();
    // Level by level, each unit after its parent.
    for u in tree::beneath(db, std::slice::from_ref(&root.id)).await? {
        let kind = u.kind()?;
        if !counted(kind) {
            continue;
        }
        let parent = u.parent_id.clone().unwrap_or_default();
        let child = match under.get(&parent) {
            Some(&c) => c,
            None if parent == root.id => {
                children.push((u.clone(), Vec::new()));
                children.len() - 1
            }
            None => continue,
        };
        under.insert(u.id.clone(), child);
        if kind == OrgKind::Branch {
            children[child].1.push(branches.len());
            branches.push(u);
        }
    }
    Ok(Layout { branches, children })
}

/// The branches among `ids`, in the order given (ids of other units or of none are left out).
pub(super) async fn branches(
    db: &impl ConnectionTrait,
    ids: &[String],
) -> AppResult<Vec<org_unit::Model>> {
    let mut found: HashMap<String, org_unit::Model> = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(ids.iter().cloned()))
        .filter(org_unit::Column::Kind.eq(OrgKind::Branch.as_str()))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}
