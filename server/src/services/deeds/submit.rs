//! A member reports a deed, and revises one the committee returned.

use chrono::{DateTime, Utc};
use jifen_shared::api::DeedView;
use jifen_shared::domain::{CycleQuarter, DeedStatus, RuleCategory};
use jifen_shared::words::Word;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;

use super::input::DeedForm;
use super::writer::{SubmissionWriter, Written};
use crate::entity::{deed, member, point_rule};
use crate::error::{AppError, AppResult, DeedChange, FieldIssue, Refusal};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::Access;
use crate::services::audit::{self, Event};

/// Whether a submission made a new deed or repeated an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Created,
    Replayed,
}

/// The rule a member may report under: active, of their own branch, not a deduction.
async fn reportable_rule(
    db: &impl ConnectionTrait,
    rule_id: &str,
    branch_id: &str,
) -> AppResult<point_rule::Model> {
    let issue = |code, word| AppError::Validation(vec![FieldIssue::worded("rule_id", code, word)]);
    let rule = point_rule::Entity::find_by_id(rule_id.to_owned())
        .one(db)
        .await?;
    match rule {
        Some(r) if r.branch_id == branch_id => {
            if !r.active {
                Err(issue("rule.inactive", Word::RuleInactive))
            } else if r.category == RuleCategory::Deduction.as_str() {
                Err(issue("rule.not_reportable", Word::RuleNotSelfReported))
            } else {
                Ok(r)
            }
        }
        Some(_) => Err(issue("rule.other_branch", Word::RuleOtherBranch)),
        None => Err(issue("rule.unknown", Word::RuleDoesNotExist)),
    }
}

/// Checks the photos are the member's own uploads, and present when the rule demands evidence;
/// inside a write transaction they stay there until it commits (see [`super::evidence::own_photos_present`]).
async fn check_photos(
    db: &impl ConnectionTrait,
    form: &DeedForm,
    member_id: &str,
    rule: &point_rule::Model,
) -> AppResult<()> {
    if rule.evidence_required && form.photo_ids.is_empty() {
        return Err(AppError::Validation(vec![FieldIssue::worded(
            "photo_ids",
            "photo.required",
            Word::EvidenceRequired,
        )]));
    }
    super::evidence::own_photos_present(db, &form.photo_ids, member_id).await
}

/// Registers a self-reported deed. Sending the same `client_request_id` again, even at the same
/// moment, returns the first deed instead of making a second.
pub async fn submit(
    db: &impl ConnectionTrait,
    writer: &SubmissionWriter,
    now: DateTime<Utc>,
    member: &member::Model,
    form: DeedForm,
    client_request_id: String,
) -> AppResult<(DeedView, Outcome)> {
    submit_as(db, writer, now, member, member, form, client_request_id).await
}

