//! A branch's rules catalogue (积分细则): what can be earned or lost, and how much. Items are
//! versioned: an edit of what an item is worth or means makes a new version, kept beside the old
//! ones, so entries and deeds can say which version they were given under.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{CreateRuleRequest, PatchRuleRequest, RuleVersionView, RuleView};
use jifen_shared::domain::{Points, RuleCategory, RuleName};
use jifen_shared::words::Word;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};

use crate::entity::{member, point_rule, point_rule_version};
use crate::error::{AppError, AppResult, FieldIssue, Missing};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{managed_branch, visible_branch, Access};
use crate::services::audit::{self, Event};

pub fn view(r: point_rule::Model) -> AppResult<RuleView> {
    Ok(RuleView {
        category: r.category()?,
        id: r.id,
        branch_id: r.branch_id,
        name: r.name,
        description: r.description,
        standard_points: r.standard_points,
        cap_per_quarter: r.cap_per_quarter,
        cap_per_year: r.cap_per_year,
        evidence_required: r.evidence_required,
        active: r.active,
        version: r.version,
    })
}

pub async fn list(
    db: &impl ConnectionTrait,
    access: &Access,
    branch_id: &str,
) -> AppResult<Vec<RuleView>> {
    let branch = visible_branch(db, access, branch_id).await?;
    point_rule::Entity::find()
        .filter(point_rule::Column::BranchId.eq(branch.id))
        .order_by_asc(point_rule::Column::Category)
        .order_by_asc(point_rule::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(view)
        .collect()
}

/// A validated rule definition.
#[derive(Debug, Clone)]
pub struct RuleSpec {
    pub category: RuleCategory,
    pub name: RuleName,
    pub description: String,
    pub standard_points: Points,
    pub cap_per_quarter: Option<i32>,
    pub cap_per_year: Option<i32>,
    pub evidence_required: bool,
}

const MAX_DESCRIPTION: usize = 1000;
const MAX_CAP: i32 = 10_000;

fn check_cap(field: &str, cap: Option<i32>, issues: &mut Vec<FieldIssue>) {
    if cap.is_some_and(|c| !(1..=MAX_CAP).contains(&c)) {
        issues.push(FieldIssue::filled(
            field,
            "rule.cap_out_of_range",
            Word::RuleCapOutOfRange,
            &[("max", &MAX_CAP)],
        ));
    }
}

fn check_points(
    category: RuleCategory,
    points: i32,
    issues: &mut Vec<FieldIssue>,
) -> Option<Points> {
    match Points::parse(points) {
        Ok(p) if category.accepts(p.value()) => Some(p),
        Ok(_) => {
            issues.push(FieldIssue::worded(
                "standard_points",
                "points.wrong_sign",
                Word::RulePointsWrongSign,
            ));
            None
        }
        Err(e) => {
            issues.push(FieldIssue::explained("standard_points", &e));
            None
        }
    }
}

fn check_description(d: &str, issues: &mut Vec<FieldIssue>) {
    if d.chars().count() > MAX_DESCRIPTION {
        issues.push(FieldIssue::explained(
            "description",
            &jifen_shared::domain::TextError::TooLong {
                max: MAX_DESCRIPTION,
            },
        ));
    }
}

impl TryFrom<CreateRuleRequest> for RuleSpec {
    type Error = AppError;

    fn try_from(r: CreateRuleRequest) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let name = RuleName::parse(&r.name)
            .map_err(|e| issues.push(FieldIssue::explained("name", &e)))
            .ok();
        let points = check_points(r.category, r.standard_points, &mut issues);
        check_description(&r.description, &mut issues);
        check_cap("cap_per_quarter", r.cap_per_quarter, &mut issues);
        check_cap("cap_per_year", r.cap_per_year, &mut issues);
        match (name, points) {
            (Some(name), Some(standard_points)) if issues.is_empty() => Ok(RuleSpec {
                category: r.category,
                name,
                description: r.description.trim().to_owned(),
                standard_points,
                cap_per_quarter: r.cap_per_quarter,
                cap_per_year: r.cap_per_year,
                evidence_required: r.evidence_required,
            }),
            _ => Err(AppError::Validation(issues)),
        }
    }
}

/// A validated change to a rule: only the fields given change. Whether new standard points
/// have the right sign is checked against the rule's category when it is applied.
#[derive(Debug, Clone, Default)]
pub struct RulePatch {
    pub name: Option<RuleName>,
    pub description: Option<String>,
    pub standard_points: Option<Points>,
    pub cap_per_quarter: Option<Option<i32>>,
    pub cap_per_year: Option<Option<i32>>,
    pub evidence_required: Option<bool>,
    pub active: Option<bool>,
}

