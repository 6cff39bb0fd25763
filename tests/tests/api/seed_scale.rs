//! Issue 15: `jifen seed-scale` makes a county people can use at once: its accounts sign in with
//! the one password, members see their points, committees have a review queue, boards are
//! posted, and `jifen audit verify` accepts every chain and the whole ledger.

use jifen_server::infra::config::Secret;
use jifen_server::seed::scale::{self, Plan, ScaleError};
use jifen_server::services::audit::{self, SealKey};
use jifen_shared::api::{BoardView, DeedPage, MeResponse, PointsSummary, TokenResponse};
use jifen_shared::domain::{CycleQuarter, DeedStatus, LedgerKind};
use jifen_tests::{TestApp, User, AUDIT_KEY, PASSWORD};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

async fn rows(app: &TestApp, table: &str) -> i64 {
    let db = app.state.db.conn();
    let row = db
        .query_one(Statement::from_string(
            app.backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .expect("count")
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a number")
}

/// Signs in a generated account, which the demo's `login_as` does not know.
async fn sign_in(app: &TestApp, username: &str) -> (User, MeResponse) {
    let res = app.login(username, PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{username} signs in with the run's password"
    );
    let tokens: TokenResponse = res.json().await.expect("tokens");
    let mut user = User {
        username: username.to_owned(),
        member_id: String::new(),
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
    };
    let me: MeResponse = app.get(&user, "/api/v1/me").await.json().await.expect("me");
    user.member_id = me.id.clone();
    (user, me)
}

#[tokio::test]
async fn a_generated_county_is_ready_to_use_and_its_history_verifies() {
    let app = TestApp::spawn().await;
    let key = SealKey::new(&Secret::new(AUDIT_KEY));
    let now = app.state.now();

    // The demo organisation is there: filling this database must be asked for explicitly.
    let refused = scale::run(&app.state.db, Plan::COUNTY, PASSWORD, &key, now, false).await;
    assert!(
        matches!(refused, Err(ScaleError::HasData { .. })),
        "a database with data is refused: {refused:?}"
    );

    let tables = [
        "org_unit",
        "member",
        "role_assignment",
        "deed",
        "ledger_entry",
        "audit_event",
        "audit_seal",
        "meeting_attendance",
        "quarter_review",
        "feedback",
        "deduction",
    ];
    let mut before = Vec::new();
    for t in tables {
        before.push(rows(&app, t).await);
    }
    let report = scale::run(&app.state.db, Plan::COUNTY, PASSWORD, &key, now, true)
        .await
        .expect("the county preset fills the database");
    println!("{report}");

    // What the report counts is what the tables gained, and the plan's shape holds.
    for (t, was) in tables.iter().zip(before) {
        assert_eq!(
            rows(&app, t).await - was,
            report.count(t) as i64,
            "{t} gained what the report says"
        );
        assert!(report.count(t) > 0, "{t} has generated rows");
    }
    let plan = Plan::COUNTY;
    let members = report.count("member");
    assert!(members >= u64::from(plan.units * plan.members_per_branch));
    assert_eq!(
        report.count("deed"),
        members * u64::from(plan.years * plan.deeds_per_member_year),
        "every member reports the plan's deeds each year"
    );
    let statuses = app
        .state
        .db
        .conn()
        .query_all(Statement::from_string(
            app.backend(),
            "SELECT DISTINCT status FROM deed WHERE client_request_id LIKE 'scale-%'",
        ))
        .await
        .expect("statuses");
    for status in [
        DeedStatus::Submitted,
        DeedStatus::Approved,
        DeedStatus::Rejected,
        DeedStatus::Returned,
        DeedStatus::Withdrawn,
        DeedStatus::Revoked,
    ] {
        assert!(
            statuses
                .iter()
                .any(|r| r.try_get::<String>("", "status").ok().as_deref() == Some(status.as_str())),
            "some deed is {status:?}"
        );
    }
    let undecided = rows(
        &app,
        "deed WHERE status <> 'submitted' AND status <> 'withdrawn' AND first_decided_at IS NULL",
    )
    .await;
    assert_eq!(
        undecided, 0,
        "every decided deed has its first decision time"
    );

    // A member signs in with the run's password and sees this year's points, base included.
    let s = &report.sample;
    let (member, me) = sign_in(&app, &s.members[0]).await;
    let year = CycleQuarter::of(now).year;
    let points: PointsSummary = app
        .get(
            &member,
            &format!("/api/v1/members/{}/points?year={year}", member.member_id),
        )
        .await
        .json()
        .await
        .expect("points");
    assert!(
        points
            .entries
            .iter()
            .any(|e| e.kind == LedgerKind::Base && e.points == 60 && e.rule_id.is_none()),
        "the year's base points: {points:?}"
    );
    assert!(points.bonus > 0, "approved deeds count");
    assert_eq!(
        points.total,
        points.entries.iter().map(|e| e.points).sum::<i32>()
    );

    // A committee member of the same branch has reports waiting for review.
    let (committee, _) = sign_in(&app, &s.committee[0]).await;
    let res = app
        .get(
            &committee,
            &format!(
                "/api/v1/deeds?scope=review&branch_id={}&status=submitted",
                me.home_branch_id
            ),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let queue: DeedPage = res.json().await.expect("review queue");
    assert!(!queue.items.is_empty(), "the review queue holds reports");

    // The masses read the branch's latest posted board without an account.
    let res = app
        .client
        .get(app.url(&format!("/api/v1/public/branches/{}/board", s.codes[0])))
        .send()
        .await
        .expect("board");
    assert_eq!(res.status(), StatusCode::OK);
    let board: BoardView = res.json().await.expect("board body");
    assert_eq!(board.branch_code, s.codes[0]);
    assert!(!board.rows.is_empty());

    // Town and county administrators sign in too.
    sign_in(&app, &s.town_admins[0]).await;
    sign_in(&app, &s.county_admins[0]).await;
    sign_in(&app, &s.secretaries[0]).await;

    // The whole history, the demo's and the generated, verifies with the server's key.
    let verified = audit::verify(app.state.db.conn())
        .await
        .expect("audit verify accepts the generated chains and ledger");
    assert!(verified.seals_checked);
    assert!(verified.events >= report.count("audit_event"));
    assert!(verified.ledger_entries as u64 >= report.count("ledger_entry"));
}

#[tokio::test]
async fn the_same_seed_makes_the_same_county() {
    // Two runs on two databases with the same seed and day name the same accounts and boards.
    let key = SealKey::new(&Secret::new(AUDIT_KEY));
    let small = Plan {
        units: 3,
        members_per_branch: 5,
        years: 1,
        deeds_per_member_year: 2,
        seed: 42,
    };
    let mut reports = Vec::new();
    for _ in 0..2 {
        let app = TestApp::spawn().await;
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-29T08:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let report = scale::run(&app.state.db, small, PASSWORD, &key, now, true)
            .await
            .expect("generated");
        let ids = app
            .state
            .db
            .conn()
            .query_all(Statement::from_string(
                app.backend(),
                "SELECT id FROM deed WHERE client_request_id LIKE 'scale-%' ORDER BY id",
            ))
            .await
            .expect("ids")
            .into_iter()
            .map(|r| r.try_get::<String>("", "id").expect("id"))
            .collect::<Vec<_>>();
        reports.push((report.sample, report.counts, ids));
    }
    assert_eq!(reports[0], reports[1], "same seed, same rows");
}

/// The keys, indexes and foreign keys of every table, by table and name, as PostgreSQL would
/// make them again.
async fn schema_of(db: &jifen_server::infra::db::Db) -> Vec<(String, String, String)> {
    db.conn()
        .query_all(Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT t.relname AS tbl, c.conname AS name, pg_get_constraintdef(c.oid) AS def \
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             WHERE n.nspname = current_schema() \
             UNION ALL \
             SELECT tablename, indexname, indexdef FROM pg_indexes \
             WHERE schemaname = current_schema() ORDER BY 1, 2, 3",
        ))
        .await
        .expect("catalogue")
        .into_iter()
        .map(|r| {
            (
                r.try_get("", "tbl").unwrap(),
                r.try_get("", "name").unwrap(),
                r.try_get("", "def").unwrap(),
            )
        })
        .collect()
}

/// Filling an empty PostgreSQL database, the generator drops the tables' keys, indexes and
/// foreign keys for the load and makes them again before it commits: the schema after is the
/// schema before, and what the keys guard holds (a deed's member exists, ids are unique).
#[tokio::test]
async fn an_empty_database_is_filled_and_keeps_every_key_and_index() {
    let empty = jifen_tests::EmptyDatabase::migrated().await;
    let db = &empty.db;
    let postgres = db.backend() == sea_orm::DbBackend::Postgres;
    let before = if postgres {
        schema_of(db).await
    } else {
        Vec::new()
    };
    let key = SealKey::new(&Secret::new(AUDIT_KEY));
    let small = Plan {
        units: 4,
        members_per_branch: 6,
        years: 1,
        deeds_per_member_year: 3,
        seed: 7,
    };
    let report = scale::run(db, small, PASSWORD, &key, chrono::Utc::now(), false)
        .await
        .expect("an empty database is filled");
    assert!(report
        .counts
        .iter()
        .any(|(table, n)| *table == "deed" && *n > 0));
    if postgres {
        let after = schema_of(db).await;
        assert!(
            before
                .iter()
                .any(|(_, _, def)| def.starts_with("PRIMARY KEY")),
            "the catalogue lists keys"
        );
        let missing: Vec<_> = before.iter().filter(|c| !after.contains(c)).collect();
        let new: Vec<_> = after.iter().filter(|c| !before.contains(c)).collect();
        assert!(
            missing.is_empty() && new.is_empty(),
            "every key, index and foreign key is back: missing {missing:?}, new {new:?}"
        );
        // Written frozen: every page of the big tables is all-visible from the start, so the
        // first reads write nothing back and index-only scans skip the heap.
        let visible = db
            .conn()
            .query_all(Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT relname, relpages, relallvisible FROM pg_class \
                 WHERE relname IN ('deed', 'ledger_entry', 'audit_event', 'member')",
            ))
            .await
            .expect("pages");
        assert_eq!(visible.len(), 4);
        for row in visible {
            let table: String = row.try_get("", "relname").unwrap();
            let pages: i32 = row.try_get("", "relpages").unwrap();
            let all_visible: i32 = row.try_get("", "relallvisible").unwrap();
            assert!(
                pages > 0 && all_visible == pages,
                "{table}: {all_visible} of {pages} pages all-visible"
            );
        }
    }
    // The keys hold: a deed cannot take another's id, nor name a member who does not exist.
    for (what, sql) in [
        (
            "ids are unique again",
            "UPDATE deed SET id = (SELECT MAX(id) FROM deed) WHERE id = (SELECT MIN(id) FROM deed)",
        ),
        (
            "the foreign keys are checked again",
            "UPDATE deed SET member_id = 'nobody' WHERE id = (SELECT MIN(id) FROM deed)",
        ),
    ] {
        let refused = db
            .conn()
            .execute(Statement::from_string(db.backend(), sql))
            .await;
        assert!(refused.is_err(), "{what}");
    }
}

/// A database without org units is not necessarily empty: the generator looks at every table it
/// would write before it empties them for the load, and leaves a history it finds alone.
#[tokio::test]
async fn a_database_with_rows_but_no_org_units_is_refused_and_left_as_it_was() {
    use jifen_server::entity::audit_event;
    use sea_orm::EntityTrait;
    let empty = jifen_tests::EmptyDatabase::migrated().await;
    let db = &empty.db;
    let kept = audit_event::Model {
        id: "019b0000-0000-7000-8000-000000000001".into(),
        chain_id: "019b0000-0000-7000-8000-000000000002".into(),
        seq: 1,
        at: chrono::Utc::now(),
        actor_id: None,
        action: "org_unit.created".into(),
        entity_type: "org_unit".into(),
        entity_id: "019b0000-0000-7000-8000-000000000002".into(),
        before: None,
        after: None,
        reason: None,
        prev_hash: String::new(),
        hash: "h".into(),
    };
    audit_event::Entity::insert(audit_event::ActiveModel::from(kept))
        .exec(db.conn())
        .await
        .expect("a row of history");
    let key = SealKey::new(&Secret::new(AUDIT_KEY));
    let small = Plan {
        units: 2,
        members_per_branch: 4,
        years: 1,
        deeds_per_member_year: 1,
        seed: 3,
    };
    let refused = scale::run(db, small, PASSWORD, &key, chrono::Utc::now(), false).await;
    if db.backend() == sea_orm::DbBackend::Postgres {
        assert!(
            matches!(
                refused,
                Err(ScaleError::TableNotEmpty {
                    table: "audit_event"
                })
            ),
            "refused: {refused:?}"
        );
    }
    // SQLite adds to what is there (it drops nothing), and PostgreSQL refused: the row stays.
    assert!(
        audit_event::Entity::find_by_id("019b0000-0000-7000-8000-000000000001")
            .one(db.conn())
            .await
            .unwrap()
            .is_some(),
        "the history found is still there"
    );
}
