use jifen_server::seed::SNOW;
use jifen_server::services::audit;
use jifen_tests::{Review, TestApp};
use sea_orm::{ConnectionTrait, Statement};

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
    let intact = audit::verify(&db)
        .await
        .expect("an untouched history verifies");
    assert!(intact.events > 5);

    // Someone with database access softens the rejection's reason.
    let rejected_event: String = db
        .query_one(Statement::from_sql_and_values(
            app.backend(),
            match app.backend() {
                sea_orm::DbBackend::Postgres => {
                    "SELECT id FROM audit_event WHERE entity_id = $1 AND action = 'deed.rejected'"
                }
                _ => "SELECT id FROM audit_event WHERE entity_id = ? AND action = 'deed.rejected'",
            },
            [deed.id.clone().into()],
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "id")
        .unwrap();
    let tamper = match app.backend() {
        sea_orm::DbBackend::Postgres => {
            "UPDATE audit_event SET reason = 'approved after all' WHERE id = $1"
        }
        _ => "UPDATE audit_event SET reason = 'approved after all' WHERE id = ?",
    };
    db.execute(Statement::from_sql_and_values(
        app.backend(),
        tamper,
        [rejected_event.clone().into()],
    ))
    .await
    .unwrap();

    let broken = match audit::verify(&db).await {
        Err(audit::VerifyError::Broken(b)) => b,
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
    let sql = match app.backend() {
        sea_orm::DbBackend::Postgres => "DELETE FROM audit_event WHERE entity_id = $1",
        _ => "DELETE FROM audit_event WHERE entity_id = ?",
    };
    db.execute(Statement::from_sql_and_values(
        app.backend(),
        sql,
        [first.id.clone().into()],
    ))
    .await
    .unwrap();
    let err = audit::verify(&db).await.expect_err("a gap is noticed");
    assert!(err.to_string().contains("missing"), "{err}");
}
