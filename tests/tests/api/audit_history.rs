//! Someone with access to the database edits the history or the ledger behind the application's
//! back; `jifen audit verify` names what was touched. What it checks: the hash chain, the seals
//! made with a key outside the database, that every org unit holding data has its chain, and
//! every member's ledger recomputed from the events.

use jifen_server::entity::{audit_event, audit_seal};
use jifen_server::infra::config::Secret;
use jifen_server::seed::{self, SNOW};
use jifen_server::services::audit::{self, SealKey, VerifyError};
use jifen_shared::domain::CycleQuarter;
use jifen_tests::{eventually, Review, TestApp, AUDIT_KEY};
use reqwest::StatusCode;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set, Statement, Value,
};

fn key() -> SealKey {
    SealKey::new(&Secret::new(AUDIT_KEY))
}

/// Runs SQL written with PostgreSQL's `$1` placeholders on either database.
async fn sql(db: &DatabaseConnection, sql: &str, values: Vec<Value>) -> u64 {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => sql.to_owned(),
        _ => (1..=9)
            .rev()
            .fold(sql.to_owned(), |s, i| s.replace(&format!("${i}"), "?")),
    };
    db.execute(Statement::from_sql_and_values(backend, sql, values))
        .await
        .expect("SQL behind the application's back")
        .rows_affected()
}

fn this_year(app: &TestApp) -> i32 {
    CycleQuarter::of(app.state.now()).year
}

/// member3 reports snow clearing and committee1 approves it: one ledger entry, whose id is
/// returned.
async fn an_approved_deed(app: &TestApp) -> String {
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    let res = app.review(&committee, &deed.id, Review::APPROVE).await;
    assert_eq!(res.status(), StatusCode::OK, "the committee approves");
    let points = app.points(&member, &member.member_id, this_year(app)).await;
    let entry = points
        .entries
        .iter()
        .find(|e| e.deed_id.as_deref() == Some(deed.id.as_str()))
        .expect("the approval is in the ledger");
    entry.id.clone()
}

#[tokio::test]
async fn the_untouched_demo_verifies_with_its_ledger() {
    let app = TestApp::spawn().await;
    let deeds = seed::deeds(&app.state.db, app.state.now(), &app.demo)
        .await
        .expect("demo deeds");
    assert!(deeds > 0);
    an_approved_deed(&app).await;

    let db = app.database().await;
    let ok = audit::verify_with(&db, Some(&key()))
        .await
        .expect("an untouched history verifies");
    assert!(ok.seals_checked);
    assert!(ok.chains >= 3, "{ok:?}");
    assert!(
        ok.ledger_entries > 5,
        "the demo's ledger was recomputed: {ok:?}"
    );
    assert!(ok.members > 3, "{ok:?}");

    let other = SealKey::new(&Secret::new("not-the-audit-key-not-the-audit-key-0"));
    let err = audit::verify_with(&db, Some(&other))
        .await
        .expect_err("seals do not verify under another key");
    assert!(err.to_string().contains("signature"), "{err}");
}

#[tokio::test]
async fn editing_the_history_behind_the_apps_back_is_detected() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let committee = app.login_as("committee1").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;
    app.review(&committee, &deed.id, Review::Reject("重复申报"))
        .await;
    app.submit(&member, &app.deed_form(SNOW)).await;

    let db = app.database().await;
    let intact = audit::verify_with(&db, Some(&key()))
        .await
        .expect("an untouched history verifies");
    assert!(intact.events > 5);

    // Someone with database access softens the rejection's reason.
    let rejected_event = audit_event::Entity::find()
        .filter(audit_event::Column::EntityId.eq(deed.id.as_str()))
        .filter(audit_event::Column::Action.eq("deed.rejected"))
        .one(&db)
        .await
        .unwrap()
        .expect("the rejection was recorded")
        .id;
    sql(
        &db,
        "UPDATE audit_event SET reason = 'approved after all' WHERE id = $1",
        vec![rejected_event.clone().into()],
    )
    .await;

    let broken = match audit::verify_with(&db, Some(&key())).await {
        Err(VerifyError::Broken(b)) => b,
        other => panic!("tampering went unnoticed: {other:?}"),
    };
    assert_eq!(
        broken.event_id, rejected_event,
        "verify names the edited event"
    );
}

