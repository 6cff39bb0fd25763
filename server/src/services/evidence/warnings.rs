//! The evidence warnings beside a deed under review: its place against the branch's usual area,
//! each photo's capture time and place against the deed's, and photos whose picture is attached
//! to another deed as well. They inform the committee; they never refuse a deed.

use std::collections::{BTreeSet, HashMap};

use jifen_shared::api::{AreaCheck, AreaSource, EvidenceView, PhotoEvidence, PhotoReuse};
use jifen_shared::domain::{
    distance_m, median_centre, place_agreement, time_agreement, DeedStatus, LatLng,
    MEDIAN_AREA_RADIUS_M, PLACE_TOLERANCE_M,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::entity::{deed, member, photo};
use crate::error::AppResult;
use crate::services::access::Access;
use crate::services::settings;

/// Approved places the median of a branch's usual area is taken over: the most recent ones.
const MEDIAN_OVER: u64 = 500;
/// Other photos with one picture's content looked at, and other deeds named, at most.
const REUSES_LOOKED_AT: u64 = 50;

/// The branch's usual area: its centre, radius, and where it comes from.
struct Area {
    centre: LatLng,
    radius_m: u32,
    source: AreaSource,
}

async fn usual_area(db: &impl ConnectionTrait, branch_id: &str) -> AppResult<(Option<Area>, u32)> {
    if let Some(a) = settings::of(db, branch_id).await?.evidence_area {
        let area = Area {
            centre: LatLng {
                lat: a.lat,
                lng: a.lng,
            },
            radius_m: a.radius_m,
            source: AreaSource::Settings,
        };
        return Ok((Some(area), a.radius_m));
    }
    let places: Vec<(Option<f64>, Option<f64>)> = deed::Entity::find()
        .select_only()
        .column(deed::Column::Lat)
        .column(deed::Column::Lng)
        .filter(deed::Column::BranchId.eq(branch_id))
        .filter(deed::Column::Status.eq(DeedStatus::Approved.as_str()))
        .filter(deed::Column::Lat.is_not_null())
        .filter(deed::Column::Lng.is_not_null())
        .order_by_desc(deed::Column::Id)
        .limit(MEDIAN_OVER)
        .into_tuple()
        .all(db)
        .await?;
    let places: Vec<LatLng> = places
        .into_iter()
        .filter_map(|(lat, lng)| {
            Some(LatLng {
                lat: lat?,
                lng: lng?,
            })
        })
        .collect();
    let area = median_centre(&places).map(|centre| Area {
        centre,
        radius_m: MEDIAN_AREA_RADIUS_M,
        source: AreaSource::ApprovedMedian,
    });
    Ok((area, PLACE_TOLERANCE_M))
}

/// For each picture (by content hash) of `photos`, the other deeds any photo with that picture is
/// attached to, as `viewer` may be told of them.
async fn reuses(
    db: &impl ConnectionTrait,
    viewer: &Access,
    d: &deed::Model,
    photos: &[photo::Model],
) -> AppResult<HashMap<String, Vec<PhotoReuse>>> {
    let hashes: BTreeSet<String> = photos.iter().map(|p| p.sha256.clone()).collect();
    if hashes.is_empty() {
        return Ok(HashMap::new());
    }
    let same: Vec<(String, String)> = photo::Entity::find()
        .select_only()
        .column(photo::Column::Id)
        .column(photo::Column::Sha256)
        .filter(photo::Column::Sha256.is_in(hashes))
        .limit(REUSES_LOOKED_AT)
        .into_tuple()
        .all(db)
        .await?;
    // Photo ids are UUIDs: one appearing in a deed's photo list is that photo.
    let mut any = Condition::any();
    for (id, _) in &same {
        any = any.add(deed::Column::PhotoIds.contains(id.as_str()));
    }
    let others = deed::Entity::find()
        .filter(any)
        .filter(deed::Column::Id.ne(d.id.clone()))
        .order_by_asc(deed::Column::Id)
        .limit(REUSES_LOOKED_AT)
        .all(db)
        .await?;
    let mut may_see: HashMap<String, bool> = HashMap::new();
    for o in &others {
        if !may_see.contains_key(&o.branch_id) {
            let yes = viewer.can_review(db, &o.branch_id).await?;
            may_see.insert(o.branch_id.clone(), yes);
        }
    }
    let shown: Vec<String> = others
        .iter()
        .filter(|o| may_see[&o.branch_id])
        .map(|o| o.member_id.clone())
        .collect();
    let names: HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(shown))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let mut by_hash: HashMap<String, Vec<PhotoReuse>> = HashMap::new();
    for (hash, ids) in group(&same) {
        let uses = others
            .iter()
            .filter(|o| ids.iter().any(|id| o.photo_ids.contains(id.as_str())))
            .map(|o| {
                if may_see[&o.branch_id] {
                    Ok(PhotoReuse {
                        deed_id: Some(o.id.clone()),
                        title: Some(o.title.clone()),
                        member_name: names.get(&o.member_id).cloned(),
                        status: Some(o.status()?),
                    })
                } else {
                    Ok(PhotoReuse {
                        deed_id: None,
                        title: None,
                        member_name: None,
                        status: None,
                    })
                }
            })
            .collect::<AppResult<Vec<_>>>()?;
        by_hash.insert(hash, uses);
    }
    Ok(by_hash)
}

fn group(pairs: &[(String, String)]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (id, hash) in pairs {
        out.entry(hash.clone()).or_default().push(id.clone());
    }
    out
}

/// The evidence warnings on `d`, for `viewer`, who reviews its branch (the caller checked).
pub async fn of(
    db: &impl ConnectionTrait,
    viewer: &Access,
    d: &deed::Model,
) -> AppResult<EvidenceView> {
    let reported = d.lat.zip(d.lng).map(|(lat, lng)| LatLng { lat, lng });
    let (area, tolerance_m) = usual_area(db, &d.branch_id).await?;
    let area = area.zip(reported).map(|(a, at)| {
        let distance = distance_m(a.centre, at);
        AreaCheck {
            source: a.source,
            radius_m: a.radius_m,
            distance_m: distance.round() as u32,
            outside: distance > f64::from(a.radius_m),
        }
    });
    let ids: Vec<String> = serde_json::from_str(&d.photo_ids).unwrap_or_default();
    let mut rows: HashMap<String, photo::Model> = photo::Entity::find()
        .filter(photo::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let photos: Vec<photo::Model> = ids.iter().filter_map(|id| rows.remove(id)).collect();
    let reuses = reuses(db, viewer, d, &photos).await?;
    let photos = photos
        .into_iter()
        .map(|p| {
            let taken = p
                .taken_lat
                .zip(p.taken_lng)
                .map(|(lat, lng)| LatLng { lat, lng });
            PhotoEvidence {
                time: time_agreement(p.taken_at, d.occurred_at),
                hours_apart: p.taken_at.map(|t| (t - d.occurred_at).num_hours().abs()),
                place: place_agreement(taken, reported, tolerance_m),
                metres_apart: taken
                    .zip(reported)
                    .map(|(t, r)| distance_m(t, r).round() as u32),
                also_on: reuses.get(&p.sha256).cloned().unwrap_or_default(),
                photo_id: p.id,
                taken_at: p.taken_at,
                taken_lat: p.taken_lat,
                taken_lng: p.taken_lng,
            }
        })
        .collect();
    Ok(EvidenceView { area, photos })
}
