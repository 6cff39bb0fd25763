//! One village branch, from its creation to today: the unit and its catalogue, its members and
//! committee, each year opened with base points, the members' deeds ([`super::deeds`]), a
//! members' meeting each quarter with its attendance, the committee's deductions, the quarters
//! signed and posted, and the masses' feedback on them. Everything a branch holds is made in
//! memory (a few thousand rows), then its chain is written in time order.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use jifen_shared::domain::{
    AttendanceMode, CycleQuarter, DeductionStatus, FeedbackStatus, LedgerKind, MeetingKind,
    MemberStatus, OrgKind, QuarterStatus, Role, RuleCategory, RuleName,
};
use jifen_shared::i18n::Lang;
use jifen_shared::words::Word;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::Events;
use super::catalogue::{self, person, place, ITEMS};
use super::ids::Dice;
use super::ledger::Entry;
use super::rows::{Batch, Table, Val};
use super::tree;
use super::Plan;
use crate::entity::point_rule;
use crate::services::audit::SealKey;

/// What every branch of a run shares.
pub struct Ctx<'a> {
    pub plan: Plan,
    pub now: DateTime<Utc>,
    pub key: &'a SealKey,
    /// The one argon2 hash of the run's password, given to every account.
    pub password_hash: &'a str,
    /// The cycle years generated, oldest first; the last is the current one.
    pub years: Vec<i32>,
}

/// A member of the branch as the generator knows them.
pub struct Person {
    pub id: String,
    pub username: String,
    pub migrant: bool,
}

/// The first committee member of every branch is its secretary; two more sit on the committee.
pub const SECRETARY: usize = 0;
pub const COMMITTEE: [usize; 3] = [0, 1, 2];

/// An administrator of a town or county, kept as a member of a branch beneath it.
pub struct Hosted {
    pub username: String,
    pub name: String,
}

pub struct Branch<'a> {
    pub ctx: &'a Ctx<'a>,
    pub n: usize,
    pub id: String,
    pub code: String,
    pub dice: Dice,
    pub events: Events,
    pub batch: &'a mut Batch,
    /// Rule ids, by index in [`ITEMS`].
    pub rules: Vec<String>,
    pub people: Vec<Person>,
    /// Points given per (person, item, year, quarter); quarter 0 holds the year's sum.
    used: HashMap<(usize, usize, i32, u8), i32>,
}

/// The instant a quarter starts, midnight in Shanghai.
pub fn quarter_start(q: CycleQuarter) -> DateTime<Utc> {
    let month = u32::from(q.quarter - 1) * 3 + 1;
    NaiveDate::from_ymd_opt(q.year, month, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc() - Duration::hours(8))
        .expect("a valid quarter")
}

pub fn quarter_end(q: CycleQuarter) -> DateTime<Utc> {
    let next = match q.quarter {
        4 => CycleQuarter {
            year: q.year + 1,
            quarter: 1,
        },
        n => CycleQuarter {
            year: q.year,
            quarter: n + 1,
        },
    };
    quarter_start(next)
}

impl<'a> Branch<'a> {
    /// The branch's unit, catalogue and members, with `hosted` administrators among them; their
    /// member ids come back in order.
    pub fn create(
        ctx: &'a Ctx<'a>,
        n: usize,
        town_id: &str,
        hosted: &[Hosted],
        batch: &'a mut Batch,
    ) -> (Self, Vec<String>) {
        let mut dice = Dice::new(ctx.plan.seed, n as u64);
        let first = CycleQuarter {
            year: ctx.years[0],
            quarter: 1,
        };
        // Branches appear over the first morning of the first year, one a second.
        let at = quarter_start(first) + Duration::hours(9) + Duration::seconds((n % 36_000) as i64);
        let id = dice.id(at);
        let code = format!("b{n:06}");
        let name = format!("{}村党支部", place(n));
        let events = tree::open_unit(
            batch,
            &id,
            Some(town_id),
            OrgKind::Branch,
            &name,
            Some(&code),
            at,
        );
        let mut branch = Self {
            ctx,
            n,
            id,
            code,
            dice,
            events,
            batch,
            rules: Vec::new(),
            people: Vec::new(),
            used: HashMap::new(),
        };
        branch.catalogue(at + Duration::milliseconds(100));
        let hosted_ids = branch.members(at + Duration::seconds(1), hosted);
        (branch, hosted_ids)
    }

