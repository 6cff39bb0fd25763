//! The `jifen` command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use jifen_shared::domain::{MemberStatus, OrgKind, Role};
use migration::{Migrator, MigratorTrait};

use crate::infra::clock::Clock;
use crate::infra::config::Config;
use crate::infra::db::Db;
use crate::startup::Application;

#[derive(Parser)]
#[command(
    name = "jifen",
    version,
    about = "Jifen (积分): a Party branch's member points system"
)]
struct Cli {
    /// Database URL: sqlite://FILE?mode=rwc or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "JIFEN_DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply migrations and serve the API and the web app.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "JIFEN_BIND")]
        bind: Option<String>,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Create the demo county, branches demo-1 and demo-2, members, rules and deeds.
    SeedDemo {
        /// Password for every demo account.
        #[arg(long)]
        password: String,
    },
    /// Manage organisations, members and roles.
    #[command(subcommand)]
    Admin(Admin),
    /// Check the audit history.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Write a consistent copy of the SQLite database to FILE, even while serving.
    Backup { file: PathBuf },
    /// Issue 15: fill an empty database with a province-shaped organisation (branches, towns,
    /// counties, members, deeds in every state, ledger, meetings, feedback, audit chains), fast.
    SeedScale(crate::seed::scale::command::Args),
}

#[derive(Subcommand)]
enum Admin {
    /// Create an org unit (county, town, branch, group or migrant).
    CreateOrg {
        #[arg(long, value_parser = word::<OrgKind>)]
        kind: OrgKind,
        #[arg(long)]
        name: String,
        /// Parent org unit, by id or public code.
        #[arg(long)]
        parent: Option<String>,
        /// Public code, used in the public board's address.
        #[arg(long)]
        code: Option<String>,
    },
    /// Add a member to a branch.
    AddMember {
        /// Home branch, by id or public code.
        #[arg(long)]
        branch: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        username: String,
        /// Initial password (from the JIFEN_NEW_PASSWORD variable if not given).
        #[arg(long, env = "JIFEN_NEW_PASSWORD", hide_env_values = true)]
        password: String,
        /// active, migrant or transferred.
        #[arg(long, default_value = "active", value_parser = word::<MemberStatus>)]
        status: MemberStatus,
    },
    /// Grant a role on an org unit: member, committee, secretary or org_admin.
    GrantRole {
        #[arg(long)]
        username: String,
        /// Org unit, by id or public code.
        #[arg(long)]
        org: String,
        #[arg(long, value_parser = word::<Role>)]
        role: Role,
    },
}

#[derive(Subcommand)]
enum AuditCmd {
    /// Walk every hash chain and its seals, check that every org unit with data has its chain
    /// and recompute every member's ledger from the events; name the first thing that does not
    /// hold. Needs the server's audit key (JIFEN_AUDIT_KEY_FILE or JIFEN_AUDIT_KEY).
    Verify {
        /// A chain head published outside the database, as the public board shows it
        /// (`CHAIN:SEQ:HASH`); the chain must still hold that event. Repeatable.
        #[arg(long = "anchor")]
        anchors: Vec<crate::services::audit::Anchor>,
        /// Check without the audit key: the seals are skipped, so a chain rewritten whole with
        /// recomputed hashes would pass.
        #[arg(long)]
        without_key: bool,
    },
    /// Seal the newest event of every chain that has never been sealed (history written before
    /// seals existed); run once after upgrading, with the server's audit key.
    Seal,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load()?;
    // Issue 15: operations. Logging starts once the configuration says text or JSON.
    crate::infra::telemetry::init(config.log_format);
    if let Some(url) = cli.database_url {
        config.database_url = url;
    }
    match cli.command {
        Command::Serve { bind } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            let app = Application::build(config).await?;
            tracing::info!(port = app.port(), "serving; API docs at /api/docs");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let db = Db::connect(&config.database_url).await?;
            crate::startup::migrate(&db).await?;
            println!("migrations applied");
        }
        Command::SeedDemo { password } => {
            anyhow::ensure!(
                password.chars().count() >= 8,
                "choose a password of at least 8 characters"
            );
            let db = Db::connect(&config.database_url).await?;
            Migrator::up(db.conn(), None).await?;
            install_audit_key(&config)?;
            if crate::seed::exists(&db).await? {
                println!("demo data already present (branch demo-1 exists); nothing changed");
                return Ok(());
            }
            let now = Clock::System.now();
            let demo = crate::seed::organisation(&db, now, &password).await?;
            let deeds = crate::seed::deeds(&db, now, &demo).await?;
            let statements = crate::services::statements::StatementKey::new(
                &crate::infra::secret::existing_audit_key(&config)?,
            );
            crate::seed::statements(&db, now, &demo, &statements).await?;
            // Issue 14: each part's demo data (add the calls below this line)
            crate::seed::administration(&db, now, &demo).await?;
            crate::seed::roster(&db, now, &demo).await?;
            crate::seed::county(&db, now, &demo, &password).await?;
            crate::seed::ratings(&db, now, &demo).await?;
            print!("{}", crate::seed::describe(&demo, deeds));
        }
        Command::Admin(cmd) => admin(config, cmd).await?,
        Command::Audit(AuditCmd::Verify {
            anchors,
            without_key,
        }) => {
            use crate::services::audit;
            let key = match without_key {
                true => None,
                false => Some(audit::SealKey::new(
                    &crate::infra::secret::existing_audit_key(&config)?,
                )),
            };
            let db = Db::connect(&config.database_url).await?;
            // One snapshot: the servers may keep writing while the history is read, and an entry
            // committed part way must not look like a mismatch.
            let snapshot = crate::infra::db::snapshot(db.conn()).await?;
            let ok = audit::verify_with(&snapshot, key.as_ref()).await?;
            audit::check_anchors(&snapshot, &anchors).await?;
            snapshot.rollback().await?;
            println!("audit history intact:");
            println!(
                "  {} chains, {} events, every link and hash",
                ok.chains, ok.events
            );
            match ok.seals_checked {
                true => println!("  every chain's newest event sealed with the audit key"),
                false => println!("  seals NOT checked (--without-key)"),
            }
            println!("  every org unit that holds data has its chain");
            println!(
                "  ledger: {} entries of {} members, each exactly as the events wrote it",
                ok.ledger_entries, ok.members
            );
            println!("  {} published heads still present", anchors.len());
        }
        Command::Audit(AuditCmd::Seal) => {
            let key = crate::infra::secret::audit_key(&config)?;
            let db = Db::connect(&config.database_url).await?;
            let sealed = crate::services::audit::seal_unsealed_chains(
                &db,
                &crate::services::audit::SealKey::new(&key),
                chrono::Utc::now(),
            )
            .await?;
            println!("sealed the newest event of {sealed} chains that had no seal");
        }
        // Issue 15: the scale data generator
        Command::SeedScale(args) => crate::seed::scale::command::run(&config, args).await?,
        Command::Backup { file } => {
            let db = Db::connect(&config.database_url).await?;
            crate::infra::backup::backup(&db, &file).await?;
            println!("backup written to {}", file.display());
        }
    }
    Ok(())
}

