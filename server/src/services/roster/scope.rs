//! Which branches a roster request reaches: a branch itself, or every branch beneath a town or
//! county the caller administers.

use sea_orm::ConnectionTrait;

use crate::entity::org_unit;
use crate::error::AppResult;
pub use crate::services::access::managed_unit;
use crate::services::orgs::tree;

/// The ids of the branches at or beneath `unit`.
pub async fn branches_beneath(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
) -> AppResult<Vec<String>> {
    Ok(tree::branches_beneath(db, unit)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect())
}