#[tokio::test]
async fn deleting_an_event_breaks_the_chain_after_it() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let first = app.submit(&member, &app.deed_form(SNOW)).await;
    app.submit(&member, &app.deed_form(SNOW)).await;
    let db = app.database().await;
    sql(
        &db,
        "DELETE FROM audit_event WHERE entity_id = $1",
        vec![first.id.clone().into()],
    )
    .await;
    let err = audit::verify_with(&db, Some(&key()))
        .await
        .expect_err("a gap is noticed");
    assert!(err.to_string().contains("missing"), "{err}");
}

#[tokio::test]
async fn points_edited_in_the_ledger_table_are_named_with_the_member_and_entry() {
    let app = TestApp::spawn().await;
    let entry_id = an_approved_deed(&app).await;
    let member = app.login_as("member3").await;
    let year = this_year(&app);
    let awarded = app.points(&member, &member.member_id, year).await.total;

    let db = app.database().await;
    let changed = sql(
        &db,
        "UPDATE ledger_entry SET points = 50 WHERE id = $1",
        vec![entry_id.clone().into()],
    )
    .await;
    assert_eq!(changed, 1);
    eventually("the points screen shows the edited value", || async {
        (app.points(&member, &member.member_id, year).await.total == 50).then_some(())
    })
    .await;

    let mismatch = match audit::verify_with(&db, Some(&key())).await {
        Err(VerifyError::Ledger(m)) => m,
        other => panic!("the edited points went unnoticed: {other:?}"),
    };
    assert_eq!(mismatch.entry_id, entry_id, "{mismatch}");
    assert_eq!(mismatch.member_id, member.member_id, "{mismatch}");
    let message = mismatch.to_string();
    assert!(
        message.contains(&format!(
            "points: {awarded:+} by the events, +50 in the table"
        )),
        "{message}"
    );
    assert!(
        message.contains("member3"),
        "the member is named: {message}"
    );
}

#[tokio::test]
async fn a_ledger_row_inserted_or_deleted_behind_the_apps_back_is_named() {
    let app = TestApp::spawn().await;
    let entry_id = an_approved_deed(&app).await;
    let db = app.database().await;

    // A bonus nobody approved, copied from the real one.
    let forged = uuid::Uuid::now_v7().to_string();
    sql(
        &db,
        "INSERT INTO ledger_entry (id, member_id, branch_id, cycle_year, cycle_quarter, kind, \
         category, points, deed_id, rule_id, reverses_id, note, created_by, created_at) \
         SELECT $1, member_id, branch_id, cycle_year, cycle_quarter, kind, category, 30, NULL, \
         rule_id, NULL, note, created_by, created_at FROM ledger_entry WHERE id = $2",
        vec![forged.clone().into(), entry_id.clone().into()],
    )
    .await;
    let mismatch = match audit::verify_with(&db, Some(&key())).await {
        Err(VerifyError::Ledger(m)) => m,
        other => panic!("the inserted entry went unnoticed: {other:?}"),
    };
    assert_eq!(mismatch.entry_id, forged);
    assert!(
        mismatch.what.contains("no event ever wrote it"),
        "{mismatch}"
    );

    sql(
        &db,
        "DELETE FROM ledger_entry WHERE id = $1",
        vec![forged.into()],
    )
    .await;
    audit::verify_with(&db, Some(&key()))
        .await
        .expect("with the forged entry gone the ledger agrees again");

    sql(
        &db,
        "DELETE FROM ledger_entry WHERE id = $1",
        vec![entry_id.clone().into()],
    )
    .await;
    let mismatch = match audit::verify_with(&db, Some(&key())).await {
        Err(VerifyError::Ledger(m)) => m,
        other => panic!("the deleted entry went unnoticed: {other:?}"),
    };
    assert_eq!(mismatch.entry_id, entry_id);
    assert!(mismatch.what.contains("no longer has it"), "{mismatch}");
}