    fn catalogue(&mut self, at: DateTime<Utc>) {
        for (category, name, description, points, cap_q, cap_y) in ITEMS {
            let rule = point_rule::Model {
                id: self.dice.id(at),
                branch_id: self.id.clone(),
                category: category.as_str().to_owned(),
                name: RuleName::parse(name)
                    .expect("the catalogue's names are valid")
                    .into_inner(),
                description: (*description).to_owned(),
                standard_points: *points,
                cap_per_quarter: *cap_q,
                cap_per_year: *cap_y,
                evidence_required: false,
                active: true,
                version: 1,
                created_at: at,
                updated_at: at,
            };
            self.batch.row(
                Table::PointRule,
                &[
                    Val::Text(&rule.id),
                    Val::Text(&rule.branch_id),
                    Val::Text(&rule.category),
                    Val::Text(&rule.name),
                    Val::Text(&rule.description),
                    Val::Int(rule.standard_points.into()),
                    Val::int(rule.cap_per_quarter),
                    Val::int(rule.cap_per_year),
                    Val::Bool(false),
                    Val::Bool(true),
                    Val::Int(1),
                    Val::At(at),
                    Val::At(at),
                ],
            );
            self.batch.row(
                Table::PointRuleVersion,
                &[
                    Val::Text(&rule.id),
                    Val::Int(1),
                    Val::Text(&rule.name),
                    Val::Text(&rule.description),
                    Val::Int(rule.standard_points.into()),
                    Val::int(rule.cap_per_quarter),
                    Val::int(rule.cap_per_year),
                    Val::Bool(false),
                    Val::At(at),
                    Val::Null,
                ],
            );
            let view = crate::services::rules::view(rule.clone()).ok();
            self.events.push(
                at,
                None,
                "rule.created",
                "rule",
                &rule.id,
                None,
                view.and_then(|v| serde_json::to_value(v).ok()),
                None,
            );
            self.rules.push(rule.id);
        }
    }

    fn members(&mut self, at: DateTime<Utc>, hosted: &[Hosted]) -> Vec<String> {
        let n = self.n;
        let count = self.ctx.plan.members_per_branch as usize;
        let mut hosted_ids = Vec::new();
        for i in 0..count + hosted.len() {
            let (username, name) = match i {
                _ if i >= count => {
                    let h = &hosted[i - count];
                    (h.username.clone(), h.name.clone())
                }
                SECRETARY => (format!("sec{n:06}"), person(n * 31 + i)),
                1 | 2 => (format!("com{n:06}-{i}"), person(n * 31 + i)),
                _ => (format!("mem{n:06}-{i:03}"), person(n * 31 + i)),
            };
            let migrant = (3..count).contains(&i) && self.dice.chance(0.08);
            let status = match migrant {
                true => MemberStatus::Migrant,
                false => MemberStatus::Active,
            };
            let joined = at + Duration::milliseconds(i as i64 * 10);
            let id = self.dice.id(joined);
            self.batch.row(
                Table::Member,
                &[
                    Val::Text(&id),
                    Val::Text(&self.id),
                    Val::Null,
                    Val::Text(&name),
                    Val::Text(&username),
                    Val::Text(self.ctx.password_hash),
                    Val::Null,
                    Val::Text(status.as_str()),
                    Val::At(joined),
                ],
            );
            self.events.push(
                joined,
                None,
                "member.added",
                "member",
                &id,
                None,
                Some(json!({"name": name, "username": username, "status": status.as_str(), "migrant_org_id": null})),
                None,
            );
            let mut roles = vec![Role::Member];
            match i {
                SECRETARY => roles.extend([Role::Secretary, Role::Committee]),
                1 | 2 => roles.push(Role::Committee),
                _ => {}
            }
            for role in roles {
                self.grant(&id, role, joined);
            }
            if i >= count {
                hosted_ids.push(id.clone());
            }
            self.people.push(Person {
                id,
                username,
                migrant,
            });
        }
        hosted_ids
    }

    fn grant(&mut self, member_id: &str, role: Role, at: DateTime<Utc>) {
        tree::grant(
            &mut self.dice,
            self.batch,
            &mut self.events,
            member_id,
            &self.id,
            role,
            at,
        );
    }

    /// Writes a ledger entry of this branch and its event; returns the entry's id.
    pub fn entry(&mut self, e: Entry<'_>) -> String {
        e.write(&self.id, &mut self.dice, &mut self.events, self.batch)
    }

    pub fn person(&self, i: usize) -> &str {
        &self.people[i].id
    }

    /// A committee member other than `not` (nobody reviews their own deed).
    pub fn reviewer(&mut self, not: usize) -> usize {
        let others: Vec<usize> = COMMITTEE.iter().copied().filter(|&c| c != not).collect();
        *self.dice.pick(&others)
    }