/// Registers a deed for `member`, sent by `sender`: the member themselves, or a committee member
/// or secretary of their branch registering it for them (see [`super::registered::for_member`]).
/// A `client_request_id` is the sender's own: replayed only to the same sender for the same member.
pub async fn submit_as(
    db: &impl ConnectionTrait,
    writer: &SubmissionWriter,
    now: DateTime<Utc>,
    member: &member::Model,
    sender: &member::Model,
    form: DeedForm,
    client_request_id: String,
) -> AppResult<(DeedView, Outcome)> {
    if let Some(existing) = find_by_request(db, &member.id, &sender.id, &client_request_id).await? {
        return Ok((super::view_one(db, existing).await?, Outcome::Replayed));
    }
    let rule = reportable_rule(db, &form.rule_id, &member.home_branch_id).await?;
    check_photos(db, &form, &sender.id, &rule).await?;
    let quarter = CycleQuarter::of(form.occurred_at);
    let row = deed::Model {
        id: ids::new(),
        member_id: member.id.clone(),
        branch_id: member.home_branch_id.clone(),
        rule_id: rule.id.clone(),
        title: form.title.into_inner(),
        account: form.account.into_inner(),
        occurred_at: form.occurred_at,
        cycle_year: quarter.year,
        cycle_quarter: quarter.quarter as i16,
        place_name: form.place.name().as_str().to_owned(),
        lat: form.place.lat(),
        lng: form.place.lng(),
        photo_ids: json!(form.photo_ids).to_string(),
        status: DeedStatus::Submitted.as_str().to_owned(),
        points_claimed: rule.standard_points,
        points_awarded: None,
        decision_reason: None,
        reviewed_by: None,
        reviewed_at: None,
        rule_version: None,
        client_request_id: client_request_id.clone(),
        submitted_by: sender.id.clone(),
        created_at: now,
        updated_at: now,
        first_decided_at: None,
    };

    match writer.write(row.clone()).await? {
        Written::Created => {}
        Written::Duplicate => {
            // A concurrent twin with the same client_request_id was written first.
            let existing = find_by_request(db, &member.id, &sender.id, &client_request_id)
                .await?
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("duplicate deed vanished")))?;
            return Ok((super::view_one(db, existing).await?, Outcome::Replayed));
        }
    }
    let mut view = super::view(row, member.name.clone(), &rule)?;
    if view.registered_by.is_some() {
        view.registered_by_name = Some(sender.name.clone());
    }
    Ok((view, Outcome::Created))
}

async fn find_by_request(
    db: &impl ConnectionTrait,
    member_id: &str,
    sender_id: &str,
    client_request_id: &str,
) -> AppResult<Option<deed::Model>> {
    Ok(deed::Entity::find()
        .filter(deed::Column::MemberId.eq(member_id))
        .filter(deed::Column::SubmittedBy.eq(sender_id))
        .filter(deed::Column::ClientRequestId.eq(client_request_id))
        .one(db)
        .await?)
}

/// The member corrects a returned deed and submits it again.
pub async fn revise(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    deed_id: &str,
    form: DeedForm,
) -> AppResult<deed::Model> {
    let conn = db.conn();
    let (current, standing) = super::visible(conn, access, deed_id).await?;
    if !standing.owner && !standing.registrar {
        return Err(AppError::Forbidden(Refusal::NotOwner));
    }
    let rule = reportable_rule(conn, &form.rule_id, &current.branch_id).await?;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &current.branch_id).await?;
    // The reviser's own uploads: the member's, or the registrar's for a deed registered for them.
    check_photos(&*txn, &form, access.id(), &rule).await?;
    let before = deed::Entity::find_by_id(current.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(crate::error::Missing::Deed))?;
    let status = before.status()?;
    if status != DeedStatus::Returned {
        return Err(AppError::InvalidTransition {
            from: status,
            action: DeedChange::Revise,
        });
    }
    let quarter = CycleQuarter::of(form.occurred_at);
    let mut active: deed::ActiveModel = before.clone().into();
    active.rule_id = Set(rule.id.clone());
    active.title = Set(form.title.into_inner());
    active.account = Set(form.account.into_inner());
    active.occurred_at = Set(form.occurred_at);
    active.cycle_year = Set(quarter.year);
    active.cycle_quarter = Set(quarter.quarter as i16);
    active.place_name = Set(form.place.name().as_str().to_owned());
    active.lat = Set(form.place.lat());
    active.lng = Set(form.place.lng());
    active.photo_ids = Set(json!(form.photo_ids).to_string());
    active.points_claimed = Set(rule.standard_points);
    active.status = Set(DeedStatus::Submitted.as_str().to_owned());
    active.decision_reason = Set(None);
    active.updated_at = Set(now);
    let after = active.update(&*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &after.branch_id,
            actor_id: Some(access.id()),
            action: "deed.resubmitted",
            entity_type: "deed",
            entity_id: &after.id,
            before: Some(super::snapshot(&before)),
            after: Some(super::snapshot(&after)),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