#[tokio::test]
async fn a_branch_whose_whole_chain_was_deleted_is_named() {
    let app = TestApp::spawn().await;
    an_approved_deed(&app).await;
    let branch = app.demo.branch("demo-1").to_owned();
    let db = app.database().await;
    let deleted = sql(
        &db,
        "DELETE FROM audit_event WHERE chain_id = $1",
        vec![branch.clone().into()],
    )
    .await;
    assert!(deleted > 5);

    // Even without the key, which skips the seals the chain leaves behind.
    let unchained = match audit::verify_with(&db, None).await {
        Err(VerifyError::Unchained(u)) => u,
        other => panic!("the deleted chain went unnoticed: {other:?}"),
    };
    assert_eq!(unchained.org_id, branch);
    let message = unchained.to_string();
    assert!(message.contains("demo-1"), "the branch is named: {message}");
    assert!(message.contains("deeds"), "{message}");
    assert!(message.contains("ledger entries"), "{message}");
}

#[tokio::test]
async fn a_chain_rewritten_with_recomputed_hashes_fails_on_its_seals() {
    let app = TestApp::spawn().await;
    let entry_id = an_approved_deed(&app).await;
    let branch = app.demo.branch("demo-1").to_owned();
    let db = app.database().await;

    // The attacker raises the award to 50 in the ledger and in the event that wrote it, then
    // recomputes every hash after it with the same hash function. They have no audit key, so the
    // best they can do with the seals is point them at the new hashes.
    sql(
        &db,
        "UPDATE ledger_entry SET points = 50 WHERE id = $1",
        vec![entry_id.clone().into()],
    )
    .await;
    let chain = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(branch.as_str()))
        .order_by_asc(audit_event::Column::Seq)
        .all(&db)
        .await
        .unwrap();
    let mut prev_hash: Option<String> = None;
    let mut rewritten = 0;
    for event in chain {
        let mut e = event.clone();
        if e.entity_id == entry_id {
            let mut after: serde_json::Value =
                serde_json::from_str(e.after.as_deref().unwrap()).unwrap();
            after["points"] = 50.into();
            e.after = Some(after.to_string());
        }
        if let Some(prev) = prev_hash.take() {
            e.prev_hash = prev;
        }
        e.hash = audit::hash_of(&e);
        prev_hash = Some(e.hash.clone());
        if e != event {
            rewritten += 1;
            let mut active = event.clone().into_active_model();
            active.after = Set(e.after.clone());
            active.prev_hash = Set(e.prev_hash.clone());
            active.hash = Set(e.hash.clone());
            active.update(&db).await.unwrap();
            let seal = audit_seal::Entity::find()
                .filter(audit_seal::Column::ChainId.eq(branch.as_str()))
                .filter(audit_seal::Column::Seq.eq(e.seq))
                .one(&db)
                .await
                .unwrap()
                .expect("every event is sealed");
            let mut seal = seal.into_active_model();
            seal.head_hash = Set(e.hash.clone());
            seal.update(&db).await.unwrap();
        }
    }
    assert!(rewritten >= 1);

    let without_key = audit::verify_with(&db, None).await;
    assert!(
        without_key.is_ok(),
        "hashes and ledger alone are fooled by a rewrite: {without_key:?}"
    );
    let broken = match audit::verify_with(&db, Some(&key())).await {
        Err(VerifyError::Broken(b)) => b,
        other => panic!("the rewritten chain went unnoticed: {other:?}"),
    };
    assert_eq!(broken.chain_id, branch);
    assert!(broken.why.contains("signature"), "{broken}");

    // Nor does the server seal anything on top of the rewritten chain.
    let member = app.login_as("member3").await;
    let res = app
        .post(&member, "/api/v1/deeds", &app.deed_form(SNOW))
        .await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
}

/// Page sizes that put a page boundary between every two rows, or between some.
const PAGES: [u64; 4] = [1, 2, 3, 7];

/// Verifies reading the history `PAGES` rows at a time and in whole pages: each finds the same,
/// or names the same first problem.
async fn the_same_at_every_page_size(
    db: &DatabaseConnection,
    key: Option<&SealKey>,
) -> Result<audit::Verified, String> {
    let whole = audit::verify_with(db, key).await.map_err(|e| e.to_string());
    for page in PAGES {
        let paged = audit::verify_in_pages(db, key, page)
            .await
            .map_err(|e| e.to_string());
        assert_eq!(paged, whole, "read {page} rows at a time");
    }
    whole
}

