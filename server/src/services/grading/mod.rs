//! The year end (年终评定): once the fourth quarter is signed the secretary closes the year, which
//! grades every member from the year's total by the branch's thresholds (优秀 capped by rank, see
//! [`jifen_shared::domain::grade_year`]); the committee may adjust a grade with a reason until the
//! secretary confirms the whole. Every step is audited in the branch's chain.

pub mod export;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{GradeRow, GradeThresholds, GradesView};
use jifen_shared::domain::{
    excellent_cap, grade_year, CycleQuarter, Grade, GradingStatus, QuarterStatus, Reason,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;

use crate::entity::{member, org_unit, quarter_review, year_grade, year_grading};
use crate::error::{AppError, AppResult, GradingRefusal, Missing, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{reviewed_branch, secretary_of, Access};
use crate::services::audit::{self, Event};
use crate::services::{settings, standing};

async fn find(
    db: &impl ConnectionTrait,
    branch_id: &str,
    year: i32,
) -> AppResult<Option<year_grading::Model>> {
    Ok(year_grading::Entity::find()
        .filter(year_grading::Column::BranchId.eq(branch_id))
        .filter(year_grading::Column::CycleYear.eq(year))
        .one(db)
        .await?)
}

fn thresholds_of(g: &year_grading::Model) -> AppResult<GradeThresholds> {
    serde_json::from_str(&g.thresholds).map_err(|e| {
        AppError::Internal(anyhow::anyhow!(
            "year_grading {}: unreadable thresholds stored: {e}",
            g.id
        ))
    })
}

/// The grades of a closed year, by rank then name.
async fn view(
    db: &impl ConnectionTrait,
    branch: &org_unit::Model,
    grading: &year_grading::Model,
) -> AppResult<GradesView> {
    let rows = year_grade::Entity::find()
        .filter(year_grade::Column::GradingId.eq(grading.id.as_str()))
        .all(db)
        .await?;
    let mut ids: Vec<String> = rows.iter().map(|r| r.member_id.clone()).collect();
    ids.extend(rows.iter().filter_map(|r| r.adjusted_by.clone()));
    let names: HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(GradeRow {
            member_name: name(&r.member_id),
            computed: r.computed_grade()?,
            grade: r.grade()?,
            adjusted_by_name: r.adjusted_by.as_deref().map(name),
            member_id: r.member_id,
            total: r.total,
            rank: r.rank.max(1) as u32,
            adjusted_by: r.adjusted_by,
            adjust_reason: r.adjust_reason,
            adjusted_at: r.adjusted_at,
        });
    }
    out.sort_by(|a, b| {
        a.rank
            .cmp(&b.rank)
            .then_with(|| a.member_name.cmp(&b.member_name))
    });
    let thresholds = thresholds_of(grading)?;
    Ok(GradesView {
        branch_id: branch.id.clone(),
        branch_name: branch.name.clone(),
        year: grading.cycle_year,
        status: grading.status()?,
        excellent_cap: excellent_cap(thresholds.excellent_cap_percent, out.len()).map(|c| c as u32),
        thresholds,
        closed_by: grading.closed_by.clone(),
        closed_at: grading.closed_at,
        confirmed_by: grading.confirmed_by.clone(),
        confirmed_at: grading.confirmed_at,
        rows: out,
    })
}

/// The secretary closes `year` once its fourth quarter is signed: every member the branch counts
/// is graded from their year's total with the branch's thresholds as they are now. Once only.
pub async fn close(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    year: i32,
) -> AppResult<GradesView> {
    let branch = secretary_of(db.conn(), access, branch_id).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    if find(&*txn, &branch.id, year).await?.is_some() {
        return Err(AppError::Grading(GradingRefusal::AlreadyClosed));
    }
    let q4_signed = quarter_review::Entity::find()
        .filter(quarter_review::Column::BranchId.eq(branch.id.as_str()))
        .filter(quarter_review::Column::CycleYear.eq(year))
        .filter(quarter_review::Column::CycleQuarter.eq(4i16))
        .one(&*txn)
        .await?
        .map(|r| r.status())
        .transpose()?
        .is_some_and(|s| s != QuarterStatus::Open);
    if !q4_signed {
        return Err(AppError::Grading(GradingRefusal::FourthQuarterNotSigned));
    }
    let thresholds = settings::of(&*txn, &branch.id).await?.grades;
    let members = crate::services::orgs::taking_part(&*txn, &branch.id).await?;
    let totals = standing::totals_to(&*txn, &members, CycleQuarter { year, quarter: 4 }).await?;
    let graded = grade_year(&thresholds, &totals);
    let grading = year_grading::ActiveModel {
        id: Set(ids::new()),
        branch_id: Set(branch.id.clone()),
        cycle_year: Set(year),
        status: Set(GradingStatus::Draft.as_str().to_owned()),
        thresholds: Set(serde_json::to_string(&thresholds).map_err(anyhow::Error::from)?),
        closed_by: Set(access.id().to_owned()),
        closed_at: Set(now),
        confirmed_by: Set(None),
        confirmed_at: Set(None),
    }
    .insert(&*txn)
    .await?;
    let mut recorded = Vec::with_capacity(members.len());
    for (m, g) in members.iter().zip(&graded) {
        year_grade::ActiveModel {
            id: Set(ids::new()),
            grading_id: Set(grading.id.clone()),
            member_id: Set(m.id.clone()),
            total: Set(g.total),
            rank: Set(g.rank as i32),
            computed_grade: Set(g.grade.as_str().to_owned()),
            grade: Set(g.grade.as_str().to_owned()),
            adjusted_by: Set(None),
            adjust_reason: Set(None),
            adjusted_at: Set(None),
        }
        .insert(&*txn)
        .await?;
        recorded.push(json!({
            "member_id": m.id, "total": g.total, "rank": g.rank, "grade": g.grade,
        }));
    }
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: Some(access.id()),
            action: "year.closed",
            entity_type: "year_grading",
            entity_id: &grading.id,
            before: None,
            after: Some(json!({
                "year": year,
                "thresholds": thresholds,
                "grades": recorded,
            })),
            reason: None,
        },
        now,
    )
    .await?;
    let out = view(&*txn, &branch, &grading).await?;
    txn.commit().await?;
    Ok(out)
}