impl TryFrom<PatchRuleRequest> for RulePatch {
    type Error = AppError;

    fn try_from(p: PatchRuleRequest) -> Result<Self, AppError> {
        let mut issues = Vec::new();
        let name = match &p.name {
            Some(n) => RuleName::parse(n)
                .map_err(|e| issues.push(FieldIssue::explained("name", &e)))
                .ok(),
            None => None,
        };
        if let Some(d) = &p.description {
            check_description(d, &mut issues);
        }
        let standard_points = match p.standard_points {
            Some(points) => Points::parse(points)
                .map_err(|e| issues.push(FieldIssue::explained("standard_points", &e)))
                .ok(),
            None => None,
        };
        if let Some(cap) = p.cap_per_quarter {
            check_cap("cap_per_quarter", cap, &mut issues);
        }
        if let Some(cap) = p.cap_per_year {
            check_cap("cap_per_year", cap, &mut issues);
        }
        if !issues.is_empty() {
            return Err(AppError::Validation(issues));
        }
        Ok(RulePatch {
            name,
            description: p.description.map(|d| d.trim().to_owned()),
            standard_points,
            cap_per_quarter: p.cap_per_quarter,
            cap_per_year: p.cap_per_year,
            evidence_required: p.evidence_required,
            active: p.active,
        })
    }
}

pub async fn create(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    spec: RuleSpec,
) -> AppResult<RuleView> {
    let branch_id = managed_branch(db.conn(), access, branch_id).await?.id;
    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch_id).await?;
    let row = insert_as(&*txn, &branch_id, &spec, Some(access.id()), now).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &branch_id,
            actor_id: Some(access.id()),
            action: "rule.created",
            entity_type: "rule",
            entity_id: &row.id,
            before: None,
            after: Some(serde_json::to_value(view(row.clone())?).map_err(anyhow::Error::from)?),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    view(row)
}

/// Inserts a rule row and its version 1, made by nobody (the demo's catalogue); the audit event
/// is the caller's.
pub async fn insert(
    db: &impl ConnectionTrait,
    branch_id: &str,
    spec: &RuleSpec,
    now: DateTime<Utc>,
) -> AppResult<point_rule::Model> {
    insert_as(db, branch_id, spec, None, now).await
}

