//! Members as the roster shows them, with their branch and whether WeChat is bound, read for a
//! whole page at once.

use std::collections::{HashMap, HashSet};

use jifen_shared::api::RosterMember;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::entity::{member, org_unit, wechat_identity};
use crate::error::AppResult;

pub async fn roster_members(
    db: &impl ConnectionTrait,
    rows: Vec<member::Model>,
) -> AppResult<Vec<RosterMember>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let branch_ids: HashSet<String> = rows.iter().map(|m| m.home_branch_id.clone()).collect();
    let branches: HashMap<String, org_unit::Model> = org_unit::Entity::find()
        .filter(org_unit::Column::Id.is_in(branch_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id.clone(), u))
        .collect();
    let bound: HashSet<String> = wechat_identity::Entity::find()
        .select_only()
        .column(wechat_identity::Column::MemberId)
        .filter(wechat_identity::Column::MemberId.is_in(rows.iter().map(|m| m.id.clone())))
        .into_tuple::<String>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|m| {
            let branch = branches.get(&m.home_branch_id);
            Ok(RosterMember {
                status: m.status()?,
                wechat_bound: bound.contains(&m.id),
                branch_name: branch.map(|b| b.name.clone()).unwrap_or_default(),
                branch_code: branch.and_then(|b| b.code.clone()),
                branch_id: m.home_branch_id,
                id: m.id,
                name: m.name,
                username: m.username,
                phone: m.phone,
            })
        })
        .collect()
}

/// One member.
pub async fn roster_member(db: &impl ConnectionTrait, m: member::Model) -> AppResult<RosterMember> {
    let mut one = roster_members(db, vec![m]).await?;
    Ok(one.remove(0))
}