/// The grades of a closed year, for the branch's committee and those above it.
pub async fn grades(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
    year: i32,
) -> AppResult<GradesView> {
    let branch = reviewed_branch(db, access, branch_id).await?;
    let grading = find(db, &branch.id, year)
        .await?
        .ok_or(AppError::NotFound(Missing::Grades))?;
    view(db, &branch, &grading).await
}

/// One member's grade as the committee sets it, and why.
pub struct Adjustment<'a> {
    pub member_id: &'a str,
    pub grade: Grade,
    pub reason: Reason,
}

/// A committee member changes one member's grade, with a reason, before the secretary confirms.
/// Nobody adjusts their own grade, and raising someone to 优秀 keeps within the branch's cap.
pub async fn adjust(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    year: i32,
    change: Adjustment<'_>,
) -> AppResult<GradesView> {
    let Adjustment {
        member_id,
        grade,
        reason,
    } = change;
    let branch = reviewed_branch(db.conn(), access, branch_id).await?;
    if member_id == access.id() {
        return Err(AppError::Forbidden(Refusal::OwnGrade));
    }
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let grading = find(&*txn, &branch.id, year)
        .await?
        .ok_or(AppError::NotFound(Missing::Grades))?;
    if grading.status()? == GradingStatus::Confirmed {
        return Err(AppError::Grading(GradingRefusal::Confirmed));
    }
    let rows = year_grade::Entity::find()
        .filter(year_grade::Column::GradingId.eq(grading.id.as_str()))
        .all(&*txn)
        .await?;
    let row = rows
        .iter()
        .find(|r| r.member_id == member_id)
        .cloned()
        .ok_or(AppError::NotFound(Missing::Member))?;
    let before = row.grade()?;
    if grade == Grade::Excellent && before != Grade::Excellent {
        let thresholds = thresholds_of(&grading)?;
        if let Some(cap) = excellent_cap(thresholds.excellent_cap_percent, rows.len()) {
            let excellent = rows
                .iter()
                .map(|r| r.grade())
                .collect::<AppResult<Vec<_>>>()?
                .into_iter()
                .filter(|g| *g == Grade::Excellent)
                .count();
            if excellent >= cap {
                return Err(AppError::Grading(GradingRefusal::ExcellentCap(cap as u32)));
            }
        }
    }
    let row_id = row.id.clone();
    let mut active: year_grade::ActiveModel = row.into();
    active.grade = Set(grade.as_str().to_owned());
    active.adjusted_by = Set(Some(access.id().to_owned()));
    active.adjust_reason = Set(Some(reason.as_str().to_owned()));
    active.adjusted_at = Set(Some(now));
    active.update(&*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: Some(access.id()),
            action: "grade.adjusted",
            entity_type: "year_grade",
            entity_id: &row_id,
            before: Some(json!({ "member_id": member_id, "year": year, "grade": before })),
            after: Some(json!({ "member_id": member_id, "year": year, "grade": grade })),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await?;
    let out = view(&*txn, &branch, &grading).await?;
    txn.commit().await?;
    Ok(out)
}

/// The secretary confirms the year's grades; from then on they no longer change.
pub async fn confirm(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    year: i32,
) -> AppResult<GradesView> {
    let branch = secretary_of(db.conn(), access, branch_id).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let grading = find(&*txn, &branch.id, year)
        .await?
        .ok_or(AppError::NotFound(Missing::Grades))?;
    if grading.status()? == GradingStatus::Confirmed {
        return Err(AppError::Grading(GradingRefusal::Confirmed));
    }
    let mut active: year_grading::ActiveModel = grading.into();
    active.status = Set(GradingStatus::Confirmed.as_str().to_owned());
    active.confirmed_by = Set(Some(access.id().to_owned()));
    active.confirmed_at = Set(Some(now));
    let confirmed = active.update(&*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: Some(access.id()),
            action: "year.grades_confirmed",
            entity_type: "year_grading",
            entity_id: &confirmed.id,
            before: None,
            after: Some(json!({ "year": year, "status": confirmed.status })),
            reason: None,
        },
        now,
    )
    .await?;
    let out = view(&*txn, &branch, &confirmed).await?;
    txn.commit().await?;
    Ok(out)
}