    /// When the secretary signs `q` (ten days after it ends), if that has happened by now; the
    /// quarter is posted a day later.
    pub fn signed_at(&self, q: CycleQuarter) -> Option<DateTime<Utc>> {
        let at = quarter_end(q) + Duration::days(10) + Duration::seconds((self.n % 600) as i64);
        (at + Duration::days(1) <= self.ctx.now).then_some(at)
    }

    /// Whether `points` more of `item` fit its caps for the person in `q`; counts them if so.
    pub fn take_cap(&mut self, who: usize, item: usize, q: CycleQuarter, points: i32) -> bool {
        let (_, _, _, _, cap_q, cap_y) = ITEMS[item];
        let in_quarter = self
            .used
            .get(&(who, item, q.year, q.quarter))
            .copied()
            .unwrap_or(0);
        let in_year = self.used.get(&(who, item, q.year, 0)).copied().unwrap_or(0);
        let fits =
            |cap: Option<i32>, used: i32| cap.is_none_or(|c| (used + points).abs() <= c.abs());
        if !(fits(cap_q, in_quarter) && fits(cap_y, in_year)) {
            return false;
        }
        *self.used.entry((who, item, q.year, q.quarter)).or_default() += points;
        *self.used.entry((who, item, q.year, 0)).or_default() += points;
        true
    }

    /// Opens `year` on its second morning: the year's record and every member's base points.
    pub fn open_year(&mut self, year: i32) {
        let q1 = CycleQuarter { year, quarter: 1 };
        let at = quarter_start(q1)
            + Duration::days(1)
            + Duration::hours(9)
            + Duration::seconds((self.n % 36_000) as i64);
        let base = jifen_shared::api::BranchSettings::default().base_points_per_year;
        let id = self.dice.id(at);
        let secretary = self.person(SECRETARY).to_owned();
        self.batch.row(
            Table::CycleYear,
            &[
                Val::Text(&id),
                Val::Text(&self.id),
                Val::Int(year.into()),
                Val::Int(base.into()),
                Val::Int(self.people.len() as i64),
                Val::At(at),
                Val::Text(&secretary),
            ],
        );
        self.events.push(
            at,
            Some(&secretary),
            "year.opened",
            "cycle_year",
            &id,
            None,
            Some(json!({
                "year": year,
                "base_points": base,
                "members_given": self.people.len() as i32,
                "automatic": false,
            })),
            None,
        );
        let note = Word::YearBaseNote.fill(Lang::ZhCn, &[("year", &year)]);
        for i in 0..self.people.len() {
            let member = self.person(i).to_owned();
            self.entry(Entry {
                member_id: &member,
                quarter: q1,
                kind: LedgerKind::Base,
                category: RuleCategory::Base,
                points: base,
                deed_id: None,
                rule: None,
                reverses_id: None,
                note: &note,
                actor_id: Some(&secretary),
                at,
            });
        }
    }

