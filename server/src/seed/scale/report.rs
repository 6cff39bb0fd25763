//! What a run made, printed for the person (or benchmark) that asked for it: rows per table,
//! the time it took, and accounts and boards to try.

use std::time::Duration;

use super::branch::{Branch, COMMITTEE, SECRETARY};
use super::Plan;

/// How many of each kind of account and board a report names.
const NAMED: usize = 3;

/// Accounts by role and branch codes, the first few of each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sample {
    pub members: Vec<String>,
    pub committee: Vec<String>,
    pub secretaries: Vec<String>,
    pub town_admins: Vec<String>,
    pub county_admins: Vec<String>,
    /// Public codes of branches (`/board/{code}`).
    pub codes: Vec<String>,
}

fn keep(list: &mut Vec<String>, value: &str) {
    if list.len() < NAMED {
        list.push(value.to_owned());
    }
}

impl Sample {
    pub(super) fn branch(&mut self, b: &Branch<'_>) {
        keep(&mut self.codes, &b.code);
        keep(&mut self.secretaries, &b.people[SECRETARY].username);
        if let Some(&c) = COMMITTEE.iter().find(|&&c| c != SECRETARY) {
            keep(&mut self.committee, &b.people[c].username);
        }
        if let Some(m) = b.people.get(COMMITTEE.len()) {
            keep(&mut self.members, &m.username);
        }
    }

    pub(super) fn town_admin(&mut self, username: &str) {
        keep(&mut self.town_admins, username);
    }

    pub(super) fn county_admin(&mut self, username: &str) {
        keep(&mut self.county_admins, username);
    }
}

#[derive(Debug, Clone)]
pub struct Report {
    pub plan: Plan,
    /// Rows written, per table.
    pub counts: Vec<(&'static str, u64)>,
    pub elapsed: Duration,
    pub sample: Sample,
}

impl Report {
    /// Rows written to `table`.
    pub fn count(&self, table: &str) -> u64 {
        self.counts
            .iter()
            .find(|(t, _)| *t == table)
            .map_or(0, |(_, n)| *n)
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.plan;
        writeln!(
            f,
            "Scale data created: {} branches x {} members, {} year(s), {} deeds per member and year, seed {}",
            p.units, p.members_per_branch, p.years, p.deeds_per_member_year, p.seed
        )?;
        let total: u64 = self.counts.iter().map(|(_, n)| n).sum();
        for (table, n) in &self.counts {
            writeln!(f, "  {table:<20} {n:>12}")?;
        }
        writeln!(f, "  {:<20} {total:>12}", "rows in all")?;
        let secs = self.elapsed.as_secs_f64();
        writeln!(
            f,
            "  elapsed {secs:.1} s ({:.0} rows/s)",
            total as f64 / secs.max(0.001)
        )?;
        let s = &self.sample;
        for (role, names) in [
            ("member", &s.members),
            ("committee", &s.committee),
            ("secretary", &s.secretaries),
            ("town admin", &s.town_admins),
            ("county admin", &s.county_admins),
            ("branch code", &s.codes),
        ] {
            writeln!(f, "  {role:<13} {}", names.join(", "))?;
        }
        writeln!(
            f,
            "  every account signs in with the password given; usernames follow the pattern \
             mem<branch>-<nnn>, com<branch>-1|2, sec<branch>, town<nnnnn>, county<nnnn>, and \
             branch codes b<branch> (branch numbered from 000000)"
        )
    }
}
