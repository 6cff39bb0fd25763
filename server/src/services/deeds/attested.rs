//! What the list and one-deed views add to a deed beyond its row: the name of whoever registered
//! it for its member, and the co-signatures of the migrant members' organisation. At most three
//! queries for a whole page, whatever its length; none for a page whose deeds nobody registered
//! and the list found without co-signatures ([`annotate_known`]).

use std::collections::{HashMap, HashSet};

use jifen_shared::api::{AttestationView, DeedView};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::{deed_attestation, member, org_unit};
use crate::error::AppResult;

/// Fills in `registered_by_name` and `attestations` on every view.
pub async fn annotate(db: &impl ConnectionTrait, views: &mut [DeedView]) -> AppResult<()> {
    let deed_ids: Vec<String> = views.iter().map(|v| v.id.clone()).collect();
    annotate_known(db, views, deed_ids).await
}

/// [`annotate`], when the deeds that may have co-signatures are known already (`attested`, the
/// others have none).
pub async fn annotate_known(
    db: &impl ConnectionTrait,
    views: &mut [DeedView],
    attested: Vec<String>,
) -> AppResult<()> {
    if views.is_empty() {
        return Ok(());
    }
    let attestations = if attested.is_empty() {
        Vec::new()
    } else {
        deed_attestation::Entity::find()
            .filter(deed_attestation::Column::DeedId.is_in(attested))
            .order_by_asc(deed_attestation::Column::CreatedAt)
            .order_by_asc(deed_attestation::Column::Id)
            .all(db)
            .await?
    };
    let people: HashSet<String> = views
        .iter()
        .filter_map(|v| v.registered_by.clone())
        .chain(attestations.iter().map(|a| a.attested_by.clone()))
        .collect();
    let names: HashMap<String, String> = if people.is_empty() {
        HashMap::new()
    } else {
        member::Entity::find()
            .filter(member::Column::Id.is_in(people))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect()
    };
    let units: HashMap<String, String> = if attestations.is_empty() {
        HashMap::new()
    } else {
        let ids: HashSet<String> = attestations.iter().map(|a| a.org_unit_id.clone()).collect();
        org_unit::Entity::find()
            .filter(org_unit::Column::Id.is_in(ids))
            .all(db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect()
    };
    let mut by_deed: HashMap<String, Vec<AttestationView>> = HashMap::new();
    for a in attestations {
        by_deed
            .entry(a.deed_id.clone())
            .or_default()
            .push(AttestationView {
                org_unit_name: units.get(&a.org_unit_id).cloned().unwrap_or_default(),
                attested_by_name: names.get(&a.attested_by).cloned().unwrap_or_default(),
                id: a.id,
                org_unit_id: a.org_unit_id,
                attested_by: a.attested_by,
                comment: a.comment,
                created_at: a.created_at,
            });
    }
    for v in views.iter_mut() {
        v.registered_by_name = v.registered_by.as_ref().and_then(|r| names.get(r).cloned());
        v.attestations = by_deed.remove(&v.id).unwrap_or_default();
    }
    Ok(())
}
