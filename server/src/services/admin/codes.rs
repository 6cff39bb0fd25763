//! Public codes that change. A branch's code is printed on the village board as a QR code, so a
//! code it gave up is kept as retired: its old board address leads to the new one, and no
//! other unit can take it (someone scanning an old poster must never land on another village's
//! board). Taking back a code of one's own revives it.

use chrono::{DateTime, Utc};
use jifen_shared::domain::OrgCode;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::{org_unit, retired_code};
use crate::error::{AppError, AppResult, OrgRefusal};

/// Refuses `code` when another unit than `for_unit` has it now or had it once.
pub async fn ensure_free(
    db: &impl ConnectionTrait,
    code: &OrgCode,
    for_unit: Option<&str>,
) -> AppResult<()> {
    let other = |owner: &str| for_unit != Some(owner);
    let current = org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code.as_str()))
        .one(db)
        .await?;
    let retired = retired_code::Entity::find_by_id(code.as_str().to_owned())
        .one(db)
        .await?;
    if current.is_some_and(|u| other(&u.id)) || retired.is_some_and(|r| other(&r.org_unit_id)) {
        return Err(AppError::Organisation(OrgRefusal::CodeTaken));
    }
    Ok(())
}

/// Keeps `unit`'s present code as retired, as it takes `next` (revived if it was its own).
pub async fn retire(
    db: &impl ConnectionTrait,
    unit: &org_unit::Model,
    next: &OrgCode,
    now: DateTime<Utc>,
) -> AppResult<()> {
    retired_code::Entity::delete_by_id(next.as_str().to_owned())
        .exec(db)
        .await?;
    if let Some(old) = &unit.code {
        // Kept once: a code retired already (it is the unit's own, see `ensure_free`) stays.
        retired_code::Entity::insert(retired_code::ActiveModel {
            code: Set(old.clone()),
            org_unit_id: Set(unit.id.clone()),
            retired_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(retired_code::Column::Code)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The present code of the unit that once had `code`, when it has given it up for another. None
/// when a unit has `code` now (the present code wins over a retired one, and never leads to
/// itself) or nobody ever had it.
pub async fn successor(db: &impl ConnectionTrait, code: &str) -> AppResult<Option<String>> {
    let current = org_unit::Entity::find()
        .filter(org_unit::Column::Code.eq(code))
        .one(db)
        .await?;
    if current.is_some() {
        return Ok(None);
    }
    let Some(retired) = retired_code::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(org_unit::Entity::find_by_id(retired.org_unit_id)
        .one(db)
        .await?
        .and_then(|u| u.code)
        .filter(|c| c != code))
}

/// The code to look `code` up by: its successor when the unit gave it up, else `code` itself.
pub async fn resolve(db: &impl ConnectionTrait, code: &str) -> AppResult<String> {
    Ok(successor(db, code)
        .await?
        .unwrap_or_else(|| code.to_owned()))
}
