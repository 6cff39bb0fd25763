//! The deployment the README advises on PostgreSQL: one role owns the schema and migrates it, the
//! server runs as another that may only add to the ledger, the audit history and its seals. The
//! server works as usual under it, and someone who takes over the server's database login cannot
//! quietly rewrite what was decided.

use chrono::{DateTime, Utc};
use jifen_server::infra::config::Secret;
use jifen_server::infra::db::Db;
use jifen_server::seed::SNOW;
use jifen_server::services::audit::{self, SealKey};
use jifen_tests::{QuarterStep, Review, TestApp, AUDIT_KEY};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement};

/// Early January 2027: the fourth quarter of 2026 has just ended.
const NEW_YEAR: &str = "2027-01-05T10:00:00+08:00";

/// A database with its own owner and serving roles, dropped with them afterwards.
struct Deployment {
    admin_url: String,
    database: String,
    owner: String,
    app: String,
}

impl Deployment {
    async fn create(admin_url: &str) -> Self {
        let tag = uuid::Uuid::new_v4().simple().to_string();
        let d = Self {
            admin_url: admin_url.to_owned(),
            database: format!("jifen_lp_{}", &tag[..12]),
            owner: format!("jifen_owner_{}", &tag[..12]),
            app: format!("jifen_app_{}", &tag[..12]),
        };
        let admin = Database::connect(admin_url)
            .await
            .expect("PostgreSQL reachable");
        for statement in [
            format!("CREATE ROLE {} LOGIN PASSWORD 'owner-password'", d.owner),
            format!("CREATE ROLE {} LOGIN PASSWORD 'app-password'", d.app),
            format!("CREATE DATABASE {} OWNER {}", d.database, d.owner),
        ] {
            admin
                .execute_unprepared(&statement)
                .await
                .unwrap_or_else(|e| panic!("{statement}: {e}"));
        }
        admin.close().await.ok();
        d
    }

    /// `postgres://ROLE:PASSWORD@HOST/DATABASE` on the admin URL's server.
    fn url(&self, role: &str, password: &str) -> String {
        let rest = self
            .admin_url
            .strip_prefix("postgres://")
            .or_else(|| self.admin_url.strip_prefix("postgresql://"))
            .expect("a postgres:// URL");
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        let host = host.split_once('/').map_or(host, |(h, _)| h);
        format!("postgres://{role}:{password}@{host}/{}", self.database)
    }

    fn owner_url(&self) -> String {
        self.url(&self.owner, "owner-password")
    }

    fn app_url(&self) -> String {
        self.url(&self.app, "app-password")
    }
}

impl Drop for Deployment {
    fn drop(&mut self) {
        let statements = [
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database),
            format!("DROP ROLE IF EXISTS {}", self.app),
            format!("DROP ROLE IF EXISTS {}", self.owner),
        ];
        let admin_url = self.admin_url.clone();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let admin = Database::connect(&admin_url).await.ok()?;
                for s in statements {
                    admin.execute_unprepared(&s).await.ok()?;
                }
                admin.close().await.ok()
            })
        })
        .join();
    }
}

/// The SQL block of the README's deployment section that grants the serving role its rights,
/// with the README's role names replaced by this test's.
fn documented_grants(d: &Deployment) -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let section = readme
        .split("## Deployment: least privilege and the audit key")
        .nth(1)
        .expect("the README has the deployment section");
    let block = section
        .split("```sql")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or(""))
        .find(|b| b.contains("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES"))
        .expect("the section gives the GRANT statements");
    block
        .replace("jifen_owner", &d.owner)
        .replace("jifen_app", &d.app)
        .split(';')
        .map(|s| {
            s.lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.trim().is_empty())
        .collect()
}

/// What the serving role's database login can and cannot do behind the application's back.
async fn try_sql(db: &DatabaseConnection, sql: &str) -> Result<(), String> {
    db.execute(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn the_server_runs_as_a_role_that_can_only_add_to_the_ledger_and_the_history() {
    let Some(admin_url) = std::env::var("JIFEN_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
    else {
        println!("note: the least-privilege deployment is PostgreSQL's; skipped on SQLite");
        return;
    };
    let deployment = Deployment::create(&admin_url).await;

    // The owner migrates and grants, as the README says.
    let owner = Db::connect(&deployment.owner_url())
        .await
        .expect("owner connects");
    jifen_server::startup::migrate(&owner)
        .await
        .expect("the owner migrates");
    let grants = documented_grants(&deployment);
    assert!(grants.len() >= 3, "{grants:?}");
    for statement in &grants {
        owner
            .conn()
            .execute_unprepared(statement)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
    owner.close().await.ok();

    // The server runs as the serving role, which could not migrate.
    let app_url = deployment.app_url();
    let url = app_url.clone();
    let app = TestApp::spawn_at_with_config(NEW_YEAR, move |c| {
        c.database_url = url;
        c.migrate = false;
    })
    .await;

    // A member reports in December, the committee approves, the secretary signs the quarter.
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let secretary = app.login_as("secretary1").await;
    let mut form = app.deed_form(SNOW);
    form.occurred_at = DateTime::parse_from_rfc3339("2026-12-20T09:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let deed = app.submit(&member, &form).await;
    let res = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK, "the committee approves");
    let points = app.points(&member, &member.member_id, 2026).await;
    assert_eq!(points.entries.len(), 1, "the approval is in the ledger");
    let entry_id = points.entries[0].id.clone();
    let res = app
        .quarter_step(&secretary, "demo-1", QuarterStep::Sign, 2026, 4)
        .await;
    assert_eq!(res.status(), StatusCode::OK, "the secretary signs");

    // Whoever holds the server's login reads all, but changes nothing that was decided.
    let serving = Database::connect(&app_url)
        .await
        .expect("serving role connects");
    let verified = audit::verify_with(&serving, Some(&SealKey::new(&Secret::new(AUDIT_KEY))))
        .await
        .expect("the history and the ledger verify");
    assert_eq!(verified.ledger_entries, 1);
    for (attempt, sql) in [
        (
            "raise the award",
            format!("UPDATE ledger_entry SET points = 50 WHERE id = '{entry_id}'"),
        ),
        (
            "delete the award",
            format!("DELETE FROM ledger_entry WHERE id = '{entry_id}'"),
        ),
        ("delete the history", "DELETE FROM audit_event".to_owned()),
        (
            "rewrite an event",
            "UPDATE audit_event SET reason = 'changed'".to_owned(),
        ),
        (
            "re-point a seal",
            "UPDATE audit_seal SET head_hash = head_hash".to_owned(),
        ),
        ("delete the seals", "DELETE FROM audit_seal".to_owned()),
        ("empty the ledger", "TRUNCATE ledger_entry".to_owned()),
        (
            "change the schema",
            "CREATE TABLE intruder (id integer)".to_owned(),
        ),
        (
            "forget a migration",
            "DELETE FROM seaql_migrations".to_owned(),
        ),
    ] {
        let err = try_sql(&serving, &sql)
            .await
            .expect_err(&format!("the serving role may not {attempt}"));
        assert!(err.contains("permission denied"), "{attempt}: {err}");
    }
    assert_eq!(
        app.points(&member, &member.member_id, 2026).await.total,
        points.total,
        "the points are as decided"
    );
    serving.close().await.ok();
    drop(app);
}
