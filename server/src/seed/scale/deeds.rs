//! Members' deeds through the lifecycle the review service drives: submitted, then approved
//! (with its ledger entry), rejected, returned, withdrawn, or approved and later revoked (with
//! the reversal). Quarters the secretary has signed hold no deed left undecided; the quarter
//! open now keeps a review queue. An approval past an item's cap is refused as the committee
//! would refuse it.

use chrono::{DateTime, Duration, Utc};
use jifen_shared::domain::{CycleQuarter, DeedStatus, LedgerKind};

use super::branch::{quarter_end, quarter_start, Branch};
use super::catalogue::{self, ITEMS};
use super::ledger::Entry;
use super::rows::{Table, Val};
use crate::entity::deed;
use crate::services::deeds::snapshot;

/// What becomes of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Waiting,
    Approve,
    Reject,
    Return,
    Withdraw,
    Revoke,
}

impl Branch<'_> {
    /// Every member's deeds of `year`, spread from its opening to its end or to now.
    pub fn deeds(&mut self, year: i32) -> u64 {
        let now = self.ctx.now;
        let start = quarter_start(CycleQuarter { year, quarter: 1 }) + Duration::days(2);
        let end = quarter_end(CycleQuarter { year, quarter: 4 }).min(now - Duration::hours(2));
        let span = (end - start).num_seconds();
        if span <= 0 {
            return 0;
        }
        let per_member = self.ctx.plan.deeds_per_member_year;
        let mut made = 0;
        for who in 0..self.people.len() {
            for k in 0..per_member {
                let occurred = start + Duration::seconds(self.dice.between(0, span));
                self.deed(who, year, k, occurred);
                made += 1;
            }
        }
        made
    }

    fn deed(&mut self, who: usize, year: i32, k: u32, occurred: DateTime<Utc>) {
        let now = self.ctx.now;
        let created = (occurred + Duration::minutes(self.dice.between(10, 36 * 60)))
            .min(now - Duration::seconds(90))
            .max(occurred);
        let item = self.reported_item();
        let texts: Vec<&(usize, &str, &str)> =
            catalogue::DEEDS.iter().filter(|d| d.0 == item).collect();
        let (_, title, account) = **self.dice.pick(&texts);
        let place = *self.dice.pick(catalogue::PLACES);
        let lat = 34.0 + (self.n % 97) as f64 * 0.02 + self.dice.unit() * 0.01;
        let lng = 113.0 + (self.n % 89) as f64 * 0.02 + self.dice.unit() * 0.01;
        let quarter = CycleQuarter::of(occurred);
        let member = self.person(who).to_owned();
        let rule_id = self.rules[item].clone();
        let points = ITEMS[item].3;
        let mut row = deed::Model {
            id: self.dice.id(created),
            member_id: member.clone(),
            branch_id: self.id.clone(),
            rule_id: rule_id.clone(),
            title: title.to_owned(),
            account: account.to_owned(),
            occurred_at: occurred,
            cycle_year: quarter.year,
            cycle_quarter: quarter.quarter as i16,
            place_name: place.to_owned(),
            lat: Some((lat * 1e5).round() / 1e5),
            lng: Some((lng * 1e5).round() / 1e5),
            photo_ids: "[]".to_owned(),
            status: DeedStatus::Submitted.as_str().to_owned(),
            points_claimed: points,
            points_awarded: None,
            decision_reason: None,
            reviewed_by: None,
            reviewed_at: None,
            rule_version: None,
            client_request_id: format!("scale-{year}-{k}"),
            submitted_by: member.clone(),
            created_at: created,
            updated_at: created,
            first_decided_at: None,
        };
        self.events.push(
            created,
            Some(&member),
            "deed.submitted",
            "deed",
            &row.id,
            None,
            Some(snapshot(&row)),
            None,
        );

        // Decisions come before the secretary signs the quarter, and before now.
        let latest = match self.signed_at(quarter) {
            Some(signed) => signed - Duration::hours(1),
            None => now - Duration::seconds(60),
        };
        let fate = self.fate(created, latest);
        let decided =
            (created + Duration::minutes(self.dice.between(120, 8 * 24 * 60))).min(latest);
        match fate {
            Fate::Waiting => {}
            Fate::Withdraw => {
                let at = (created + Duration::minutes(self.dice.between(10, 24 * 60))).min(latest);
                let before = snapshot(&row);
                row.status = DeedStatus::Withdrawn.as_str().to_owned();
                row.updated_at = at;
                self.events.push(
                    at,
                    Some(&member),
                    "deed.withdrawn",
                    "deed",
                    &row.id,
                    Some(before),
                    Some(snapshot(&row)),
                    None,
                );
            }
            Fate::Reject | Fate::Return => {
                let reviewer = self.reviewer(who);
                let reviewer = self.person(reviewer).to_owned();
                let (status, action, reason) = match fate {
                    Fate::Reject => (
                        DeedStatus::Rejected,
                        "deed.rejected",
                        *self.dice.pick(catalogue::REJECT),
                    ),
                    _ => (
                        DeedStatus::Returned,
                        "deed.returned",
                        *self.dice.pick(catalogue::RETURN),
                    ),
                };
                self.decide(&mut row, status, action, &reviewer, decided, Some(reason));
            }
            Fate::Approve | Fate::Revoke => {
                let reviewer = self.reviewer(who);
                let reviewer = self.person(reviewer).to_owned();
                if !self.take_cap(who, item, quarter, points) {
                    self.decide(
                        &mut row,
                        DeedStatus::Rejected,
                        "deed.rejected",
                        &reviewer,
                        decided,
                        Some(catalogue::CAPPED),
                    );
                } else {
                    let award = self.entry(Entry {
                        member_id: &member,
                        quarter,
                        kind: LedgerKind::from(ITEMS[item].0),
                        category: ITEMS[item].0,
                        points,
                        deed_id: Some(&row.id),
                        rule: Some((&rule_id, 1)),
                        reverses_id: None,
                        note: title,
                        actor_id: Some(&reviewer),
                        at: decided,
                    });
                    row.points_awarded = Some(points);
                    row.rule_version = Some(1);
                    self.decide(
                        &mut row,
                        DeedStatus::Approved,
                        "deed.approved",
                        &reviewer,
                        decided,
                        None,
                    );
                    let revoked = decided + Duration::minutes(self.dice.between(60, 20 * 24 * 60));
                    if fate == Fate::Revoke && revoked < latest {
                        let revoker = self.reviewer(who);
                        let revoker = self.person(revoker).to_owned();
                        let reason = *self.dice.pick(catalogue::REVOKE);
                        self.entry(Entry {
                            member_id: &member,
                            quarter,
                            kind: LedgerKind::Reversal,
                            category: ITEMS[item].0,
                            points: -points,
                            deed_id: Some(&row.id),
                            rule: Some((&rule_id, 1)),
                            reverses_id: Some(&award),
                            note: reason,
                            actor_id: Some(&revoker),
                            at: revoked,
                        });
                        self.decide(
                            &mut row,
                            DeedStatus::Revoked,
                            "deed.revoked",
                            &revoker,
                            revoked,
                            Some(reason),
                        );
                    }
                }
            }
        }
        self.write_deed(&row);
    }

    /// Which item a member reports under, by how often each is reported.
    fn reported_item(&mut self) -> usize {
        let total: u32 = catalogue::REPORTED.iter().map(|(_, w)| w).sum();
        let mut roll = self.dice.below(total as usize) as u32;
        for &(item, weight) in catalogue::REPORTED {
            if roll < weight {
                return item;
            }
            roll -= weight;
        }
        catalogue::REPORTED[0].0
    }

    /// Most reports are decided within days; the last few days' wait in the review queue.
    fn fate(&mut self, created: DateTime<Utc>, latest: DateTime<Utc>) -> Fate {
        let signed = latest < self.ctx.now - Duration::minutes(5);
        let age = latest - created;
        let decided = signed
            || (age > Duration::days(5) && self.dice.chance(0.75))
            || (age > Duration::hours(3) && self.dice.chance(0.2));
        if !decided {
            return Fate::Waiting;
        }
        match self.dice.unit() {
            u if u < 0.06 => Fate::Withdraw,
            u if u < 0.12 => Fate::Reject,
            u if u < 0.16 => Fate::Return,
            u if u < 0.19 => Fate::Revoke,
            _ => Fate::Approve,
        }
    }

    /// A committee decision on the deed and its event, as `deeds::review::decide` records it.
    fn decide(
        &mut self,
        row: &mut deed::Model,
        status: DeedStatus,
        action: &'static str,
        by: &str,
        at: DateTime<Utc>,
        reason: Option<&str>,
    ) {
        let before = snapshot(row);
        // The first approval, rejection or return ends the review time, once.
        if status != DeedStatus::Revoked && row.first_decided_at.is_none() {
            row.first_decided_at = Some(at);
        }
        row.status = status.as_str().to_owned();
        row.updated_at = at;
        row.decision_reason = reason.map(str::to_owned);
        row.reviewed_by = Some(by.to_owned());
        row.reviewed_at = Some(at);
        self.events.push(
            at,
            Some(by),
            action,
            "deed",
            &row.id,
            Some(before),
            Some(snapshot(row)),
            reason,
        );
    }

    fn write_deed(&mut self, d: &deed::Model) {
        self.batch.row(
            Table::Deed,
            &[
                Val::Text(&d.id),
                Val::Text(&d.member_id),
                Val::Text(&d.branch_id),
                Val::Text(&d.rule_id),
                Val::Text(&d.title),
                Val::Text(&d.account),
                Val::At(d.occurred_at),
                Val::Int(d.cycle_year.into()),
                Val::Int(d.cycle_quarter.into()),
                Val::Text(&d.place_name),
                Val::float(d.lat),
                Val::float(d.lng),
                Val::Text(&d.photo_ids),
                Val::Text(&d.status),
                Val::Int(d.points_claimed.into()),
                Val::int(d.points_awarded),
                Val::text(d.decision_reason.as_deref()),
                Val::text(d.reviewed_by.as_deref()),
                Val::at(d.reviewed_at),
                Val::int(d.rule_version),
                Val::Text(&d.client_request_id),
                Val::Text(&d.submitted_by),
                Val::At(d.created_at),
                Val::At(d.updated_at),
                Val::at(d.first_decided_at),
            ],
        );
    }
}
