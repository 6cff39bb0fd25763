//! `jifen seed-scale`: a province-shaped database for measuring Jifen at scale (issue 15). N
//! branches under towns under counties ([`tree`]), each with its members and committee, its
//! catalogue, years opened with base points, deeds in every state with their ledger entries
//! ([`deeds`], [`ledger`]), meetings with attendance, deductions, quarters signed and posted and
//! the masses' feedback ([`branch`]), and audit chains that `jifen audit verify` accepts, hashed
//! and sealed by the server's own functions ([`audit`]).
//!
//! Fast: rows are generated on one thread while the other writes them, as `COPY` on PostgreSQL
//! and multi-row INSERTs on SQLite ([`copy`]), all in one transaction. Bounded: one branch at a
//! time is held in memory, and batches of a few megabytes queue between the two. Repeatable: the
//! same seed, plan and day give the same rows ([`ids`]). Every account signs in with the one
//! password, hashed once.

mod audit;
mod branch;
mod catalogue;
pub mod command;
mod copy;
mod deeds;
mod ids;
mod ledger;
mod report;
mod rows;
mod tree;

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use jifen_shared::domain::{CycleQuarter, OrgKind};
use sea_orm::{EntityTrait, PaginatorTrait};
use tokio::sync::mpsc;

use self::branch::{quarter_start, Branch, Ctx, Hosted};
use self::copy::Writer;
use self::ids::Dice;
use self::rows::{Batch, Encoding, Table};
use self::tree::Unit;
use crate::entity::org_unit;
use crate::infra::db::Db;
use crate::services::audit::SealKey;

pub use report::{Report, Sample};

/// How big a province to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Branches (村党支部); towns and counties are made around them.
    pub units: u32,
    /// Members of each branch, its secretary and two committee members among them.
    pub members_per_branch: u32,
    /// Cycle years, ending with the current one.
    pub years: u32,
    /// Deeds each member reports in a year.
    pub deeds_per_member_year: u32,
    /// Everything random follows from it.
    pub seed: u64,
}

impl Plan {
    /// A county, for CI: 60 branches of 30 members over two years (about 43,000 deeds).
    pub const COUNTY: Plan = Plan {
        units: 60,
        members_per_branch: 30,
        years: 2,
        deeds_per_member_year: 12,
        seed: 1,
    };

    /// Issue 15's target: a million members and ten million deeds.
    pub const PROVINCE: Plan = Plan {
        units: 33_334,
        members_per_branch: 30,
        years: 1,
        deeds_per_member_year: 10,
        seed: 1,
    };

    fn check(&self) -> Result<(), ScaleError> {
        let bad = |what: &'static str| Err(ScaleError::Plan(what));
        if !(1..=1_000_000).contains(&self.units) {
            return bad("--units must be between 1 and 1000000");
        }
        if !(4..=2_000).contains(&self.members_per_branch) {
            return bad("--members-per-branch must be between 4 and 2000 (a secretary, two committee members and at least one more)");
        }
        if !(1..=10).contains(&self.years) {
            return bad("--years must be between 1 and 10");
        }
        if self.deeds_per_member_year > 366 {
            return bad("--deeds-per-member-year must be at most 366");
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    #[error("{0}")]
    Plan(&'static str),
    #[error(
        "the database already holds {units} org units: seed-scale fills an empty database \
         (pass --into-existing to add to it anyway; generated codes and usernames must be free)"
    )]
    HasData { units: u64 },
    #[error(
        "the database has no org units but its table {table} holds rows: seed-scale fills an \
         empty database (pass --into-existing to add to it anyway)"
    )]
    TableNotEmpty { table: &'static str },
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("writing rows: {0}")]
    Write(#[from] sea_orm::sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Rows queued between the generator and the writer: at most this many bytes per batch, and two
/// batches waiting.
const BATCH_BYTES: usize = 16 << 20;

/// Fills the database; `key` must be the server's audit key, or `audit verify` will refuse the
/// seals. Refuses a database that already has org units unless `into_existing`.
pub async fn run(
    db: &Db,
    plan: Plan,
    password: &str,
    key: &SealKey,
    now: DateTime<Utc>,
    into_existing: bool,
) -> Result<Report, ScaleError> {
    plan.check()?;
    let units = org_unit::Entity::find().count(db.conn()).await?;
    if units > 0 && !into_existing {
        return Err(ScaleError::HasData { units });
    }
    let started = Instant::now();
    let password_hash = {
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || crate::services::auth::password::hash(&password))
            .await
            .map_err(anyhow::Error::from)??
    };
    let mut writer = Writer::begin(db, units == 0).await?;
    let (tx, mut rx) = mpsc::channel::<Batch>(2);
    let generator = {
        let key = key.clone();
        let encoding = writer.encoding();
        tokio::task::spawn_blocking(move || {
            generate(plan, now, &key, &password_hash, encoding, &tx)
        })
    };
    let mut counts = [0u64; Table::ALL.len()];
    let mut failed = None;
    while let Some(batch) = rx.recv().await {
        for t in Table::ALL {
            counts[t as usize] += batch.rows(t) as u64;
        }
        if let Err(e) = writer.write(batch).await {
            failed = Some(e);
            break;
        }
    }
    // A writer that failed stops the generator at its next batch.
    drop(rx);
    let generated = match generator.await {
        Ok(generated) => generated,
        Err(e) => Err(anyhow::Error::from(e).into()),
    };
    let sample = match failed.map_or(generated, Err) {
        Ok(sample) => sample,
        Err(e) => {
            writer.abort().await;
            return Err(e);
        }
    };
    writer.commit().await?;
    Ok(Report {
        plan,
        counts: Table::ALL
            .iter()
            .map(|t| (t.name(), counts[*t as usize]))
            .collect(),
        elapsed: started.elapsed(),
        sample,
    })
}

