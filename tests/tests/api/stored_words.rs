//! A status written into the database by something other than Jifen (a hand-edited row, a newer
//! version rolled back) is the server's fault when it is read: the member gets an honest error
//! with a request id, never a deed that silently looks "pending".

use jifen_server::seed::SNOW;
use jifen_tests::{problem, TestApp};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};

#[tokio::test]
async fn a_deed_whose_stored_status_no_one_knows_is_an_internal_error() {
    let app = TestApp::spawn().await;
    let member = app.login_as("member3").await;
    let deed = app.submit(&member, &app.deed_form(SNOW)).await;

    let db = app.database().await;
    let sql = format!("UPDATE deed SET status = 'lost' WHERE id = '{}'", deed.id);
    db.execute(Statement::from_string(app.backend(), sql))
        .await
        .unwrap();

    let res = app
        .get(&member, &format!("/api/v1/deeds/{}", deed.id))
        .await;
    let p = problem(res, StatusCode::INTERNAL_SERVER_ERROR).await;
    assert_eq!(p.code, "internal");
    assert!(
        p.request_id.is_some(),
        "the member can quote the request id"
    );
    assert!(
        !p.message.contains("lost"),
        "no stored word reaches the reader: {}",
        p.message
    );
}