async fn admin(config: Config, cmd: Admin) -> anyhow::Result<()> {
    let db = Db::connect(&config.database_url).await?;
    Migrator::up(db.conn(), None).await?;
    install_audit_key(&config)?;
    let now = chrono::Utc::now();
    let txn = db.begin_write().await?;
    match cmd {
        Admin::CreateOrg {
            kind,
            name,
            parent,
            code,
        } => {
            let parent = match parent {
                Some(p) => Some(
                    crate::services::orgs::find_org(&*txn, &p)
                        .await
                        .map_err(explain)?
                        .id,
                ),
                None => None,
            };
            let unit = crate::services::orgs::create_org(
                &*txn,
                parent.as_deref(),
                kind,
                &name,
                code.as_deref(),
                now,
            )
            .await
            .map_err(explain)?;
            println!("created {} {} ({})", unit.kind, unit.name, unit.id);
        }
        Admin::AddMember {
            branch,
            name,
            username,
            password,
            status,
        } => {
            anyhow::ensure!(
                password.chars().count() >= 8,
                "choose a password of at least 8 characters"
            );
            let branch = crate::services::orgs::find_org(&*txn, &branch)
                .await
                .map_err(explain)?;
            let hash = crate::services::auth::password::hash(&password)?;
            let m = crate::services::orgs::add_member(
                &*txn,
                crate::services::orgs::NewMember {
                    branch_id: &branch.id,
                    name: &name,
                    username: &username,
                    password_hash: Some(hash),
                    status,
                    migrant_org_id: None,
                },
                None,
                now,
            )
            .await
            .map_err(explain)?;
            println!("added {} ({}) to {}", m.name, m.username, branch.name);
        }
        Admin::GrantRole {
            username,
            org,
            role,
        } => {
            let unit = crate::services::orgs::find_org(&*txn, &org)
                .await
                .map_err(explain)?;
            let member = crate::entity::member::Entity::find()
                .filter(crate::entity::member::Column::Username.eq(username.clone()))
                .one(&*txn)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no member with username {username}"))?;
            crate::services::orgs::grant_role(&*txn, &member.id, &unit.id, role, None, now)
                .await
                .map_err(explain)?;
            println!("granted {role} on {} to {}", unit.name, member.username);
        }
    }
    txn.commit().await?;
    Ok(())
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Commands that write events seal them with the server's audit key.
fn install_audit_key(config: &Config) -> anyhow::Result<()> {
    let key = crate::infra::secret::audit_key(config)?;
    crate::services::audit::seal::install(crate::services::audit::SealKey::new(&key))
}

/// Parses one of an enum's stored words from the command line, listing them all when it is wrong.
fn word<T: std::str::FromStr + std::fmt::Display + WordList>(s: &str) -> Result<T, String> {
    s.parse().map_err(|_| {
        let all: Vec<String> = T::all().iter().map(ToString::to_string).collect();
        format!("expected one of: {}", all.join(", "))
    })
}

/// The words a command-line enum takes.
trait WordList: Sized + 'static {
    fn all() -> &'static [Self];
}

impl WordList for OrgKind {
    fn all() -> &'static [Self] {
        OrgKind::ALL
    }
}

impl WordList for MemberStatus {
    fn all() -> &'static [Self] {
        MemberStatus::ALL
    }
}

impl WordList for Role {
    fn all() -> &'static [Self] {
        Role::ALL
    }
}

/// An error for a person at a terminal: the English message and the field details.
fn explain(e: crate::error::AppError) -> anyhow::Error {
    let p = e.problem(jifen_shared::i18n::Lang::En, None);
    let details: Vec<String> = p
        .errors
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect();
    if details.is_empty() {
        anyhow::anyhow!("{}", p.message)
    } else {
        anyhow::anyhow!("{} ({})", p.message, details.join("; "))
    }
}
