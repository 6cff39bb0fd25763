//! Reading what the statistics count for a set of branches: one grouped query per kind of record
//! over the whole set (never one per branch or member), for the cycle year of the period, so that
//! the quarters' trend comes from the same reads. The figures are then put together in Rust.
//!
//! The branches are read [`BRANCHES_PER_QUERY`] at a time, their ids going into each query as one
//! `IN` list: a county's few thousand branches cost a few rounds of queries, and no query comes
//! near the limits on bound values (32766 in SQLite, 65535 in PostgreSQL).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use jifen_shared::api::{AlertThreshold, DeedCounts, FeedbackFigures};
use jifen_shared::domain::{
    AttendanceMode, CycleQuarter, DeedStatus, FeedbackStatus, MemberStatus, RuleCategory,
};
use sea_orm::sea_query::{Alias, Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::decisions::decided_in;
use super::Period;
use crate::entity::stored::word;
use crate::entity::{deed, feedback, ledger_entry, meeting, meeting_attendance, member, org_unit};
use crate::error::AppResult;
use crate::services::settings;

/// Branches read together: each query binds their ids once (and a handful of other values).
pub const BRANCHES_PER_QUERY: usize = 1000;

/// Index of a category in [`MemberRaw::points`].
pub(super) const BASE: usize = 0;
pub(super) const BONUS: usize = 1;
pub(super) const DEDUCTION: usize = 2;

/// One member taking part in a branch (at home in it, active or migrant), over the year.
pub(super) struct MemberRaw {
    pub id: String,
    pub name: String,
    pub status: MemberStatus,
    /// The ledger's points of each category (signed as stored: deductions negative, reversals
    /// against their category) in each quarter.
    pub points: [[i64; 4]; 3],
    /// Deeds approved now whose award entry the ledger put in each quarter.
    pub awarded: [u32; 4],
    /// Deeds of each quarter (the quarter the deed happened in) approved now, and waiting for
    /// review now.
    pub approved: [u32; 4],
    pub waiting: [u32; 4],
    /// Per quarter: branch meetings present at, and expected at without leave.
    pub attendance: [(u32, u32); 4],
}

/// A closed meeting of the branch: its quarter, those present and those expected without leave.
pub(super) struct MeetingRaw {
    pub quarter: u8,
    pub present: u32,
    pub counted: u32,
}

/// A deed's first decision: the quarter it fell in and the hours since submission.
pub(super) struct Decision {
    pub quarter: u8,
    pub hours: f64,
}

/// Everything counted for one branch over the year.
pub(super) struct BranchRaw {
    pub unit: org_unit::Model,
    pub alert: AlertThreshold,
    pub members: Vec<MemberRaw>,
    /// Deeds of each quarter by where they stand now.
    pub deeds: [DeedCounts; 4],
    /// First decisions made in the year.
    pub decisions: Vec<Decision>,
    pub meetings: Vec<MeetingRaw>,
    pub feedback: [FeedbackFigures; 4],
}

impl BranchRaw {
    /// About how many bytes it holds, for [`super::kept`].
    pub fn weight(&self) -> usize {
        let members: usize = self
            .members
            .iter()
            .map(|m| std::mem::size_of::<MemberRaw>() + m.id.len() + m.name.len())
            .sum();
        std::mem::size_of::<Self>()
            + members
            + self.decisions.len() * std::mem::size_of::<Decision>()
            + self.meetings.len() * std::mem::size_of::<MeetingRaw>()
    }
}

/// Quarter 1–4 as an index; anything else is not in a year.
fn slot(quarter: i16) -> Option<usize> {
    (1..=4).contains(&quarter).then(|| (quarter - 1) as usize)
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The members taking part in `ids` (as [`crate::services::orgs::taking_part`] counts them).
fn members_of(ids: &[String]) -> SelectStatement {
    Query::select()
        .column((member::Entity, member::Column::Id))
        .from(member::Entity)
        .and_where(member::Column::HomeBranchId.is_in(ids.iter().cloned()))
        .and_where(member::Column::Status.ne(MemberStatus::Transferred.as_str()))
        .to_owned()
}

/// The closed meetings the branches held in the period.
fn meetings_of(ids: &[String], period: &Period) -> SelectStatement {
    Query::select()
        .column((meeting::Entity, meeting::Column::Id))
        .from(meeting::Entity)
        .and_where(meeting::Column::OrgUnitId.is_in(ids.iter().cloned()))
        .and_where(meeting::Column::ClosedAt.is_not_null())
        .and_where(meeting::Column::StartsAt.gte(period.starts_at()))
        .and_where(meeting::Column::StartsAt.lt(period.ends_at()))
        .to_owned()
}

/// Reads the year of `period` for `branches` (each a branch), in the order given;
/// `per_member` also reads each member's deeds and attendance (only the branch page shows them;
/// above a branch they would be as many rows as the deeds themselves).
pub(super) async fn gather(
    db: &impl ConnectionTrait,
    mut branches: Vec<org_unit::Model>,
    period: &Period,
    per_member: bool,
) -> AppResult<Vec<BranchRaw>> {
    // Everything read is per branch (members are counted at home), so chunks are independent.
    let mut raw = Vec::with_capacity(branches.len());
    while !branches.is_empty() {
        let rest = branches.split_off(branches.len().min(BRANCHES_PER_QUERY));
        raw.extend(gather_chunk(db, branches, period, per_member).await?);
        branches = rest;
    }
    Ok(raw)
}

async fn gather_chunk(
    db: &impl ConnectionTrait,
    branches: Vec<org_unit::Model>,
    period: &Period,
    per_member: bool,
) -> AppResult<Vec<BranchRaw>> {
    let year = Period::year_of(period.last_quarter());
    let ids: Vec<String> = branches.iter().map(|b| b.id.clone()).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let settings = settings::of_branches(db, &ids).await?;
    let mut raw: Vec<BranchRaw> = branches
        .into_iter()
        .map(|unit| BranchRaw {
            alert: settings.get(&unit.id).cloned().unwrap_or_default().alert,
            unit,
            members: Vec::new(),
            deeds: Default::default(),
            decisions: Vec::new(),
            meetings: Vec::new(),
            feedback: Default::default(),
        })
        .collect();
    let at: HashMap<String, usize> = raw
        .iter()
        .enumerate()
        .map(|(i, b)| (b.unit.id.clone(), i))
        .collect();

    // Where each member sits: (branch index, member index).
    let mut seat: HashMap<String, (usize, usize)> = HashMap::new();
    let members: Vec<(String, String, String, String)> = member::Entity::find()
        .select_only()
        .column(member::Column::Id)
        .column(member::Column::HomeBranchId)
        .column(member::Column::Name)
        .column(member::Column::Status)
        .filter(member::Column::HomeBranchId.is_in(ids.iter().cloned()))
        .filter(member::Column::Status.ne(MemberStatus::Transferred.as_str()))
        .into_tuple()
        .all(db)
        .await?;
    for (id, branch, name, status) in members {
        let Some(&b) = at.get(&branch) else { continue };
        let status = word("member", &id, "status", &status)?;
        seat.insert(id.clone(), (b, raw[b].members.len()));
        raw[b].members.push(MemberRaw {
            id,
            name,
            status,
            points: Default::default(),
            awarded: Default::default(),
            approved: Default::default(),
            waiting: Default::default(),
            attendance: Default::default(),
        });
    }

    points(db, &ids, year.year(), &seat, &mut raw).await?;
    awarded(db, &ids, year.year(), &seat, &mut raw).await?;
    deeds(db, &ids, year.year(), &at, &seat, per_member, &mut raw).await?;
    decisions(db, &ids, &year, &at, &mut raw).await?;
    meetings(db, &ids, &year, &at, &seat, per_member, &mut raw).await?;
    feedback(db, &ids, year.year(), &at, &mut raw).await?;
    for b in &mut raw {
        b.members
            .sort_by(|x, y| x.name.cmp(&y.name).then_with(|| x.id.cmp(&y.id)));
    }
    Ok(raw)
}

/// Each member's points by category and quarter.
async fn points(
    db: &impl ConnectionTrait,
    ids: &[String],
    year: i32,
    seat: &HashMap<String, (usize, usize)>,
    raw: &mut [BranchRaw],
) -> AppResult<()> {
    let rows: Vec<(String, String, i16, Option<i64>)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::MemberId)
        .column(ledger_entry::Column::Category)
        .column(ledger_entry::Column::CycleQuarter)
        .column_as(
            Expr::col((ledger_entry::Entity, ledger_entry::Column::Points)).sum(),
            "points",
        )
        .filter(ledger_entry::Column::MemberId.in_subquery(members_of(ids)))
        .filter(ledger_entry::Column::CycleYear.eq(year))
        .group_by(ledger_entry::Column::MemberId)
        .group_by(ledger_entry::Column::Category)
        .group_by(ledger_entry::Column::CycleQuarter)
        .into_tuple()
        .all(db)
        .await?;
    for (member_id, category, quarter, sum) in rows {
        let (Some(&(b, m)), Some(q)) = (seat.get(&member_id), slot(quarter)) else {
            continue;
        };
        let category: RuleCategory = word("ledger_entry", &member_id, "category", &category)?;
        let c = match category {
            RuleCategory::Base => BASE,
            RuleCategory::Bonus => BONUS,
            RuleCategory::Deduction => DEDUCTION,
        };
        raw[b].members[m].points[c][q] += sum.unwrap_or(0);
    }
    Ok(())
}

/// Each member's deeds approved now, in the quarter their award entry is in: the award entries
/// (a deed's, not a reversal) that no entry reverses. An approved deed leaves `approved` only by
/// revocation, which reverses its award ([`DeedStatus::can_become`]), so this counts the same as
/// asking each deed's status, without a lookup in `deed` per entry: at province size those
/// scattered key lookups were most of a cold town's statistics.
async fn awarded(
    db: &impl ConnectionTrait,
    ids: &[String],
    year: i32,
    seat: &HashMap<String, (usize, usize)>,
    raw: &mut [BranchRaw],
) -> AppResult<()> {
    let reversal = Alias::new("reversal");
    let reversed = Query::select()
        .expr(Expr::val(1))
        .from_as(ledger_entry::Entity, reversal.clone())
        .and_where(
            Expr::col((reversal, ledger_entry::Column::ReversesId))
                .equals((ledger_entry::Entity, ledger_entry::Column::Id)),
        )
        .to_owned();
    let rows: Vec<(String, i16, i64)> = ledger_entry::Entity::find()
        .select_only()
        .column(ledger_entry::Column::MemberId)
        .column(ledger_entry::Column::CycleQuarter)
        .column_as(
            Expr::col((ledger_entry::Entity, ledger_entry::Column::Id)).count(),
            "deeds",
        )
        .filter(ledger_entry::Column::MemberId.in_subquery(members_of(ids)))
        .filter(ledger_entry::Column::CycleYear.eq(year))
        .filter(ledger_entry::Column::DeedId.is_not_null())
        .filter(ledger_entry::Column::ReversesId.is_null())
        .filter(Expr::exists(reversed).not())
        .group_by(ledger_entry::Column::MemberId)
        .group_by(ledger_entry::Column::CycleQuarter)
        .into_tuple()
        .all(db)
        .await?;
    for (member_id, quarter, n) in rows {
        if let (Some(&(b, m)), Some(q)) = (seat.get(&member_id), slot(quarter)) {
            raw[b].members[m].awarded[q] += count(n);
        }
    }
    Ok(())
}

/// The deeds of the year (by the quarter they happened in) by branch and status now; with
/// `per_member`, by member too.
async fn deeds(
    db: &impl ConnectionTrait,
    ids: &[String],
    year: i32,
    at: &HashMap<String, usize>,
    seat: &HashMap<String, (usize, usize)>,
    per_member: bool,
    raw: &mut [BranchRaw],
) -> AppResult<()> {
    let mut query = deed::Entity::find()
        .select_only()
        .column(deed::Column::BranchId)
        .column(deed::Column::CycleQuarter)
        .column(deed::Column::Status)
        .column_as(Expr::col((deed::Entity, deed::Column::Id)).count(), "deeds")
        .filter(deed::Column::BranchId.is_in(ids.iter().cloned()))
        .filter(deed::Column::CycleYear.eq(year))
        .group_by(deed::Column::BranchId)
        .group_by(deed::Column::CycleQuarter)
        .group_by(deed::Column::Status);
    if per_member {
        query = query
            .column(deed::Column::MemberId)
            .group_by(deed::Column::MemberId);
    }
    let rows: Vec<(String, i16, String, i64, Option<String>)> = if per_member {
        query.into_tuple().all(db).await?
    } else {
        let rows: Vec<(String, i16, String, i64)> = query.into_tuple().all(db).await?;
        rows.into_iter()
            .map(|(b, q, s, n)| (b, q, s, n, None))
            .collect()
    };
    for (branch, quarter, status, n, member_id) in rows {
        let (Some(&b), Some(q)) = (at.get(&branch), slot(quarter)) else {
            continue;
        };
        let n = count(n);
        let status: DeedStatus = word("deed", &branch, "status", &status)?;
        let c = &mut raw[b].deeds[q];
        *match status {
            DeedStatus::Submitted => &mut c.submitted,
            DeedStatus::Approved => &mut c.approved,
            DeedStatus::Rejected => &mut c.rejected,
            DeedStatus::Returned => &mut c.returned,
            DeedStatus::Withdrawn => &mut c.withdrawn,
            DeedStatus::Revoked => &mut c.revoked,
        } += n;
        let seated = member_id.and_then(|id| seat.get(&id).copied());
        if let Some((mb, m)) = seated.filter(|(mb, _)| *mb == b) {
            let row = &mut raw[mb].members[m];
            match status {
                DeedStatus::Approved => row.approved[q] += n,
                DeedStatus::Submitted => row.waiting[q] += n,
                _ => {}
            }
        }
    }
    Ok(())
}

/// The first decision on each deed of the branches made in the year, with the time it took from
/// submission, from the decision kept on the deed.
async fn decisions(
    db: &impl ConnectionTrait,
    ids: &[String],
    year: &Period,
    at: &HashMap<String, usize>,
    raw: &mut [BranchRaw],
) -> AppResult<()> {
    for (branch, submitted, decided) in decided_in(db, ids, year).await? {
        let Some(&b) = at.get(&branch) else { continue };
        let q = CycleQuarter::of(decided);
        if q.year != year.year() {
            continue;
        }
        let seconds = (decided - submitted).num_seconds().max(0);
        raw[b].decisions.push(Decision {
            quarter: q.quarter,
            hours: seconds as f64 / 3600.0,
        });
    }
    Ok(())
}

/// The branches' closed meetings of the year and how many were present and expected without
/// leave; with `per_member`, also each member's.
async fn meetings(
    db: &impl ConnectionTrait,
    ids: &[String],
    year: &Period,
    at: &HashMap<String, usize>,
    seat: &HashMap<String, (usize, usize)>,
    per_member: bool,
    raw: &mut [BranchRaw],
) -> AppResult<()> {
    let held: Vec<(String, String, DateTime<Utc>)> = meeting::Entity::find()
        .select_only()
        .column(meeting::Column::Id)
        .column(meeting::Column::OrgUnitId)
        .column(meeting::Column::StartsAt)
        .filter(meeting::Column::Id.in_subquery(meetings_of(ids, year)))
        .into_tuple()
        .all(db)
        .await?;
    if held.is_empty() {
        return Ok(());
    }
    let lines: Vec<(String, String, i64)> = meeting_attendance::Entity::find()
        .select_only()
        .column(meeting_attendance::Column::MeetingId)
        .column(meeting_attendance::Column::Mode)
        .column_as(
            Expr::col((meeting_attendance::Entity, meeting_attendance::Column::Id)).count(),
            "lines",
        )
        .filter(meeting_attendance::Column::MeetingId.in_subquery(meetings_of(ids, year)))
        .group_by(meeting_attendance::Column::MeetingId)
        .group_by(meeting_attendance::Column::Mode)
        .into_tuple()
        .all(db)
        .await?;
    let mut tally: HashMap<String, (u32, u32)> = HashMap::new();
    for (meeting_id, mode, n) in lines {
        let mode: AttendanceMode = word("meeting_attendance", &meeting_id, "mode", &mode)?;
        let t = tally.entry(meeting_id).or_default();
        match mode {
            AttendanceMode::OnSite | AttendanceMode::Remote => {
                t.0 += count(n);
                t.1 += count(n);
            }
            AttendanceMode::Absent => t.1 += count(n),
            AttendanceMode::Leave => {}
        }
    }
    let mut quarter_of: HashMap<String, (usize, u8)> = HashMap::new();
    for (id, unit, starts_at) in held {
        let Some(&b) = at.get(&unit) else { continue };
        let quarter = CycleQuarter::of(starts_at).quarter;
        let (present, counted) = tally.get(&id).copied().unwrap_or_default();
        raw[b].meetings.push(MeetingRaw {
            quarter,
            present,
            counted,
        });
        quarter_of.insert(id, (b, quarter));
    }
    if !per_member {
        return Ok(());
    }
    let lines: Vec<(String, String, String)> = meeting_attendance::Entity::find()
        .select_only()
        .column(meeting_attendance::Column::MeetingId)
        .column(meeting_attendance::Column::MemberId)
        .column(meeting_attendance::Column::Mode)
        .filter(meeting_attendance::Column::MeetingId.in_subquery(meetings_of(ids, year)))
        .into_tuple()
        .all(db)
        .await?;
    for (meeting_id, member_id, mode) in lines {
        let (Some(&(b, q)), Some(&(mb, m))) = (quarter_of.get(&meeting_id), seat.get(&member_id))
        else {
            continue;
        };
        if b != mb {
            continue;
        }
        let mode: AttendanceMode = word("meeting_attendance", &meeting_id, "mode", &mode)?;
        let cell = &mut raw[mb].members[m].attendance[usize::from(q - 1)];
        match mode {
            AttendanceMode::OnSite | AttendanceMode::Remote => {
                cell.0 += 1;
                cell.1 += 1;
            }
            AttendanceMode::Absent => cell.1 += 1,
            AttendanceMode::Leave => {}
        }
    }
    Ok(())
}

/// Feedback from the masses of the year by branch, quarter received and status now.
async fn feedback(
    db: &impl ConnectionTrait,
    ids: &[String],
    year: i32,
    at: &HashMap<String, usize>,
    raw: &mut [BranchRaw],
) -> AppResult<()> {
    let rows: Vec<(String, i16, String, i64)> = feedback::Entity::find()
        .select_only()
        .column(feedback::Column::BranchId)
        .column(feedback::Column::CycleQuarter)
        .column(feedback::Column::Status)
        .column_as(
            Expr::col((feedback::Entity, feedback::Column::Id)).count(),
            "received",
        )
        .filter(feedback::Column::BranchId.is_in(ids.iter().cloned()))
        .filter(feedback::Column::CycleYear.eq(year))
        .group_by(feedback::Column::BranchId)
        .group_by(feedback::Column::CycleQuarter)
        .group_by(feedback::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    for (branch, quarter, status, n) in rows {
        let (Some(&b), Some(q)) = (at.get(&branch), slot(quarter)) else {
            continue;
        };
        let f = &mut raw[b].feedback[q];
        f.received += count(n);
        let status: FeedbackStatus = word("feedback", &branch, "status", &status)?;
        match status {
            FeedbackStatus::Accepted | FeedbackStatus::Dismissed => f.handled += count(n),
            FeedbackStatus::Received => {}
        }
    }
    Ok(())
}