    /// The quarter's members' meeting, closed by the secretary: attendance earns the attendance
    /// item, absence without leave costs the absence item. Only meetings closed by now.
    pub fn meeting(&mut self, q: CycleQuarter) {
        let starts = quarter_start(q) + Duration::days(20) + Duration::hours(1);
        let ends = starts + Duration::hours(2);
        let closed = ends + Duration::hours(1);
        if closed + Duration::hours(1) > self.ctx.now {
            return;
        }
        let created = starts - Duration::days(5);
        let secretary = self.person(SECRETARY).to_owned();
        let id = self.dice.id(created);
        let title = format!("{}年第{}季度党员大会", q.year, q.quarter);
        let place = "村委会会议室";
        let attendance_rule = self.rules[catalogue::MEETING].clone();
        let absence_rule = self.rules[catalogue::ABSENCE].clone();
        self.batch.row(
            Table::Meeting,
            &[
                Val::Text(&id),
                Val::Text(&self.id),
                Val::Text(MeetingKind::BranchAssembly.as_str()),
                Val::Text(&title),
                Val::At(starts),
                Val::At(ends),
                Val::Text(place),
                Val::Null,
                Val::Bool(true),
                Val::Text(&attendance_rule),
                Val::Text(&absence_rule),
                Val::Text(&secretary),
                Val::At(created),
                Val::Text(&secretary),
                Val::At(closed),
            ],
        );
        self.events.push(
            created,
            Some(&secretary),
            "meeting.scheduled",
            "meeting",
            &id,
            None,
            Some(json!({
                "kind": MeetingKind::BranchAssembly.as_str(),
                "title": title,
                "starts_at": starts,
                "ends_at": ends,
                "place": place,
                "remote_allowed": true,
                "attendance_rule_id": attendance_rule,
                "absence_rule_id": absence_rule,
            })),
            None,
        );
        let mut written = 0;
        let mut lines = Vec::new();
        for i in 0..self.people.len() {
            let mode = match (self.people[i].migrant, self.dice.unit()) {
                (true, u) if u < 0.7 => AttendanceMode::Remote,
                (true, _) => AttendanceMode::Absent,
                (false, u) if u < 0.94 => AttendanceMode::OnSite,
                (false, _) => AttendanceMode::Absent,
            };
            let member = self.person(i).to_owned();
            let recorded = match mode {
                AttendanceMode::Absent => closed,
                _ => {
                    let at = starts + Duration::seconds(self.dice.between(-600, 1200));
                    self.events.push(
                        at,
                        Some(&member),
                        "meeting.checked_in",
                        "meeting",
                        &id,
                        None,
                        Some(json!({ "member_id": member, "mode": mode.as_str() })),
                        None,
                    );
                    at
                }
            };
            let (item, rule) = match mode {
                AttendanceMode::Absent => (catalogue::ABSENCE, absence_rule.clone()),
                _ => (catalogue::MEETING, attendance_rule.clone()),
            };
            let points = ITEMS[item].3;
            let entry = self.take_cap(i, item, q, points).then(|| {
                written += 1;
                self.entry(Entry {
                    member_id: &member,
                    quarter: q,
                    kind: LedgerKind::from(ITEMS[item].0),
                    category: ITEMS[item].0,
                    points,
                    deed_id: None,
                    rule: Some((&rule, 1)),
                    reverses_id: None,
                    note: &title,
                    actor_id: Some(&secretary),
                    at: closed,
                })
            });
            lines.push((member, mode, recorded, entry));
        }
        for (member, mode, recorded, entry) in lines {
            let line = self.dice.id(recorded);
            self.batch.row(
                Table::MeetingAttendance,
                &[
                    Val::Text(&line),
                    Val::Text(&id),
                    Val::Text(&member),
                    Val::Text(mode.as_str()),
                    Val::At(recorded),
                    Val::text(entry.as_deref()),
                ],
            );
        }
        self.events.push(
            closed,
            Some(&secretary),
            "meeting.closed",
            "meeting",
            &id,
            None,
            Some(json!({ "entries_written": written })),
            None,
        );
    }

    /// A deduction decided at the quarterly review: proposed by a committee member, confirmed
    /// by the secretary as the second person; in the quarter open now, one still waiting.
    pub fn deduction(&mut self, q: CycleQuarter) {
        let now = self.ctx.now;
        let end = quarter_end(q);
        let (proposed_at, confirm) = if end <= now {
            (end - Duration::days(self.dice.between(2, 6)), true)
        } else {
            let at = now - Duration::days(self.dice.between(1, 4));
            if at < quarter_start(q) {
                return;
            }
            (at, false)
        };
        let who = 3 + self.dice.below(self.people.len().saturating_sub(3));
        if who >= self.people.len() {
            return;
        }
        let member = self.person(who).to_owned();
        let proposer = self.person(1).to_owned();
        let secretary = self.person(SECRETARY).to_owned();
        let rule = self.rules[catalogue::VILLAGE_RULES].clone();
        let points = ITEMS[catalogue::VILLAGE_RULES].3;
        let reason = *self.dice.pick(catalogue::DEDUCT);
        let id = self.dice.id(proposed_at);
        self.events.push(
            proposed_at,
            Some(&proposer),
            "deduction.proposed",
            "deduction",
            &id,
            None,
            Some(json!({
                "status": DeductionStatus::Proposed.as_str(),
                "member_id": member,
                "rule_id": rule,
                "rule_version": 1,
                "points": points,
                "feedback_id": null,
            })),
            Some(reason),
        );
        let (status, decided_at, entry) = if confirm {
            let at = proposed_at + Duration::days(1);
            let entry = self.entry(Entry {
                member_id: &member,
                quarter: CycleQuarter::of(proposed_at),
                kind: LedgerKind::Deduction,
                category: RuleCategory::Deduction,
                points,
                deed_id: None,
                rule: Some((&rule, 1)),
                reverses_id: None,
                note: reason,
                actor_id: Some(&secretary),
                at,
            });
            self.events.push(
                at,
                Some(&secretary),
                "deduction.confirmed",
                "deduction",
                &id,
                Some(json!({ "status": DeductionStatus::Proposed.as_str() })),
                Some(json!({
                    "status": DeductionStatus::Confirmed.as_str(),
                    "ledger_entry_id": entry,
                    "feedback_id": null,
                })),
                None,
            );
            (DeductionStatus::Confirmed, Some(at), Some(entry))
        } else {
            (DeductionStatus::Proposed, None, None)
        };
        self.batch.row(
            Table::Deduction,
            &[
                Val::Text(&id),
                Val::Text(&self.id),
                Val::Text(&member),
                Val::Text(&rule),
                Val::Int(1),
                Val::Int(points.into()),
                Val::Text(reason),
                Val::Null,
                Val::Text(status.as_str()),
                Val::Text(&proposer),
                Val::At(proposed_at),
                Val::text(decided_at.map(|_| secretary.as_str())),
                Val::at(decided_at),
                Val::Null,
                Val::text(entry.as_deref()),
            ],
        );
    }