#[tokio::test]
async fn verify_reads_a_page_at_a_time_and_names_the_same_first_problem() {
    let app = TestApp::spawn().await;
    seed::deeds(&app.state.db, app.state.now(), &app.demo)
        .await
        .expect("demo deeds");
    let entry_id = an_approved_deed(&app).await;
    let branch = app.demo.branch("demo-1").to_owned();
    let db = app.database().await;

    let ok = the_same_at_every_page_size(&db, Some(&key()))
        .await
        .expect("an untouched history verifies");
    assert!(ok.events > 20 && ok.ledger_entries > 5, "{ok:?}");
    the_same_at_every_page_size(&db, None)
        .await
        .expect("and without the key");

    let chain = audit_event::Entity::find()
        .filter(audit_event::Column::ChainId.eq(branch.as_str()))
        .order_by_asc(audit_event::Column::Seq)
        .all(&db)
        .await
        .unwrap();
    let seal_of = |seq: i64| {
        audit_seal::Entity::find()
            .filter(audit_seal::Column::ChainId.eq(branch.as_str()))
            .filter(audit_seal::Column::Seq.eq(seq))
            .one(&db)
    };

    // A seal deleted in the middle of a chain.
    let middle = &chain[chain.len() / 2];
    let seal = seal_of(middle.seq).await.unwrap().expect("sealed");
    audit_seal::Entity::delete_by_id(seal.id.clone())
        .exec(&db)
        .await
        .unwrap();
    let err = the_same_at_every_page_size(&db, Some(&key()))
        .await
        .expect_err("a deleted seal is noticed");
    assert!(err.contains("its seal was deleted"), "{err}");
    seal.into_active_model()
        .reset_all()
        .insert(&db)
        .await
        .unwrap();

    // The chain cut back by its newest event, whose seal stays behind.
    let newest = chain.last().unwrap().clone();
    audit_event::Entity::delete_by_id(newest.id.clone())
        .exec(&db)
        .await
        .unwrap();
    let err = the_same_at_every_page_size(&db, Some(&key()))
        .await
        .expect_err("a cut chain is noticed");
    assert!(err.contains("the chain was cut back"), "{err}");
    newest
        .into_active_model()
        .reset_all()
        .insert(&db)
        .await
        .unwrap();
    the_same_at_every_page_size(&db, Some(&key()))
        .await
        .expect("with both put back the history verifies again");

    // The ledger: points edited in one entry and, in another branch, every entry that nothing
    // refers to deleted (more events than entries between two entries the table still holds).
    sql(
        &db,
        "UPDATE ledger_entry SET points = 50 WHERE id = $1",
        vec![entry_id.clone().into()],
    )
    .await;
    let deleted = sql(
        &db,
        "DELETE FROM ledger_entry WHERE branch_id = $1 \
         AND id NOT IN (SELECT reverses_id FROM ledger_entry WHERE reverses_id IS NOT NULL) \
         AND id NOT IN (SELECT ledger_entry_id FROM deduction WHERE ledger_entry_id IS NOT NULL) \
         AND id NOT IN (SELECT ledger_entry_id FROM appeal WHERE ledger_entry_id IS NOT NULL) \
         AND id NOT IN (SELECT reversal_entry_id FROM appeal WHERE reversal_entry_id IS NOT NULL)",
        vec![app.demo.branch("demo-2").to_owned().into()],
    )
    .await;
    assert!(deleted > 3, "{deleted} entries deleted");
    let err = the_same_at_every_page_size(&db, Some(&key()))
        .await
        .expect_err("the ledger no longer agrees");
    assert!(err.contains("the ledger disagrees"), "{err}");

    // The whole chain deleted: its seals are left with no event between them, and the branch is
    // named before the ledger is read.
    sql(
        &db,
        "DELETE FROM audit_event WHERE chain_id = $1",
        vec![branch.clone().into()],
    )
    .await;
    let err = the_same_at_every_page_size(&db, Some(&key()))
        .await
        .expect_err("the deleted chain is noticed");
    assert!(err.contains("has no audit chain"), "{err}");
}