/// The generator's side: the whole province, branch after branch, sent in batches.
fn generate(
    plan: Plan,
    now: DateTime<Utc>,
    key: &SealKey,
    password_hash: &str,
    encoding: Encoding,
    tx: &mpsc::Sender<Batch>,
) -> Result<Sample, ScaleError> {
    let current = CycleQuarter::of(now).year;
    let first_year = current - plan.years as i32 + 1;
    let ctx = Ctx {
        plan,
        now,
        key,
        password_hash,
        years: (first_year..=current).collect(),
    };
    let send = |batch: Batch| {
        tx.blocking_send(batch)
            .map_err(|_| ScaleError::Internal(anyhow::anyhow!("the writer stopped")))
    };
    // Counties and towns are set up on the first morning of the first year, before branches.
    let setup = quarter_start(CycleQuarter {
        year: first_year,
        quarter: 1,
    }) + Duration::hours(8);
    let mut batch = Batch::new(encoding);
    let mut sample = Sample::default();
    let mut n = 0usize;
    let mut town_no = 0usize;
    for (c, towns) in tree::shape(plan.units, plan.seed).iter().enumerate() {
        let mut county = Unit::create(
            OrgKind::County,
            c,
            None,
            Dice::new(plan.seed, (1 << 41) + c as u64),
            setup + Duration::milliseconds(c as i64),
            &mut batch,
        );
        for (t, &branches) in towns.iter().enumerate() {
            let mut town = Unit::create(
                OrgKind::Town,
                town_no,
                Some(&county.id),
                Dice::new(plan.seed, (1 << 40) + town_no as u64),
                setup + Duration::minutes(1) + Duration::milliseconds(town_no as i64),
                &mut batch,
            );
            for k in 0..branches {
                // A town's administrator (and the first town's, its county's) is a member of
                // its first branch.
                let mut hosted = Vec::new();
                if k == 0 {
                    hosted.push(Hosted {
                        username: format!("town{town_no:05}"),
                        name: format!("{}（镇组织委员）", catalogue::person(town_no * 13 + 5)),
                    });
                    if t == 0 {
                        hosted.push(Hosted {
                            username: format!("county{c:04}"),
                            name: format!("{}（县委组织部）", catalogue::person(c * 17 + 9)),
                        });
                    }
                }
                let (mut branch, hosted_ids) =
                    Branch::create(&ctx, n, &town.id, &hosted, &mut batch);
                for &year in &ctx.years {
                    branch.open_year(year);
                    branch.deeds(year);
                    for quarter in 1..=4 {
                        let q = CycleQuarter { year, quarter };
                        if quarter_start(q) > now {
                            break;
                        }
                        branch.meeting(q);
                        let ended = branch::quarter_end(q) <= now;
                        if branch.dice.chance(if ended { 0.5 } else { 0.3 }) {
                            branch.deduction(q);
                        }
                        branch.close_quarter(q);
                    }
                }
                sample.branch(&branch);
                branch.finish();
                if let Some(id) = hosted_ids.first() {
                    town.grant_admin(id, &mut batch);
                    sample.town_admin(&hosted[0].username);
                }
                if let Some(id) = hosted_ids.get(1) {
                    county.grant_admin(id, &mut batch);
                    sample.county_admin(&hosted[1].username);
                }
                n += 1;
                if batch.bytes() >= BATCH_BYTES {
                    send(std::mem::replace(&mut batch, Batch::new(encoding)))?;
                }
            }
            town.finish(key, &mut batch);
            town_no += 1;
        }
        county.finish(key, &mut batch);
    }
    if !batch.is_empty() {
        send(batch)?;
    }
    Ok(sample)
}