    /// The secretary signs the quarter and posts it a day later; then the masses may write.
    pub fn close_quarter(&mut self, q: CycleQuarter) {
        let Some(signed) = self.signed_at(q) else {
            return;
        };
        let published = signed + Duration::days(1);
        let secretary = self.person(SECRETARY).to_owned();
        let id = self.dice.id(signed);
        self.batch.row(
            Table::QuarterReview,
            &[
                Val::Text(&id),
                Val::Text(&self.id),
                Val::Int(q.year.into()),
                Val::Int(q.quarter.into()),
                Val::Text(QuarterStatus::Published.as_str()),
                Val::Text(&secretary),
                Val::At(signed),
                Val::At(published),
            ],
        );
        for (at, action, status) in [
            (signed, "quarter.signed", QuarterStatus::Signed),
            (published, "quarter.published", QuarterStatus::Published),
        ] {
            self.events.push(
                at,
                Some(&secretary),
                action,
                "quarter_review",
                &id,
                None,
                Some(
                    json!({"year": q.year, "quarter": q.quarter as i16, "status": status.as_str()}),
                ),
                None,
            );
        }
        if self.dice.chance(0.6) {
            self.feedback(q, published);
        }
    }

    /// One message from the masses about a posted quarter: waiting, or set aside by the
    /// committee when it does not concern anyone's points.
    fn feedback(&mut self, q: CycleQuarter, published: DateTime<Utc>) {
        let now = self.ctx.now;
        let at = published + Duration::minutes(self.dice.between(60, 5 * 24 * 60));
        if at >= now {
            return;
        }
        let body = *self.dice.pick(catalogue::FEEDBACK);
        let id = self.dice.id(at);
        let sender = hex::encode(Sha256::digest(format!("scale sender {} {q}", self.n)));
        self.events.push(
            at,
            None,
            "feedback.received",
            "feedback",
            &id,
            None,
            Some(json!({
                "year": q.year,
                "quarter": q.quarter as i16,
                "about_member_id": null,
                "body_sha256": hex::encode(Sha256::digest(body.as_bytes())),
                "contact_sha256": null,
            })),
            None,
        );
        let decided = at + Duration::days(1);
        let dismissed = decided < now && self.dice.chance(0.5);
        let decider = self.person(1).to_owned();
        if dismissed {
            self.events.push(
                decided,
                Some(&decider),
                "feedback.dismissed",
                "feedback",
                &id,
                Some(json!({"status": FeedbackStatus::Received.as_str(), "about_member_id": null})),
                Some(json!({
                    "status": FeedbackStatus::Dismissed.as_str(),
                    "about_member_id": null,
                    "deduction_id": null,
                })),
                Some(catalogue::DISMISS),
            );
        }
        let status = match dismissed {
            true => FeedbackStatus::Dismissed,
            false => FeedbackStatus::Received,
        };
        self.batch.row(
            Table::Feedback,
            &[
                Val::Text(&id),
                Val::Text(&self.id),
                Val::Int(q.year.into()),
                Val::Int(q.quarter.into()),
                Val::Null,
                Val::Text(body),
                Val::Null,
                Val::Text(status.as_str()),
                Val::At(at),
                Val::text(dismissed.then_some(decider.as_str())),
                Val::at(dismissed.then_some(decided)),
                Val::text(dismissed.then_some(catalogue::DISMISS)),
                Val::Null,
                Val::Text(&sender),
            ],
        );
    }

    /// Writes the branch's chain; returns how many events it holds.
    pub fn finish(self) -> u64 {
        let Branch {
            ctx,
            id,
            mut dice,
            events,
            batch,
            ..
        } = self;
        events.write(&id, &mut dice, ctx.key, batch)
    }
}