async fn insert_as(
    db: &impl ConnectionTrait,
    branch_id: &str,
    spec: &RuleSpec,
    actor_id: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<point_rule::Model> {
    let row = point_rule::Model {
        id: ids::new(),
        branch_id: branch_id.to_owned(),
        category: spec.category.as_str().to_owned(),
        name: spec.name.as_str().to_owned(),
        description: spec.description.clone(),
        standard_points: spec.standard_points.value(),
        cap_per_quarter: spec.cap_per_quarter,
        cap_per_year: spec.cap_per_year,
        evidence_required: spec.evidence_required,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    point_rule::Entity::insert(point_rule::ActiveModel::from(row.clone()))
        .exec(db)
        .await?;
    keep_version(db, &row, actor_id, now).await?;
    Ok(row)
}

/// Keeps the values `rule` has now as its version `rule.version`.
async fn keep_version(
    db: &impl ConnectionTrait,
    rule: &point_rule::Model,
    actor_id: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    point_rule_version::Entity::insert(point_rule_version::ActiveModel::from(
        point_rule_version::Model {
            rule_id: rule.id.clone(),
            version: rule.version,
            name: rule.name.clone(),
            description: rule.description.clone(),
            standard_points: rule.standard_points,
            cap_per_quarter: rule.cap_per_quarter,
            cap_per_year: rule.cap_per_year,
            evidence_required: rule.evidence_required,
            created_at: now,
            created_by: actor_id.map(str::to_owned),
        },
    ))
    .exec(db)
    .await?;
    Ok(())
}

/// Loads a rule the caller may see; a rule of a branch they cannot see does not exist for them.
async fn visible_rule(
    db: &impl ConnectionTrait,
    access: &Access,
    rule_id: &str,
) -> AppResult<point_rule::Model> {
    let not_found = || AppError::NotFound(Missing::Rule);
    if !ids::is_valid(rule_id) {
        return Err(not_found());
    }
    let rule = point_rule::Entity::find_by_id(rule_id.to_owned())
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    if !access.can_see(db, &rule.branch_id).await? {
        return Err(not_found());
    }
    Ok(rule)
}

/// The values of `current` with `p` applied, and whether they differ from `current` in what an
/// award is worth or means (a new version) and in whether the item is active.
fn apply(current: &point_rule::Model, p: RulePatch) -> AppResult<(point_rule::Model, bool, bool)> {
    let mut next = current.clone();
    if let Some(points) = p.standard_points {
        if !current.category()?.accepts(points.value()) {
            return Err(AppError::Validation(vec![FieldIssue::worded(
                "standard_points",
                "points.wrong_sign",
                Word::RulePointsWrongSign,
            )]));
        }
        next.standard_points = points.value();
    }
    if let Some(name) = p.name {
        next.name = name.into_inner();
    }
    if let Some(d) = p.description {
        next.description = d;
    }
    if let Some(cap) = p.cap_per_quarter {
        next.cap_per_quarter = cap;
    }
    if let Some(cap) = p.cap_per_year {
        next.cap_per_year = cap;
    }
    if let Some(e) = p.evidence_required {
        next.evidence_required = e;
    }
    if let Some(a) = p.active {
        next.active = a;
    }
    let revised = (
        &next.name,
        &next.description,
        next.standard_points,
        next.cap_per_quarter,
        next.cap_per_year,
        next.evidence_required,
    ) != (
        &current.name,
        &current.description,
        current.standard_points,
        current.cap_per_quarter,
        current.cap_per_year,
        current.evidence_required,
    );
    let toggled = next.active != current.active;
    Ok((next, revised, toggled))
}

/// Changes an item. A change of what it is worth or means makes version N+1 (entries and deeds
/// given under version N keep it); retiring or reactivating it changes no version. Either is
/// audited; a patch that changes nothing writes nothing.
pub async fn patch(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    rule_id: &str,
    p: RulePatch,
) -> AppResult<RuleView> {
    let found = visible_rule(db.conn(), access, rule_id).await?;
    managed_branch(db.conn(), access, &found.branch_id).await?;

    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &found.branch_id).await?;
    // Read again under the chain's lock, so two edits at once make two versions, not one twice.
    let current = point_rule::Entity::find_by_id(found.id.clone())
        .one(&*txn)
        .await?
        .ok_or(AppError::NotFound(Missing::Rule))?;
    let (mut next, revised, toggled) = apply(&current, p)?;
    if !revised && !toggled {
        return view(current);
    }
    if revised {
        next.version = current.version + 1;
        keep_version(&*txn, &next, Some(access.id()), now).await?;
    }
    next.updated_at = now;
    let mut active: point_rule::ActiveModel = current.clone().into();
    active.name = Set(next.name.clone());
    active.description = Set(next.description.clone());
    active.standard_points = Set(next.standard_points);
    active.cap_per_quarter = Set(next.cap_per_quarter);
    active.cap_per_year = Set(next.cap_per_year);
    active.evidence_required = Set(next.evidence_required);
    active.active = Set(next.active);
    active.version = Set(next.version);
    active.updated_at = Set(now);
    let after = active.update(&*txn).await?;
    audit::record(
        &*txn,
        Event {
            chain_id: &after.branch_id,
            actor_id: Some(access.id()),
            action: match (revised, after.active) {
                (true, _) => "rule.updated",
                (false, false) => "rule.retired",
                (false, true) => "rule.reactivated",
            },
            entity_type: "rule",
            entity_id: &after.id,
            before: Some(serde_json::to_value(view(current)?).map_err(anyhow::Error::from)?),
            after: Some(serde_json::to_value(view(after.clone())?).map_err(anyhow::Error::from)?),
            reason: None,
        },
        now,
    )
    .await?;
    txn.commit().await?;
    view(after)
}

/// An item's versions, newest first, for anyone who may read its branch's catalogue.
pub async fn versions(
    db: &impl ConnectionTrait,
    access: &Access,
    rule_id: &str,
) -> AppResult<Vec<RuleVersionView>> {
    let rule = visible_rule(db, access, rule_id).await?;
    let rows = point_rule_version::Entity::find()
        .filter(point_rule_version::Column::RuleId.eq(rule.id))
        .order_by_desc(point_rule_version::Column::Version)
        .all(db)
        .await?;
    let makers: Vec<String> = rows.iter().filter_map(|v| v.created_by.clone()).collect();
    let names: HashMap<String, String> = member::Entity::find()
        .filter(member::Column::Id.is_in(makers))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.name))
        .collect();
    Ok(rows
        .into_iter()
        .map(|v| RuleVersionView {
            created_by_name: v.created_by.as_ref().and_then(|id| names.get(id).cloned()),
            rule_id: v.rule_id,
            version: v.version,
            name: v.name,
            description: v.description,
            standard_points: v.standard_points,
            cap_per_quarter: v.cap_per_quarter,
            cap_per_year: v.cap_per_year,
            evidence_required: v.evidence_required,
            created_at: v.created_at,
            created_by: v.created_by,
        })
        .collect())
}
