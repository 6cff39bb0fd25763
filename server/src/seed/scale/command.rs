//! The `jifen seed-scale` command line: a preset or explicit numbers, the password, and the
//! refusal to fill a database that already holds an organisation.

use migration::{Migrator, MigratorTrait};

use super::Plan;
use crate::infra::config::Config;
use crate::infra::db::Db;
use crate::services::audit::SealKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    /// One county: 60 branches of 30 members, two years of 12 deeds each (about 43,000 deeds);
    /// for CI.
    County,
    /// Issue 15's target: 33,334 branches of 30 members, one year of 10 deeds each (1 million
    /// members, 10 million deeds).
    Province,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A ready-made size; the flags below override its numbers.
    #[arg(long, value_enum)]
    preset: Option<Preset>,
    /// Branches to make (towns and counties are made around them).
    #[arg(long)]
    units: Option<u32>,
    #[arg(long)]
    members_per_branch: Option<u32>,
    /// Cycle years, ending with the current one.
    #[arg(long)]
    years: Option<u32>,
    /// Deeds each member reports in a year [default: 12, or the preset's].
    #[arg(long)]
    deeds_per_member_year: Option<u32>,
    /// Everything random follows from it: the same seed, numbers and day give the same rows.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Password of every generated account (from JIFEN_SEED_PASSWORD if not given).
    #[arg(long, env = "JIFEN_SEED_PASSWORD", hide_env_values = true)]
    password: String,
    /// Add to a database that already holds org units (refused otherwise); the generated
    /// branch codes (b000000...) and usernames must still be free.
    #[arg(long)]
    into_existing: bool,
}

impl Args {
    fn plan(&self) -> anyhow::Result<Plan> {
        let base = match self.preset {
            Some(Preset::County) => Some(Plan::COUNTY),
            Some(Preset::Province) => Some(Plan::PROVINCE),
            None => None,
        };
        let need = |flag: Option<u32>, from_preset: Option<u32>, name: &str| {
            flag.or(from_preset)
                .ok_or_else(|| anyhow::anyhow!("give --{name}, or a --preset (county or province)"))
        };
        Ok(Plan {
            units: need(self.units, base.map(|p| p.units), "units")?,
            members_per_branch: need(
                self.members_per_branch,
                base.map(|p| p.members_per_branch),
                "members-per-branch",
            )?,
            years: need(self.years, base.map(|p| p.years), "years")?,
            deeds_per_member_year: self
                .deeds_per_member_year
                .or(base.map(|p| p.deeds_per_member_year))
                .unwrap_or(12),
            seed: self.seed,
        })
    }
}

/// Runs `jifen seed-scale`.
pub async fn run(config: &Config, args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.password.chars().count() >= 8,
        "choose a password of at least 8 characters"
    );
    let plan = args.plan()?;
    let db = Db::connect(&config.database_url).await?;
    Migrator::up(db.conn(), None).await?;
    // The seals must be the audit key's that the server will verify with.
    let key = SealKey::new(&crate::infra::secret::audit_key(config)?);
    let now = chrono::Utc::now();
    let report = super::run(&db, plan, &args.password, &key, now, args.into_existing).await?;
    print!("{report}");
    Ok(())
}
