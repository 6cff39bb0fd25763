//! A branch's settings for the points year: base points, names on the board, the alert threshold,
//! the grade thresholds and the usual area for evidence checks. A branch that never changed them
//! has [`BranchSettings::default`]; every change is audited in the branch's chain.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{
    AlertThreshold, BranchSettings, EvidenceArea, GradeThresholds, PatchBranchSettings,
};
use jifen_shared::words::Word;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::entity::branch_settings;
use crate::error::{AppError, AppResult, FieldIssue};
use crate::infra::db::Db;
use crate::services::access::{managed_branch, reviewed_branch, Access};
use crate::services::audit::{self, Event};

/// Most base points a year can give; the whole account of a year is in the low hundreds.
const MAX_BASE_POINTS: i32 = 1000;
/// Grade thresholds and alert points lie within ±this.
const MAX_THRESHOLD: i32 = 10_000;

/// The settings of `branch_id` as the rules use them (no access check: the caller has one).
pub async fn of(db: &impl ConnectionTrait, branch_id: &str) -> AppResult<BranchSettings> {
    match branch_settings::Entity::find_by_id(branch_id.to_owned())
        .one(db)
        .await?
    {
        Some(row) => stored(&row),
        None => Ok(BranchSettings::default()),
    }
}

/// The settings of many branches in one query (statistics over a county), keyed by branch; a
/// branch that never changed them is missing and has the defaults.
pub async fn of_branches(
    db: &impl ConnectionTrait,
    branch_ids: &[String],
) -> AppResult<HashMap<String, BranchSettings>> {
    branch_settings::Entity::find()
        .filter(branch_settings::Column::BranchId.is_in(branch_ids.iter().cloned()))
        .all(db)
        .await?
        .into_iter()
        .map(|row| Ok((row.branch_id.clone(), stored(&row)?)))
        .collect()
}

fn stored(row: &branch_settings::Model) -> AppResult<BranchSettings> {
    serde_json::from_str(&row.settings).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "branch_settings {}: unreadable settings stored: {e}",
            row.branch_id
        ))
    })
}

/// The settings, for the branch's committee and those above it.
pub async fn get(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
) -> AppResult<BranchSettings> {
    let branch = reviewed_branch(db, access, branch_id).await?;
    of(db, &branch.id).await
}

/// Applies `patch` (secretary or administrator), validating the settings as a whole.
pub async fn patch(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    patch: PatchBranchSettings,
) -> AppResult<BranchSettings> {
    let branch = managed_branch(db.conn(), access, branch_id).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let before = of(&*txn, &branch.id).await?;
    let after = merged(before.clone(), patch);
    check(&after)?;
    let text = serde_json::to_string(&after).map_err(anyhow::Error::from)?;
    let row = branch_settings::ActiveModel {
        branch_id: Set(branch.id.clone()),
        settings: Set(text),
        updated_at: Set(now),
        updated_by: Set(access.id().to_owned()),
    };
    branch_settings::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(branch_settings::Column::BranchId)
                .update_columns([
                    branch_settings::Column::Settings,
                    branch_settings::Column::UpdatedAt,
                    branch_settings::Column::UpdatedBy,
                ])
                .to_owned(),
        )
        .exec(&*txn)
        .await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: Some(access.id()),
            action: "branch.settings_changed",
            entity_type: "branch",
            entity_id: &branch.id,
            before: Some(serde_json::to_value(&before).map_err(anyhow::Error::from)?),
            after: Some(serde_json::to_value(&after).map_err(anyhow::Error::from)?),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

fn merged(mut s: BranchSettings, p: PatchBranchSettings) -> BranchSettings {
    if let Some(v) = p.base_points_per_year {
        s.base_points_per_year = v;
    }
    if let Some(v) = p.board_names {
        s.board_names = v;
    }
    if let Some(v) = p.alert {
        s.alert = v;
    }
    if let Some(v) = p.grades {
        s.grades = v;
    }
    if let Some(v) = p.evidence_area {
        s.evidence_area = v;
    }
    s
}

/// Every problem of the settings at once, each naming its field.
fn check(s: &BranchSettings) -> AppResult<()> {
    let mut issues = Vec::new();
    if !(0..=MAX_BASE_POINTS).contains(&s.base_points_per_year) {
        issues.push(FieldIssue::filled(
            "base_points_per_year",
            "settings.out_of_range",
            Word::SettingsOutOfRange,
            &[("min", &0), ("max", &MAX_BASE_POINTS)],
        ));
    }
    match s.alert {
        AlertThreshold::Points { points } if points.abs() > MAX_THRESHOLD => {
            issues.push(FieldIssue::filled(
                "alert.points",
                "settings.out_of_range",
                Word::SettingsOutOfRange,
                &[("min", &-MAX_THRESHOLD), ("max", &MAX_THRESHOLD)],
            ))
        }
        AlertThreshold::MedianShare { percent } if !(1..=100).contains(&percent) => {
            issues.push(percent_issue("alert.percent"))
        }
        _ => {}
    }
    let GradeThresholds {
        excellent,
        qualified,
        basic,
        excellent_cap_percent,
    } = s.grades;
    for (field, v) in [
        ("grades.excellent", excellent),
        ("grades.qualified", qualified),
        ("grades.basic", basic),
    ] {
        if v.abs() > MAX_THRESHOLD {
            issues.push(FieldIssue::filled(
                field,
                "settings.out_of_range",
                Word::SettingsOutOfRange,
                &[("min", &-MAX_THRESHOLD), ("max", &MAX_THRESHOLD)],
            ));
        }
    }
    if excellent <= qualified || qualified <= basic {
        issues.push(FieldIssue::worded(
            "grades",
            "settings.grades_out_of_order",
            Word::SettingsGradesOutOfOrder,
        ));
    }
    if excellent_cap_percent.is_some_and(|p| !(1..=100).contains(&p)) {
        issues.push(percent_issue("grades.excellent_cap_percent"));
    }
    if let Some(EvidenceArea { lat, lng, radius_m }) = s.evidence_area {
        let inside = (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lng)
            && (100..=100_000).contains(&radius_m);
        if !inside {
            issues.push(FieldIssue::worded(
                "evidence_area",
                "settings.area_invalid",
                Word::SettingsAreaInvalid,
            ));
        }
    }
    if issues.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(issues))
    }
}

fn percent_issue(field: &str) -> FieldIssue {
    FieldIssue::filled(
        field,
        "settings.out_of_range",
        Word::SettingsOutOfRange,
        &[("min", &1), ("max", &100)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        check(&BranchSettings::default()).unwrap();
    }

    #[test]
    fn grades_must_descend_and_shares_be_percentages() {
        let mut s = BranchSettings::default();
        s.grades.qualified = s.grades.excellent;
        s.alert = AlertThreshold::MedianShare { percent: 0 };
        let Err(AppError::Validation(issues)) = check(&s) else {
            panic!("accepted");
        };
        let fields: Vec<_> = issues.iter().map(|i| i.field.as_str()).collect();
        assert_eq!(fields, ["alert.percent", "grades"]);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let s = merged(
            BranchSettings::default(),
            PatchBranchSettings {
                base_points_per_year: Some(50),
                evidence_area: Some(None),
                ..Default::default()
            },
        );
        assert_eq!(s.base_points_per_year, 50);
        assert_eq!(s.grades, BranchSettings::default().grades);
    }
}
