//! Which branches a request rates and by which rules: the branches beneath a unit (or the branch
//! itself), each with the rules of its nearest configured ancestor and whether the caller, an
//! administrator above it, may adjust its stars.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use jifen_shared::api::RatingRules;
use jifen_shared::domain::{OrgKind, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::scheme::Scheme;
use crate::entity::{org_unit, rating_rules};
use crate::error::{AppError, AppResult};
use crate::services::access::Access;
use crate::services::orgs::tree;

/// The rules that apply somewhere, and the unit that configured them (none: the defaults).
#[derive(Debug, Clone)]
pub struct Applied {
    pub rules: RatingRules,
    pub scheme: Scheme,
    pub source: Option<Source>,
}

/// The unit whose rules apply, and its last change.
#[derive(Debug, Clone)]
pub struct Source {
    pub org_unit_id: String,
    pub org_unit_name: String,
    pub updated_at: DateTime<Utc>,
    pub updated_by: String,
}

/// One branch to rate.
#[derive(Debug, Clone)]
pub struct Rated {
    pub branch: org_unit::Model,
    pub parent: Option<org_unit::Model>,
    pub applied: Arc<Applied>,
    pub may_adjust: bool,
}

/// A stored rules document, read back; the server validated it before writing.
pub fn stored(row: &rating_rules::Model) -> AppResult<(RatingRules, Scheme)> {
    let rules: RatingRules = serde_json::from_str(&row.rules).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "rating_rules {}: unreadable rules stored: {e}",
            row.org_unit_id
        ))
    })?;
    let scheme = Scheme::parse(&rules).map_err(|issues| {
        AppError::Internal(anyhow::anyhow!(
            "rating_rules {}: invalid rules stored: {issues:?}",
            row.org_unit_id
        ))
    })?;
    Ok((rules, scheme))
}

fn applied_from(row: &rating_rules::Model, unit: &org_unit::Model) -> AppResult<Applied> {
    let (rules, scheme) = stored(row)?;
    Ok(Applied {
        rules,
        scheme,
        source: Some(Source {
            org_unit_id: unit.id.clone(),
            org_unit_name: unit.name.clone(),
            updated_at: row.updated_at,
            updated_by: row.updated_by.clone(),
        }),
    })
}

fn defaults() -> AppResult<Applied> {
    let rules = RatingRules::default();
    let scheme = Scheme::parse(&rules)
        .map_err(|i| AppError::Internal(anyhow::anyhow!("default rating rules invalid: {i:?}")))?;
    Ok(Applied {
        rules,
        scheme,
        source: None,
    })
}

/// `unit` and the units above it, nearest first.
pub async fn chain(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
) -> AppResult<Vec<org_unit::Model>> {
    let chain = tree::ancestors(db, &unit.id).await?;
    Ok(if chain.is_empty() {
        vec![unit.clone()]
    } else {
        chain
    })
}

/// Every configured rules document, by unit. Only units above the branches configure rules, a
/// few hundred at most even for a province, so one read serves a whole tree.
async fn configured(db: &impl ConnectionTrait) -> AppResult<HashMap<String, rating_rules::Model>> {
    Ok(rating_rules::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.org_unit_id.clone(), r))
        .collect())
}

/// The rules that apply at the first unit of `chain` (nearest first).
pub async fn applied_at(
    db: &impl ConnectionTrait,
    chain: &[org_unit::Model],
) -> AppResult<Applied> {
    let ids: Vec<String> = chain.iter().map(|u| u.id.clone()).collect();
    let rows: HashMap<String, rating_rules::Model> = rating_rules::Entity::find()
        .filter(rating_rules::Column::OrgUnitId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.org_unit_id.clone(), r))
        .collect();
    for unit in chain {
        if let Some(row) = rows.get(&unit.id) {
            return applied_from(row, unit);
        }
    }
    defaults()
}

/// The units on which the caller is an administrator.
fn admin_units(access: &Access) -> HashSet<&str> {
    access
        .grants()
        .iter()
        .filter(|(_, r)| *r == Role::OrgAdmin)
        .map(|(u, _)| u.as_str())
        .collect()
}

/// The branches `chain[0]` stands for: itself when it is a branch, else every branch beneath
/// it, by name. Each carries the rules it is rated by and whether the caller may adjust it.
pub async fn branches(
    db: &impl ConnectionTrait,
    access: &Access,
    chain: &[org_unit::Model],
) -> AppResult<Vec<Rated>> {
    let Some(top) = chain.first() else {
        return Ok(Vec::new());
    };
    let admins = admin_units(access);
    let all_rules = configured(db).await?;
    let mut top_applied = defaults()?;
    for unit in chain {
        if let Some(row) = all_rules.get(&unit.id) {
            top_applied = applied_from(row, unit)?;
            break;
        }
    }
    // An administrator strictly above a unit's children: on the unit or on one of its ancestors.
    let above_top = chain[1..].iter().any(|u| admins.contains(u.id.as_str()));
    if top.kind()? == OrgKind::Branch {
        return Ok(vec![Rated {
            branch: top.clone(),
            parent: chain.get(1).cloned(),
            applied: Arc::new(top_applied),
            may_adjust: above_top,
        }]);
    }
    // Walk down level by level (each unit after its parent), carrying each unit's rules and
    // whether the caller administers somewhere above its children.
    struct Level {
        unit: org_unit::Model,
        applied: Arc<Applied>,
        admin_over_children: bool,
    }
    let mut levels: HashMap<String, Level> = HashMap::from([(
        top.id.clone(),
        Level {
            admin_over_children: above_top || admins.contains(top.id.as_str()),
            unit: top.clone(),
            applied: Arc::new(top_applied),
        },
    )]);
    let mut out = Vec::new();
    for child in tree::beneath(db, std::slice::from_ref(&top.id)).await? {
        let Some(parent) = child.parent_id.as_ref().and_then(|p| levels.get(p)) else {
            continue;
        };
        let applied = match all_rules.get(&child.id) {
            Some(row) => Arc::new(applied_from(row, &child)?),
            None => parent.applied.clone(),
        };
        // Only branches and the counties and towns above them come out of the walk: party
        // groups sit below branches, and migrant members' organisations are not rated (their
        // members are rated with their home branches).
        match child.kind()? {
            OrgKind::Branch => out.push(Rated {
                parent: Some(parent.unit.clone()),
                applied,
                may_adjust: parent.admin_over_children,
                branch: child,
            }),
            _ => {
                let level = Level {
                    admin_over_children: parent.admin_over_children
                        || admins.contains(child.id.as_str()),
                    unit: child,
                    applied,
                };
                levels.insert(level.unit.id.clone(), level);
            }
        }
    }
    out.sort_by(|a, b| {
        let parent = |r: &Rated| r.parent.as_ref().map(|p| p.name.clone());
        parent(a)
            .cmp(&parent(b))
            .then_with(|| a.branch.name.cmp(&b.branch.name))
            .then_with(|| a.branch.id.cmp(&b.branch.id))
    });
    Ok(out)
}
