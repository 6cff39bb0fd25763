//! Awarding one base item of the catalogue (e.g. 按时交纳党费, dues paid on time) to many members at
//! once: one ledger entry each, in one transaction, all or none. A member who may not receive it
//! (not of the branch, transferred, past the item's cap) refuses the whole award, named in the
//! problem, so the committee fixes the list and sends it again instead of guessing who got it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use jifen_shared::api::{AwardRequest, AwardResult, AwardedEntry};
use jifen_shared::domain::{CycleQuarter, LedgerKind, MemberStatus, Reason, RuleCategory};
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::entity::{member, point_rule};
use crate::error::{AppError, AppResult, CapPeriod, FieldIssue};
use crate::infra::db::Db;
use crate::infra::ids;
use crate::services::access::{reviewed_branch, Access};
use crate::services::audit::{self, Event};
use crate::services::{ledger, notify};

/// Most members one award may name; a branch rarely has more than a hundred.
pub const MAX_MEMBERS: usize = 500;

/// The committee (or the secretary, or an administrator above the branch) awards `rule_id`'s
/// standard points to each of `member_ids` in the current quarter. Each member is told in the
/// inbox.
pub async fn award(
    db: &Db,
    now: DateTime<Utc>,
    access: &Access,
    branch_id: &str,
    req: AwardRequest,
) -> AppResult<AwardResult> {
    let conn = db.conn();
    let branch = reviewed_branch(conn, access, branch_id).await?;
    let mut issues = Vec::new();
    // Each id once, with its place in the request, so a problem points at what was sent.
    let mut seen = HashSet::new();
    let wanted: Vec<(usize, String)> = req
        .member_ids
        .into_iter()
        .enumerate()
        .filter(|(_, id)| seen.insert(id.clone()))
        .collect();
    if wanted.is_empty() || wanted.len() > MAX_MEMBERS {
        issues.push(FieldIssue::filled(
            "member_ids",
            "award.member_count",
            Word::AwardMemberCount,
            &[("max", &MAX_MEMBERS)],
        ));
    }
    let reason = Reason::parse(&req.reason)
        .map_err(|e| issues.push(FieldIssue::explained("reason", &e)))
        .ok();
    let rule = awardable_rule(conn, &req.rule_id, &branch.id)
        .await?
        .map_err(|issue| issues.push(issue))
        .ok();
    let (Some(reason), Some(rule), true) = (reason, rule, issues.is_empty()) else {
        return Err(AppError::Validation(issues));
    };

    let txn = db.begin_write().await?;
    audit::lock_chain(&*txn, &branch.id).await?;
    let members = receiving(&*txn, &branch.id, &wanted).await?;
    let quarter = ledger::open_quarter_for(&*txn, &branch.id, CycleQuarter::of(now), now).await?;
    let points = rule.standard_points;
    for (i, m) in &members {
        match ledger::check_caps(&*txn, &rule, &m.id, quarter, points).await {
            Ok(()) => {}
            Err(AppError::CapExceeded { remaining, period }) => {
                issues.push(cap_issue(*i, m, remaining, period))
            }
            Err(e) => return Err(e),
        }
    }
    if !issues.is_empty() {
        return Err(AppError::Validation(issues));
    }
    let mut entries = Vec::with_capacity(members.len());
    for (_, m) in &members {
        let entry = ledger::write(
            &*txn,
            ledger::NewEntry {
                member_id: &m.id,
                branch_id: &branch.id,
                quarter,
                kind: LedgerKind::Base,
                category: RuleCategory::Base,
                points,
                deed_id: None,
                rule_id: Some(&rule.id),
                reverses_id: None,
                rule_version: None,
                note: reason.as_str(),
                actor_id: Some(access.id()),
            },
            now,
        )
        .await?;
        notify::awarded(&*txn, &m.id, &rule.name, points, reason.as_str(), now).await?;
        entries.push(AwardedEntry {
            member_id: m.id.clone(),
            member_name: m.name.clone(),
            entry_id: entry.id,
        });
    }
    let batch = ids::new();
    audit::record(
        &*txn,
        Event {
            chain_id: &branch.id,
            actor_id: Some(access.id()),
            action: "points.awarded_many",
            entity_type: "point_rule",
            entity_id: &rule.id,
            before: None,
            after: Some(json!({
                "award": batch,
                "points": points,
                "year": quarter.year,
                "quarter": quarter.quarter,
                "entries": entries.iter().map(|e| &e.entry_id).collect::<Vec<_>>(),
                "member_ids": entries.iter().map(|e| &e.member_id).collect::<Vec<_>>(),
            })),
            reason: Some(reason.as_str()),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(AwardResult {
        rule_id: rule.id,
        rule_name: rule.name,
        points,
        year: quarter.year,
        quarter: quarter.quarter,
        entries,
    })
}

/// The rule, when it is an active base item of the branch; otherwise what is wrong with it.
async fn awardable_rule(
    db: &impl ConnectionTrait,
    rule_id: &str,
    branch_id: &str,
) -> AppResult<Result<point_rule::Model, FieldIssue>> {
    let issue = |code, word| Err(FieldIssue::worded("rule_id", code, word));
    let rule = if ids::is_valid(rule_id) {
        point_rule::Entity::find_by_id(rule_id.to_owned())
            .one(db)
            .await?
    } else {
        None
    };
    Ok(match rule {
        Some(r) if r.branch_id == branch_id => {
            if !r.active {
                issue("rule.inactive", Word::RuleInactive)
            } else if r.category()? != RuleCategory::Base {
                issue("award.not_base", Word::AwardNotBase)
            } else {
                Ok(r)
            }
        }
        Some(_) => issue("rule.other_branch", Word::RuleOtherBranch),
        None => issue("rule.unknown", Word::RuleDoesNotExist),
    })
}

/// The members named, each with their place in the request; any that is not a member of the
/// branch taking part in its year refuses the award (422, naming each by place). Nothing tells a
/// member of another branch from an id that does not exist.
async fn receiving(
    db: &impl ConnectionTrait,
    branch_id: &str,
    wanted: &[(usize, String)],
) -> AppResult<Vec<(usize, member::Model)>> {
    let valid: Vec<&str> = wanted
        .iter()
        .map(|(_, id)| id.as_str())
        .filter(|id| ids::is_valid(id))
        .collect();
    let mut found: HashMap<String, member::Model> = member::Entity::find()
        .filter(member::Column::Id.is_in(valid))
        .filter(member::Column::HomeBranchId.eq(branch_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id.clone(), m))
        .collect();
    let mut issues = Vec::new();
    let mut members = Vec::with_capacity(wanted.len());
    for (i, id) in wanted {
        let field = format!("member_ids[{i}]");
        match found.remove(id) {
            None => issues.push(FieldIssue::worded(
                field,
                "award.not_in_branch",
                Word::AwardNotInBranch,
            )),
            Some(m) if m.status()? == MemberStatus::Transferred => issues.push(FieldIssue::worded(
                field,
                "award.member_left",
                Word::AwardMemberLeft,
            )),
            Some(m) => members.push((*i, m)),
        }
    }
    if issues.is_empty() {
        Ok(members)
    } else {
        Err(AppError::Validation(issues))
    }
}

/// A member the award would take past the item's cap, named so the committee sees who.
fn cap_issue(i: usize, m: &member::Model, remaining: i32, period: CapPeriod) -> FieldIssue {
    let period_word = match period {
        CapPeriod::Quarter => Word::AwardPeriodQuarter,
        CapPeriod::Year => Word::AwardPeriodYear,
    };
    let fill = |lang: Lang| {
        Word::AwardCapReached.fill(
            lang,
            &[
                ("name", &m.name),
                ("period", &period_word.text(lang)),
                ("remaining", &remaining),
            ],
        )
    };
    FieldIssue::new(
        format!("member_ids[{i}]"),
        "rule.cap_exceeded",
        fill(Lang::ZhCn),
        fill(Lang::En),
    )
}
